//! `hubfix audit`: the decisions in the audit trail, oldest first.

use std::process::ExitCode;

use hubfix::audit::AuditFilter;

use crate::args::{AuditArgs, Output};
use crate::context::Context;
use crate::error::CliError;
use crate::output::print;

/// Lists the records that pass the filters.
pub(crate) async fn run(
    ctx: &Context,
    args: &AuditArgs,
    output: Output,
) -> Result<ExitCode, CliError> {
    let aws = ctx.aws();
    let trail = ctx.require_audit(&aws)?;
    let filter = AuditFilter {
        finding_id: args.finding_id.clone(),
        control: args.control.clone(),
        account: args.account.clone(),
        since: args.since.clone(),
    };
    let records = trail.list(&filter).await?;
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.time.clone(),
                r.stage.as_str().to_owned(),
                r.outcome.map(|o| o.as_str()).unwrap_or("-").to_owned(),
                r.control_id
                    .clone()
                    .or_else(|| r.rule.clone())
                    .unwrap_or_default(),
                r.account.clone().unwrap_or_default(),
                r.target
                    .as_ref()
                    .map(|t| t.resource_id.clone())
                    .unwrap_or_default(),
                r.actor.clone(),
                r.finding_id.clone(),
            ]
        })
        .collect();
    print(
        output,
        &[
            "time", "stage", "outcome", "control", "account", "resource", "actor", "finding",
        ],
        &rows,
        &records,
    );
    Ok(ExitCode::SUCCESS)
}
