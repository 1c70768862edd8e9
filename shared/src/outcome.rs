//! The outcome of one finding: what hubfix did and the note it leaves on the finding.

use serde::{Deserialize, Serialize};

use crate::deferral::Deferral;
use crate::finding::WorkflowStatus;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::model::Target;

/// Longest note text `BatchUpdateFindings` accepts.
pub const MAX_NOTE_CHARS: usize = 512;
/// `Note.UpdatedBy` of every note hubfix writes.
pub const UPDATED_BY: &str = "hubfix";

/// What happened to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The resource was changed and the change verified.
    Remediated,
    /// The resource already satisfied the control; nothing changed.
    AlreadyCompliant,
    /// Dry run: the change that would have been made.
    DryRun,
    /// The policy does not allow the fix (mode, approval, account scope).
    Refused,
    /// The resource carries the exemption tag.
    Exempt,
    /// The fix could not be planned, applied or verified.
    Failed,
    /// The control cannot be fixed safely by API; the note gives the manual steps.
    Manual,
    /// hubfix has no rule for the finding, or the finding is malformed.
    Unsupported,
    /// The invocation ran out of time (or reached its cap of fixes) before this fix could
    /// start; nothing changed. On the automatic path the finding's message goes back to
    /// the queue and nothing is noted.
    NotAttempted,
    /// The automatic path put the fix off on purpose (a blast-radius cap, throttling);
    /// the finding is marked so that hubfix picks it up again by itself.
    Deferred,
    /// Not for hubfix to act on (not NEW, not FAILED, archived, or a duplicate);
    /// logged but not noted, so hubfix's own updates never re-trigger it.
    Ignored,
}

impl OutcomeKind {
    /// The workflow status the finding is given, `None` for ignored findings.
    pub fn workflow(self) -> Option<WorkflowStatus> {
        match self {
            OutcomeKind::Remediated | OutcomeKind::AlreadyCompliant => {
                Some(WorkflowStatus::Resolved)
            }
            OutcomeKind::Ignored => None,
            _ => Some(WorkflowStatus::Notified),
        }
    }

    /// The snake_case name used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Remediated => "remediated",
            OutcomeKind::AlreadyCompliant => "already_compliant",
            OutcomeKind::DryRun => "dry_run",
            OutcomeKind::Refused => "refused",
            OutcomeKind::Exempt => "exempt",
            OutcomeKind::Failed => "failed",
            OutcomeKind::Manual => "manual",
            OutcomeKind::Unsupported => "unsupported",
            OutcomeKind::NotAttempted => "not_attempted",
            OutcomeKind::Deferred => "deferred",
            OutcomeKind::Ignored => "ignored",
        }
    }
}

/// The outcome of one finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The finding's `Id` (empty when the finding had none).
    pub finding_id: String,
    /// The finding's `ProductArn`.
    pub product_arn: Option<String>,
    /// The finding's account.
    pub account: Option<String>,
    /// The finding's region.
    pub region: Option<String>,
    /// The security control, when resolved.
    pub control_id: Option<String>,
    /// The resource acted on.
    pub resource: Option<String>,
    /// What happened.
    pub kind: OutcomeKind,
    /// The note left on the finding (or, for ignored findings, the logged reason).
    pub note: String,
    /// The changes made (or, in a dry run, that would be made).
    pub changes: Vec<String>,
    /// The state before the change, for undo.
    pub before: Option<BeforeState>,
    /// The rule that acted: the control id, or the custom action's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The resource the rule acted on, as resolved from the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The planned changes with the remediation's record of each (what undo needs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<Change>,
    /// The state read back after the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<BeforeState>,
    /// What applying the changes reported (an SSM execution, the forensic snapshots a
    /// containment took): evidence the note may not have room for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<String>,
    /// A deferred outcome's marker (when it is due again, and why).
    #[serde(skip)]
    pub deferral: Option<Deferral>,
    /// The finding's message goes back to the queue, to be tried again; nothing is
    /// noted on the finding (it stays as it was, so nothing is promised that the queue
    /// does not keep).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub requeue: bool,
    /// What hubfix's fix leaves for a person to do before the control passes (`RDS.4`
    /// copies a snapshot encrypted; deleting the original is a person's call). Such a
    /// finding is marked `NOTIFIED`, not `RESOLVED`, so that it stays in view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_for_a_person: Option<String>,
}

impl Outcome {
    /// A new outcome with no control, resource or changes.
    pub fn new(finding_id: impl Into<String>, kind: OutcomeKind, note: impl Into<String>) -> Self {
        Outcome {
            finding_id: finding_id.into(),
            product_arn: None,
            account: None,
            region: None,
            control_id: None,
            resource: None,
            kind,
            note: note.into(),
            changes: Vec::new(),
            reports: Vec::new(),
            before: None,
            rule: None,
            target: None,
            plan: Vec::new(),
            after: None,
            deferral: None,
            requeue: false,
            left_for_a_person: None,
        }
    }

    /// Records a plan: the before-state, and the changes (described, and with the
    /// remediation's record of each, which undo needs).
    pub fn record_plan(&mut self, plan: &Plan) {
        self.before = Some(plan.before.clone());
        self.changes = plan.changes.iter().map(|c| c.description.clone()).collect();
        self.plan = plan.changes.clone();
    }

    /// The workflow status the finding is given: its kind's, except that a fix that
    /// leaves a step for a person keeps the finding `NOTIFIED`.
    pub fn workflow(&self) -> Option<WorkflowStatus> {
        match self.kind.workflow() {
            Some(WorkflowStatus::Resolved) if self.left_for_a_person.is_some() => {
                Some(WorkflowStatus::Notified)
            }
            status => status,
        }
    }

    /// Records what the fix leaves for a person, in the outcome and at the end of its
    /// note; the note's start is cut (marked `…`) if both would not fit the finding's
    /// note, so that the person's step is always read whole.
    pub fn leave_for_a_person(&mut self, step: String) {
        let tail = format!(" Left for a person: {step}");
        let room = MAX_NOTE_CHARS.saturating_sub(tail.chars().count());
        let mut lead: String = self.note.chars().take(room).collect();
        if lead.chars().count() < self.note.chars().count() {
            lead = lead.chars().take(room.saturating_sub(1)).collect();
            lead.push('…');
        }
        self.note = format!("{lead}{tail}");
        self.left_for_a_person = Some(step);
    }

    /// Whether the finding gets a note and workflow update.
    pub fn is_recorded(&self) -> bool {
        self.workflow().is_some()
            && !self.requeue
            && self.product_arn.is_some()
            && !self.finding_id.is_empty()
    }
}

/// Zero-width and bidirectional formatting characters, which can make a note read other
/// than it is (a resource id echoed with a right-to-left override).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Cuts a note to the API's limit on a character boundary, marking the cut.
pub fn fit_note(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !is_invisible_format(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX_NOTE_CHARS {
        return clean;
    }
    let mut cut: String = clean.chars().take(MAX_NOTE_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_fit_the_api_limit_on_char_boundaries() {
        let long = "é".repeat(600);
        let fitted = fit_note(&long);
        assert_eq!(fitted.chars().count(), MAX_NOTE_CHARS);
        assert!(fitted.ends_with('…'));
        assert_eq!(fit_note("short"), "short");
        let exact = "x".repeat(MAX_NOTE_CHARS);
        assert_eq!(fit_note(&exact), exact);
    }

    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(fit_note("a\nb\u{1b}[31mc"), "a b [31mc");
        assert_eq!(fit_note("bucket\u{202E}gpj.exe\u{200B}"), "bucketgpj.exe");
    }

    #[test]
    fn workflow_of_each_kind() {
        assert_eq!(
            OutcomeKind::Remediated.workflow(),
            Some(WorkflowStatus::Resolved)
        );
        assert_eq!(
            OutcomeKind::AlreadyCompliant.workflow(),
            Some(WorkflowStatus::Resolved)
        );
        for k in [
            OutcomeKind::DryRun,
            OutcomeKind::Refused,
            OutcomeKind::Exempt,
            OutcomeKind::Failed,
            OutcomeKind::Manual,
            OutcomeKind::Unsupported,
            OutcomeKind::NotAttempted,
            OutcomeKind::Deferred,
        ] {
            assert_eq!(k.workflow(), Some(WorkflowStatus::Notified), "{k:?}");
        }
        assert_eq!(OutcomeKind::Ignored.workflow(), None);
    }

    #[test]
    fn a_fix_that_leaves_a_step_for_a_person_keeps_the_finding_in_view() {
        let mut o = Outcome::new("f-1", OutcomeKind::Remediated, "hubfix fixed it.");
        assert_eq!(o.workflow(), Some(WorkflowStatus::Resolved));
        o.leave_for_a_person("delete the original.".into());
        assert_eq!(o.workflow(), Some(WorkflowStatus::Notified));
        assert_eq!(
            o.note,
            "hubfix fixed it. Left for a person: delete the original."
        );
        let mut long = Outcome::new("f-3", OutcomeKind::Remediated, "x".repeat(600));
        long.leave_for_a_person("delete the original.".into());
        assert_eq!(long.note.chars().count(), MAX_NOTE_CHARS);
        assert!(long
            .note
            .ends_with("… Left for a person: delete the original."));
        let failed = Outcome {
            left_for_a_person: Some("x".into()),
            ..Outcome::new("f-2", OutcomeKind::Failed, "no")
        };
        assert_eq!(failed.workflow(), Some(WorkflowStatus::Notified));
    }
}
