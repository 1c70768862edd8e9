//! The command's errors, each with a message that says what to do, and an exit code.

use std::process::ExitCode;

use hubfix::error::FixError;
use hubfix::undo::UndoError;

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Configuration is missing or wrong (region, credentials, policy, audit bucket).
    #[error("{0}")]
    Config(String),
    /// AWS or the endpoint does not answer.
    #[error("{0}")]
    Unreachable(String),
    /// An input file is missing or unreadable.
    #[error("{0}")]
    Input(String),
    /// An AWS call failed.
    #[error("{0}")]
    Aws(#[from] FixError),
    /// An undo could not be done.
    #[error("{0}")]
    Undo(#[from] UndoError),
    /// The operator declined, or could not be asked.
    #[error("{0}")]
    NotConfirmed(String),
}

impl CliError {
    /// 2 for what the operator must fix before retrying (configuration, input,
    /// confirmation), 1 for failures while working.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Config(_) | CliError::Input(_) | CliError::NotConfirmed(_) => {
                ExitCode::from(2)
            }
            CliError::Unreachable(_) | CliError::Aws(_) | CliError::Undo(_) => ExitCode::from(1),
        }
    }
}
