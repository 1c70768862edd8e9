//! Tolerant reading: whatever JSON value a field hubfix does not act on holds, the
//! decision on the finding is the one it would be without that value. The decision is
//! everything hubfix derives from a finding before it calls AWS: whether it parses,
//! product trust, the resolved control, the resource the rule would act on, and
//! whether the automatic path takes it.

use hubfix::control;
use hubfix::finding::parse_finding;
use hubfix::registry;
use hubfix::remediate;
use hubfix::trust::{self, Home, TrustSettings};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

use crate::strategies::{arb_json, base_finding, config, hostile_string};

const HOME: Home<'static> = Home {
    account: Some("123456789012"),
    region: Some("us-east-1"),
};

/// Top-level ASFF fields hubfix does not act on (AWS's and partners' findings carry
/// them, with every quirk of type: numbers as strings, objects for lists).
const UNUSED_TOP: &[&str] = &[
    "SchemaVersion",
    "Types",
    "CreatedAt",
    "UpdatedAt",
    "FirstObservedAt",
    "LastObservedAt",
    "ProcessedAt",
    "Severity",
    "Confidence",
    "Criticality",
    "Title",
    "Description",
    "Remediation",
    "SourceUrl",
    "ProductName",
    "CompanyName",
    "AwsAccountName",
    "WorkflowState",
    "FindingProviderFields",
    "Note",
    "Malware",
    "Network",
    "NetworkPath",
    "Process",
    "Threats",
    "ThreatIntelIndicators",
    "VerificationState",
    "Vulnerabilities",
    "PatchSummary",
    "Action",
    "RelatedFindings",
    "Sample",
    "GeneratorDetails",
    "Detection",
];

/// Fields hubfix acts on or reads to decide: a random key must not be one of them.
const USED_TOP: &[&str] = &[
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "Region",
    "Compliance",
    "ProductFields",
    "Resources",
    "Workflow",
    "RecordState",
    "UserDefinedFields",
];

/// Nested fields hubfix does not act on.
const UNUSED_NESTED: &[&[&str]] = &[
    &["Compliance", "AssociatedStandards"],
    &["Compliance", "RelatedRequirements"],
    &["Compliance", "StatusReasons"],
    &["Compliance", "SecurityControlParameters"],
    &["Resources", "0", "DataClassification"],
    &["Resources", "0", "ResourceRole"],
    &["Resources", "0", "ApplicationArn"],
    &["Workflow", "Reason"],
    &["ProductFields", "aws/securityhub/FindingId"],
    &["ProductFields", "RelatedAWSResources:0/name"],
    &["ProductFields", "Resources:0/Id"],
    &["ProductFields", "aws/guardduty/service/count"],
];

/// The findings the properties start from: the shared shapes, and the shapes of this
/// issue's real-world corpus (a scanner finding, another product's, a standard-specific
/// one decided by its RecommendationUrl, an IAM user named by unique id).
fn base(shape: usize) -> Value {
    match shape {
        0..=5 => base_finding(shape, 0),
        6 => json!({
            "Id": "hubfix/cis-aws-foundations-benchmark/v/1.4.0/1.13/123456789012/global/u",
            "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
            "GeneratorId": "hubfix/cis-aws-foundations-benchmark/v/1.4.0/1.13",
            "AwsAccountId": "123456789012", "Region": "us-east-1",
            "Compliance": {"Status": "FAILED", "SecurityControlId": "CIS.1.13"},
            "Resources": [{"Type": "AwsIamUser", "Id": "arn:aws:iam::123456789012:user/alice",
                "Region": "us-east-1"}],
            "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
        }),
        7 => json!({
            "Id": "arn:aws:guardduty:us-east-1:123456789012:detector/d/finding/f",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
            "GeneratorId": "arn:aws:guardduty:us-east-1:123456789012:detector/d",
            "AwsAccountId": "123456789012", "Region": "us-east-1",
            "Resources": [{"Type": "AwsEc2Instance",
                "Id": "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234"}],
            "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
        }),
        8 => json!({
            "Id": "arn:aws:securityhub:us-east-1:123456789012:subscription/cis-aws-foundations-benchmark/v/5.0.0/2.3.1/finding/f",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
            "GeneratorId": "cis-aws-foundations-benchmark/v/5.0.0/2.3.1",
            "AwsAccountId": "123456789012", "Region": "us-east-1",
            "ProductFields": {"ControlId": "2.3.1",
                "StandardsArn": "arn:aws:securityhub:::standards/cis-aws-foundations-benchmark/v/5.0.0",
                "RecommendationUrl": "https://docs.aws.amazon.com/console/securityhub/EFS.1/remediation"},
            "Compliance": {"Status": "FAILED"},
            "Resources": [{"Type": "AwsEfsFileSystem",
                "Id": "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc1234"}],
            "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
        }),
        _ => json!({
            "Id": "arn:aws:securityhub:us-east-1:123456789012:security-control/IAM.8/finding/f",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
            "GeneratorId": "security-control/IAM.8",
            "AwsAccountId": "123456789012", "Region": "us-east-1",
            "Compliance": {"Status": "FAILED", "SecurityControlId": "IAM.8"},
            "Resources": [{"Type": "AwsIamUser",
                "Id": "arn:aws:iam::123456789012:user/AIDACKCEVSQ6C2EXAMPLE",
                "Details": {"AwsIamUser": {"UserId": "AIDACKCEVSQ6C2EXAMPLE", "UserName": "alice"}}}],
            "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
        }),
    }
}

const SHAPES: usize = 10;

/// Everything hubfix decides from a finding before any AWS call, as text.
fn decision(raw: &Value) -> String {
    let f = match parse_finding(0, raw) {
        Ok(f) => f,
        Err(e) => return format!("malformed: {}", e.error),
    };
    let trusted = trust::check(&f, &TrustSettings::default(), &HOME);
    let control = control::resolve(&f);
    let target = control
        .as_ref()
        .ok()
        .and_then(|c| registry::rule(&c.control_id))
        .map(|rule| remediate::target(&f, rule).map_err(|e| e.to_string()));
    format!(
        "{trusted:?} | {control:?} | {target:?} | {:?} {:?} {:?}",
        f.workflow_status(),
        f.record_state(),
        f.compliance_status()
    )
}

/// Sets `value` at `path`, creating the objects on the way (an array index selects an
/// existing element).
fn set(doc: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = doc;
    for seg in parents {
        node = match node {
            Value::Array(items) => match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) => item,
                None => return,
            },
            Value::Object(map) => map.entry(*seg).or_insert_with(|| json!({})),
            _ => return,
        };
    }
    if let Value::Object(map) = node {
        map.insert((*last).to_owned(), value);
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_value_in_an_unused_top_level_field_leaves_the_decision_unchanged(
        shape in 0..SHAPES,
        field in select(UNUSED_TOP),
        value in arb_json(),
    ) {
        let raw = base(shape);
        let reference = decision(&raw);
        prop_assert!(!reference.starts_with("malformed"), "{reference}");
        let mut quirky = raw;
        quirky[field] = value;
        prop_assert_eq!(decision(&quirky), reference);
    }

    #[test]
    fn any_value_in_an_unused_nested_field_leaves_the_decision_unchanged(
        shape in 0..SHAPES,
        path in select(UNUSED_NESTED),
        value in arb_json(),
    ) {
        let raw = base(shape);
        let reference = decision(&raw);
        let mut quirky = raw;
        set(&mut quirky, path, value);
        prop_assert_eq!(decision(&quirky), reference);
    }

    #[test]
    fn any_value_under_an_unknown_name_leaves_the_decision_unchanged(
        shape in 0..SHAPES,
        name in prop_oneof![hostile_string(), "[A-Z][A-Za-z]{2,20}"],
        value in arb_json(),
    ) {
        prop_assume!(!USED_TOP.contains(&name.as_str()));
        let raw = base(shape);
        let reference = decision(&raw);
        let mut quirky = raw;
        quirky[name.as_str()] = value.clone();
        prop_assert_eq!(decision(&quirky), reference.clone());
        let mut nested = base(shape);
        set(&mut nested, &["Resources", "0", name.as_str()], value);
        let details = nested["Resources"][0]["Type"] == "AwsIamUser" && name == "Details";
        prop_assume!(!details && name != "Type" && name != "Id" && name != "Region"
            && name != "Partition" && name != "Tags");
        prop_assert_eq!(decision(&nested), reference);
    }

    #[test]
    fn details_of_resources_other_than_iam_users_never_change_the_decision(
        shape in 0..SHAPES,
        value in arb_json(),
    ) {
        let raw = base(shape);
        prop_assume!(raw["Resources"][0]["Type"] != "AwsIamUser");
        let reference = decision(&raw);
        let mut quirky = raw;
        quirky["Resources"][0]["Details"] = value;
        prop_assert_eq!(decision(&quirky), reference);
    }
}
