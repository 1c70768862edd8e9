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
    trail_bucket_policy, AddedSelector, S3Access, Selectors,
};
use crate::error::{service_code, FixError};
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::model::Target;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation, CREATED_BY_TAG};
use crate::settings::catalogue::{ENV_TRAIL_KMS_KEY, ENV_TRAIL_LOGS_ROLE_ARN};

mod cloudwatch_delivery;
mod data_events;
mod encryption;
mod log_bucket;
mod log_file_validation;
mod multi_region;

pub use cloudwatch_delivery::*;
pub use data_events::*;
pub use encryption::*;
pub use log_bucket::*;
pub use log_file_validation::*;
pub use multi_region::*;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    cloudwatch_delivery::RULES,
    data_events::RULES,
    encryption::RULES,
    log_bucket::RULES,
    log_file_validation::RULES,
    multi_region::RULES,
];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::cloudtrail::log_bucket::bucket_target;
    use crate::remediate::cloudtrail::model::bucket_policy_allows_cloudtrail;

    #[test]
    fn names_hubfix_creates_are_valid() {
        let bucket = trail_bucket_name("123456789012", "ap-southeast-2");
        assert!(crate::ids::bucket_name(&bucket).is_ok(), "{bucket}");
        assert!(crate::remediate::cloudtrail::model::is_trail_name(
            TRAIL_NAME
        ));
        assert!(crate::settings::catalogue::is_log_group_name(
            crate::settings::catalogue::DEFAULT_TRAIL_LOG_GROUP
        ));
    }

    #[test]
    fn trail_resources_resolve_to_the_trail_name() {
        let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org";
        let rule = crate::registry::rule("CloudTrail.4").unwrap();
        assert_eq!(rule.resource_name(arn, "123456789012").unwrap(), "org");
        assert!(rule.resource_name(arn, "999999999999").is_err());
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
            finding_id: None,
            principal: None,
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
