//! The compliance report against the emulator: a seeded organisation of three member
//! accounts and two standards with data (and one without), imported with
//! `BatchImportFindings`, worked on by hubfix and an analyst through
//! `BatchUpdateFindings`, then reported on. Every expected number is worked out by
//! hand below from the findings, following Security Hub's rules.

mod demo;
mod html;

use aws_sdk_securityhub::types::{
    AwsSecurityFindingIdentifier, NoteUpdate, StandardsSubscriptionRequest, WorkflowUpdate,
};
use hubfix::finding::{parse_finding, Finding, WorkflowStatus};
use hubfix::report::{build, ComplianceReport, Date, Format, ReportOptions};
use hubfix::securityhub::{import, record, FindingUpdate};
use hubfix_tests::{unique, Emulator, ACCOUNT, REGION};
use serde_json::{json, Value};

const A: &str = "111111111111";
const B: &str = "222222222222";
const C: &str = "333333333333";
const FSBP: &str = "standards/aws-foundational-security-best-practices/v/1.0.0";
const CIS: &str = "standards/cis-aws-foundations-benchmark/v/1.4.0";
const PCI: &str = "standards/pci-dss/v/3.2.1";
const NIST: &str = "standards/nist-800-53/v/5.0.0";
const PRODUCT: &str = "arn:aws:securityhub:us-east-1::product/aws/securityhub";

/// One finding of the seed: `(account, control, compliance status, standards,
/// severity, title)`.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
);

const BOTH: &[&str] = &[FSBP, CIS];
const EC2_19: &str = "Security groups should not allow unrestricted access to ports with high risk";
const S3_1: &str = "S3 block public access settings should be enabled";
const S3_8: &str = "S3 buckets should block public access";

/// The seeded findings (consolidated control findings), by name.
///
/// | control      | standards  | A        | B             | C                   |
/// |--------------|------------|----------|---------------|---------------------|
/// | S3.1         | FSBP, CIS  | FAILED   | FAILED (a)    | PASSED              |
/// | S3.8         | FSBP, CIS  | FAILED→PASSED (b), PASSED | PASSED | FAILED     |
/// | EC2.19       | FSBP       | FAILED   | FAILED        | FAILED, suppressed  |
/// | IAM.4        | FSBP, CIS  | PASSED   | PASSED        | WARNING             |
/// | EC2.21       | CIS        | PASSED   | NOT_AVAILABLE | PASSED              |
/// | EC2.7        | FSBP, CIS  | PASSED   | PASSED        | PASSED              |
/// | KMS.4        | FSBP, CIS  | PASSED   | PASSED        | PASSED              |
/// | CloudTrail.2 | FSBP, CIS  | PASSED   | PASSED        | FAILED              |
/// | Lambda.1     | FSBP       | PASSED   | -             | PASSED              |
/// | S3.5         | FSBP       | FAILED, resolved by an analyst | -  | -          |
/// | S3.9         | FSBP       | -        | -             | FAILED, resolved by hubfix (c) |
/// | CloudTrail.1 | FSBP, CIS  | FAILED, then archived | -  | -                    |
/// | Config.1     | NIST only  | -        | FAILED        | -                   |
///
/// Plus B's FSBP S3.4 FAILED as a standard-specific finding (an account with
/// consolidated findings off) and C's GuardDuty finding (HIGH, no compliance).
/// (a) hubfix noted it NOTIFIED (approval needed); (b) hubfix fixed it (RESOLVED with
/// its note) and Security Hub's next check imported it PASSED; (c) hubfix RESOLVED
/// it with its note, Security Hub has not checked again yet.
const ROWS: &[(&str, Row)] = &[
    ("s3.1-a", (A, "S3.1", "FAILED", BOTH, "MEDIUM", S3_1)),
    ("s3.1-b", (B, "S3.1", "FAILED", BOTH, "MEDIUM", S3_1)),
    ("s3.1-c", (C, "S3.1", "PASSED", BOTH, "INFORMATIONAL", S3_1)),
    ("s3.8-a1", (A, "S3.8", "FAILED", BOTH, "HIGH", S3_8)),
    (
        "s3.8-a2",
        (A, "S3.8", "PASSED", BOTH, "INFORMATIONAL", S3_8),
    ),
    ("s3.8-b", (B, "S3.8", "PASSED", BOTH, "INFORMATIONAL", S3_8)),
    ("s3.8-c", (C, "S3.8", "FAILED", BOTH, "HIGH", S3_8)),
    (
        "ec2.19-a",
        (A, "EC2.19", "FAILED", &[FSBP], "CRITICAL", EC2_19),
    ),
    (
        "ec2.19-b",
        (B, "EC2.19", "FAILED", &[FSBP], "CRITICAL", EC2_19),
    ),
    (
        "ec2.19-c",
        (C, "EC2.19", "FAILED", &[FSBP], "CRITICAL", EC2_19),
    ),
    (
        "iam.4-a",
        (
            A,
            "IAM.4",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "IAM root user access key should not exist",
        ),
    ),
    (
        "iam.4-b",
        (
            B,
            "IAM.4",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "IAM root user access key should not exist",
        ),
    ),
    (
        "iam.4-c",
        (
            C,
            "IAM.4",
            "WARNING",
            BOTH,
            "LOW",
            "IAM root user access key should not exist",
        ),
    ),
    (
        "ec2.21-a",
        (
            A,
            "EC2.21",
            "PASSED",
            &[CIS],
            "INFORMATIONAL",
            "Network ACLs should not allow ingress to admin ports",
        ),
    ),
    (
        "ec2.21-b",
        (
            B,
            "EC2.21",
            "NOT_AVAILABLE",
            &[CIS],
            "LOW",
            "Network ACLs should not allow ingress to admin ports",
        ),
    ),
    (
        "ec2.21-c",
        (
            C,
            "EC2.21",
            "PASSED",
            &[CIS],
            "INFORMATIONAL",
            "Network ACLs should not allow ingress to admin ports",
        ),
    ),
    (
        "ec2.7-a",
        (
            A,
            "EC2.7",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "EBS default encryption should be enabled",
        ),
    ),
    (
        "ec2.7-b",
        (
            B,
            "EC2.7",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "EBS default encryption should be enabled",
        ),
    ),
    (
        "ec2.7-c",
        (
            C,
            "EC2.7",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "EBS default encryption should be enabled",
        ),
    ),
    (
        "kms.4-a",
        (
            A,
            "KMS.4",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "KMS key rotation should be enabled",
        ),
    ),
    (
        "kms.4-b",
        (
            B,
            "KMS.4",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "KMS key rotation should be enabled",
        ),
    ),
    (
        "kms.4-c",
        (
            C,
            "KMS.4",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "KMS key rotation should be enabled",
        ),
    ),
    (
        "ct.2-a",
        (
            A,
            "CloudTrail.2",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "CloudTrail should have encryption at-rest enabled",
        ),
    ),
    (
        "ct.2-b",
        (
            B,
            "CloudTrail.2",
            "PASSED",
            BOTH,
            "INFORMATIONAL",
            "CloudTrail should have encryption at-rest enabled",
        ),
    ),
    (
        "ct.2-c",
        (
            C,
            "CloudTrail.2",
            "FAILED",
            BOTH,
            "MEDIUM",
            "CloudTrail should have encryption at-rest enabled",
        ),
    ),
    (
        "lambda.1-a",
        (
            A,
            "Lambda.1",
            "PASSED",
            &[FSBP],
            "INFORMATIONAL",
            "Lambda function policies should prohibit public access",
        ),
    ),
    (
        "lambda.1-c",
        (
            C,
            "Lambda.1",
            "PASSED",
            &[FSBP],
            "INFORMATIONAL",
            "Lambda function policies should prohibit public access",
        ),
    ),
    (
        "s3.5-a",
        (
            A,
            "S3.5",
            "FAILED",
            &[FSBP],
            "MEDIUM",
            "S3 buckets should require requests to use SSL",
        ),
    ),
    (
        "s3.9-c",
        (
            C,
            "S3.9",
            "FAILED",
            &[FSBP],
            "MEDIUM",
            "S3 bucket server access logging should be enabled",
        ),
    ),
    (
        "ct.1-a",
        (
            A,
            "CloudTrail.1",
            "FAILED",
            BOTH,
            "HIGH",
            "CloudTrail should be enabled with a multi-Region trail",
        ),
    ),
    (
        "config.1-b",
        (
            B,
            "Config.1",
            "FAILED",
            &[NIST],
            "MEDIUM",
            "AWS Config should be enabled",
        ),
    ),
];

/// The seeded organisation in the emulator.
pub(crate) struct Seeded {
    /// The emulator.
    pub emulator: Emulator,
    /// The report date.
    pub date: Date,
    tag: String,
}

impl Seeded {
    fn id(&self, name: &str) -> String {
        finding_id(&self.tag, name)
    }
}

fn row(name: &str) -> &'static Row {
    &ROWS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a seeded finding")
        .1
}

fn finding_id(tag: &str, name: &str) -> String {
    format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:finding/{tag}/{name}")
}

fn parsed(raw: Value) -> Finding {
    parse_finding(0, &raw).expect("a well-formed finding")
}

fn control_finding(id: &str, row: &Row) -> Finding {
    let (account, control, status, standards, severity, title) = *row;
    parsed(json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": PRODUCT,
        "GeneratorId": format!("security-control/{control}"),
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2025-01-10T08:00:00.000Z",
        "UpdatedAt": "2025-01-10T08:00:00.000Z",
        "Severity": {"Label": severity},
        "Title": title,
        "Description": title,
        "Compliance": {
            "Status": status,
            "SecurityControlId": control,
            "AssociatedStandards": standards.iter().map(|s| json!({"StandardsId": s})).collect::<Vec<_>>()
        },
        "Resources": [{"Type": "AwsAccount", "Id": format!("AWS::::Account:{account}")}]
    }))
}

/// B's S3.4 as a standard-specific finding, and C's GuardDuty finding.
fn other_findings(tag: &str) -> Vec<Finding> {
    vec![
        parsed(json!({
            "SchemaVersion": "2018-10-08",
            "Id": finding_id(tag, "s3.4-b"),
            "ProductArn": PRODUCT,
            "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/S3.4",
            "AwsAccountId": B,
            "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
            "CreatedAt": "2025-01-10T08:00:00.000Z",
            "UpdatedAt": "2025-01-10T08:00:00.000Z",
            "Severity": {"Label": "HIGH"},
            "Title": "S3 buckets should have server-side encryption enabled",
            "Description": "A bucket has no default encryption.",
            "ProductFields": {
                "StandardsArn": "arn:aws:securityhub:::standards/aws-foundational-security-best-practices/v/1.0.0",
                "ControlId": "S3.4"
            },
            "Compliance": {"Status": "FAILED"},
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b-unencrypted"}]
        })),
        parsed(json!({
            "SchemaVersion": "2018-10-08",
            "Id": finding_id(tag, "guardduty-c"),
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
            "GeneratorId": "arn:aws:guardduty:us-east-1:333333333333:detector/d1",
            "AwsAccountId": C,
            "Types": ["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"],
            "CreatedAt": "2025-01-10T08:00:00.000Z",
            "UpdatedAt": "2025-01-10T08:00:00.000Z",
            "Severity": {"Label": "HIGH"},
            "Title": "SSH brute force attacks against i-0c",
            "Description": "An instance is being brute-forced.",
            "Resources": [{"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:us-east-1:333333333333:instance/i-0c"}]
        })),
    ]
}

async fn analyst_update(emulator: &Emulator, id: &str, status: &str) {
    let clients = emulator.clients().await;
    clients
        .securityhub
        .batch_update_findings()
        .finding_identifiers(
            AwsSecurityFindingIdentifier::builder()
                .id(id)
                .product_arn(PRODUCT)
                .build(),
        )
        .note(
            NoteUpdate::builder()
                .text("Reviewed by the security team.")
                .updated_by("alice")
                .build(),
        )
        .workflow(WorkflowUpdate::builder().status(status.into()).build())
        .send()
        .await
        .expect("BatchUpdateFindings");
}

/// Starts an emulator and seeds it: the standards enabled in the administrator
/// account, every finding imported, hubfix's and the analyst's updates made.
pub(crate) async fn seed() -> Seeded {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let seeded = Seeded {
        date: Date::today(),
        tag: unique("report"),
        emulator,
    };
    let arn = |id: &str| format!("arn:aws:securityhub:{REGION}::{id}");
    clients
        .securityhub
        .batch_enable_standards()
        .set_standards_subscription_requests(Some(
            [FSBP, CIS, PCI]
                .iter()
                .map(|id| {
                    StandardsSubscriptionRequest::builder()
                        .standards_arn(arn(id))
                        .build()
                })
                .collect(),
        ))
        .send()
        .await
        .expect("BatchEnableStandards");

    let mut findings: Vec<Finding> = ROWS
        .iter()
        .map(|(name, row)| control_finding(&seeded.id(name), row))
        .collect();
    findings.extend(other_findings(&seeded.tag));
    let failures = import(&clients.securityhub, &findings).await;
    assert!(failures.is_empty(), "{failures:?}");

    let hubfix = |name: &str, status, note: &str| FindingUpdate {
        id: seeded.id(name),
        product_arn: PRODUCT.to_owned(),
        status,
        note: note.to_owned(),
        fields: Default::default(),
    };
    let failures = record(
        &clients.securityhub,
        None,
        &[
            hubfix(
                "s3.1-b",
                WorkflowStatus::Notified,
                "hubfix skipped S3.1: the control needs approval.",
            ),
            hubfix(
                "s3.8-a1",
                WorkflowStatus::Resolved,
                "hubfix fixed the bucket; verified by reading it back.",
            ),
            hubfix(
                "s3.9-c",
                WorkflowStatus::Resolved,
                "hubfix fixed the bucket; verified by reading it back.",
            ),
        ],
    )
    .await;
    assert!(failures.is_empty(), "{failures:?}");
    analyst_update(&seeded.emulator, &seeded.id("ec2.19-c"), "SUPPRESSED").await;
    analyst_update(&seeded.emulator, &seeded.id("s3.5-a"), "RESOLVED").await;

    // Security Hub's next checks: A's fixed bucket passes, A's trail is archived.
    let mut rechecked = control_finding(&seeded.id("s3.8-a1"), row("s3.8-a1"));
    if let Some(c) = rechecked.compliance.as_mut() {
        c.status = Some(hubfix::finding::ComplianceStatus::Passed);
    }
    let mut archived = control_finding(&seeded.id("ct.1-a"), row("ct.1-a"));
    archived.record_state = Some(hubfix::finding::RecordState::Archived);
    let failures = import(&clients.securityhub, &[rechecked, archived]).await;
    assert!(failures.is_empty(), "{failures:?}");
    seeded
}

/// The seeded organisation's report.
pub(crate) async fn seeded_report(seeded: &Seeded) -> ComplianceReport {
    let clients = seeded.emulator.clients().await;
    build(
        &clients.securityhub,
        &ReportOptions {
            organization: Some("acme-corp".into()),
            date: Some(seeded.date),
            ..ReportOptions::default()
        },
    )
    .await
    .expect("the report")
}

fn scores(report: &ComplianceReport, standard: &str) -> Vec<(String, Option<u32>, u32, u32, u32)> {
    let s = report
        .standards
        .iter()
        .find(|s| s.id == standard)
        .expect("the standard is reported");
    std::iter::once(("organization".to_owned(), &s.score))
        .chain(s.accounts.iter().map(|a| (a.account.clone(), &a.score)))
        .map(|(who, score)| {
            (
                who,
                score.percent,
                score.passed,
                score.failed,
                score.unknown,
            )
        })
        .collect()
}

#[tokio::test]
async fn scores_rankings_and_counts_of_a_seeded_organisation() {
    let seeded = seed().await;
    let report = seeded_report(&seeded).await;

    assert_eq!(report.administrator_account.as_deref(), Some(ACCOUNT));
    assert_eq!(report.accounts, [A, B, C]);
    let ids: Vec<&str> = report.standards.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [FSBP, CIS, PCI], "GetEnabledStandards order");

    // FSBP controls: S3.1 S3.8 EC2.19 IAM.4 S3.5 S3.4 S3.9 EC2.7 KMS.4 CloudTrail.2
    // Lambda.1 (CloudTrail.1 is archived: no data).
    // Organisation: passed EC2.7 KMS.4 Lambda.1 = 3; failed S3.1 S3.8 EC2.19 S3.5
    // S3.4 S3.9 CloudTrail.2 = 7; unknown IAM.4 = 1: 3/11 = 27.3% -> 27%.
    // A: passed S3.8 IAM.4 EC2.7 KMS.4 CloudTrail.2 Lambda.1 = 6, failed S3.1 EC2.19
    //    S3.5 = 3: 6/9 = 66.7% -> 67%.
    // B: passed S3.8 IAM.4 EC2.7 KMS.4 CloudTrail.2 = 5, failed S3.1 EC2.19 S3.4 = 3:
    //    5/8 = 62.5% -> 63% (halves round up).
    // C: passed S3.1 EC2.7 KMS.4 Lambda.1 = 4, failed S3.8 S3.9 CloudTrail.2 = 3,
    //    unknown IAM.4 = 1 (EC2.19 is suppressed: no data): 4/8 = 50%.
    assert_eq!(
        scores(&report, FSBP),
        [
            ("organization".to_owned(), Some(27), 3, 7, 1),
            (A.to_owned(), Some(67), 6, 3, 0),
            (B.to_owned(), Some(63), 5, 3, 0),
            (C.to_owned(), Some(50), 4, 3, 1),
        ]
    );
    // CIS controls: S3.1 S3.8 IAM.4 EC2.21 EC2.7 KMS.4 CloudTrail.2.
    // Organisation: passed EC2.7 KMS.4 = 2; failed S3.1 S3.8 CloudTrail.2 = 3;
    // unknown IAM.4 EC2.21 = 2: 2/7 = 28.6% -> 29%.
    // A: failed S3.1, the other 6 passed: 6/7 -> 86%. B: failed S3.1, unknown EC2.21,
    // 5 passed: 5/7 -> 71%. C: failed S3.8 CloudTrail.2, unknown IAM.4, 4 passed: 4/7 -> 57%.
    assert_eq!(
        scores(&report, CIS),
        [
            ("organization".to_owned(), Some(29), 2, 3, 2),
            (A.to_owned(), Some(86), 6, 1, 0),
            (B.to_owned(), Some(71), 5, 1, 1),
            (C.to_owned(), Some(57), 4, 2, 1),
        ]
    );
    // PCI DSS is enabled and has no findings: no data, no score.
    assert_eq!(
        scores(&report, PCI),
        [("organization".to_owned(), None, 0, 0, 0)]
    );

    // Failing accounts per control, every standard (and none) counted: S3.1 A B;
    // EC2.19 A B (C's is suppressed); one each for CloudTrail.2 C, Config.1 B,
    // S3.4 B, S3.5 A, S3.8 C, S3.9 C; CloudTrail.1 is archived.
    let ranked: Vec<(&str, u32, u32, Vec<&str>)> = report
        .top_failed_controls
        .iter()
        .map(|c| {
            (
                c.control_id.as_str(),
                c.failed_accounts,
                c.total_accounts,
                c.accounts.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [
            ("EC2.19", 2, 3, vec![A, B]),
            ("S3.1", 2, 3, vec![A, B]),
            ("CloudTrail.2", 1, 3, vec![C]),
            ("Config.1", 1, 3, vec![B]),
            ("S3.4", 1, 3, vec![B]),
            ("S3.5", 1, 3, vec![A]),
            ("S3.8", 1, 3, vec![C]),
            ("S3.9", 1, 3, vec![C]),
        ]
    );

    // Open findings (active, NEW or NOTIFIED, not PASSED, not suppressed):
    // critical EC2.19 A, B; high S3.8 C, S3.4 B, GuardDuty C; medium S3.1 A, S3.1 B
    // (NOTIFIED), CloudTrail.2 C, Config.1 B; low IAM.4 C, EC2.21 B.
    let f = &report.findings;
    assert_eq!(f.active, 11);
    assert_eq!(
        (
            f.by_severity.critical,
            f.by_severity.high,
            f.by_severity.medium,
            f.by_severity.low,
            f.by_severity.informational
        ),
        (2, 3, 4, 2, 0)
    );
    // Resolved with hubfix's note this month: S3.8 A (now PASSED) and S3.9 C; not
    // S3.1 B (NOTIFIED) nor the analyst's S3.5 A.
    assert_eq!(f.remediated_by_hubfix, 2);
    assert_eq!(f.suppressed, 1);
    // 33 findings imported, CloudTrail.1 archived.
    assert_eq!(f.read, 32);
}

#[tokio::test]
async fn the_text_report_is_in_the_seed_layout() {
    let seeded = seed().await;
    let report = seeded_report(&seeded).await;
    let expected = format!(
        "\
AWS Security Hub Compliance Report
====================================
Organization: acme-corp
Administrator Account: {ACCOUNT}
Report Date: {date}
Standards Enabled: AWS FSBP v1.0, CIS v1.4, PCI DSS v3.2.1

COMPLIANCE SCORES:
  AWS Foundational Security Best Practices: 27%
  CIS AWS Foundations Benchmark v1.4: 29%
  PCI DSS v3.2.1: no data

TOP FAILED CONTROLS (by account count):
  [EC2.19] Security groups should not allow unrestricted ac... - 2/3 accounts FAILED
  [S3.1] S3 block public access settings should be enabled     - 2/3 accounts FAILED
  [CloudTrail.2] CloudTrail should have encryption at-rest...  - 1/3 accounts FAILED
  [Config.1] AWS Config should be enabled                      - 1/3 accounts FAILED
  [S3.4] S3 buckets should have server-side encryption enabled - 1/3 accounts FAILED
  [S3.5] S3 buckets should require requests to use SSL         - 1/3 accounts FAILED
  [S3.8] S3 buckets should block public access                 - 1/3 accounts FAILED
  [S3.9] S3 bucket server access logging should be enabled     - 1/3 accounts FAILED

FINDING SUMMARY:
  Total Active Findings: 11
  Critical: 2 | High: 3 | Medium: 4 | Low: 2
  Auto-Remediated This Month: 2
  Suppressed: 1
",
        date = seeded.date
    );
    assert_eq!(report.render(Format::Text), expected);

    let limited = build(
        &seeded.emulator.clients().await.securityhub,
        &ReportOptions {
            top_controls: 2,
            date: Some(seeded.date),
            ..ReportOptions::default()
        },
    )
    .await
    .unwrap();
    let text = limited.render(Format::Text);
    assert!(text.contains("Organization: -\n"), "{text}");
    assert_eq!(text.matches("accounts FAILED").count(), 2, "{text}");
}

#[tokio::test]
async fn the_json_report_has_a_stable_schema_and_round_trips() {
    let seeded = seed().await;
    let report = seeded_report(&seeded).await;
    let json = report.render(Format::Json);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["schema"], "hubfix-compliance-report/1");
    let mut top: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    top.sort_unstable();
    assert_eq!(
        top,
        [
            "accounts",
            "administrator_account",
            "date",
            "findings",
            "generated_at",
            "organization",
            "period",
            "schema",
            "standards",
            "top_failed_controls",
            "trend"
        ]
    );
    assert_eq!(doc["standards"][0]["score"]["percent"], 27);
    assert_eq!(doc["standards"][0]["score"]["controls_with_data"], 11);
    assert_eq!(doc["standards"][2]["score"]["percent"], Value::Null);
    assert_eq!(doc["standards"][1]["accounts"][1]["account"], B);
    assert_eq!(doc["standards"][1]["accounts"][1]["score"]["percent"], 71);
    assert_eq!(doc["top_failed_controls"][0]["control_id"], "EC2.19");
    assert_eq!(doc["findings"]["by_severity"]["high"], 3);
    assert_eq!(doc["findings"]["remediated_by_hubfix"], 2);
    assert_eq!(
        doc["period"],
        json!({"start": seeded.date.month_start().to_string(), "end": seeded.date.to_string()})
    );
    assert_eq!(doc["trend"].as_array().map(Vec::len), Some(1));
    let back: ComplianceReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}
