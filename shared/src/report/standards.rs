//! Security standards: the id that ties a standard's ARN to the findings that belong
//! to it, and the names the report prints.
//!
//! A standard's ARN (`arn:aws:securityhub:us-east-1::standards/pci-dss/v/3.2.1`, or
//! `arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0`) ends in its
//! id, the form consolidated findings name it in `Compliance.AssociatedStandards`
//! (`standards/pci-dss/v/3.2.1`). Standard-specific findings carry the ARN in
//! `ProductFields.StandardsArn` or `StandardsGuideArn`.

use serde::{Deserialize, Serialize};

use crate::control::Standard;

/// A standard enabled in the account (`GetEnabledStandards`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnabledStandard {
    /// The standard's id, e.g. `standards/aws-foundational-security-best-practices/v/1.0.0`.
    pub id: String,
    /// The standard's ARN.
    pub arn: String,
    /// The subscription's status: READY, PENDING, INCOMPLETE, FAILED or DELETING.
    pub status: String,
}

impl EnabledStandard {
    /// From a standard's ARN and the subscription's status.
    pub fn new(arn: &str, status: &str) -> Self {
        EnabledStandard {
            id: standard_id(arn).to_owned(),
            arn: arn.to_owned(),
            status: status.to_owned(),
        }
    }
}

/// (id suffix after `standards/` or `ruleset/`, name, short name), names as auditors
/// know them.
const NAMES: &[(&str, &str, &str)] = &[
    (
        "aws-foundational-security-best-practices/v/1.0.0",
        "AWS Foundational Security Best Practices",
        "AWS FSBP v1.0",
    ),
    (
        "cis-aws-foundations-benchmark/v/1.2.0",
        "CIS AWS Foundations Benchmark v1.2",
        "CIS v1.2",
    ),
    (
        "cis-aws-foundations-benchmark/v/1.4.0",
        "CIS AWS Foundations Benchmark v1.4",
        "CIS v1.4",
    ),
    (
        "cis-aws-foundations-benchmark/v/3.0.0",
        "CIS AWS Foundations Benchmark v3.0",
        "CIS v3.0",
    ),
    (
        "cis-aws-foundations-benchmark/v/5.0.0",
        "CIS AWS Foundations Benchmark v5.0",
        "CIS v5.0",
    ),
    ("pci-dss/v/3.2.1", "PCI DSS v3.2.1", "PCI DSS v3.2.1"),
    ("pci-dss/v/4.0.1", "PCI DSS v4.0.1", "PCI DSS v4.0.1"),
    (
        "nist-800-53/v/5.0.0",
        "NIST SP 800-53 Revision 5",
        "NIST 800-53 r5",
    ),
    (
        "nist-800-171/v/2.0.0",
        "NIST SP 800-171 Revision 2",
        "NIST 800-171 r2",
    ),
    (
        "aws-resource-tagging-standard/v/1.0.0",
        "AWS Resource Tagging Standard v1.0",
        "AWS Tagging v1.0",
    ),
];

/// The id of a standard from its ARN (the resource part after the fifth `:`); an id
/// is returned as it is.
pub fn standard_id(arn_or_id: &str) -> &str {
    let text = arn_or_id.trim();
    if !text.starts_with("arn:") {
        return text;
    }
    text.splitn(6, ':').nth(5).unwrap_or(text)
}

/// The part of an id after its resource type (`standards/` or `ruleset/`).
fn path_of(id: &str) -> &str {
    id.strip_prefix("standards/")
        .or_else(|| id.strip_prefix("ruleset/"))
        .unwrap_or(id)
}

/// The standard's name, e.g. `AWS Foundational Security Best Practices`; for a standard
/// this version of hubfix does not know, its id made readable (`foo v1.0.0`).
pub fn name(id: &str) -> String {
    known(id).map_or_else(|| readable(id), |(_, name, _)| (*name).to_owned())
}

/// The standard's short name, e.g. `AWS FSBP v1.0`.
pub fn short_name(id: &str) -> String {
    known(id).map_or_else(|| readable(id), |(_, _, short)| (*short).to_owned())
}

fn known(id: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let path = path_of(id);
    NAMES.iter().find(|(p, _, _)| *p == path)
}

fn readable(id: &str) -> String {
    let path = path_of(id);
    match path.split_once("/v/") {
        Some((slug, version)) if !slug.is_empty() && !version.is_empty() => {
            format!("{slug} v{version}")
        }
        _ if path.is_empty() => "(unnamed standard)".to_owned(),
        _ => path.to_owned(),
    }
}

/// The id of a standard hubfix's control table knows, in the form findings carry.
pub fn id_of(standard: Standard) -> String {
    let kind = if standard == Standard::Cis120 {
        "ruleset"
    } else {
        "standards"
    };
    format!("{kind}/{}", standard.marker())
}

/// The standard of hubfix's control table an id or ARN names, if any.
pub fn table_standard(id: &str) -> Option<Standard> {
    Standard::ALL
        .into_iter()
        .find(|s| path_of(standard_id(id)) == s.marker())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_ids_give_the_same_id() {
        assert_eq!(
            standard_id("arn:aws:securityhub:us-east-1::standards/pci-dss/v/3.2.1"),
            "standards/pci-dss/v/3.2.1"
        );
        assert_eq!(
            standard_id("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"),
            "ruleset/cis-aws-foundations-benchmark/v/1.2.0"
        );
        assert_eq!(
            standard_id("standards/pci-dss/v/3.2.1"),
            "standards/pci-dss/v/3.2.1"
        );
        assert_eq!(standard_id("arn:aws:short"), "arn:aws:short");
    }

    #[test]
    fn names_of_known_and_unknown_standards() {
        let fsbp = "standards/aws-foundational-security-best-practices/v/1.0.0";
        assert_eq!(name(fsbp), "AWS Foundational Security Best Practices");
        assert_eq!(short_name(fsbp), "AWS FSBP v1.0");
        assert_eq!(
            name("standards/cis-aws-foundations-benchmark/v/5.0.0"),
            "CIS AWS Foundations Benchmark v5.0"
        );
        assert_eq!(name("standards/acme-baseline/v/2.1"), "acme-baseline v2.1");
        assert_eq!(short_name("weird"), "weird");
        assert_eq!(name(""), "(unnamed standard)");
    }

    #[test]
    fn table_standards_round_trip() {
        for s in Standard::ALL {
            assert_eq!(table_standard(&id_of(s)), Some(s));
        }
        assert_eq!(
            id_of(Standard::Cis120),
            "ruleset/cis-aws-foundations-benchmark/v/1.2.0"
        );
        assert_eq!(table_standard("standards/acme/v/1"), None);
    }
}
