//! CloudTrail.4.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "CloudTrail.4",
    title: "CloudTrail log file validation should be enabled",
    resource_type: "AwsCloudTrailTrail",
    fix: "Turns on log file validation of the trail.",
    iam_actions: &[
        "cloudtrail:GetTrail",
        "cloudtrail:ListTags",
        "cloudtrail:UpdateTrail",
    ],
    impact: Impact::Safe,
    remediation: &LogFileValidation,
}];

/// `CloudTrail.4`: log file validation on.
#[derive(Debug)]
pub struct LogFileValidation;

/// The before-state of `CloudTrail.4`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationBefore {
    /// Whether validation was on.
    pub enabled: bool,
}

impl Remediation for LogFileValidation {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (trail, tags) = finding_trail(fix, with_tags).await?;
            let mut changes = Vec::new();
            if !trail.log_validation {
                changeable_here(fix, &trail)?;
                changes.push(Change::new(
                    format!("turned on log file validation of trail {}", trail.name),
                    &(),
                ));
            }
            Ok(Inspection {
                tags,
                plan: plan(
                    format!("trail {}", trail.name),
                    &ValidationBefore {
                        enabled: trail.log_validation,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            update_trail(fix, &fix.target.resource_id, |u| {
                u.enable_log_file_validation(true)
            })
            .await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let ValidationBefore { enabled } = before.recorded()?;
            if enabled || changes.is_empty() {
                return Ok(Vec::new());
            }
            update_trail(fix, &fix.target.resource_id, |u| {
                u.enable_log_file_validation(false)
            })
            .await?;
            Ok(vec![format!(
                "turned log file validation of trail {} off again (the digest files delivered stay)",
                fix.target.name
            )])
        })
    }
}
