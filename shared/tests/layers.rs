//! The layers: every module of the core (`hubfix`) sits in one layer and imports only
//! from its own layer and those below, and no modules import each other in a cycle;
//! above the core, the crates: the Lambda adapter (`hubfix-lambda`, the only one with
//! the Lambda runtime) under the function binaries, and the CLI beside it. The test
//! reads the sources (tests excluded: they may use anything) and the manifests, and
//! fails on an upward import, naming the file and the path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, bottom first; a module belongs to the entry that is its longest prefix.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &[
            "error", "ids", "date", "model", "coalesce", "settings", "finding",
        ],
    ),
    ("services", &["aws", "remediate"]),
    ("registry", &["registry"]),
    (
        "policy",
        &[
            "policy",
            "threat",
            "trust",
            "control",
            "outcome",
            "deferral",
            "pacing",
            "queue",
            "audit",
            "securityhub",
            "securityhub_read",
            "metrics",
            "scan::requirements",
            "scan::findings",
        ],
    ),
    (
        "flows",
        &["engine", "undo", "scan", "report", "reconcile", "setup"],
    ),
    (
        "functions",
        &[
            "function",
            "report::function",
            "scan::function",
            "reconcile::function",
            "setup::guard_function",
        ],
    ),
];

/// The crates above the core, each with the crates it must not depend on: the core
/// knows nothing of Lambda; the CLI runs the functions' handlers in-process without
/// the Lambda runtime; a function binary reaches the core through the adapter.
const CRATES: &[(&str, &[&str])] = &[
    (
        "shared",
        &["lambda_runtime", "tracing-subscriber", "hubfix-lambda"],
    ),
    ("cli", &["lambda_runtime", "hubfix-lambda"]),
    ("functions/auto-remediate", &["lambda_runtime", "hubfix"]),
    ("functions/custom-action", &["lambda_runtime", "hubfix"]),
    ("functions/compliance-report", &["lambda_runtime", "hubfix"]),
    ("functions/cis-scanner", &["lambda_runtime", "hubfix"]),
    ("functions/reconciler", &["lambda_runtime", "hubfix"]),
    ("functions/drift-guard", &["lambda_runtime", "hubfix"]),
];

/// Items the crate root re-exports, with the module that defines them.
const ROOT_EXPORTS: &[(&str, &str)] = &[
    ("Engine", "engine"),
    ("Report", "engine"),
    ("Request", "engine"),
    ("Finding", "finding"),
    ("SecurityHubEvent", "finding"),
    ("Outcome", "outcome"),
    ("OutcomeKind", "outcome"),
    ("Policy", "policy"),
];

/// The table entry (and its layer index) a module path belongs to.
fn entry_of(path: &[String]) -> Option<(&'static str, usize)> {
    let joined = path.join("::");
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, (_, mods))| mods.iter().map(move |m| (*m, i)))
        .filter(|(m, _)| joined == *m || joined.starts_with(&format!("{m}::")))
        .max_by_key(|(m, _)| m.len())
}

/// The module path of a source file: `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The code of a file without its tests and comments.
fn code_of(source: &str) -> String {
    let without_tests = source
        .find("#[cfg(test)]\nmod tests")
        .map_or(source, |i| &source[..i]);
    without_tests
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads `a::b::{c, d::e}` from `text`, appending every full path to `out`; returns the
/// bytes read.
fn read_paths(text: &str, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix.to_vec();
    let mut i = 0;
    let bytes: Vec<char> = text.chars().collect();
    loop {
        while i < bytes.len() && bytes[i].is_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == '{' {
            i += 1;
            loop {
                let rest: String = bytes[i..].iter().collect();
                i += read_paths(&rest, &path, out);
                while i < bytes.len() && (bytes[i].is_whitespace() || bytes[i] == ',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == '}' {
                    return i + 1;
                }
            }
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        if start == i {
            out.push(path);
            return i;
        }
        path.push(bytes[start..i].iter().collect());
        let rest: String = bytes[i..].iter().collect();
        if rest.starts_with("::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// Every module path the code names, `crate::` and `super::` resolved.
fn imports(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    for (n, &(at, _)) in chars.iter().enumerate() {
        let before = n.checked_sub(1).map(|k| chars[k].1);
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let rest = &code[at..];
        let (base, skip) = if rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if rest.starts_with("super::") {
            let mut base = module.to_vec();
            let mut skip = 0;
            let mut rest = rest;
            while rest.starts_with("super::") {
                base.pop();
                skip += "super::".len();
                rest = &rest["super::".len()..];
            }
            (base, skip)
        } else {
            continue;
        };
        let mut found = Vec::new();
        read_paths(&rest[skip..], &base, &mut found);
        out.extend(found);
    }
    out.into_iter()
        .map(|mut p| {
            if p.len() == 1 {
                if let Some((_, m)) = ROOT_EXPORTS.iter().find(|(item, _)| *item == p[0]) {
                    p = vec![(*m).to_owned()];
                }
            }
            p
        })
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Edges between table entries: (importer, imported) -> one example.
fn edges() -> BTreeMap<(&'static str, &'static str), String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = module_of(relative);
        if module.is_empty() {
            continue;
        }
        let Some((from, _)) = entry_of(&module) else {
            panic!("{} is in no layer: add it to LAYERS", relative.display());
        };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for path in imports(&code, &module) {
            if let Some((to, _)) = entry_of(&path) {
                if to != from {
                    edges
                        .entry((from, to))
                        .or_insert_with(|| format!("{}: {}", relative.display(), path.join("::")));
                }
            }
        }
    }
    edges
}

fn layer(entry: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, mods)| mods.contains(&entry))
        .unwrap()
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let upward: Vec<String> = edges()
        .into_iter()
        .filter(|((from, to), _)| layer(to) > layer(from))
        .map(|((from, to), example)| {
            format!(
                "{from} ({}) imports {to} ({}), e.g. {example}",
                LAYERS[layer(from)].0,
                LAYERS[layer(to)].0
            )
        })
        .collect();
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn no_modules_import_each_other_in_a_cycle() {
    let edges = edges();
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().insert(to);
    }
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(node, &graph, &mut stack, &mut done) {
            let shown: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} -> {} ({})", w[0], w[1], edges[&(w[0], w[1])]))
                .collect();
            panic!("import cycle:\n{}", shown.join("\n"));
        }
    }
}

/// The `[dependencies]` of a workspace crate (not its dev-dependencies: tests may use
/// anything).
fn dependencies_of(dir: &str) -> Vec<String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let manifest = workspace.join(dir).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest.display()));
    let table: toml::Table = toml::from_str(&text).unwrap();
    table
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|deps| deps.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn each_crate_depends_only_on_the_crates_below_it() {
    let mut wrong = Vec::new();
    for (dir, forbidden) in CRATES {
        for dep in dependencies_of(dir) {
            if forbidden.contains(&dep.as_str()) {
                wrong.push(format!("{dir}/Cargo.toml depends on {dep}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "crates out of their layer:\n{}",
        wrong.join("\n")
    );
    assert!(
        dependencies_of("lambda").contains(&"lambda_runtime".to_owned()),
        "the adapter is where the Lambda runtime is"
    );
}

#[test]
fn the_core_names_no_lambda_runtime_or_log_subscriber() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let named: Vec<String> = files
        .iter()
        .filter(|f| {
            let code = std::fs::read_to_string(f).unwrap();
            code.contains("lambda_runtime") || code.contains("tracing_subscriber")
        })
        .map(|f| f.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    assert!(
        named.is_empty(),
        "the core names the Lambda adapter's crates in {named:?}"
    );
}

#[test]
fn the_check_reads_grouped_and_relative_imports() {
    let code = "use crate::remediate::{ec2::{Foo, bar::Baz}, Fix};\nlet x = super::date::now();";
    let module = vec!["report".to_owned(), "function".to_owned()];
    let found: Vec<String> = imports(code, &module)
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert!(
        found.contains(&"remediate::ec2::bar::Baz".to_owned()),
        "{found:?}"
    );
    assert!(found.contains(&"remediate::Fix".to_owned()), "{found:?}");
    assert!(found.contains(&"report::date::now".to_owned()), "{found:?}");
    assert_eq!(
        entry_of(&["scan".into(), "function".into(), "x".into()])
            .unwrap()
            .0,
        "scan::function"
    );
    assert_eq!(entry_of(&["scan".into(), "gaps".into()]).unwrap().0, "scan");
}
