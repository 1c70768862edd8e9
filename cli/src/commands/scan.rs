//! `hubfix scan`: the CIS requirements Security Hub does not evaluate, checked with
//! hubfix's rules and imported into Security Hub as findings; `--manual` lists the
//! requirements that need a person.

use std::process::ExitCode;

use hubfix::ids::is_account_id;
use hubfix::ids::is_region;
use hubfix::scan::{scan, select, ScanOptions, MANUAL_CHECKS};

use crate::args::{Output, ScanArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output::print;

/// Prints the checklist of manual requirements.
pub(crate) fn manual(output: Output) -> Result<ExitCode, CliError> {
    let rows: Vec<Vec<String>> = MANUAL_CHECKS
        .iter()
        .map(|m| {
            vec![
                format!("CIS {} {}", m.version, m.number),
                "[ ]".to_owned(),
                m.title.to_owned(),
                m.how.to_owned(),
            ]
        })
        .collect();
    print(
        output,
        &["requirement", "done", "title", "how to check"],
        &rows,
        &MANUAL_CHECKS,
    );
    Ok(ExitCode::SUCCESS)
}

/// Scans, imports (unless `--no-import`) and prints one row per result and per
/// requirement that could not be evaluated; exits 1 when any could not.
pub(crate) async fn run(
    ctx: &Context,
    args: &ScanArgs,
    output: Output,
) -> Result<ExitCode, CliError> {
    select(&args.requirement).map_err(|e| CliError::Input(format!("--requirement: {e}")))?;
    if let Some(bad) = args.scan_region.iter().find(|r| !is_region(r)) {
        return Err(CliError::Input(format!(
            "--scan-region: `{bad}` is not a region name"
        )));
    }
    if let Some(bad) = args.account.iter().find(|a| !is_account_id(a)) {
        return Err(CliError::Input(format!(
            "--account: `{bad}` is not a 12-digit account id"
        )));
    }
    let options = ScanOptions {
        accounts: args.account.clone(),
        regions: args.scan_region.clone(),
        requirements: args.requirement.clone(),
        import: !args.no_import,
        concurrency: ctx.policy.concurrency,
    };
    let report = Box::pin(scan(&ctx.aws(), &ctx.policy.settings, &options)).await;
    let mut rows: Vec<Vec<String>> = report
        .results
        .iter()
        .map(|r| {
            vec![
                format!("CIS {}", r.requirement),
                r.control.to_owned(),
                if r.compliant { "PASSED" } else { "FAILED" }.to_owned(),
                r.account.clone(),
                r.scope_region.clone(),
                r.resource.id.clone(),
                r.reason.clone(),
            ]
        })
        .collect();
    rows.extend(report.errors.iter().map(|e| {
        vec![
            if e.requirement.is_empty() {
                "import".to_owned()
            } else {
                format!("CIS {}", e.requirement)
            },
            String::new(),
            "ERROR".to_owned(),
            e.account.clone(),
            e.region.clone(),
            e.resource.clone().unwrap_or_default(),
            e.message.clone(),
        ]
    }));
    print(
        output,
        &[
            "requirement",
            "control",
            "status",
            "account",
            "region",
            "resource",
            "detail",
        ],
        &rows,
        &report,
    );
    if output == Output::Table && options.import {
        eprintln!(
            "Imported {} findings into Security Hub, archived {}.",
            report.imported, report.archived
        );
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
