//! `SecretsManager.3`: secrets nobody has read for a while are removed.
//!
//! hubfix schedules the secret's deletion with Secrets Manager's longest recovery
//! window (30 days), never deletes it at once, and never does so by itself: the rule is
//! approval-only whatever the configuration, as it deletes a resource. Within the
//! window `hubfix undo` (RestoreSecret) brings the secret back as it was.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

use super::{describe_secret, secret_tags, NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SecretsManager.3",
    title: "Remove unused Secrets Manager secrets",
    resource_type: "AwsSecretsManagerSecret",
    fix: "Schedules the deletion of a secret not read for HUBFIX_SECRETS_UNUSED_DAYS (default 90, the control's default) with the longest recovery window, 30 days; never at once, never automatic. Undo restores it within the window.",
    iam_actions: &[
        "secretsmanager:DescribeSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:RestoreSecret",
    ],
    impact: Impact::Destructive,
    remediation: &UnusedSecret,
}];

/// `SecretsManager.3`: schedules the deletion of an unused secret.
#[derive(Debug)]
pub struct UnusedSecret;

/// Secrets Manager's longest recovery window, in days.
pub const RECOVERY_WINDOW_DAYS: i64 = 30;

const DAY: u64 = 86_400;

/// The before-state: when the secret was last read (or created, if never), and
/// whether its deletion was already scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedSecretBefore {
    /// The day it was last read, or created when it never was (seconds since the epoch,
    /// as Secrets Manager dates them).
    pub last_used: Option<i64>,
    /// Its deletion was scheduled already.
    pub deletion_scheduled: bool,
}

/// The plan: schedule the deletion of a secret unused for `unused_days` or more.
pub fn unused_secret_plan(
    secret: &str,
    before: UnusedSecretBefore,
    now: SystemTime,
    unused_days: u64,
) -> Plan {
    let idle_days = before.last_used.map(|t| {
        let then = SystemTime::UNIX_EPOCH + Duration::from_secs(t.max(0) as u64);
        now.duration_since(then).unwrap_or_default().as_secs() / DAY
    });
    let changes = match idle_days {
        Some(days) if !before.deletion_scheduled && days >= unused_days => vec![Change::new(
            format!(
                "scheduled the deletion of secret {secret}, unused for {days} days, in {RECOVERY_WINDOW_DAYS} days (the longest recovery window); until then `hubfix undo` or `aws secretsmanager restore-secret --secret-id {secret}` brings it back"
            ),
            &(),
        )],
        _ => Vec::new(),
    };
    Plan {
        before: BeforeState::new(format!("secret {secret}"), &before),
        changes,
    }
}

fn seconds(date: Option<&aws_smithy_types::DateTime>) -> Option<i64> {
    date.map(|d| d.secs())
}

impl Remediation for UnusedSecret {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let out = describe_secret(&fix).await?;
            let before = UnusedSecretBefore {
                last_used: seconds(out.last_accessed_date()).or(seconds(out.created_date())),
                deletion_scheduled: out.deleted_date().is_some(),
            };
            let tags = secret_tags(&out);
            Ok(Inspection {
                tags: Some(tags),
                plan: unused_secret_plan(
                    id,
                    before,
                    fix.settings.now(),
                    fix.settings.secrets_unused_days,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let id = &fix.target.name;
            fix.clients
                .secretsmanager
                .delete_secret()
                .secret_id(id)
                .recovery_window_in_days(RECOVERY_WINDOW_DAYS)
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk(
                        "secretsmanager:DeleteSecret",
                        &format!("secret {id}"),
                        NOT_FOUND,
                        e,
                    )
                })
        })
    }

    /// Restores the secret, which Secrets Manager can do within the recovery window;
    /// after it, the secret is gone for good and the undo says so.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let id = &fix.target.name;
            let restored = fix
                .clients
                .secretsmanager
                .restore_secret()
                .secret_id(id)
                .send()
                .await;
            match restored {
                Ok(_) => Ok(vec![format!("restored secret {id}; its deletion is cancelled")]),
                Err(e) => match FixError::from_sdk(
                    "secretsmanager:RestoreSecret",
                    &format!("secret {id}"),
                    NOT_FOUND,
                    e,
                ) {
                    FixError::NotFound { .. } => Err(FixError::Irreversible(format!(
                        "secret {id} is deleted for good: its {RECOVERY_WINDOW_DAYS}-day recovery window has passed"
                    ))),
                    other => Err(other),
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn plan(idle_days: u64, scheduled: bool) -> Plan {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
        let before = UnusedSecretBefore {
            last_used: Some((NOW - idle_days * DAY) as i64),
            deletion_scheduled: scheduled,
        };
        unused_secret_plan("db-password", before, now, 90)
    }

    #[test]
    fn a_secret_unused_for_the_period_is_scheduled_for_deletion_with_the_longest_window() {
        let text = plan(120, false).describe();
        assert!(text.contains("unused for 120 days, in 30 days"), "{text}");
        assert!(
            text.contains("restore-secret --secret-id db-password"),
            "{text}"
        );
        assert!(!plan(90, false).is_compliant());
        assert!(plan(89, false).is_compliant(), "read within the period");
        assert!(plan(400, true).is_compliant(), "already scheduled");
    }
}
