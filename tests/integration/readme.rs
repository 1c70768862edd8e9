//! The documentation holds together: the README stays a first page (at most 200 lines)
//! that links every document of docs/, the supported-controls table in docs/controls.md
//! is the registry's word for word, the deploy guide names every template parameter,
//! and every link and repository path in README.md, docs/*.md and the repository's
//! other Markdown files resolves (the rules are in hubfix_tests::docs; the real-world
//! corpus's README cites other repositories' files, so only its links are checked).

use std::collections::BTreeSet;
use std::path::{Component, Path};
use std::process::Command;

use hubfix::registry::markdown_table;
use hubfix_tests::docs::{
    anchors, code_spans, is_external, is_repository_path, link_targets, path_exists, prose_blocks,
};
use hubfix_tests::{check_generated, workspace};

/// The most lines the README may have: the rest belongs in docs/.
const README_MAX_LINES: usize = 200;

#[test]
fn docs_controls_table_matches_the_registry() {
    check_generated(
        &workspace().join("docs/controls.md"),
        "<!-- controls:start -->\n",
        "<!-- controls:end -->",
        &markdown_table(),
    );
}

#[test]
fn docs_threats_table_matches_the_registry() {
    check_generated(
        &workspace().join("docs/threats.md"),
        "<!-- playbooks:start -->\n",
        "<!-- playbooks:end -->",
        &hubfix::registry::playbook_table(),
    );
}

#[test]
fn the_deploy_guide_names_every_template_parameter() {
    let template = std::fs::read_to_string(workspace().join("template.yaml")).unwrap();
    let guide = std::fs::read_to_string(workspace().join("docs/deploy.md")).unwrap();
    let parameters: Vec<&str> = template
        .lines()
        .skip_while(|l| *l != "Parameters:")
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect();
    assert!(parameters.len() > 40, "{parameters:?}");
    let missing: Vec<&&str> = parameters
        .iter()
        .filter(|p| !guide.contains(&format!("`{p}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/deploy.md does not name {missing:?}"
    );
}

/// The Markdown files of docs/, relative to the repository root.
fn docs_dir() -> Vec<String> {
    let mut docs: Vec<String> = std::fs::read_dir(workspace().join("docs"))
        .expect("docs/")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    docs.sort();
    docs
}

/// The files whose repository paths are checked: all but the corpus's README, which
/// cites files of other repositories (each fixture's source).
fn names_repository_paths(doc: &str) -> bool {
    !doc.starts_with("tests/realworld/")
}

/// The repository's files as git knows them (tracked, or new and not ignored) that are
/// in the working tree, relative to its root.
fn repository_files() -> BTreeSet<String> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(workspace())
        .output()
        .expect("git ls-files (the docs test reads the repository's file list from git)");
    assert!(
        out.status.success(),
        "git ls-files: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|f| !f.is_empty() && workspace().join(f).exists())
        .map(str::to_owned)
        .collect()
}

/// `path` relative to the repository root, resolving `.` and `..`; `None` outside it.
fn normalised(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

#[test]
fn the_readme_is_a_first_page() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; at most {README_MAX_LINES}: move the details to docs/"
    );
    let linked: BTreeSet<String> = prose_blocks(&readme)
        .into_iter()
        .flat_map(|(_, block)| link_targets(&code_spans(&block).0))
        .map(|target| target.split('#').next().unwrap_or_default().to_owned())
        .collect();
    for doc in docs_dir() {
        assert!(linked.contains(&doc), "README.md does not link {doc}");
    }
}

#[test]
fn every_link_and_repository_path_in_the_docs_resolves() {
    let root = workspace();
    let files = repository_files();
    let top_level: BTreeSet<String> = files
        .iter()
        .map(|f| f.split('/').next().unwrap_or_default().to_owned())
        .collect();
    let mut broken = Vec::new();
    let mut checked = (0, 0);
    let documents: Vec<&String> = files.iter().filter(|f| f.ends_with(".md")).collect();
    assert!(documents.len() > docs_dir().len(), "{documents:?}");
    for doc in documents {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        let here = Path::new(doc).parent().unwrap_or(Path::new("")).to_owned();
        for (number, block) in prose_blocks(&text) {
            let (prose, spans) = code_spans(&block);
            for target in link_targets(&prose) {
                checked.0 += 1;
                if let Err(why) = resolve(&target, doc, &here, &files) {
                    broken.push(format!("{doc}:{number}: link ({target}): {why}"));
                }
            }
            let paths = spans
                .iter()
                .filter(|s| names_repository_paths(doc) && is_repository_path(s, &top_level));
            for span in paths {
                checked.1 += 1;
                if !path_exists(span, &files) {
                    broken.push(format!("{doc}:{number}: `{span}` is not in the repository"));
                }
            }
        }
    }
    assert!(checked.0 > 50 && checked.1 > 50, "{checked:?}");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Checks one link target of `doc` (in directory `here`).
fn resolve(target: &str, doc: &str, here: &Path, files: &BTreeSet<String>) -> Result<(), String> {
    if target.is_empty() {
        return Err("empty target".into());
    }
    if is_external(target) {
        return Ok(());
    }
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let file = if path.is_empty() {
        doc.to_owned()
    } else {
        normalised(&here.join(path)).ok_or("outside the repository")?
    };
    let exists = files.contains(&file) || files.iter().any(|f| f.starts_with(&format!("{file}/")));
    if !exists {
        return Err(format!("{file} is not in the repository"));
    }
    if anchor.is_empty() {
        return Ok(());
    }
    if !file.ends_with(".md") {
        return Err(format!("an anchor into {file}, which is not Markdown"));
    }
    let text = std::fs::read_to_string(workspace().join(&file)).unwrap();
    if anchors(&text).contains(anchor) {
        Ok(())
    } else {
        Err(format!("{file} has no heading #{anchor}"))
    }
}
