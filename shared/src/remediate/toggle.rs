//! Rules that turn one setting of a resource on or off (deletion protection,
//! point-in-time recovery, scan on push, ...): one plan, one before-state and one undo
//! decision for all of them, so that they record and restore the same way.

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;

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
