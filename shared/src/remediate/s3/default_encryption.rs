//! S3.4 / S3.17.

use super::*;
use crate::remediate::{Impact, Rule};

const ENCRYPTION_ACTIONS: &[&str] = &[
    "s3:GetEncryptionConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:GetBucketTagging",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "S3.4",
        title: "S3 general purpose buckets should have server-side encryption enabled",
        resource_type: "AwsS3Bucket",
        fix: "Sets default encryption: the configured KMS key (HUBFIX_S3_KMS_KEY), else SSE-S3.",
        iam_actions: ENCRYPTION_ACTIONS,
        impact: Impact::Safe,
        remediation: &DefaultEncryption { require_kms: false },
    },
    Rule {
        control_id: "S3.17",
        title: "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
        resource_type: "AwsS3Bucket",
        fix: "Sets default encryption to SSE-KMS with the configured key (HUBFIX_S3_KMS_KEY), else the AWS-managed key aws/s3, with an S3 Bucket Key.",
        iam_actions: ENCRYPTION_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &DefaultEncryption { require_kms: true },
    },
];

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
