//! Threat findings: which AWS integration a finding comes from, which playbook answers
//! its type, and whether the automatic path may run that playbook on it (not a sample,
//! severe and confident enough).
//!
//! Findings of GuardDuty and Macie are trusted by their product ARN
//! (`arn:<partition>:securityhub:<region>::product/aws/<name>`, which only the
//! integration itself writes), and only for a playbook: they never reach a control's
//! rule.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::finding::{quoted, Finding, SeverityLabel, MAX_QUOTED_CHARS};
use crate::registry;
use crate::remediate::playbook::{last_segment, FindingType, Integration, Playbook};
use crate::settings::ConfigError;
use crate::trust::ProductArn;

/// Environment variable: the least severity at which playbooks run automatically, as
/// one label for all (`HIGH`) or per playbook (`ContainInstance=CRITICAL,...`).
pub const ENV_THREAT_MIN_SEVERITY: &str = "HUBFIX_THREAT_MIN_SEVERITY";
/// Environment variable: the least `Confidence` (0-100) at which playbooks run
/// automatically, as one number for all or per playbook; unset: not required.
pub const ENV_THREAT_MIN_CONFIDENCE: &str = "HUBFIX_THREAT_MIN_CONFIDENCE";

/// The integration of a finding's product, when it is one a playbook can answer.
pub fn integration_of(finding: &Finding) -> Option<Integration> {
    let product = ProductArn::parse(&finding.product_arn)?;
    (product.company == "aws" && product.account.is_empty())
        .then(|| Integration::of_product_name(product.name))
        .flatten()
}

/// A threat finding and the playbook that answers it.
#[derive(Debug, Clone, Copy)]
pub struct ThreatRef {
    /// The integration that reported it.
    pub integration: Integration,
    /// Its type, as the playbook lists it.
    pub finding_type: FindingType,
    /// The playbook.
    pub playbook: &'static Playbook,
}

/// The playbook that answers a finding of `integration`, or the note saying none does.
pub fn classify(finding: &Finding, integration: Integration) -> Result<ThreatRef, String> {
    match registry::playbook_for(integration, &finding.types) {
        Some((playbook, finding_type)) => Ok(ThreatRef {
            integration,
            finding_type,
            playbook,
        }),
        None => {
            let types: Vec<String> = finding
                .types
                .iter()
                .take(3)
                .map(|t| format!("`{}`", quoted(last_segment(t), MAX_QUOTED_CHARS)))
                .collect();
            Err(format!(
                "hubfix has no playbook for this {} finding type ({}); nothing changed.",
                integration.display_name(),
                if types.is_empty() {
                    "no Types".to_owned()
                } else {
                    types.join(", ")
                }
            ))
        }
    }
}

/// The least severity and confidence at which each playbook runs automatically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thresholds {
    /// Least severity per playbook id; `*` for every playbook not named.
    pub severity: BTreeMap<String, SeverityLabel>,
    /// Least confidence per playbook id; `*` for every playbook not named.
    pub confidence: BTreeMap<String, u8>,
}

const ALL: &str = "*";

impl Thresholds {
    /// Reads both settings; a value hubfix cannot use is a [`ConfigError`].
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let severity = match get(ENV_THREAT_MIN_SEVERITY) {
            Some(v) => per_playbook(ENV_THREAT_MIN_SEVERITY, &v, |s| {
                SeverityLabel::parse(s).ok_or_else(|| {
                    format!("`{s}` is not a severity (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)")
                })
            })?,
            None => BTreeMap::new(),
        };
        let confidence = match get(ENV_THREAT_MIN_CONFIDENCE) {
            Some(v) => per_playbook(ENV_THREAT_MIN_CONFIDENCE, &v, |s| {
                s.parse::<u8>()
                    .ok()
                    .filter(|n| *n <= 100)
                    .ok_or_else(|| format!("`{s}` is not a whole number from 0 to 100"))
            })?,
            None => BTreeMap::new(),
        };
        Ok(Thresholds {
            severity,
            confidence,
        })
    }

    /// The least severity at which a playbook runs automatically.
    pub fn min_severity(&self, playbook: &Playbook) -> SeverityLabel {
        self.severity
            .get(playbook.rule.control_id)
            .or_else(|| self.severity.get(ALL))
            .copied()
            .unwrap_or(playbook.min_severity)
    }

    /// The least confidence at which a playbook runs automatically, if one is required.
    pub fn min_confidence(&self, playbook: &Playbook) -> Option<u8> {
        self.confidence
            .get(playbook.rule.control_id)
            .or_else(|| self.confidence.get(ALL))
            .copied()
    }

    /// Why the automatic path does not run `playbook` on `finding`, if it does not.
    pub fn refusal(&self, playbook: &Playbook, finding: &Finding) -> Option<String> {
        let id = playbook.rule.control_id;
        let least = self.min_severity(playbook);
        let severity = finding.severity_label();
        let mut why = String::new();
        if severity.is_none_or(|s| s < least) {
            let _ = write!(
                why,
                "its severity ({}) is below {least_name}, the least at which {id} runs by itself ({ENV_THREAT_MIN_SEVERITY})",
                severity.map_or("none", SeverityLabel::as_str),
                least_name = least.as_str()
            );
        } else if let Some(least) = self.min_confidence(playbook) {
            let confidence = finding.confidence;
            if confidence.is_none_or(|c| c < i64::from(least)) {
                let _ = write!(
                    why,
                    "its confidence ({}) is below {least}, the least at which {id} runs by itself ({ENV_THREAT_MIN_CONFIDENCE})",
                    confidence.map_or("none".to_owned(), |c| c.to_string())
                );
            }
        }
        if why.is_empty() {
            if let Some(Err(missing)) = playbook.automatic_when.map(|check| check(finding)) {
                why = missing;
            }
        }
        (!why.is_empty()).then_some(why)
    }
}

/// What a vulnerability finding says of its first vulnerabilities, for its notes:
/// `CVE-2022-3643: kernel 5.10.144, fixed in 0:5.10.162-141.675.amzn2 (yum update kernel)`.
pub fn vulnerability_summary(finding: &Finding) -> Option<String> {
    let parts: Vec<String> = finding
        .vulnerabilities
        .iter()
        .take(2)
        .map(|v| {
            let packages: Vec<String> = v
                .vulnerable_packages
                .iter()
                .take(2)
                .map(|p| {
                    let mut text = format!(
                        "{} {}",
                        p.name.as_deref().unwrap_or("a package"),
                        p.version.as_deref().unwrap_or("")
                    )
                    .trim_end()
                    .to_owned();
                    match &p.fixed_in_version {
                        Some(fixed) => text.push_str(&format!(", fixed in {fixed}")),
                        None => text.push_str(", no fixed version yet"),
                    }
                    if let Some(how) = &p.remediation {
                        text.push_str(&format!(" ({how})"));
                    }
                    text
                })
                .collect();
            format!(
                "{}: {}",
                v.id.as_deref().unwrap_or("a vulnerability"),
                packages.join("; ")
            )
        })
        .collect();
    (!parts.is_empty()).then(|| quoted(&parts.join("; "), 4 * MAX_QUOTED_CHARS))
}

/// Parses `VALUE` (every playbook) or `PLAYBOOK=VALUE,...`.
fn per_playbook<T>(
    variable: &'static str,
    v: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<BTreeMap<String, T>, ConfigError> {
    let mut out = BTreeMap::new();
    for entry in v.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (id, value) = match entry.split_once('=') {
            Some((id, value)) => (id.trim(), value.trim()),
            None => (ALL, entry),
        };
        if id != ALL && registry::playbook(id).is_none() {
            let known: Vec<&str> = registry::playbooks().map(|p| p.rule.control_id).collect();
            return Err(ConfigError::new(
                variable,
                format!(
                    "`{}` is not a playbook (known: {})",
                    quoted(id, MAX_QUOTED_CHARS),
                    known.join(", ")
                ),
            ));
        }
        let value = parse(value).map_err(|r| ConfigError::new(variable, r))?;
        if out.insert(id.to_owned(), value).is_some() {
            return Err(ConfigError::new(variable, format!("`{id}` is given twice")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding(product: &str, types: &[&str], severity: &str) -> Finding {
        serde_json::from_value(json!({
            "Id": "f", "ProductArn": product, "AwsAccountId": "123456789012",
            "Types": types, "Severity": {"Label": severity}, "Resources": []
        }))
        .unwrap()
    }

    const GUARDDUTY: &str = "arn:aws:securityhub:us-east-1::product/aws/guardduty";

    #[test]
    fn integrations_are_known_by_their_product_arn() {
        let of = |p: &str| integration_of(&finding(p, &[], "HIGH"));
        assert_eq!(of(GUARDDUTY), Some(Integration::GuardDuty));
        assert_eq!(
            of("arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/macie"),
            Some(Integration::Macie)
        );
        assert_eq!(
            of("arn:aws:securityhub:us-east-1::product/aws/securityhub"),
            None
        );
        assert_eq!(
            of("arn:aws:securityhub:us-east-1::product/aws/inspector"),
            Some(Integration::Inspector)
        );
        assert_eq!(
            of("arn:aws:securityhub:us-east-1::product/aws/health"),
            None
        );
        assert_eq!(
            of("arn:aws:securityhub:us-east-1:123456789012:product/aws/guardduty"),
            None,
            "an account's own product is not GuardDuty's"
        );
        assert_eq!(
            of("arn:aws:securityhub:us-east-1::product/acme/guardduty"),
            None
        );
    }

    #[test]
    fn the_type_decides_the_playbook() {
        let f = finding(
            GUARDDUTY,
            &[
                "TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B",
                "Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B",
            ],
            "HIGH",
        );
        let t = classify(&f, Integration::GuardDuty).unwrap();
        assert_eq!(t.playbook.rule.control_id, "ContainInstance");
        let brute = finding(
            GUARDDUTY,
            &["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"],
            "MEDIUM",
        );
        let note = classify(&brute, Integration::GuardDuty).unwrap_err();
        assert!(note.contains("no playbook for this GuardDuty finding type (`UnauthorizedAccess:EC2-SSHBruteForce`)"), "{note}");
    }

    #[test]
    fn thresholds_are_the_playbooks_own_unless_configured() {
        let contain = registry::playbook("ContainInstance").unwrap();
        let bucket = registry::playbook("BlockPublicBucket").unwrap();
        let none = Thresholds::default();
        let medium = finding(GUARDDUTY, &[], "MEDIUM");
        let why = none.refusal(contain, &medium).unwrap();
        assert!(why.contains("severity (MEDIUM) is below HIGH"), "{why}");
        assert!(none.refusal(bucket, &medium).is_none());
        assert!(none
            .refusal(contain, &finding(GUARDDUTY, &[], "CRITICAL"))
            .is_none());

        let get = |k: &str| match k {
            ENV_THREAT_MIN_SEVERITY => Some("MEDIUM, BlockPublicBucket=high".to_owned()),
            ENV_THREAT_MIN_CONFIDENCE => Some("ContainInstance=80".to_owned()),
            _ => None,
        };
        let set = Thresholds::from_lookup(&get).unwrap();
        assert_eq!(set.min_severity(contain), SeverityLabel::Medium);
        assert_eq!(set.min_severity(bucket), SeverityLabel::High);
        let why = set.refusal(contain, &medium).unwrap();
        assert!(why.contains("confidence (none) is below 80"), "{why}");
        let mut confident = medium.clone();
        confident.confidence = Some(90);
        assert!(set.refusal(contain, &confident).is_none());
    }

    #[test]
    fn vulnerability_notes_name_the_package_and_the_fix() {
        let f: Finding = serde_json::from_value(json!({
            "Id": "f", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/inspector",
            "Vulnerabilities": [{"Id": "CVE-2022-3643", "VulnerablePackages": [
                {"Name": "kernel", "Version": "5.10.144", "FixedInVersion": "0:5.10.162-141.675.amzn2", "Remediation": "yum update kernel"}]}],
            "Resources": []
        }))
        .unwrap();
        assert_eq!(
            vulnerability_summary(&f).unwrap(),
            "CVE-2022-3643: kernel 5.10.144, fixed in 0:5.10.162-141.675.amzn2 (yum update kernel)"
        );
        assert!(vulnerability_summary(&finding(GUARDDUTY, &[], "HIGH")).is_none());
    }

    #[test]
    fn bad_thresholds_are_refused() {
        for (k, v) in [
            (ENV_THREAT_MIN_SEVERITY, "SEVERE"),
            (ENV_THREAT_MIN_SEVERITY, "S3.8=HIGH"),
            (ENV_THREAT_MIN_SEVERITY, "HIGH,LOW"),
            (ENV_THREAT_MIN_CONFIDENCE, "101"),
            (ENV_THREAT_MIN_CONFIDENCE, "ContainInstance=-1"),
        ] {
            let get = |name: &str| (name == k).then(|| v.to_owned());
            let err = Thresholds::from_lookup(&get).unwrap_err();
            assert_eq!(err.variable, k, "{v}");
        }
    }
}
