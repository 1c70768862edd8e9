//! Threat playbooks: rules that act on the findings of AWS's integrations (GuardDuty,
//! Macie, IAM Access Analyzer) by finding type, not by control.
//!
//! A playbook is a [`Rule`] (plan, apply, verify, before-state, undo, audit, modes,
//! caps and exemptions work as for a control fix) with the finding types it answers,
//! the least severity at which it runs automatically, and the custom action an analyst
//! runs it with. Each is declared beside its fix, in its service's folder; the registry
//! indexes them ([`crate::registry::playbooks`]) and generates the template's event
//! pattern from their finding types.

use crate::finding::{Finding, SeverityLabel};
use crate::remediate::Rule;

/// An AWS integration whose findings a playbook can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Integration {
    /// Amazon GuardDuty (`product/aws/guardduty`).
    GuardDuty,
    /// Amazon Macie (`product/aws/macie`).
    Macie,
    /// IAM Access Analyzer (`product/aws/access-analyzer`).
    AccessAnalyzer,
    /// Amazon Inspector (`product/aws/inspector`).
    Inspector,
}

impl Integration {
    /// Every integration playbooks can answer.
    pub const ALL: &'static [Integration] = &[
        Integration::GuardDuty,
        Integration::Macie,
        Integration::AccessAnalyzer,
        Integration::Inspector,
    ];

    /// The product name in its Security Hub product ARN, `product/aws/<name>`.
    pub fn product_name(self) -> &'static str {
        match self {
            Integration::GuardDuty => "guardduty",
            Integration::Macie => "macie",
            Integration::AccessAnalyzer => "access-analyzer",
            Integration::Inspector => "inspector",
        }
    }

    /// How AWS names the integration.
    pub fn display_name(self) -> &'static str {
        match self {
            Integration::GuardDuty => "GuardDuty",
            Integration::Macie => "Macie",
            Integration::AccessAnalyzer => "IAM Access Analyzer",
            Integration::Inspector => "Inspector",
        }
    }

    /// The integration of a product name (`guardduty`), if playbooks answer it.
    pub fn of_product_name(name: &str) -> Option<Integration> {
        Integration::ALL
            .iter()
            .copied()
            .find(|i| i.product_name() == name)
    }
}

/// A finding type a playbook answers: an integration's type as Security Hub writes it
/// in the last segment of an ASFF `Types` entry. Security Hub turns GuardDuty's
/// `Backdoor:EC2/C&CActivity.B` into `TTPs/Command and Control/Backdoor:EC2-C&CActivity.B`
/// (the `/` becomes `-`, and the namespace in front varies with the resource's role and
/// over time), so the last segment is what is matched, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingType {
    /// The integration that reports it.
    pub integration: Integration,
    /// The last segment of the ASFF type, e.g. `Backdoor:EC2-C&CActivity.B`.
    pub asff_name: &'static str,
}

impl FindingType {
    /// Whether the last segment of an ASFF type is this type: as Security Hub writes
    /// it, or with a `.` where it writes the `-` (`Policy:S3.BucketBlockPublicAccessDisabled`,
    /// a spelling seen in console type lists).
    pub fn is(&self, segment: &str) -> bool {
        if segment == self.asff_name {
            return true;
        }
        match (self.asff_name.split_once(':'), segment.split_once(':')) {
            (Some((purpose, rest)), Some((p, r))) if purpose == p => rest
                .split_once('-')
                .zip(r.split_once('.'))
                .is_some_and(|((family, name), (f, n))| family == f && name == n),
            _ => false,
        }
    }

    /// The type as the integration names it (`Backdoor:EC2/C&CActivity.B`): the first
    /// `-` after the resource family is the native `/`.
    pub fn native_name(&self) -> String {
        match self.asff_name.split_once(':') {
            Some((purpose, rest)) => match rest.split_once('-') {
                Some((family, name)) => format!("{purpose}:{family}/{name}"),
                None => self.asff_name.to_owned(),
            },
            None => self.asff_name.to_owned(),
        }
    }
}

/// A playbook's own condition for running automatically: `Err` says what the finding
/// lacks.
pub type AutomaticCheck = fn(&Finding) -> Result<(), String>;

/// A threat playbook.
#[derive(Debug, Clone, Copy)]
pub struct Playbook {
    /// The rule: its `control_id` is the playbook's id (`ContainInstance`), which
    /// `HUBFIX_MODES` names; its impact decides the default mode.
    pub rule: Rule,
    /// The finding types it answers.
    pub finding_types: &'static [FindingType],
    /// The least severity at which it runs on the automatic path, unless
    /// `HUBFIX_THREAT_MIN_SEVERITY` says otherwise.
    pub min_severity: SeverityLabel,
    /// The custom action that runs it on any finding naming its resource type (at most
    /// 20 characters, Security Hub's limit for an action's id and name), if any.
    pub action: Option<&'static str>,
    /// What else the automatic path requires of a finding, beyond its severity: `Err`
    /// says what is missing (and what the finding says, for the note); `None`: nothing.
    pub automatic_when: Option<AutomaticCheck>,
}

impl Playbook {
    /// Whether the playbook answers a finding of `integration` with these `Types`.
    pub fn answers(&self, integration: Integration, types: &[String]) -> Option<FindingType> {
        self.finding_types
            .iter()
            .find(|t| t.integration == integration && types.iter().any(|ty| t.is(last_segment(ty))))
            .copied()
    }
}

/// The last `/`-separated segment of an ASFF type, trimmed.
pub fn last_segment(asff_type: &str) -> &str {
    asff_type.rsplit('/').next().unwrap_or_default().trim()
}

/// Shorthand for a GuardDuty finding type in its ASFF form.
pub const fn guardduty(asff_name: &'static str) -> FindingType {
    FindingType {
        integration: Integration::GuardDuty,
        asff_name,
    }
}

/// Shorthand for a Macie finding type in its ASFF form.
pub const fn macie(asff_name: &'static str) -> FindingType {
    FindingType {
        integration: Integration::Macie,
        asff_name,
    }
}

/// Shorthand for an Inspector finding type in its ASFF form.
pub const fn inspector(asff_name: &'static str) -> FindingType {
    FindingType {
        integration: Integration::Inspector,
        asff_name,
    }
}

/// Shorthand for an IAM Access Analyzer finding type in its ASFF form.
pub const fn access_analyzer(asff_name: &'static str) -> FindingType {
    FindingType {
        integration: Integration::AccessAnalyzer,
        asff_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_names_put_the_slash_back() {
        assert_eq!(
            guardduty("Backdoor:EC2-C&CActivity.B").native_name(),
            "Backdoor:EC2/C&CActivity.B"
        );
        assert_eq!(
            guardduty("UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS")
                .native_name(),
            "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"
        );
        assert_eq!(
            macie("Policy:IAMUser-S3BucketPublic").native_name(),
            "Policy:IAMUser/S3BucketPublic"
        );
    }

    #[test]
    fn a_dot_may_stand_for_the_dash() {
        let t = guardduty("Policy:S3-BucketBlockPublicAccessDisabled");
        assert!(t.is("Policy:S3-BucketBlockPublicAccessDisabled"));
        assert!(t.is("Policy:S3.BucketBlockPublicAccessDisabled"));
        assert!(!t.is("Policy:S3.BucketAnonymousAccessGranted"));
        assert!(!t.is("Policy:IAMUser-S3BlockPublicAccessDisabled"));
        assert!(!t.is("IAMUser-AnomalousBehavior"));
    }

    #[test]
    fn the_last_segment_is_matched_whatever_the_namespace() {
        assert_eq!(
            last_segment("TTPs/Command and Control/Backdoor:EC2-C&CActivity.B"),
            "Backdoor:EC2-C&CActivity.B"
        );
        assert_eq!(
            last_segment("Backdoor:EC2-C&CActivity.B"),
            "Backdoor:EC2-C&CActivity.B"
        );
        assert_eq!(last_segment(""), "");
    }
}
