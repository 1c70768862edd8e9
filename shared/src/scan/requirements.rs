//! The CIS requirements Security Hub does not evaluate, as one table: each automated one
//! names the hubfix control whose rule checks (and fixes) it; the manual ones are a
//! checklist.

use crate::registry;
use crate::remediate::Rule;

/// How a requirement is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The `inspect` of the control's rule: compliant when its plan has no change.
    Rule,
    /// The rule's `inspect`, then every alarm it found must notify an SNS topic with a
    /// confirmed subscription (CIS 4.x: "the alarm has a subscribed SNS topic").
    RuleAndSubscribedTopic,
    /// The bucket's versioning configuration has MFA delete enabled (read only: hubfix
    /// cannot enable it, only the root user with its MFA device can).
    MfaDelete,
}

/// Where a requirement is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per account, in the home region (IAM, S3 buckets, the multi-region trail and
    /// its alarms).
    Account,
    /// In every region in scope.
    Region,
}

/// One automated requirement.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    /// The CIS AWS Foundations Benchmark v1.4.0 number, e.g. `1.13`.
    pub cis_140: &'static str,
    /// The same requirement's CIS v1.2.0 numbers, where it has one.
    pub cis_120: &'static [&'static str],
    /// The benchmark's title.
    pub title: &'static str,
    /// The hubfix control whose rule fixes it (and whose resource type it is keyed by):
    /// the finding's `Compliance.SecurityControlId`.
    pub control_id: &'static str,
    /// How it is evaluated.
    pub check: Check,
    /// Where it is evaluated.
    pub scope: Scope,
    /// The severity label of a FAILED finding.
    pub severity: &'static str,
    /// What to do about a failure (`Remediation.Recommendation.Text`).
    pub recommendation: &'static str,
}

impl Requirement {
    /// The rule of [`Self::control_id`]; `None` while this build has no such rule
    /// (the requirement is then reported as an error, never as a result).
    pub fn rule(&self) -> Option<&'static Rule> {
        registry::rule(self.control_id)
    }
}

/// The automated requirements of CIS v1.4.0 that Security Hub does not run.
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        cis_140: "1.13",
        cis_120: &[],
        title: "Ensure there is only one active access key available for any single IAM user",
        control_id: "CIS.1.13",
        check: Check::Rule,
        scope: Scope::Account,
        severity: "MEDIUM",
        recommendation: "Keep one active access key per IAM user: rotate to the newest key and deactivate, then delete, the others. hubfix's CIS.1.13 rule deactivates every active key but the newest (approval-only by default).",
    },
    Requirement {
        cis_140: "1.15",
        cis_120: &["1.16"],
        title: "Ensure IAM users receive permissions only through groups",
        control_id: "CIS.1.15",
        check: Check::Rule,
        scope: Scope::Account,
        severity: "LOW",
        recommendation: "Attach policies to groups (or roles) and add users to them; detach the user's managed and inline policies. hubfix's CIS.1.15 rule moves them to a group of the user's own (approval-only by default).",
    },
    Requirement {
        cis_140: "1.19",
        cis_120: &[],
        title: "Ensure that all the expired SSL/TLS certificates stored in AWS IAM are removed",
        control_id: "IAM.26",
        check: Check::Rule,
        scope: Scope::Account,
        severity: "MEDIUM",
        recommendation: "Delete the expired server certificates from IAM (aws iam delete-server-certificate) after checking no load balancer still uses them. hubfix's IAM.26 rule deletes them (approval-only by default).",
    },
    Requirement {
        cis_140: "1.20",
        cis_120: &[],
        title: "Ensure that IAM Access Analyzer is enabled for all regions",
        control_id: "IAM.28",
        check: Check::Rule,
        scope: Scope::Region,
        severity: "LOW",
        recommendation: "Create an account (or organization) external access analyzer in every region. hubfix's IAM.28 rule creates `hubfix-account-analyzer` in the region.",
    },
    Requirement {
        cis_140: "2.1.3",
        cis_120: &[],
        title: "Ensure MFA Delete is enabled on S3 buckets",
        control_id: "CIS.2.1.3",
        check: Check::MfaDelete,
        scope: Scope::Account,
        severity: "LOW",
        recommendation: "MFA delete can only be enabled by the root user with its MFA device: aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa \"<root MFA device ARN> <code>\", signed in with the root user's access key (delete that key afterwards).",
    },
    Requirement {
        cis_140: "3.10",
        cis_120: &[],
        title: "Ensure that object-level logging for write events is enabled for S3 buckets",
        control_id: "CIS.3.10",
        check: Check::Rule,
        scope: Scope::Account,
        severity: "MEDIUM",
        recommendation: "Add an event selector logging S3 data events of type WriteOnly (or All) for all buckets to a multi-region trail. hubfix's CIS.3.10 rule merges one into the trail's existing selectors.",
    },
    Requirement {
        cis_140: "3.11",
        cis_120: &[],
        title: "Ensure that object-level logging for read events is enabled for S3 buckets",
        control_id: "CIS.3.11",
        check: Check::Rule,
        scope: Scope::Account,
        severity: "MEDIUM",
        recommendation: "Add an event selector logging S3 data events of type ReadOnly (or All) for all buckets to a multi-region trail. hubfix's CIS.3.11 rule merges one into the trail's existing selectors.",
    },
    Requirement {
        cis_140: "4.1",
        cis_120: &["3.1"],
        title: "Ensure a log metric filter and alarm exist for unauthorized API calls",
        control_id: "CIS.4.1",
        check: Check::RuleAndSubscribedTopic,
        scope: Scope::Account,
        severity: "LOW",
        recommendation: "Put the CIS metric filter for unauthorized API calls on the multi-region trail's log group, an alarm on its metric, and subscribe responders to the alarm's SNS topic. hubfix's CIS.4.1 rule puts the filter and alarm (topic hubfix-cis-alarms); subscribing is yours.",
    },
    Requirement {
        cis_140: "4.2",
        cis_120: &["3.2"],
        title: "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
        control_id: "CIS.4.2",
        check: Check::RuleAndSubscribedTopic,
        scope: Scope::Account,
        severity: "LOW",
        recommendation: "Put the CIS metric filter for console sign-in without MFA on the multi-region trail's log group, an alarm on its metric, and subscribe responders to the alarm's SNS topic. hubfix's CIS.4.2 rule puts the filter and alarm (topic hubfix-cis-alarms); subscribing is yours.",
    },
    Requirement {
        cis_140: "4.3",
        cis_120: &["3.3"],
        title: "Ensure a log metric filter and alarm exist for usage of the 'root' account",
        control_id: "CIS.4.3",
        check: Check::RuleAndSubscribedTopic,
        scope: Scope::Account,
        severity: "LOW",
        recommendation: "Put the CIS metric filter for root usage on the multi-region trail's log group, an alarm on its metric, and subscribe responders to the alarm's SNS topic. hubfix's CIS.4.3 rule puts the filter and alarm (topic hubfix-cis-alarms); subscribing is yours.",
    },
    Requirement {
        cis_140: "4.15",
        cis_120: &[],
        title: "Ensure a log metric filter and alarm exists for AWS Organizations changes",
        control_id: "CIS.4.15",
        check: Check::RuleAndSubscribedTopic,
        scope: Scope::Account,
        severity: "LOW",
        recommendation: "Put the CIS metric filter for AWS Organizations changes on the multi-region trail's log group, an alarm on its metric, and subscribe responders to the alarm's SNS topic. hubfix's CIS.4.15 rule puts the filter and alarm (topic hubfix-cis-alarms); subscribing is yours.",
    },
    Requirement {
        cis_140: "5.2",
        cis_120: &["4.1", "4.2"],
        title: "Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports",
        control_id: "EC2.53",
        check: Check::Rule,
        scope: Scope::Region,
        severity: "HIGH",
        recommendation: "Remove the ingress rules that open port 22 or 3389 to 0.0.0.0/0; reach instances through Session Manager, a bastion or a VPN with narrow source ranges. hubfix's EC2.53 rule revokes them.",
    },
];

/// One requirement that needs a person to check it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ManualCheck {
    /// The benchmark version, `1.4.0` or `1.2.0`.
    pub version: &'static str,
    /// The requirement's number in that version.
    pub number: &'static str,
    /// The benchmark's title.
    pub title: &'static str,
    /// How to check it.
    pub how: &'static str,
}

/// The manual requirements Security Hub does not support (v1.4.0, then v1.2.0): hubfix
/// lists them (`hubfix scan --manual`), never reports a result for them.
pub const MANUAL_CHECKS: &[ManualCheck] = &[
    ManualCheck { version: "1.4.0", number: "1.1", title: "Maintain current contact details", how: "Account menu > Account > Contact information: the name, e-mail and phone reach someone today." },
    ManualCheck { version: "1.4.0", number: "1.2", title: "Ensure security contact information is registered", how: "Account > Alternate contacts > Security contact is set (aws account get-alternate-contact --alternate-contact-type SECURITY)." },
    ManualCheck { version: "1.4.0", number: "1.3", title: "Ensure security questions are registered in the AWS account", how: "As the root user: Account > Configure security challenge questions are set and stored safely." },
    ManualCheck { version: "1.4.0", number: "1.11", title: "Do not setup access keys during initial user setup for all IAM users that have a console password", how: "IAM credential report: no user with a console password has an access key created at user creation and never used (access_key_1_last_used_date N/A)." },
    ManualCheck { version: "1.4.0", number: "1.18", title: "Ensure IAM instance roles are used for AWS resource access from instances", how: "Every EC2 instance that calls AWS has an instance profile, and no long-term keys are stored on it." },
    ManualCheck { version: "1.4.0", number: "1.21", title: "Ensure IAM users are managed centrally via identity federation or AWS Organizations for multi-account environments", how: "People sign in through IAM Identity Center or another identity provider, not through IAM users in each account." },
    ManualCheck { version: "1.4.0", number: "2.1.4", title: "Ensure all data in Amazon S3 has been discovered, classified and secured when required", how: "Amazon Macie (or an equivalent) runs discovery jobs over the account's buckets and its findings are reviewed." },
    ManualCheck { version: "1.4.0", number: "5.4", title: "Ensure routing tables for VPC peering are \"least access\"", how: "Routes to each peering connection cover only the subnets that need to talk, not the whole peer VPC CIDR." },
    ManualCheck { version: "1.2.0", number: "1.15", title: "Ensure security questions are registered in the AWS account", how: "Same as 1.4.0 1.3." },
    ManualCheck { version: "1.2.0", number: "1.17", title: "Maintain current contact details", how: "Same as 1.4.0 1.1." },
    ManualCheck { version: "1.2.0", number: "1.18", title: "Ensure security contact information is registered", how: "Same as 1.4.0 1.2." },
    ManualCheck { version: "1.2.0", number: "1.19", title: "Ensure IAM instance roles are used for AWS resource access from instances", how: "Same as 1.4.0 1.18." },
    ManualCheck { version: "1.2.0", number: "1.21", title: "Do not setup access keys during initial user setup for all IAM users that have a console password", how: "Same as 1.4.0 1.11." },
    ManualCheck { version: "1.2.0", number: "4.4", title: "Ensure routing tables for VPC peering are \"least access\"", how: "Same as 1.4.0 5.4." },
];

/// The requirement with this CIS v1.4.0 number.
pub fn requirement(cis_140: &str) -> Option<&'static Requirement> {
    REQUIREMENTS.iter().find(|r| r.cis_140 == cis_140)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The requirements whose rules are on branch `trail` (CloudTrail event selectors).
    const TRAIL: &[&str] = &["3.10", "3.11"];

    #[test]
    fn every_automated_requirement_of_the_seed_is_in_the_table_once() {
        let seed = [
            "1.13", "1.15", "1.19", "1.20", "2.1.3", "3.10", "3.11", "4.1", "4.2", "4.3", "4.15",
            "5.2",
        ];
        let ids: Vec<_> = REQUIREMENTS.iter().map(|r| r.cis_140).collect();
        assert_eq!(ids, seed);
        for r in REQUIREMENTS {
            assert!(r.recommendation.len() <= 512, "{}", r.cis_140);
            assert!(
                ["LOW", "MEDIUM", "HIGH", "CRITICAL"].contains(&r.severity),
                "{}",
                r.cis_140
            );
        }
        assert_eq!(requirement("5.2").unwrap().control_id, "EC2.53");
        assert!(requirement("9.9").is_none());
    }

    #[test]
    fn every_requirement_maps_to_a_registered_rule() {
        for r in REQUIREMENTS.iter().filter(|r| !TRAIL.contains(&r.cis_140)) {
            let rule = r
                .rule()
                .unwrap_or_else(|| panic!("{} has no rule {}", r.cis_140, r.control_id));
            assert_eq!(rule.control_id, r.control_id);
        }
        assert_eq!(
            requirement("2.1.3").unwrap().rule().unwrap().resource_type,
            "AwsS3Bucket"
        );
        assert_eq!(
            requirement("1.13").unwrap().rule().unwrap().resource_type,
            "AwsIamUser"
        );
    }

    #[test]
    fn the_trail_requirements_map_to_their_rules() {
        for id in TRAIL {
            assert!(requirement(id).unwrap().rule().is_some(), "{id}");
        }
    }

    #[test]
    fn the_manual_checklist_covers_the_seed() {
        let v140: Vec<_> = MANUAL_CHECKS
            .iter()
            .filter(|m| m.version == "1.4.0")
            .map(|m| m.number)
            .collect();
        assert_eq!(
            v140,
            ["1.1", "1.2", "1.3", "1.11", "1.18", "1.21", "2.1.4", "5.4"]
        );
        let v120: Vec<_> = MANUAL_CHECKS
            .iter()
            .filter(|m| m.version == "1.2.0")
            .map(|m| m.number)
            .collect();
        assert_eq!(v120, ["1.15", "1.17", "1.18", "1.19", "1.21", "4.4"]);
        for m in MANUAL_CHECKS {
            assert!(REQUIREMENTS
                .iter()
                .all(|r| r.cis_140 != m.number || m.version != "1.4.0"));
        }
    }
}
