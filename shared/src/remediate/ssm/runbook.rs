//! SSM Automation runbooks: a control mapped in configuration (`HUBFIX_RUNBOOKS`) to a
//! document — the organisation's own or an AWS-managed one such as
//! `AWSConfigRemediation-*` — is fixed by starting that document with parameters filled
//! from the finding, waiting for the execution within a bound, and recording its id and
//! result on the finding.
//!
//! A runbook overrides the native rule of its control: when hubfix has one, its read of
//! the resource still plans (nothing to do when compliant), keeps the before-state,
//! verifies after the runbook (the runbook's own success is not taken on trust) and
//! undoes. A control hubfix has no rule for is verified by the execution's result alone,
//! and cannot be undone by hubfix.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::ids::Arn;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::model::Target;
use crate::remediate::Rule;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation, CREATED_BY_TAG};
use crate::settings::catalogue::{CatalogueSettings, RunbookSpec};

/// The resource type of a runbook rule for a control hubfix has no rule for: the
/// finding's first resource, whatever its type.
pub const ANY_RESOURCE: &str = "*";

/// The IAM actions every runbook needs, beside those of the native rule it overrides.
pub const IAM_ACTIONS: &[&str] = &["ssm:StartAutomationExecution", "ssm:GetAutomationExecution"];

/// Longest resource id hubfix passes to a runbook parameter.
const MAX_RESOURCE_ID: usize = 2048;

/// A control fixed by an SSM Automation document.
#[derive(Debug)]
pub struct Runbook {
    control: String,
    spec: RunbookSpec,
    role: Option<String>,
    wait: Duration,
    native: Option<&'static Rule>,
    /// Executions that succeeded for a resource with no native check, taken by the
    /// verification that follows (`apply` then `inspect`).
    succeeded: Mutex<HashMap<String, Execution>>,
}

/// What a runbook plans, applies and records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookRun {
    /// The document.
    pub document: String,
    /// The parameters, filled from the finding.
    pub parameters: Vec<(String, String)>,
    /// What the native rule would have changed (empty without one).
    pub native_changes: Vec<String>,
}

/// One automation execution and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    /// `AutomationExecutionId`.
    pub id: String,
    /// `AutomationExecutionStatus` when hubfix stopped watching.
    pub status: String,
    /// `FailureMessage`, when the execution failed.
    pub failure: Option<String>,
}

/// The before-state of a control with no native check: what was to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookOnlyState {
    /// The document.
    pub document: String,
    /// The execution that ran, once one has.
    pub execution: Option<Execution>,
}

impl Runbook {
    /// The runbook of `control` under `settings` (role and wait bound).
    /// `native` is hubfix's own rule of the control, if it has one: its check verifies the
    /// runbook's work.
    pub fn new(
        control: &str,
        spec: &RunbookSpec,
        settings: &CatalogueSettings,
        native: Option<&'static Rule>,
    ) -> Self {
        Runbook {
            control: control.to_owned(),
            spec: spec.clone(),
            role: settings.runbook_role_arn.clone(),
            wait: settings.runbook_wait,
            native,
            succeeded: Mutex::new(HashMap::new()),
        }
    }

    /// The parameters for a resource: each template filled in, and
    /// `AutomationAssumeRole` added when a role is configured and the mapping does not
    /// name the parameter itself.
    pub fn parameters(&self, target: &Target) -> Result<Vec<(String, String)>, FixError> {
        let mut filled = Vec::with_capacity(self.spec.parameters.len() + 1);
        for (name, template) in &self.spec.parameters {
            filled.push((name.clone(), self.fill(template, target)?));
        }
        if let Some(role) = &self.role {
            if !filled.iter().any(|(n, _)| n == "AutomationAssumeRole") {
                filled.push(("AutomationAssumeRole".to_owned(), role.clone()));
            }
        }
        Ok(filled)
    }

    fn fill(&self, template: &str, target: &Target) -> Result<String, FixError> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').unwrap_or(after.len());
            let value = match &after[..close] {
                "resource_id" => target.resource_id.as_str(),
                "name" => target.name.as_str(),
                "account" => target.account.as_str(),
                "region" => target.region.as_str(),
                "partition" => target.partition.as_str(),
                "role" => self.role.as_deref().ok_or_else(|| {
                    FixError::Unconfigured(format!(
                        "the runbook of {} uses {{role}} but {} is not set",
                        self.control,
                        crate::settings::catalogue::ENV_RUNBOOK_ROLE_ARN
                    ))
                })?,
                other => {
                    return Err(FixError::Unconfigured(format!(
                        "the runbook of {} uses the unknown placeholder {{{other}}}",
                        self.control
                    )))
                }
            };
            out.push_str(value);
            rest = after.get(close + 1..).unwrap_or("");
        }
        out.push_str(rest);
        Ok(out)
    }

    fn key(target: &Target) -> String {
        format!(
            "{}|{}|{}",
            target.account, target.region, target.resource_id
        )
    }

    fn run_change(&self, target: &Target, native: &Plan) -> Result<Change, FixError> {
        let run = RunbookRun {
            document: self.spec.document.clone(),
            parameters: self.parameters(target)?,
            native_changes: native
                .changes
                .iter()
                .map(|c| c.description.clone())
                .collect(),
        };
        let shown = run
            .parameters
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Change::new(
            format!(
                "started SSM Automation runbook {} ({shown})",
                self.spec.document
            ),
            &run,
        ))
    }

    /// Starts the document and waits for its execution to end, within the bound.
    async fn execute(&self, fix: Fix<'_>, run: &RunbookRun) -> Result<Execution, FixError> {
        let ssm = &fix.clients.ssm;
        let mut start = ssm
            .start_automation_execution()
            .document_name(&run.document);
        for (name, value) in &run.parameters {
            start = start.parameters(name, vec![value.clone()]);
        }
        let started = start.send().await.map_err(|e| {
            FixError::from_sdk(
                "ssm:StartAutomationExecution",
                &format!("runbook {}", run.document),
                &["AutomationDefinitionNotFoundException"],
                e,
            )
        })?;
        let id = started
            .automation_execution_id()
            .ok_or_else(|| {
                FixError::Runbook(format!(
                    "SSM started {} but returned no execution id",
                    run.document
                ))
            })?
            .to_owned();
        let deadline = Instant::now() + self.wait;
        let mut pause = Duration::from_millis(250);
        loop {
            let got = ssm
                .get_automation_execution()
                .automation_execution_id(&id)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "ssm:GetAutomationExecution",
                        &format!("runbook execution {id}"),
                        &[],
                        e,
                    )
                })?;
            let execution = got.automation_execution();
            let status = execution
                .and_then(|e| e.automation_execution_status())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| "Unknown".to_owned());
            let failure = execution
                .and_then(|e| e.failure_message())
                .map(|m| crate::finding::quoted(m, 300));
            match status_kind(&status) {
                StatusKind::Succeeded => {
                    return Ok(Execution {
                        id,
                        status,
                        failure: None,
                    })
                }
                StatusKind::Failed => {
                    return Err(FixError::Runbook(format!(
                        "SSM Automation runbook {} execution {id} ended {status}{}",
                        run.document,
                        failure.map(|m| format!(": {m}")).unwrap_or_default()
                    )))
                }
                StatusKind::Running if Instant::now() + pause > deadline => {
                    return Err(FixError::Runbook(format!(
                        "SSM Automation runbook {} execution {id} is still {status} after {} s, hubfix's bound ({}); it goes on in SSM — check it there",
                        run.document,
                        self.wait.as_secs(),
                        crate::settings::catalogue::ENV_RUNBOOK_WAIT
                    )))
                }
                StatusKind::Running => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

/// How an `AutomationExecutionStatus` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    /// Ended well.
    Succeeded,
    /// Ended badly.
    Failed,
    /// Not ended yet (pending, running, waiting for approval).
    Running,
}

/// Classifies an `AutomationExecutionStatus`: `Success` and `CompletedWithSuccess` are
/// success, the other end states (failed, timed out, cancelled, rejected, ...) failure,
/// anything else still running.
pub fn status_kind(status: &str) -> StatusKind {
    match status {
        "Success" | "CompletedWithSuccess" => StatusKind::Succeeded,
        "Failed"
        | "TimedOut"
        | "Cancelled"
        | "Cancelling"
        | "CompletedWithFailure"
        | "Rejected"
        | "ChangeCalendarOverrideRejected"
        | "Exited" => StatusKind::Failed,
        _ => StatusKind::Running,
    }
}

/// A resource id a runbook may receive: printable, no whitespace, bounded.
fn generic_name(resource_id: &str) -> Result<String, FixError> {
    let ok = !resource_id.is_empty()
        && resource_id.len() <= MAX_RESOURCE_ID
        && resource_id.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(FixError::Target(format!(
            "`{}` is not a resource id hubfix passes to a runbook",
            crate::finding::quoted(resource_id, crate::finding::MAX_QUOTED_CHARS)
        )));
    }
    let name = match Arn::parse(resource_id) {
        Some(arn) => arn
            .resource
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(arn.resource)
            .to_owned(),
        None => resource_id.to_owned(),
    };
    Ok(name)
}

impl Remediation for Runbook {
    /// The native rule's name when the control has one, else the id's last segment.
    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        Some(match self.native {
            Some(rule) => rule.resource_name(resource_id, account),
            None => generic_name(resource_id),
        })
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            if let Some(rule) = self.native {
                let mut inspection = rule.remediation.inspect(fix, with_tags).await?;
                if !inspection.plan.is_compliant() {
                    inspection.plan.changes = vec![self.run_change(fix.target, &inspection.plan)?];
                }
                return Ok(inspection);
            }
            let ran = self
                .succeeded
                .lock()
                .map(|mut s| s.remove(&Self::key(fix.target)))
                .unwrap_or(None);
            let state = RunbookOnlyState {
                document: self.spec.document.clone(),
                execution: ran.clone(),
            };
            let before = BeforeState::new(&fix.target.resource_id, &state);
            let changes = match ran {
                Some(_) => Vec::new(),
                None => vec![self.run_change(
                    fix.target,
                    &Plan {
                        before: before.clone(),
                        changes: Vec::new(),
                    },
                )?],
            };
            Ok(Inspection {
                tags: None,
                plan: Plan { before, changes },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { self.apply_reporting(fix, change).await.map(|_| ()) })
    }

    fn apply_reporting<'a>(
        &'a self,
        fix: Fix<'a>,
        change: &'a Change,
    ) -> FixFuture<'a, Option<String>> {
        Box::pin(async move {
            let run: RunbookRun = change.detail()?;
            let execution = self.execute(fix, &run).await?;
            let mut report = format!(
                "SSM Automation execution {} of {} ended {}",
                execution.id, run.document, execution.status
            );
            if self.native.is_none() {
                report.push_str(&format!(
                    "; hubfix has no check of its own for {}, so the execution's result is the read-back",
                    self.control
                ));
                if let Ok(mut s) = self.succeeded.lock() {
                    s.insert(Self::key(fix.target), execution);
                }
            }
            Ok(Some(report))
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            match self.native {
                Some(rule) => rule.remediation.undo(fix, before, changes).await,
                None => Err(FixError::Irreversible(format!(
                    "the runbook {} changed {} in ways hubfix does not know (no native rule for {}); nothing was undone — reverse it by hand or with the runbook's counterpart (resources it created may carry the tag `{CREATED_BY_TAG}` only if the runbook sets it)",
                    self.spec.document, fix.target.resource_id, self.control
                ))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    fn settings(entry: &str, role: Option<&str>) -> CatalogueSettings {
        let mut vars = vec![(crate::settings::catalogue::ENV_RUNBOOKS, entry.to_owned())];
        if let Some(role) = role {
            vars.push((
                crate::settings::catalogue::ENV_RUNBOOK_ROLE_ARN,
                role.to_owned(),
            ));
        }
        CatalogueSettings::from_lookup(&|k| {
            vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })
        .unwrap()
    }

    fn target() -> Target {
        Target {
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
            resource_id: "arn:aws:s3:::logs-bucket".into(),
            name: "logs-bucket".into(),
            candidates: 1,
            finding_id: None,
            principal: None,
        }
    }

    #[test]
    fn parameters_are_filled_from_the_finding_and_the_role_added() {
        let s = settings(
            "S3.8=Org-Fix(BucketName={name}, Where={account}/{region}/{partition}, Id={resource_id})",
            Some("arn:aws:iam::111122223333:role/automation"),
        );
        let runbook = Runbook::new("S3.8", &s.runbooks["S3.8"], &s, registry::rule("S3.8"));
        assert_eq!(
            runbook.parameters(&target()).unwrap(),
            [
                ("BucketName".to_owned(), "logs-bucket".to_owned()),
                ("Where".to_owned(), "111122223333/eu-west-1/aws".to_owned()),
                ("Id".to_owned(), "arn:aws:s3:::logs-bucket".to_owned()),
                (
                    "AutomationAssumeRole".to_owned(),
                    "arn:aws:iam::111122223333:role/automation".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn an_explicit_role_parameter_is_kept_and_a_missing_role_is_unconfigured() {
        let s = settings("S3.8=Org-Fix(AutomationAssumeRole={role})", None);
        let runbook = Runbook::new("S3.8", &s.runbooks["S3.8"], &s, registry::rule("S3.8"));
        let err = runbook.parameters(&target()).unwrap_err();
        assert!(matches!(err, FixError::Unconfigured(_)), "{err}");
        assert!(err.to_string().contains("HUBFIX_RUNBOOK_ROLE_ARN"), "{err}");

        let s = settings(
            "S3.8=Org-Fix(AutomationAssumeRole=arn:aws:iam::111122223333:role/own)",
            Some("arn:aws:iam::111122223333:role/automation"),
        );
        let runbook = Runbook::new("S3.8", &s.runbooks["S3.8"], &s, registry::rule("S3.8"));
        assert_eq!(
            runbook.parameters(&target()).unwrap(),
            [(
                "AutomationAssumeRole".to_owned(),
                "arn:aws:iam::111122223333:role/own".to_owned()
            )]
        );
    }

    #[test]
    fn statuses_are_classified_as_the_api_reference_lists_them() {
        for s in ["Success", "CompletedWithSuccess"] {
            assert_eq!(status_kind(s), StatusKind::Succeeded, "{s}");
        }
        for s in [
            "Failed",
            "TimedOut",
            "Cancelled",
            "Cancelling",
            "CompletedWithFailure",
            "Rejected",
            "ChangeCalendarOverrideRejected",
            "Exited",
        ] {
            assert_eq!(status_kind(s), StatusKind::Failed, "{s}");
        }
        for s in [
            "Pending",
            "InProgress",
            "Waiting",
            "PendingApproval",
            "Approved",
            "Scheduled",
            "RunbookInProgress",
        ] {
            assert_eq!(status_kind(s), StatusKind::Running, "{s}");
        }
    }

    #[test]
    fn a_runbook_rule_keeps_the_native_metadata_and_adds_its_actions() {
        let s = settings("S3.8=Org-Fix(BucketName={name})", None);
        let rule = crate::registry::runbook_rule("S3.8", &s).unwrap();
        let native = registry::rule("S3.8").unwrap();
        assert_eq!(rule.resource_type, native.resource_type);
        assert_eq!(rule.title, native.title);
        for action in native.iam_actions.iter().chain(IAM_ACTIONS) {
            assert!(rule.iam_actions.contains(action), "{action}");
        }
        assert!(
            std::ptr::eq(rule, crate::registry::runbook_rule("S3.8", &s).unwrap()),
            "built once"
        );
        assert!(crate::registry::runbook_rule("S3.1", &s).is_none());

        let s = settings("Org.7=Org-Tagging", None);
        let rule = crate::registry::runbook_rule("Org.7", &s).unwrap();
        assert_eq!(rule.resource_type, ANY_RESOURCE);
        assert!(
            rule.disruptive(),
            "a control hubfix does not know is approval-only by default"
        );
    }

    #[test]
    fn resource_ids_without_a_native_rule_are_checked_and_named() {
        assert_eq!(
            generic_name("arn:aws:s3:::logs-bucket").unwrap(),
            "logs-bucket"
        );
        assert_eq!(
            generic_name("arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc").unwrap(),
            "i-0abc"
        );
        assert_eq!(generic_name("plain-id").unwrap(), "plain-id");
        for bad in ["", "has space", "new\nline", &"a".repeat(3000)] {
            assert!(generic_name(bad).is_err(), "{bad:?}");
        }
    }
}
