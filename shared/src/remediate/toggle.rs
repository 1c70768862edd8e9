//! Rules that turn one setting of a resource on or off (deletion protection,
//! point-in-time recovery, scan on push, ...): one remediation, [`SingleSetting`], for
//! all of them, so that they plan, record, apply and undo the same way; each family
//! says only how its setting is read and written ([`Setting`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

/// One on/off setting of one kind of resource, as a single-setting rule reads and
/// writes it.
pub trait Setting: fmt::Debug + Send + Sync {
    /// The setting as the API names it (`DeletionProtection`); the before-state
    /// records it, so that an undo restores only the setting it is about.
    fn name(&self) -> &'static str;

    /// What an undo's line calls the setting; its API name unless a family says
    /// otherwise.
    fn label(&self) -> &'static str {
        self.name()
    }

    /// The value the control wants: on, unless a family says otherwise.
    fn wanted(&self) -> bool {
        true
    }

    /// Reads the resource: the setting, the resource's tags when `with_tags`, and the
    /// words a note uses for the resource and the change. Refuses (with a
    /// [`FixError::Manual`] note) a resource whose setting is not its own to change.
    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState>;

    /// Sets the setting to `enabled`.
    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()>;
}

/// A setting as read, with the words a note uses.
#[derive(Debug)]
pub struct SettingState {
    /// The resource's tags, `None` when not asked for.
    pub tags: Option<Vec<(String, String)>>,
    /// How a note names the resource (`table orders`).
    pub resource: String,
    /// Whether the setting is on.
    pub enabled: bool,
    /// What setting it to the wanted value does, for the note.
    pub change: String,
}

/// The remediation of every single-setting rule: inspect reads the setting and plans
/// one change when it is not as wanted, apply writes the planned value, undo writes
/// the recorded one back.
#[derive(Debug)]
pub struct SingleSetting<S>(pub S);

impl<S: Setting> Remediation for SingleSetting<S> {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let state = self.0.read(fix, with_tags).await?;
            Ok(Inspection {
                tags: state.tags,
                plan: toggle_plan(
                    state.resource,
                    self.0.name(),
                    state.enabled,
                    self.0.wanted(),
                    state.change,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { self.0.write(fix, change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let enabled = recorded_setting(before, self.0.name())?;
            self.0.write(fix, enabled).await?;
            Ok(vec![undo_line(self.0.label(), &before.resource, enabled)])
        })
    }
}

/// The before-state: the setting and whether it was on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingBefore {
    /// The setting, as the API names it (e.g. `DeletionProtection`).
    pub setting: String,
    /// Whether it was on.
    pub enabled: bool,
}

/// The plan for a setting that should be `want`: one change (its record is the value to
/// set) when it is not.
pub(crate) fn toggle_plan(
    resource: String,
    setting: &str,
    enabled: bool,
    want: bool,
    description: impl Into<String>,
) -> Plan {
    let changes = if enabled == want {
        Vec::new()
    } else {
        vec![Change::new(description, &want)]
    };
    Plan {
        before: BeforeState::new(
            resource,
            &SettingBefore {
                setting: setting.to_owned(),
                enabled,
            },
        ),
        changes,
    }
}

/// The value a setting had before the fix, from a before-state `toggle_plan` recorded.
pub(crate) fn recorded_setting(before: &BeforeState, setting: &str) -> Result<bool, FixError> {
    let recorded: SettingBefore = before.recorded()?;
    if recorded.setting == setting {
        Ok(recorded.enabled)
    } else {
        Err(FixError::Target(format!(
            "the recorded before-state of {} is about {}, not {setting}",
            before.resource, recorded.setting
        )))
    }
}

/// The line an undo of a setting reports.
pub(crate) fn undo_line(setting: &str, resource: &str, enabled: bool) -> String {
    let state = if enabled { "on" } else { "off" };
    format!("turned {setting} of {resource} {state} again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_that_is_as_wanted_needs_no_change() {
        let plan = toggle_plan("table t".into(), "PointInTimeRecovery", true, true, "x");
        assert!(plan.is_compliant());
        let plan = toggle_plan("table t".into(), "PointInTimeRecovery", false, true, "on");
        assert!(plan.changes[0].detail::<bool>().unwrap());
        assert!(!recorded_setting(&plan.before, "PointInTimeRecovery").unwrap());
        assert!(recorded_setting(&plan.before, "DeletionProtection")
            .unwrap_err()
            .to_string()
            .contains("is about PointInTimeRecovery"));
        assert_eq!(
            undo_line("PointInTimeRecovery", "table t", false),
            "turned PointInTimeRecovery of table t off again"
        );
    }
}
