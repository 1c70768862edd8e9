//! Security Hub reads: findings selected by a filter (`GetFindings`, paged), turned into
//! hubfix's own ASFF model so they run through the engine like the findings of an event.

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, StringFilter, StringFilterComparison,
};
use aws_sdk_securityhub::Client;
use serde_json::{json, Map, Value};

use crate::error::FixError;
use crate::finding::{parse_finding, Finding, MalformedFinding};

/// Largest page `GetFindings` returns.
pub const MAX_PAGE: i32 = 100;

/// Which findings to select; fields are ANDed, the values of one field ORed, as
/// Security Hub combines filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Finding ids (when set, nothing else is implied).
    pub finding_ids: Vec<String>,
    /// Security control ids, e.g. `S3.8`.
    pub controls: Vec<String>,
    /// Severity labels: `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL`.
    pub severities: Vec<String>,
    /// Account ids.
    pub accounts: Vec<String>,
    /// Regions of the findings.
    pub regions: Vec<String>,
    /// Resource ids (ARNs).
    pub resources: Vec<String>,
}

impl Selection {
    /// The Security Hub filter. Unless finding ids are given, only findings hubfix could
    /// act on are selected: active, FAILED, workflow NEW or NOTIFIED.
    pub fn filters(&self) -> AwsSecurityFindingFilters {
        let equals = |values: &[String]| -> Option<Vec<StringFilter>> {
            (!values.is_empty()).then(|| {
                values
                    .iter()
                    .map(|v| {
                        StringFilter::builder()
                            .value(v)
                            .comparison(StringFilterComparison::Equals)
                            .build()
                    })
                    .collect()
            })
        };
        let fixed =
            |values: &[&str]| equals(&values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>());
        let severities: Vec<String> = self.severities.iter().map(|s| s.to_uppercase()).collect();
        let builder = AwsSecurityFindingFilters::builder()
            .set_id(equals(&self.finding_ids))
            .set_compliance_security_control_id(equals(&self.controls))
            .set_severity_label(equals(&severities))
            .set_aws_account_id(equals(&self.accounts))
            .set_region(equals(&self.regions))
            .set_resource_id(equals(&self.resources));
        if self.finding_ids.is_empty() {
            builder
                .set_record_state(fixed(&["ACTIVE"]))
                .set_compliance_status(fixed(&["FAILED"]))
                .set_workflow_status(fixed(&["NEW", "NOTIFIED"]))
                .build()
        } else {
            builder.build()
        }
    }
}

/// The selected findings, at most `limit`, paging through `GetFindings`. A finding
/// hubfix cannot read is kept as malformed, so it is reported, never dropped.
pub async fn get_findings(
    client: &Client,
    selection: &Selection,
    limit: usize,
) -> Result<Vec<Result<Finding, MalformedFinding>>, FixError> {
    let mut findings = Vec::new();
    let mut pages = client
        .get_findings()
        .filters(selection.filters())
        .max_results(MAX_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| FixError::from_sdk("securityhub:GetFindings", "findings", &[], e))?;
        for f in page.findings() {
            if findings.len() == limit {
                return Ok(findings);
            }
            findings.push(from_sdk_finding(findings.len(), f));
        }
    }
    Ok(findings)
}

/// Converts the SDK's finding to hubfix's model (the fields hubfix reads).
pub fn from_sdk_finding(index: usize, f: &AwsSecurityFinding) -> Result<Finding, MalformedFinding> {
    let resources: Vec<Value> = f
        .resources()
        .iter()
        .map(|r| {
            object(json!({
                "Type": r.r#type(),
                "Id": r.id(),
                "Partition": r.partition().map(|p| p.as_str()),
                "Region": r.region(),
                "Tags": r.tags(),
            }))
        })
        .collect();
    let raw = object(json!({
        "SchemaVersion": f.schema_version(),
        "Id": f.id(),
        "ProductArn": f.product_arn(),
        "GeneratorId": f.generator_id(),
        "AwsAccountId": f.aws_account_id(),
        "Region": f.region(),
        "Types": f.types(),
        "CreatedAt": f.created_at(),
        "UpdatedAt": f.updated_at(),
        "Title": f.title(),
        "Description": f.description(),
        "Severity": f.severity().map(|s| object(json!({
            "Label": s.label().map(|l| l.as_str()),
            "Normalized": s.normalized(),
            "Original": s.original(),
        }))),
        "Compliance": f.compliance().map(|c| object(json!({
            "Status": c.status().map(|s| s.as_str()),
            "SecurityControlId": c.security_control_id(),
            "AssociatedStandards": c.associated_standards().iter()
                .map(|a| object(json!({"StandardsId": a.standards_id()})))
                .collect::<Vec<_>>(),
            "RelatedRequirements": c.related_requirements(),
        }))),
        "ProductFields": f.product_fields(),
        "Resources": resources,
        "Workflow": f.workflow().map(|w| object(json!({"Status": w.status().map(|s| s.as_str())}))),
        "RecordState": f.record_state().map(|s| s.as_str()),
        "Note": f.note().map(|n| object(json!({
            "Text": n.text(),
            "UpdatedBy": n.updated_by(),
            "UpdatedAt": n.updated_at(),
        }))),
        "UserDefinedFields": f.user_defined_fields(),
    }));
    parse_finding(index, &raw)
}

/// The object without its null members (absent fields stay absent).
fn object(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ComplianceStatus, WorkflowStatus};
    use crate::securityhub::to_sdk_finding;

    #[test]
    fn findings_round_trip_through_the_sdk_type() {
        let raw = json!({
            "SchemaVersion": "2018-10-08", "Id": "f-1", "ProductArn": "p",
            "GeneratorId": "security-control/S3.8", "AwsAccountId": "123456789012",
            "Region": "us-east-1", "Types": ["Software and Configuration Checks"],
            "Title": "t", "Description": "d", "Severity": {"Label": "HIGH"},
            "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8",
                "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}]},
            "ProductFields": {"ControlId": "S3.8"},
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b", "Partition": "aws",
                "Region": "us-east-1", "Tags": {"team": "web"}}],
            "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
        });
        let finding = parse_finding(0, &raw).unwrap();
        let back = from_sdk_finding(0, &to_sdk_finding(&finding)).unwrap();
        assert_eq!(back.id, "f-1");
        assert_eq!(back.compliance_status(), Some(ComplianceStatus::Failed));
        assert_eq!(back.workflow_status(), WorkflowStatus::New);
        assert_eq!(back.resources[0].tags["team"], "web");
        assert_eq!(back.resources[0].partition.as_deref(), Some("aws"));
        assert_eq!(back.product_fields["ControlId"], "S3.8");
        assert_eq!(crate::control::resolve(&back).unwrap().control_id, "S3.8");
    }

    #[test]
    fn filters_default_to_what_hubfix_can_act_on_unless_ids_are_given() {
        let by_control = Selection {
            controls: vec!["S3.8".into()],
            severities: vec!["high".into()],
            ..Selection::default()
        }
        .filters();
        assert_eq!(
            by_control.compliance_security_control_id()[0].value(),
            Some("S3.8")
        );
        assert_eq!(by_control.severity_label()[0].value(), Some("HIGH"));
        assert_eq!(by_control.record_state()[0].value(), Some("ACTIVE"));
        assert_eq!(by_control.workflow_status().len(), 2);
        let by_id = Selection {
            finding_ids: vec!["f-1".into()],
            ..Selection::default()
        }
        .filters();
        assert_eq!(by_id.id()[0].value(), Some("f-1"));
        assert!(by_id.record_state().is_empty() && by_id.workflow_status().is_empty());
    }
}
