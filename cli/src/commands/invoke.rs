//! `hubfix invoke`: a function's handler, in-process, with an event file, for users
//! without SAM: the same code path as Lambda's, against the configured endpoint.

use std::path::Path;
use std::process::ExitCode;

use hubfix::lambda::{handle, Accepts};
use serde_json::Value;

use crate::args::Function;
use crate::context::Context;
use crate::error::CliError;

/// Runs the handler and prints its response (or its error) as JSON.
pub async fn run(ctx: &Context, function: Function, event: &Path) -> Result<ExitCode, CliError> {
    let payload = read_event(event)?;
    let accepts = match function {
        Function::AutoRemediate => Accepts::Imported,
        Function::CustomAction => Accepts::CustomAction,
    };
    let engine = ctx.engine();
    match handle(&engine, accepts, payload, None).await {
        Ok(response) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&response).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            let diagnostic = serde_json::json!({
                "errorType": err.error_type(),
                "errorMessage": err.to_string(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&diagnostic).unwrap_or_default()
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// An event file as JSON, with a clear error when it is missing or not JSON.
pub fn read_event(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::Input(format!("{} is not JSON: {e}", path.display())))
}
