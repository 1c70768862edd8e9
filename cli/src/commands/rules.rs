//! `hubfix rules`: the registry, with each control's and threat playbook's mode under
//! the current policy.

use std::process::ExitCode;

use hubfix::registry::{action_rules, playbooks};
use hubfix::Policy;
use serde_json::json;

use crate::args::Output;
use crate::error::CliError;
use crate::output::print;

/// Lists every rule, threat playbook and custom action.
pub(crate) fn run(output: Output) -> Result<ExitCode, CliError> {
    let policy = Policy::from_env().map_err(|e| CliError::Config(e.to_string()))?;
    let mut rows = Vec::new();
    let mut records = Vec::new();
    for rule in policy.rules() {
        let mode = policy.mode(rule).to_string();
        rows.push(vec![
            rule.control_id.to_owned(),
            mode.clone(),
            yes_no(rule.disruptive()),
            rule.title.to_owned(),
            rule.iam_actions.join(","),
        ]);
        records.push(json!({
            "control": rule.control_id, "title": rule.title, "resourceType": rule.resource_type,
            "resourceTypes": rule.resource_types(), "mode": mode, "disruptive": rule.disruptive(), "fix": rule.fix,
            "iamActions": rule.iam_actions,
        }));
    }
    for playbook in playbooks() {
        let rule = &playbook.rule;
        let mode = policy.mode(rule).to_string();
        rows.push(vec![
            rule.control_id.to_owned(),
            mode.clone(),
            yes_no(rule.disruptive()),
            rule.title.to_owned(),
            rule.iam_actions.join(","),
        ]);
        let types: Vec<String> = playbook
            .finding_types
            .iter()
            .map(|t| format!("{} {}", t.integration.display_name(), t.native_name()))
            .collect();
        records.push(json!({
            "control": rule.control_id, "title": rule.title, "resourceType": rule.resource_type,
            "resourceTypes": rule.resource_types(), "mode": mode, "disruptive": rule.disruptive(), "fix": rule.fix,
            "iamActions": rule.iam_actions, "playbook": true, "findingTypes": types,
            "customAction": playbook.action, "minSeverity": policy.threat.min_severity(playbook).as_str(),
        }));
    }
    for action in action_rules() {
        rows.push(vec![
            action.control_id.to_owned(),
            "custom action".to_owned(),
            yes_no(action.disruptive()),
            action.title.to_owned(),
            action.iam_actions.join(","),
        ]);
        records.push(json!({
            "control": action.control_id, "title": action.title, "resourceType": action.resource_type,
            "mode": "custom action", "disruptive": action.disruptive(), "fix": action.fix,
            "iamActions": action.iam_actions,
        }));
    }
    print(
        output,
        &["control", "mode", "disruptive", "title", "iam actions"],
        &rows,
        &records,
    );
    Ok(ExitCode::SUCCESS)
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}
