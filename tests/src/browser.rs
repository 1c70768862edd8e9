//! Headless Chromium, for tests of HTML output: the DOM as the browser built it, and
//! screenshots. `make test` installs Debian's `chromium` when it is missing;
//! `HUBFIX_CHROMIUM` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Chromium binary.
pub fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("HUBFIX_CHROMIUM") {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("chromium is not installed: run `make test` (it installs Debian's chromium) or set HUBFIX_CHROMIUM")
    })
}

/// Runs headless Chromium on a local file with `extra` arguments; returns its stdout.
fn run(page: &Path, extra: &[String]) -> String {
    let profile = std::env::temp_dir().join(format!(
        "hubfix-chromium-{}-{}",
        std::process::id(),
        crate::unique("profile")
    ));
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The page's DOM after Chromium loaded and laid it out (`--dump-dom`).
pub fn dump_dom(page: &Path) -> String {
    run(page, &["--dump-dom".to_owned()])
}

/// A PNG screenshot of the page, `width` × `height` pixels.
pub fn screenshot(page: &Path, png: &Path, width: u32, height: u32) {
    run(
        page,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={width},{height}"),
        ],
    );
    assert!(png.exists(), "chromium wrote no screenshot");
}

/// The text of every element carrying `data-metric="<metric>"` and the other
/// attributes given (`name="value"` pairs), in document order.
pub fn metrics(dom: &str, metric: &str, attrs: &[(&str, &str)]) -> Vec<String> {
    let marker = format!(r#"data-metric="{metric}""#);
    let mut found = Vec::new();
    let mut rest = dom;
    while let Some(at) = rest.find(&marker) {
        let tag_start = rest[..at].rfind('<').unwrap_or(0);
        let tag_end = at + rest[at..].find('>').expect("a closed tag");
        let tag = &rest[tag_start..tag_end];
        let text_end = tag_end + rest[tag_end..].find('<').unwrap_or(rest.len() - tag_end);
        if attrs
            .iter()
            .all(|(k, v)| tag.contains(&format!(r#"{k}="{v}""#)))
        {
            found.push(rest[tag_end + 1..text_end].to_owned());
        }
        rest = &rest[tag_end..];
    }
    found
}

/// The one value of a metric; panics naming it when there is not exactly one.
pub fn metric(dom: &str, metric: &str, attrs: &[(&str, &str)]) -> String {
    let all = metrics(dom, metric, attrs);
    assert_eq!(all.len(), 1, "metric {metric} {attrs:?}: {all:?}");
    all.into_iter().next().unwrap_or_default()
}
