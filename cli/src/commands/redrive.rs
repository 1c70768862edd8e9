//! `hubfix redrive --from <dead-letter queue> --to <findings queue>`: the events the
//! automatic path could not handle, put back on its queue once the cause is fixed.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::args::Output;
use crate::confirm::confirm;
use crate::context::Context;
use crate::error::CliError;
use crate::output::print;

/// Says how many messages wait, asks (unless `yes`), moves them, and prints the count;
/// exit code 1 when some could not be moved.
pub(crate) async fn run(
    ctx: &Context,
    from: &str,
    to: &str,
    limit: u32,
    yes: bool,
    output: Output,
) -> Result<ExitCode, CliError> {
    let sqs = aws_sdk_sqs::Client::new(&ctx.config);
    let waiting = hubfix::reconcile::queue_depth(&sqs, from).await?;
    eprintln!("{waiting} message(s) in {from}.");
    if waiting == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    if !yes {
        confirm(&format!("Move them to {to}?"))?;
    }
    let on_terminal = std::io::stderr().is_terminal();
    let moved = hubfix::queue::redrive(&sqs, from, to, limit as usize, |n| {
        if on_terminal {
            eprint!("\r{n} moved");
        }
    })
    .await?;
    if on_terminal {
        eprintln!();
    }
    let rows = vec![vec![
        moved.moved.to_string(),
        moved.failed.len().to_string(),
    ]];
    print(output, &["moved", "failed"], &rows, &moved);
    for f in &moved.failed {
        eprintln!("not moved: {f}");
    }
    Ok(if moved.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
