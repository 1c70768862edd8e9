//! Asking before changing anything.

use std::io::{BufRead, Write};

use crate::error::CliError;

/// Asks on stderr and reads the answer from stdin (a terminal, or a piped `y`);
/// anything but yes, or no answer at all, stops the command with nothing changed.
pub(crate) fn confirm(question: &str) -> Result<(), CliError> {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    match read {
        Ok(0) | Err(_) => Err(CliError::NotConfirmed(
            "no answer on stdin; nothing changed (pass --yes to go ahead without asking)".into(),
        )),
        Ok(_) if is_yes(&answer) => Ok(()),
        Ok(_) => Err(CliError::NotConfirmed("declined; nothing changed".into())),
    }
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_means_yes() {
        for yes in ["y\n", "Y", " yes ", "YES\r\n"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "n", "no", "yess", "sure"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }
}
