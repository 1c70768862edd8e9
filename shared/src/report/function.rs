//! The `compliance-report` function: on its schedule it makes the report, adds the
//! trend of earlier reports from the report bucket, and stores the report there as
//! JSON, HTML and text (`<prefix><yyyy>/<mm>/<dd>/report.{json,html,txt}`).

use serde_json::{json, Value};

use crate::aws::Clients;
use crate::function::{InvocationFailure, SCHEDULED_DETAIL_TYPE, SCHEDULED_SOURCE};
use crate::settings::ConfigError;

use super::store::{DEFAULT_PREFIX, DEFAULT_TREND_REPORTS};
use super::{build, Date, ReportError, ReportOptions, ReportStore, DEFAULT_TOP_CONTROLS};

/// The bucket reports are stored in (required).
pub const ENV_BUCKET: &str = "HUBFIX_REPORT_BUCKET";
/// The key prefix reports are stored under (default `reports/`).
pub const ENV_PREFIX: &str = "HUBFIX_REPORT_PREFIX";
/// The organisation's name printed on the report.
pub const ENV_ORGANIZATION: &str = "HUBFIX_REPORT_ORGANIZATION";
/// How many failed controls the report lists (default 10).
pub const ENV_TOP_CONTROLS: &str = "HUBFIX_REPORT_TOP_CONTROLS";
/// How many earlier reports the trend shows (default 30).
pub const ENV_TREND_REPORTS: &str = "HUBFIX_REPORT_TREND_REPORTS";

/// The function's configuration, from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionConfig {
    /// [`ENV_BUCKET`].
    pub bucket: String,
    /// [`ENV_PREFIX`].
    pub prefix: String,
    /// [`ENV_ORGANIZATION`].
    pub organization: Option<String>,
    /// [`ENV_TOP_CONTROLS`].
    pub top_controls: usize,
    /// [`ENV_TREND_REPORTS`].
    pub trend_reports: usize,
}

impl FunctionConfig {
    /// From the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any key/value source (tests use a map). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let bucket = get(ENV_BUCKET).ok_or_else(|| ConfigError {
            variable: ENV_BUCKET,
            reason: "the bucket the reports are written to is required".to_owned(),
        })?;
        let number = |name: &'static str, default: usize, max: usize| match get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| ConfigError {
                    variable: name,
                    reason: format!("`{v}` is not a whole number from 1 to {max}"),
                }),
        };
        Ok(FunctionConfig {
            bucket,
            prefix: get(ENV_PREFIX).unwrap_or_else(|| DEFAULT_PREFIX.to_owned()),
            organization: get(ENV_ORGANIZATION),
            top_controls: number(ENV_TOP_CONTROLS, DEFAULT_TOP_CONTROLS, 100)?,
            trend_reports: number(ENV_TREND_REPORTS, DEFAULT_TREND_REPORTS, 400)?,
        })
    }
}

/// Why an invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The event is not a scheduled event.
    #[error("event refused: this function handles EventBridge scheduled events (source aws.events, detail-type Scheduled Event): {0}")]
    NotScheduled(String),
    /// The report could not be made or stored.
    #[error(transparent)]
    Report(#[from] ReportError),
}

impl InvocationFailure for InvocationError {
    fn error_type(&self) -> &'static str {
        match self {
            InvocationError::NotScheduled(_) => "hubfix.WrongEventKind",
            InvocationError::Report(_) => "hubfix.ReportFailed",
        }
    }
}

/// The report date of a scheduled event: the date of its `time` (UTC), today when it
/// has none.
pub fn scheduled_date(event: &Value) -> Result<Date, InvocationError> {
    let field = |name: &str| event.get(name).and_then(Value::as_str);
    match (field("source"), field("detail-type")) {
        (Some(SCHEDULED_SOURCE), Some(SCHEDULED_DETAIL_TYPE)) => {}
        (source, kind) => {
            return Err(InvocationError::NotScheduled(format!(
                "got source {} and detail-type {}",
                source.unwrap_or("(none)"),
                kind.unwrap_or("(none)")
            )))
        }
    }
    match field("time") {
        None => Ok(Date::today()),
        Some(time) => crate::date::parse_instant(time)
            .map(Date::of_instant)
            .ok_or_else(|| InvocationError::NotScheduled(format!("`time` is not a time: {time}"))),
    }
}

/// The function: its clients and configuration, made once per cold start.
#[derive(Debug)]
pub struct ReportFunction {
    securityhub: aws_sdk_securityhub::Client,
    store: ReportStore,
    config: FunctionConfig,
}

impl ReportFunction {
    /// From clients and a configuration.
    pub fn new(clients: &Clients, config: FunctionConfig) -> Self {
        ReportFunction {
            securityhub: clients.securityhub.client().clone(),
            store: ReportStore::new(clients.s3.client().clone(), &config.bucket, &config.prefix),
            config,
        }
    }

    /// Handles one scheduled event: makes the report, adds the trend, stores it;
    /// answers with where it went and the scores.
    pub async fn handle(&self, event: Value) -> Result<Value, InvocationError> {
        let date =
            scheduled_date(&event).inspect_err(|e| tracing::error!(error = %e, "event refused"))?;
        let options = ReportOptions {
            organization: self.config.organization.clone(),
            administrator_account: None,
            date: Some(date),
            top_controls: self.config.top_controls,
        };
        let report = build(&self.securityhub, &options)
            .await
            .inspect_err(|e| tracing::error!(error = %e, "report failed"))?;
        let earlier = self
            .store
            .trend(date, self.config.trend_reports)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "earlier reports unreadable; the trend shows this report only");
                Vec::new()
            });
        let report = report.with_trend(earlier);
        let keys = self
            .store
            .save(&report)
            .await
            .inspect_err(|e| tracing::error!(error = %e, "report not stored"))?;
        let scores: serde_json::Map<String, Value> = report
            .standards
            .iter()
            .map(|s| (s.id.clone(), json!(s.score.percent)))
            .collect();
        tracing::info!(date = %report.date, bucket = self.store.bucket(), key = %keys[0], "report stored");
        Ok(json!({
            "date": report.date,
            "bucket": self.store.bucket(),
            "keys": keys,
            "scores": scores,
            "findings": report.findings,
            "trend_points": report.trend.len(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<FunctionConfig, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        FunctionConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn configuration_defaults_and_errors() {
        let c = config(&[(ENV_BUCKET, "reports-bucket")]).unwrap();
        assert_eq!(c.prefix, "reports/");
        assert_eq!(c.top_controls, 10);
        assert_eq!(c.trend_reports, 30);
        assert_eq!(c.organization, None);
        assert_eq!(config(&[]).unwrap_err().variable, ENV_BUCKET);
        let err = config(&[(ENV_BUCKET, "b"), (ENV_TOP_CONTROLS, "0")]).unwrap_err();
        assert_eq!(err.variable, ENV_TOP_CONTROLS);
        assert!(config(&[(ENV_BUCKET, "b"), (ENV_TREND_REPORTS, "many")]).is_err());
        let c = config(&[(ENV_BUCKET, "b"), (ENV_ORGANIZATION, " acme-corp ")]).unwrap();
        assert_eq!(c.organization.as_deref(), Some("acme-corp"));
    }

    #[test]
    fn scheduled_events_give_their_date() {
        let event = json!({"source": "aws.events", "detail-type": "Scheduled Event",
            "time": "2025-02-23T06:00:00Z", "detail": {}});
        assert_eq!(scheduled_date(&event).unwrap().to_string(), "2025-02-23");
        let other =
            json!({"source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported"});
        assert!(matches!(
            scheduled_date(&other),
            Err(InvocationError::NotScheduled(_))
        ));
        assert!(scheduled_date(&json!([])).is_err());
        let bad_time =
            json!({"source": "aws.events", "detail-type": "Scheduled Event", "time": "soon"});
        assert!(scheduled_date(&bad_time).is_err());
    }
}
