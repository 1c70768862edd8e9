//! The HTML report: one self-contained page (inline CSS and SVG, no script, no external
//! asset) that prints well and reads well in a browser. Every number is text in the
//! DOM, marked with a `data-metric` attribute so that tests (and scrapers) find it.

use std::fmt::Write;

use super::super::aggregate::severity_rows;
use super::super::model::{ComplianceReport, StandardReport};
use super::svg::{self, escape, score_color, Bar};
use super::{control_label, grouped, percent_text};

const STYLE: &str = r#"
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --panel: #ffffff; --bg: #f1f5f9; --accent: #1d4ed8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: linear-gradient(120deg, #0f172a, #1e3a8a); color: #fff; padding: 28px 40px 24px; }
header.top h1 { margin: 0 0 6px; font-size: 24px; font-weight: 650; letter-spacing: .2px; }
header.top .meta { display: flex; flex-wrap: wrap; gap: 8px 28px; color: #cbd5e1; }
header.top .meta b { color: #fff; font-weight: 600; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; margin-bottom: 16px; }
.card, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; box-shadow: 0 1px 2px rgba(15, 23, 42, .05); }
.card { display: flex; align-items: center; gap: 14px; padding: 16px; }
.card .donut { width: 88px; height: 88px; flex: none; }
.card h3 { margin: 0 0 4px; font-size: 14px; font-weight: 600; }
.card p { margin: 0; color: var(--muted); font-size: 12.5px; }
.donut-value { font-size: 19px; font-weight: 700; fill: var(--ink); }
.grid { display: grid; gap: 16px; margin-bottom: 16px; align-items: start; }
.grid.two { grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); }
.panel { padding: 18px 20px; margin-bottom: 16px; }
.grid .panel { margin-bottom: 0; }
.panel h2 { margin: 0 0 12px; font-size: 15px; font-weight: 650; }
.panel h2 .muted { color: var(--muted); font-weight: 500; font-size: 13px; }
.panel .note { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg text { font-family: inherit; }
svg .label { font-size: 12px; fill: #334155; }
svg .value { font-size: 12px; font-weight: 650; fill: var(--ink); }
svg .axis { font-size: 11px; fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 10px 0 0; padding: 0; list-style: none; font-size: 12.5px; color: #334155; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; margin-bottom: 14px; }
.kpi { border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
.kpi .n { display: block; font-size: 24px; font-weight: 700; }
.kpi .l { color: var(--muted); font-size: 12px; }
svg.stack { width: 100%; height: 22px; display: block; border-radius: 6px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.pill { display: inline-block; min-width: 48px; text-align: center; padding: 1px 8px; border-radius: 999px; color: #fff; font-weight: 600; font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
footer { max-width: 1180px; margin: 0 auto; padding: 4px 28px 28px; color: var(--muted); font-size: 12px; }
@media print { body { background: #fff; } header.top { background: #0f172a; -webkit-print-color-adjust: exact; print-color-adjust: exact; } .panel, .card { break-inside: avoid; box-shadow: none; } }
"#;

/// Chart widths: a half-width panel's and a full-width panel's content.
const HALF: f64 = 520.0;
const FULL: f64 = 1080.0;

const SEVERITY_COLORS: [&str; 5] = ["#991b1b", "#ea580c", "#d97706", "#2563eb", "#94a3b8"];

/// The report as one HTML page.
pub(super) fn render(r: &ComplianceReport) -> String {
    let org = r.organization.as_deref().unwrap_or("-");
    let mut page = String::with_capacity(32 * 1024);
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hubfix">
<title>AWS Security Hub Compliance Report - {org} - {date}</title>
<style>{STYLE}</style>
</head>
<body>
<header class="top">
<h1>AWS Security Hub Compliance Report</h1>
<div class="meta"><span>Organization <b data-metric="organization">{org}</b></span><span>Administrator account <b data-metric="administrator-account">{admin}</b></span><span>Report date <b data-metric="date">{date}</b></span><span>Standards enabled <b data-metric="standards-enabled">{enabled}</b></span></div>
</header>
<main>
"#,
        org = escape(org),
        admin = escape(r.administrator_account.as_deref().unwrap_or("-")),
        date = escape(&r.date),
        enabled = r.standards.len(),
    );
    cards(&mut page, r);
    page.push_str(r#"<section class="grid two">"#);
    score_panel(&mut page, r);
    findings_panel(&mut page, r);
    page.push_str("</section>\n");
    trend_panel(&mut page, r);
    failed_panel(&mut page, r);
    accounts_panel(&mut page, r);
    page.push_str("</main>\n");
    let _ = write!(
        page,
        r#"<footer>Generated by hubfix at {generated} from Security Hub's active findings ({read} read across {accounts} accounts). A standard's score is its passed controls over its enabled controls with data; a control fails when any of its findings fails in any account; suppressed and archived findings are left out. Auto-remediated: findings hubfix resolved from {start} to {end}. Schema {schema}.</footer>
</body>
</html>
"#,
        generated = escape(&r.generated_at),
        read = grouped(r.findings.read),
        accounts = r.accounts.len(),
        start = escape(&r.period.start),
        end = escape(&r.period.end),
        schema = escape(&r.schema),
    );
    page
}

fn metric_attrs(standard: &StandardReport) -> String {
    format!(
        r#"data-metric="score" data-standard="{}""#,
        escape(&standard.id)
    )
}

fn cards(page: &mut String, r: &ComplianceReport) {
    page.push_str(r#"<section class="cards">"#);
    if r.standards.is_empty() {
        page.push_str(r#"<div class="card"><p class="empty">No standard is enabled: enable one in Security Hub to get scores.</p></div>"#);
    }
    for s in &r.standards {
        let score = &s.score;
        let detail = if score.controls_with_data == 0 {
            "No control has data yet.".to_owned()
        } else {
            format!(
                "{} of {} controls passed · {} failed · {} unknown",
                score.passed, score.controls_with_data, score.failed, score.unknown
            )
        };
        let _ = write!(
            page,
            r#"<div class="card">{donut}<div><h3>{name}</h3><p>{detail}</p></div></div>"#,
            donut = svg::donut(score.percent, &metric_attrs(s)),
            name = escape(&s.name),
            detail = escape(&detail),
        );
    }
    page.push_str("</section>\n");
}

fn score_panel(page: &mut String, r: &ComplianceReport) {
    let rows: Vec<Bar> = r
        .standards
        .iter()
        .map(|s| Bar {
            label: s.short_name.clone(),
            fraction: f64::from(s.score.percent.unwrap_or(0)) / 100.0,
            value: percent_text(s.score.percent),
            color: score_color(s.score.percent),
            attrs: format!(
                r#"data-metric="bar-score" data-standard="{}""#,
                escape(&s.id)
            ),
        })
        .collect();
    let _ = write!(
        page,
        r#"<article class="panel"><h2>Compliance score per standard</h2>{}</article>"#,
        if rows.is_empty() {
            r#"<p class="empty">No standard is enabled.</p>"#.to_owned()
        } else {
            svg::bars("Compliance score per standard", &rows, HALF)
        }
    );
}

fn trend_panel(page: &mut String, r: &ComplianceReport) {
    let series: Vec<(&str, &str)> = r
        .standards
        .iter()
        .map(|s| (s.id.as_str(), s.short_name.as_str()))
        .collect();
    let mut legend = String::from(r#"<ul class="legend">"#);
    for (n, (_, name)) in series.iter().enumerate() {
        let _ = write!(
            legend,
            r#"<li><i style="background:{}"></i>{}</li>"#,
            svg::SERIES[n % svg::SERIES.len()],
            escape(name)
        );
    }
    legend.push_str("</ul>");
    let note = if r.trend.len() < 2 {
        r#"<p class="note">The trend fills in as daily reports accumulate in the report bucket.</p>"#
    } else {
        ""
    };
    let _ = write!(
        page,
        r#"<section class="panel"><h2>Score trend</h2>{}{legend}{note}</section>"#,
        svg::trend(&r.trend, &series, FULL)
    );
}

fn failed_panel(page: &mut String, r: &ComplianceReport) {
    let rows: Vec<Bar> = r
        .top_failed_controls
        .iter()
        .map(|c| Bar {
            label: control_label(&c.control_id, &c.title),
            fraction: f64::from(c.failed_accounts) / f64::from(c.total_accounts.max(1)),
            value: format!("{}/{}", c.failed_accounts, c.total_accounts),
            color: "#dc2626",
            attrs: format!(
                r#"data-metric="failed-accounts" data-control="{}""#,
                escape(&c.control_id)
            ),
        })
        .collect();
    let body = if rows.is_empty() {
        r#"<p class="empty">No control fails in any account.</p>"#.to_owned()
    } else {
        svg::bars("Top failed controls", &rows, FULL)
    };
    let _ = writeln!(
        page,
        r#"<section class="panel"><h2>Top failed controls <small class="muted">(accounts failing / accounts)</small></h2>{body}</section>"#
    );
}

fn findings_panel(page: &mut String, r: &ComplianceReport) {
    let f = &r.findings;
    let rows = severity_rows(&f.by_severity);
    let segments: Vec<(&str, u64, &'static str)> = rows
        .iter()
        .zip(SEVERITY_COLORS)
        .map(|((label, n), color)| (*label, *n, color))
        .collect();
    let _ = write!(
        page,
        r#"<article class="panel"><h2>Finding summary</h2><div class="kpis"><div class="kpi"><span class="n" data-metric="active">{}</span><span class="l">Total active findings</span></div><div class="kpi"><span class="n" data-metric="remediated">{}</span><span class="l">Auto-remediated this month</span></div><div class="kpi"><span class="n" data-metric="suppressed">{}</span><span class="l">Suppressed</span></div></div>{}<ul class="legend">"#,
        grouped(f.active),
        grouped(f.remediated_by_hubfix),
        grouped(f.suppressed),
        svg::stacked(&segments),
    );
    for (label, n, color) in segments {
        let _ = write!(
            page,
            r#"<li><i style="background:{color}"></i>{label}: <b data-metric="severity-{}">{}</b></li>"#,
            label.to_ascii_lowercase(),
            grouped(n)
        );
    }
    page.push_str("</ul></article>");
}

fn accounts_panel(page: &mut String, r: &ComplianceReport) {
    page.push_str(r#"<section class="panel"><h2>Scores by account</h2>"#);
    if r.accounts.is_empty() || r.standards.is_empty() {
        page.push_str(
            r#"<p class="empty">No account has data for an enabled standard.</p></section>"#,
        );
        return;
    }
    page.push_str("<table><thead><tr><th>Account</th>");
    for s in &r.standards {
        let _ = write!(page, r#"<th class="num">{}</th>"#, escape(&s.short_name));
    }
    page.push_str("</tr></thead><tbody>");
    for account in &r.accounts {
        let _ = write!(page, "<tr><td>{}</td>", escape(account));
        for s in &r.standards {
            let percent = s
                .accounts
                .iter()
                .find(|a| &a.account == account)
                .and_then(|a| a.score.percent);
            let _ = write!(
                page,
                r#"<td class="num"><span class="pill" style="background:{}" data-metric="account-score" data-standard="{}" data-account="{}">{}</span></td>"#,
                score_color(percent),
                escape(&s.id),
                escape(account),
                percent.map_or_else(|| "n/a".to_owned(), |p| format!("{p}%"))
            );
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></section>");
}
