//! `SSM.7`: the account blocks public sharing of SSM documents.
//!
//! The block is the Region's service setting
//! `/ssm/documents/console/public-sharing-permission`: `Enable` (the default) lets the
//! account's documents be shared with everyone, `Disable` blocks it. hubfix sets it to
//! `Disable`; a document already shared with everyone is `SSM.4`'s to fix. Undo puts the
//! setting back.

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SSM.7",
    title: "SSM documents should have the block public sharing setting enabled",
    resource_type: "AwsAccount",
    fix: "Turns on the Region's block of public sharing of SSM documents (service setting /ssm/documents/console/public-sharing-permission to Disable); documents already public are SSM.4's. Undo puts the setting back.",
    iam_actions: &["ssm:GetServiceSetting", "ssm:UpdateServiceSetting"],
    impact: Impact::Safe,
    remediation: &BlockPublicSharing,
}];

/// `SSM.7`: blocks public sharing of the account's documents in the Region.
#[derive(Debug)]
pub struct BlockPublicSharing;

/// The service setting that allows or blocks public sharing.
pub const PUBLIC_SHARING_SETTING: &str = "/ssm/documents/console/public-sharing-permission";

/// The setting's value that blocks public sharing.
const BLOCKED: &str = "Disable";

/// The before-state: the setting's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSharingBefore {
    /// `Enable` (public sharing allowed) or `Disable` (blocked).
    pub value: String,
}

/// The plan: block public sharing where it is allowed.
pub fn public_sharing_plan(account: &str, region: &str, before: PublicSharingBefore) -> Plan {
    let changes = if before.value == BLOCKED {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "blocked public sharing of SSM documents in account {account}, {region} (service setting {PUBLIC_SHARING_SETTING} set to {BLOCKED}); documents shared with everyone already are SSM.4's"
            ),
            &(),
        )]
    };
    Plan {
        before: BeforeState::new(format!("account {account} in {region}"), &before),
        changes,
    }
}

async fn setting(fix: &Fix<'_>) -> Result<String, FixError> {
    let out = fix
        .clients
        .ssm
        .get_service_setting()
        .setting_id(PUBLIC_SHARING_SETTING)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ssm:GetServiceSetting", PUBLIC_SHARING_SETTING, &[], e))?;
    Ok(out
        .service_setting()
        .and_then(|s| s.setting_value())
        .unwrap_or("Enable")
        .to_owned())
}

async fn set(fix: &Fix<'_>, value: &str) -> Result<(), FixError> {
    fix.clients
        .ssm
        .update_service_setting()
        .setting_id(PUBLIC_SHARING_SETTING)
        .setting_value(value)
        .send()
        .await
        .map(drop)
        .map_err(|e| FixError::from_sdk("ssm:UpdateServiceSetting", PUBLIC_SHARING_SETTING, &[], e))
}

impl Remediation for BlockPublicSharing {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let before = PublicSharingBefore {
                value: setting(&fix).await?,
            };
            Ok(Inspection {
                tags: None,
                plan: public_sharing_plan(&fix.target.name, &fix.target.region, before),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set(&fix, BLOCKED).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: PublicSharingBefore = before.recorded()?;
            if changes.is_empty() || recorded.value == BLOCKED {
                return Ok(Vec::new());
            }
            set(&fix, &recorded.value).await?;
            Ok(vec![format!(
                "set {PUBLIC_SHARING_SETTING} back to {} in {}",
                recorded.value, fix.target.region
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_sharing_is_blocked_only_where_it_is_allowed() {
        let allowed = PublicSharingBefore {
            value: "Enable".into(),
        };
        let plan = public_sharing_plan("123456789012", "eu-west-1", allowed);
        assert!(plan
            .describe()
            .contains("blocked public sharing of SSM documents"));
        let blocked = PublicSharingBefore {
            value: "Disable".into(),
        };
        assert!(public_sharing_plan("123456789012", "eu-west-1", blocked).is_compliant());
    }
}
