//! EC2.7.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "EC2.7",
    title: "EBS default encryption should be enabled",
    resource_type: "AwsAccount",
    fix: "Turns on EBS encryption by default in the region.",
    iam_actions: &[
        "ec2:GetEbsEncryptionByDefault",
        "ec2:EnableEbsEncryptionByDefault",
        "ec2:DisableEbsEncryptionByDefault",
    ],
    impact: Impact::Safe,
    remediation: &EbsEncryptionByDefault,
}];

/// `EC2.7`: EBS encryption by default, in the region.
#[derive(Debug)]
pub struct EbsEncryptionByDefault;

/// The before-state: whether it was on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EbsEncryptionBefore {
    /// Encryption by default before the fix.
    pub enabled: bool,
}

impl Remediation for EbsEncryptionByDefault {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let out = fix
                .clients
                .ec2
                .get_ebs_encryption_by_default()
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("ec2:GetEbsEncryptionByDefault", "account", &[], e)
                })?;
            let enabled = out.ebs_encryption_by_default().unwrap_or(false);
            let changes = if enabled {
                Vec::new()
            } else {
                vec![Change::new(
                    format!(
                        "turned on EBS encryption by default in {}",
                        fix.target.region
                    ),
                    &(),
                )]
            };
            Ok(Inspection {
                tags: None,
                plan: plan(
                    format!("account {}", fix.target.name),
                    &EbsEncryptionBefore { enabled },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            fix.clients
                .ec2
                .enable_ebs_encryption_by_default()
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk("ec2:EnableEbsEncryptionByDefault", "account", &[], e)
                })
        })
    }

    /// Turns EBS encryption by default off again (hubfix only turns it on when it is
    /// off); volumes created meanwhile stay encrypted.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let EbsEncryptionBefore { enabled } = before.recorded()?;
            if enabled {
                return Ok(Vec::new());
            }
            fix.clients
                .ec2
                .disable_ebs_encryption_by_default()
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("ec2:DisableEbsEncryptionByDefault", "account", &[], e)
                })?;
            Ok(vec![format!(
                "turned off EBS encryption by default in {} again (volumes created meanwhile stay encrypted)",
                fix.target.region
            )])
        })
    }
}
