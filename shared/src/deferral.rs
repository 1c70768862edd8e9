//! Deferred findings: a fix the automatic path puts off on purpose (a blast-radius cap
//! reached, a member account's API throttling past the SDK's retries) is recorded on the
//! finding as NOTIFIED with a note and a machine-readable marker in its
//! `UserDefinedFields`. Security Hub never sets such a finding back to NEW by itself while
//! its control keeps failing, so hubfix keeps its own promise: the reconciler
//! ([`crate::reconcile`]) finds the marked findings once their time has come and puts
//! them back on the queue; the finding's next outcome replaces the marker.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::date::{parse_instant, rfc3339};
use crate::finding::Finding;

/// `UserDefinedFields` key: where hubfix is with the finding (`deferred` or `done`).
pub const FIELD_STATE: &str = "hubfix:state";
/// `UserDefinedFields` key: when a deferred finding is due again (RFC 3339 UTC).
pub const FIELD_RETRY_AFTER: &str = "hubfix:retry-after";
/// `UserDefinedFields` key: why the fix was deferred (a [`DeferReason`]).
pub const FIELD_REASON: &str = "hubfix:reason";
/// [`FIELD_STATE`] of a finding hubfix will pick up again by itself.
pub const STATE_DEFERRED: &str = "deferred";
/// [`FIELD_STATE`] once a deferred finding has its final outcome.
pub const STATE_DONE: &str = "done";

/// Retry times are rounded up to this step, so that the findings deferred together
/// carry the same marker and are recorded in one `BatchUpdateFindings` call.
const ROUNDING: Duration = Duration::from_secs(300);

/// Why a fix was put off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeferReason {
    /// The per-control hourly blast-radius cap was reached.
    ControlCap,
    /// The resource's API kept throttling after the SDK's retries.
    Throttled,
    /// The audit trail could not be read to count the control's recent fixes, so the
    /// hourly cap could not be checked.
    Uncounted,
}

impl DeferReason {
    /// The value of [`FIELD_REASON`].
    pub fn as_str(self) -> &'static str {
        match self {
            DeferReason::ControlCap => "control-cap",
            DeferReason::Throttled => "throttled",
            DeferReason::Uncounted => "cap-uncounted",
        }
    }
}

/// A decision to retry a finding's fix later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deferral {
    /// Why.
    pub reason: DeferReason,
    /// Not before this time (rounded up to the next five minutes).
    pub retry_after: SystemTime,
}

impl Deferral {
    /// A deferral until `not_before`, rounded up so that deferrals of one batch match.
    pub fn until(reason: DeferReason, not_before: SystemTime) -> Self {
        let secs = not_before
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let step = ROUNDING.as_secs();
        let rounded = secs.div_ceil(step) * step;
        Deferral {
            reason,
            retry_after: UNIX_EPOCH + Duration::from_secs(rounded),
        }
    }

    /// The retry time as written on the finding.
    pub fn retry_after_text(&self) -> String {
        let secs = self
            .retry_after
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        rfc3339(secs)
    }

    /// The `UserDefinedFields` that mark the finding as deferred.
    pub fn fields(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (FIELD_STATE.to_owned(), STATE_DEFERRED.to_owned()),
            (FIELD_RETRY_AFTER.to_owned(), self.retry_after_text()),
            (FIELD_REASON.to_owned(), self.reason.as_str().to_owned()),
        ])
    }
}

/// The `UserDefinedFields` that replace the marker once a deferred finding has its
/// final outcome (Security Hub merges the fields an update names into the finding's).
pub fn done_fields() -> BTreeMap<String, String> {
    BTreeMap::from([(FIELD_STATE.to_owned(), STATE_DONE.to_owned())])
}

/// Whether the finding carries hubfix's deferral marker.
pub fn is_deferred(finding: &Finding) -> bool {
    finding
        .user_defined_fields
        .get(FIELD_STATE)
        .is_some_and(|s| s == STATE_DEFERRED)
}

/// Whether a deferred finding is due at `now`. A marker without a readable time is due
/// (hubfix wrote it; a damaged one must not strand the finding).
pub fn is_due(finding: &Finding, now: SystemTime) -> bool {
    if !is_deferred(finding) {
        return false;
    }
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    finding
        .user_defined_fields
        .get(FIELD_RETRY_AFTER)
        .and_then(|t| parse_instant(t))
        .is_none_or(|after| after <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::parse_finding;
    use serde_json::json;

    fn finding(fields: serde_json::Value) -> Finding {
        parse_finding(
            0,
            &json!({"Id": "f", "ProductArn": "p", "UserDefinedFields": fields}),
        )
        .unwrap()
    }

    #[test]
    fn retry_times_round_up_to_five_minutes_so_a_batch_shares_one_marker() {
        let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        let a = Deferral::until(DeferReason::ControlCap, at(1_700_000_001));
        let b = Deferral::until(DeferReason::ControlCap, at(1_700_000_099));
        assert_eq!(a, b);
        assert_eq!(a.retry_after, at(1_700_000_100));
        assert_eq!(a.retry_after_text(), "2023-11-14T22:15:00Z");
        let exact = Deferral::until(DeferReason::Throttled, at(1_700_000_100));
        assert_eq!(exact.retry_after, at(1_700_000_100));
        assert_eq!(
            a.fields(),
            BTreeMap::from([
                ("hubfix:reason".to_owned(), "control-cap".to_owned()),
                (
                    "hubfix:retry-after".to_owned(),
                    "2023-11-14T22:15:00Z".to_owned()
                ),
                ("hubfix:state".to_owned(), "deferred".to_owned()),
            ])
        );
    }

    #[test]
    fn a_deferred_finding_is_due_once_its_time_has_come() {
        let f = finding(
            json!({"hubfix:state": "deferred", "hubfix:retry-after": "2023-11-14T22:15:00Z"}),
        );
        assert!(is_deferred(&f));
        let before = UNIX_EPOCH + Duration::from_secs(1_700_000_099);
        let after = UNIX_EPOCH + Duration::from_secs(1_700_000_100);
        assert!(!is_due(&f, before));
        assert!(is_due(&f, after));
        let damaged = finding(json!({"hubfix:state": "deferred", "hubfix:retry-after": "soon"}));
        assert!(is_due(&damaged, before));
        let done = finding(json!({"hubfix:state": "done"}));
        assert!(!is_deferred(&done));
        assert!(!is_due(&done, after));
        assert!(!is_deferred(&finding(json!({}))));
    }
}
