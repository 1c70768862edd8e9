//! Inline SVG charts: every number is text in the document, so it can be read (and
//! checked) without running any script.

use std::fmt::Write;

use super::super::model::TrendPoint;
use super::truncated;

/// Escapes text for HTML and SVG content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The colour of a score: green from 90%, amber from 70%, red below, grey without data.
pub(super) fn score_color(percent: Option<u32>) -> &'static str {
    match percent {
        Some(p) if p >= 90 => "#15803d",
        Some(p) if p >= 70 => "#d97706",
        Some(_) => "#dc2626",
        None => "#94a3b8",
    }
}

/// Colours of the trend's lines, one per standard.
pub(super) const SERIES: [&str; 8] = [
    "#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#db2777", "#65a30d", "#475569",
];

/// One bar of a bar chart.
pub(super) struct Bar {
    /// The label left of the bar.
    pub label: String,
    /// The bar's length, 0 to 1.
    pub fraction: f64,
    /// The value printed right of the bar.
    pub value: String,
    /// The bar's colour.
    pub color: &'static str,
    /// Attributes of the value's text element (e.g. `data-metric="..."`).
    pub attrs: String,
}

/// Width of the severity bar's coordinate system (it stretches to its box).
const STACK_WIDTH: f64 = 640.0;
/// Average width of a label character at 12px, for cutting labels to fit.
const CHAR_WIDTH: f64 = 7.2;

/// A horizontal bar chart `width` pixels wide (it shrinks to fit narrower boxes).
pub(super) fn bars(title: &str, rows: &[Bar], width: f64) -> String {
    let row = 30.0;
    let label_width = (width * 0.42).round();
    let bar_x = label_width + 12.0;
    let bar_width = width - bar_x - 64.0;
    let label_chars = (label_width / CHAR_WIDTH) as usize;
    let height = row * rows.len().max(1) as f64 + 8.0;
    let mut svg = format!(
        r#"<svg class="chart" width="{width}" viewBox="0 0 {width} {height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    for (i, bar) in rows.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let fill = bar_width * bar.fraction.clamp(0.0, 1.0);
        let _ = write!(
            svg,
            r##"<g><title>{full}: {value}</title><text class="label" x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{bar_x}" y="{by}" width="{bar_width}" height="16" rx="8" fill="#e2e8f0"/><rect x="{bar_x}" y="{by}" width="{fill:.1}" height="16" rx="8" fill="{color}"/><text class="value" x="{vx}" y="{ty}" {attrs}>{value}</text></g>"##,
            full = escape(&bar.label),
            value = escape(&bar.value),
            lx = label_width,
            ty = y + 17.0,
            label = escape(&truncated(&bar.label, label_chars)),
            by = y + 4.5,
            color = bar.color,
            vx = bar_x + bar_width + 10.0,
            attrs = bar.attrs,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A ring showing a score, the percentage in its middle.
pub(super) fn donut(percent: Option<u32>, attrs: &str) -> String {
    let radius = 34.0;
    let circumference = 2.0 * std::f64::consts::PI * radius;
    let filled = circumference * f64::from(percent.unwrap_or(0).min(100)) / 100.0;
    let text = percent.map_or_else(|| "n/a".to_owned(), |p| format!("{p}%"));
    let arc = if filled > 0.0 {
        format!(
            r#"<circle cx="44" cy="44" r="{radius}" fill="none" stroke="{color}" stroke-width="10" stroke-linecap="round" stroke-dasharray="{filled:.2} {circumference:.2}" transform="rotate(-90 44 44)"/>"#,
            color = score_color(percent),
        )
    } else {
        String::new()
    };
    format!(
        r##"<svg class="donut" viewBox="0 0 88 88" role="img" aria-label="score {text}"><circle cx="44" cy="44" r="{radius}" fill="none" stroke="#e2e8f0" stroke-width="10"/>{arc}<text x="44" y="50" text-anchor="middle" class="donut-value" {attrs}>{text}</text></svg>"##
    )
}

/// A line chart of scores over report dates, one line per standard `(id, name)`,
/// `width` pixels wide.
pub(super) fn trend(points: &[TrendPoint], series: &[(&str, &str)], width: f64) -> String {
    let (height, left, right, top, bottom) = (240.0, 44.0, 24.0, 14.0, 36.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let x = |i: usize| {
        if points.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y = |p: u32| top + plot_h * (1.0 - f64::from(p.min(100)) / 100.0);
    let mut svg = format!(
        r#"<svg class="chart" width="{width}" viewBox="0 0 {width} {height}" role="img" aria-label="Score trend">"#
    );
    for p in [0, 25, 50, 75, 100] {
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{x2}" y1="{y}" y2="{y}" stroke="#e2e8f0"/><text class="axis" x="{tx}" y="{ty}" text-anchor="end">{p}%</text>"##,
            x2 = width - right,
            y = y(p),
            tx = left - 6.0,
            ty = y(p) + 4.0,
        );
    }
    let step = points
        .len()
        .div_ceil((plot_w / 90.0).max(1.0) as usize)
        .max(1);
    for (i, point) in points.iter().enumerate() {
        let last = i + 1 == points.len();
        let crowds_last = !last && points.len() - 1 - i < step;
        if (i % step == 0 && !crowds_last) || last {
            let anchor = match (i, last) {
                (_, true) if points.len() > 1 => "end",
                (0, _) if points.len() > 1 => "start",
                _ => "middle",
            };
            let _ = write!(
                svg,
                r#"<text class="axis" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
                x(i),
                height - bottom + 18.0,
                escape(&point.date)
            );
        }
    }
    for (n, (id, name)) in series.iter().enumerate() {
        let color = SERIES[n % SERIES.len()];
        let coords: Vec<(usize, u32)> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.scores.get(*id).map(|s| (i, *s)))
            .collect();
        if coords.len() > 1 {
            let line: Vec<String> = coords
                .iter()
                .map(|(i, p)| format!("{:.1},{:.1}", x(*i), y(*p)))
                .collect();
            let _ = write!(
                svg,
                r#"<polyline fill="none" stroke="{color}" stroke-width="2.5" stroke-linejoin="round" points="{}"/>"#,
                line.join(" ")
            );
        }
        for (i, p) in coords {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{color}" stroke="#fff" stroke-width="1.5"><title>{}: {} {p}%</title></circle>"##,
                x(i),
                y(p),
                escape(&points[i].date),
                escape(name)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One horizontal bar split into coloured segments, in proportion to their counts.
pub(super) fn stacked(segments: &[(&str, u64, &'static str)]) -> String {
    let total: u64 = segments.iter().map(|s| s.1).sum();
    let mut svg = format!(
        r##"<svg class="stack" viewBox="0 0 {STACK_WIDTH} 22" preserveAspectRatio="none" role="img" aria-label="findings by severity"><rect width="{STACK_WIDTH}" height="22" fill="#e2e8f0"/>"##
    );
    let mut x = 0.0;
    for (label, count, color) in segments {
        if total == 0 || *count == 0 {
            continue;
        }
        let w = STACK_WIDTH * *count as f64 / total as f64;
        let _ = write!(
            svg,
            r#"<rect x="{x:.2}" width="{w:.2}" height="22" fill="{color}"><title>{}: {count}</title></rect>"#,
            escape(label)
        );
        x += w;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<b a="1">&'"#),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn charts_carry_their_numbers_as_text() {
        let chart = bars(
            "t",
            &[Bar {
                label: "<S3.1>".into(),
                fraction: 2.0,
                value: "3/4".into(),
                color: "#000",
                attrs: r#"data-metric="x""#.into(),
            }],
            520.0,
        );
        assert!(chart.contains(r#"data-metric="x">3/4</text>"#));
        assert!(chart.contains("&lt;S3.1&gt;"));
        assert!(donut(Some(85), "").contains(">85%</text>"));
        assert!(donut(None, "").contains(">n/a</text>"));
        let empty = trend(&[], &[], 520.0);
        assert!(empty.starts_with("<svg") && empty.ends_with("</svg>"));
        assert!(stacked(&[("High", 0, "#f00")]).ends_with("</svg>"));
    }
}
