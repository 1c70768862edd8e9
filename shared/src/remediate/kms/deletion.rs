//! KMS.3: customer managed keys scheduled for deletion.

use std::time::{Duration, SystemTime};

use aws_sdk_kms::types::KeyState;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

use super::{describe_key, key_tags, NO_SUCH_KEY};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "KMS.3",
    title: "AWS KMS keys should not be deleted unintentionally",
    resource_type: "AwsKmsKey",
    fix: "Cancels the key's scheduled deletion; KMS leaves the key disabled, and the note says to enable it where it is still in use. Undo schedules the deletion again for the same day (at least the 7-day minimum from now).",
    iam_actions: &[
        "kms:DescribeKey",
        "kms:ListResourceTags",
        "kms:CancelKeyDeletion",
        "kms:ScheduleKeyDeletion",
    ],
    impact: Impact::Disruptive,
    remediation: &KeyDeletion,
}];

/// KMS's shortest and longest waiting period before a key is deleted, in days.
const PENDING_WINDOW_DAYS: std::ops::RangeInclusive<i32> = 7..=30;

const DAY: u64 = 24 * 60 * 60;

/// `KMS.3`: cancels the scheduled deletion of a customer managed key.
#[derive(Debug)]
pub struct KeyDeletion;

/// The before-state: the key state (`PendingDeletion` for a key scheduled for
/// deletion). The day KMS was to delete the key is the change's record: an undo
/// schedules the deletion again for that day, which KMS may have to move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionBefore {
    /// The key state.
    pub key_state: String,
}

/// The plan: cancel the deletion of a key pending deletion.
pub fn deletion_plan(key: &str, state: &KeyState, deletion_date: Option<i64>) -> Plan {
    let changes = if *state == KeyState::PendingDeletion {
        vec![Change::new(
            format!(
                "cancelled the scheduled deletion of KMS key {key}; KMS leaves it disabled: enable it (aws kms enable-key --key-id {key}) if it is still in use"
            ),
            &deletion_date,
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(
            format!("KMS key {key}"),
            &DeletionBefore {
                key_state: state.as_str().to_owned(),
            },
        ),
        changes,
    }
}

/// The waiting period that deletes a key on `deletion_date` again, as far as KMS's
/// 7 to 30 days allow from `now`.
pub fn pending_window_days(deletion_date: Option<i64>, now: SystemTime) -> i32 {
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    let days = deletion_date
        .map(|date| ((date - now).max(0) as u64).div_ceil(DAY) as i64)
        .unwrap_or(i64::from(*PENDING_WINDOW_DAYS.end()));
    i32::try_from(days)
        .unwrap_or(i32::MAX)
        .clamp(*PENDING_WINDOW_DAYS.start(), *PENDING_WINDOW_DAYS.end())
}

impl Remediation for KeyDeletion {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let kms = &fix.clients.kms;
            let key = &fix.target.name;
            let resource = format!("KMS key {key}");
            let meta = describe_key(kms, key, &resource).await?;
            if meta.key_manager().map(|m| m.as_str()) == Some("AWS") {
                return Err(FixError::Manual(format!(
                    "{resource} is managed by AWS; only customer managed keys can be scheduled for deletion"
                )));
            }
            let tags = if with_tags {
                Some(key_tags(kms, key, &resource).await?)
            } else {
                None
            };
            let state = meta.key_state().cloned().unwrap_or(KeyState::Enabled);
            let deletion_date = meta.deletion_date().map(|d| d.secs());
            Ok(Inspection {
                tags,
                plan: deletion_plan(key, &state, deletion_date),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let key = &fix.target.name;
            fix.clients
                .kms
                .cancel_key_deletion()
                .key_id(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk(
                        "kms:CancelKeyDeletion",
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
            let DeletionBefore { key_state } = before.recorded()?;
            if key_state != KeyState::PendingDeletion.as_str() {
                return Ok(Vec::new());
            }
            let deletion_date: Option<i64> = match changes.first() {
                Some(change) => change.detail()?,
                None => None,
            };
            let now = fix.settings.now.unwrap_or_else(SystemTime::now);
            let days = pending_window_days(deletion_date, now);
            let key = &fix.target.name;
            fix.clients
                .kms
                .schedule_key_deletion()
                .key_id(key)
                .pending_window_in_days(days)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "kms:ScheduleKeyDeletion",
                        &format!("KMS key {key}"),
                        NO_SUCH_KEY,
                        e,
                    )
                })?;
            Ok(vec![format!(
                "scheduled {} for deletion again, in {days} days",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_pending_deletion_are_changed() {
        let plan = deletion_plan("k", &KeyState::PendingDeletion, Some(1_000));
        assert!(plan
            .describe()
            .contains("cancelled the scheduled deletion of KMS key k"));
        assert!(plan.describe().contains("enable-key"));
        assert!(deletion_plan("k", &KeyState::Enabled, None).is_compliant());
        assert!(deletion_plan("k", &KeyState::Disabled, None).is_compliant());
    }

    #[test]
    fn undo_keeps_the_deletion_day_within_kms_limits() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100 * DAY);
        let at = |days: u64| Some((100 * DAY + days * DAY) as i64);
        assert_eq!(pending_window_days(at(20), now), 20);
        assert_eq!(pending_window_days(at(2), now), 7, "at least 7 days");
        assert_eq!(pending_window_days(Some(0), now), 7, "already past");
        assert_eq!(pending_window_days(None, now), 30);
    }
}
