//! Control identity: which security control a finding is about.
//!
//! Consolidated findings carry `Compliance.SecurityControlId` (e.g. `S3.8`). Findings of
//! accounts with consolidation off carry a standard-specific id (CIS `2.9`, PCI
//! `PCI.S3.1`, FSBP `S3.1`) in `ProductFields` or the `GeneratorId`; [`STANDARD_CONTROLS`]
//! maps those to security control ids, in one place.

use std::fmt;

use crate::finding::{quoted, Finding, MAX_QUOTED_CHARS};

/// A security standard whose findings hubfix can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standard {
    /// CIS AWS Foundations Benchmark v1.2.0.
    Cis120,
    /// CIS AWS Foundations Benchmark v1.4.0.
    Cis140,
    /// CIS AWS Foundations Benchmark v3.0.0.
    Cis300,
    /// CIS AWS Foundations Benchmark v5.0.0.
    Cis500,
    /// PCI DSS v3.2.1.
    PciDss321,
    /// PCI DSS v4.0.1 (ids equal security control ids).
    PciDss401,
    /// AWS Foundational Security Best Practices v1.0.0 (ids equal security control ids).
    Fsbp,
    /// NIST SP 800-53 Rev. 5 (ids equal security control ids).
    Nist80053,
    /// NIST SP 800-171 Rev. 2 (ids equal security control ids).
    Nist800171,
    /// Service-Managed Standard: AWS Control Tower (ids are security control ids with a
    /// `CT.` prefix).
    ControlTower,
    /// AWS Resource Tagging Standard (ids equal security control ids).
    ResourceTagging,
}

impl Standard {
    /// Every standard, in the order they are detected.
    pub const ALL: [Standard; 11] = [
        Standard::Cis120,
        Standard::Cis140,
        Standard::Cis300,
        Standard::Cis500,
        Standard::PciDss321,
        Standard::PciDss401,
        Standard::Fsbp,
        Standard::Nist80053,
        Standard::Nist800171,
        Standard::ControlTower,
        Standard::ResourceTagging,
    ];

    /// The path fragment that names this standard in ARNs and generator ids.
    pub fn marker(self) -> &'static str {
        match self {
            Standard::Cis120 => "cis-aws-foundations-benchmark/v/1.2.0",
            Standard::Cis140 => "cis-aws-foundations-benchmark/v/1.4.0",
            Standard::Cis300 => "cis-aws-foundations-benchmark/v/3.0.0",
            Standard::Cis500 => "cis-aws-foundations-benchmark/v/5.0.0",
            Standard::PciDss321 => "pci-dss/v/3.2.1",
            Standard::PciDss401 => "pci-dss/v/4.0.1",
            Standard::Fsbp => "aws-foundational-security-best-practices/v/1.0.0",
            Standard::Nist80053 => "nist-800-53/v/5.0.0",
            Standard::Nist800171 => "nist-800-171/v/2.0.0",
            Standard::ControlTower => "service-managed-aws-control-tower/v/1.0.0",
            Standard::ResourceTagging => "aws-resource-tagging-standard/v/1.0.0",
        }
    }

    /// Human name of the standard.
    pub fn name(self) -> &'static str {
        match self {
            Standard::Cis120 => "CIS AWS Foundations Benchmark v1.2.0",
            Standard::Cis140 => "CIS AWS Foundations Benchmark v1.4.0",
            Standard::Cis300 => "CIS AWS Foundations Benchmark v3.0.0",
            Standard::Cis500 => "CIS AWS Foundations Benchmark v5.0.0",
            Standard::PciDss321 => "PCI DSS v3.2.1",
            Standard::PciDss401 => "PCI DSS v4.0.1",
            Standard::Fsbp => "AWS Foundational Security Best Practices v1.0.0",
            Standard::Nist80053 => "NIST SP 800-53 Rev. 5",
            Standard::Nist800171 => "NIST SP 800-171 Rev. 2",
            Standard::ControlTower => "Service-Managed Standard: AWS Control Tower",
            Standard::ResourceTagging => "AWS Resource Tagging Standard",
        }
    }

    /// The security control id a standard-specific id is, for the standards whose
    /// controls carry security control ids (Control Tower's with a `CT.` prefix);
    /// `None` for the standards whose ids are their own requirement numbers.
    fn security_control_id(self, id: &str) -> Option<&str> {
        match self {
            Standard::Fsbp
            | Standard::Nist80053
            | Standard::Nist800171
            | Standard::PciDss401
            | Standard::ResourceTagging => Some(id),
            Standard::ControlTower => Some(id.strip_prefix("CT.").unwrap_or(id)),
            Standard::Cis120
            | Standard::Cis140
            | Standard::Cis300
            | Standard::Cis500
            | Standard::PciDss321 => None,
        }
    }

    fn detect(text: &str) -> Option<Standard> {
        Standard::ALL
            .into_iter()
            .find(|s| text.contains(s.marker()))
    }
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Standard-specific control id -> security control id, for the standards whose ids
/// differ. Where one requirement is checked by several controls, the finding decides:
/// by its resource's type when the controls' types differ (the third column names
/// it; `None` means any), else by the control its own `ProductFields.RecommendationUrl`
/// names ([`resolve`]); never by a guess.
///
/// Sources: the User Guide's "Impact of consolidation on ASFF fields and values" (the
/// table of generator ids before and after consolidation, and the table of standard
/// control ids and titles) for CIS v1.2.0, v1.4.0 and PCI DSS v3.2.1; its "CIS AWS
/// Foundations Benchmark" page (the mapping of controls to CIS requirements in each
/// version) for CIS v1.4.0, v3.0.0 and v5.0.0. Where the two pages give a v1.4.0
/// requirement different controls over time (3.6: `S3.9` in 2023, `CloudTrail.7`
/// now), both rows are kept and the finding's own fields decide.
pub const STANDARD_CONTROLS: &[(Standard, &str, &str, Option<&str>)] = &[
    // CIS AWS Foundations Benchmark v1.2.0 (ProductFields.RuleId).
    (Standard::Cis120, "1.1", "CloudWatch.1", None),
    (Standard::Cis120, "1.1", "IAM.20", None),
    (Standard::Cis120, "1.2", "IAM.5", None),
    (Standard::Cis120, "1.3", "IAM.8", None),
    (Standard::Cis120, "1.4", "IAM.3", None),
    (Standard::Cis120, "1.5", "IAM.11", None),
    (Standard::Cis120, "1.6", "IAM.12", None),
    (Standard::Cis120, "1.7", "IAM.13", None),
    (Standard::Cis120, "1.8", "IAM.14", None),
    (Standard::Cis120, "1.9", "IAM.15", None),
    (Standard::Cis120, "1.10", "IAM.16", None),
    (Standard::Cis120, "1.11", "IAM.17", None),
    (Standard::Cis120, "1.12", "IAM.4", None),
    (Standard::Cis120, "1.13", "IAM.9", None),
    (Standard::Cis120, "1.14", "IAM.6", None),
    (Standard::Cis120, "1.16", "IAM.2", None),
    (Standard::Cis120, "1.18", "Account.1", None),
    (Standard::Cis120, "1.20", "IAM.18", None),
    (Standard::Cis120, "1.22", "IAM.1", None),
    (Standard::Cis120, "2.1", "CloudTrail.1", None),
    (Standard::Cis120, "2.2", "CloudTrail.4", None),
    (Standard::Cis120, "2.3", "CloudTrail.6", None),
    (Standard::Cis120, "2.4", "CloudTrail.5", None),
    (Standard::Cis120, "2.5", "Config.1", None),
    (Standard::Cis120, "2.6", "CloudTrail.7", None),
    (Standard::Cis120, "2.7", "CloudTrail.2", None),
    (Standard::Cis120, "2.8", "KMS.4", None),
    (Standard::Cis120, "2.9", "EC2.6", None),
    (Standard::Cis120, "3.1", "CloudWatch.2", None),
    (Standard::Cis120, "3.2", "CloudWatch.3", None),
    (Standard::Cis120, "3.3", "CloudWatch.1", None),
    (Standard::Cis120, "3.4", "CloudWatch.4", None),
    (Standard::Cis120, "3.5", "CloudWatch.5", None),
    (Standard::Cis120, "3.6", "CloudWatch.6", None),
    (Standard::Cis120, "3.7", "CloudWatch.7", None),
    (Standard::Cis120, "3.8", "CloudWatch.8", None),
    (Standard::Cis120, "3.9", "CloudWatch.9", None),
    (Standard::Cis120, "3.10", "CloudWatch.10", None),
    (Standard::Cis120, "3.11", "CloudWatch.11", None),
    (Standard::Cis120, "3.12", "CloudWatch.12", None),
    (Standard::Cis120, "3.13", "CloudWatch.13", None),
    (Standard::Cis120, "3.14", "CloudWatch.14", None),
    (Standard::Cis120, "4.1", "EC2.13", None),
    (Standard::Cis120, "4.2", "EC2.14", None),
    (Standard::Cis120, "4.3", "EC2.2", None),
    // CIS AWS Foundations Benchmark v1.4.0 (ProductFields.ControlId).
    (Standard::Cis140, "1.2", "Account.1", None),
    (Standard::Cis140, "1.4", "IAM.4", None),
    (Standard::Cis140, "1.5", "IAM.9", None),
    (Standard::Cis140, "1.6", "IAM.6", None),
    (Standard::Cis140, "1.7", "CloudWatch.1", None),
    (Standard::Cis140, "1.8", "IAM.15", None),
    (Standard::Cis140, "1.9", "IAM.16", None),
    (Standard::Cis140, "1.10", "IAM.5", None),
    (Standard::Cis140, "1.12", "IAM.22", None),
    (Standard::Cis140, "1.14", "IAM.3", None),
    (Standard::Cis140, "1.16", "IAM.1", None),
    (Standard::Cis140, "1.17", "IAM.18", None),
    (Standard::Cis140, "2.1.1", "S3.4", None),
    (Standard::Cis140, "2.1.2", "S3.5", None),
    (Standard::Cis140, "2.1.3", "S3.20", None),
    (Standard::Cis140, "2.1.5", "S3.1", Some("AwsAccount")),
    (Standard::Cis140, "2.1.5", "S3.8", Some("AwsS3Bucket")),
    (Standard::Cis140, "2.1.5.1", "S3.1", None),
    (Standard::Cis140, "2.1.5.2", "S3.8", None),
    (Standard::Cis140, "2.2.1", "EC2.7", None),
    (Standard::Cis140, "2.3.1", "RDS.3", None),
    (Standard::Cis140, "3.1", "CloudTrail.1", None),
    (Standard::Cis140, "3.2", "CloudTrail.4", None),
    (Standard::Cis140, "3.3", "CloudTrail.6", None),
    (Standard::Cis140, "3.4", "CloudTrail.5", None),
    (Standard::Cis140, "3.5", "Config.1", None),
    (Standard::Cis140, "3.6", "CloudTrail.7", Some("AwsS3Bucket")),
    (Standard::Cis140, "3.6", "S3.9", Some("AwsS3Bucket")),
    (Standard::Cis140, "3.7", "CloudTrail.2", None),
    (Standard::Cis140, "3.8", "KMS.4", None),
    (Standard::Cis140, "3.9", "EC2.6", None),
    (Standard::Cis140, "4.3", "CloudWatch.1", None),
    (Standard::Cis140, "4.4", "CloudWatch.4", None),
    (Standard::Cis140, "4.5", "CloudWatch.5", None),
    (Standard::Cis140, "4.6", "CloudWatch.6", None),
    (Standard::Cis140, "4.7", "CloudWatch.7", None),
    (Standard::Cis140, "4.8", "CloudWatch.8", None),
    (Standard::Cis140, "4.9", "CloudWatch.9", None),
    (Standard::Cis140, "4.10", "CloudWatch.10", None),
    (Standard::Cis140, "4.11", "CloudWatch.11", None),
    (Standard::Cis140, "4.12", "CloudWatch.12", None),
    (Standard::Cis140, "4.13", "CloudWatch.13", None),
    (Standard::Cis140, "4.14", "CloudWatch.14", None),
    (Standard::Cis140, "5.1", "EC2.21", None),
    (Standard::Cis140, "5.3", "EC2.2", None),
    // CIS AWS Foundations Benchmark v3.0.0 (ProductFields.ControlId).
    (Standard::Cis300, "1.2", "Account.1", None),
    (Standard::Cis300, "1.4", "IAM.4", None),
    (Standard::Cis300, "1.5", "IAM.9", None),
    (Standard::Cis300, "1.6", "IAM.6", None),
    (Standard::Cis300, "1.8", "IAM.15", None),
    (Standard::Cis300, "1.9", "IAM.16", None),
    (Standard::Cis300, "1.10", "IAM.5", None),
    (Standard::Cis300, "1.12", "IAM.22", None),
    (Standard::Cis300, "1.14", "IAM.3", None),
    (Standard::Cis300, "1.15", "IAM.2", None),
    (Standard::Cis300, "1.17", "IAM.18", None),
    (Standard::Cis300, "1.19", "IAM.26", None),
    (Standard::Cis300, "1.20", "IAM.28", None),
    (Standard::Cis300, "1.22", "IAM.27", None),
    (Standard::Cis300, "2.1.1", "S3.5", None),
    (Standard::Cis300, "2.1.2", "S3.20", None),
    (Standard::Cis300, "2.1.4", "S3.1", Some("AwsAccount")),
    (Standard::Cis300, "2.1.4", "S3.8", Some("AwsS3Bucket")),
    (Standard::Cis300, "2.2.1", "EC2.7", None),
    (Standard::Cis300, "2.3.1", "RDS.3", None),
    (Standard::Cis300, "2.3.2", "RDS.13", None),
    (Standard::Cis300, "2.3.3", "RDS.2", None),
    (Standard::Cis300, "2.4.1", "EFS.1", None),
    (Standard::Cis300, "3.1", "CloudTrail.1", None),
    (Standard::Cis300, "3.2", "CloudTrail.4", None),
    (Standard::Cis300, "3.3", "Config.1", None),
    (Standard::Cis300, "3.4", "CloudTrail.7", None),
    (Standard::Cis300, "3.5", "CloudTrail.2", None),
    (Standard::Cis300, "3.6", "KMS.4", None),
    (Standard::Cis300, "3.7", "EC2.6", None),
    (Standard::Cis300, "3.8", "S3.22", None),
    (Standard::Cis300, "3.9", "S3.23", None),
    (Standard::Cis300, "5.1", "EC2.21", None),
    (Standard::Cis300, "5.2", "EC2.53", None),
    (Standard::Cis300, "5.3", "EC2.54", None),
    (Standard::Cis300, "5.4", "EC2.2", None),
    (Standard::Cis300, "5.6", "EC2.8", None),
    // CIS AWS Foundations Benchmark v5.0.0 (ProductFields.ControlId).
    (Standard::Cis500, "1.2", "Account.1", None),
    (Standard::Cis500, "1.3", "IAM.4", None),
    (Standard::Cis500, "1.4", "IAM.9", None),
    (Standard::Cis500, "1.5", "IAM.6", None),
    (Standard::Cis500, "1.7", "IAM.15", None),
    (Standard::Cis500, "1.8", "IAM.16", None),
    (Standard::Cis500, "1.9", "IAM.5", None),
    (Standard::Cis500, "1.11", "IAM.22", None),
    (Standard::Cis500, "1.13", "IAM.3", None),
    (Standard::Cis500, "1.14", "IAM.2", None),
    (Standard::Cis500, "1.16", "IAM.18", None),
    (Standard::Cis500, "1.18", "IAM.26", None),
    (Standard::Cis500, "1.19", "IAM.28", None),
    (Standard::Cis500, "1.21", "IAM.27", None),
    (Standard::Cis500, "2.1.1", "S3.5", None),
    (Standard::Cis500, "2.1.2", "S3.20", None),
    (Standard::Cis500, "2.1.4", "S3.1", Some("AwsAccount")),
    (Standard::Cis500, "2.1.4", "S3.8", Some("AwsS3Bucket")),
    (Standard::Cis500, "2.2.1", "RDS.3", None),
    (Standard::Cis500, "2.2.2", "RDS.13", None),
    (Standard::Cis500, "2.2.3", "RDS.2", None),
    (Standard::Cis500, "2.2.4", "RDS.5", Some("AwsRdsDbInstance")),
    (Standard::Cis500, "2.2.4", "RDS.15", Some("AwsRdsDbCluster")),
    (Standard::Cis500, "2.3.1", "EFS.1", Some("AwsEfsFileSystem")),
    (Standard::Cis500, "2.3.1", "EFS.8", Some("AwsEfsFileSystem")),
    (Standard::Cis500, "3.1", "CloudTrail.1", None),
    (Standard::Cis500, "3.2", "CloudTrail.4", None),
    (Standard::Cis500, "3.3", "Config.1", None),
    (Standard::Cis500, "3.4", "CloudTrail.7", None),
    (Standard::Cis500, "3.5", "CloudTrail.2", None),
    (Standard::Cis500, "3.6", "KMS.4", None),
    (Standard::Cis500, "3.7", "EC2.6", None),
    (Standard::Cis500, "3.8", "S3.22", None),
    (Standard::Cis500, "3.9", "S3.23", None),
    (Standard::Cis500, "5.1.1", "EC2.7", None),
    (Standard::Cis500, "5.2", "EC2.21", None),
    (Standard::Cis500, "5.3", "EC2.53", None),
    (Standard::Cis500, "5.4", "EC2.54", None),
    (Standard::Cis500, "5.5", "EC2.2", None),
    (Standard::Cis500, "5.7", "EC2.8", None),
    // PCI DSS v3.2.1 (ProductFields.ControlId).
    (
        Standard::PciDss321,
        "PCI.AutoScaling.1",
        "AutoScaling.1",
        None,
    ),
    (
        Standard::PciDss321,
        "PCI.CloudTrail.1",
        "CloudTrail.2",
        None,
    ),
    (
        Standard::PciDss321,
        "PCI.CloudTrail.2",
        "CloudTrail.3",
        None,
    ),
    (
        Standard::PciDss321,
        "PCI.CloudTrail.3",
        "CloudTrail.4",
        None,
    ),
    (
        Standard::PciDss321,
        "PCI.CloudTrail.4",
        "CloudTrail.5",
        None,
    ),
    (Standard::PciDss321, "PCI.CodeBuild.1", "CodeBuild.1", None),
    (Standard::PciDss321, "PCI.CodeBuild.2", "CodeBuild.2", None),
    (Standard::PciDss321, "PCI.Config.1", "Config.1", None),
    (Standard::PciDss321, "PCI.CW.1", "CloudWatch.1", None),
    (Standard::PciDss321, "PCI.DMS.1", "DMS.1", None),
    (Standard::PciDss321, "PCI.EC2.1", "EC2.1", None),
    (Standard::PciDss321, "PCI.EC2.2", "EC2.2", None),
    (Standard::PciDss321, "PCI.EC2.4", "EC2.12", None),
    (Standard::PciDss321, "PCI.EC2.5", "EC2.13", None),
    (Standard::PciDss321, "PCI.EC2.6", "EC2.6", None),
    (Standard::PciDss321, "PCI.ELBv2.1", "ELB.1", None),
    (Standard::PciDss321, "PCI.ES.1", "ES.2", None),
    (Standard::PciDss321, "PCI.ES.2", "ES.1", None),
    (Standard::PciDss321, "PCI.GuardDuty.1", "GuardDuty.1", None),
    (Standard::PciDss321, "PCI.IAM.1", "IAM.4", None),
    (Standard::PciDss321, "PCI.IAM.2", "IAM.2", None),
    (Standard::PciDss321, "PCI.IAM.3", "IAM.1", None),
    (Standard::PciDss321, "PCI.IAM.4", "IAM.6", None),
    (Standard::PciDss321, "PCI.IAM.5", "IAM.9", None),
    (Standard::PciDss321, "PCI.IAM.6", "IAM.19", None),
    (Standard::PciDss321, "PCI.IAM.7", "IAM.8", None),
    (Standard::PciDss321, "PCI.IAM.8", "IAM.10", None),
    (Standard::PciDss321, "PCI.KMS.1", "KMS.4", None),
    (Standard::PciDss321, "PCI.Lambda.1", "Lambda.1", None),
    (Standard::PciDss321, "PCI.Lambda.2", "Lambda.3", None),
    (
        Standard::PciDss321,
        "PCI.Opensearch.1",
        "Opensearch.2",
        None,
    ),
    (
        Standard::PciDss321,
        "PCI.Opensearch.2",
        "Opensearch.1",
        None,
    ),
    (Standard::PciDss321, "PCI.RDS.1", "RDS.1", None),
    (Standard::PciDss321, "PCI.RDS.2", "RDS.2", None),
    (Standard::PciDss321, "PCI.Redshift.1", "Redshift.1", None),
    (Standard::PciDss321, "PCI.S3.1", "S3.3", None),
    (Standard::PciDss321, "PCI.S3.2", "S3.2", None),
    (Standard::PciDss321, "PCI.S3.3", "S3.7", None),
    (Standard::PciDss321, "PCI.S3.4", "S3.4", None),
    (Standard::PciDss321, "PCI.S3.5", "S3.5", None),
    (Standard::PciDss321, "PCI.S3.6", "S3.1", None),
    (Standard::PciDss321, "PCI.SageMaker.1", "SageMaker.1", None),
    (Standard::PciDss321, "PCI.SSM.1", "SSM.2", None),
    (Standard::PciDss321, "PCI.SSM.2", "SSM.3", None),
    (Standard::PciDss321, "PCI.SSM.3", "SSM.1", None),
];

/// How a finding's control was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// `Compliance.SecurityControlId` of a consolidated finding.
    Consolidated,
    /// A standard-specific id, mapped through [`STANDARD_CONTROLS`].
    StandardSpecific {
        /// The standard the finding belongs to.
        standard: Standard,
        /// The id within that standard, e.g. `2.9`.
        standard_control_id: String,
    },
    /// A finding of hubfix's CIS gap scanner without its control id: the scanner's
    /// own table of requirements decides.
    Scanner {
        /// The CIS v1.4.0 requirement, e.g. `1.13`.
        requirement: &'static str,
    },
}

/// The security control a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRef {
    /// Security control id, e.g. `S3.8`.
    pub control_id: String,
    /// Where it came from.
    pub resolution: Resolution,
}

/// Why a finding's control could not be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Not a control finding at all (GuardDuty, Inspector, a third-party product...).
    #[error("the finding names no security control (generator `{generator}`); hubfix fixes Security Hub control findings")]
    NotAControlFinding {
        /// The finding's generator id ([`quoted`]).
        generator: String,
    },
    /// A standard hubfix recognises, but a control id its table does not map.
    #[error("{standard} control `{id}` has no security control mapping")]
    UnmappedStandardControl {
        /// The standard.
        standard: Standard,
        /// The standard-specific id ([`quoted`]).
        id: String,
    },
    /// A requirement checked by several controls of the finding's resource type, and
    /// the finding does not name which (its `ProductFields.RecommendationUrl`).
    #[error("{standard} requirement `{id}` is checked by several controls ({candidates}) and the finding does not say which (its ProductFields.RecommendationUrl names none of them)")]
    AmbiguousStandardControl {
        /// The standard.
        standard: Standard,
        /// The standard-specific id.
        id: String,
        /// The controls it could be, comma-separated.
        candidates: String,
    },
    /// A consolidated finding whose control id is not of the form `Service.N`.
    #[error("the security control id `{id}` is not of the form Service.N")]
    MalformedControlId {
        /// The id as the finding gave it ([`quoted`]).
        id: String,
    },
}

/// Resolves the security control id of a finding.
pub fn resolve(finding: &Finding) -> Result<ControlRef, ResolveError> {
    if let Some(id) = finding
        .compliance
        .as_ref()
        .and_then(|c| c.security_control_id.as_deref())
        .filter(|id| !id.trim().is_empty())
    {
        return consolidated(id.trim());
    }
    let generator = finding.generator_id.clone().unwrap_or_default();
    if let Some(id) = generator.strip_prefix("security-control/") {
        return consolidated(id);
    }
    if let Some(number) = generator.strip_prefix(crate::scan::findings::GENERATOR_PREFIX) {
        return scanner(number);
    }
    let field = |k: &str| finding.product_fields.get(k).map(String::as_str);
    let standard = [
        field("StandardsArn"),
        field("StandardsGuideArn"),
        field("StandardsControlArn"),
        Some(generator.as_str()),
    ]
    .into_iter()
    .flatten()
    .find_map(Standard::detect);
    let Some(standard) = standard else {
        return Err(ResolveError::NotAControlFinding {
            generator: quoted(&generator, MAX_QUOTED_CHARS),
        });
    };
    let standard_id = field("ControlId")
        .or_else(|| field("RuleId"))
        .map(str::to_owned)
        .or_else(|| generator.rsplit('/').next().map(str::to_owned))
        .unwrap_or_default();
    let resource_types: Vec<&str> = finding
        .resources
        .iter()
        .map(|r| r.resource_type.as_str())
        .collect();
    let named = named_control(finding);
    let unmapped = || ResolveError::UnmappedStandardControl {
        standard,
        id: quoted(&standard_id, MAX_QUOTED_CHARS),
    };
    let control_id = match standard.security_control_id(&standard_id) {
        Some(id) => looks_like_security_control_id(id)
            .then(|| id.to_owned())
            .ok_or_else(unmapped)?,
        None => match candidates(standard, &standard_id, &resource_types).as_slice() {
            [] => return Err(unmapped()),
            [one] => (*one).to_owned(),
            several => named
                .filter(|n| several.contains(n))
                .map(str::to_owned)
                .ok_or_else(|| ResolveError::AmbiguousStandardControl {
                    standard,
                    id: quoted(&standard_id, MAX_QUOTED_CHARS),
                    candidates: several.join(", "),
                })?,
        },
    };
    Ok(ControlRef {
        control_id,
        resolution: Resolution::StandardSpecific {
            standard,
            standard_control_id: standard_id,
        },
    })
}

/// A finding of hubfix's CIS gap scanner that does not carry its control id: the
/// scanner's requirement table gives it (the generator names the requirement).
fn scanner(number: &str) -> Result<ControlRef, ResolveError> {
    crate::scan::requirements::requirement(number)
        .map(|r| ControlRef {
            control_id: r.control_id.to_owned(),
            resolution: Resolution::Scanner {
                requirement: r.cis_140,
            },
        })
        .ok_or_else(|| ResolveError::UnmappedStandardControl {
            standard: Standard::Cis140,
            id: quoted(number, MAX_QUOTED_CHARS),
        })
}

/// The security control a finding names in its own fields: the control of its
/// `ProductFields.RecommendationUrl` (`https://docs.aws.amazon.com/console/securityhub/
/// <control>/remediation`, the form since the consolidated controls view; older
/// findings name the standard there, `standards-cis-2.3`, which names no control).
pub fn named_control(finding: &Finding) -> Option<&str> {
    named_control_of_url(finding.product_fields.get("RecommendationUrl")?)
}

/// The security control a recommendation URL names ([`named_control`]).
pub fn named_control_of_url(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://docs.aws.amazon.com/console/securityhub/")
        .or_else(|| url.strip_prefix("https://docs.amazonaws.cn/console/securityhub/"))?;
    let (control, tail) = rest.split_once('/')?;
    (tail == "remediation" && looks_like_security_control_id(control)).then_some(control)
}

/// A consolidated finding's control id, when it is one: it ends up in notes, logs,
/// metric dimensions and audit records, so anything else is refused.
fn consolidated(id: &str) -> Result<ControlRef, ResolveError> {
    if looks_like_security_control_id(id) {
        Ok(ControlRef {
            control_id: id.to_owned(),
            resolution: Resolution::Consolidated,
        })
    } else {
        Err(ResolveError::MalformedControlId {
            id: quoted(id, MAX_QUOTED_CHARS),
        })
    }
}

/// The controls [`STANDARD_CONTROLS`] gives a standard-specific id, for a finding
/// naming resources of these types: rows of another resource type are left out.
fn candidates(standard: Standard, id: &str, resource_types: &[&str]) -> Vec<&'static str> {
    STANDARD_CONTROLS
        .iter()
        .filter(|(s, sid, _, rt)| {
            *s == standard && *sid == id && rt.is_none_or(|t| resource_types.contains(&t))
        })
        .map(|(_, _, control, _)| *control)
        .collect()
}

/// Maps a standard-specific control id to its security control id, for a finding
/// naming resources of `resource_types` and, in its own fields, the control `named`
/// ([`named_control`]). `None` when the table does not map it, or maps it to several
/// controls of those resource types none of which is `named`.
pub fn map_standard_control(
    standard: Standard,
    id: &str,
    resource_types: &[&str],
    named: Option<&str>,
) -> Option<String> {
    if let Some(id) = standard.security_control_id(id) {
        return looks_like_security_control_id(id).then(|| id.to_owned());
    }
    match candidates(standard, id, resource_types).as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        several => named.filter(|n| several.contains(n)).map(str::to_owned),
    }
}

/// Longest security control id accepted (real ones are under 20 characters).
const MAX_CONTROL_ID_CHARS: usize = 32;

/// `Service.N`, e.g. `S3.8`, `CloudTrail.1`, or dotted numbers as in hubfix's own
/// `CIS.1.13`; the service starts with a letter (`1.4.4` is a requirement number).
fn looks_like_security_control_id(id: &str) -> bool {
    id.len() <= MAX_CONTROL_ID_CHARS
        && match id.split_once('.') {
            Some((service, number)) => {
                service.starts_with(|c: char| c.is_ascii_alphabetic())
                    && service.chars().all(|c| c.is_ascii_alphanumeric())
                    && number
                        .split('.')
                        .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            }
            None => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::parse_finding;
    use serde_json::{json, Value};

    fn finding(extra: Value) -> Finding {
        let mut base = json!({
            "SchemaVersion": "2018-10-08",
            "Id": "f-1",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
            "AwsAccountId": "123456789012",
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}]
        });
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        parse_finding(0, &base).unwrap()
    }

    fn resolved(extra: Value) -> ControlRef {
        resolve(&finding(extra)).unwrap()
    }

    #[test]
    fn consolidated_finding_uses_security_control_id() {
        let c = resolved(json!({
            "GeneratorId": "security-control/S3.8",
            "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8",
                "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}]},
            "ProductFields": {"RelatedAWSResources:0/name": "securityhub-s3-bucket-level-public-access-prohibited-1a2b"}
        }));
        assert_eq!(c.control_id, "S3.8");
        assert_eq!(c.resolution, Resolution::Consolidated);
    }

    #[test]
    fn consolidated_generator_without_compliance_block() {
        assert_eq!(
            resolved(json!({"GeneratorId": "security-control/EC2.19"})).control_id,
            "EC2.19"
        );
    }

    #[test]
    fn cis_1_2_0_uses_rule_id_and_guide_arn() {
        let c = resolved(json!({
            "GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/2.9",
            "Compliance": {"Status": "FAILED"},
            "ProductFields": {
                "StandardsGuideArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
                "StandardsGuideSubscriptionArn": "arn:aws:securityhub:us-east-1:123456789012:subscription/cis-aws-foundations-benchmark/v/1.2.0",
                "RuleId": "2.9",
                "RecommendationUrl": "https://docs.aws.amazon.com/console/securityhub/standards-cis-2.9/remediation"
            }
        }));
        assert_eq!(c.control_id, "EC2.6");
        assert_eq!(
            c.resolution,
            Resolution::StandardSpecific {
                standard: Standard::Cis120,
                standard_control_id: "2.9".into()
            }
        );
        let ssh = resolved(json!({
            "GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1",
            "ProductFields": {"RuleId": "4.1"}
        }));
        assert_eq!(ssh.control_id, "EC2.13");
    }

    #[test]
    fn cis_1_4_0_uses_control_id_and_standards_arn() {
        let c = resolved(json!({
            "GeneratorId": "cis-aws-foundations-benchmark/v/1.4.0/4.3",
            "ProductFields": {
                "StandardsArn": "arn:aws:securityhub:::standards/cis-aws-foundations-benchmark/v/1.4.0",
                "StandardsSubscriptionArn": "arn:aws:securityhub:us-east-1:123456789012:subscription/cis-aws-foundations-benchmark/v/1.4.0",
                "ControlId": "4.3",
                "StandardsControlArn": "arn:aws:securityhub:us-east-1:123456789012:control/cis-aws-foundations-benchmark/v/1.4.0/4.3"
            }
        }));
        assert_eq!(c.control_id, "CloudWatch.1");
        let bucket = resolved(json!({
            "GeneratorId": "cis-aws-foundations-benchmark/v/1.4.0/2.1.5.2",
            "ProductFields": {"StandardsArn": "arn:aws:securityhub:::standards/cis-aws-foundations-benchmark/v/1.4.0",
                "ControlId": "2.1.5.2"}
        }));
        assert_eq!(bucket.control_id, "S3.8");
    }

    #[test]
    fn cis_3_0_0_requirement_shared_by_two_controls_uses_resource_type() {
        let generator = json!("cis-aws-foundations-benchmark/v/3.0.0/2.1.4");
        let bucket = resolved(json!({"GeneratorId": generator}));
        assert_eq!(bucket.control_id, "S3.8");
        let account = resolved(json!({
            "GeneratorId": generator,
            "Resources": [{"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"}]
        }));
        assert_eq!(account.control_id, "S3.1");
        let ssh = resolved(json!({"GeneratorId": "cis-aws-foundations-benchmark/v/3.0.0/5.2"}));
        assert_eq!(ssh.control_id, "EC2.53");
    }

    #[test]
    fn pci_dss_uses_control_id() {
        let c = resolved(json!({
            "GeneratorId": "pci-dss/v/3.2.1/PCI.S3.1",
            "ProductFields": {
                "StandardsArn": "arn:aws:securityhub:::standards/pci-dss/v/3.2.1",
                "ControlId": "PCI.S3.1",
                "StandardsControlArn": "arn:aws:securityhub:us-east-1:123456789012:control/pci-dss/v/3.2.1/PCI.S3.1"
            }
        }));
        assert_eq!(c.control_id, "S3.3");
        let ssh = resolved(json!({"GeneratorId": "pci-dss/v/3.2.1/PCI.EC2.5"}));
        assert_eq!(ssh.control_id, "EC2.13");
    }

    #[test]
    fn fsbp_ids_are_security_control_ids() {
        let c = resolved(json!({
            "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/EC2.19",
            "ProductFields": {
                "StandardsArn": "arn:aws:securityhub:::standards/aws-foundational-security-best-practices/v/1.0.0",
                "ControlId": "EC2.19"
            }
        }));
        assert_eq!(c.control_id, "EC2.19");
        let from_generator = resolved(json!({
            "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/S3.1"
        }));
        assert_eq!(from_generator.control_id, "S3.1");
    }

    #[test]
    fn non_control_findings_and_unmapped_ids_are_clear_errors() {
        let guardduty = finding(json!({
            "GeneratorId": "arn:aws:guardduty:us-east-1:123456789012:detector/abc",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty"
        }));
        let err = resolve(&guardduty).unwrap_err();
        assert!(matches!(err, ResolveError::NotAControlFinding { .. }));
        assert!(err.to_string().contains("detector/abc"));
        let unmapped = finding(json!({"GeneratorId": "pci-dss/v/3.2.1/PCI.Nope.9"}));
        assert_eq!(
            resolve(&unmapped).unwrap_err().to_string(),
            "PCI DSS v3.2.1 control `PCI.Nope.9` has no security control mapping"
        );
        let garbage = finding(
            json!({"GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/../../etc"}),
        );
        assert!(resolve(&garbage).is_err());
    }

    #[test]
    fn malformed_consolidated_ids_are_refused_not_passed_on() {
        for (extra, shown) in [
            (json!({"Compliance": {"SecurityControlId": "!"}}), "`!`"),
            (json!({"Compliance": {"SecurityControlId": "ເ"}}), "`ເ`"),
            (
                json!({"GeneratorId": "security-control/../../etc"}),
                "`../../etc`",
            ),
            (
                json!({"Compliance": {"SecurityControlId": "S3.8\n;rm -rf /"}}),
                "`S3.8\\n;rm -rf /`",
            ),
        ] {
            let err = resolve(&finding(extra)).unwrap_err();
            assert!(matches!(err, ResolveError::MalformedControlId { .. }));
            assert!(err.to_string().contains(shown), "{err}");
        }
        let long = finding(json!({"Compliance": {"SecurityControlId": "S".repeat(5000) + ".1"}}));
        assert!(resolve(&long).unwrap_err().to_string().len() < 200);
        assert_eq!(
            resolved(json!({"Compliance": {"SecurityControlId": " CIS.1.13 "}})).control_id,
            "CIS.1.13"
        );
    }

    /// A finding as hubfix's CIS gap scanner imports it (see `scan::findings`).
    fn scanner_finding(requirement: &str, control: Option<&str>, resource: Value) -> Value {
        let mut f = json!({
            "Id": format!("hubfix/cis-aws-foundations-benchmark/v/1.4.0/{requirement}/123456789012/global/r"),
            "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
            "GeneratorId": format!("hubfix/cis-aws-foundations-benchmark/v/1.4.0/{requirement}"),
            "Compliance": {"Status": "FAILED"},
            "ProductFields": {"hubfix/CIS-1.4.0": requirement},
            "Resources": [resource]
        });
        if let Some(c) = control {
            f["Compliance"]["SecurityControlId"] = json!(c);
        }
        f
    }

    #[test]
    fn scanner_findings_resolve_straight_to_the_rule_that_fixes_them() {
        let user = json!({"Type": "AwsIamUser", "Id": "arn:aws:iam::123456789012:user/alice"});
        let c = resolved(scanner_finding("1.13", Some("CIS.1.13"), user.clone()));
        assert_eq!(c.control_id, "CIS.1.13");
        assert_eq!(c.resolution, Resolution::Consolidated);
        let rule = crate::registry::rule(&c.control_id).unwrap();
        assert_eq!(rule.resource_type, "AwsIamUser");
        assert!(rule.disruptive(), "1.13 deactivates keys: approval-only");
        for req in crate::scan::REQUIREMENTS {
            let c = resolved(scanner_finding(
                req.cis_140,
                Some(req.control_id),
                user.clone(),
            ));
            assert_eq!(c.control_id, req.control_id, "{}", req.cis_140);
        }
    }

    #[test]
    fn scanner_findings_without_their_control_id_resolve_by_the_scanners_table() {
        let group = json!({"Type": "AwsEc2SecurityGroup",
            "Id": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1"});
        let c = resolved(scanner_finding("5.2", None, group.clone()));
        assert_eq!(c.control_id, "EC2.53");
        assert_eq!(c.resolution, Resolution::Scanner { requirement: "5.2" });
        assert_eq!(
            resolved(scanner_finding("3.10", None, group.clone())).control_id,
            "CIS.3.10"
        );
        assert_eq!(
            resolved(scanner_finding("2.1.3", None, group.clone())).control_id,
            "CIS.2.1.3"
        );
        // The scanner's own table decides its findings, also where AWS's CIS 1.4.0
        // rows name another control for the same number.
        assert_eq!(
            resolved(scanner_finding("4.3", None, group.clone())).control_id,
            "CIS.4.3"
        );
        assert!(resolve(&finding(scanner_finding("1.1", None, group))).is_err());
    }

    #[test]
    fn mapping_table_has_no_duplicate_rows_and_only_security_control_ids() {
        for (i, a) in STANDARD_CONTROLS.iter().enumerate() {
            for b in &STANDARD_CONTROLS[i + 1..] {
                assert!(
                    !(a.0 == b.0 && a.1 == b.1 && a.2 == b.2),
                    "{:?} {} -> {} twice",
                    a.0,
                    a.1,
                    a.2
                );
            }
            assert!(looks_like_security_control_id(a.2), "{}", a.2);
            assert!(a.0.security_control_id(a.1).is_none(), "{:?}", a.0);
        }
    }

    /// A standard-specific finding as Security Hub sends it with consolidated control
    /// findings off and without `Compliance.SecurityControlId` (findings from before
    /// the consolidated controls view, and Regions without it).
    fn standard_finding(standard: &str, id: &str, url: Option<&str>, resource: Value) -> Value {
        let mut fields = json!({
            "StandardsArn": format!("arn:aws:securityhub:::standards/{standard}"),
            "ControlId": id
        });
        if let Some(u) = url {
            fields["RecommendationUrl"] = json!(format!(
                "https://docs.aws.amazon.com/console/securityhub/{u}/remediation"
            ));
        }
        json!({"GeneratorId": format!("{standard}/{id}"), "ProductFields": fields,
            "Compliance": {"Status": "FAILED"}, "Resources": [resource]})
    }

    #[test]
    fn cis_5_0_0_requirements_resolve_by_aws_mapping() {
        let account = json!({"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"});
        let bucket = json!({"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"});
        let user = json!({"Type": "AwsIamUser", "Id": "arn:aws:iam::123456789012:user/a"});
        let cis5 = "cis-aws-foundations-benchmark/v/5.0.0";
        for (id, resource, control) in [
            ("5.1.1", &account, "EC2.7"),
            ("2.1.4", &account, "S3.1"),
            ("2.1.4", &bucket, "S3.8"),
            ("2.1.2", &bucket, "S3.20"),
            ("3.8", &account, "S3.22"),
            ("3.9", &account, "S3.23"),
            ("1.14", &user, "IAM.2"),
            ("1.3", &account, "IAM.4"),
            ("3.4", &bucket, "CloudTrail.7"),
            ("5.3", &account, "EC2.53"),
        ] {
            let c = resolved(standard_finding(cis5, id, None, resource.clone()));
            assert_eq!(c.control_id, control, "CIS 5.0.0 {id}");
            assert_eq!(
                c.resolution,
                Resolution::StandardSpecific {
                    standard: Standard::Cis500,
                    standard_control_id: id.into()
                }
            );
        }
    }

    #[test]
    fn a_requirement_of_several_controls_of_one_resource_type_is_decided_by_the_finding() {
        let efs = json!({"Type": "AwsEfsFileSystem",
            "Id": "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1"});
        let cis5 = "cis-aws-foundations-benchmark/v/5.0.0";
        for named in ["EFS.1", "EFS.8"] {
            let c = resolved(standard_finding(cis5, "2.3.1", Some(named), efs.clone()));
            assert_eq!(c.control_id, named);
        }
        for url in [None, Some("S3.8")] {
            let err =
                resolve(&finding(standard_finding(cis5, "2.3.1", url, efs.clone()))).unwrap_err();
            assert_eq!(
                err.to_string(),
                "CIS AWS Foundations Benchmark v5.0.0 requirement `2.3.1` is checked by several controls (EFS.1, EFS.8) and the finding does not say which (its ProductFields.RecommendationUrl names none of them)"
            );
        }
        let account = json!({"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"});
        let cis12 = "cis-aws-foundations-benchmark/v/1.2.0";
        let iam20 = resolved(standard_finding(
            cis12,
            "1.1",
            Some("IAM.20"),
            account.clone(),
        ));
        assert_eq!(iam20.control_id, "IAM.20");
        let old_url = finding(json!({
            "GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.1",
            "ProductFields": {"RuleId": "1.1", "RecommendationUrl":
                "https://docs.aws.amazon.com/console/securityhub/standards-cis-1.1/remediation"},
            "Resources": [account]
        }));
        assert!(matches!(
            resolve(&old_url),
            Err(ResolveError::AmbiguousStandardControl { .. })
        ));
        // Where the table has one control, it decides, whatever the URL says (AWS's
        // own NIST sample finding names CloudTrail.9 there for CloudTrail.2).
        let trail = json!({"Type": "AwsCloudTrailTrail",
            "Id": "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"});
        let c = resolved(standard_finding(
            "cis-aws-foundations-benchmark/v/1.4.0",
            "3.7",
            Some("CloudTrail.9"),
            trail,
        ));
        assert_eq!(c.control_id, "CloudTrail.2");
    }

    #[test]
    fn standards_of_security_control_ids_resolve_to_them() {
        let bucket = json!({"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"});
        for (standard, id, control) in [
            ("pci-dss/v/4.0.1", "S3.8", "S3.8"),
            ("nist-800-171/v/2.0.0", "CloudTrail.2", "CloudTrail.2"),
            (
                "service-managed-aws-control-tower/v/1.0.0",
                "CT.CloudTrail.2",
                "CloudTrail.2",
            ),
            ("aws-resource-tagging-standard/v/1.0.0", "EC2.44", "EC2.44"),
        ] {
            let c = resolved(standard_finding(standard, id, None, bucket.clone()));
            assert_eq!(c.control_id, control, "{standard}");
        }
        let requirement_number =
            finding(standard_finding("pci-dss/v/4.0.1", "1.4.4", None, bucket));
        assert_eq!(
            resolve(&requirement_number).unwrap_err().to_string(),
            "PCI DSS v4.0.1 control `1.4.4` has no security control mapping"
        );
    }

    #[test]
    fn corrections_from_the_user_guide_tables() {
        let account = json!({"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"});
        let bucket = json!({"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"});
        // PCI.S3.6 is the account-level Block Public Access setting (S3.1).
        let pci = resolved(standard_finding(
            "pci-dss/v/3.2.1",
            "PCI.S3.6",
            None,
            account.clone(),
        ));
        assert_eq!(pci.control_id, "S3.1");
        let cis14 = "cis-aws-foundations-benchmark/v/1.4.0";
        for (id, resource, url, control) in [
            ("2.1.1", &bucket, None, "S3.4"),
            ("2.1.3", &bucket, None, "S3.20"),
            ("2.1.5", &account, None, "S3.1"),
            ("2.1.5", &bucket, None, "S3.8"),
            ("3.3", &bucket, None, "CloudTrail.6"),
            ("3.6", &bucket, Some("CloudTrail.7"), "CloudTrail.7"),
            ("3.6", &bucket, Some("S3.9"), "S3.9"),
        ] {
            let c = resolved(standard_finding(cis14, id, url, resource.clone()));
            assert_eq!(c.control_id, control, "CIS 1.4.0 {id}");
        }
        let cis3 = "cis-aws-foundations-benchmark/v/3.0.0";
        assert!(resolve(&finding(standard_finding(cis3, "1.16", None, account))).is_err());
    }
}
