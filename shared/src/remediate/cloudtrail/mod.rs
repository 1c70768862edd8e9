//! CloudTrail: a multi-region trail logging management events (`CloudTrail.1`), its
//! KMS encryption (`CloudTrail.2`), log file validation (`CloudTrail.4`), delivery to
//! CloudWatch Logs (`CloudTrail.5`), its S3 bucket private and access-logged
//! (`CloudTrail.6`, `CloudTrail.7`), and S3 object-level write and read events
//! (CIS 1.4.0 3.10 and 3.11, which Security Hub does not check). The pure decisions
//! (selectors, policy documents) are in [`model`].

pub mod model;

use std::time::Duration;

use aws_sdk_cloudtrail::types::Tag as TrailTag;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tagging,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::model::{
    cloudtrail_key_policy, key_policy_allows_cloudtrail, logs_role_policy, logs_role_trust_policy,
    trail_arn, trail_bucket_policy, AddedSelector, S3Access, Selectors,
};
use super::{
    BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation, Target, CREATED_BY_TAG,
};
use crate::catalogue_settings::{ENV_TRAIL_KMS_KEY, ENV_TRAIL_LOGS_ROLE_ARN};
use crate::error::{service_code, FixError};

/// Name of the trail `CloudTrail.1` creates when the account has no multi-region trail.
pub const TRAIL_NAME: &str = "hubfix-trail";
/// Alias of the KMS key `CloudTrail.2` creates when no key is configured.
pub const TRAIL_KEY_ALIAS: &str = "alias/hubfix-cloudtrail";
/// Name of the role `CloudTrail.5` creates for the delivery to CloudWatch Logs when no
/// role is configured (and of its inline policy).
pub const LOGS_ROLE_NAME: &str = "hubfix-cloudtrail-logs";
/// Days the log group `CloudTrail.5` creates keeps events (CloudWatch.16 asks a year).
pub const LOG_RETENTION_DAYS: i32 = 365;

const NO_TRAIL: &[&str] = &["TrailNotFoundException"];
const NO_KEY: &[&str] = &["NotFoundException"];
const NO_BUCKET: &[&str] = &["NoSuchBucket"];
const NO_LOG_GROUP: &[&str] = &["ResourceNotFoundException"];
const NO_ROLE: &[&str] = &["NoSuchEntity"];

/// The name of the bucket `CloudTrail.1` creates for its trail.
pub fn trail_bucket_name(account: &str, region: &str) -> String {
    format!("hubfix-cloudtrail-{account}-{region}")
}

fn err<E, R>(
    operation: &'static str,
    resource: &str,
    not_found: &'static [&'static str],
) -> impl FnOnce(SdkError<E, R>) -> FixError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let resource = resource.to_owned();
    move |e| FixError::from_sdk(operation, &resource, not_found, e)
}

fn trail_tag() -> Result<TrailTag, FixError> {
    TrailTag::builder()
        .key(CREATED_BY_TAG)
        .value("true")
        .build()
        .map_err(|e| FixError::Target(e.to_string()))
}

fn created_by_hubfix<'a>(mut tags: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    tags.any(|(k, _)| k == CREATED_BY_TAG)
}

// ------------------------------------------------------------------ reading trails

/// A trail as hubfix reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailState {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The region it was created in (where it can be changed).
    pub home_region: String,
    /// Whether it logs every region.
    pub multi_region: bool,
    /// The bucket it delivers to.
    pub bucket: String,
    /// The KMS key that encrypts its log files.
    pub kms_key: Option<String>,
    /// Whether log file validation is on.
    pub log_validation: bool,
    /// The CloudWatch Logs log group it delivers to.
    pub log_group_arn: Option<String>,
    /// The role it delivers to CloudWatch Logs with.
    pub logs_role_arn: Option<String>,
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

impl TrailState {
    fn of(t: &aws_sdk_cloudtrail::types::Trail, region: &str) -> TrailState {
        TrailState {
            name: t.name().unwrap_or_default().to_owned(),
            arn: t.trail_arn().unwrap_or_default().to_owned(),
            home_region: t.home_region().unwrap_or(region).to_owned(),
            multi_region: t.is_multi_region_trail().unwrap_or(false),
            bucket: t.s3_bucket_name().unwrap_or_default().to_owned(),
            kms_key: non_empty(t.kms_key_id()),
            log_validation: t.log_file_validation_enabled().unwrap_or(false),
            log_group_arn: non_empty(t.cloud_watch_logs_log_group_arn()),
            logs_role_arn: non_empty(t.cloud_watch_logs_role_arn()),
        }
    }
}

/// Every trail that applies to the region (its own and other regions' multi-region
/// trails), sorted by ARN.
async fn all_trails(fix: Fix<'_>) -> Result<Vec<TrailState>, FixError> {
    let out = fix
        .clients
        .cloudtrail
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(err("cloudtrail:DescribeTrails", "trails", &[]))?;
    let mut trails: Vec<TrailState> = out
        .trail_list()
        .iter()
        .map(|t| TrailState::of(t, &fix.target.region))
        .collect();
    trails.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(trails)
}

/// One trail, by ARN.
async fn get_trail(fix: Fix<'_>, arn: &str) -> Result<TrailState, FixError> {
    let resource = format!("trail {arn}");
    let out = fix
        .clients
        .cloudtrail
        .get_trail()
        .name(arn)
        .send()
        .await
        .map_err(err("cloudtrail:GetTrail", &resource, NO_TRAIL))?;
    let trail = out
        .trail()
        .ok_or_else(|| FixError::Target(format!("{resource} has no description")))?;
    Ok(TrailState::of(trail, &fix.target.region))
}

async fn is_logging(fix: Fix<'_>, arn: &str) -> Result<bool, FixError> {
    fix.clients
        .cloudtrail
        .get_trail_status()
        .name(arn)
        .send()
        .await
        .map(|o| o.is_logging().unwrap_or(false))
        .map_err(err(
            "cloudtrail:GetTrailStatus",
            &format!("trail {arn}"),
            NO_TRAIL,
        ))
}

async fn selectors(fix: Fix<'_>, arn: &str) -> Result<Selectors, FixError> {
    let out = fix
        .clients
        .cloudtrail
        .get_event_selectors()
        .trail_name(arn)
        .send()
        .await
        .map_err(err(
            "cloudtrail:GetEventSelectors",
            &format!("trail {arn}"),
            NO_TRAIL,
        ))?;
    Ok(Selectors::from_sdk(
        out.event_selectors(),
        out.advanced_event_selectors(),
    ))
}

async fn put_selectors(fix: Fix<'_>, arn: &str, s: &Selectors) -> Result<(), FixError> {
    let call = fix.clients.cloudtrail.put_event_selectors().trail_name(arn);
    let call = if s.advanced.is_empty() {
        call.set_event_selectors(Some(s.basic_sdk()))
    } else {
        call.set_advanced_event_selectors(Some(s.advanced_sdk()?))
    };
    call.send().await.map(|_| ()).map_err(err(
        "cloudtrail:PutEventSelectors",
        &format!("trail {arn}"),
        NO_TRAIL,
    ))
}

async fn trail_tags(fix: Fix<'_>, arn: &str) -> Result<Vec<(String, String)>, FixError> {
    let out = fix
        .clients
        .cloudtrail
        .list_tags()
        .resource_id_list(arn)
        .send()
        .await
        .map_err(err(
            "cloudtrail:ListTags",
            &format!("trail {arn}"),
            NO_TRAIL,
        ))?;
    Ok(out
        .resource_tag_list()
        .iter()
        .flat_map(|r| r.tags_list())
        .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
        .collect())
}

/// The trail of an `AwsCloudTrailTrail` finding, read, with its tags when asked.
async fn finding_trail(
    fix: Fix<'_>,
    with_tags: bool,
) -> Result<(TrailState, Option<Vec<(String, String)>>), FixError> {
    let arn = &fix.target.resource_id;
    let trail = get_trail(fix, arn).await?;
    let tags = if with_tags {
        Some(trail_tags(fix, arn).await?)
    } else {
        None
    };
    Ok((trail, tags))
}

/// Refuses to change a trail outside its home region (CloudTrail answers
/// `InvalidHomeRegionException`): the finding of its home region gets it fixed.
fn changeable_here(fix: Fix<'_>, trail: &TrailState) -> Result<(), FixError> {
    if trail.home_region == fix.target.region {
        Ok(())
    } else {
        Err(FixError::Target(format!(
            "trail {} can only be changed in its home region {}; hubfix fixes it from that region's finding",
            trail.name, trail.home_region
        )))
    }
}

/// `UpdateTrail` with one setting.
async fn update_trail(
    fix: Fix<'_>,
    arn: &str,
    set: impl FnOnce(
        aws_sdk_cloudtrail::operation::update_trail::builders::UpdateTrailFluentBuilder,
    )
        -> aws_sdk_cloudtrail::operation::update_trail::builders::UpdateTrailFluentBuilder,
) -> Result<(), FixError> {
    set(fix.clients.cloudtrail.update_trail().name(arn))
        .send()
        .await
        .map(|_| ())
        .map_err(err(
            "cloudtrail:UpdateTrail",
            &format!("trail {arn}"),
            NO_TRAIL,
        ))
}

fn plan(resource: String, before: &impl Serialize, changes: Vec<Change>) -> Plan {
    Plan {
        before: BeforeState::new(resource, before),
        changes,
    }
}

// ------------------------------------------------------------------ CloudTrail.1

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
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        super::account_resource_name(resource_id, account)
    }

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
    super::s3::block_public_access::block_bucket_public_access(s3, bucket).await?;
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
    let tags = super::s3::block_public_access::bucket_tags(s3, bucket, true)
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

// ------------------------------------------------------------------ CloudTrail.2

/// `CloudTrail.2`: the trail's log files encrypted with a KMS key: the configured one
/// (`HUBFIX_TRAIL_KMS_KEY`, whose key policy must let CloudTrail use it), else
/// `alias/hubfix-cloudtrail`, created once (rotation on) with a key policy for
/// CloudTrail.
#[derive(Debug)]
pub struct TrailEncryption;

/// The before-state of `CloudTrail.2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionBefore {
    /// The key the trail encrypted with.
    pub kms_key: Option<String>,
}

/// One step of `CloudTrail.2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncryptionChange {
    /// Create the key `alias/hubfix-cloudtrail`.
    CreateKey,
    /// Encrypt the trail's log files with this key.
    Encrypt {
        /// Key id, ARN or alias.
        key: String,
    },
}

impl Remediation for TrailEncryption {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        trail_arn(resource_id, account).map(|t| t.name)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (trail, tags) = finding_trail(fix, with_tags).await?;
            let mut changes = Vec::new();
            if trail.kms_key.is_none() {
                changeable_here(fix, &trail)?;
                let key = match &fix.settings.catalogue.trail_kms_key {
                    Some(configured) => configured_key(fix, configured).await?,
                    None => match key_arn(fix, TRAIL_KEY_ALIAS).await? {
                        Some(arn) => arn,
                        None => {
                            changes.push(Change::new(
                                format!("created the KMS key {TRAIL_KEY_ALIAS} (rotation on) whose key policy lets CloudTrail encrypt the account's trails"),
                                &EncryptionChange::CreateKey,
                            ));
                            TRAIL_KEY_ALIAS.to_owned()
                        }
                    },
                };
                changes.push(Change::new(
                    format!("encrypted the log files of trail {} with {key}", trail.name),
                    &EncryptionChange::Encrypt { key },
                ));
            }
            Ok(Inspection {
                tags,
                plan: plan(
                    format!("trail {}", trail.name),
                    &EncryptionBefore {
                        kms_key: trail.kms_key,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            match change.detail::<EncryptionChange>()? {
                EncryptionChange::CreateKey => create_trail_key(fix).await,
                EncryptionChange::Encrypt { key } => {
                    update_trail(fix, &fix.target.resource_id, |u| u.kms_key_id(key)).await
                }
            }
        })
    }

    /// Turns encryption off again. A key hubfix created is kept: the log files
    /// delivered meanwhile are encrypted with it, and deleting it would make them
    /// unreadable.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let EncryptionBefore { kms_key } = before.recorded()?;
            let mut steps = Vec::new();
            for change in changes {
                match change.detail::<EncryptionChange>()? {
                    EncryptionChange::Encrypt { key } => {
                        let arn = &fix.target.resource_id;
                        let old = kms_key.clone().unwrap_or_default();
                        update_trail(fix, arn, |u| u.kms_key_id(old)).await?;
                        steps.push(match &kms_key {
                            Some(k) => format!("put back the trail's key {k}"),
                            None => format!(
                                "turned KMS encryption of trail {} off again (it was {key})",
                                fix.target.name
                            ),
                        });
                    }
                    EncryptionChange::CreateKey => steps.push(format!(
                        "kept the KMS key {TRAIL_KEY_ALIAS}, which hubfix created: the log files delivered while the trail used it need it to be read (schedule its deletion when they are gone)"
                    )),
                }
            }
            Ok(steps)
        })
    }
}

/// The ARN of a key (id, ARN, alias name or alias ARN), `None` when there is none.
async fn key_arn(fix: Fix<'_>, key: &str) -> Result<Option<String>, FixError> {
    match fix.clients.kms.describe_key().key_id(key).send().await {
        Ok(out) => Ok(out.key_metadata().and_then(|m| m.arn()).map(str::to_owned)),
        Err(e) if service_code(&e) == Some("NotFoundException") => Ok(None),
        Err(e) => Err(FixError::from_sdk(
            "kms:DescribeKey",
            &format!("KMS key {key}"),
            &[],
            e,
        )),
    }
}

/// The configured key's ARN, once its key policy is seen to let CloudTrail use it.
async fn configured_key(fix: Fix<'_>, key: &str) -> Result<String, FixError> {
    let arn = key_arn(fix, key).await?.ok_or_else(|| {
        FixError::Unconfigured(format!(
            "{ENV_TRAIL_KMS_KEY} names the KMS key `{key}`, which does not exist in {}",
            fix.target.region
        ))
    })?;
    let policy = fix
        .clients
        .kms
        .get_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .send()
        .await
        .map_err(err("kms:GetKeyPolicy", &format!("KMS key {arn}"), NO_KEY))?;
    let document: Value = policy
        .policy()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    if !key_policy_allows_cloudtrail(&document) {
        return Err(FixError::Unconfigured(format!(
            "the KMS key {arn} ({ENV_TRAIL_KMS_KEY}) does not let CloudTrail use it: add a key policy statement allowing the service principal cloudtrail.amazonaws.com kms:GenerateDataKey* (and kms:DescribeKey), or unset {ENV_TRAIL_KMS_KEY} to let hubfix create {TRAIL_KEY_ALIAS}"
        )));
    }
    Ok(arn)
}

/// Creates `alias/hubfix-cloudtrail`: a symmetric key with CloudTrail's key policy,
/// tagged `hubfix:created`, rotated yearly.
async fn create_trail_key(fix: Fix<'_>) -> Result<(), FixError> {
    let kms = &fix.clients.kms;
    let t = fix.target;
    let tag = aws_sdk_kms::types::Tag::builder()
        .tag_key(CREATED_BY_TAG)
        .tag_value("true")
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    let created = kms
        .create_key()
        .description("CloudTrail log file encryption (created by hubfix)")
        .policy(cloudtrail_key_policy(&t.partition, &t.account).to_string())
        .tags(tag)
        .send()
        .await
        .map_err(err("kms:CreateKey", TRAIL_KEY_ALIAS, &[]))?;
    let id = created
        .key_metadata()
        .map(|m| m.key_id().to_owned())
        .ok_or_else(|| FixError::Target("kms:CreateKey answered no key".into()))?;
    kms.create_alias()
        .alias_name(TRAIL_KEY_ALIAS)
        .target_key_id(&id)
        .send()
        .await
        .map_err(err("kms:CreateAlias", TRAIL_KEY_ALIAS, &[]))?;
    kms.enable_key_rotation()
        .key_id(&id)
        .send()
        .await
        .map_err(err("kms:EnableKeyRotation", TRAIL_KEY_ALIAS, NO_KEY))?;
    Ok(())
}

// ------------------------------------------------------------------ CloudTrail.4

/// `CloudTrail.4`: log file validation on.
#[derive(Debug)]
pub struct LogFileValidation;

/// The before-state of `CloudTrail.4`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationBefore {
    /// Whether validation was on.
    pub enabled: bool,
}

impl Remediation for LogFileValidation {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        trail_arn(resource_id, account).map(|t| t.name)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (trail, tags) = finding_trail(fix, with_tags).await?;
            let mut changes = Vec::new();
            if !trail.log_validation {
                changeable_here(fix, &trail)?;
                changes.push(Change::new(
                    format!("turned on log file validation of trail {}", trail.name),
                    &(),
                ));
            }
            Ok(Inspection {
                tags,
                plan: plan(
                    format!("trail {}", trail.name),
                    &ValidationBefore {
                        enabled: trail.log_validation,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            update_trail(fix, &fix.target.resource_id, |u| {
                u.enable_log_file_validation(true)
            })
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
            let ValidationBefore { enabled } = before.recorded()?;
            if enabled || changes.is_empty() {
                return Ok(Vec::new());
            }
            update_trail(fix, &fix.target.resource_id, |u| {
                u.enable_log_file_validation(false)
            })
            .await?;
            Ok(vec![format!(
                "turned log file validation of trail {} off again (the digest files delivered stay)",
                fix.target.name
            )])
        })
    }
}

// ------------------------------------------------------------------ CloudTrail.5

/// `CloudTrail.5`: the trail delivers to CloudWatch Logs: to the configured log group
/// (`HUBFIX_TRAIL_LOG_GROUP`, created when missing, a year's retention) with the
/// configured role, else `hubfix-cloudtrail-logs` (created when missing, assumable
/// only by CloudTrail, allowed only to write to that log group).
#[derive(Debug)]
pub struct CloudWatchDelivery;

/// The before-state of `CloudTrail.5`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryBefore {
    /// The log group the trail delivered to.
    pub log_group_arn: Option<String>,
    /// The role it delivered with.
    pub role_arn: Option<String>,
}

/// One step of `CloudTrail.5`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryChange {
    /// Create the log group.
    CreateLogGroup {
        /// Its name.
        name: String,
    },
    /// Create the delivery role `hubfix-cloudtrail-logs`.
    CreateRole {
        /// The log group it may write to.
        log_group: String,
    },
    /// Deliver the trail's events to the log group with the role.
    Deliver {
        /// The log group's ARN (`...:log-group:<name>:*`).
        log_group_arn: String,
        /// The role's ARN.
        role_arn: String,
    },
}

impl Remediation for CloudWatchDelivery {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        trail_arn(resource_id, account).map(|t| t.name)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (trail, tags) = finding_trail(fix, with_tags).await?;
            let mut changes = Vec::new();
            if trail.log_group_arn.is_none() {
                changeable_here(fix, &trail)?;
                changes = delivery_plan(fix, &trail).await?;
            }
            Ok(Inspection {
                tags,
                plan: plan(
                    format!("trail {}", trail.name),
                    &DeliveryBefore {
                        log_group_arn: trail.log_group_arn,
                        role_arn: trail.logs_role_arn,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let t = fix.target;
            match change.detail::<DeliveryChange>()? {
                DeliveryChange::CreateLogGroup { name } => {
                    let resource = format!("log group {name}");
                    match fix
                        .clients
                        .logs
                        .create_log_group()
                        .log_group_name(&name)
                        .tags(CREATED_BY_TAG, "true")
                        .send()
                        .await
                    {
                        Ok(_) => {}
                        Err(e) if service_code(&e) == Some("ResourceAlreadyExistsException") => {}
                        Err(e) => {
                            return Err(FixError::from_sdk(
                                "logs:CreateLogGroup",
                                &resource,
                                &[],
                                e,
                            ))
                        }
                    }
                    fix.clients
                        .logs
                        .put_retention_policy()
                        .log_group_name(&name)
                        .retention_in_days(LOG_RETENTION_DAYS)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(err("logs:PutRetentionPolicy", &resource, NO_LOG_GROUP))
                }
                DeliveryChange::CreateRole { log_group } => {
                    let iam = &fix.clients.iam;
                    let tag = aws_sdk_iam::types::Tag::builder()
                        .key(CREATED_BY_TAG)
                        .value("true")
                        .build()
                        .map_err(|e| FixError::Target(e.to_string()))?;
                    iam.create_role()
                        .role_name(LOGS_ROLE_NAME)
                        .description("CloudTrail delivery to CloudWatch Logs (created by hubfix)")
                        .assume_role_policy_document(logs_role_trust_policy(&t.account).to_string())
                        .tags(tag)
                        .send()
                        .await
                        .map_err(err("iam:CreateRole", LOGS_ROLE_NAME, &[]))?;
                    iam.put_role_policy()
                        .role_name(LOGS_ROLE_NAME)
                        .policy_name(LOGS_ROLE_NAME)
                        .policy_document(
                            logs_role_policy(&t.partition, &t.account, &log_group).to_string(),
                        )
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(err("iam:PutRolePolicy", LOGS_ROLE_NAME, NO_ROLE))
                }
                DeliveryChange::Deliver {
                    log_group_arn,
                    role_arn,
                } => deliver(fix, &log_group_arn, &role_arn).await,
            }
        })
    }

    /// Stops the delivery; deletes the role hubfix created, and the log group it
    /// created while it holds no log stream (a log group with events is kept, as
    /// [`FixError::Irreversible`]).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let before: DeliveryBefore = before.recorded()?;
            let applied: Vec<DeliveryChange> = changes
                .iter()
                .map(Change::detail)
                .collect::<Result<_, _>>()?;
            let mut steps = Vec::new();
            let mut kept = Vec::new();
            for change in applied.iter().rev() {
                match change {
                    DeliveryChange::Deliver { log_group_arn, .. } => {
                        let group = before.log_group_arn.clone().unwrap_or_default();
                        let role = before.role_arn.clone().unwrap_or_default();
                        update_trail(fix, &fix.target.resource_id, |u| {
                            u.cloud_watch_logs_log_group_arn(group)
                                .cloud_watch_logs_role_arn(role)
                        })
                        .await?;
                        steps.push(format!(
                            "stopped the delivery of trail {} to {log_group_arn}",
                            fix.target.name
                        ));
                    }
                    DeliveryChange::CreateRole { .. } => match delete_logs_role(fix).await? {
                        None => steps.push(format!(
                            "deleted the role {LOGS_ROLE_NAME}, which hubfix created"
                        )),
                        Some(why) => kept.push(why),
                    },
                    DeliveryChange::CreateLogGroup { name } => {
                        match delete_log_group(fix, name).await? {
                            None => steps.push(format!(
                                "deleted the log group {name}, which hubfix created (it held no log stream)"
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
                    steps.join("; "),
                    kept.join(" and ")
                )))
            }
        })
    }
}

/// The changes that make a trail deliver to CloudWatch Logs.
async fn delivery_plan(fix: Fix<'_>, trail: &TrailState) -> Result<Vec<Change>, FixError> {
    let t = fix.target;
    let group = fix.settings.catalogue.trail_log_group.clone();
    let mut changes = Vec::new();
    if !log_group_exists(fix, &group).await? {
        changes.push(Change::new(
            format!("created the log group {group} ({LOG_RETENTION_DAYS} days' retention)"),
            &DeliveryChange::CreateLogGroup {
                name: group.clone(),
            },
        ));
    }
    let role_arn = match &fix.settings.catalogue.trail_logs_role_arn {
        Some(role) => {
            let name = role.rsplit('/').next().unwrap_or_default();
            if !role_exists(fix, name).await? {
                return Err(FixError::Unconfigured(format!(
                    "{ENV_TRAIL_LOGS_ROLE_ARN} names the role {role}, which does not exist; create it (assumable by cloudtrail.amazonaws.com, allowed logs:CreateLogStream and logs:PutLogEvents) or unset {ENV_TRAIL_LOGS_ROLE_ARN} to let hubfix create {LOGS_ROLE_NAME}"
                )));
            }
            role.clone()
        }
        None => {
            if !role_exists(fix, LOGS_ROLE_NAME).await? {
                changes.push(Change::new(
                    format!("created the role {LOGS_ROLE_NAME}, which only CloudTrail can assume, allowed to write to {group}"),
                    &DeliveryChange::CreateRole {
                        log_group: group.clone(),
                    },
                ));
            }
            format!(
                "arn:{}:iam::{}:role/{LOGS_ROLE_NAME}",
                t.partition, t.account
            )
        }
    };
    let log_group_arn = format!(
        "arn:{}:logs:{}:{}:log-group:{group}:*",
        t.partition, t.region, t.account
    );
    changes.push(Change::new(
        format!(
            "made trail {} deliver its events to the log group {group} with {role_arn}",
            trail.name
        ),
        &DeliveryChange::Deliver {
            log_group_arn,
            role_arn,
        },
    ));
    Ok(changes)
}

/// `UpdateTrail` with the log group and role, retried while a role created a moment
/// ago is not yet assumable (IAM is eventually consistent).
async fn deliver(fix: Fix<'_>, log_group_arn: &str, role_arn: &str) -> Result<(), FixError> {
    let arn = &fix.target.resource_id;
    let mut attempt = 0;
    loop {
        let result = fix
            .clients
            .cloudtrail
            .update_trail()
            .name(arn)
            .cloud_watch_logs_log_group_arn(log_group_arn)
            .cloud_watch_logs_role_arn(role_arn)
            .send()
            .await;
        match result {
            Ok(_) => return Ok(()),
            Err(e)
                if attempt < 5
                    && service_code(&e) == Some("InvalidCloudWatchLogsRoleArnException") =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => {
                return Err(FixError::from_sdk(
                    "cloudtrail:UpdateTrail",
                    &format!("trail {arn}"),
                    NO_TRAIL,
                    e,
                ))
            }
        }
    }
}

async fn log_group_exists(fix: Fix<'_>, name: &str) -> Result<bool, FixError> {
    let out = fix
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(err(
            "logs:DescribeLogGroups",
            &format!("log group {name}"),
            &[],
        ))?;
    Ok(out
        .log_groups()
        .iter()
        .any(|g| g.log_group_name() == Some(name)))
}

async fn role_exists(fix: Fix<'_>, name: &str) -> Result<bool, FixError> {
    match fix.clients.iam.get_role().role_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(FixError::from_sdk(
            "iam:GetRole",
            &format!("role {name}"),
            &[],
            e,
        )),
    }
}

/// Deletes `hubfix-cloudtrail-logs` when it carries hubfix's tag; `Some(why)` when kept.
async fn delete_logs_role(fix: Fix<'_>) -> Result<Option<String>, FixError> {
    let iam = &fix.clients.iam;
    let tags = iam
        .list_role_tags()
        .role_name(LOGS_ROLE_NAME)
        .send()
        .await
        .map_err(err("iam:ListRoleTags", LOGS_ROLE_NAME, NO_ROLE))?;
    if !created_by_hubfix(tags.tags().iter().map(|t| (t.key(), t.value()))) {
        return Ok(Some(format!(
            "the role {LOGS_ROLE_NAME}, which lacks the tag {CREATED_BY_TAG}"
        )));
    }
    match iam
        .delete_role_policy()
        .role_name(LOGS_ROLE_NAME)
        .policy_name(LOGS_ROLE_NAME)
        .send()
        .await
    {
        Ok(_) => {}
        Err(e) if service_code(&e) == Some("NoSuchEntity") => {}
        Err(e) => {
            return Err(FixError::from_sdk(
                "iam:DeleteRolePolicy",
                LOGS_ROLE_NAME,
                &[],
                e,
            ))
        }
    }
    iam.delete_role()
        .role_name(LOGS_ROLE_NAME)
        .send()
        .await
        .map_err(err("iam:DeleteRole", LOGS_ROLE_NAME, NO_ROLE))?;
    Ok(None)
}

/// Deletes a log group hubfix created while it has no stream; `Some(why)` when kept.
async fn delete_log_group(fix: Fix<'_>, name: &str) -> Result<Option<String>, FixError> {
    let logs = &fix.clients.logs;
    let resource = format!("log group {name}");
    let t = fix.target;
    let arn = format!(
        "arn:{}:logs:{}:{}:log-group:{name}",
        t.partition, t.region, t.account
    );
    let tags = logs
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .map_err(err("logs:ListTagsForResource", &resource, NO_LOG_GROUP))?;
    let tagged = tags.tags().is_some_and(|t| t.contains_key(CREATED_BY_TAG));
    if !tagged {
        return Ok(Some(format!(
            "the log group {name}, which lacks the tag {CREATED_BY_TAG}"
        )));
    }
    let streams = logs
        .describe_log_streams()
        .log_group_name(name)
        .limit(1)
        .send()
        .await
        .map_err(err("logs:DescribeLogStreams", &resource, NO_LOG_GROUP))?;
    if !streams.log_streams().is_empty() {
        return Ok(Some(format!(
            "the log group {name}, which hubfix created: it holds the trail's events"
        )));
    }
    logs.delete_log_group()
        .log_group_name(name)
        .send()
        .await
        .map_err(err("logs:DeleteLogGroup", &resource, NO_LOG_GROUP))?;
    Ok(None)
}

// ------------------------------------------------------------- CloudTrail.6 / 7

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

fn bucket_target(target: &Target, bucket: &str) -> Target {
    Target {
        resource_id: format!("arn:{}:s3:::{bucket}", target.partition),
        name: bucket.to_owned(),
        ..target.clone()
    }
}

impl Remediation for TrailBucket {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        super::s3::block_public_access::bucket_name(resource_id)
    }

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
            let target = bucket_target(
                fix.target,
                &super::s3::block_public_access::bucket_name(&c.bucket)?,
            );
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
            let bucket = super::s3::block_public_access::bucket_name(&recorded.bucket)?;
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

// ------------------------------------------------------------- CIS 3.10 / 3.11

/// CIS 1.4.0 3.10 (`CIS.3.10`) and 3.11 (`CIS.3.11`): a multi-region trail logs S3
/// object-level write (read) events of every bucket. Adds one event selector to the
/// region's multi-region trail, keeping every selector the trail has.
#[derive(Debug)]
pub struct S3DataEvents(pub S3Access);

/// A multi-region trail and whether it logs the S3 events the check wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailDataEvents {
    /// The trail's ARN.
    pub arn: String,
    /// Whether it logs the S3 object-level events of every bucket.
    pub logs_s3_events: bool,
}

/// The before-state: the multi-region trails, sorted by ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataEventsBefore {
    /// The trails.
    pub trails: Vec<TrailDataEvents>,
}

/// The change: one selector added to one trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataEventsChange {
    /// The trail's ARN.
    pub trail: String,
    /// The selector added.
    pub added: AddedSelector,
}

impl Remediation for S3DataEvents {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        super::account_resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let access = self.0;
            let partition = &fix.target.partition;
            let mut read = Vec::new();
            for t in all_trails(fix)
                .await?
                .into_iter()
                .filter(|t| t.multi_region)
            {
                let s = selectors(fix, &t.arn).await?;
                read.push((t, s));
            }
            let trails: Vec<TrailDataEvents> = read
                .iter()
                .map(|(t, s)| TrailDataEvents {
                    arn: t.arn.clone(),
                    logs_s3_events: s.logs_s3_data_events(access, partition),
                })
                .collect();
            let mut changes = Vec::new();
            if !trails.iter().any(|t| t.logs_s3_events) {
                let (state, current) = data_events_trail(fix, &read).await?;
                let added = current
                    .selector_for(access, partition)
                    .map_err(FixError::Manual)?;
                changes.push(Change::new(
                    format!(
                        "added an event selector of S3 object-level {} events of every bucket to trail {}, keeping its {} selector(s)",
                        access.word(),
                        state.name,
                        current.basic.len() + current.advanced.len()
                    ),
                    &DataEventsChange {
                        trail: state.arn.clone(),
                        added,
                    },
                ));
            }
            Ok(Inspection {
                tags: None,
                plan: plan(
                    format!(
                        "CloudTrail data events of account {} in {}",
                        fix.target.name, fix.target.region
                    ),
                    &DataEventsBefore { trails },
                    changes,
                ),
            })
        })
    }

    /// Reads the trail's selectors again and puts them back with the one added, so
    /// that a selector the user added since the plan is kept too.
    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let c: DataEventsChange = change.detail()?;
            let current = selectors(fix, &c.trail).await?;
            if current.logs_s3_data_events(self.0, &fix.target.partition) {
                return Ok(());
            }
            put_selectors(fix, &c.trail, &current.with(&c.added)).await
        })
    }

    /// Removes the selector hubfix added; every other selector stays as it is now.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let _: DataEventsBefore = before.recorded()?;
            let mut steps = Vec::new();
            for change in changes {
                let c: DataEventsChange = change.detail()?;
                let current = selectors(fix, &c.trail).await?;
                match current.without(&c.added) {
                    Some(rest) => {
                        put_selectors(fix, &c.trail, &rest).await?;
                        steps.push(format!(
                            "removed the S3 {} data event selector hubfix added to trail {}",
                            self.0.word(),
                            c.trail
                        ));
                    }
                    None => steps.push(format!(
                        "the S3 {} data event selector hubfix added to trail {} is gone already",
                        self.0.word(),
                        c.trail
                    )),
                }
            }
            Ok(steps)
        })
    }
}

/// The trail a data-events fix goes on: a multi-region trail of this region, logging
/// ones first.
async fn data_events_trail<'t>(
    fix: Fix<'_>,
    read: &'t [(TrailState, Selectors)],
) -> Result<&'t (TrailState, Selectors), FixError> {
    let mut candidates = Vec::new();
    for entry in read {
        if entry.0.home_region == fix.target.region {
            candidates.push((!is_logging(fix, &entry.0.arn).await?, entry));
        }
    }
    candidates.sort_by(|a, b| (a.0, &a.1 .0.arn).cmp(&(b.0, &b.1 .0.arn)));
    if let Some((_, entry)) = candidates.into_iter().next() {
        return Ok(entry);
    }
    match read.first() {
        Some((other, _)) => Err(FixError::Target(format!(
            "the multi-region trail {} can only be changed in its home region {}; hubfix fixes it from that region's finding",
            other.name, other.home_region
        ))),
        None => Err(FixError::Unconfigured(
            "the account has no multi-region trail to log S3 data events with; fix CloudTrail.1 first (hubfix creates one)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::cloudtrail::model::bucket_policy_allows_cloudtrail;

    #[test]
    fn names_hubfix_creates_are_valid() {
        let bucket = trail_bucket_name("123456789012", "ap-southeast-2");
        assert!(
            crate::remediate::s3::block_public_access::bucket_name(&bucket).is_ok(),
            "{bucket}"
        );
        assert!(crate::remediate::cloudtrail::model::is_trail_name(
            TRAIL_NAME
        ));
        assert!(crate::catalogue_settings::is_log_group_name(
            crate::catalogue_settings::DEFAULT_TRAIL_LOG_GROUP
        ));
    }

    #[test]
    fn trail_resources_resolve_to_the_trail_name() {
        let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org";
        assert_eq!(
            LogFileValidation
                .resource_name(arn, "123456789012")
                .unwrap(),
            "org"
        );
        assert!(TrailEncryption.resource_name(arn, "999999999999").is_err());
    }

    #[test]
    fn bucket_targets_keep_the_account_and_region() {
        let t = Target {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
            resource_id: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/t1".into(),
            name: "t1".into(),
            candidates: 1,
        };
        let b = bucket_target(&t, "logs");
        assert_eq!(b.name, "logs");
        assert_eq!(b.resource_id, "arn:aws:s3:::logs");
        assert_eq!(b.region, "eu-west-1");
    }

    #[test]
    fn the_trail_bucket_policy_passes_hubfixs_own_check() {
        let p = trail_bucket_policy(
            "aws",
            "123456789012",
            &trail_bucket_name("123456789012", "us-east-1"),
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/hubfix-trail",
        );
        assert!(bucket_policy_allows_cloudtrail(&p));
    }
}
