//! Reading hubfix's Markdown documentation the way GitHub renders it, for the test that
//! every link and every repository path in README.md, docs/ and the repository's other
//! Markdown files resolves (tests/integration/readme.rs).
//!
//! - **Links**: inline links `[text](target)` and reference definitions `[label]: target`
//!   outside fenced code blocks and code spans (both may wrap over lines). A target is external (`http:`, `https:`,
//!   `mailto:`; not fetched, the tests run offline), an anchor in the same file
//!   (`#slug`), or a path relative to the linking file, with an optional `#slug`.
//! - **Anchors**: the slugs GitHub gives a file's headings (the heading's text as
//!   rendered, lower-cased, every character but letters, digits, `-`, `_` and spaces
//!   removed, spaces made hyphens, a repeated slug suffixed `-1`, `-2`, ...) and the
//!   `<a name="...">`/`<a id="...">` tags of the file.
//! - **Repository paths**: a code span outside fenced blocks is taken for a path of the
//!   repository when it consists only of letters, digits and `. _ / * -`, and either its
//!   first segment is a top-level entry of the repository (`shared/src/trust.rs`,
//!   `tests/emulator/`, `Makefile`), or it has no `/` and ends in a source or data
//!   extension (`.rs`, `.py`, `.sh`, `.toml`, `.yaml`, `.yml`, `.json`, `.md`) and so
//!   names a file by its name (`engine_edges.rs`). Such a path is relative to the
//!   repository root; `*` matches within one segment; a trailing `/` names a directory.
//!   Placeholders (`events/<file>`), generated files outside the repository (`.venv/`,
//!   `target/`) and commands (`hubfix undo`) are therefore not paths.

use std::collections::{BTreeMap, BTreeSet};

/// Extensions that make a bare file name (no `/`) a repository path.
const FILE_EXTENSIONS: [&str; 8] = [
    ".rs", ".py", ".sh", ".toml", ".yaml", ".yml", ".json", ".md",
];

/// A Markdown file's lines outside fenced code blocks, with their 1-based numbers.
pub fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            (None, None) => lines.push((i + 1, line)),
            _ => {}
        }
    }
    lines
}

/// A Markdown file's blocks outside fenced code blocks (runs of non-blank lines, joined
/// by newlines, so that a code span or link may wrap), with their first line's number.
pub fn prose_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks: Vec<(usize, String)> = Vec::new();
    let mut previous = 0;
    for (number, line) in prose_lines(text) {
        let continues = number == previous + 1 && !line.trim().is_empty();
        match blocks.last_mut() {
            Some((_, block)) if continues && !block.is_empty() => {
                block.push('\n');
                block.push_str(line);
            }
            _ if !line.trim().is_empty() => blocks.push((number, line.to_owned())),
            _ => {}
        }
        previous = number;
    }
    blocks
}

/// Splits a block into its code spans (a span may wrap: its newlines read as spaces) and
/// the text around them (with each span replaced by a space): `(text, spans)`.
pub fn code_spans(block: &str) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut rest = block;
    while let Some(open) = rest.find('`') {
        let ticks = rest[open..].chars().take_while(|c| *c == '`').count();
        let fence = &rest[open..open + ticks];
        let after = &rest[open + ticks..];
        let Some(close) = after.find(fence) else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push(' ');
        spans.push(after[..close].replace('\n', " ").trim().to_owned());
        rest = &after[close + ticks..];
    }
    text.push_str(rest);
    (text, spans)
}

/// The link targets of a block of prose (code spans already removed): inline links and
/// reference definitions.
pub fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some((label, target)) = trimmed.strip_prefix('[').and_then(|l| l.split_once("]:")) {
            if !label.contains(']') {
                if let Some(target) = target.split_whitespace().next() {
                    targets.push(target.trim_matches(['<', '>']).to_owned());
                }
            }
        }
    }
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else {
            break;
        };
        let target = after[..end].split_whitespace().next().unwrap_or_default();
        targets.push(target.trim_matches(['<', '>']).to_owned());
        rest = &after[end + 1..];
    }
    targets
}

/// Whether a link target is outside the repository (not checked: no network).
pub fn is_external(target: &str) -> bool {
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| target.starts_with(scheme))
}

/// A heading's text as GitHub renders it: code spans' contents, links' texts, no
/// emphasis markers, no HTML tags, no closing `#`s.
fn rendered(heading: &str) -> String {
    let heading = heading.trim().trim_end_matches('#').trim_end();
    let mut out = String::new();
    let mut chars = heading.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' | '*' => {}
            '<' => {
                for c in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                }
            }
            '[' => {}
            ']' if chars.peek() == Some(&'(') => {
                for c in chars.by_ref() {
                    if c == ')' {
                        break;
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The slug GitHub gives a heading, before de-duplication.
pub fn slug(heading: &str) -> String {
    rendered(heading)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every anchor a Markdown file defines: its headings' slugs (repeated ones suffixed
/// `-1`, `-2`, ... as GitHub does) and its `<a name>`/`<a id>` tags.
pub fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = slug(&line[hashes..]);
            let n = seen.entry(base.clone()).or_insert(0);
            out.insert(if *n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            });
            *n += 1;
        }
        for attribute in ["<a name=\"", "<a id=\""] {
            let mut rest = line;
            while let Some(at) = rest.find(attribute) {
                let after = &rest[at + attribute.len()..];
                let end = after.find('"').unwrap_or(after.len());
                out.insert(after[..end].to_owned());
                rest = &after[end..];
            }
        }
    }
    out
}

/// Whether a code span names a path of the repository (see the module's rule), given
/// the repository's top-level entries.
pub fn is_repository_path(span: &str, top_level: &BTreeSet<String>) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '*' | '-');
    if span.is_empty() || !span.chars().all(allowed) {
        return false;
    }
    match span.split_once('/') {
        Some((first, _)) => top_level.contains(first),
        None => top_level.contains(span) || FILE_EXTENSIONS.iter().any(|e| span.ends_with(e)),
    }
}

/// Whether `pattern` (`*` matching within one segment) matches `path`.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path): (Vec<&str>, Vec<&str>) =
        (pattern.split('/').collect(), path.split('/').collect());
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| segment_matches(p, s))
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == segment,
        Some((head, tail)) => {
            segment.starts_with(head)
                && (head.len()..=segment.len())
                    .any(|i| segment.is_char_boundary(i) && segment_matches(tail, &segment[i..]))
        }
    }
}

/// Whether a repository path (see the module's rule) exists among `files` (the
/// repository's files, relative to its root): as a file, as a directory holding files,
/// or, for a bare name, as the name of a file anywhere.
pub fn path_exists(span: &str, files: &BTreeSet<String>) -> bool {
    let dir = span.strip_suffix('/');
    let wanted = dir.unwrap_or(span);
    let depth = wanted.split('/').count();
    files.iter().any(|file| {
        let segments: Vec<&str> = file.split('/').collect();
        let as_file = dir.is_none() && glob_matches(wanted, file);
        let as_dir = segments.len() > depth && glob_matches(wanted, &segments[..depth].join("/"));
        let as_name = !span.contains('/') && glob_matches(span, segments[segments.len() - 1]);
        as_file || as_dir || as_name
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(
            slug(" Which findings hubfix trusts"),
            "which-findings-hubfix-trusts"
        );
        assert_eq!(slug(" The `hubfix` command"), "the-hubfix-command");
        assert_eq!(
            slug(" JSON schema `hubfix-compliance-report/1`"),
            "json-schema-hubfix-compliance-report1"
        );
        assert_eq!(
            slug(" Security Hub's next check"),
            "security-hubs-next-check"
        );
        assert_eq!(slug(" CIS 3.0.0 and [docs](x.md) ##"), "cis-300-and-docs");
        assert_eq!(slug(" A - B"), "a---b");
        assert_eq!(slug(" HUBFIX_DRY_RUN"), "hubfix_dry_run");
    }

    #[test]
    fn repeated_headings_are_numbered_and_code_blocks_are_not_headings() {
        let text = "# Top\n## Scale\n```sh\n# not a heading\n```\n## Scale\n<a name=\"x-y\"></a>\n#hashtag\n";
        let got: Vec<String> = anchors(text).into_iter().collect();
        assert_eq!(got, ["scale", "scale-1", "top", "x-y"]);
    }

    #[test]
    fn links_and_code_spans_are_told_apart() {
        let (text, spans) =
            code_spans("See [Scale](docs/scale.md#queue) and `a](b)` or ``x ` y``.");
        assert_eq!(spans, ["a](b)", "x ` y"]);
        assert_eq!(link_targets(&text), ["docs/scale.md#queue"]);
        assert_eq!(link_targets("[ref]: <docs/a.md> \"title\""), ["docs/a.md"]);
        assert!(is_external("https://docs.aws.amazon.com/"));
        let fenced = prose_lines("a\n```\n[x](y)\n```\nb");
        assert_eq!(fenced, [(1, "a"), (5, "b")]);
        let blocks =
            prose_blocks("one `wrapped\nspan` and [a\nlink](x.md)\n\n```\n`no`\n```\nlast");
        assert_eq!(
            blocks,
            [
                (1, "one `wrapped\nspan` and [a\nlink](x.md)".to_owned()),
                (8, "last".to_owned())
            ]
        );
        let (text, spans) = code_spans(&blocks[0].1);
        assert_eq!(spans, ["wrapped span"]);
        assert_eq!(link_targets(&text), ["x.md"]);
    }

    #[test]
    fn repository_paths_follow_the_rule() {
        let top: BTreeSet<String> = ["shared", "tests", "Makefile"].map(String::from).into();
        let files: BTreeSet<String> = [
            "shared/src/trust.rs",
            "tests/integration/queue.rs",
            "tests/integration/s3_catalogue.rs",
            "Makefile",
        ]
        .map(String::from)
        .into();
        for path in [
            "shared/src/trust.rs",
            "tests/integration/",
            "tests/integration/*_catalogue.rs",
            "Makefile",
            "queue.rs",
        ] {
            assert!(is_repository_path(path, &top), "{path}");
            assert!(path_exists(path, &files), "{path}");
        }
        for missing in [
            "shared/src/gone.rs",
            "tests/integration/*_missing.rs",
            "shared/src/trust.rs/",
            "nowhere.rs",
        ] {
            assert!(is_repository_path(missing, &top), "{missing}");
            assert!(!path_exists(missing, &files), "{missing}");
        }
        for not_a_path in [
            "events/<file>",
            ".venv/bin/pytest",
            "hubfix undo",
            "hubfix::report::build",
            "S3.8",
            "report.html",
        ] {
            assert!(!is_repository_path(not_a_path, &top), "{not_a_path}");
        }
    }
}
