//! CloudTrail.6 / 7.

use super::*;
use crate::remediate::s3::{AccessLogging, BlockPublicReadWrite};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "CloudTrail.6",
        title: "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible",
        resource_type: "AwsS3Bucket",
        fix: "Turns on the Block Public Access settings of the CloudTrail log bucket the finding names and removes its ACL grants to AllUsers and AuthenticatedUsers (as S3.2).",
        iam_actions: &[
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
            "s3:GetBucketAcl",
            "s3:PutBucketAcl",
            "s3:GetBucketTagging",
        ],
        impact: Impact::Safe,
        remediation: &TrailBucket {
            inner: &BlockPublicReadWrite,
            control: "CloudTrail.6",
            needs_log_bucket: false,
        },
    },
    Rule {
        control_id: "CloudTrail.7",
        title: "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
        resource_type: "AwsS3Bucket",
        fix: "Turns on server access logging of the CloudTrail log bucket the finding names to the configured log bucket (HUBFIX_S3_ACCESS_LOG_BUCKET), prefix `<bucket>/` (as S3.9).",
        iam_actions: &[
            "s3:GetBucketLogging",
            "s3:PutBucketLogging",
            "s3:GetBucketTagging",
        ],
        impact: Impact::Safe,
        remediation: &TrailBucket {
            inner: &AccessLogging,
            control: "CloudTrail.7",
            needs_log_bucket: true,
        },
    },
];

/// `CloudTrail.6` and `CloudTrail.7`: a fix of a trail's S3 bucket, made by a bucket
/// remediation (`S3.2`'s Block Public Access and public grants, `S3.9`'s access
/// logging). Security Hub's findings of these controls name the bucket the trail
/// delivers to (`AwsS3Bucket`: it finds the bucket, then runs the bucket's own check),
/// so that is the resource the fix acts on.
#[derive(Debug)]
pub struct TrailBucket {
    /// The bucket remediation.
    pub inner: &'static dyn Remediation,
    /// The control, for notes (`CloudTrail.7`).
    pub control: &'static str,
    /// Whether the fix needs `HUBFIX_S3_ACCESS_LOG_BUCKET`.
    pub needs_log_bucket: bool,
}

/// The before-state: the bucket and the bucket remediation's before-state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailBucketBefore {
    /// The bucket.
    pub bucket: String,
    /// The bucket remediation's record of it.
    pub state: Value,
}

/// One step: the bucket remediation's change, on this bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailBucketChange {
    /// The bucket.
    pub bucket: String,
    /// The bucket remediation's record of the change.
    pub detail: Value,
}

pub(super) fn bucket_target(target: &Target, bucket: &str) -> Target {
    Target {
        resource_id: format!("arn:{}:s3:::{bucket}", target.partition),
        name: bucket.to_owned(),
        ..target.clone()
    }
}

impl Remediation for TrailBucket {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            if self.needs_log_bucket && fix.settings.s3_access_log_bucket.is_none() {
                return Err(FixError::Unconfigured(format!(
                    "{} needs the bucket that receives access logs: set HUBFIX_S3_ACCESS_LOG_BUCKET (template parameter S3AccessLogBucket)",
                    self.control
                )));
            }
            let bucket = fix.target.name.clone();
            let target = bucket_target(fix.target, &bucket);
            let inner = self
                .inner
                .inspect(
                    Fix {
                        target: &target,
                        ..fix
                    },
                    with_tags,
                )
                .await?;
            let changes = inner
                .plan
                .changes
                .into_iter()
                .map(|c| {
                    Change::new(
                        format!("{} (CloudTrail log bucket {bucket})", c.description),
                        &TrailBucketChange {
                            bucket: bucket.clone(),
                            detail: c.detail,
                        },
                    )
                })
                .collect();
            Ok(Inspection {
                tags: inner.tags,
                plan: plan(
                    format!("CloudTrail log bucket {bucket}"),
                    &TrailBucketBefore {
                        bucket: bucket.clone(),
                        state: inner.plan.before.state,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let c: TrailBucketChange = change.detail()?;
            let target = bucket_target(fix.target, &crate::ids::bucket_name(&c.bucket)?);
            let inner = Change {
                description: change.description.clone(),
                detail: c.detail,
            };
            self.inner
                .apply(
                    Fix {
                        target: &target,
                        ..fix
                    },
                    &inner,
                )
                .await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: TrailBucketBefore = before.recorded()?;
            let bucket = crate::ids::bucket_name(&recorded.bucket)?;
            let target = bucket_target(fix.target, &bucket);
            let inner_before = BeforeState {
                resource: format!("bucket {bucket}"),
                state: recorded.state,
            };
            let inner_changes = changes
                .iter()
                .map(|c| {
                    c.detail::<TrailBucketChange>().map(|d| Change {
                        description: c.description.clone(),
                        detail: d.detail,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.inner
                .undo(
                    Fix {
                        target: &target,
                        ..fix
                    },
                    &inner_before,
                    &inner_changes,
                )
                .await
        })
    }
}
