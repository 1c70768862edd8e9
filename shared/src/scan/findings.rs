//! From a check's result to an ASFF finding, and back: stable ids, the fields Security
//! Hub needs, and which earlier findings name resources that are gone. Pure: no AWS call.

use std::collections::{BTreeMap, HashSet};

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, Recommendation, RecordState, Remediation,
    Resource, Severity, SeverityLabel,
};
use serde::Serialize;

use super::requirements::Requirement;

/// The generator id's prefix; the requirement's v1.4.0 number follows it.
pub const GENERATOR_PREFIX: &str = "hubfix/cis-aws-foundations-benchmark/v/1.4.0/";
/// The ASFF finding type of every scanner finding.
pub const FINDING_TYPE: &str =
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";
/// `ProductFields` key holding the CIS v1.4.0 number.
pub const FIELD_CIS_140: &str = "hubfix/CIS-1.4.0";
/// `ProductFields` key holding the CIS v1.2.0 numbers (comma-separated), when any.
pub const FIELD_CIS_120: &str = "hubfix/CIS-1.2.0";
/// `ProductFields` key prefix of the resource's facts (`hubfix/Resource/UserName`).
pub const FIELD_RESOURCE_PREFIX: &str = "hubfix/Resource/";
/// The region part of the id of a finding evaluated once per account.
pub const GLOBAL: &str = "global";

/// Longest `Description` Security Hub takes.
const MAX_DESCRIPTION: usize = 1024;
/// Longest `Remediation.Recommendation.Text` Security Hub takes.
const MAX_RECOMMENDATION: usize = 512;

/// A resource a requirement is checked on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScannedResource {
    /// The ASFF resource type (the rule's).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The ASFF resource id: an ARN, or `AWS::::Account:<id>`.
    pub id: String,
    /// The region the resource is in.
    pub region: String,
    /// Facts about it (user name, bucket name, group id), in the finding's
    /// `ProductFields` under [`FIELD_RESOURCE_PREFIX`].
    pub details: BTreeMap<String, String>,
}

/// The result of one requirement on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The CIS v1.4.0 number.
    pub requirement: &'static str,
    /// The hubfix control that fixes it.
    pub control: &'static str,
    /// The account.
    pub account: String,
    /// Where it was evaluated: a region, or [`GLOBAL`] for account-wide requirements.
    pub scope_region: String,
    /// The resource.
    pub resource: ScannedResource,
    /// Whether the resource satisfies the requirement.
    pub compliant: bool,
    /// What is wrong (empty when compliant).
    pub reason: String,
}

impl CheckResult {
    /// The finding's stable id: the same requirement, account, scope and resource give
    /// the same id on every run, so a re-run updates the finding.
    pub fn finding_id(&self) -> String {
        finding_id(
            self.requirement,
            &self.account,
            &self.scope_region,
            &self.resource.id,
        )
    }
}

/// `hubfix/cis-aws-foundations-benchmark/v/1.4.0/<req>/<account>/<region|global>/<resource id>`.
pub fn finding_id(requirement: &str, account: &str, scope_region: &str, resource: &str) -> String {
    format!("{GENERATOR_PREFIX}{requirement}/{account}/{scope_region}/{resource}")
}

/// `(requirement, account, scope region)` of a scanner finding id.
pub fn scope_of_id(id: &str) -> Option<(&str, &str, &str)> {
    let mut parts = id.strip_prefix(GENERATOR_PREFIX)?.splitn(4, '/');
    let requirement = parts.next()?;
    let account = parts.next()?;
    let region = parts.next()?;
    parts.next().filter(|r| !r.is_empty())?;
    Some((requirement, account, region))
}

/// The account's own product (Security Hub accepts findings of the account itself).
pub fn product_arn(partition: &str, region: &str, account: &str) -> String {
    format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default")
}

/// Where and when findings are imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingContext<'a> {
    /// The product ARN ([`product_arn`]) of the finding's account.
    pub product_arn: &'a str,
    /// The partition.
    pub partition: &'a str,
    /// The time of this scan (ISO 8601), `UpdatedAt`.
    pub now: &'a str,
    /// `CreatedAt` of the finding, when an earlier scan imported it.
    pub created_at: Option<&'a str>,
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max - 1).collect();
    s.push('…');
    s
}

/// The ASFF finding of a result: FAILED with the requirement's severity, PASSED as
/// INFORMATIONAL, ACTIVE.
pub fn to_finding(
    req: &Requirement,
    result: &CheckResult,
    ctx: &FindingContext<'_>,
) -> AwsSecurityFinding {
    let (status, severity) = if result.compliant {
        (ComplianceStatus::Passed, SeverityLabel::Informational)
    } else {
        (ComplianceStatus::Failed, SeverityLabel::from(req.severity))
    };
    let description = if result.compliant {
        format!(
            "{} satisfies CIS AWS Foundations Benchmark v1.4.0 {}: {}.",
            result.resource.id, req.cis_140, req.title
        )
    } else {
        format!(
            "{} fails CIS AWS Foundations Benchmark v1.4.0 {} ({}): {}.",
            result.resource.id, req.cis_140, req.title, result.reason
        )
    };
    let mut related = vec![format!(
        "CIS AWS Foundations Benchmark v1.4.0/{}",
        req.cis_140
    )];
    related.extend(
        req.cis_120
            .iter()
            .map(|n| format!("CIS AWS Foundations Benchmark v1.2.0/{n}")),
    );
    let mut fields = std::collections::HashMap::new();
    fields.insert(FIELD_CIS_140.to_owned(), req.cis_140.to_owned());
    if !req.cis_120.is_empty() {
        fields.insert(FIELD_CIS_120.to_owned(), req.cis_120.join(","));
    }
    // The resource's facts go in ProductFields, not `Resources[].Details.Other`: the
    // SDK's deserializer of `ResourceDetails` overflows an 8 MiB stack in debug builds,
    // so every reader of the finding built that way (hubfix's own tests, a debug CLI)
    // would crash on it.
    for (k, v) in &result.resource.details {
        fields.insert(format!("{FIELD_RESOURCE_PREFIX}{k}"), v.clone());
    }
    let resource = Resource::builder()
        .r#type(&result.resource.resource_type)
        .id(&result.resource.id)
        .partition(ctx.partition.into())
        .region(&result.resource.region)
        .build();
    AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id(result.finding_id())
        .product_arn(ctx.product_arn)
        .generator_id(format!("{GENERATOR_PREFIX}{}", req.cis_140))
        .aws_account_id(&result.account)
        .types(FINDING_TYPE)
        .created_at(ctx.created_at.unwrap_or(ctx.now))
        .updated_at(ctx.now)
        .severity(Severity::builder().label(severity).build())
        .title(cut(&format!("CIS {} {}", req.cis_140, req.title), 256))
        .description(cut(&description, MAX_DESCRIPTION))
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(cut(req.recommendation, MAX_RECOMMENDATION))
                        .build(),
                )
                .build(),
        )
        .compliance(
            Compliance::builder()
                .status(status)
                .security_control_id(req.control_id)
                .set_related_requirements(Some(related))
                .build(),
        )
        .set_product_fields(Some(fields))
        .resources(resource)
        .record_state(RecordState::Active)
        .build()
}

/// An earlier finding, archived because its resource is gone.
pub fn archived(mut previous: AwsSecurityFinding, now: &str) -> AwsSecurityFinding {
    previous.record_state = Some(RecordState::Archived);
    previous.updated_at = Some(now.to_owned());
    previous
}

/// The earlier findings (their ids) whose resource this scan no longer saw, among the
/// scopes it evaluated completely: those resources are gone. A scope that had an
/// error is never in `complete`, so nothing is archived on a failed read.
pub fn vanished<'a>(
    previous: impl IntoIterator<Item = &'a str>,
    current: &HashSet<String>,
    complete: &HashSet<(String, String, String)>,
) -> Vec<&'a str> {
    previous
        .into_iter()
        .filter(|id| !current.contains(*id))
        .filter(|id| {
            scope_of_id(id).is_some_and(|(r, a, g)| {
                complete.contains(&(r.to_owned(), a.to_owned(), g.to_owned()))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::requirements::requirement;
    use super::*;

    fn result(compliant: bool) -> CheckResult {
        CheckResult {
            requirement: "1.13",
            control: "CIS.1.13",
            account: "123456789012".into(),
            scope_region: GLOBAL.into(),
            resource: ScannedResource {
                resource_type: "AwsIamUser".into(),
                id: "arn:aws:iam::123456789012:user/alice".into(),
                region: "us-east-1".into(),
                details: [("UserName".to_owned(), "alice".to_owned())].into(),
            },
            compliant,
            reason: if compliant {
                String::new()
            } else {
                "deactivated access key AKIA1 (the newest, AKIA2, stays active)".into()
            },
        }
    }

    fn ctx<'a>(product: &'a str) -> FindingContext<'a> {
        FindingContext {
            product_arn: product,
            partition: "aws",
            now: "2026-11-23T06:00:00.000Z",
            created_at: None,
        }
    }

    #[test]
    fn ids_are_stable_per_requirement_account_scope_and_resource() {
        let a = result(false).finding_id();
        assert_eq!(
            a,
            result(true).finding_id(),
            "status does not change the id"
        );
        assert_eq!(
            a,
            "hubfix/cis-aws-foundations-benchmark/v/1.4.0/1.13/123456789012/global/arn:aws:iam::123456789012:user/alice"
        );
        assert_eq!(scope_of_id(&a), Some(("1.13", "123456789012", "global")));
        let regional = finding_id(
            "1.20",
            "123456789012",
            "eu-west-1",
            "AWS::::Account:123456789012",
        );
        assert_ne!(
            regional,
            finding_id(
                "1.20",
                "123456789012",
                "us-east-1",
                "AWS::::Account:123456789012"
            )
        );
        assert_eq!(
            scope_of_id(&regional),
            Some(("1.20", "123456789012", "eu-west-1"))
        );
        assert_eq!(scope_of_id("arn:aws:securityhub:x"), None);
        assert_eq!(
            scope_of_id(&format!("{GENERATOR_PREFIX}1.13/1/global/")),
            None
        );
    }

    #[test]
    fn a_failed_result_is_a_well_formed_asff_finding() {
        let product = product_arn("aws", "us-east-1", "123456789012");
        assert_eq!(
            product,
            "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
        );
        let req = requirement("1.13").unwrap();
        let f = to_finding(req, &result(false), &ctx(&product));
        assert_eq!(f.product_arn(), Some(product.as_str()));
        assert_eq!(
            f.generator_id(),
            Some("hubfix/cis-aws-foundations-benchmark/v/1.4.0/1.13")
        );
        assert_eq!(f.aws_account_id(), Some("123456789012"));
        assert_eq!(f.types(), [FINDING_TYPE]);
        let c = f.compliance().unwrap();
        assert_eq!(c.status(), Some(&ComplianceStatus::Failed));
        assert_eq!(c.security_control_id(), Some("CIS.1.13"));
        assert_eq!(
            c.related_requirements(),
            ["CIS AWS Foundations Benchmark v1.4.0/1.13"]
        );
        assert_eq!(f.severity().unwrap().label(), Some(&SeverityLabel::Medium));
        assert!(f
            .description()
            .unwrap()
            .contains("deactivated access key AKIA1"));
        assert!(f
            .remediation()
            .and_then(|r| r.recommendation())
            .and_then(|r| r.text())
            .unwrap()
            .contains("one active access key"));
        assert_eq!(f.record_state(), Some(&RecordState::Active));
        let r = &f.resources()[0];
        assert_eq!(r.r#type(), Some("AwsIamUser"));
        assert_eq!(r.region(), Some("us-east-1"));
        assert!(r.details().is_none());
        assert_eq!(
            f.product_fields().unwrap()["hubfix/Resource/UserName"],
            "alice"
        );
        assert_eq!(f.created_at(), Some("2026-11-23T06:00:00.000Z"));
        assert_eq!(f.product_fields().unwrap()[FIELD_CIS_140], "1.13");
        assert!(!f.product_fields().unwrap().contains_key(FIELD_CIS_120));
    }

    #[test]
    fn a_passing_result_is_passed_and_informational_and_keeps_its_creation_time() {
        let req = requirement("5.2").unwrap();
        let mut r = result(true);
        r.requirement = "5.2";
        let product = product_arn("aws", "us-east-1", "123456789012");
        let mut c = ctx(&product);
        c.created_at = Some("2026-11-01T06:00:00.000Z");
        let f = to_finding(req, &r, &c);
        assert_eq!(
            f.compliance().unwrap().status(),
            Some(&ComplianceStatus::Passed)
        );
        assert_eq!(
            f.compliance().unwrap().security_control_id(),
            Some("EC2.53")
        );
        assert_eq!(
            f.severity().unwrap().label(),
            Some(&SeverityLabel::Informational)
        );
        assert_eq!(f.created_at(), Some("2026-11-01T06:00:00.000Z"));
        assert_eq!(f.updated_at(), Some("2026-11-23T06:00:00.000Z"));
        assert_eq!(f.product_fields().unwrap()[FIELD_CIS_120], "4.1,4.2");
        assert_eq!(
            f.compliance().unwrap().related_requirements(),
            [
                "CIS AWS Foundations Benchmark v1.4.0/5.2",
                "CIS AWS Foundations Benchmark v1.2.0/4.1",
                "CIS AWS Foundations Benchmark v1.2.0/4.2"
            ]
        );
    }

    #[test]
    fn long_texts_are_cut_to_the_api_limits() {
        let req = requirement("1.13").unwrap();
        let mut r = result(false);
        r.reason = "x".repeat(5000);
        let product = product_arn("aws", "us-east-1", "123456789012");
        let f = to_finding(req, &r, &ctx(&product));
        assert_eq!(f.description().unwrap().chars().count(), MAX_DESCRIPTION);
        assert!(f.title().unwrap().chars().count() <= 256);
    }

    #[test]
    fn archived_findings_keep_their_content() {
        let req = requirement("1.13").unwrap();
        let product = product_arn("aws", "us-east-1", "123456789012");
        let f = to_finding(req, &result(false), &ctx(&product));
        let a = archived(f.clone(), "2026-11-24T06:00:00.000Z");
        assert_eq!(a.record_state(), Some(&RecordState::Archived));
        assert_eq!(a.updated_at(), Some("2026-11-24T06:00:00.000Z"));
        assert_eq!(a.id(), f.id());
        assert_eq!(a.compliance(), f.compliance());
    }

    #[test]
    fn only_resources_missing_from_a_completely_evaluated_scope_vanish() {
        let gone = finding_id(
            "1.13",
            "111111111111",
            GLOBAL,
            "arn:aws:iam::111111111111:user/gone",
        );
        let kept = finding_id(
            "1.13",
            "111111111111",
            GLOBAL,
            "arn:aws:iam::111111111111:user/kept",
        );
        let errored = finding_id(
            "1.15",
            "111111111111",
            GLOBAL,
            "arn:aws:iam::111111111111:user/x",
        );
        let other_region = finding_id(
            "5.2",
            "111111111111",
            "eu-west-1",
            "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
        );
        let current: HashSet<String> = [kept.clone()].into();
        let complete: HashSet<(String, String, String)> =
            [("1.13".into(), "111111111111".into(), GLOBAL.into())].into();
        let previous = [
            gone.as_str(),
            kept.as_str(),
            errored.as_str(),
            other_region.as_str(),
            "foreign",
        ];
        assert_eq!(vanished(previous, &current, &complete), [gone.as_str()]);
    }
}
