//! The plain-text report, in the layout security teams hand to auditors:
//!
//! ```text
//! AWS Security Hub Compliance Report
//! ====================================
//! Organization: acme-corp
//! Administrator Account: 111122223333
//! Report Date: 2025-02-23
//! Standards Enabled: CIS v5.0, AWS FSBP v1.0, PCI DSS v3.2.1
//!
//! COMPLIANCE SCORES:
//!   CIS AWS Foundations Benchmark v5.0: 78%
//!
//! TOP FAILED CONTROLS (by account count):
//!   [S3.1] Block public access settings enabled - 23/50 accounts FAILED
//!
//! FINDING SUMMARY:
//!   Total Active Findings: 1,247
//!   Critical: 34 | High: 189 | Medium: 567 | Low: 457
//!   Auto-Remediated This Month: 89
//!   Suppressed: 23
//! ```

use std::fmt::Write;

use super::super::aggregate::severity_rows;
use super::super::model::ComplianceReport;
use super::{control_label, grouped, percent_text, truncated};

/// Widest control label (`[id] title`) before it is cut.
const MAX_LABEL: usize = 60;

/// The report as plain text.
pub(super) fn render(r: &ComplianceReport) -> String {
    let mut out = String::new();
    let dash = "-";
    let enabled: Vec<&str> = r.standards.iter().map(|s| s.short_name.as_str()).collect();
    let _ = writeln!(out, "AWS Security Hub Compliance Report");
    let _ = writeln!(out, "====================================");
    let _ = writeln!(
        out,
        "Organization: {}",
        r.organization.as_deref().unwrap_or(dash)
    );
    let _ = writeln!(
        out,
        "Administrator Account: {}",
        r.administrator_account.as_deref().unwrap_or(dash)
    );
    let _ = writeln!(out, "Report Date: {}", r.date);
    let _ = writeln!(
        out,
        "Standards Enabled: {}",
        if enabled.is_empty() {
            "none".to_owned()
        } else {
            enabled.join(", ")
        }
    );

    let _ = writeln!(out, "\nCOMPLIANCE SCORES:");
    if r.standards.is_empty() {
        let _ = writeln!(out, "  (no standards enabled)");
    }
    for s in &r.standards {
        let _ = writeln!(out, "  {}: {}", s.name, percent_text(s.score.percent));
    }

    let _ = writeln!(out, "\nTOP FAILED CONTROLS (by account count):");
    if r.top_failed_controls.is_empty() {
        let _ = writeln!(out, "  (no failed controls)");
    }
    let labels: Vec<String> = r
        .top_failed_controls
        .iter()
        .map(|c| truncated(&control_label(&c.control_id, &c.title), MAX_LABEL))
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (c, label) in r.top_failed_controls.iter().zip(&labels) {
        let _ = writeln!(
            out,
            "  {label:<width$} - {}/{} accounts FAILED",
            c.failed_accounts, c.total_accounts
        );
    }

    let f = &r.findings;
    let _ = writeln!(out, "\nFINDING SUMMARY:");
    let _ = writeln!(out, "  Total Active Findings: {}", grouped(f.active));
    let severities: Vec<String> = severity_rows(&f.by_severity)
        .into_iter()
        .filter(|(label, n)| *label != "Informational" || *n > 0)
        .map(|(label, n)| format!("{label}: {}", grouped(n)))
        .collect();
    let _ = writeln!(out, "  {}", severities.join(" | "));
    let _ = writeln!(
        out,
        "  Auto-Remediated This Month: {}",
        grouped(f.remediated_by_hubfix)
    );
    let _ = writeln!(out, "  Suppressed: {}", grouped(f.suppressed));
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::model::*;
    use super::*;

    fn standard(id: &str, name: &str, short: &str, passed: u32, with_data: u32) -> StandardReport {
        StandardReport {
            id: id.into(),
            arn: format!("arn:aws:securityhub:us-east-1::{id}"),
            name: name.into(),
            short_name: short.into(),
            status: "READY".into(),
            score: Score {
                passed,
                failed: with_data - passed,
                unknown: 0,
                controls_with_data: with_data,
                percent: super::super::super::score::percent(passed, with_data),
            },
            accounts: Vec::new(),
        }
    }

    fn failed(id: &str, title: &str, n: u32) -> FailedControl {
        FailedControl {
            control_id: id.into(),
            title: title.into(),
            failed_accounts: n,
            total_accounts: 50,
            accounts: Vec::new(),
        }
    }

    /// The seed's example report, numbers and all.
    pub(super) fn seed_report() -> ComplianceReport {
        ComplianceReport {
            schema: SCHEMA.into(),
            generated_at: "2025-02-23T06:00:00Z".into(),
            date: "2025-02-23".into(),
            organization: Some("acme-corp".into()),
            administrator_account: Some("111122223333".into()),
            period: Period {
                start: "2025-02-01".into(),
                end: "2025-02-23".into(),
            },
            accounts: Vec::new(),
            standards: vec![
                standard(
                    "standards/cis-aws-foundations-benchmark/v/5.0.0",
                    "CIS AWS Foundations Benchmark v5.0",
                    "CIS v5.0",
                    39,
                    50,
                ),
                standard(
                    "standards/aws-foundational-security-best-practices/v/1.0.0",
                    "AWS Foundational Security Best Practices",
                    "AWS FSBP v1.0",
                    17,
                    20,
                ),
                standard(
                    "standards/pci-dss/v/3.2.1",
                    "PCI DSS v3.2.1",
                    "PCI DSS v3.2.1",
                    18,
                    25,
                ),
            ],
            top_failed_controls: vec![
                failed("EC2.19", "Security groups restrict unrestricted ports", 31),
                failed("S3.1", "Block public access settings enabled", 23),
                failed("RDS.3", "RDS encryption at rest enabled", 18),
                failed("CT.1", "CloudTrail multi-region enabled", 12),
                failed("IAM.4", "Root account has no access keys", 3),
            ],
            findings: FindingSummary {
                active: 1247,
                by_severity: SeverityCounts {
                    critical: 34,
                    high: 189,
                    medium: 567,
                    low: 457,
                    informational: 0,
                },
                remediated_by_hubfix: 89,
                suppressed: 23,
                read: 5000,
            },
            trend: Vec::new(),
        }
    }

    #[test]
    fn the_seed_report_in_the_seed_layout() {
        let expected = "\
AWS Security Hub Compliance Report
====================================
Organization: acme-corp
Administrator Account: 111122223333
Report Date: 2025-02-23
Standards Enabled: CIS v5.0, AWS FSBP v1.0, PCI DSS v3.2.1

COMPLIANCE SCORES:
  CIS AWS Foundations Benchmark v5.0: 78%
  AWS Foundational Security Best Practices: 85%
  PCI DSS v3.2.1: 72%

TOP FAILED CONTROLS (by account count):
  [EC2.19] Security groups restrict unrestricted ports - 31/50 accounts FAILED
  [S3.1] Block public access settings enabled          - 23/50 accounts FAILED
  [RDS.3] RDS encryption at rest enabled               - 18/50 accounts FAILED
  [CT.1] CloudTrail multi-region enabled               - 12/50 accounts FAILED
  [IAM.4] Root account has no access keys              - 3/50 accounts FAILED

FINDING SUMMARY:
  Total Active Findings: 1,247
  Critical: 34 | High: 189 | Medium: 567 | Low: 457
  Auto-Remediated This Month: 89
  Suppressed: 23
";
        assert_eq!(render(&seed_report()), expected);
    }

    #[test]
    fn empty_reports_and_long_titles_keep_the_layout() {
        let mut r = seed_report();
        r.organization = None;
        r.administrator_account = None;
        r.standards[2].score = Score::default();
        r.top_failed_controls.truncate(1);
        r.top_failed_controls[0].title = "x".repeat(100);
        r.findings.by_severity.informational = 2;
        let text = render(&r);
        assert!(text.contains("Organization: -\nAdministrator Account: -\n"));
        assert!(text.contains("  PCI DSS v3.2.1: no data\n"));
        assert!(text.contains(&format!("  [EC2.19] {}... - 31/50", "x".repeat(48))));
        assert!(text.contains("Low: 457 | Informational: 2\n"));
        r.standards.clear();
        r.top_failed_controls.clear();
        let text = render(&r);
        assert!(text.contains("Standards Enabled: none\n"));
        assert!(text.contains("  (no standards enabled)\n"));
        assert!(text.contains("  (no failed controls)\n"));
    }
}
