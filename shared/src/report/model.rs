//! The compliance report as data: what every output format renders, and the JSON
//! document (schema [`SCHEMA`]) the function stores and reads back for the trend.
//!
//! The JSON schema is stable: fields are only ever added within a schema version;
//! renaming or removing one, or changing its meaning, makes a new version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `schema` field of every report this version writes.
pub const SCHEMA: &str = "hubfix-compliance-report/1";

/// A compliance report of the organisation's Security Hub findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceReport {
    /// [`SCHEMA`].
    pub schema: String,
    /// When the report was made, RFC 3339 UTC.
    pub generated_at: String,
    /// The report date, `YYYY-MM-DD`.
    pub date: String,
    /// The organisation's name, as configured.
    pub organization: Option<String>,
    /// The Security Hub administrator account the findings were read in.
    pub administrator_account: Option<String>,
    /// The period "this month" covers: its first day to the report date.
    pub period: Period,
    /// Every account with at least one active finding, sorted.
    pub accounts: Vec<String>,
    /// One entry per enabled standard, in `GetEnabledStandards` order.
    pub standards: Vec<StandardReport>,
    /// Controls failing in at least one account, most accounts first.
    pub top_failed_controls: Vec<FailedControl>,
    /// Finding counts.
    pub findings: FindingSummary,
    /// Scores of earlier reports, oldest first, ending with this report's own.
    pub trend: Vec<TrendPoint>,
}

/// A period of whole days, both inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, `YYYY-MM-DD`.
    pub end: String,
}

/// An enabled standard and its scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardReport {
    /// The standard's id, e.g. `standards/aws-foundational-security-best-practices/v/1.0.0`.
    pub id: String,
    /// The standard's ARN.
    pub arn: String,
    /// Its name, e.g. `AWS Foundational Security Best Practices`.
    pub name: String,
    /// Its short name, e.g. `AWS FSBP v1.0`.
    pub short_name: String,
    /// The subscription status (`READY`, ...).
    pub status: String,
    /// The organisation's score: a control counts as failed when it fails in any account.
    pub score: Score,
    /// Each account's score, for the accounts with data for this standard, sorted.
    pub accounts: Vec<AccountScore>,
}

/// A security score as Security Hub defines it: passed controls over controls with
/// data (passed, failed or unknown); controls with no data are left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Controls whose findings all passed.
    pub passed: u32,
    /// Controls with at least one failed finding.
    pub failed: u32,
    /// Controls with a WARNING or NOT_AVAILABLE finding and no failed one.
    pub unknown: u32,
    /// `passed + failed + unknown`.
    pub controls_with_data: u32,
    /// `100 * passed / controls_with_data` rounded half up; `null` without data.
    pub percent: Option<u32>,
}

/// One account's score for a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountScore {
    /// The account id.
    pub account: String,
    /// Its score.
    pub score: Score,
}

/// A control failing in some accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedControl {
    /// The security control id, e.g. `S3.1`.
    pub control_id: String,
    /// The control's title, from its findings.
    pub title: String,
    /// How many accounts fail it.
    pub failed_accounts: u32,
    /// How many accounts the report covers.
    pub total_accounts: u32,
    /// The accounts that fail it, sorted.
    pub accounts: Vec<String>,
}

/// What the findings add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingSummary {
    /// Active findings still open: workflow NEW or NOTIFIED, compliance not PASSED.
    pub active: u64,
    /// The open findings by severity.
    pub by_severity: SeverityCounts,
    /// Findings RESOLVED with a note hubfix wrote within the period.
    pub remediated_by_hubfix: u64,
    /// Active findings with workflow SUPPRESSED.
    pub suppressed: u64,
    /// Active findings read from Security Hub.
    pub read: u64,
}

/// Counts per severity label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// CRITICAL.
    pub critical: u64,
    /// HIGH.
    pub high: u64,
    /// MEDIUM.
    pub medium: u64,
    /// LOW.
    pub low: u64,
    /// INFORMATIONAL, and findings without a severity.
    pub informational: u64,
}

/// The scores of one report, for the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The report date, `YYYY-MM-DD`.
    pub date: String,
    /// Score percent by standard id (standards without data are left out).
    pub scores: BTreeMap<String, u32>,
}

impl TrendPoint {
    /// The trend point of a stored report, read leniently: any report of schema 1
    /// whose date and scores can be read; `None` for anything else.
    pub fn from_report_json(bytes: &[u8]) -> Option<TrendPoint> {
        let doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let schema = doc.get("schema")?.as_str()?;
        if schema != SCHEMA {
            return None;
        }
        let date = doc.get("date")?.as_str()?;
        date.parse::<super::Date>().ok()?;
        let scores = doc
            .get("standards")?
            .as_array()?
            .iter()
            .filter_map(|s| {
                let id = s.get("id")?.as_str()?;
                let percent = s.get("score")?.get("percent")?.as_u64()?;
                Some((id.to_owned(), u32::try_from(percent.min(100)).ok()?))
            })
            .collect();
        Some(TrendPoint {
            date: date.to_owned(),
            scores,
        })
    }
}

impl ComplianceReport {
    /// This report's own trend point.
    pub fn trend_point(&self) -> TrendPoint {
        TrendPoint {
            date: self.date.clone(),
            scores: self
                .standards
                .iter()
                .filter_map(|s| s.score.percent.map(|p| (s.id.clone(), p)))
                .collect(),
        }
    }

    /// The report with earlier reports' scores as its trend: points dated before this
    /// report (one per date, the last given wins), oldest first, then its own.
    pub fn with_trend(mut self, earlier: impl IntoIterator<Item = TrendPoint>) -> Self {
        let mut by_date: BTreeMap<String, TrendPoint> = BTreeMap::new();
        for point in earlier {
            if point.date < self.date {
                by_date.insert(point.date.clone(), point);
            }
        }
        let own = self.trend_point();
        self.trend = by_date.into_values().chain([own]).collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_points_are_read_leniently() {
        let good = br#"{"schema":"hubfix-compliance-report/1","date":"2025-01-23",
            "standards":[{"id":"standards/a/v/1","score":{"percent":80}},
                         {"id":"standards/b/v/1","score":{"percent":null}},
                         {"score":{"percent":5}}]}"#;
        let point = TrendPoint::from_report_json(good).unwrap();
        assert_eq!(point.date, "2025-01-23");
        assert_eq!(
            point.scores,
            BTreeMap::from([("standards/a/v/1".to_owned(), 80)])
        );
        for bad in [
            &b"not json"[..],
            br#"{"schema":"other/1","date":"2025-01-23","standards":[]}"#,
            br#"{"schema":"hubfix-compliance-report/1","date":"soon","standards":[]}"#,
            br#"{"schema":"hubfix-compliance-report/1","date":"2025-01-23"}"#,
            br#"[]"#,
        ] {
            assert_eq!(TrendPoint::from_report_json(bad), None);
        }
    }
}
