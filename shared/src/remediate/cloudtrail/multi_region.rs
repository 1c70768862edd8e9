//! CloudTrail.1, CloudTrail.3.

use super::*;
use crate::remediate::{Impact, Rule};

/// What the CloudTrail.1 fix needs: trails, and the bucket of the trail it creates.
const TRAIL_ACTIONS: &[&str] = &[
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:CreateTrail",
    "cloudtrail:AddTags",
    "cloudtrail:ListTags",
    "cloudtrail:StartLogging",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "s3:ListBucket",
    "s3:CreateBucket",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketPolicy",
    "s3:PutBucketTagging",
    "s3:GetBucketTagging",
    "s3:PutBucketLogging",
    "s3:DeleteBucket",
];

/// What the CloudTrail.1 fix does.
const TRAIL_FIX: &str = "Starts a stopped multi-region trail that logs read and write management events; when there is none, creates `hubfix-trail` (multi-region, log file validation, the HUBFIX_TRAIL_KMS_KEY key when set) with a dedicated bucket `hubfix-cloudtrail-<account>-<region>` (Block Public Access, encrypted, TLS-only policy admitting only the trail, access-logged when HUBFIX_S3_ACCESS_LOG_BUCKET is set), all tagged `hubfix:created`.";

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "CloudTrail.1",
        title: "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events",
        resource_type: "AwsAccount",
        fix: TRAIL_FIX,
        iam_actions: TRAIL_ACTIONS,
        impact: Impact::Safe,
        remediation: &MultiRegionTrail,
    },
    Rule {
        control_id: "CloudTrail.3",
        title: "At least one CloudTrail trail should be enabled",
        resource_type: "AwsAccount",
        fix: "The CloudTrail.1 fix (an account without any logging trail gets a multi-region one, which passes both controls); nothing when a multi-region trail already logs.",
        iam_actions: TRAIL_ACTIONS,
        impact: Impact::Safe,
        remediation: &MultiRegionTrail,
    },
];

/// `CloudTrail.1`: at least one multi-region trail logging read and write management
/// events. Starts such a trail when it is stopped; when there is none, creates
/// `hubfix-trail` with a dedicated bucket (private, encrypted, TLS-only, admitting only
/// that trail).
#[derive(Debug)]
pub struct MultiRegionTrail;

/// A multi-region trail as `CloudTrail.1` sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailSummary {
    /// Its ARN.
    pub arn: String,
    /// Whether it is logging.
    pub logging: bool,
    /// Whether it logs read and write management events.
    pub management_events: bool,
}

/// The before-state of `CloudTrail.1`: the multi-region trails, sorted by ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiRegionBefore {
    /// The trails.
    pub trails: Vec<TrailSummary>,
}

/// One step of `CloudTrail.1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MultiRegionChange {
    /// Create the log bucket (private, encrypted, with the trail's bucket policy).
    CreateBucket {
        /// Its name.
        bucket: String,
        /// The trail the bucket policy admits.
        trail_arn: String,
    },
    /// Create the multi-region trail.
    CreateTrail {
        /// Its name.
        name: String,
        /// Its bucket.
        bucket: String,
        /// The KMS key it encrypts with (the configured one).
        kms_key: Option<String>,
    },
    /// Start logging.
    StartLogging {
        /// The trail.
        arn: String,
    },
}

impl Remediation for MultiRegionTrail {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let mut summaries = Vec::new();
            let mut states = Vec::new();
            for t in all_trails(fix)
                .await?
                .into_iter()
                .filter(|t| t.multi_region)
            {
                let logging = is_logging(fix, &t.arn).await?;
                let management_events = selectors(fix, &t.arn).await?.logs_management_events();
                summaries.push(TrailSummary {
                    arn: t.arn.clone(),
                    logging,
                    management_events,
                });
                states.push(t);
            }
            let compliant = summaries.iter().any(|s| s.logging && s.management_events);
            let mut changes = Vec::new();
            if !compliant {
                let stopped = summaries
                    .iter()
                    .zip(&states)
                    .find(|(s, _)| s.management_events);
                if let Some((s, t)) = stopped {
                    changeable_here(fix, t)?;
                    changes.push(Change::new(
                        format!("started logging of the multi-region trail {}", t.name),
                        &MultiRegionChange::StartLogging { arn: s.arn.clone() },
                    ));
                } else {
                    changes = creation_plan(fix).await?;
                }
            }
            Ok(Inspection {
                tags: None,
                plan: plan(
                    format!(
                        "CloudTrail of account {} in {}",
                        fix.target.name, fix.target.region
                    ),
                    &MultiRegionBefore { trails: summaries },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let ct = &fix.clients.cloudtrail;
            match change.detail::<MultiRegionChange>()? {
                MultiRegionChange::CreateBucket { bucket, trail_arn } => {
                    create_log_bucket(fix, &bucket, &trail_arn).await
                }
                MultiRegionChange::CreateTrail {
                    name,
                    bucket,
                    kms_key,
                } => ct
                    .create_trail()
                    .name(&name)
                    .s3_bucket_name(&bucket)
                    .is_multi_region_trail(true)
                    .include_global_service_events(true)
                    .enable_log_file_validation(true)
                    .set_kms_key_id(kms_key)
                    .tags_list(trail_tag()?)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(err("cloudtrail:CreateTrail", &format!("trail {name}"), &[])),
                MultiRegionChange::StartLogging { arn } => ct
                    .start_logging()
                    .name(&arn)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(err(
                        "cloudtrail:StartLogging",
                        &format!("trail {arn}"),
                        NO_TRAIL,
                    )),
            }
        })
    }

    /// Stops a trail hubfix started; deletes the trail hubfix created (tagged
    /// `hubfix:created`) and its bucket while the bucket holds no log file. A bucket
    /// that holds logs is kept (they are the account's audit record): the undo then
    /// says so as [`FixError::Irreversible`].
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let _: MultiRegionBefore = before.recorded()?;
            let applied: Vec<MultiRegionChange> = changes
                .iter()
                .map(Change::detail)
                .collect::<Result<_, _>>()?;
            let created_trail = applied
                .iter()
                .any(|c| matches!(c, MultiRegionChange::CreateTrail { .. }));
            let ct = &fix.clients.cloudtrail;
            let mut steps = Vec::new();
            let mut kept = Vec::new();
            for change in applied.iter().rev() {
                match change {
                    MultiRegionChange::StartLogging { arn } if !created_trail => {
                        ct.stop_logging().name(arn).send().await.map_err(err(
                            "cloudtrail:StopLogging",
                            &format!("trail {arn}"),
                            NO_TRAIL,
                        ))?;
                        steps.push(format!("stopped logging of trail {arn} again"));
                    }
                    MultiRegionChange::StartLogging { .. } => {}
                    MultiRegionChange::CreateTrail { name, .. } => {
                        let arn = format!(
                            "arn:{}:cloudtrail:{}:{}:trail/{name}",
                            fix.target.partition, fix.target.region, fix.target.account
                        );
                        let tags = trail_tags(fix, &arn).await?;
                        if !created_by_hubfix(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
                            kept.push(format!(
                                "the trail {name}, which lacks the tag {CREATED_BY_TAG}"
                            ));
                            continue;
                        }
                        ct.delete_trail().name(name).send().await.map_err(err(
                            "cloudtrail:DeleteTrail",
                            &format!("trail {name}"),
                            NO_TRAIL,
                        ))?;
                        steps.push(format!("deleted the trail {name}, which hubfix created"));
                    }
                    MultiRegionChange::CreateBucket { bucket, .. } => {
                        match delete_log_bucket(fix, bucket).await? {
                            None => steps.push(format!(
                                "deleted the log bucket {bucket}, which hubfix created (it held no log file)"
                            )),
                            Some(why) => kept.push(why),
                        }
                    }
                }
            }
            if kept.is_empty() {
                Ok(steps)
            } else {
                Err(FixError::Irreversible(format!(
                    "{}; kept {} (delete by hand when no longer needed)",
                    if steps.is_empty() {
                        "nothing else to undo".to_owned()
                    } else {
                        steps.join("; ")
                    },
                    kept.join(" and ")
                )))
            }
        })
    }
}

/// The changes that create hubfix's trail: its bucket (unless a bucket of that name is
/// already there), the trail, and logging.
async fn creation_plan(fix: Fix<'_>) -> Result<Vec<Change>, FixError> {
    let t = fix.target;
    let bucket = trail_bucket_name(&t.account, &t.region);
    let trail_arn = format!(
        "arn:{}:cloudtrail:{}:{}:trail/{TRAIL_NAME}",
        t.partition, t.region, t.account
    );
    let mut changes = Vec::new();
    match fix.clients.s3.head_bucket().bucket(&bucket).send().await {
        Ok(_) => {}
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {
            changes.push(Change::new(
                format!("created the log bucket {bucket} (Block Public Access on, encrypted, TLS only, writable only by the trail)"),
                &MultiRegionChange::CreateBucket {
                    bucket: bucket.clone(),
                    trail_arn: trail_arn.clone(),
                },
            ));
        }
        Err(e) => {
            return Err(FixError::from_sdk(
                "s3:ListBucket",
                &format!("bucket {bucket}"),
                &[],
                e,
            ))
        }
    }
    let kms_key = fix.settings.catalogue.trail_kms_key.clone();
    changes.push(Change::new(
        format!(
            "created the multi-region trail {TRAIL_NAME} of management events to {bucket}, with log file validation{}",
            kms_key
                .as_deref()
                .map(|k| format!(" and encryption with {k}"))
                .unwrap_or_default()
        ),
        &MultiRegionChange::CreateTrail {
            name: TRAIL_NAME.to_owned(),
            bucket,
            kms_key,
        },
    ));
    changes.push(Change::new(
        format!("started logging of {TRAIL_NAME}"),
        &MultiRegionChange::StartLogging { arn: trail_arn },
    ));
    Ok(changes)
}

/// Creates the trail's bucket: Block Public Access, default encryption, the bucket
/// policy, the `hubfix:created` tag, and server access logging when a log bucket is
/// configured (`CloudTrail.7`).
async fn create_log_bucket(fix: Fix<'_>, bucket: &str, trail_arn: &str) -> Result<(), FixError> {
    let s3 = &fix.clients.s3;
    let t = fix.target;
    let resource = format!("bucket {bucket}");
    let mut create = s3.create_bucket().bucket(bucket);
    if t.region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(t.region.as_str()))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => {}
        Err(e) if service_code(&e) == Some("BucketAlreadyOwnedByYou") => {}
        Err(e) => return Err(FixError::from_sdk("s3:CreateBucket", &resource, &[], e)),
    }
    crate::remediate::s3::block_public_access::block_bucket_public_access(s3, bucket).await?;
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::Aes256)
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    let encryption = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .build(),
        )
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(encryption)
        .send()
        .await
        .map_err(err("s3:PutEncryptionConfiguration", &resource, NO_BUCKET))?;
    let policy = trail_bucket_policy(&t.partition, &t.account, bucket, trail_arn);
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(policy.to_string())
        .send()
        .await
        .map_err(err("s3:PutBucketPolicy", &resource, NO_BUCKET))?;
    let tag = aws_sdk_s3::types::Tag::builder()
        .key(CREATED_BY_TAG)
        .value("true")
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    s3.put_bucket_tagging()
        .bucket(bucket)
        .tagging(
            Tagging::builder()
                .tag_set(tag)
                .build()
                .map_err(|e| FixError::Target(e.to_string()))?,
        )
        .send()
        .await
        .map_err(err("s3:PutBucketTagging", &resource, NO_BUCKET))?;
    if let Some(log_bucket) = fix
        .settings
        .s3_access_log_bucket
        .as_deref()
        .filter(|b| *b != bucket)
    {
        let logging = aws_sdk_s3::types::LoggingEnabled::builder()
            .target_bucket(log_bucket)
            .target_prefix(format!("{bucket}/"))
            .build()
            .map_err(|e| FixError::Target(e.to_string()))?;
        s3.put_bucket_logging()
            .bucket(bucket)
            .bucket_logging_status(
                aws_sdk_s3::types::BucketLoggingStatus::builder()
                    .logging_enabled(logging)
                    .build(),
            )
            .send()
            .await
            .map_err(err("s3:PutBucketLogging", &resource, NO_BUCKET))?;
    }
    Ok(())
}

/// Deletes the log bucket hubfix created, unless it holds objects or lacks hubfix's
/// tag; `Some(why)` when it was kept.
async fn delete_log_bucket(fix: Fix<'_>, bucket: &str) -> Result<Option<String>, FixError> {
    let s3 = &fix.clients.s3;
    let resource = format!("bucket {bucket}");
    let tags = crate::remediate::s3::block_public_access::bucket_tags(s3, bucket, true)
        .await?
        .unwrap_or_default();
    if !created_by_hubfix(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        return Ok(Some(format!(
            "the bucket {bucket}, which lacks the tag {CREATED_BY_TAG}"
        )));
    }
    let objects = s3
        .list_objects_v2()
        .bucket(bucket)
        .max_keys(1)
        .send()
        .await
        .map_err(err("s3:ListBucket", &resource, NO_BUCKET))?;
    if objects.key_count().unwrap_or(0) > 0 || !objects.contents().is_empty() {
        return Ok(Some(format!(
            "the log bucket {bucket}, which hubfix created: it holds CloudTrail log files"
        )));
    }
    s3.delete_bucket().bucket(bucket).send().await.map_err(err(
        "s3:DeleteBucket",
        &resource,
        NO_BUCKET,
    ))?;
    Ok(None)
}
