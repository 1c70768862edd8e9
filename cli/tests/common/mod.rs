//! What the `hubfix` command's tests share: running the real binary as an operator
//! does, with only the environment a test gives it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `hubfix` with `env` (and none of the caller's AWS or hubfix settings), in `dir`
/// when given, `stdin` piped in.
pub(crate) fn run_hubfix(
    dir: Option<&Path>,
    env: &[(&str, String)],
    args: &[&str],
    stdin: &str,
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubfix"));
    for key in [
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "HUBFIX_AUDIT_BUCKET",
        "HUBFIX_OUTPUT",
    ] {
        command.env_remove(key);
    }
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hubfix");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("hubfix finished")
}

/// Output bytes as text.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The shell commands of a document's walkthrough: the fenced block between the
/// `<!-- <name>:start -->` and `<!-- <name>:end -->` markers of `doc` (a path from the
/// workspace root), without the fences.
pub(crate) fn walkthrough(doc: &str, name: &str) -> String {
    let text = std::fs::read_to_string(hubfix_tests::workspace().join(doc)).unwrap();
    let (_, _, block) = hubfix_tests::between(
        &text,
        &format!("<!-- {name}:start -->\n"),
        &format!("<!-- {name}:end -->"),
    );
    block
        .lines()
        .filter(|l| !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A scratch directory for a walkthrough, holding the `.sandbox.env` that
/// `make sandbox` would write for `env`.
pub(crate) fn walkthrough_dir(name: &str, env: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hubfix-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exports: String = env
        .iter()
        .map(|(k, v)| format!("export {k}={v}\n"))
        .collect();
    std::fs::write(dir.join(".sandbox.env"), exports).unwrap();
    dir
}

/// Runs a walkthrough's commands as a newcomer would paste them into bash (`-euo
/// pipefail`), in `dir`, with the built `hubfix` first on the `PATH`.
pub(crate) fn run_walkthrough(dir: &Path, script: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_hubfix"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .output()
        .expect("bash")
}
