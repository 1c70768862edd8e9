//! Every sample event parses, comes from a product hubfix trusts and resolves to a
//! registered rule (or custom action), and every rule and custom action has one.

use hubfix::control::resolve;
use hubfix::finding::Trigger;
use hubfix::registry;
use hubfix::remediate::Rule;
use hubfix::trust::{self, Home, TrustSettings};
use hubfix::{Request, SecurityHubEvent};
use hubfix_tests::{all_events, ACCOUNT, REGION};

/// The rule an event's findings are handled by, as the engine picks it.
fn rule_of(event: &SecurityHubEvent, finding: &hubfix::Finding) -> &'static Rule {
    if let Ok(Request::Action(name)) = Request::of(&event.trigger) {
        return registry::custom_action(name).expect("a known action").rule;
    }
    if let Some(integration) = hubfix::threat::integration_of(finding) {
        let threat =
            hubfix::threat::classify(finding, integration).unwrap_or_else(|e| panic!("{e}"));
        return &threat.playbook.rule;
    }
    let control = resolve(finding).unwrap_or_else(|e| panic!("{e}"));
    registry::rule(&control.control_id)
        .unwrap_or_else(|| panic!("no rule for {}", control.control_id))
}

#[test]
fn every_sample_event_parses_and_resolves_to_its_rule() {
    let events = all_events();
    assert!(!events.is_empty());
    for (name, raw) in &events {
        let event = SecurityHubEvent::parse(raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        for f in &event.findings {
            let f = f.as_ref().unwrap_or_else(|e| panic!("{name}: {}", e.error));
            let rule = rule_of(&event, f);
            if !matches!(Request::of(&event.trigger), Ok(Request::Action(_))) {
                let home = Home {
                    account: Some(ACCOUNT),
                    region: Some(REGION),
                };
                let trusted = trust::check(f, &TrustSettings::default(), &home);
                assert!(trusted.is_ok(), "{name}: {}", trusted.unwrap_err());
            }
            if let Trigger::CustomAction { name: action, .. } = &event.trigger {
                assert!(
                    Request::of(&event.trigger).is_ok(),
                    "{name}: unknown action {action}"
                );
            }
            assert!(
                f.resources.iter().any(|r| rule.acts_on(&r.resource_type)),
                "{name}: no {} resource",
                rule.resource_types_text()
            );
        }
    }
}

#[test]
fn every_rule_has_a_sample_event() {
    let covered: Vec<&str> = all_events()
        .iter()
        .flat_map(|(_, raw)| {
            let event = SecurityHubEvent::parse(raw).unwrap();
            event
                .findings
                .iter()
                .map(|f| rule_of(&event, f.as_ref().unwrap()).control_id)
                .collect::<Vec<_>>()
        })
        .collect();
    let playbooks = registry::playbooks().map(|p| &p.rule);
    for rule in registry::rules()
        .iter()
        .chain(registry::action_rules())
        .chain(playbooks)
    {
        assert!(
            covered.contains(&rule.control_id),
            "no sample event in events/ for {}",
            rule.control_id
        );
    }
    for action in registry::custom_actions() {
        let has_event = all_events().iter().any(|(_, raw)| {
            let event = SecurityHubEvent::parse(raw).unwrap();
            Request::of(&event.trigger) == Ok(Request::Action(action.name))
        });
        assert!(
            has_event,
            "no sample event in events/ for the {} action",
            action.name
        );
    }
}

#[test]
fn the_sqs_sample_is_a_batch_of_imported_events_as_the_queue_delivers_them() {
    let raw = hubfix_tests::event("sqs-batch-imported.json");
    let batch = hubfix::queue::read_batch(&raw).expect("an SQS batch");
    assert_eq!(batch.len(), 2);
    for (message, delivery) in &batch {
        assert_eq!(message.receive_count(), 1);
        assert!(message
            .event_source_arn
            .as_deref()
            .is_some_and(|a| a.starts_with("arn:aws:sqs:")));
        let hubfix::queue::Delivery::Event(event) = delivery else {
            panic!("{}: not an Imported event", message.message_id);
        };
        assert_eq!(event.trigger, Trigger::Imported);
        let f = event.findings[0].as_ref().unwrap();
        assert_eq!(rule_of(event, f).control_id, resolve(f).unwrap().control_id);
    }
}
