//! The SAM templates grant exactly the IAM actions the registry (and the CIS gap
//! scanner) declare, never a wildcard (a Deny, such as the audit bucket's TLS-only policy, may cover every
//! action), and route to the automatic path exactly the controls in automatic mode, of
//! the products hubfix trusts.

use hubfix::policy::{Mode, Policy};
use hubfix::registry::{all_iam_actions, rules};
use hubfix_tests::{check_generated, workspace};
use serde_json::Value;

const START: &str = "# hubfix:iam-actions:start\n";
const END: &str = "# hubfix:iam-actions:end";

fn action_block(actions: &[&str], indent: &str) -> String {
    let mut block: String = actions.iter().map(|a| format!("{indent}- {a}\n")).collect();
    block.push_str(indent);
    block
}

fn indent_of_marker(text: &str, start: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim() == start.trim())
        .expect("marker line");
    line[..line.len() - line.trim_start().len()].to_owned()
}

#[test]
fn templates_grant_exactly_the_registry_actions() {
    // The member role serves the remediations and the scanner's reads there.
    let mut member: Vec<&str> = all_iam_actions();
    member.extend(hubfix::scan::iam_actions());
    member.sort_unstable();
    member.dedup();
    for (file, actions) in [
        ("template.yaml", all_iam_actions()),
        ("templates/member-role.yaml", member),
    ] {
        let path = workspace().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let indent = indent_of_marker(&text, START);
        check_generated(&path, START, END, &action_block(&actions, &indent));
    }
}

#[test]
fn the_scanner_function_is_granted_exactly_the_scanners_reads() {
    const SCAN_START: &str = "# hubfix:scanner-actions:start\n";
    const SCAN_END: &str = "# hubfix:scanner-actions:end";
    let path = workspace().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let indent = indent_of_marker(&text, SCAN_START);
    // Security Hub's import and read are granted on the account's own product and hub.
    let reads: Vec<&str> = hubfix::scan::iam_actions()
        .into_iter()
        .filter(|a| !a.starts_with("securityhub:"))
        .collect();
    check_generated(&path, SCAN_START, SCAN_END, &action_block(&reads, &indent));
    for granted in ["securityhub:BatchImportFindings", "securityhub:GetFindings"] {
        assert!(text.contains(&format!("Action: {granted}")), "{granted}");
    }
}

#[test]
fn templates_have_no_wildcard_actions() {
    for file in [
        "template.yaml",
        "templates/member-role.yaml",
        "templates/drift-forwarder.yaml",
    ] {
        let text = std::fs::read_to_string(workspace().join(file)).unwrap();
        let mut effect = "";
        for line in text.lines().map(str::trim) {
            if let Some(e) = line.strip_prefix("Effect:") {
                effect = e.trim();
            }
            if effect == "Deny" {
                continue;
            }
            let action = line
                .trim_start_matches("- ")
                .trim_start_matches("Action:")
                .trim();
            let looks_like_action =
                action.contains(':') && !action.contains(' ') && !action.starts_with('!');
            if looks_like_action || line.starts_with("Action:") {
                assert!(!action.contains('*'), "{file}: wildcard action in `{line}`");
            }
        }
    }
}

#[test]
fn auto_controls_default_is_the_controls_in_automatic_mode() {
    let policy = Policy::default();
    let auto: Vec<_> = rules()
        .iter()
        .filter(|r| policy.mode(r) == Mode::Auto)
        .map(|r| r.control_id)
        .collect();
    let path = workspace().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let indent = "    ";
    assert!(text.contains("# hubfix:auto-controls:start"));
    check_generated(
        &path,
        "# hubfix:auto-controls:start\n",
        "# hubfix:auto-controls:end",
        &format!("{indent}Default: \"{}\"\n{indent}", auto.join(",")),
    );
}

/// The imported-findings rule delivers only findings of products hubfix trusts
/// (`hubfix::trust`): Security Hub's own, the CIS gap scanner's (its generator, in
/// an account's default product of the stack's Region), and `TrustedProducts`; and the
/// functions get the settings the engine's own check reads.
#[test]
fn the_automatic_rule_delivers_only_findings_of_trusted_products() {
    let text = std::fs::read_to_string(workspace().join("template.yaml")).unwrap();
    let start = text
        .find("  ImportedFindingsRule:")
        .expect("the imported-findings rule");
    let rule = &text[start..start + text[start..].find("Targets:").unwrap()];
    let product = hubfix::trust::SECURITY_HUB_PRODUCT;
    let generator_family = hubfix::scan::findings::GENERATOR_PREFIX
        .split("/v/")
        .next()
        .unwrap();
    for wanted in [
        "$or:".to_owned(),
        format!("- suffix: \"::{product}\""),
        "- wildcard: !Sub \"arn:${AWS::Partition}:securityhub:${AWS::Region}:*:product/*/default\""
            .to_owned(),
        format!("- prefix: \"{generator_family}/\""),
        "- ProductArn: !Ref TrustedProducts".to_owned(),
    ] {
        assert!(rule.contains(&wanted), "the rule's pattern lacks {wanted}");
    }
    for wanted in [
        format!(
            "{}: !Join [\",\", !Ref TrustedProducts]",
            hubfix::trust::ENV_TRUSTED_PRODUCTS
        ),
        format!("{}: !Ref ScanAccounts", hubfix::trust::ENV_SCAN_ACCOUNTS),
        format!("{}: !Ref ScanRegions", hubfix::trust::ENV_SCAN_REGIONS),
    ] {
        assert!(text.contains(&wanted), "the functions lack {wanted}");
    }
}

/// `hubfix setup`'s actions (`hubfix::setup::permissions`): the drift guard's role in
/// hubfix's account, and the member role's `SetupActions` and `OrganizationActions`.
#[test]
fn templates_grant_exactly_the_setup_actions() {
    use hubfix::setup::permissions::{drift_guard_actions, ACCOUNT_ACTIONS, MANAGEMENT_ACTIONS};
    for (file, marker, actions) in [
        ("template.yaml", "setup-actions", drift_guard_actions()),
        (
            "templates/member-role.yaml",
            "setup-account-actions",
            ACCOUNT_ACTIONS.to_vec(),
        ),
        (
            "templates/member-role.yaml",
            "setup-management-actions",
            MANAGEMENT_ACTIONS.to_vec(),
        ),
    ] {
        let path = workspace().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let start = format!("# hubfix:{marker}:start\n");
        let indent = indent_of_marker(&text, &start);
        check_generated(
            &path,
            &start,
            &format!("# hubfix:{marker}:end"),
            &action_block(&actions, &indent),
        );
    }
}

/// The drift guard turns Config recording back on with the `Config.1` fix: its role has
/// exactly that rule's actions, which cover the setup's Config reads.
#[test]
fn the_drift_guard_is_granted_exactly_the_config_fix() {
    let config = rules()
        .iter()
        .find(|r| r.control_id == "Config.1")
        .expect("the Config.1 rule");
    let mut actions = config.iam_actions.to_vec();
    actions.sort_unstable();
    for action in hubfix::setup::permissions::ACCOUNT_ACTIONS {
        assert!(
            action.starts_with("securityhub:") || actions.contains(action),
            "{action}: not granted to the drift guard"
        );
    }
    let path = workspace().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = "# hubfix:drift-guard-config-actions:start\n";
    let indent = indent_of_marker(&text, start);
    check_generated(
        &path,
        start,
        "# hubfix:drift-guard-config-actions:end",
        &action_block(&actions, &indent),
    );
}

/// The drift guard's rule, and the rule members forward with, match exactly the calls
/// the drift guard watches (`hubfix::setup::drift::WATCHED`); the guard is off unless
/// asked for.
#[test]
fn the_drift_rules_match_exactly_the_watched_calls() {
    use hubfix::setup::drift::{DETAIL_TYPE, WATCHED};
    let mut names: Vec<&str> = WATCHED.iter().map(|(_, name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    let mut sources: Vec<&str> = WATCHED.iter().map(|(source, _, _)| *source).collect();
    sources.sort_unstable();
    sources.dedup();
    for file in ["template.yaml", "templates/drift-forwarder.yaml"] {
        let path = workspace().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let start = "# hubfix:drift-events:start\n";
        let indent = indent_of_marker(&text, start);
        check_generated(
            &path,
            start,
            "# hubfix:drift-events:end",
            &action_block(&names, &indent),
        );
        assert!(
            text.contains(&format!("detail-type: [\"{DETAIL_TYPE}\"]")),
            "{file}"
        );
        assert!(
            text.contains(&format!("eventSource: [{}]", sources.join(", "))),
            "{file}: the rule's event sources are {sources:?}"
        );
        let services: Vec<String> = sources
            .iter()
            .map(|s| format!("aws.{}", s.trim_end_matches(".amazonaws.com")))
            .collect();
        assert!(
            text.contains(&format!("source: [{}]", services.join(", "))),
            "{file}"
        );
    }
    let template = std::fs::read_to_string(workspace().join("template.yaml")).unwrap();
    let parameter = &template[template
        .find("\n  DriftGuard:\n")
        .expect("the DriftGuard parameter")..];
    assert!(
        parameter[..parameter.find("\n  DriftRepair:").unwrap()].contains("Default: \"false\""),
        "the drift guard is off by default"
    );
    let function = &template[template.find("  DriftGuardFunction:").unwrap()..];
    assert!(function[..200].contains("Condition: DriftGuardOn"));
}

/// The threat rule lets through exactly the finding types a playbook answers, of the
/// integrations hubfix trusts for them, and the custom-action function answers each
/// playbook's action.
#[test]
fn the_threat_rule_routes_exactly_the_playbooks_finding_types() {
    let path = workspace().join("template.yaml");
    let indent = "              ";
    let mut block = String::new();
    for (_, names) in hubfix::registry::routed_finding_types() {
        for name in names {
            block.push_str(&format!("{indent}- suffix: \"{name}\"\n"));
        }
    }
    block.push_str(indent);
    check_generated(
        &path,
        "# hubfix:threat-types:start\n",
        "# hubfix:threat-types:end",
        &block,
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("  ThreatFindingsRule:").expect("the threat rule");
    let rule = &text[start..start + text[start..].find("Targets:").unwrap()];
    let types: Vec<Value> = hubfix::registry::routed_finding_types()
        .into_iter()
        .flat_map(|(_, names)| names)
        .map(|n| serde_json::json!({ "suffix": n }))
        .collect();
    let products: Vec<Value> = hubfix::remediate::playbook::Integration::ALL
        .iter()
        .map(|i| serde_json::json!({ "suffix": format!("::product/aws/{}", i.product_name()) }))
        .collect();
    let pattern = serde_json::json!({
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": {
            "ProductArn": products,
            "RecordState": ["ACTIVE"],
            "Workflow": {"Status": ["NEW"]},
            "Types": types,
        }},
    });
    let size = pattern.to_string().len();
    assert!(
        size <= 2048,
        "the threat rule's pattern is {size} characters; EventBridge allows 2048 unless the quota is raised"
    );
    for integration in hubfix::remediate::playbook::Integration::ALL {
        let wanted = format!("- suffix: \"::product/aws/{}\"", integration.product_name());
        assert!(rule.contains(&wanted), "the threat rule lacks {wanted}");
    }
    for wanted in [
        "RecordState: [ACTIVE]",
        "Status: [NEW]",
        "Condition: ThreatResponseOn",
    ] {
        assert!(rule.contains(wanted), "the threat rule lacks {wanted}");
    }
    for action in hubfix::registry::custom_actions() {
        let target = format!("{}ActionTarget", action.name);
        assert!(
            text.contains(&format!("      Id: {}\n", action.name)),
            "no action target {target}"
        );
        assert_eq!(
            text.matches(&format!("!GetAtt {target}.ActionTargetArn"))
                .count(),
            2,
            "{target} must be in HUBFIX_ACTION_TARGETS and in the custom-action rule"
        );
    }
    for variable in [
        hubfix::threat::ENV_THREAT_MIN_SEVERITY,
        hubfix::threat::ENV_THREAT_MIN_CONFIDENCE,
    ] {
        assert!(text.contains(&format!("{variable}: !Ref")), "{variable}");
    }
}
