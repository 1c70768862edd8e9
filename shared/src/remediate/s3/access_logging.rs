//! S3.9.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "S3.9",
        title: "S3 general purpose buckets should have server access logging enabled",
        resource_type: "AwsS3Bucket",
        fix: "Turns on server access logging to the configured log bucket (HUBFIX_S3_ACCESS_LOG_BUCKET), prefix `<bucket>/`.",
        iam_actions: &["s3:GetBucketLogging", "s3:PutBucketLogging", "s3:GetBucketTagging"],
        impact: Impact::Safe,
        remediation: &AccessLogging,
    },
];

/// `S3.9`: server access logging to the configured log bucket.
#[derive(Debug)]
pub struct AccessLogging;

/// The before-state: logging was off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingBefore {
    /// The target bucket before, if logging was on.
    pub target_bucket: Option<String>,
}

/// Where the logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingTarget {
    /// The log bucket.
    pub bucket: String,
    /// The key prefix, `<bucket>/`.
    pub prefix: String,
}

impl Remediation for AccessLogging {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            let (tags, logging) = tokio::join!(
                bucket_tags(s3, bucket, with_tags),
                s3.get_bucket_logging().bucket(bucket).send()
            );
            let tags = tags?;
            let current = logging
                .map_err(sdk_err("s3:GetBucketLogging", &fix))?
                .logging_enabled()
                .map(|l| l.target_bucket().to_owned());
            let before = LoggingBefore {
                target_bucket: current.clone(),
            };
            if current.is_some() {
                return Ok(Inspection {
                    tags,
                    plan: plan_of(&fix, &before, Vec::new()),
                });
            }
            let log_bucket = fix.settings.s3_access_log_bucket.clone().ok_or_else(|| {
                FixError::Unconfigured(
                    "S3.9 needs the log bucket: set HUBFIX_S3_ACCESS_LOG_BUCKET (template parameter S3AccessLogBucket)".into(),
                )
            })?;
            if &log_bucket == bucket {
                return Err(FixError::Manual(format!(
                    "{bucket} is the configured access-log bucket; a log bucket must not log to itself. Send its logs to another bucket."
                )));
            }
            let target = LoggingTarget {
                prefix: format!("{bucket}/"),
                bucket: log_bucket,
            };
            let change = Change::new(
                format!(
                    "turned on server access logging to s3://{}/{}",
                    target.bucket, target.prefix
                ),
                &target,
            );
            Ok(Inspection {
                tags,
                plan: plan_of(&fix, &before, vec![change]),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let target: LoggingTarget = change.detail()?;
            let logging = LoggingEnabled::builder()
                .target_bucket(&target.bucket)
                .target_prefix(&target.prefix)
                .build()
                .map_err(|e| FixError::Target(e.to_string()))?;
            fix.clients
                .s3
                .put_bucket_logging()
                .bucket(&fix.target.name)
                .bucket_logging_status(
                    BucketLoggingStatus::builder()
                        .logging_enabled(logging)
                        .build(),
                )
                .send()
                .await
                .map(|_| ())
                .map_err(sdk_err("s3:PutBucketLogging", &fix))
        })
    }

    /// Turns server access logging off again (hubfix only turns it on when it is off);
    /// the logs already delivered stay in the log bucket.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let LoggingBefore { target_bucket } = before.recorded()?;
            if target_bucket.is_some() || changes.is_empty() {
                return Ok(Vec::new());
            }
            let target: LoggingTarget = changes[0].detail()?;
            fix.clients
                .s3
                .put_bucket_logging()
                .bucket(&fix.target.name)
                .bucket_logging_status(BucketLoggingStatus::builder().build())
                .send()
                .await
                .map_err(sdk_err("s3:PutBucketLogging", &fix))?;
            Ok(vec![format!(
                "turned off server access logging of {} again (the logs delivered to s3://{}/{} stay)",
                resource(&fix),
                target.bucket,
                target.prefix
            )])
        })
    }
}
