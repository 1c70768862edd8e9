//! KMS: automatic rotation of customer managed keys (`KMS.4`).

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::ids::Arn;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

use super::{describe_key, key_tags, NO_SUCH_KEY};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "KMS.4",
        title: "AWS KMS key rotation should be enabled",
        resource_type: "AwsKmsKey",
        fix: "Turns on automatic yearly rotation of the symmetric customer managed key (old key material stays usable for decryption).",
        iam_actions: &[
            "kms:DescribeKey",
            "kms:ListResourceTags",
            "kms:GetKeyRotationStatus",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
        ],
        impact: Impact::Safe,
        remediation: &KeyRotation,
    },
];

/// `KMS.4`: turns on automatic rotation of a symmetric customer managed key.
#[derive(Debug)]
pub struct KeyRotation;

/// The before-state: whether rotation was on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationBefore {
    /// Automatic rotation was enabled.
    pub rotation_enabled: bool,
}

/// The key id of an `AwsKmsKey` resource (`arn:aws:kms:<region>:<account>:key/<id>` or a
/// bare key id).
pub fn key_id(resource_id: &str, account: &str) -> Result<String, FixError> {
    let id = match Arn::parse(resource_id) {
        Some(arn) if arn.service == "kms" && arn.account == account => {
            arn.resource.strip_prefix("key/").unwrap_or("")
        }
        Some(_) => "",
        None => resource_id,
    };
    let body = id.strip_prefix("mrk-").unwrap_or(id);
    let valid = (32..=36).contains(&body.len())
        && body.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        && !body.starts_with('-');
    if valid {
        Ok(id.to_owned())
    } else {
        Err(FixError::Target(format!(
            "`{resource_id}` is not a KMS key ARN of account {account} hubfix can act on"
        )))
    }
}

impl Remediation for KeyRotation {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let kms = &fix.clients.kms;
            let key = &fix.target.name;
            let resource = format!("KMS key {key}");
            let meta = describe_key(kms, key, &resource).await?;
            let manager = meta.key_manager().map(|m| m.as_str()).unwrap_or("CUSTOMER");
            let spec = meta
                .key_spec()
                .map(|s| s.as_str())
                .unwrap_or("SYMMETRIC_DEFAULT");
            if manager != "CUSTOMER" {
                return Err(FixError::Manual(format!(
                    "{resource} is managed by AWS, which rotates it; KMS.4 applies only to customer managed keys"
                )));
            }
            if spec != "SYMMETRIC_DEFAULT" {
                return Err(FixError::Manual(format!(
                    "{resource} is a {spec} key, which KMS cannot rotate automatically; rotate it by hand (create a new key and move its alias)"
                )));
            }
            let tags = if with_tags {
                Some(key_tags(kms, key, &resource).await?)
            } else {
                None
            };
            let rotation_enabled = rotation_enabled(kms, key, &resource).await?;
            let changes = if rotation_enabled {
                Vec::new()
            } else {
                vec![Change::new("enabled automatic key rotation", &())]
            };
            Ok(Inspection {
                tags,
                plan: Plan {
                    before: BeforeState::new(resource, &RotationBefore { rotation_enabled }),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let key = &fix.target.name;
            fix.clients
                .kms
                .enable_key_rotation()
                .key_id(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk(
                        "kms:EnableKeyRotation",
                        &format!("KMS key {key}"),
                        NO_SUCH_KEY,
                        e,
                    )
                })
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let RotationBefore { rotation_enabled } = before.recorded()?;
            if rotation_enabled || changes.is_empty() {
                return Ok(Vec::new());
            }
            let key = &fix.target.name;
            let resource = format!("KMS key {key}");
            fix.clients
                .kms
                .disable_key_rotation()
                .key_id(key)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("kms:DisableKeyRotation", &resource, NO_SUCH_KEY, e)
                })?;
            Ok(vec![format!(
                "turned automatic rotation of {resource} off again"
            )])
        })
    }
}

async fn rotation_enabled(
    kms: &aws_sdk_kms::Client,
    key: &str,
    resource: &str,
) -> Result<bool, FixError> {
    kms.get_key_rotation_status()
        .key_id(key)
        .send()
        .await
        .map(|o| o.key_rotation_enabled())
        .map_err(|e| FixError::from_sdk("kms:GetKeyRotationStatus", resource, NO_SUCH_KEY, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_from_arns() {
        let acct = "123456789012";
        assert_eq!(
            key_id(
                "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                acct
            )
            .unwrap(),
            "1234abcd-12ab-34cd-56ef-1234567890ab"
        );
        assert_eq!(
            key_id("mrk-1234abcd12ab34cd56ef1234567890ab", acct).unwrap(),
            "mrk-1234abcd12ab34cd56ef1234567890ab"
        );
        for bad in [
            "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:123456789012:alias/x",
            "1234; rm -rf /",
            "",
        ] {
            assert!(key_id(bad, acct).is_err(), "{bad}");
        }
    }
}
