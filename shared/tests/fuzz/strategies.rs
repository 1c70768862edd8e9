//! Generators of hostile input: arbitrary JSON, hostile strings, ARN-shaped strings, and
//! near-valid Security Hub events (the right envelope with mutated fields).

use hubfix::finding::{DETAIL_TYPE_CUSTOM_ACTION, DETAIL_TYPE_IMPORTED, SECURITY_HUB_SOURCE};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Value};

/// A bounded configuration: `cases` runs (or `PROPTEST_CASES` for a longer local run),
/// failures saved beside the test's source (`<module>.proptest-regressions`, replayed
/// first on every later run; commit one only to pin a case worth keeping).
pub(crate) fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        max_shrink_time: 30_000,
        ..ProptestConfig::default()
    }
}

/// Whether `text` is fit to show a person: not empty, at most `max` characters, and no
/// control characters (nothing that could forge a log line or a terminal).
pub(crate) fn is_clear(text: &str, max: usize) -> bool {
    !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

/// Pieces attackers put in identifiers.
const FRAGMENTS: &[&str] = &[
    "../",
    "..",
    ";rm -rf /",
    "$(id)",
    "`id`",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "\u{1b}[31m",
    "\u{1b}]0;owned\u{7}",
    "\u{7f}",
    "\u{85}",
    "\u{202e}",
    "\u{200b}",
    "\"",
    "'",
    "\\",
    "%2e%2e%2f",
    " ",
    "/",
    ":",
    "*",
    "é",
    "🦀",
    "A",
    "bucket",
    "sg-",
    "i-",
    "0123abcd",
    "arn:aws:s3:::",
    "arn:aws-cn:ec2:cn-north-1:123456789012:security-group/",
    "123456789012",
    "us-east-1",
    "security-control/",
    "S3.8",
];

/// Values hubfix looks for, so that generated input reaches the interesting paths.
const KNOWN_VALUES: &[&str] = &[
    SECURITY_HUB_SOURCE,
    DETAIL_TYPE_IMPORTED,
    DETAIL_TYPE_CUSTOM_ACTION,
    "Remediate",
    "FAILED",
    "PASSED",
    "NEW",
    "NOTIFIED",
    "ACTIVE",
    "ARCHIVED",
    "S3.8",
    "CIS.1.13",
    "security-control/S3.8",
    "cis-aws-foundations-benchmark/v/1.2.0/rule/4.1",
    "pci-dss/v/3.2.1/PCI.S3.1",
    "aws-foundational-security-best-practices/v/1.0.0/EC2.19",
    "AwsS3Bucket",
    "AwsEc2SecurityGroup",
    "AwsIamUser",
    "AwsAccount",
    "arn:aws:s3:::logs",
    "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc1234",
    "AWS::::Account:123456789012",
    "123456789012",
    "us-east-1",
    "aws",
    "aws-cn",
];

/// Keys of the envelope and of ASFF, plus a few near misses.
const KNOWN_KEYS: &[&str] = &[
    "source",
    "detail-type",
    "detail",
    "findings",
    "actionName",
    "resources",
    "id",
    "account",
    "region",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "Region",
    "Compliance",
    "Status",
    "SecurityControlId",
    "ProductFields",
    "ControlId",
    "RuleId",
    "StandardsArn",
    "Resources",
    "Type",
    "Partition",
    "Tags",
    "Details",
    "Workflow",
    "RecordState",
    "Severity",
    "Normalized",
    "Note",
    "Text",
    "id ",
    "ID",
];

/// One piece of a hostile string.
pub(crate) fn fragment() -> impl Strategy<Value = String> {
    select(FRAGMENTS).prop_map(str::to_owned)
}

/// Strings an attacker might send: arbitrary Unicode, concatenated hostile fragments,
/// and very long runs.
pub(crate) fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        3 => prop::collection::vec(fragment(), 0..8).prop_map(|parts| parts.concat()),
        1 => (fragment(), 200usize..3000).prop_map(|(f, n)| f.repeat(n / f.len().max(1) + 1)),
        1 => select(KNOWN_VALUES).prop_map(str::to_owned),
    ]
}

/// ARN-shaped strings with every part chosen among valid, foreign and hostile values.
pub(crate) fn arn_like() -> impl Strategy<Value = String> {
    let partition = select(&["aws", "aws-cn", "aws-us-gov", "aws-iso", "evil", "", "AWS"][..]);
    let service = select(&["s3", "ec2", "iam", "sqs", "securityhub", "", "S3"][..]);
    let region = select(&["", "us-east-1", "cn-north-1", "us-gov-west-1", "../", "x"][..]);
    let account = select(&["", "123456789012", "222222222222", "12345", "aws"][..]);
    let resource = prop_oneof![
        select(
            &[
                "bucket-name",
                "security-group/sg-0abc1234",
                "instance/i-0123456789abcdef0",
                "subnet/subnet-0abc",
                "vpc/vpc-1",
                "network-acl/acl-9",
                "user/alice",
                "user/path/to/bob",
                "root",
            ][..]
        )
        .prop_map(str::to_owned),
        hostile_string(),
        (
            select(&["security-group/", "instance/", "user/", ""][..]),
            hostile_string()
        )
            .prop_map(|(k, s)| format!("{k}{s}")),
    ];
    (
        select(&["arn", "arn", "arn", "ARN", "urn"][..]),
        partition,
        service,
        region,
        account,
        resource,
    )
        .prop_map(|(a, p, s, r, acct, res)| format!("{a}:{p}:{s}:{r}:{acct}:{res}"))
}

/// Strings of the characters names may contain that break the other naming rules
/// (trailing dashes, `..`, IP addresses, region-like words).
pub(crate) fn almost_a_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9.-]{0,70}",
        "[A-Za-z0-9+=,.@_-]{0,70}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "[a-z-]{0,12}-[0-9a-z]{0,3}",
    ]
}

/// Any identifier: hostile, ARN-shaped, almost a name.
pub(crate) fn any_id() -> impl Strategy<Value = String> {
    prop_oneof![hostile_string(), arn_like(), almost_a_name()]
}

/// Arbitrary JSON, biased towards the keys and values hubfix reads.
pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        hostile_string().prop_map(Value::String),
    ];
    let key = prop_oneof![
        3 => select(KNOWN_KEYS).prop_map(str::to_owned),
        1 => hostile_string(),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A well-formed finding of one of the shapes hubfix handles.
pub(crate) fn base_finding(shape: usize, n: usize) -> Value {
    let id = format!("arn:aws:securityhub:us-east-1:123456789012:finding/fuzz-{n}");
    let mut f = json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
        "AwsAccountId": "123456789012",
        "Region": "us-east-1",
        "Title": "fuzz",
        "Severity": {"Label": "HIGH", "Normalized": 70},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
    });
    let (generator, compliance, fields, resource) = match shape % 6 {
        0 => (
            "security-control/S3.8",
            json!({"Status": "FAILED", "SecurityControlId": "S3.8"}),
            json!({}),
            json!({"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::fuzz-bucket", "Partition": "aws", "Region": "us-east-1"}),
        ),
        1 => (
            "security-control/EC2.19",
            json!({"Status": "FAILED", "SecurityControlId": "EC2.19"}),
            json!({}),
            json!({"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc1234"}),
        ),
        2 => (
            "security-control/IAM.8",
            json!({"Status": "FAILED", "SecurityControlId": "IAM.8"}),
            json!({}),
            json!({"Type": "AwsIamUser", "Id": "arn:aws:iam::123456789012:user/alice"}),
        ),
        3 => (
            "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1",
            json!({"Status": "FAILED"}),
            json!({"RuleId": "4.1", "StandardsGuideArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"}),
            json!({"Type": "AwsEc2SecurityGroup", "Id": "sg-0abc1234"}),
        ),
        4 => (
            "pci-dss/v/3.2.1/PCI.S3.1",
            json!({"Status": "FAILED"}),
            json!({"ControlId": "PCI.S3.1", "StandardsArn": "arn:aws:securityhub:::standards/pci-dss/v/3.2.1"}),
            json!({"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::fuzz-bucket"}),
        ),
        _ => (
            "security-control/S3.1",
            json!({"Status": "FAILED", "SecurityControlId": "S3.1"}),
            json!({}),
            json!({"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"}),
        ),
    };
    f["GeneratorId"] = json!(generator);
    f["Compliance"] = compliance;
    f["ProductFields"] = fields;
    f["Resources"] = json!([resource]);
    f
}

/// Where a mutation lands, from the root of a finding.
const FINDING_PATHS: &[&[&str]] = &[
    &["Id"],
    &["ProductArn"],
    &["GeneratorId"],
    &["AwsAccountId"],
    &["Region"],
    &["Types"],
    &["Title"],
    &["Severity"],
    &["Severity", "Normalized"],
    &["Compliance"],
    &["Compliance", "Status"],
    &["Compliance", "SecurityControlId"],
    &["Compliance", "AssociatedStandards"],
    &["ProductFields"],
    &["ProductFields", "ControlId"],
    &["ProductFields", "RuleId"],
    &["ProductFields", "StandardsArn"],
    &["Resources"],
    &["Resources", "0"],
    &["Resources", "0", "Type"],
    &["Resources", "0", "Id"],
    &["Resources", "0", "Id"],
    &["Resources", "0", "Partition"],
    &["Resources", "0", "Region"],
    &["Resources", "0", "Tags"],
    &["Resources", "0", "Details"],
    &["Workflow"],
    &["Workflow", "Status"],
    &["RecordState"],
    &["Note"],
];

/// Where a mutation lands, from the root of the event.
const ENVELOPE_PATHS: &[&[&str]] = &[
    &["source"],
    &["detail-type"],
    &["detail"],
    &["detail", "findings"],
    &["detail", "actionName"],
    &["resources"],
    &["resources", "0"],
    &["id"],
    &["account"],
    &["region"],
];

/// One change to a JSON document: replace (or insert) the value at a path, or remove it.
#[derive(Debug, Clone)]
pub(crate) struct Mutation {
    path: &'static [&'static str],
    value: Option<Value>,
}

impl Mutation {
    /// Applies the mutation; a path whose parent is missing or not a container is left
    /// alone.
    pub(crate) fn apply(&self, doc: &mut Value) {
        let Some((last, parents)) = self.path.split_last() else {
            return;
        };
        let mut node = doc;
        for seg in parents {
            node = match node {
                Value::Object(map) => match map.get_mut(*seg) {
                    Some(v) => v,
                    None => return,
                },
                Value::Array(items) => {
                    match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                        Some(v) => v,
                        None => return,
                    }
                }
                _ => return,
            };
        }
        match (node, &self.value) {
            (Value::Object(map), Some(v)) => {
                map.insert((*last).to_owned(), v.clone());
            }
            (Value::Object(map), None) => {
                map.remove(*last);
            }
            (Value::Array(items), value) => {
                if let Some(i) = last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                    match value {
                        Some(v) => items[i] = v.clone(),
                        None => {
                            items.remove(i);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// A value of the wrong type, a hostile string, a huge array, or nothing at all.
pub(crate) fn mutant() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => any::<bool>().prop_map(|b| Some(Value::Bool(b))),
        1 => any::<i64>().prop_map(|n| Some(Value::from(n))),
        4 => any_id().prop_map(|s| Some(Value::String(s))),
        1 => prop::collection::vec(any_id().prop_map(Value::String), 0..4)
            .prop_map(|v| Some(Value::Array(v))),
        1 => (0usize..300).prop_map(|n| Some(Value::Array(vec![json!("x"); n]))),
        1 => Just(Some(json!({}))),
        1 => arb_json().prop_map(Some),
    ]
}

fn mutation(paths: &'static [&'static [&'static str]]) -> impl Strategy<Value = Mutation> {
    (select(paths), mutant()).prop_map(|(path, value)| Mutation { path, value })
}

/// A finding of one of the handled shapes with up to four mutated fields.
pub(crate) fn near_valid_finding() -> impl Strategy<Value = Value> {
    (
        0usize..6,
        0usize..1_000_000,
        prop::collection::vec(mutation(FINDING_PATHS), 0..4),
    )
        .prop_map(|(shape, n, mutations)| {
            let mut f = base_finding(shape, n);
            for m in &mutations {
                m.apply(&mut f);
            }
            f
        })
}

/// An event around `findings`: imported, or a `Remediate` custom action.
pub(crate) fn envelope(custom_action: bool, findings: Vec<Value>) -> Value {
    let mut ev = json!({
        "version": "0",
        "id": "fuzz-event",
        "detail-type": DETAIL_TYPE_IMPORTED,
        "source": SECURITY_HUB_SOURCE,
        "account": "123456789012",
        "time": "2026-11-23T06:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"findings": findings},
    });
    if custom_action {
        ev["detail-type"] = json!(DETAIL_TYPE_CUSTOM_ACTION);
        ev["resources"] =
            json!(["arn:aws:securityhub:us-east-1:123456789012:action/custom/Remediate"]);
        ev["detail"]["actionName"] = json!("Remediate");
    }
    ev
}

/// A near-valid event: the right envelope, near-valid findings, and up to two
/// mutations of the envelope itself.
pub(crate) fn near_valid_event() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        prop::collection::vec(near_valid_finding(), 1..5),
        prop::collection::vec(mutation(ENVELOPE_PATHS), 0..3),
    )
        .prop_map(|(custom, findings, mutations)| {
            let mut ev = envelope(custom, findings);
            for m in &mutations {
                m.apply(&mut ev);
            }
            ev
        })
}

/// The right envelope around arbitrary JSON findings.
pub(crate) fn envelope_of_arbitrary_findings() -> impl Strategy<Value = Value> {
    (any::<bool>(), prop::collection::vec(arb_json(), 1..5))
        .prop_map(|(custom, findings)| envelope(custom, findings))
}
