//! What the report reads from one finding, borrowed from the SDK's finding so that a
//! page of findings is summarised without copying it.

use std::borrow::Cow;

use aws_sdk_securityhub::types::{AwsSecurityFinding, RecordState};

use crate::control::{map_standard_control, named_control_of_url};
use crate::finding::WorkflowStatus;
use crate::outcome::UPDATED_BY;

use super::standards::{id_of, standard_id, table_standard};

/// `Compliance.Status` of a control finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceStatus {
    /// The check passed.
    Passed,
    /// The check failed.
    Failed,
    /// The check completed without deciding.
    Warning,
    /// The check could not run.
    NotAvailable,
}

impl ComplianceStatus {
    /// From the API's spelling; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "PASSED" => Some(ComplianceStatus::Passed),
            "FAILED" => Some(ComplianceStatus::Failed),
            "WARNING" => Some(ComplianceStatus::Warning),
            "NOT_AVAILABLE" => Some(ComplianceStatus::NotAvailable),
            _ => None,
        }
    }
}

/// `Severity.Label`, or the label of `Severity.Normalized`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// CRITICAL (normalized 90-100).
    Critical,
    /// HIGH (70-89).
    High,
    /// MEDIUM (40-69).
    Medium,
    /// LOW (1-39).
    Low,
    /// INFORMATIONAL (0), and findings without a severity.
    Informational,
}

impl Severity {
    /// From a label, else from a normalized score; INFORMATIONAL when neither is usable.
    pub fn of(label: Option<&str>, normalized: Option<i32>) -> Self {
        match label {
            Some("CRITICAL") => Severity::Critical,
            Some("HIGH") => Severity::High,
            Some("MEDIUM") => Severity::Medium,
            Some("LOW") => Severity::Low,
            Some("INFORMATIONAL") => Severity::Informational,
            _ => match normalized {
                Some(90..=100) => Severity::Critical,
                Some(70..=89) => Severity::High,
                Some(40..=69) => Severity::Medium,
                Some(1..=39) => Severity::Low,
                _ => Severity::Informational,
            },
        }
    }
}

/// A standard the finding belongs to, and the control's id within that standard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership<'a> {
    /// The standard's id, e.g. `standards/pci-dss/v/3.2.1`.
    pub standard: Cow<'a, str>,
    /// The control within the standard: the security control id of a consolidated
    /// finding, the standard's own id (CIS `4.1`) of a standard-specific one.
    pub control: &'a str,
}

/// One finding as the report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFacts<'a> {
    /// `AwsAccountId` (empty when missing).
    pub account: &'a str,
    /// The security control id (`S3.1`), for control findings.
    pub control: Option<Cow<'a, str>>,
    /// `Title`.
    pub title: &'a str,
    /// The standards the finding counts towards.
    pub standards: Vec<Membership<'a>>,
    /// `Compliance.Status`, for control findings.
    pub compliance: Option<ComplianceStatus>,
    /// The severity.
    pub severity: Severity,
    /// `Workflow.Status` (NEW when missing).
    pub workflow: WorkflowStatus,
    /// `RecordState` is ARCHIVED.
    pub archived: bool,
    /// `Note.UpdatedAt` of a note hubfix wrote (`Note.UpdatedBy` is hubfix's).
    pub hubfix_note_at: Option<&'a str>,
}

fn text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

impl<'a> FindingFacts<'a> {
    /// Reads a finding returned by `GetFindings`. Missing or unexpected fields give a
    /// finding that counts for less (no control, no standard), never an error.
    pub fn from_sdk(f: &'a AwsSecurityFinding) -> Self {
        let compliance = f.compliance();
        let consolidated = text(compliance.and_then(|c| c.security_control_id())).or_else(|| {
            text(
                f.generator_id()
                    .and_then(|g| g.strip_prefix("security-control/")),
            )
        });
        let (control, standards, title) = match consolidated {
            Some(id) => {
                let standards = compliance
                    .map(|c| c.associated_standards())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|a| text(a.standards_id()))
                    .map(|s| Membership {
                        standard: Cow::Borrowed(standard_id(s)),
                        control: id,
                    })
                    .collect();
                (Some(Cow::Borrowed(id)), standards, text(f.title()))
            }
            None => standard_specific(f),
        };
        let severity = f.severity();
        let note = f
            .note()
            .filter(|n| n.updated_by().map(str::trim) == Some(UPDATED_BY));
        FindingFacts {
            account: text(f.aws_account_id()).unwrap_or_default(),
            control,
            title: title.unwrap_or_default(),
            standards,
            compliance: compliance
                .and_then(|c| c.status())
                .and_then(|s| ComplianceStatus::parse(s.as_str())),
            severity: Severity::of(
                severity.and_then(|s| s.label()).map(|l| l.as_str()),
                severity.and_then(|s| s.normalized()),
            ),
            workflow: workflow_status(f),
            archived: f.record_state() == Some(&RecordState::Archived),
            hubfix_note_at: note.and_then(|n| text(n.updated_at())),
        }
    }
}

fn workflow_status(f: &AwsSecurityFinding) -> WorkflowStatus {
    match f.workflow().and_then(|w| w.status()).map(|s| s.as_str()) {
        None | Some("NEW") => WorkflowStatus::New,
        Some("NOTIFIED") => WorkflowStatus::Notified,
        Some("RESOLVED") => WorkflowStatus::Resolved,
        Some("SUPPRESSED") => WorkflowStatus::Suppressed,
        Some(_) => WorkflowStatus::Unknown,
    }
}

type Identity<'a> = (Option<Cow<'a, str>>, Vec<Membership<'a>>, Option<&'a str>);

/// The control, standard and title of a finding of an account with consolidated
/// control findings off: the standard from `ProductFields` (or a generator id hubfix
/// knows), the control id within it from `ControlId`/`RuleId`, and the title without
/// the standard's control id these findings start it with (`4.1 Ensure ...`).
fn standard_specific(f: &AwsSecurityFinding) -> Identity<'_> {
    let title = text(f.title());
    let fields = f.product_fields();
    let field = |k: &str| text(fields.and_then(|m| m.get(k)).map(String::as_str));
    let generator = f.generator_id().unwrap_or_default();
    let standard: Option<Cow<'_, str>> = field("StandardsArn")
        .or_else(|| field("StandardsGuideArn"))
        .map(|arn| Cow::Borrowed(standard_id(arn)))
        .or_else(|| {
            crate::control::Standard::ALL
                .into_iter()
                .find(|s| generator.contains(s.marker()))
                .map(|s| Cow::Owned(id_of(s)))
        });
    let Some(standard) = standard else {
        return (None, Vec::new(), title);
    };
    let Some(local) = field("ControlId")
        .or_else(|| field("RuleId"))
        .or_else(|| text(generator.rsplit('/').next()))
    else {
        return (None, Vec::new(), title);
    };
    let resource_types: Vec<&str> = f.resources().iter().filter_map(|r| r.r#type()).collect();
    let named = field("RecommendationUrl").and_then(named_control_of_url);
    let control = table_standard(&standard)
        .and_then(|s| map_standard_control(s, local, &resource_types, named))
        .map_or(Cow::Borrowed(local), Cow::Owned);
    let title = title.map(|t| {
        t.strip_prefix(local)
            .and_then(|rest| text(Some(rest)))
            .unwrap_or(t)
    });
    (
        Some(control),
        vec![Membership {
            standard,
            control: local,
        }],
        title,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_securityhub::types::{
        AssociatedStandard, Compliance, Note, Resource, Severity as SdkSeverity, SeverityLabel,
        Workflow,
    };

    #[test]
    fn consolidated_findings() {
        let f = AwsSecurityFinding::builder()
            .aws_account_id("111111111111")
            .title("S3 general purpose buckets should block public access")
            .generator_id("security-control/S3.8")
            .compliance(
                Compliance::builder()
                    .security_control_id("S3.8")
                    .status("FAILED".into())
                    .associated_standards(
                        AssociatedStandard::builder()
                            .standards_id(
                                "standards/aws-foundational-security-best-practices/v/1.0.0",
                            )
                            .build(),
                    )
                    .build(),
            )
            .severity(SdkSeverity::builder().label(SeverityLabel::High).build())
            .workflow(Workflow::builder().status("RESOLVED".into()).build())
            .note(
                Note::builder()
                    .text("hubfix fixed it")
                    .updated_by("hubfix")
                    .updated_at("2025-02-10T00:00:00.000Z")
                    .build(),
            )
            .build();
        let facts = FindingFacts::from_sdk(&f);
        assert_eq!(facts.control.as_deref(), Some("S3.8"));
        assert_eq!(
            facts.standards,
            vec![Membership {
                standard: Cow::Borrowed(
                    "standards/aws-foundational-security-best-practices/v/1.0.0"
                ),
                control: "S3.8"
            }]
        );
        assert_eq!(facts.compliance, Some(ComplianceStatus::Failed));
        assert_eq!(facts.severity, Severity::High);
        assert_eq!(facts.workflow, WorkflowStatus::Resolved);
        assert_eq!(facts.hubfix_note_at, Some("2025-02-10T00:00:00.000Z"));
        assert!(!facts.archived);
    }

    #[test]
    fn standard_specific_findings_map_to_security_controls() {
        let f = AwsSecurityFinding::builder()
            .aws_account_id("222222222222")
            .generator_id(
                "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1",
            )
            .title("4.1 Ensure no security groups allow ingress from 0.0.0.0/0 to port 22")
            .product_fields(
                "StandardsGuideArn",
                "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
            )
            .product_fields("RuleId", "4.1")
            .resources(
                Resource::builder()
                    .r#type("AwsEc2SecurityGroup")
                    .id("sg-1")
                    .build(),
            )
            .compliance(Compliance::builder().status("PASSED".into()).build())
            .note(Note::builder().text("x").updated_by("alice").build())
            .build();
        let facts = FindingFacts::from_sdk(&f);
        assert_eq!(facts.control.as_deref(), Some("EC2.13"));
        assert_eq!(
            facts.title,
            "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22"
        );
        assert_eq!(
            facts.standards[0].standard,
            "ruleset/cis-aws-foundations-benchmark/v/1.2.0"
        );
        assert_eq!(facts.standards[0].control, "4.1");
        assert_eq!(facts.hubfix_note_at, None, "someone else's note");
        assert_eq!(facts.workflow, WorkflowStatus::New);
    }

    #[test]
    fn empty_and_foreign_findings_count_for_less_without_panicking() {
        let empty = AwsSecurityFinding::builder().build();
        let facts = FindingFacts::from_sdk(&empty);
        assert_eq!(facts.account, "");
        assert_eq!(facts.control, None);
        assert!(facts.standards.is_empty());
        assert_eq!(facts.severity, Severity::Informational);
        let guardduty = AwsSecurityFinding::builder()
            .generator_id("arn:aws:guardduty:us-east-1:1:detector/x")
            .severity(SdkSeverity::builder().normalized(75).build())
            .compliance(Compliance::builder().status("SOMETHING_NEW".into()).build())
            .build();
        let facts = FindingFacts::from_sdk(&guardduty);
        assert_eq!(facts.control, None);
        assert_eq!(facts.severity, Severity::High);
        assert_eq!(facts.compliance, None);
    }
}
