//! `hubfix invoke`: a function's handler, in-process, with an event file, for users
//! without SAM: the same code path as Lambda's, against the configured endpoint.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hubfix::lambda::{handle, Accepts};
use serde_json::Value;

use crate::args::Function;
use crate::context::Context;
use crate::error::CliError;

/// Runs the handler on each event in turn and prints each response (or error) as JSON;
/// exit code 1 when an invocation failed.
pub async fn run(
    ctx: &Context,
    function: Function,
    events: &[PathBuf],
) -> Result<ExitCode, CliError> {
    let payloads = events
        .iter()
        .map(|e| read_event(e))
        .collect::<Result<Vec<_>, _>>()?;
    let accepts = match function {
        Function::AutoRemediate => Accepts::Imported,
        Function::CustomAction => Accepts::CustomAction,
    };
    let engine = ctx.engine();
    let mut failed = false;
    for payload in payloads {
        let response = match handle(&engine, accepts, payload, None).await {
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

/// An event file as JSON, with a clear error when it is missing or not JSON.
pub fn read_event(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::Input(format!("{} is not JSON: {e}", path.display())))
}
