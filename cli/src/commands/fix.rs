//! `hubfix plan` and `hubfix apply`: the engine on findings selected from Security Hub
//! (or an event file), exactly as the custom actions `DryRun` and `Remediate` run it.

use std::process::ExitCode;

use hubfix::engine::{ACTION_DRY_RUN, ACTION_REMEDIATE};
use hubfix::finding::{
    Finding, MalformedFinding, SecurityHubEvent, Trigger, MAX_FINDINGS_PER_EVENT,
};
use hubfix::securityhub_read::{get_findings, Selection as FindingSelection};
use hubfix::{Engine, Outcome, OutcomeKind};

use crate::args::{Output, Selection};
use crate::commands::invoke::read_event;
use crate::confirm::confirm;
use crate::context::{unreachable_or, Context};
use crate::error::CliError;
use crate::output::{print, short_id, table};
use crate::progress;

type Item = Result<Finding, MalformedFinding>;

/// `hubfix plan`: what would change; changes nothing, not even the findings' notes.
pub(crate) async fn plan(
    ctx: &Context,
    selection: &Selection,
    output: Output,
) -> Result<ExitCode, CliError> {
    let findings = select(ctx, selection).await?;
    let outcomes = run_as(&ctx.planner(), ACTION_DRY_RUN, findings).await;
    print_outcomes(output, &outcomes);
    Ok(ExitCode::SUCCESS)
}

/// `hubfix apply`: plans, shows the plan, asks (unless `yes`), then fixes the findings
/// whose plan changes something, with notes and the audit trail. Exit code 1 when a
/// fix failed.
pub(crate) async fn apply(
    ctx: &Context,
    selection: &Selection,
    yes: bool,
    output: Output,
) -> Result<ExitCode, CliError> {
    let findings = select(ctx, selection).await?;
    let planned = run_as(&ctx.planner(), ACTION_DRY_RUN, findings.clone()).await;
    let to_fix: Vec<Item> = findings
        .into_iter()
        .zip(&planned)
        .filter(|(_, o)| o.kind == OutcomeKind::DryRun)
        .map(|(f, _)| f)
        .collect();
    if to_fix.is_empty() {
        eprintln!("Nothing to change: no selected finding has a fix to apply.");
        print_outcomes(output, &planned);
        return Ok(ExitCode::SUCCESS);
    }
    let plan_rows: Vec<Vec<String>> = planned
        .iter()
        .filter(|o| o.kind == OutcomeKind::DryRun)
        .map(|o| {
            vec![
                o.control_id.clone().unwrap_or_default(),
                o.account.clone().unwrap_or_default(),
                o.resource.clone().unwrap_or_default(),
                o.changes.join("; "),
            ]
        })
        .collect();
    eprint!(
        "{}",
        table(&["control", "account", "resource", "change"], &plan_rows)
    );
    let accounts: std::collections::BTreeSet<_> = planned
        .iter()
        .filter_map(|o| o.account.as_deref())
        .collect();
    if !yes {
        confirm(&format!(
            "Apply {} fix(es) in {} account(s)?",
            to_fix.len(),
            accounts.len()
        ))?;
    }
    let mut engine = ctx.engine();
    if let Some(bar) = progress::bar(to_fix.len()) {
        engine = engine.with_progress(bar);
    }
    let outcomes = run_as(&engine, ACTION_REMEDIATE, to_fix).await;
    print_outcomes(output, &outcomes);
    let failed = outcomes.iter().any(|o| o.kind == OutcomeKind::Failed);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The selected findings: from an event file, or from Security Hub.
async fn select(ctx: &Context, s: &Selection) -> Result<Vec<Item>, CliError> {
    if let Some(path) = &s.event {
        let event = SecurityHubEvent::parse(&read_event(path)?)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        return Ok(event.findings);
    }
    let filter = FindingSelection {
        finding_ids: s.finding_id.clone(),
        controls: s.control.clone(),
        severities: s.severity.iter().map(|v| v.label().to_owned()).collect(),
        accounts: s.account.clone(),
        regions: s.finding_region.clone(),
        resources: s.resource.clone(),
    };
    let securityhub = aws_sdk_securityhub::Client::new(&ctx.config);
    let findings = get_findings(&securityhub, &filter, s.limit as usize)
        .await
        .map_err(|e| unreachable_or(e, ctx.config.endpoint_url()))?;
    if findings.is_empty() {
        eprintln!("No findings match the selection.");
    }
    Ok(findings)
}

/// Runs the engine on the findings as the named custom action, in events of at most
/// 100 findings (what Security Hub sends); one outcome per finding, in order.
async fn run_as(engine: &Engine, action: &str, findings: Vec<Item>) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(findings.len());
    let mut rest = findings.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Item> = rest.by_ref().take(MAX_FINDINGS_PER_EVENT).collect();
        let event = SecurityHubEvent {
            event_id: None,
            account: None,
            region: None,
            trigger: Trigger::CustomAction {
                name: action.to_owned(),
                target_arn: None,
            },
            findings: chunk,
        };
        outcomes.extend(engine.handle(&event).await.outcomes);
    }
    outcomes
}

fn print_outcomes(output: Output, outcomes: &[Outcome]) {
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            vec![
                short_id(&o.finding_id),
                o.control_id.clone().unwrap_or_default(),
                o.account.clone().unwrap_or_default(),
                o.resource.clone().unwrap_or_default(),
                o.kind.as_str().to_owned(),
                o.note.clone(),
            ]
        })
        .collect();
    print(
        output,
        &[
            "finding", "control", "account", "resource", "outcome", "note",
        ],
        &rows,
        &outcomes,
    );
}
