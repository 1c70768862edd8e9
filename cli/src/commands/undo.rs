//! `hubfix undo <finding-id>`: put the resource back from the audit trail.

use std::process::ExitCode;

use hubfix::undo::{last_fix, undo_fix};

use crate::args::Output;
use crate::confirm::confirm;
use crate::context::Context;
use crate::error::CliError;
use crate::output::print;

/// Shows the fix to undo, asks (unless `yes`), undoes it, and prints the steps.
pub(crate) async fn run(
    ctx: &Context,
    finding_id: &str,
    yes: bool,
    output: Output,
) -> Result<ExitCode, CliError> {
    let aws = ctx.aws();
    let trail = ctx.require_audit(&aws)?;
    let record = last_fix(&trail, finding_id).await?;
    let resource = record
        .target
        .as_ref()
        .map_or("its resource", |t| t.resource_id.as_str());
    eprintln!(
        "hubfix fixed {} on {resource} at {} ({}): {}",
        record.rule.as_deref().unwrap_or("?"),
        record.time,
        record.actor,
        record
            .plan
            .iter()
            .map(|c| c.description.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    if !yes {
        confirm("Undo this fix?")?;
    }
    let undone = undo_fix(&aws, &trail, &ctx.policy.settings, &record, &ctx.actor).await?;
    let rows: Vec<Vec<String>> = undone
        .steps
        .iter()
        .map(|s| vec![undone.rule.clone(), undone.resource.clone(), s.clone()])
        .collect();
    print(output, &["rule", "resource", "undone"], &rows, &undone);
    if !undone.noted {
        eprintln!("Note: Security Hub did not take the note on finding {finding_id}; the audit trail has the record.");
    }
    Ok(ExitCode::SUCCESS)
}
