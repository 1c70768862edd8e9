//! `hubfix invoke`: a function's handler, in-process, with an event file, for users
//! without SAM: the same code path as Lambda's, against the configured endpoint.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hubfix::function::{handle, handle_batch, Accepts, InvocationFailure, QueueSettings};
use serde_json::Value;

use crate::args::Function;
use crate::context::Context;
use crate::error::CliError;

/// Runs the handler on each event in turn and prints each response (or error) as JSON;
/// exit code 1 when an invocation failed.
pub(crate) async fn run(
    ctx: &Context,
    function: Function,
    events: &[PathBuf],
) -> Result<ExitCode, CliError> {
    // Every file is read and checked before the first event is handled, so that a bad
    // file refuses the whole command before anything changes; each is kept as text and
    // parsed at its turn, so that only one event's JSON tree is in memory at a time.
    let texts = events
        .iter()
        .map(|e| read_checked(e))
        .collect::<Result<Vec<_>, _>>()?;
    let accepts = match function {
        Function::AutoRemediate => Accepts::Imported,
        Function::CustomAction => Accepts::CustomAction,
        Function::DriftGuard => return drift_guard(ctx, events, &texts).await,
    };
    let engine = ctx.engine();
    let queue = QueueSettings::from_env(&engine);
    let mut failed = false;
    for (path, text) in events.iter().zip(&texts) {
        let payload = parse_event(path, text)?;
        // The auto-remediate function takes the findings queue's batches (SQS-wrapped
        // events, as in events/sqs-batch-imported.json) and bare Imported events.
        let answer = if accepts == Accepts::Imported && hubfix::queue::is_batch(&payload) {
            handle_batch(&engine, &queue, payload, None).await
        } else {
            handle(&engine, accepts, payload, None).await
        };
        let response = match answer {
            Ok(response) => response,
            Err(err) => {
                failed = true;
                serde_json::json!({
                    "errorType": err.error_type(),
                    "errorMessage": err.to_string(),
                })
            }
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&response).unwrap_or_default()
        );
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The drift guard's handler on each event, with the policy of `HUBFIX_DRIFT_REPAIR`.
async fn drift_guard(
    ctx: &Context,
    events: &[PathBuf],
    texts: &[String],
) -> Result<ExitCode, CliError> {
    use hubfix::setup::drift::repair_kinds;
    use hubfix::setup::guard_function::{DriftGuardFunction, ENV_DRIFT_REPAIR};
    let repair = repair_kinds(std::env::var(ENV_DRIFT_REPAIR).ok().as_deref())
        .map_err(|e| CliError::Config(format!("{ENV_DRIFT_REPAIR}: {e}")))?;
    let function =
        DriftGuardFunction::new(ctx.aws(), ctx.policy.clone(), repair, ctx.actor.clone());
    let mut failed = false;
    for (path, text) in events.iter().zip(texts) {
        let payload = parse_event(path, text)?;
        let response = match function.handle(payload, &ctx.config).await {
            Ok(response) => response,
            Err(err) => {
                failed = true;
                serde_json::json!({"errorType": err.error_type(), "errorMessage": err.to_string()})
            }
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&response).unwrap_or_default()
        );
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// An event file as JSON, with a clear error when it is missing or not JSON.
pub(crate) fn read_event(path: &Path) -> Result<Value, CliError> {
    parse_event(path, &read_text(path)?)
}

/// An event file's text, once checked to be JSON (without building its tree).
fn read_checked(path: &Path) -> Result<String, CliError> {
    let text = read_text(path)?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|e| not_json(path, &e))?;
    Ok(text)
}

fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))
}

fn parse_event(path: &Path, text: &str) -> Result<Value, CliError> {
    serde_json::from_str(text).map_err(|e| not_json(path, &e))
}

fn not_json(path: &Path, e: &serde_json::Error) -> CliError {
    CliError::Input(format!("{} is not JSON: {e}", path.display()))
}
