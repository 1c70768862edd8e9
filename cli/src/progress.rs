//! A progress bar on stderr while many findings are fixed (only on a terminal).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hubfix::engine::Progress;
use hubfix::OutcomeKind;

const WIDTH: usize = 30;

/// A bar for `total` findings, or none when there is one finding or stderr is not a
/// terminal (logs and pipes get the final table only).
pub(crate) fn bar(total: usize) -> Option<Progress> {
    if total < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let done = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    Some(Progress(Arc::new(move |outcome| {
        if outcome.kind == OutcomeKind::Failed {
            failed.fetch_add(1, Ordering::Relaxed);
        }
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        eprint!("\r{}", line(n, total, failed.load(Ordering::Relaxed)));
        if n == total {
            eprintln!();
        }
    })))
}

/// A bar counting `unit`s done of a total each call gives (`hubfix setup` reading
/// accounts and regions, applying steps), or none when stderr is not a terminal.
pub(crate) fn counter(unit: &'static str) -> Option<impl Fn(usize, usize, usize) + Sync> {
    std::io::stderr()
        .is_terminal()
        .then_some(move |done: usize, total: usize, failed: usize| {
            if total < 2 {
                return;
            }
            eprint!("\r{}", counted(done, total, failed, unit));
            if done == total {
                eprintln!();
            }
        })
}

/// `[#####---------] 5/15 findings, 1 failed`.
fn line(done: usize, total: usize, failed: usize) -> String {
    counted(done, total, failed, "findings")
}

fn counted(done: usize, total: usize, failed: usize, unit: &str) -> String {
    let filled = WIDTH * done.min(total) / total.max(1);
    format!(
        "[{}{}] {done}/{total} {unit}, {failed} failed",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_in_proportion() {
        assert_eq!(
            line(0, 10, 0),
            format!("[{}] 0/10 findings, 0 failed", "-".repeat(WIDTH))
        );
        assert_eq!(
            line(5, 10, 1),
            format!(
                "[{}{}] 5/10 findings, 1 failed",
                "#".repeat(15),
                "-".repeat(15)
            )
        );
        assert!(line(10, 10, 0).starts_with(&format!("[{}]", "#".repeat(WIDTH))));
        assert!(counted(1, 4, 0, "account-regions").ends_with("] 1/4 account-regions, 0 failed"));
    }
}
