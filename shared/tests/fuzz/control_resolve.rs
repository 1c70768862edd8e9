//! `control::resolve` on hostile findings: it never panics, a control it resolves is a
//! well-formed security control id, an error is clear, and it is deterministic.

use hubfix::control::{map_standard_control, named_control, resolve, Resolution};
use hubfix::finding::parse_finding;
use proptest::prelude::*;
use serde_json::Value;

use crate::strategies::{any_id, base_finding, config, is_clear, near_valid_finding};

/// `Service.N` or hubfix's own `CIS.1.13`: an alphanumeric service, dotted numbers.
pub(crate) fn is_well_formed_control_id(id: &str) -> bool {
    id.len() <= 32
        && id.split_once('.').is_some_and(|(service, number)| {
            !service.is_empty()
                && service.bytes().all(|b| b.is_ascii_alphanumeric())
                && number
                    .split('.')
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

fn resolves_clearly(raw: &Value) -> Result<(), TestCaseError> {
    let Ok(finding) = parse_finding(0, raw) else {
        return Ok(());
    };
    let first = resolve(&finding);
    prop_assert_eq!(&first, &resolve(&finding), "not deterministic");
    match first {
        Ok(c) => {
            prop_assert!(
                is_well_formed_control_id(&c.control_id),
                "resolved a malformed control id {:?}",
                c.control_id
            );
            if let Resolution::StandardSpecific {
                standard,
                standard_control_id,
            } = &c.resolution
            {
                let types: Vec<&str> = finding
                    .resources
                    .iter()
                    .map(|r| r.resource_type.as_str())
                    .collect();
                prop_assert_eq!(
                    map_standard_control(
                        *standard,
                        standard_control_id,
                        &types,
                        named_control(&finding)
                    ),
                    Some(c.control_id.clone())
                );
            }
        }
        Err(e) => {
            let text = e.to_string();
            prop_assert!(is_clear(&text, 300), "unclear error {text:?}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn near_valid_findings_resolve_to_well_formed_controls_or_clear_errors(raw in near_valid_finding()) {
        resolves_clearly(&raw)?;
    }

    #[test]
    fn hostile_control_fields_resolve_to_well_formed_controls_or_clear_errors(
        shape in 0usize..6,
        control in prop::option::of(any_id()),
        generator in prop::option::of(any_id()),
        rule_id in prop::option::of(any_id()),
        standards_arn in prop::option::of(any_id()),
    ) {
        let mut raw = base_finding(shape, 0);
        let mut set = |path: &[&str], v: Option<String>| {
            if let Some(v) = v {
                let mut node = &mut raw;
                for seg in &path[..path.len() - 1] {
                    node = &mut node[*seg];
                }
                node[path[path.len() - 1]] = Value::String(v);
            }
        };
        set(&["Compliance", "SecurityControlId"], control);
        set(&["GeneratorId"], generator);
        set(&["ProductFields", "RuleId"], rule_id);
        set(&["ProductFields", "StandardsArn"], standards_arn);
        resolves_clearly(&raw)?;
    }

    #[test]
    fn a_well_formed_consolidated_id_is_taken_trimmed(
        service in "[A-Za-z][A-Za-z0-9]{0,11}",
        number in 1u32..400,
        pad in "[ \t]{0,3}",
    ) {
        let id = format!("{service}.{number}");
        let mut raw = base_finding(0, 0);
        raw["Compliance"]["SecurityControlId"] = Value::String(format!("{pad}{id}{pad}"));
        let c = resolve(&parse_finding(0, &raw).unwrap()).unwrap();
        prop_assert_eq!(c.control_id, id);
        prop_assert_eq!(c.resolution, Resolution::Consolidated);
    }
}
