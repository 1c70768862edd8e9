//! Printing results as a table, JSON or tab-separated text.

use std::io::Write;

use serde::Serialize;

use crate::args::Output;

/// Longest cell shown in a table; longer cells are cut with `…` (JSON and text keep all).
const MAX_CELL: usize = 72;

/// Rows with a header, printed in the chosen format; `json` is what `--output json`
/// prints instead. A closed pipe (`hubfix rules | head`) ends the output quietly.
pub(crate) fn print(format: Output, header: &[&str], rows: &[Vec<String>], json: &impl Serialize) {
    let text = match format {
        Output::Json => {
            let mut s = serde_json::to_string_pretty(json).unwrap_or_else(|e| format!("\"{e}\""));
            s.push('\n');
            s
        }
        Output::Text => rows
            .iter()
            .map(|row| {
                let mut line = row
                    .iter()
                    .map(|c| one_line(c))
                    .collect::<Vec<_>>()
                    .join("\t");
                line.push('\n');
                line
            })
            .collect(),
        Output::Table => table(header, rows),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Aligned columns under an upper-case header. Long cells are cut, except in the last
/// column, which holds what must stay whole (a note, a finding id).
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let last = header.len().saturating_sub(1);
    let cells: Vec<Vec<String>> =
        std::iter::once(header.iter().map(|h| h.to_uppercase()).collect())
            .chain(rows.iter().map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if i == last {
                            one_line(c)
                        } else {
                            cut(&one_line(c))
                        }
                    })
                    .collect()
            }))
            .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &cells {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_CELL {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(MAX_CELL - 1).collect();
    s.push('…');
    s
}

/// The last path segment of a finding id (ids are long ARNs), for tables.
pub(crate) fn short_id(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_cut_long_cells() {
        let rows = vec![
            vec!["x".repeat(100), "S3.8".to_owned(), "y".repeat(100)],
            vec![
                "short".to_owned(),
                "EC2.13".to_owned(),
                "line\nbreak".to_owned(),
            ],
        ];
        let text = table(&["resource", "control", "note"], &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            format!("{:<w$}  CONTROL  NOTE", "RESOURCE", w = MAX_CELL)
        );
        assert!(lines[1].starts_with(&format!("{}…  S3.8", "x".repeat(MAX_CELL - 1))));
        assert!(
            lines[1].ends_with(&"y".repeat(100)),
            "the last column is never cut"
        );
        assert_eq!(
            lines[2],
            format!("{:<w$}  EC2.13   line break", "short", w = MAX_CELL)
        );
    }

    #[test]
    fn short_ids_are_the_last_segment() {
        assert_eq!(
            short_id("arn:aws:securityhub:us-east-1:1:subscription/x/S3.8/finding/abc"),
            "abc"
        );
        assert_eq!(short_id("plain"), "plain");
    }
}
