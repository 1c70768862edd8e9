//! Metrics in CloudWatch Embedded Metric Format: one JSON log line per outcome, which
//! CloudWatch Logs turns into the `hubfix` namespace's `Findings` metric by control
//! and outcome, without a metrics API call on the remediation path.

use serde_json::json;

use crate::outcome::Outcome;

/// The CloudWatch namespace of hubfix's metrics.
pub const NAMESPACE: &str = "hubfix";

/// The EMF line for one outcome, timestamped in milliseconds since the epoch.
pub fn emf_line(outcome: &Outcome, timestamp_ms: u128) -> String {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Control", "Outcome"], ["Outcome"]],
                "Metrics": [{"Name": "Findings", "Unit": "Count"}]
            }]
        },
        "Control": outcome.control_id.as_deref().unwrap_or("none"),
        "Outcome": outcome.kind.as_str(),
        "Findings": 1,
        "FindingId": outcome.finding_id,
    })
    .to_string()
}

/// Writes the EMF line of an outcome to standard output (CloudWatch Logs in Lambda).
pub fn emit(outcome: &Outcome) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    println!("{}", emf_line(outcome, now));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::OutcomeKind;

    #[test]
    fn emf_line_has_the_metric_and_its_dimensions() {
        let mut o = Outcome::new("f-1", OutcomeKind::Remediated, "fixed");
        o.control_id = Some("S3.8".into());
        let v: serde_json::Value = serde_json::from_str(&emf_line(&o, 1_700_000_000_000)).unwrap();
        assert_eq!(v["_aws"]["CloudWatchMetrics"][0]["Namespace"], "hubfix");
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000u64);
        assert_eq!(v["Control"], "S3.8");
        assert_eq!(v["Outcome"], "remediated");
        assert_eq!(v["Findings"], 1);
    }
}
