//! S3.13.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "S3.13",
        title: "S3 general purpose buckets should have Lifecycle configurations",
        resource_type: "AwsS3Bucket",
        fix: "Adds a lifecycle rule that touches no current object: noncurrent versions expire and incomplete multipart uploads are aborted after configurable days.",
        iam_actions: &[
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:GetBucketTagging",
        ],
        impact: Impact::Disruptive,
        remediation: &Lifecycle,
    },
];

/// `S3.13`: at least one enabled lifecycle rule. hubfix adds one that touches no current
/// object: noncurrent versions expire, incomplete multipart uploads are aborted.
#[derive(Debug)]
pub struct Lifecycle;

/// The before-state: the ids of the rules the bucket had (all disabled, or none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleBefore {
    /// The rule ids.
    pub rule_ids: Vec<String>,
}

/// The rule hubfix adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleAddition {
    /// Noncurrent versions expire after these days.
    pub noncurrent_days: i32,
    /// Incomplete multipart uploads are aborted after these days.
    pub abort_multipart_days: i32,
}

impl Remediation for Lifecycle {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            let (tags, rules) =
                tokio::join!(bucket_tags(s3, bucket, with_tags), lifecycle_rules(&fix));
            let (tags, rules) = (tags?, rules?);
            let before = LifecycleBefore {
                rule_ids: rules
                    .iter()
                    .filter_map(|r| r.id().map(str::to_owned))
                    .collect(),
            };
            let changes = if rules
                .iter()
                .any(|r| r.status() == &ExpirationStatus::Enabled)
            {
                Vec::new()
            } else {
                let addition = LifecycleAddition {
                    noncurrent_days: fix.settings.s3_noncurrent_version_days,
                    abort_multipart_days: fix.settings.s3_abort_multipart_days,
                };
                vec![Change::new(
                    format!(
                        "added lifecycle rule {LIFECYCLE_RULE_ID} (noncurrent versions expire after {} days, incomplete multipart uploads aborted after {} days)",
                        addition.noncurrent_days, addition.abort_multipart_days
                    ),
                    &addition,
                )]
            };
            Ok(Inspection {
                tags,
                plan: plan_of(&fix, &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let addition: LifecycleAddition = change.detail()?;
            let mut rules = others_than_hubfix(lifecycle_rules(&fix).await?);
            rules.push(hubfix_rule(&addition, ExpirationStatus::Enabled)?);
            put_lifecycle(&fix, rules).await
        })
    }

    /// Removes hubfix's rule and keeps every other one; a bucket left without rules has
    /// its lifecycle configuration deleted, as before the fix. When the bucket had a
    /// disabled `hubfix-default` rule (from an earlier fix, turned off), the fix replaced
    /// it: the undo puts it back disabled, in its place.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let LifecycleBefore { rule_ids } = before.recorded()?;
            let Some(change) = changes.first() else {
                return Ok(Vec::new());
            };
            let addition: LifecycleAddition = change.detail()?;
            let mut rules = others_than_hubfix(lifecycle_rules(&fix).await?);
            let mut step = format!(
                "removed lifecycle rule {LIFECYCLE_RULE_ID} from {}",
                resource(&fix)
            );
            if let Some(at) = rule_ids.iter().position(|id| id == LIFECYCLE_RULE_ID) {
                let earlier = hubfix_rule(&addition, ExpirationStatus::Disabled)?;
                rules.insert(at.min(rules.len()), earlier);
                step = format!(
                    "disabled lifecycle rule {LIFECYCLE_RULE_ID} of {} again, as it was",
                    resource(&fix)
                );
            }
            if !rules.is_empty() {
                put_lifecycle(&fix, rules).await?;
                return Ok(vec![step]);
            }
            fix.clients
                .s3
                .delete_bucket_lifecycle()
                .bucket(&fix.target.name)
                .send()
                .await
                .map_err(sdk_err("s3:PutLifecycleConfiguration", &fix))?;
            Ok(vec![format!(
                "{step}; it has no lifecycle configuration again"
            )])
        })
    }
}

/// The rules that are not hubfix's.
fn others_than_hubfix(rules: Vec<LifecycleRule>) -> Vec<LifecycleRule> {
    rules
        .into_iter()
        .filter(|r| r.id() != Some(LIFECYCLE_RULE_ID))
        .collect()
}

/// hubfix's lifecycle rule: noncurrent versions expire, incomplete uploads are aborted.
fn hubfix_rule(
    addition: &LifecycleAddition,
    status: ExpirationStatus,
) -> Result<LifecycleRule, FixError> {
    LifecycleRule::builder()
        .id(LIFECYCLE_RULE_ID)
        .status(status)
        .filter(LifecycleRuleFilter::builder().prefix("").build())
        .noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .noncurrent_days(addition.noncurrent_days)
                .build(),
        )
        .abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(addition.abort_multipart_days)
                .build(),
        )
        .build()
        .map_err(|e| FixError::Target(e.to_string()))
}

/// Replaces the bucket's lifecycle rules.
async fn put_lifecycle(fix: &Fix<'_>, rules: Vec<LifecycleRule>) -> Result<(), FixError> {
    let config = BucketLifecycleConfiguration::builder()
        .set_rules(Some(rules))
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    fix.clients
        .s3
        .put_bucket_lifecycle_configuration()
        .bucket(&fix.target.name)
        .lifecycle_configuration(config)
        .send()
        .await
        .map(|_| ())
        .map_err(sdk_err("s3:PutLifecycleConfiguration", fix))
}

async fn lifecycle_rules(fix: &Fix<'_>) -> Result<Vec<LifecycleRule>, FixError> {
    match fix
        .clients
        .s3
        .get_bucket_lifecycle_configuration()
        .bucket(&fix.target.name)
        .send()
        .await
    {
        Ok(out) => Ok(out.rules().to_vec()),
        Err(e) if service_code(&e) == Some("NoSuchLifecycleConfiguration") => Ok(Vec::new()),
        Err(e) => Err(sdk_err("s3:GetLifecycleConfiguration", fix)(e)),
    }
}
