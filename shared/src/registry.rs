//! The rule registry: the index of every rule hubfix knows.
//!
//! A rule's facts (title, resource type, IAM actions, impact) live beside its fix, in
//! the service folders under [`crate::remediate`]; each service lists its rules, and
//! this module gathers them in control-id order. Everything else reads control
//! metadata from here: the engine, the policy defaults, the IAM policy check of the SAM
//! templates and the supported-controls table of docs/controls.md.

use crate::remediate::ssm::runbook::{self, Runbook};
use crate::remediate::{
    account, apigateway, athena, autoscaling, cloudformation, cloudfront, cloudtrail, cloudwatch,
    codebuild, config, dynamodb, ec2, ecr, ecs, elasticache, elb, emr, external_access, guardduty,
    iam, kms, lambda, macie, manual, rds, redshift, s3, secretsmanager, sns, sqs, ssm, Impact,
    Rule,
};
use crate::settings::catalogue::{CatalogueSettings, RunbookSpec};

pub use crate::remediate::ec2::isolate::ACTION_ISOLATE_INSTANCE;
use crate::remediate::playbook::{FindingType, Integration, Playbook};

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Every service's rules, family by family; [`rules`] puts them in control-id order.
const SERVICES: &[&[&[Rule]]] = &[
    account::RULES,
    apigateway::RULES,
    athena::RULES,
    autoscaling::RULES,
    cloudformation::RULES,
    cloudfront::RULES,
    cloudtrail::RULES,
    cloudwatch::RULES,
    codebuild::RULES,
    config::RULES,
    dynamodb::RULES,
    ec2::RULES,
    ecr::RULES,
    ecs::RULES,
    elasticache::RULES,
    elb::RULES,
    emr::RULES,
    guardduty::RULES,
    iam::RULES,
    kms::RULES,
    lambda::RULES,
    macie::RULES,
    &[manual::RULES],
    rds::RULES,
    redshift::RULES,
    s3::RULES,
    secretsmanager::RULES,
    sns::RULES,
    sqs::RULES,
    ssm::RULES,
];

/// Orders control ids as Security Hub's documentation does: by the service prefix
/// (case-insensitively), then by each number (`EC2.2` before `EC2.13`, `CIS.1.15`
/// before `CIS.2.1.3`).
fn control_order(a: &str, b: &str) -> Ordering {
    let key = |id: &str| {
        let mut parts = id.split('.');
        let prefix = parts.next().unwrap_or_default().to_ascii_lowercase();
        let numbers: Vec<u32> = parts.map(|p| p.parse().unwrap_or(u32::MAX)).collect();
        (prefix, numbers)
    };
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// The rules in control-id order, and where each control's rule is among them.
struct Index {
    rules: Vec<Rule>,
    by_control: HashMap<&'static str, usize>,
}

/// The index, built once from the services' lists.
fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut rules: Vec<Rule> = SERVICES
            .iter()
            .flat_map(|service| service.iter())
            .flat_map(|family| family.iter().copied())
            .collect();
        rules.sort_by(|a, b| control_order(a.control_id, b.control_id));
        let by_control = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.control_id, i))
            .collect();
        Index { rules, by_control }
    })
}

/// Every rule hubfix knows, ordered by control id.
pub fn rules() -> &'static [Rule] {
    &index().rules
}

/// The rule for a security control id, if hubfix supports it.
pub fn rule(control_id: &str) -> Option<&'static Rule> {
    let index = index();
    index.by_control.get(control_id).map(|&i| &index.rules[i])
}

/// The rule of a control or of a custom action (`IsolateInstance`), by the id an
/// outcome or audit record names it with.
pub fn find(rule_id: &str) -> Option<&'static Rule> {
    rule(rule_id)
        .or_else(|| action_rules().iter().find(|r| r.control_id == rule_id))
        .or_else(|| playbook(rule_id).map(|p| &p.rule))
}

/// Custom actions that act on a resource whatever the finding's control (any finding
/// naming an EC2 instance, GuardDuty's included). `control_id` holds the action name.
pub fn action_rules() -> &'static [Rule] {
    ec2::isolate::ACTION_RULES
}

/// Every service's threat playbooks.
const PLAYBOOKS: &[&[Playbook]] = &[
    ec2::contain::PLAYBOOKS,
    ec2::vulnerable::PLAYBOOKS,
    iam::quarantine::PLAYBOOKS,
    s3::block_public_access::PLAYBOOKS,
    external_access::PLAYBOOKS,
];

/// Every threat playbook.
pub fn playbooks() -> impl Iterator<Item = &'static Playbook> {
    PLAYBOOKS.iter().flat_map(|family| family.iter())
}

/// The playbook with this id (`ContainInstance`).
pub fn playbook(id: &str) -> Option<&'static Playbook> {
    playbooks().find(|p| p.rule.control_id == id)
}

/// The playbook that answers a finding of `integration` with these `Types`, and the
/// type it answers.
pub fn playbook_for(
    integration: Integration,
    types: &[String],
) -> Option<(&'static Playbook, FindingType)> {
    playbooks().find_map(|p| p.answers(integration, types).map(|t| (p, t)))
}

/// A custom action hubfix answers besides `Remediate` and `DryRun`, and the rule it
/// runs on the finding's resource.
#[derive(Debug, Clone, Copy)]
pub struct CustomAction {
    /// The action's name and id (at most 20 characters).
    pub name: &'static str,
    /// The rule it runs.
    pub rule: &'static Rule,
}

/// The custom actions that run one rule on any finding naming its resource type:
/// `IsolateInstance`, and each playbook's own (`Contain`, `Quarantine`).
pub fn custom_actions() -> Vec<CustomAction> {
    action_rules()
        .iter()
        .map(|rule| CustomAction {
            name: rule.control_id,
            rule,
        })
        .chain(playbooks().filter_map(|p| {
            p.action.map(|name| CustomAction {
                name,
                rule: &p.rule,
            })
        }))
        .collect()
}

/// The custom action of this name or id, case-insensitively.
pub fn custom_action(name: &str) -> Option<CustomAction> {
    custom_actions()
        .into_iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Every IAM action any rule, custom action or configured SSM runbook needs, sorted and
/// without duplicates.
pub fn all_iam_actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = rules()
        .iter()
        .chain(action_rules())
        .chain(playbooks().map(|p| &p.rule))
        .flat_map(|r| r.iam_actions.iter().copied())
        .chain(crate::remediate::ssm::runbook::IAM_ACTIONS.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// The supported-controls table of docs/controls.md, generated from the registry.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Control | Title | Resource | What hubfix does | Default mode |\n|---|---|---|---|---|\n",
    );
    for r in rules() {
        let mode = if r.disruptive() { "approval" } else { "auto" };
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            r.control_id,
            r.title,
            r.resource_types_text().replace(", ", "`, `"),
            r.fix,
            mode
        ));
    }
    out
}

/// The playbooks table of docs/threats.md, generated from the registry.
pub fn playbook_table() -> String {
    let mut out = String::from(
        "| Playbook | Custom action | Resource | What hubfix does | Finding types | Default mode | Least severity (automatic) |\n|---|---|---|---|---|---|---|\n",
    );
    for p in playbooks() {
        let r = &p.rule;
        let mode = if r.disruptive() { "approval" } else { "auto" };
        let types: Vec<String> = p
            .finding_types
            .iter()
            .map(|t| format!("{} `{}`", t.integration.display_name(), t.native_name()))
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} | {} | {} |\n",
            r.control_id,
            p.action.map_or("none".to_owned(), |a| format!("`{a}`")),
            r.resource_type,
            r.fix,
            types.join(", "),
            mode,
            p.min_severity.as_str()
        ));
    }
    out
}

/// The finding types the template's threat rule lets through, per integration: the
/// last segment of an ASFF type, which the rule matches as a suffix of `Types`.
pub fn routed_finding_types() -> Vec<(Integration, Vec<&'static str>)> {
    Integration::ALL
        .iter()
        .map(|&i| {
            let mut names: Vec<&'static str> = playbooks()
                .flat_map(|p| p.finding_types.iter())
                .filter(|t| t.integration == i)
                .map(|t| t.asff_name)
                .collect();
            names.sort_unstable();
            names.dedup();
            (i, names)
        })
        .filter(|(_, names)| !names.is_empty())
        .collect()
}

/// Rules for the configured runbooks, built once per distinct configuration and kept
/// for the life of the process (rules are `'static`, like the registry's).
type RunbookKey = (String, RunbookSpec, Option<String>, Duration);

static RUNBOOK_RULES: OnceLock<Mutex<HashMap<RunbookKey, &'static Rule>>> = OnceLock::new();

/// The rule that fixes `control` with its configured runbook, if one is configured:
/// the native rule's title and resource type, its IAM actions plus the runbook's.
pub fn runbook_rule(control: &str, settings: &CatalogueSettings) -> Option<&'static Rule> {
    let spec = settings.runbooks.get(control)?;
    let key = (
        control.to_owned(),
        spec.clone(),
        settings.runbook_role_arn.clone(),
        settings.runbook_wait,
    );
    let rules = RUNBOOK_RULES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut rules = rules
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let rule = rules.entry(key).or_insert_with(|| {
        let native = rule(control);
        let remediation: &'static Runbook =
            Box::leak(Box::new(Runbook::new(control, spec, settings, native)));
        let mut actions: Vec<&'static str> =
            native.map(|r| r.iam_actions.to_vec()).unwrap_or_default();
        actions.extend_from_slice(runbook::IAM_ACTIONS);
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        Box::leak(Box::new(Rule {
            control_id: leak(control.to_owned()),
            title: native
                .map(|r| r.title)
                .unwrap_or_else(|| leak(format!("{control} (SSM runbook {})", spec.document))),
            resource_type: native
                .map(|r| r.resource_type)
                .unwrap_or(runbook::ANY_RESOURCE),
            fix: leak(format!(
                "Runs the SSM Automation runbook {} and waits for it",
                spec.document
            )),
            iam_actions: Box::leak(actions.into_boxed_slice()),
            impact: native.map_or(Impact::Disruptive, |r| r.impact),
            remediation,
        }))
    });
    Some(*rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_are_unique_and_sorted_for_lookup() {
        let mut ids: Vec<_> = rules().iter().map(|r| r.control_id).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(rule("EC2.19").unwrap().resource_type, "AwsEc2SecurityGroup");
        assert!(rule("S3.99").is_none());
        for r in rules() {
            assert_eq!(
                rule(r.control_id).map(|found| found.control_id),
                Some(r.control_id)
            );
        }
    }

    #[test]
    fn every_cis_5_control_has_a_rule() {
        use crate::control::{Standard, STANDARD_CONTROLS};
        let mut missing: Vec<&str> = STANDARD_CONTROLS
            .iter()
            .filter(|(standard, ..)| *standard == Standard::Cis500)
            .map(|(_, _, control, _)| *control)
            .filter(|control| rule(control).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        assert_eq!(
            missing,
            Vec::<&str>::new(),
            "CIS v5.0 controls without a rule"
        );
    }

    #[test]
    fn control_ids_are_in_documentation_order() {
        assert_eq!(control_order("EC2.2", "EC2.13"), Ordering::Less);
        assert_eq!(control_order("CIS.1.15", "CIS.2.1.3"), Ordering::Less);
        assert_eq!(control_order("S3.8", "SecretsManager.1"), Ordering::Less);
        assert_eq!(control_order("SecretsManager.1", "SNS.1"), Ordering::Less);
        let ids: Vec<_> = rules().iter().map(|r| r.control_id).collect();
        assert!(ids
            .windows(2)
            .all(|w| control_order(w[0], w[1]) == Ordering::Less));
        assert_eq!(ids.first(), Some(&"Account.1"));
    }

    #[test]
    fn only_the_rules_that_delete_resources_are_never_automatic() {
        let never: Vec<_> = rules()
            .iter()
            .filter(|r| r.never_automatic())
            .map(|r| r.control_id)
            .collect();
        assert_eq!(never, ["EC2.4", "SecretsManager.3"]);
        assert!(rules()
            .iter()
            .all(|r| !r.never_automatic() || r.disruptive()));
    }

    #[test]
    fn every_rule_declares_iam_actions_without_wildcards() {
        for r in rules().iter().chain(action_rules()) {
            for a in r.iam_actions {
                let (service, action) = a.split_once(':').unwrap();
                assert!(!service.is_empty() && !action.is_empty(), "{a}");
                assert!(!a.contains('*'), "{a}");
            }
        }
        assert!(all_iam_actions().contains(&"s3:PutAccountPublicAccessBlock"));
    }

    #[test]
    fn playbooks_have_unique_ids_actions_and_types() {
        let ids: Vec<&str> = playbooks().map(|p| p.rule.control_id).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "{ids:?}");
        for id in &ids {
            assert!(rule(id).is_none(), "{id} is also a control");
            assert!(find(id).is_some());
        }
        for a in custom_actions() {
            assert!(
                a.name.len() <= 20 && a.name.bytes().all(|b| b.is_ascii_alphanumeric()),
                "{}",
                a.name
            );
        }
        let mut types: Vec<(Integration, &str)> = playbooks()
            .flat_map(|p| p.finding_types.iter().map(|t| (t.integration, t.asff_name)))
            .collect();
        let all = types.len();
        types.sort_unstable();
        types.dedup();
        assert_eq!(all, types.len(), "a finding type answered by two playbooks");
        assert!(custom_action("contain").is_some());
        assert!(custom_action("QUARANTINE").is_some());
        assert!(custom_action("Remediate").is_none());
    }

    #[test]
    fn markdown_table_lists_every_rule() {
        let table = markdown_table();
        for r in rules() {
            assert!(table.contains(&format!("`{}`", r.control_id)));
        }
    }
}
