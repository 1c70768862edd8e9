//! No function of the core (`shared/src`) or of the Lambda adapter (`lambda/src`) is
//! longer than [`MAX_LINES`] lines, tests included: a longer one is split into named
//! steps. The test reads the sources (comments, strings and character literals set
//! aside, so that their braces do not count) and names the file, the line and the
//! function of each one over the limit.

use std::path::{Path, PathBuf};

/// The most lines a function may span, from its `fn` line to its closing brace.
const MAX_LINES: usize = 100;

/// The source trees held to the limit, relative to this crate's manifest.
const TREES: &[&str] = &["src", "../lambda/src"];

/// A function found in a source: its name, the line of its `fn` and its length in lines.
#[derive(Debug, PartialEq, Eq)]
struct Function {
    name: String,
    line: usize,
    lines: usize,
}

/// The source with every comment, string and character literal blanked out (newlines
/// kept, so that line numbers stay), leaving only the code's own braces.
fn code_only(source: &str) -> Vec<char> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = chars.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(chars.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        let end = match (chars[i], next) {
            ('/', Some('/')) => line_end(&chars, i),
            ('/', Some('*')) => block_comment_end(&chars, i),
            ('r', Some('"' | '#')) if !after_ident => raw_string_end(&chars, i),
            ('"', _) => string_end(&chars, i),
            ('\'', _) => char_literal_end(&chars, i),
            _ => None,
        };
        match end {
            Some(end) => {
                blank(&mut out, i, end);
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn line_end(chars: &[char], from: usize) -> Option<usize> {
    Some(
        chars[from..]
            .iter()
            .position(|c| *c == '\n')
            .map_or(chars.len(), |p| from + p),
    )
}

/// The end of a `/* */` comment, nested ones included.
fn block_comment_end(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = from;
    while i + 1 < chars.len() {
        match (chars[i], chars[i + 1]) {
            ('/', '*') => {
                depth += 1;
                i += 2;
            }
            ('*', '/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    Some(chars.len())
}

/// The end of `r"…"` or `r#"…"#` (any number of `#`); `None` when `r` is not one.
fn raw_string_end(chars: &[char], from: usize) -> Option<usize> {
    let hashes = chars[from + 1..].iter().take_while(|c| **c == '#').count();
    let open = from + 1 + hashes;
    if chars.get(open) != Some(&'"') {
        return None;
    }
    let mut i = open + 1;
    while i < chars.len() {
        if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|c| *c == '#') {
            let end = i + 1 + hashes;
            if end <= chars.len() {
                return Some(end);
            }
        }
        i += 1;
    }
    Some(chars.len())
}

fn string_end(chars: &[char], from: usize) -> Option<usize> {
    let mut i = from + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    Some(chars.len())
}

/// The end of a character literal (`'x'`, `'\n'`, `'\u{7f}'`); `None` for a lifetime.
fn char_literal_end(chars: &[char], from: usize) -> Option<usize> {
    match (chars.get(from + 1), chars.get(from + 2)) {
        (Some('\\'), _) => chars[from + 2..]
            .iter()
            .position(|c| *c == '\'')
            .map(|p| from + 2 + p + 1),
        (Some(_), Some('\'')) => Some(from + 3),
        _ => None,
    }
}

/// Every function with a body in `source`, nested ones too.
fn functions(source: &str) -> Vec<Function> {
    let code = code_only(source);
    let line_at = |i: usize| 1 + code[..i].iter().filter(|c| **c == '\n').count();
    let mut found = Vec::new();
    for i in 0..code.len().saturating_sub(2) {
        let keyword = code[i] == 'f' && code[i + 1] == 'n';
        if !keyword || (i > 0 && is_ident(code[i - 1])) || !code[i + 2].is_whitespace() {
            continue;
        }
        let name_start = i
            + 2
            + code[i + 2..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
        let name: String = code[name_start..]
            .iter()
            .take_while(|c| is_ident(**c))
            .collect();
        if name.is_empty() {
            continue;
        }
        if let Some(close) = body_end(&code, name_start + name.len()) {
            found.push(Function {
                name,
                line: line_at(i),
                lines: line_at(close) - line_at(i) + 1,
            });
        }
    }
    found
}

/// The index of the closing brace of the body after a signature; `None` when the
/// signature ends with `;` (a declaration without a body).
fn body_end(code: &[char], from: usize) -> Option<usize> {
    let mut nesting = 0usize;
    let mut open = None;
    for (i, c) in code.iter().enumerate().skip(from) {
        match c {
            '(' | '[' => nesting += 1,
            ')' | ']' => nesting = nesting.saturating_sub(1),
            ';' if nesting == 0 => return None,
            '{' if nesting == 0 => {
                open = Some(i);
                break;
            }
            _ => {}
        }
    }
    let mut depth = 0usize;
    for (i, c) in code.iter().enumerate().skip(open?) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_function_is_longer_than_the_limit() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().unwrap();
    let mut files = Vec::new();
    for tree in TREES {
        sources(&manifest.join(tree), &mut files);
    }
    files.sort();
    assert!(files.len() > 50, "only {} sources found", files.len());
    let mut too_long = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let shown = file
            .canonicalize()
            .ok()
            .and_then(|f| {
                f.strip_prefix(workspace.canonicalize().ok()?)
                    .ok()
                    .map(Path::to_path_buf)
            })
            .unwrap_or_else(|| file.clone());
        for f in functions(&source)
            .into_iter()
            .filter(|f| f.lines > MAX_LINES)
        {
            too_long.push(format!(
                "{}:{}: fn {} is {} lines",
                shown.display(),
                f.line,
                f.name,
                f.lines
            ));
        }
    }
    assert!(
        too_long.is_empty(),
        "functions over {MAX_LINES} lines (split them into named steps):\n{}",
        too_long.join("\n")
    );
}

#[test]
fn the_scanner_measures_functions_and_skips_comments_strings_and_literals() {
    let source = r##"
/// A doc comment with a brace {
pub(crate) async fn outer<'a>(x: &'a str) -> Result<(), Box<dyn Fn(u8) -> u8>> {
    let open = '{';
    let text = "}}} // not a comment";
    let raw = r#"{ "}" "#;
    /* a { block /* nested } */ comment */
    fn inner() {
        if true {}
    }
    Ok(())
}

trait Shape {
    fn area(&self) -> f64;
}

fn last() { let _f: fn(u8) = drop; }
"##;
    let found = functions(source);
    assert_eq!(
        found,
        [
            Function {
                name: "outer".into(),
                line: 3,
                lines: 10
            },
            Function {
                name: "inner".into(),
                line: 8,
                lines: 3
            },
            Function {
                name: "last".into(),
                line: 18,
                lines: 1
            },
        ]
    );
}

#[test]
fn a_function_over_the_limit_is_found() {
    let body = "    step();\n".repeat(MAX_LINES);
    let source = format!("fn short() {{}}\n\nfn long() {{\n{body}}}\n");
    let long: Vec<Function> = functions(&source)
        .into_iter()
        .filter(|f| f.lines > MAX_LINES)
        .collect();
    assert_eq!(
        long,
        [Function {
            name: "long".into(),
            line: 3,
            lines: MAX_LINES + 2
        }]
    );
}
