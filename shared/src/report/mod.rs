//! The compliance report: a security team's summary for auditors, made from Security
//! Hub itself. Compliance score per enabled standard (per account and for the
//! organisation, as Security Hub defines it), the controls failing in the most
//! accounts, open findings by severity, findings hubfix resolved this month, and
//! suppressed findings; as text, JSON or a self-contained HTML page with charts.
//!
//! - [`gather`]: `GetEnabledStandards` and paged `GetFindings` (active findings);
//! - [`facts`], [`aggregate`], [`score`]: the findings folded, page by page, into
//!   statuses per (standard, control, account), and the scoring rules (pure);
//! - [`model`]: the report as data, and the JSON schema;
//! - [`render`]: text, JSON and HTML;
//! - [`store`]: reports kept in S3 and read back for the trend;
//! - [`function`]: the scheduled `compliance-report` function.
//!
//! ```no_run
//! # async fn example(client: aws_sdk_securityhub::Client) -> Result<(), hubfix::report::ReportError> {
//! use hubfix::report::{build, Format, ReportOptions};
//! let report = build(&client, &ReportOptions::default()).await?;
//! print!("{}", report.render(Format::Text));
//! # Ok(()) }
//! ```

pub mod aggregate;
pub mod facts;
pub mod function;
pub mod gather;
pub mod model;
pub mod render;
pub mod score;
pub mod standards;
pub mod store;

use aws_sdk_securityhub::Client;

pub use crate::date::Date;
pub use aggregate::{Aggregator, Window};
pub use model::{
    AccountScore, ComplianceReport, FailedControl, FindingSummary, Period, Score, SeverityCounts,
    StandardReport, TrendPoint, SCHEMA,
};
pub use render::{Format, UnknownFormat};
pub use standards::EnabledStandard;
pub use store::ReportStore;

use crate::error::FixError;

/// How many failed controls a report lists unless told otherwise.
pub const DEFAULT_TOP_CONTROLS: usize = 10;

/// What a report is made with, besides Security Hub's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    /// The organisation's name, printed on the report (Security Hub does not know it).
    pub organization: Option<String>,
    /// The administrator account to print; unset, the account the standards are
    /// enabled in (from their subscription ARNs).
    pub administrator_account: Option<String>,
    /// The report date; unset, today (UTC). "This month" is this date's month up to
    /// and including this date.
    pub date: Option<Date>,
    /// How many failed controls to list.
    pub top_controls: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            organization: None,
            administrator_account: None,
            date: None,
            top_controls: DEFAULT_TOP_CONTROLS,
        }
    }
}

/// Why a report could not be made or stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Reading Security Hub failed.
    #[error("could not read Security Hub: {0}")]
    SecurityHub(FixError),
    /// Reading or writing the report bucket failed.
    #[error("report bucket: {0}")]
    Storage(FixError),
}

/// The window of instants "this month" covers for a report date: the month's first
/// day through the end of the report date.
pub fn window_of(date: Date) -> Window {
    Window {
        start: date.month_start().start_seconds(),
        end: date.end_seconds(),
    }
}

/// Makes the report: reads the enabled standards and every active finding (a page at
/// a time), and computes scores, rankings and counts. Its trend holds only its own
/// scores; add earlier ones with [`ComplianceReport::with_trend`] (see
/// [`ReportStore::trend`]).
pub async fn build(
    client: &Client,
    options: &ReportOptions,
) -> Result<ComplianceReport, ReportError> {
    let date = options.date.unwrap_or_else(Date::today);
    let (enabled, subscribed_in) = gather::enabled_standards(client).await?;
    let mut aggregator = Aggregator::new(window_of(date));
    let pages = gather::findings(client, &mut aggregator).await?;
    tracing::info!(
        pages,
        findings = aggregator.summary().read,
        statuses = aggregator.entries(),
        standards = enabled.len(),
        "findings read"
    );
    let mut options = options.clone();
    if options.administrator_account.is_none() {
        options.administrator_account = subscribed_in;
    }
    Ok(assemble(
        &aggregator,
        &enabled,
        &options,
        date,
        crate::date::now_seconds(),
    ))
}

/// The report of summarised findings (pure: no AWS call).
pub fn assemble(
    aggregator: &Aggregator,
    enabled: &[EnabledStandard],
    options: &ReportOptions,
    date: Date,
    generated_at: i64,
) -> ComplianceReport {
    let report = ComplianceReport {
        schema: SCHEMA.to_owned(),
        generated_at: crate::date::rfc3339(generated_at),
        date: date.to_string(),
        organization: options
            .organization
            .clone()
            .filter(|o| !o.trim().is_empty()),
        administrator_account: options
            .administrator_account
            .clone()
            .filter(|a| !a.trim().is_empty()),
        period: Period {
            start: date.month_start().to_string(),
            end: date.to_string(),
        },
        accounts: aggregator.accounts(),
        standards: aggregator.standard_reports(enabled),
        top_failed_controls: aggregator.failed_controls(options.top_controls),
        findings: aggregator.summary(),
        trend: Vec::new(),
    };
    report.with_trend([])
}
