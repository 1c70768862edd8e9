//! Bucket configuration fixes: public read/write (`S3.2`, `S3.3`: Block Public Access
//! and public ACL grants removed), server access logging (`S3.9`), default encryption
//! (`S3.4`, `S3.17`), a lifecycle rule (`S3.13`) and versioning (`S3.14`).

use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, AccessControlPolicy, BucketLifecycleConfiguration,
    BucketLoggingStatus, BucketVersioningStatus, ExpirationStatus, Grant, Grantee, LifecycleRule,
    LifecycleRuleFilter, LoggingEnabled, NoncurrentVersionExpiration, Permission,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, Type, VersioningConfiguration,
};
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::remediate::s3::block_public_access::{
    bucket_name, bucket_tags, inspect_bucket, NO_SUCH_BUCKET,
};
use crate::remediate::{BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation};

/// Grantee URIs that make an ACL grant public.
pub const PUBLIC_GRANTEES: &[&str] = &[
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];
/// Id of the lifecycle rule hubfix adds for `S3.13`.
pub const LIFECYCLE_RULE_ID: &str = "hubfix-default";

fn resource(fix: &Fix<'_>) -> String {
    format!("bucket {}", fix.target.name)
}

fn sdk_err<E, R>(
    operation: &'static str,
    fix: &Fix<'_>,
) -> impl FnOnce(aws_smithy_runtime_api::client::result::SdkError<E, R>) -> FixError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let resource = resource(fix);
    move |e| FixError::from_sdk(operation, &resource, NO_SUCH_BUCKET, e)
}

fn plan_of<T: Serialize>(fix: &Fix<'_>, before: &T, changes: Vec<Change>) -> Plan {
    Plan {
        before: BeforeState::new(resource(fix), before),
        changes,
    }
}

// ------------------------------------------------------------------ S3.2 / S3.3

/// `S3.2`, `S3.3`: no public read or write access. Block Public Access on, and the
/// public ACL grants removed (Block Public Access alone leaves them in place).
#[derive(Debug)]
pub struct BlockPublicReadWrite;

/// A public ACL grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicGrant {
    /// The group URI.
    pub grantee: String,
    /// READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL.
    pub permission: String,
}

/// The changes `BlockPublicReadWrite` makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PublicAccessChange {
    /// Turn on the Block Public Access settings that are off.
    BlockPublicAccess,
    /// Remove the public grants from the bucket ACL.
    RemovePublicGrants {
        /// The grants removed.
        grants: Vec<PublicGrant>,
    },
}

/// The before-state: the Block Public Access configuration and the public grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBefore {
    /// Block Public Access as it was.
    pub block: Option<crate::remediate::s3::block_public_access::PublicAccessBlock>,
    /// The public grants the ACL had.
    pub public_grants: Vec<PublicGrant>,
}

fn public_grants(
    acl: &aws_sdk_s3::operation::get_bucket_acl::GetBucketAclOutput,
) -> Vec<PublicGrant> {
    acl.grants()
        .iter()
        .filter_map(|g| {
            let grantee = g.grantee()?;
            let uri = grantee.uri().filter(|u| PUBLIC_GRANTEES.contains(u))?;
            Some(PublicGrant {
                grantee: uri.to_owned(),
                permission: g
                    .permission()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// e.g. `READ to AllUsers, WRITE to AllUsers`.
fn describe_grants(grants: &[PublicGrant]) -> String {
    grants
        .iter()
        .map(|g| {
            format!(
                "{} to {}",
                g.permission,
                g.grantee.rsplit('/').next().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The recorded public grants that the ACL `current` lacks, as SDK grants.
fn missing_grants(current: &[Grant], recorded: &[PublicGrant]) -> Result<Vec<Grant>, FixError> {
    let present = |g: &PublicGrant| {
        current.iter().any(|c| {
            c.grantee().and_then(|e| e.uri()) == Some(g.grantee.as_str())
                && c.permission().map(|p| p.as_str()) == Some(g.permission.as_str())
        })
    };
    recorded
        .iter()
        .filter(|g| !present(g))
        .map(|g| {
            let grantee = Grantee::builder()
                .r#type(Type::Group)
                .uri(&g.grantee)
                .build()
                .map_err(|e| FixError::Target(e.to_string()))?;
            Ok(Grant::builder()
                .grantee(grantee)
                .permission(Permission::from(g.permission.as_str()))
                .build())
        })
        .collect()
}

/// Adds the recorded public grants back to the bucket ACL, keeping every other grant.
async fn put_back_grants(fix: &Fix<'_>, grants: &[PublicGrant]) -> Result<String, FixError> {
    let s3 = &fix.clients.s3;
    let acl = s3
        .get_bucket_acl()
        .bucket(&fix.target.name)
        .send()
        .await
        .map_err(sdk_err("s3:GetBucketAcl", fix))?;
    let mut all = acl.grants().to_vec();
    all.extend(missing_grants(acl.grants(), grants)?);
    let policy = AccessControlPolicy::builder()
        .set_grants(Some(all))
        .set_owner(acl.owner().cloned())
        .build();
    s3.put_bucket_acl()
        .bucket(&fix.target.name)
        .access_control_policy(policy)
        .send()
        .await
        .map_err(sdk_err("s3:PutBucketAcl", fix))?;
    Ok(format!(
        "put back the public ACL grants {} of {}",
        describe_grants(grants),
        resource(fix)
    ))
}

impl Remediation for BlockPublicReadWrite {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        bucket_name(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let (block, acl) = tokio::join!(
                inspect_bucket(s3, &fix.target.name, with_tags),
                s3.get_bucket_acl().bucket(&fix.target.name).send()
            );
            let block = block?;
            let grants = public_grants(&acl.map_err(sdk_err("s3:GetBucketAcl", &fix))?);
            let mut changes: Vec<Change> = block
                .plan
                .changes
                .iter()
                .map(|c| {
                    Change::new(
                        c.description.clone(),
                        &PublicAccessChange::BlockPublicAccess,
                    )
                })
                .collect();
            if !grants.is_empty() {
                changes.push(Change::new(
                    format!("removed public ACL grants {}", describe_grants(&grants)),
                    &PublicAccessChange::RemovePublicGrants {
                        grants: grants.clone(),
                    },
                ));
            }
            let before = PublicAccessBefore {
                block: block
                    .plan
                    .before
                    .state_as::<crate::remediate::s3::block_public_access::BlockBefore>()
                    .and_then(|b| b.config),
                public_grants: grants,
            };
            Ok(Inspection {
                tags: block.tags,
                plan: plan_of(&fix, &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            match change.detail::<PublicAccessChange>()? {
                PublicAccessChange::BlockPublicAccess => {
                    crate::remediate::s3::block_public_access::block_bucket_public_access(
                        s3, bucket,
                    )
                    .await
                }
                PublicAccessChange::RemovePublicGrants { .. } => {
                    let acl = s3
                        .get_bucket_acl()
                        .bucket(bucket)
                        .send()
                        .await
                        .map_err(sdk_err("s3:GetBucketAcl", &fix))?;
                    let kept: Vec<_> = acl
                        .grants()
                        .iter()
                        .filter(|g| {
                            !g.grantee()
                                .and_then(|e| e.uri())
                                .is_some_and(|u| PUBLIC_GRANTEES.contains(&u))
                        })
                        .cloned()
                        .collect();
                    let policy = AccessControlPolicy::builder()
                        .set_grants(Some(kept))
                        .set_owner(acl.owner().cloned())
                        .build();
                    s3.put_bucket_acl()
                        .bucket(bucket)
                        .access_control_policy(policy)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(sdk_err("s3:PutBucketAcl", &fix))
                }
            }
        })
    }

    /// Puts the public ACL grants back (with `BlockPublicAcls` off for that moment, as
    /// S3 refuses public grants otherwise), then the recorded Block Public Access.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let before: PublicAccessBefore = before.recorded()?;
            let mut blocked = false;
            let mut grants = Vec::new();
            for change in changes {
                match change.detail::<PublicAccessChange>()? {
                    PublicAccessChange::BlockPublicAccess => blocked = true,
                    PublicAccessChange::RemovePublicGrants { grants: removed } => {
                        grants.extend(removed)
                    }
                }
            }
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            let mut steps = Vec::new();
            if !grants.is_empty() {
                crate::remediate::s3::block_public_access::allow_public_acls(
                    s3,
                    bucket,
                    before.block,
                )
                .await?;
                steps.push(put_back_grants(&fix, &grants).await?);
            }
            if blocked || !grants.is_empty() {
                steps.extend(
                    crate::remediate::s3::block_public_access::restore_bucket_block(
                        s3,
                        bucket,
                        before.block,
                    )
                    .await?,
                );
            }
            Ok(steps)
        })
    }
}

// ------------------------------------------------------------------------ S3.9

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
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        bucket_name(resource_id)
    }

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

// -------------------------------------------------------------- S3.4 / S3.17

/// `S3.4` (any default encryption) and `S3.17` (with KMS keys).
#[derive(Debug)]
pub struct DefaultEncryption {
    /// Whether only SSE-KMS satisfies the control (`S3.17`).
    pub require_kms: bool,
}

/// A default encryption setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// The KMS key, when one is named.
    pub kms_key: Option<String>,
}

/// The before-state: the default encryption, `None` when there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionBefore {
    /// The setting before the fix.
    pub encryption: Option<Encryption>,
    /// Whether an S3 Bucket Key was on (recorded only when it was).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bucket_key: bool,
}

impl Encryption {
    /// e.g. `AES256 with S3-managed keys`, `aws:kms with alias/logs`.
    fn describe(&self) -> String {
        let key = self
            .kms_key
            .as_deref()
            .unwrap_or(if self.algorithm == "AES256" {
                "S3-managed keys"
            } else {
                "the AWS-managed key aws/s3"
            });
        format!("{} with {key}", self.algorithm)
    }
}

/// Sets a bucket's default encryption; `bucket_key` turns an S3 Bucket Key on.
async fn put_encryption(
    fix: &Fix<'_>,
    encryption: &Encryption,
    bucket_key: bool,
) -> Result<(), FixError> {
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(encryption.algorithm.as_str()))
        .set_kms_master_key_id(encryption.kms_key.clone())
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(default)
        .set_bucket_key_enabled(bucket_key.then_some(true))
        .build();
    let config = ServerSideEncryptionConfiguration::builder()
        .rules(rule)
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    fix.clients
        .s3
        .put_bucket_encryption()
        .bucket(&fix.target.name)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .map(|_| ())
        .map_err(sdk_err("s3:PutEncryptionConfiguration", fix))
}

impl DefaultEncryption {
    /// Whether a setting satisfies the control.
    pub fn satisfied_by(&self, e: &Encryption) -> bool {
        let kms = e.algorithm.starts_with("aws:kms");
        kms || (!self.require_kms && e.algorithm == "AES256")
    }

    /// The setting the fix applies: the configured KMS key if any; else SSE-S3 for
    /// `S3.4`, or the AWS-managed `aws/s3` key for `S3.17`.
    pub fn wanted(&self, kms_key: Option<&str>) -> Encryption {
        match (kms_key, self.require_kms) {
            (Some(key), _) => Encryption {
                algorithm: "aws:kms".into(),
                kms_key: Some(key.to_owned()),
            },
            (None, true) => Encryption {
                algorithm: "aws:kms".into(),
                kms_key: None,
            },
            (None, false) => Encryption {
                algorithm: "AES256".into(),
                kms_key: None,
            },
        }
    }
}

impl Remediation for DefaultEncryption {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        bucket_name(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            let (tags, encryption) = tokio::join!(
                bucket_tags(s3, bucket, with_tags),
                s3.get_bucket_encryption().bucket(bucket).send()
            );
            let rule = match encryption {
                Ok(out) => out
                    .server_side_encryption_configuration()
                    .and_then(|c| c.rules().first())
                    .cloned(),
                Err(e)
                    if service_code(&e)
                        == Some("ServerSideEncryptionConfigurationNotFoundError") =>
                {
                    None
                }
                Err(e) => return Err(sdk_err("s3:GetEncryptionConfiguration", &fix)(e)),
            };
            let tags = tags?;
            let current = rule
                .as_ref()
                .and_then(|r| r.apply_server_side_encryption_by_default())
                .map(|d| Encryption {
                    algorithm: d.sse_algorithm().as_str().to_owned(),
                    kms_key: d.kms_master_key_id().map(str::to_owned),
                });
            let compliant = current.as_ref().is_some_and(|e| self.satisfied_by(e));
            let before = EncryptionBefore {
                encryption: current,
                bucket_key: rule.and_then(|r| r.bucket_key_enabled()).unwrap_or(false),
            };
            let changes = if compliant {
                Vec::new()
            } else {
                let wanted = self.wanted(fix.settings.s3_kms_key.as_deref());
                vec![Change::new(
                    format!("set default encryption to {}", wanted.describe()),
                    &wanted,
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
            let wanted: Encryption = change.detail()?;
            let bucket_key = wanted.algorithm.starts_with("aws:kms");
            put_encryption(&fix, &wanted, bucket_key).await
        })
    }

    /// Puts the recorded default encryption back (with its Bucket Key setting), or
    /// removes the configuration when there was none. Objects written meanwhile keep
    /// the encryption they were written with.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let EncryptionBefore {
                encryption,
                bucket_key,
            } = before.recorded()?;
            let Some(encryption) = encryption else {
                fix.clients
                    .s3
                    .delete_bucket_encryption()
                    .bucket(&fix.target.name)
                    .send()
                    .await
                    .map_err(sdk_err("s3:PutEncryptionConfiguration", &fix))?;
                return Ok(vec![format!(
                    "removed the default encryption of {}, which had none (objects written meanwhile stay encrypted)",
                    resource(&fix)
                )]);
            };
            put_encryption(&fix, &encryption, bucket_key).await?;
            Ok(vec![format!(
                "set the default encryption of {} back to {}",
                resource(&fix),
                encryption.describe()
            )])
        })
    }
}

// ----------------------------------------------------------------------- S3.13

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
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        bucket_name(resource_id)
    }

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

// ----------------------------------------------------------------------- S3.14

/// `S3.14`: versioning enabled.
#[derive(Debug)]
pub struct Versioning;

/// The before-state: the versioning status (`None`: never enabled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersioningBefore {
    /// `Suspended`, or `None`.
    pub status: Option<String>,
}

impl Remediation for Versioning {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        bucket_name(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            let (tags, versioning) = tokio::join!(
                bucket_tags(s3, bucket, with_tags),
                s3.get_bucket_versioning().bucket(bucket).send()
            );
            let tags = tags?;
            let status = versioning
                .map_err(sdk_err("s3:GetBucketVersioning", &fix))?
                .status()
                .map(|s| s.as_str().to_owned());
            let changes = if status.as_deref() == Some("Enabled") {
                Vec::new()
            } else {
                vec![Change::new("enabled versioning", &())]
            };
            Ok(Inspection {
                tags,
                plan: plan_of(&fix, &VersioningBefore { status }, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            fix.clients
                .s3
                .put_bucket_versioning()
                .bucket(&fix.target.name)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(BucketVersioningStatus::Enabled)
                        .build(),
                )
                .send()
                .await
                .map(|_| ())
                .map_err(sdk_err("s3:PutBucketVersioning", &fix))
        })
    }

    /// Suspends versioning again. A bucket that was never versioned cannot become so
    /// again (S3 has no way back from Enabled but Suspended): versioning is suspended,
    /// which behaves as before for new objects, and the undo reports it as
    /// [`FixError::Irreversible`].
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let VersioningBefore { status } = before.recorded()?;
            fix.clients
                .s3
                .put_bucket_versioning()
                .bucket(&fix.target.name)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(BucketVersioningStatus::Suspended)
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_err("s3:PutBucketVersioning", &fix))?;
            versioning_undone(&resource(&fix), status.as_deref())
        })
    }
}

/// The outcome of suspending versioning again, given the status before the fix.
fn versioning_undone(resource: &str, before: Option<&str>) -> Result<Vec<String>, FixError> {
    match before {
        Some("Suspended") => Ok(vec![format!("suspended versioning of {resource} again")]),
        _ => Err(FixError::Irreversible(format!(
            "hubfix suspended versioning of {resource}, but S3 cannot make a bucket that has had versioning enabled unversioned again: it stays Suspended (new objects get one null version, as before), and the object versions kept meanwhile stay until deleted"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(algorithm: &str) -> Encryption {
        Encryption {
            algorithm: algorithm.into(),
            kms_key: None,
        }
    }

    #[test]
    fn s3_4_accepts_any_default_encryption_s3_17_only_kms() {
        let s3_4 = DefaultEncryption { require_kms: false };
        let s3_17 = DefaultEncryption { require_kms: true };
        assert!(s3_4.satisfied_by(&enc("AES256")));
        assert!(s3_4.satisfied_by(&enc("aws:kms")));
        assert!(!s3_17.satisfied_by(&enc("AES256")));
        assert!(s3_17.satisfied_by(&enc("aws:kms:dsse")));
    }

    #[test]
    fn wanted_encryption_prefers_the_configured_key() {
        let s3_4 = DefaultEncryption { require_kms: false };
        let s3_17 = DefaultEncryption { require_kms: true };
        assert_eq!(s3_4.wanted(None), enc("AES256"));
        assert_eq!(s3_17.wanted(None), enc("aws:kms"));
        assert_eq!(
            s3_4.wanted(Some("alias/logs")).kms_key.as_deref(),
            Some("alias/logs")
        );
    }

    #[test]
    fn only_missing_public_grants_are_put_back() {
        let read = PublicGrant {
            grantee: PUBLIC_GRANTEES[0].into(),
            permission: "READ".into(),
        };
        let write = PublicGrant {
            permission: "WRITE".into(),
            ..read.clone()
        };
        let current = missing_grants(&[], std::slice::from_ref(&read)).unwrap();
        assert_eq!(current.len(), 1);
        assert_eq!(
            current[0].grantee().and_then(|g| g.uri()),
            Some(PUBLIC_GRANTEES[0])
        );
        let again = missing_grants(&current, &[read.clone(), write]).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].permission().map(|p| p.as_str()), Some("WRITE"));
        assert_eq!(describe_grants(&[read]), "READ to AllUsers");
    }

    #[test]
    fn versioning_cannot_go_back_to_never_enabled() {
        assert_eq!(
            versioning_undone("bucket b", Some("Suspended")).unwrap(),
            ["suspended versioning of bucket b again"]
        );
        let err = versioning_undone("bucket b", None).unwrap_err();
        assert!(matches!(err, FixError::Irreversible(_)));
        assert!(err.to_string().contains("stays Suspended"), "{err}");
    }

    #[test]
    fn changes_of_public_access_round_trip() {
        let c = Change::new(
            "x",
            &PublicAccessChange::RemovePublicGrants {
                grants: vec![PublicGrant {
                    grantee: PUBLIC_GRANTEES[0].into(),
                    permission: "READ".into(),
                }],
            },
        );
        assert!(matches!(
            c.detail::<PublicAccessChange>().unwrap(),
            PublicAccessChange::RemovePublicGrants { .. }
        ));
    }
}
