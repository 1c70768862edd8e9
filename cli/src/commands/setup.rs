//! `hubfix setup plan | apply | status | policy`: the organisation's Security Hub
//! foundation from a setup file (docs/foundation.md). The decisions are the core's
//! (`hubfix::setup`); this module reads the file, reaches the accounts, prints.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use hubfix::policy::Policy;
use hubfix::settings::MemberRole;
use hubfix::setup::access::Access;
use hubfix::setup::apply::{Applier, StepResult};
use hubfix::setup::drift::save_foundation;
use hubfix::setup::observe::observe;
use hubfix::setup::plan::{tamper_policy, Plan};
use hubfix::setup::state::Observed;
use hubfix::setup::status::status;
use hubfix::setup::{plan, Foundation};

use crate::args::{Output, SetupCommand, SetupFile};
use crate::confirm::confirm;
use crate::context::Context;
use crate::error::CliError;
use crate::output::{print, table};
use crate::progress;

/// Runs a setup subcommand that talks to AWS.
pub(crate) async fn run(
    ctx: &Context,
    command: &SetupCommand,
    output: Output,
) -> Result<ExitCode, CliError> {
    match command {
        SetupCommand::Plan(file) => plan_command(ctx, file, output).await,
        SetupCommand::Apply { file, yes } => apply_command(ctx, file, *yes, output).await,
        SetupCommand::Status(file) => status_command(ctx, file, output).await,
        SetupCommand::Policy(file) => policy(file),
    }
}

/// `hubfix setup policy`: the tamper-protection policy the file generates (no AWS call).
pub(crate) fn policy(file: &SetupFile) -> Result<ExitCode, CliError> {
    let policy = Policy::from_env().map_err(|e| CliError::Config(e.to_string()))?;
    let f = load(file, &policy)?;
    if f.tamper_protection.is_none() {
        return Err(CliError::Input(format!(
            "{}: the file has no [tamper_protection] section",
            file.file.display()
        )));
    }
    let document = tamper_policy(&f).map_err(CliError::Input)?;
    let pretty: serde_json::Value =
        serde_json::from_str(&document).unwrap_or(serde_json::Value::String(document));
    println!(
        "{}",
        serde_json::to_string_pretty(&pretty).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

/// The checked file, with hubfix's member role as the role of accounts the file names
/// no role for.
fn load(file: &SetupFile, policy: &Policy) -> Result<Foundation, CliError> {
    let mut f = Foundation::load(&file.file).map_err(|e| CliError::Input(e.to_string()))?;
    let member_role = policy.member_role.as_ref().map(|r| r.name.clone());
    if f.organization_role.is_none() {
        f.organization_role = member_role.clone();
    }
    if f.invited_role.is_none() {
        f.invited_role = member_role;
    }
    Ok(f)
}

/// The roles to other accounts: the member role's external id goes with the member role.
fn access(ctx: &Context, f: &Foundation) -> Result<Access, CliError> {
    let caller = ctx.account().ok_or_else(|| {
        CliError::Config("STS did not say which account the credentials belong to".into())
    })?;
    let external_id = |name: &String| {
        ctx.policy
            .member_role
            .as_ref()
            .filter(|r| r.name == *name)
            .and_then(|r| r.external_id.clone())
    };
    let role = |name: &Option<String>| {
        name.as_ref().map(|n| MemberRole {
            name: n.clone(),
            external_id: external_id(n),
        })
    };
    Ok(Access::new(
        ctx.config.clone(),
        caller,
        role(&f.organization_role),
        role(&f.invited_role),
    ))
}

/// Reads the organisation, with a bar over the accounts and regions read.
async fn read(f: &Foundation, access: &Access) -> Observed {
    match progress::counter("account-regions read") {
        Some(bar) => observe(f, access, &|done, total| bar(done, total, 0)).await,
        None => observe(f, access, &|_, _| {}).await,
    }
}

/// The plan, or the error that says why there is none: the organisation could not be
/// read (exit 1), or the file does not fit it (exit 2).
fn planned(f: &Foundation, observed: &Observed) -> Result<Plan, CliError> {
    if observed.organization.is_none() {
        return Err(CliError::Aws(hubfix::error::FixError::Unreachable(
            format!(
                "cannot read the organisation from the management account {}: {}",
                f.management_account,
                observed
                    .organization_error
                    .as_deref()
                    .unwrap_or("unknown error")
            ),
        )));
    }
    plan(f, observed).map_err(|e| CliError::Input(e.to_string()))
}

fn step_rows(plan: &Plan) -> Vec<Vec<String>> {
    plan.steps
        .iter()
        .map(|s| {
            vec![
                phase_name(&s.phase),
                s.scope.account.clone(),
                s.scope.region_label().to_owned(),
                s.action.describe(),
            ]
        })
        .collect()
}

fn phase_name(phase: &impl serde::Serialize) -> String {
    serde_json::to_value(phase)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
        .replace('_', " ")
}

/// Warnings and what could not be read, on stderr.
fn notices(plan: &Plan) {
    for n in &plan.warnings {
        eprintln!("warning: {}: {}", n.scope, n.message);
    }
    for n in &plan.blocked {
        eprintln!("not read: {}: {}", n.scope, n.message);
    }
}

fn summary(plan: &Plan) -> String {
    let accounts: BTreeSet<&str> = plan
        .steps
        .iter()
        .map(|s| s.scope.account.as_str())
        .collect();
    format!(
        "{} change(s) in {} account(s), {} warning(s), {} account-region(s) not read; configuration {}",
        plan.steps.len(),
        accounts.len(),
        plan.warnings.len(),
        plan.blocked.len(),
        phase_name(&plan.configuration)
    )
}

async fn plan_command(
    ctx: &Context,
    file: &SetupFile,
    output: Output,
) -> Result<ExitCode, CliError> {
    let f = load(file, &ctx.policy)?;
    let access = access(ctx, &f)?;
    let observed = read(&f, &access).await;
    let plan = planned(&f, &observed)?;
    print(
        output,
        &["phase", "account", "region", "change"],
        &step_rows(&plan),
        &plan,
    );
    notices(&plan);
    eprintln!("{}", summary(&plan));
    Ok(if plan.blocked.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn apply_command(
    ctx: &Context,
    file: &SetupFile,
    yes: bool,
    output: Output,
) -> Result<ExitCode, CliError> {
    let f = load(file, &ctx.policy)?;
    let aws = ctx.aws();
    let trail = ctx.require_audit(&aws)?;
    let access = access(ctx, &f)?;
    let observed = read(&f, &access).await;
    let plan = planned(&f, &observed)?;
    notices(&plan);
    if plan.steps.is_empty() {
        eprintln!(
            "Nothing to change: the foundation is as {} says.",
            file.file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprint!(
        "{}",
        table(&["phase", "account", "region", "change"], &step_rows(&plan))
    );
    eprintln!("{}", summary(&plan));
    if !yes {
        let accounts: BTreeSet<&str> = plan
            .steps
            .iter()
            .map(|s| s.scope.account.as_str())
            .collect();
        confirm(&format!(
            "Apply {} change(s) in {} account(s)?",
            plan.steps.len(),
            accounts.len()
        ))?;
    }
    save_foundation(
        aws.home().s3.client(),
        trail.bucket(),
        ctx.audit_prefix(),
        &f,
    )
    .await
    .map_err(CliError::Aws)?;
    let total = plan.steps.len();
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let bar = progress::counter("changes");
    let tick = |result: &StepResult| {
        if result.outcome.is_err() {
            failed.fetch_add(1, Ordering::Relaxed);
        }
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = &bar {
            bar(n.min(total), total.max(n), failed.load(Ordering::Relaxed));
        }
    };
    let applier = Applier {
        foundation: &f,
        access: &access,
        audit: Some(&trail),
        actor: &ctx.actor,
        settings: &ctx.policy.settings,
    };
    let report = applier
        .apply(&tick)
        .await
        .map_err(|e| CliError::Input(e.to_string()))?;
    let rows: Vec<Vec<String>> = report
        .results
        .iter()
        .map(|r| {
            vec![
                phase_name(&r.step.phase),
                r.step.scope.account.clone(),
                r.step.scope.region_label().to_owned(),
                match &r.outcome {
                    Ok(_) => "done".to_owned(),
                    Err(_) => "FAILED".to_owned(),
                },
                match &r.outcome {
                    Ok(done) => done.clone(),
                    Err(e) => e.clone(),
                },
            ]
        })
        .collect();
    print(
        output,
        &["phase", "account", "region", "result", "change"],
        &rows,
        &report,
    );
    notices(&report.remaining);
    if report.failed() {
        eprintln!("Some changes failed; what was done is in the audit trail (hubfix audit --control setup). Fix the cause and run `hubfix setup apply` again.");
        return Ok(ExitCode::from(1));
    }
    if !report.remaining.steps.is_empty() {
        eprintln!("Still to change: {}", summary(&report.remaining));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

async fn status_command(
    ctx: &Context,
    file: &SetupFile,
    output: Output,
) -> Result<ExitCode, CliError> {
    let f = load(file, &ctx.policy)?;
    let access = access(ctx, &f)?;
    let observed = read(&f, &access).await;
    let plan = planned(&f, &observed)?;
    let status = status(&f, &observed, &plan);
    let rows: Vec<Vec<String>> = status
        .rows
        .iter()
        .map(|r| {
            vec![
                r.account.clone(),
                r.role.label().to_owned(),
                r.region.clone(),
                r.hub.clone(),
                r.standards.clone(),
                r.consolidated.clone(),
                r.config.clone(),
                r.member.clone(),
                r.aggregator.clone(),
                r.scp.clone(),
                if r.drift.is_empty() {
                    "ok".to_owned()
                } else {
                    r.drift.join("; ")
                },
            ]
        })
        .collect();
    print(
        output,
        &[
            "account",
            "role",
            "region",
            "hub",
            "standards",
            "consolidated",
            "config",
            "member",
            "aggregator",
            "scp",
            "drift",
        ],
        &rows,
        &status,
    );
    if status.drifted {
        eprintln!(
            "The foundation drifts from {}: {}. `hubfix setup apply` puts it back.",
            file.file.display(),
            summary(&plan)
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
