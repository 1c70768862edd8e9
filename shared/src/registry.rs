//! The rule registry: one static table, security control id -> rule.
//!
//! Everything else reads control metadata from here: the engine, the policy defaults,
//! the IAM policy check of the SAM template and the README's supported-controls table.

use crate::remediate::ec2::{IngressScope, RevokeOpenIngress, ADMIN_PORTS, HIGH_RISK_PORTS};
use crate::remediate::isolate::IsolateInstance;
use crate::remediate::s3::{AccountBlockPublicAccess, BucketBlockPublicAccess};
use crate::remediate::Remediation;

/// One supported control.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Security control id, e.g. `S3.8`.
    pub control_id: &'static str,
    /// Security Hub's title of the control.
    pub title: &'static str,
    /// The ASFF resource type the fix acts on.
    pub resource_type: &'static str,
    /// What hubfix does, in a sentence.
    pub fix: &'static str,
    /// The IAM actions hubfix needs to read, fix and verify (and undo).
    pub iam_actions: &'static [&'static str],
    /// Whether the fix can break a workload; disruptive rules default to approval-only.
    pub disruptive: bool,
    /// The remediation.
    pub remediation: &'static dyn Remediation,
}

const BUCKET_PAB_ACTIONS: &[&str] = &[
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketTagging",
];
const ACCOUNT_PAB_ACTIONS: &[&str] = &[
    "s3:GetAccountPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
];
const INGRESS_ACTIONS: &[&str] = &[
    "ec2:DescribeSecurityGroups",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupIngress",
];

static RULES: [Rule; 7] = [
    Rule {
        control_id: "S3.1",
        title: "S3 general purpose buckets should have block public access settings enabled",
        resource_type: "AwsAccount",
        fix: "Turns on all four account-level S3 Block Public Access settings.",
        iam_actions: ACCOUNT_PAB_ACTIONS,
        disruptive: true,
        remediation: &AccountBlockPublicAccess,
    },
    Rule {
        control_id: "S3.8",
        title: "S3 general purpose buckets should block public access",
        resource_type: "AwsS3Bucket",
        fix: "Turns on all four Block Public Access settings of the bucket.",
        iam_actions: BUCKET_PAB_ACTIONS,
        disruptive: false,
        remediation: &BucketBlockPublicAccess,
    },
    Rule {
        control_id: "EC2.13",
        title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: &[22],
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.14",
        title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 3389 to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: &[3389],
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.19",
        title: "Security groups should not allow unrestricted access to ports with high risk",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open a high-risk port to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: HIGH_RISK_PORTS,
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.53",
        title: "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 or 3389 to 0.0.0.0/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: ADMIN_PORTS,
            ipv4: true,
            ipv6: false,
        }),
    },
    Rule {
        control_id: "EC2.54",
        title: "EC2 security groups should not allow ingress from ::/0 to remote server administration ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 or 3389 to ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: ADMIN_PORTS,
            ipv4: false,
            ipv6: true,
        }),
    },
];

/// Name of the custom action that isolates an EC2 instance.
pub const ACTION_ISOLATE_INSTANCE: &str = "IsolateInstance";

/// Custom actions that act on a resource whatever the finding's control (any finding
/// naming an EC2 instance, GuardDuty's included). `control_id` holds the action name.
static ACTION_RULES: [Rule; 1] = [Rule {
    control_id: ACTION_ISOLATE_INSTANCE,
    title: "Isolate an EC2 instance for incident response",
    resource_type: "AwsEc2Instance",
    fix: "Moves the instance into a VPC isolation security group with no rules (created once, reused), keeps its original groups in a tag, snapshots its volumes and tags it.",
    iam_actions: &[
        "ec2:DescribeInstances",
        "ec2:DescribeSecurityGroups",
        "ec2:CreateSecurityGroup",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifyInstanceAttribute",
        "ec2:CreateSnapshot",
        "ec2:CreateTags",
    ],
    disruptive: true,
    remediation: &IsolateInstance,
}];

/// The custom actions that are rules of their own (see [`ACTION_RULES`]).
pub fn action_rules() -> &'static [Rule] {
    &ACTION_RULES
}

/// Every rule hubfix knows, ordered by control id.
pub fn rules() -> &'static [Rule] {
    &RULES
}

/// The rule for a security control id, if hubfix supports it.
pub fn rule(control_id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.control_id == control_id)
}

/// Every IAM action any rule or custom action needs, sorted and without duplicates.
pub fn all_iam_actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = RULES
        .iter()
        .chain(ACTION_RULES.iter())
        .flat_map(|r| r.iam_actions.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// The README's supported-controls table, generated from the registry.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Control | Title | Resource | What hubfix does | Default mode |\n|---|---|---|---|---|\n",
    );
    for r in rules() {
        let mode = if r.disruptive { "approval" } else { "auto" };
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            r.control_id, r.title, r.resource_type, r.fix, mode
        ));
    }
    out
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
    }

    #[test]
    fn every_rule_declares_iam_actions_without_wildcards() {
        for r in rules().iter().chain(action_rules()) {
            assert!(!r.iam_actions.is_empty(), "{}", r.control_id);
            for a in r.iam_actions {
                let (service, action) = a.split_once(':').unwrap();
                assert!(!service.is_empty() && !action.is_empty(), "{a}");
                assert!(!a.contains('*'), "{a}");
            }
        }
        assert!(all_iam_actions().contains(&"s3:PutAccountPublicAccessBlock"));
    }

    #[test]
    fn markdown_table_lists_every_rule() {
        let table = markdown_table();
        for r in rules() {
            assert!(table.contains(&format!("`{}`", r.control_id)));
        }
    }
}
