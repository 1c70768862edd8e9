//! Macie.1: Amazon Macie is enabled in the account's Region.
//!
//! A Region where Macie was never enabled (or was disabled) is enabled with
//! `EnableMacie`; a paused Macie is resumed with `UpdateMacieSession`. Macie bills for
//! the buckets it monitors and the data it inspects, so the rule is approval-only. Undo
//! puts the Region back as it was: paused again, or disabled (which deletes the
//! Macie data and configuration gathered since the fix).

use aws_sdk_macie2::types::MacieStatus;
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "Macie.1",
    title: "Amazon Macie should be enabled",
    resource_type: "AwsAccount",
    fix: "Enables Amazon Macie in the finding's Region, or resumes it when paused (Macie bills for the buckets it monitors). Undo pauses it again, or disables it, which deletes the Macie data gathered since.",
    iam_actions: &[
        "macie2:GetMacieSession",
        "macie2:EnableMacie",
        "macie2:UpdateMacieSession",
        "macie2:DisableMacie",
        "iam:CreateServiceLinkedRole",
    ],
    impact: Impact::Disruptive,
    remediation: &MacieSession,
}];

/// `Macie.1`: Macie on in the Region.
#[derive(Debug)]
pub struct MacieSession;

/// Macie in one Region, as read and recorded as the before-state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MacieState {
    /// Never enabled, or disabled.
    NotEnabled,
    /// Enabled and paused: no jobs, no monitoring.
    Paused,
    /// Enabled.
    Enabled,
}

impl MacieState {
    fn words(self) -> &'static str {
        match self {
            MacieState::NotEnabled => "not enabled",
            MacieState::Paused => "paused",
            MacieState::Enabled => "enabled",
        }
    }
}

/// The plan: Macie enabled, unless it is. A change records the state it starts from.
pub fn macie_plan(account: &str, region: &str, state: MacieState) -> Plan {
    let changes = match state {
        MacieState::Enabled => Vec::new(),
        MacieState::NotEnabled => vec![Change::new(
            format!("enabled Amazon Macie in {region}"),
            &state,
        )],
        MacieState::Paused => vec![Change::new(
            format!("resumed Amazon Macie in {region} (it was paused)"),
            &state,
        )],
    };
    Plan {
        before: BeforeState::new(
            format!("Amazon Macie in account {account}, {region}"),
            &state,
        ),
        changes,
    }
}

/// Whether an error of `GetMacieSession` means that Macie is not enabled: Macie
/// answers so with `AccessDeniedException` ("Macie is not enabled") or, for an account
/// it has never seen, `ResourceNotFoundException`.
fn means_not_enabled(code: Option<&str>, message: Option<&str>) -> bool {
    match code {
        Some("ResourceNotFoundException") => true,
        Some("AccessDeniedException") => {
            message.is_some_and(|m| m.to_ascii_lowercase().contains("not enabled"))
        }
        _ => false,
    }
}

fn account_words(fix: Fix<'_>) -> String {
    format!("account {}", fix.target.name)
}

async fn read(fix: Fix<'_>) -> Result<MacieState, FixError> {
    use aws_sdk_macie2::error::ProvideErrorMetadata;
    match fix.clients.macie2.get_macie_session().send().await {
        Ok(out) => Ok(match out.status() {
            Some(MacieStatus::Enabled) => MacieState::Enabled,
            Some(MacieStatus::Paused) => MacieState::Paused,
            _ => MacieState::NotEnabled,
        }),
        Err(e) if means_not_enabled(service_code(&e), e.message()) => Ok(MacieState::NotEnabled),
        Err(e) => Err(FixError::from_sdk(
            "macie2:GetMacieSession",
            &account_words(fix),
            &[],
            e,
        )),
    }
}

/// Moves Macie from `from` to `to`.
async fn set(fix: Fix<'_>, from: MacieState, to: MacieState) -> Result<(), FixError> {
    let macie = &fix.clients.macie2;
    let resource = account_words(fix);
    let status = |s: MacieState| {
        if s == MacieState::Paused {
            MacieStatus::Paused
        } else {
            MacieStatus::Enabled
        }
    };
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (MacieState::NotEnabled, _) => macie
            .enable_macie()
            .status(status(to))
            .send()
            .await
            .map(drop)
            .map_err(|e| FixError::from_sdk("macie2:EnableMacie", &resource, &[], e)),
        (_, MacieState::NotEnabled) => macie
            .disable_macie()
            .send()
            .await
            .map(drop)
            .map_err(|e| FixError::from_sdk("macie2:DisableMacie", &resource, &[], e)),
        _ => macie
            .update_macie_session()
            .status(status(to))
            .send()
            .await
            .map(drop)
            .map_err(|e| FixError::from_sdk("macie2:UpdateMacieSession", &resource, &[], e)),
    }
}

impl Remediation for MacieSession {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let state = read(fix).await?;
            Ok(Inspection {
                tags: None,
                plan: macie_plan(&fix.target.name, &fix.target.region, state),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set(fix, change.detail()?, MacieState::Enabled).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: MacieState = before.recorded()?;
            let now = read(fix).await?;
            set(fix, now, recorded).await?;
            let line = match recorded {
                MacieState::NotEnabled => format!(
                    "disabled {} again (Macie deleted its findings and configuration of the Region)",
                    before.resource
                ),
                other => format!("put {} back to {}", before.resource, other.words()),
            };
            Ok(vec![line])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macie_is_enabled_or_resumed_and_the_former_state_recorded() {
        let plan = macie_plan("111122223333", "eu-west-1", MacieState::Paused);
        assert_eq!(
            plan.changes[0].description,
            "resumed Amazon Macie in eu-west-1 (it was paused)"
        );
        assert_eq!(
            plan.before.recorded::<MacieState>().unwrap(),
            MacieState::Paused
        );
        let plan = macie_plan("111122223333", "eu-west-1", MacieState::NotEnabled);
        assert_eq!(
            plan.changes[0].description,
            "enabled Amazon Macie in eu-west-1"
        );
        assert!(macie_plan("1", "r", MacieState::Enabled).changes.is_empty());
    }

    #[test]
    fn only_macie_s_own_answers_mean_not_enabled() {
        assert!(means_not_enabled(Some("ResourceNotFoundException"), None));
        assert!(means_not_enabled(
            Some("AccessDeniedException"),
            Some("Macie is not enabled.")
        ));
        assert!(!means_not_enabled(
            Some("AccessDeniedException"),
            Some("User is not authorized to perform: macie2:GetMacieSession")
        ));
        assert!(!means_not_enabled(Some("ThrottlingException"), None));
        assert!(!means_not_enabled(None, None));
    }
}
