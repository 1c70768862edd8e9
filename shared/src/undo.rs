//! Undo: put a resource back to the before-state hubfix recorded when it fixed it, and
//! check by reading it back that it is so.

use std::time::SystemTime;

use serde::Serialize;

use crate::audit::{AuditRecord, AuditTrail, Stage};
use crate::aws::AwsContext;
use crate::error::FixError;
use crate::finding::WorkflowStatus;
use crate::model::BeforeState;
use crate::model::Change;
use crate::outcome::{fit_note, Outcome, OutcomeKind};
use crate::registry;
use crate::remediate::Fix;
use crate::remediate::Rule;
use crate::securityhub::{self, FindingUpdate};
use crate::settings::FixSettings;

/// Undoes `changes`, which `rule` applied to `fix.target`, then reads the resource back:
/// the undo holds only when `inspect` records the same before-state again. Returns the
/// steps taken.
pub async fn restore(
    rule: &Rule,
    fix: Fix<'_>,
    before: &BeforeState,
    changes: &[Change],
) -> Result<Vec<String>, FixError> {
    let mut steps = rule.remediation.undo(fix, before, changes).await?;
    let now = match rule.remediation.inspect(fix, false).await {
        Ok(now) => now,
        Err(FixError::Unconfigured(why)) => {
            // Reading back needs a setting of the fix (a log bucket, a flow log
            // destination) this caller does not have: the undo stands, unchecked.
            steps.push(format!("not read back: {why}"));
            return Ok(steps);
        }
        Err(e) => return Err(e),
    };
    if now.plan.before.state != before.state {
        return Err(FixError::Verification(format!(
            "after the undo {} reads {}, not the recorded {}",
            before.resource, now.plan.before.state, before.state
        )));
    }
    Ok(steps)
}

/// What `hubfix undo` did for a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Undone {
    /// The finding.
    pub finding_id: String,
    /// The rule whose fix was undone.
    pub rule: String,
    /// The resource put back.
    pub resource: String,
    /// When the fix being undone was recorded.
    pub fixed_at: String,
    /// The steps taken.
    pub steps: Vec<String>,
    /// The note left on the finding.
    pub note: String,
    /// Whether Security Hub accepted the note (`false`: the finding is gone or refused it).
    pub noted: bool,
}

/// Why a fix could not be undone.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    /// No fix of this finding is in the audit trail.
    #[error("the audit trail has no applied fix for finding {0}; nothing to undo")]
    NothingToUndo(String),
    /// The last fix was already undone.
    #[error("hubfix's fix of finding {finding_id} was already undone at {at}")]
    AlreadyUndone {
        /// The finding.
        finding_id: String,
        /// When.
        at: String,
    },
    /// The record cannot be acted on (a rule hubfix no longer has, no target).
    #[error("the audit record of finding {finding_id} cannot be undone: {reason}")]
    Unusable {
        /// The finding.
        finding_id: String,
        /// Why.
        reason: String,
    },
    /// Reading the trail, reaching the account, or the undo itself failed.
    #[error(transparent)]
    Fix(#[from] FixError),
}

/// The audit record of hubfix's latest applied fix of a finding that is not undone yet.
pub async fn last_fix(trail: &AuditTrail, finding_id: &str) -> Result<AuditRecord, UndoError> {
    let mut history = trail.history(finding_id).await?;
    let fixed = history
        .iter()
        .rposition(|r| r.stage == Stage::Decided && r.outcome == Some(OutcomeKind::Remediated))
        .ok_or_else(|| UndoError::NothingToUndo(finding_id.to_owned()))?;
    if let Some(undone) = history[fixed..].iter().find(|r| r.stage == Stage::Undone) {
        return Err(UndoError::AlreadyUndone {
            finding_id: finding_id.to_owned(),
            at: undone.time.clone(),
        });
    }
    Ok(history.swap_remove(fixed))
}

/// Undoes the fix an audit record holds (see [`last_fix`]): puts the resource back,
/// checks it by reading it back, records an `undone` decision and notes the finding
/// (NOTIFIED, so the automatic path leaves it for a person).
pub async fn undo_fix(
    aws: &AwsContext,
    trail: &AuditTrail,
    settings: &FixSettings,
    record: &AuditRecord,
    actor: &str,
) -> Result<Undone, UndoError> {
    let finding_id = record.finding_id.as_str();
    let unusable = |reason: &str| UndoError::Unusable {
        finding_id: finding_id.to_owned(),
        reason: reason.to_owned(),
    };
    let rule_id = record
        .rule
        .as_deref()
        .ok_or_else(|| unusable("it names no rule"))?;
    let rule = crate::registry::runbook_rule(rule_id, &settings.catalogue)
        .or_else(|| registry::find(rule_id))
        .ok_or_else(|| unusable(&format!("hubfix has no rule {rule_id} any more")))?;
    let target = record
        .target
        .as_ref()
        .ok_or_else(|| unusable("it names no resource"))?;
    let before = record
        .before
        .as_ref()
        .ok_or_else(|| unusable("it has no before-state"))?;
    let clients = aws.clients_for(&target.account, &target.region).await?;
    let fix = Fix {
        clients: &clients,
        target,
        settings,
    };
    let (steps, partial) = match restore(rule, fix, before, &record.plan).await {
        Ok(steps) => (steps, None),
        Err(FixError::Irreversible(what)) => (
            vec![format!("partly undone: {what}")],
            Some(FixError::Irreversible(what)),
        ),
        Err(e) => return Err(e.into()),
    };

    let note = fit_note(&format!(
        "hubfix undid its fix of {rule_id} on {} at the request of {actor}: {}. The finding stays open; exempt the resource or set {rule_id} to approval mode so that hubfix does not fix it again.",
        target.resource_id,
        steps.join("; ")
    ));
    let mut outcome = Outcome::new(finding_id, OutcomeKind::Remediated, note.clone());
    outcome.product_arn = record.product_arn.clone();
    outcome.account = record.account.clone();
    outcome.region = record.region.clone();
    outcome.control_id = record.control_id.clone();
    outcome.rule = record.rule.clone();
    outcome.resource = Some(target.resource_id.clone());
    outcome.target = Some(target.clone());
    outcome.plan = record.plan.clone();
    outcome.before = record.after.clone();
    outcome.after = Some(before.clone());
    trail
        .write(&AuditRecord::of(
            &outcome,
            Stage::Undone,
            actor,
            SystemTime::now(),
        ))
        .await?;

    let noted = match &record.product_arn {
        Some(product_arn) => securityhub::record(
            &aws.home().securityhub,
            None,
            &[FindingUpdate {
                id: finding_id.to_owned(),
                product_arn: product_arn.clone(),
                status: WorkflowStatus::Notified,
                note: note.clone(),
                fields: Default::default(),
            }],
        )
        .await
        .is_empty(),
        None => false,
    };
    tracing::info!(finding_id, rule = rule_id, resource = %target.resource_id, steps = %steps.join("; "), noted, "fix undone");
    if let Some(irreversible) = partial {
        return Err(irreversible.into());
    }
    Ok(Undone {
        finding_id: finding_id.to_owned(),
        rule: rule_id.to_owned(),
        resource: target.resource_id.clone(),
        fixed_at: record.time.clone(),
        steps,
        note,
        noted,
    })
}
