//! The reconciler: hubfix's own guarantee that no finding of an automatic control is
//! left behind. Run on a schedule (the `reconciler` function, every five minutes by
//! default), it puts back on the automatic path's queue:
//!
//! - **deferred findings whose time has come** ([`crate::deferral`]): NOTIFIED findings
//!   carrying hubfix's marker, due by their `hubfix:retry-after`;
//! - **stale NEW findings**: FAILED findings of the controls in automatic mode still NEW
//!   well after Security Hub last updated them (`new_after`, 15 minutes by default).
//!   Their event was lost somewhere (dropped, dead-lettered, postponed past its retries,
//!   an outcome that could not be recorded), or they were NEW before hubfix was
//!   deployed. This sweep runs only when the queue is drained: before that, the
//!   findings may simply be waiting in it.
//!
//! Reads are paced below `GetFindings`' quota (3 a second, burst 6, shared with the
//! compliance report), and each run puts at most `max_per_run` findings on the queue.
//! A finding put back twice is harmless: the engine's lock and re-read make the second
//! one a note, never a second change.

pub mod function;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_securityhub::types::{
    AwsSecurityFindingFilters, DateFilter, MapFilter, MapFilterComparison, StringFilter,
    StringFilterComparison,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde::Serialize;
use serde_json::Value;

use crate::date::rfc3339;
use crate::deferral;
use crate::error::FixError;
use crate::finding::Finding;
use crate::pacing::TokenBucket;
use crate::policy::{Mode, Policy};
use crate::securityhub_read::{from_sdk_finding, MAX_PAGE};

/// Most values one `GetFindings` string filter takes.
const MAX_FILTER_VALUES: usize = 20;
/// How far back the stale-NEW sweep looks (Security Hub deletes findings not updated
/// for 90 days).
const LOOK_BACK: Duration = Duration::from_secs(90 * 24 * 3600);

/// What the reconciler does in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconcileOptions {
    /// The automatic path's queue.
    pub queue_url: String,
    /// A NEW finding untouched by Security Hub for this long is put back.
    pub new_after: Duration,
    /// Most findings put back in one run.
    pub max_per_run: usize,
    /// `GetFindings` calls a second.
    pub reads_per_second: f64,
}

impl ReconcileOptions {
    /// The defaults for a queue: 15 minutes, 1,000 findings a run, one read a second.
    pub fn new(queue_url: impl Into<String>) -> Self {
        ReconcileOptions {
            queue_url: queue_url.into(),
            new_after: Duration::from_secs(15 * 60),
            max_per_run: 1000,
            reads_per_second: 1.0,
        }
    }
}

/// Whether the stale-NEW sweep ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "sweep")]
pub enum NewSweep {
    /// It ran.
    Ran,
    /// The queue still held messages, which may be those findings' events.
    QueueBusy {
        /// Messages in the queue (visible, in flight and delayed).
        messages: u64,
    },
    /// The run's limit was reached by deferred findings first.
    LimitReached,
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconcileReport {
    /// Deferred findings found due.
    pub deferred_due: usize,
    /// NEW findings found stale.
    pub stale_new: usize,
    /// Findings put back on the queue.
    pub requeued: usize,
    /// Whether the stale-NEW sweep ran.
    pub new_sweep: NewSweep,
    /// What went wrong (reads or sends that failed); the next run tries again.
    pub errors: Vec<String>,
}

/// The control ids whose findings the automatic path acts on under `policy`.
pub fn automatic_controls(policy: &Policy) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = policy
        .rules()
        .into_iter()
        .filter(|r| policy.mode(r) == Mode::Auto)
        .map(|r| r.control_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn equals(values: &[&str]) -> Vec<StringFilter> {
    values
        .iter()
        .map(|v| {
            StringFilter::builder()
                .value(*v)
                .comparison(StringFilterComparison::Equals)
                .build()
        })
        .collect()
}

fn seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The filter of deferred findings (their due time is checked on each finding).
pub fn deferred_filter() -> AwsSecurityFindingFilters {
    AwsSecurityFindingFilters::builder()
        .set_workflow_status(Some(equals(&["NOTIFIED"])))
        .set_record_state(Some(equals(&["ACTIVE"])))
        .user_defined_fields(
            MapFilter::builder()
                .key(deferral::FIELD_STATE)
                .value(deferral::STATE_DEFERRED)
                .comparison(MapFilterComparison::Equals)
                .build(),
        )
        .build()
}

/// The filters of stale NEW findings of `controls` at `now`, one per 20 controls (a
/// string filter takes at most 20 values).
pub fn stale_new_filters(
    controls: &[&str],
    now: SystemTime,
    new_after: Duration,
) -> Vec<AwsSecurityFindingFilters> {
    let updated = DateFilter::builder()
        .start(rfc3339(seconds(now - LOOK_BACK)))
        .end(rfc3339(seconds(now - new_after)))
        .build();
    controls
        .chunks(MAX_FILTER_VALUES)
        .map(|chunk| {
            AwsSecurityFindingFilters::builder()
                .set_workflow_status(Some(equals(&["NEW"])))
                .set_record_state(Some(equals(&["ACTIVE"])))
                .set_compliance_status(Some(equals(&["FAILED"])))
                .set_compliance_security_control_id(Some(equals(chunk)))
                .updated_at(updated.clone())
                .build()
        })
        .collect()
}

/// Messages in the queue: visible, in flight and delayed.
pub async fn queue_depth(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<u64, FixError> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("sqs:GetQueueAttributes", queue_url, &[], e))?;
    Ok(out
        .attributes()
        .into_iter()
        .flat_map(|a| a.values())
        .filter_map(|v| v.parse::<u64>().ok())
        .sum())
}

/// Reads findings matching `filters`, paced, keeping those `keep` admits, until `limit`.
async fn collect(
    securityhub: &aws_sdk_securityhub::Client,
    reads: &TokenBucket,
    filters: AwsSecurityFindingFilters,
    limit: usize,
    keep: impl Fn(&Finding) -> bool,
    found: &mut Vec<Finding>,
) -> Result<(), FixError> {
    let mut token: Option<String> = None;
    loop {
        if found.len() >= limit {
            return Ok(());
        }
        reads.acquire().await;
        let page = securityhub
            .get_findings()
            .filters(filters.clone())
            .max_results(MAX_PAGE)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| FixError::from_sdk("securityhub:GetFindings", "findings", &[], e))?;
        for f in page.findings() {
            match from_sdk_finding(found.len(), f) {
                Ok(f) if keep(&f) && found.len() < limit => found.push(f),
                Ok(_) => {}
                Err(m) => {
                    tracing::warn!(finding_id = ?m.id, error = %m.error, "finding not readable; left alone")
                }
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => return Ok(()),
        }
    }
}

/// One run: deferred findings due at `now`, then (when the queue is drained) stale NEW
/// findings of the automatic controls, put back on the queue.
pub async fn reconcile(
    policy: &Policy,
    securityhub: &aws_sdk_securityhub::Client,
    sqs: &aws_sdk_sqs::Client,
    options: &ReconcileOptions,
    now: SystemTime,
) -> ReconcileReport {
    let reads = TokenBucket::new(options.reads_per_second, 1.0);
    let mut errors = Vec::new();
    let mut due = Vec::new();
    if let Err(e) = collect(
        securityhub,
        &reads,
        deferred_filter(),
        options.max_per_run,
        |f| deferral::is_due(f, now),
        &mut due,
    )
    .await
    {
        errors.push(e.to_string());
    }
    let deferred_due = due.len();
    let new_sweep = if due.len() >= options.max_per_run {
        NewSweep::LimitReached
    } else {
        match queue_depth(sqs, &options.queue_url).await {
            Ok(0) => {
                let controls = automatic_controls(policy);
                for filters in stale_new_filters(&controls, now, options.new_after) {
                    if let Err(e) = collect(
                        securityhub,
                        &reads,
                        filters,
                        options.max_per_run,
                        |_| true,
                        &mut due,
                    )
                    .await
                    {
                        errors.push(e.to_string());
                    }
                }
                NewSweep::Ran
            }
            Ok(messages) => NewSweep::QueueBusy { messages },
            Err(e) => {
                errors.push(e.to_string());
                NewSweep::QueueBusy { messages: 0 }
            }
        }
    };
    let stale_new = due.len() - deferred_due;
    let events: Vec<Value> = due
        .iter()
        .filter_map(|f| {
            let finding = serde_json::to_value(f).ok()?;
            Some(crate::queue::requeue_event(
                &finding,
                f.aws_account_id.as_deref().unwrap_or_default(),
                f.region.as_deref().unwrap_or_default(),
            ))
        })
        .collect();
    let (requeued, failures) = crate::queue::requeue(sqs, &options.queue_url, &events).await;
    errors.extend(failures);
    let report = ReconcileReport {
        deferred_due,
        stale_new,
        requeued,
        new_sweep,
        errors,
    };
    tracing::info!(
        deferred_due = report.deferred_due,
        stale_new = report.stale_new,
        requeued = report.requeued,
        new_sweep = ?report.new_sweep,
        errors = report.errors.len(),
        "reconciled"
    );
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automatic_controls_are_those_in_automatic_mode() {
        let policy = Policy::default();
        let auto = automatic_controls(&policy);
        assert!(auto.contains(&"S3.8"));
        assert!(!auto.contains(&"EC2.4"), "never automatic");
        assert!(
            !auto.contains(&"S3.6"),
            "disruptive: approval-only by default"
        );
        let off =
            Policy::from_lookup(|k| (k == "HUBFIX_MODES").then(|| "S3.8=off".into())).unwrap();
        assert!(!automatic_controls(&off).contains(&"S3.8"));
    }

    #[test]
    fn stale_new_filters_take_twenty_controls_each_and_an_age() {
        let controls: Vec<String> = (1..=45).map(|i| format!("S3.{i}")).collect();
        let ids: Vec<&str> = controls.iter().map(String::as_str).collect();
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let filters = stale_new_filters(&ids, now, Duration::from_secs(900));
        let sizes: Vec<usize> = filters
            .iter()
            .map(|f| f.compliance_security_control_id().len())
            .collect();
        assert_eq!(sizes, [20, 20, 5]);
        let updated = &filters[0].updated_at()[0];
        assert_eq!(updated.end(), Some("2023-11-14T21:58:20Z"));
        assert_eq!(filters[0].workflow_status()[0].value(), Some("NEW"));
        assert_eq!(filters[0].compliance_status()[0].value(), Some("FAILED"));
    }

    #[test]
    fn the_deferred_filter_asks_for_hubfix_marker() {
        let f = deferred_filter();
        assert_eq!(f.user_defined_fields()[0].key(), Some("hubfix:state"));
        assert_eq!(f.user_defined_fields()[0].value(), Some("deferred"));
        assert_eq!(f.workflow_status()[0].value(), Some("NOTIFIED"));
    }
}
