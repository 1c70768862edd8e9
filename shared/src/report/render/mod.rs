//! The report's output formats: plain text in the layout security teams hand to
//! auditors, JSON (schema [`super::SCHEMA`]), and a self-contained HTML page.

mod html;
mod svg;
mod text;

use std::fmt;
use std::str::FromStr;

use super::model::ComplianceReport;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// JSON, pretty-printed.
    Json,
    /// One HTML page with inline CSS and SVG charts, no external assets.
    Html,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Text, Format::Json, Format::Html];

    /// The format's name, as `--format` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Html => "html",
        }
    }

    /// The file extension of a report in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Html => "html",
        }
    }

    /// The HTTP content type of a report in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; charset=utf-8",
            Format::Json => "application/json",
            Format::Html => "text/html; charset=utf-8",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format `{0}`: use text, json or html")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

impl ComplianceReport {
    /// The report in a format.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => text::render(self),
            Format::Json => {
                let mut json = serde_json::to_string_pretty(self)
                    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
                json.push('\n');
                json
            }
            Format::Html => html::render(self),
        }
    }
}

/// A count with thousands separators, e.g. `1,247`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A score as printed: `85%`, or `no data`.
pub fn percent_text(percent: Option<u32>) -> String {
    percent.map_or_else(|| "no data".to_owned(), |p| format!("{p}%"))
}

/// `[S3.1] Title`, the way the report names a control.
pub fn control_label(id: &str, title: &str) -> String {
    if title.is_empty() {
        format!("[{id}]")
    } else {
        format!("[{id}] {title}")
    }
}

/// Text cut to at most `max` characters, ending in `...` when cut.
pub fn truncated(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(3)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_print() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
        assert_eq!("HTML".parse::<Format>(), Ok(Format::Html));
        assert!("pdf".parse::<Format>().is_err());
    }

    #[test]
    fn numbers_and_labels() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1247), "1,247");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(percent_text(Some(78)), "78%");
        assert_eq!(percent_text(None), "no data");
        assert_eq!(control_label("S3.1", ""), "[S3.1]");
        assert_eq!(truncated("abcdefghij", 10), "abcdefghij");
        assert_eq!(truncated("abcdef ghijk", 10), "abcdef...");
        assert_eq!(truncated("ééééééééééé", 5), "éé...");
    }
}
