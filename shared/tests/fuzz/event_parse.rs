//! `SecurityHubEvent::parse` on hostile events: it never panics, it refuses with a clear
//! error or keeps every finding (malformed ones as clear errors), it is deterministic,
//! and what it accepts survives a round trip.

use hubfix::finding::{
    parse_finding, EventError, SecurityHubEvent, Trigger, DETAIL_TYPE_CUSTOM_ACTION,
    DETAIL_TYPE_IMPORTED, MAX_FINDINGS_PER_EVENT, SECURITY_HUB_SOURCE,
};
use proptest::prelude::*;
use serde_json::Value;

use crate::strategies::{
    arb_json, base_finding, config, envelope, envelope_of_arbitrary_findings, is_clear,
    near_valid_event,
};

/// Longest error a refused event may give.
const MAX_EVENT_ERROR: usize = 200;
/// Longest error a malformed finding may give (it ends up in a 512-character note).
const MAX_FINDING_ERROR: usize = 400;

/// What must hold of any parse result.
fn check(raw: &Value, parsed: &Result<SecurityHubEvent, EventError>) -> Result<(), TestCaseError> {
    let ev = match parsed {
        Err(e) => {
            let text = e.to_string();
            prop_assert!(is_clear(&text, MAX_EVENT_ERROR), "unclear error {text:?}");
            return Ok(());
        }
        Ok(ev) => ev,
    };
    prop_assert_eq!(raw["source"].as_str(), Some(SECURITY_HUB_SOURCE));
    let detail_type = raw["detail-type"].as_str().unwrap_or_default();
    match &ev.trigger {
        Trigger::Imported => prop_assert_eq!(detail_type, DETAIL_TYPE_IMPORTED),
        Trigger::CustomAction { name, .. } => {
            prop_assert_eq!(detail_type, DETAIL_TYPE_CUSTOM_ACTION);
            prop_assert_eq!(Some(name.as_str()), raw["detail"]["actionName"].as_str());
        }
    }
    let raw_findings = raw["detail"]["findings"]
        .as_array()
        .expect("accepted events have an array of findings");
    prop_assert!((1..=MAX_FINDINGS_PER_EVENT).contains(&raw_findings.len()));
    prop_assert_eq!(
        ev.findings.len(),
        raw_findings.len(),
        "a finding was dropped"
    );
    for (i, (parsed, raw)) in ev.findings.iter().zip(raw_findings).enumerate() {
        match parsed {
            Ok(f) => prop_assert_eq!(Some(f.id.as_str()), raw["Id"].as_str()),
            Err(m) => {
                prop_assert_eq!(m.index, i);
                prop_assert_eq!(m.id.as_deref(), raw.get("Id").and_then(Value::as_str));
                let prefix = format!("detail.findings[{i}]");
                prop_assert!(m.error.starts_with(&prefix), "{:?}", m.error);
                prop_assert!(
                    is_clear(&m.error, MAX_FINDING_ERROR),
                    "unclear error {:?}",
                    m.error
                );
            }
        }
    }
    Ok(())
}

/// Parses twice (it must be deterministic), then checks the result.
fn parse_and_check(raw: &Value) -> Result<(), TestCaseError> {
    let first = SecurityHubEvent::parse(raw);
    let second = SecurityHubEvent::parse(raw);
    prop_assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "not deterministic"
    );
    check(raw, &first)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_json_is_refused_or_read_never_a_panic(raw in arb_json()) {
        parse_and_check(&raw)?;
    }

    #[test]
    fn arbitrary_findings_in_the_right_envelope_are_all_kept(raw in envelope_of_arbitrary_findings()) {
        let parsed = SecurityHubEvent::parse(&raw);
        prop_assert!(parsed.is_ok(), "{parsed:?}");
        check(&raw, &parsed)?;
    }

    #[test]
    fn near_valid_events_are_refused_or_read_clearly(raw in near_valid_event()) {
        parse_and_check(&raw)?;
    }

    #[test]
    fn accepted_findings_survive_a_round_trip(raw in near_valid_event()) {
        if let Ok(ev) = SecurityHubEvent::parse(&raw) {
            for f in ev.findings.iter().flatten() {
                let again = serde_json::to_value(f).expect("a finding serialises");
                let back = parse_finding(0, &again);
                prop_assert_eq!(back.as_ref(), Ok(f));
            }
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn an_event_over_the_finding_limit_is_refused(n in 0usize..260, custom in any::<bool>()) {
        let findings = (0..n).map(|i| base_finding(i, i)).collect();
        let raw = envelope(custom, findings);
        let parsed = SecurityHubEvent::parse(&raw);
        match n {
            0 => prop_assert_eq!(parsed.unwrap_err(), EventError::NoFindings),
            n if n > MAX_FINDINGS_PER_EVENT => {
                let err = parsed.unwrap_err().to_string();
                prop_assert!(err.contains("at most 100 findings"), "{err}");
            }
            n => {
                let ev = parsed.unwrap();
                prop_assert_eq!(ev.findings.len(), n);
                prop_assert!(ev.findings.iter().all(Result::is_ok));
            }
        }
    }
}
