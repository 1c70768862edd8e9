//! The subset of the AWS Security Finding Format (ASFF) that remediation needs, and the
//! two EventBridge envelopes Security Hub delivers findings in.
//!
//! Unknown fields are tolerated everywhere: Security Hub adds fields over time and
//! hubfix must keep working. The fields hubfix acts on (ids, product, account, region,
//! resources, compliance, workflow, record state) are read strictly; every other field
//! it models is read leniently ([`lenient`]): a value of the wrong type (a number
//! written as a string, an object where a list belongs) reads as absent, so a quirk in
//! a field hubfix does not use never refuses a finding. A malformed event is a
//! [`EventError`] naming what is wrong; a malformed finding inside a well-formed event
//! is kept as a [`MalformedFinding`] so that it is reported rather than dropped.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The EventBridge `source` of every Security Hub event.
pub const SECURITY_HUB_SOURCE: &str = "aws.securityhub";
/// The `source` of the events hubfix's reconciler puts back on the queue: findings it
/// read from Security Hub with `GetFindings`, in the shape of an Imported event.
pub const REQUEUED_SOURCE: &str = "hubfix.reconciler";
/// `detail-type` of the events Security Hub emits for new and updated findings.
pub const DETAIL_TYPE_IMPORTED: &str = "Security Hub Findings - Imported";
/// `detail-type` of the events Security Hub emits when an analyst runs a custom action.
pub const DETAIL_TYPE_CUSTOM_ACTION: &str = "Security Hub Findings - Custom Action";

/// One ASFF finding, as far as hubfix reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Finding {
    /// ASFF schema version, `2018-10-08`.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub schema_version: Option<String>,
    /// The finding's unique id within its product.
    pub id: String,
    /// ARN of the product that generated the finding.
    pub product_arn: String,
    /// The rule or check that produced the finding (e.g. `security-control/S3.8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator_id: Option<String>,
    /// The account the finding's resources live in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    /// The region the finding was generated in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Finding type namespaces, e.g. `Software and Configuration Checks/...`.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub types: Vec<String>,
    /// When the finding was first created.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<String>,
    /// When the finding was last updated by its provider.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<String>,
    /// Severity of the finding.
    #[serde(
        default,
        deserialize_with = "lenient::object",
        skip_serializing_if = "Option::is_none"
    )]
    pub severity: Option<Severity>,
    /// Short title.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<String>,
    /// Longer description.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    /// Compliance details of control findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<Compliance>,
    /// Provider-specific key/value pairs (standard ids live here). Only string values
    /// are kept: ASFF allows nothing else, and a provider that sends a number or an
    /// object in a key hubfix never reads must not make the finding unreadable.
    #[serde(
        default,
        deserialize_with = "lenient::string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub product_fields: BTreeMap<String, String>,
    /// The resources the finding is about (1 to 32).
    #[serde(default)]
    pub resources: Vec<Resource>,
    /// Investigation status set by analysts and tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<Workflow>,
    /// ACTIVE or ARCHIVED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_state: Option<RecordState>,
    /// The latest note on the finding.
    #[serde(
        default,
        deserialize_with = "lenient::object",
        skip_serializing_if = "Option::is_none"
    )]
    pub note: Option<Note>,
    /// Whether the finding is a sample a product generated on request (GuardDuty's
    /// `CreateSampleFindings`, Macie's): its resources are placeholders, and no playbook
    /// acts on it.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub sample: Option<bool>,
    /// The provider's confidence that the finding is right, 0 to 100 (ASFF
    /// `Confidence`); threat playbooks can require a least confidence.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub confidence: Option<i64>,
    /// The vulnerabilities of a vulnerability finding (Inspector's), read leniently.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vulnerabilities: Vec<Vulnerability>,
    /// Name/value pairs customers and tools set with `BatchUpdateFindings`; hubfix
    /// keeps its deferral marker here ([`crate::deferral`]). Read leniently: a value
    /// that is not a string is left out, anything but an object reads as empty.
    #[serde(
        default,
        deserialize_with = "lenient_string_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub user_defined_fields: BTreeMap<String, String>,
}

/// A JSON object's string members; other members, and any other JSON value, are
/// ignored rather than refused (the field is written by customers and other tools).
fn lenient_string_map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Object(members) => members
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s)),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    })
}

/// ASFF `Severity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Severity {
    /// INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    /// Deprecated 0-100 score, still sent by some providers.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub normalized: Option<i64>,
    /// The provider's own severity text.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub original: Option<String>,
}

/// ASFF `Compliance`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Compliance {
    /// The consolidated security control id, e.g. `S3.8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_control_id: Option<String>,
    /// PASSED, WARNING, FAILED or NOT_AVAILABLE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ComplianceStatus>,
    /// The standards the control belongs to (read leniently: hubfix does not act on it).
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub associated_standards: Vec<AssociatedStandard>,
    /// Requirements of other frameworks the control relates to (read leniently).
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub related_requirements: Vec<String>,
}

/// One entry of `Compliance.AssociatedStandards`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociatedStandard {
    /// e.g. `standards/aws-foundational-security-best-practices/v/1.0.0`.
    pub standards_id: String,
}

/// `Compliance.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    /// The resource passed the check.
    Passed,
    /// The check could not fully decide; review needed.
    Warning,
    /// The resource failed the check.
    Failed,
    /// The check could not run.
    NotAvailable,
    /// A value this version of hubfix does not know.
    #[serde(other)]
    Unknown,
}

/// One entry of `Resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// ASFF resource type, e.g. `AwsS3Bucket`.
    #[serde(rename = "Type")]
    pub resource_type: String,
    /// Usually the resource ARN.
    pub id: String,
    /// aws, aws-cn or aws-us-gov.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// Region of the resource, when it differs from the finding's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Tags Security Hub copied from the resource.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Type-specific details (`Details.<Type>`), kept as raw JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// ASFF `Workflow`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Workflow {
    /// The workflow status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkflowStatus>,
}

/// `Workflow.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStatus {
    /// Not reviewed yet.
    New,
    /// The resource owner was notified.
    Notified,
    /// The finding was reviewed and remediated.
    Resolved,
    /// Reviewed and deliberately not acted on.
    Suppressed,
    /// A value this version of hubfix does not know.
    #[serde(other)]
    Unknown,
}

impl WorkflowStatus {
    /// The API spelling of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowStatus::New => "NEW",
            WorkflowStatus::Notified => "NOTIFIED",
            WorkflowStatus::Resolved => "RESOLVED",
            WorkflowStatus::Suppressed => "SUPPRESSED",
            WorkflowStatus::Unknown => "UNKNOWN",
        }
    }
}

/// `RecordState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordState {
    /// The finding is current.
    Active,
    /// The resource is gone or the finding no longer applies.
    Archived,
    /// A value this version of hubfix does not know.
    #[serde(other)]
    Unknown,
}

/// ASFF `Note`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Note {
    /// The note text (at most 512 characters).
    pub text: String,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// When it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

impl Finding {
    /// The finding's account, if the provider set it.
    pub fn account(&self) -> Option<&str> {
        self.aws_account_id.as_deref()
    }

    /// The workflow status, NEW when absent (as Security Hub defaults it).
    pub fn workflow_status(&self) -> WorkflowStatus {
        self.workflow
            .as_ref()
            .and_then(|w| w.status)
            .unwrap_or(WorkflowStatus::New)
    }

    /// The record state, ACTIVE when absent.
    pub fn record_state(&self) -> RecordState {
        self.record_state.unwrap_or(RecordState::Active)
    }

    /// The compliance status of a control finding.
    pub fn compliance_status(&self) -> Option<ComplianceStatus> {
        self.compliance.as_ref().and_then(|c| c.status)
    }

    /// The severity label: `Severity.Label`, else the label of `Severity.Normalized`
    /// (as ASFF maps one to the other), else none.
    pub fn severity_label(&self) -> Option<SeverityLabel> {
        let severity = self.severity.as_ref()?;
        severity
            .label
            .as_deref()
            .and_then(SeverityLabel::parse)
            .or_else(|| severity.normalized.map(SeverityLabel::of_normalized))
    }

    /// Whether the product generated the finding as a sample.
    pub fn is_sample(&self) -> bool {
        self.sample == Some(true)
    }
}

/// One entry of ASFF `Vulnerabilities`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vulnerability {
    /// The CVE (or GHSA) id.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `YES` or `NO`; absent on older findings (unknown, not no).
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub exploit_available: Option<String>,
    /// The vulnerable packages.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vulnerable_packages: Vec<VulnerablePackage>,
}

/// One vulnerable package of a [`Vulnerability`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VulnerablePackage {
    /// The package's name.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The installed version.
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<String>,
    /// The version that fixes it (Inspector prefixes the epoch: `0:5.10.162-...`).
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_in_version: Option<String>,
    /// How to update it (`yum update kernel`).
    #[serde(
        default,
        deserialize_with = "lenient::value",
        skip_serializing_if = "Option::is_none"
    )]
    pub remediation: Option<String>,
}

/// ASFF severity labels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeverityLabel {
    /// No issue found.
    Informational,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl SeverityLabel {
    /// Parses a label, case-insensitively.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "INFORMATIONAL" => Some(Self::Informational),
            "LOW" => Some(Self::Low),
            "MEDIUM" => Some(Self::Medium),
            "HIGH" => Some(Self::High),
            "CRITICAL" => Some(Self::Critical),
            _ => None,
        }
    }

    /// The label ASFF gives a `Normalized` score (0, 1-39, 40-69, 70-89, 90-100).
    pub fn of_normalized(score: i64) -> Self {
        match score {
            i64::MIN..=0 => Self::Informational,
            1..=39 => Self::Low,
            40..=69 => Self::Medium,
            70..=89 => Self::High,
            _ => Self::Critical,
        }
    }

    /// The ASFF spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Informational => "INFORMATIONAL",
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
        }
    }
}

/// What delivered the findings: Security Hub's own import stream, or an analyst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// `Security Hub Findings - Imported`: automatic mode.
    Imported,
    /// `Security Hub Findings - Custom Action`: an analyst chose an action in the console.
    CustomAction {
        /// The action's name, e.g. `Remediate`.
        name: String,
        /// The action target ARN (`resources[0]` of the event), when present.
        target_arn: Option<String>,
    },
}

/// A finding inside an event that could not be read as ASFF.
#[derive(Debug, Clone, PartialEq)]
pub struct MalformedFinding {
    /// Position in `detail.findings`.
    pub index: usize,
    /// The finding's `Id`, when it could be read.
    pub id: Option<String>,
    /// The finding's `ProductArn`, when it could be read.
    pub product_arn: Option<String>,
    /// What is wrong, with the JSON path ([`quoted`], at most
    /// [`MAX_FINDING_ERROR_CHARS`] characters).
    pub error: String,
}

/// A parsed Security Hub EventBridge event.
#[derive(Debug, Clone)]
pub struct SecurityHubEvent {
    /// The EventBridge event id.
    pub event_id: Option<String>,
    /// The account the event was delivered in.
    pub account: Option<String>,
    /// The region the event was delivered in.
    pub region: Option<String>,
    /// Which of the two event kinds this is.
    pub trigger: Trigger,
    /// The findings, in event order; malformed ones are kept so they can be reported.
    pub findings: Vec<Result<Finding, MalformedFinding>>,
}

/// Why an event could not be read at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EventError {
    /// The payload is not a JSON object.
    #[error("event is not a JSON object")]
    NotAnObject,
    /// A required envelope field is absent.
    #[error("event has no `{0}`")]
    Missing(&'static str),
    /// An envelope field has the wrong JSON type.
    #[error("event field `{field}` must be {expected}")]
    WrongType {
        /// The field's path.
        field: &'static str,
        /// What it should have been.
        expected: &'static str,
    },
    /// The event did not come from Security Hub (the source, [`quoted`]).
    #[error("event source is `{0}`, expected `aws.securityhub`")]
    WrongSource(String),
    /// A detail type hubfix does not handle (the detail type, [`quoted`]).
    #[error("unsupported detail-type `{0}`")]
    UnsupportedDetailType(String),
    /// `detail.findings` is present but empty.
    #[error("event has no findings in `detail.findings`")]
    NoFindings,
}

/// Most characters of the input an error message quotes.
pub const MAX_QUOTED_CHARS: usize = 64;
/// Most characters of a malformed finding's error (it ends up in a 512-character note).
pub const MAX_FINDING_ERROR_CHARS: usize = 300;

/// Input as an error message shows it: control characters escaped (`\u{1b}`), cut
/// after `max` characters with `…`, so that hostile input can neither flood nor forge
/// a log line, a note or a terminal.
pub fn quoted(input: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in input.chars() {
        let shown: String = if c.is_control() {
            c.escape_default().collect()
        } else {
            c.into()
        };
        count += shown.chars().count();
        if count > max {
            out.push('…');
            break;
        }
        out.push_str(&shown);
    }
    out
}

/// Largest number of findings accepted in one event; Security Hub sends at most 100
/// per custom action (console selection) and one per import event.
pub const MAX_FINDINGS_PER_EVENT: usize = 100;

impl SecurityHubEvent {
    /// Parses an EventBridge event delivered by Security Hub.
    pub fn parse(event: &Value) -> Result<Self, EventError> {
        let obj = event.as_object().ok_or(EventError::NotAnObject)?;
        let source = str_field(obj, "source")?.ok_or(EventError::Missing("source"))?;
        if source != SECURITY_HUB_SOURCE && source != REQUEUED_SOURCE {
            return Err(EventError::WrongSource(quoted(source, MAX_QUOTED_CHARS)));
        }
        let detail_type =
            str_field(obj, "detail-type")?.ok_or(EventError::Missing("detail-type"))?;
        if source == REQUEUED_SOURCE && detail_type != DETAIL_TYPE_IMPORTED {
            return Err(EventError::UnsupportedDetailType(quoted(
                detail_type,
                MAX_QUOTED_CHARS,
            )));
        }
        let detail = obj
            .get("detail")
            .ok_or(EventError::Missing("detail"))?
            .as_object()
            .ok_or(EventError::WrongType {
                field: "detail",
                expected: "an object",
            })?;
        let trigger = match detail_type {
            DETAIL_TYPE_IMPORTED => Trigger::Imported,
            DETAIL_TYPE_CUSTOM_ACTION => {
                let name = str_field(detail, "actionName")?
                    .ok_or(EventError::Missing("detail.actionName"))?;
                let target_arn = match obj.get("resources") {
                    None | Some(Value::Null) => None,
                    Some(Value::Array(items)) => items
                        .first()
                        .map(|v| {
                            v.as_str().map(str::to_owned).ok_or(EventError::WrongType {
                                field: "resources[0]",
                                expected: "a string",
                            })
                        })
                        .transpose()?,
                    Some(_) => {
                        return Err(EventError::WrongType {
                            field: "resources",
                            expected: "an array",
                        })
                    }
                };
                Trigger::CustomAction {
                    name: name.to_owned(),
                    target_arn,
                }
            }
            other => {
                return Err(EventError::UnsupportedDetailType(quoted(
                    other,
                    MAX_QUOTED_CHARS,
                )))
            }
        };
        let raw_findings = detail
            .get("findings")
            .ok_or(EventError::Missing("detail.findings"))?
            .as_array()
            .ok_or(EventError::WrongType {
                field: "detail.findings",
                expected: "an array",
            })?;
        if raw_findings.is_empty() {
            return Err(EventError::NoFindings);
        }
        if raw_findings.len() > MAX_FINDINGS_PER_EVENT {
            return Err(EventError::WrongType {
                field: "detail.findings",
                expected: "an array of at most 100 findings",
            });
        }
        let findings = raw_findings
            .iter()
            .enumerate()
            .map(|(index, raw)| parse_finding(index, raw))
            .collect();
        Ok(SecurityHubEvent {
            event_id: str_field(obj, "id")?.map(str::to_owned),
            account: str_field(obj, "account")?.map(str::to_owned),
            region: str_field(obj, "region")?.map(str::to_owned),
            trigger,
            findings,
        })
    }
}

/// Reads one finding, naming the JSON path of the first problem when it is malformed.
pub fn parse_finding(index: usize, raw: &Value) -> Result<Finding, MalformedFinding> {
    let malformed = |path: &str, error: &dyn std::fmt::Display| {
        let id_of = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
        MalformedFinding {
            index,
            id: id_of("Id"),
            product_arn: id_of("ProductArn"),
            error: quoted(
                &format!("detail.findings[{index}]{path}: {error}"),
                MAX_FINDING_ERROR_CHARS,
            ),
        }
    };
    if let Some(path) = array_for_object(raw) {
        return Err(malformed(
            &path,
            &"invalid type: sequence, expected an object",
        ));
    }
    serde_path_to_error::deserialize::<_, Finding>(raw).map_err(|err| {
        let path = err.path().to_string();
        let path = if path == "." {
            String::new()
        } else {
            format!(".{path}")
        };
        malformed(&path, err.inner())
    })
}

/// serde also reads a struct from a JSON array, positionally; ASFF objects never are
/// arrays, so this is the path of the first array where the finding needs an object.
fn array_for_object(raw: &Value) -> Option<String> {
    if raw.is_array() {
        return Some(String::new());
    }
    if let Some(key) = ["Compliance", "Workflow"]
        .into_iter()
        .find(|key| raw.get(key).is_some_and(Value::is_array))
    {
        return Some(format!(".{key}"));
    }
    let resources = raw.get("Resources")?.as_array()?;
    let i = resources.iter().position(Value::is_array)?;
    Some(format!(".Resources[{i}]"))
}

/// Readers of the fields hubfix models but does not act on: a value of the wrong JSON
/// type reads as the field's default (absent) instead of refusing the whole finding.
pub mod lenient {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// Any value, as `T` when it has `T`'s shape, else `T::default()`.
    pub fn value<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned + Default,
    {
        let raw = Value::deserialize(deserializer)?;
        Ok(serde_json::from_value(raw).unwrap_or_default())
    }

    /// An ASFF object: only a JSON object is read (serde would read a struct from an
    /// array positionally), anything else is absent.
    pub fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        match Value::deserialize(deserializer)? {
            raw @ Value::Object(_) => Ok(serde_json::from_value(raw).ok()),
            _ => Ok(None),
        }
    }

    /// A string-to-string map: the string members of an object; members of another
    /// type, and anything but an object, are left out.
    pub fn string_map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
    where
        D: Deserializer<'de>,
    {
        Ok(match Value::deserialize(deserializer)? {
            Value::Object(members) => members
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    _ => None,
                })
                .collect(),
            _ => BTreeMap::new(),
        })
    }
}

fn str_field<'a>(
    obj: &'a serde_json::Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, EventError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(EventError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding() -> Value {
        json!({
            "SchemaVersion": "2018-10-08",
            "Id": "arn:aws:securityhub:us-east-1:123456789012:security-control/S3.8/finding/0b5b3a1c",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
            "GeneratorId": "security-control/S3.8",
            "AwsAccountId": "123456789012",
            "Region": "us-east-1",
            "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
            "Severity": {"Label": "HIGH", "Normalized": 70, "Original": "HIGH"},
            "Title": "S3 general purpose buckets should block public access",
            "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8",
                "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}]},
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::logs", "Partition": "aws",
                "Region": "us-east-1", "Details": {"AwsS3Bucket": {"Name": "logs"}}}],
            "Workflow": {"Status": "NEW"},
            "RecordState": "ACTIVE",
            "FindingProviderFields": {"Severity": {"Label": "HIGH"}},
            "SomeFieldFromTheFuture": [1, 2, 3]
        })
    }

    fn event(detail_type: &str, detail: Value) -> Value {
        json!({
            "version": "0", "id": "e-1", "detail-type": detail_type,
            "source": "aws.securityhub", "account": "123456789012",
            "time": "2026-11-23T06:00:00Z", "region": "us-east-1",
            "resources": ["arn:aws:securityhub:us-east-1:123456789012:action/custom/Remediate"],
            "detail": detail
        })
    }

    #[test]
    fn parses_imported_event_and_tolerates_unknown_fields() {
        let ev = SecurityHubEvent::parse(&event(
            DETAIL_TYPE_IMPORTED,
            json!({"findings": [finding()]}),
        ))
        .unwrap();
        assert_eq!(ev.trigger, Trigger::Imported);
        let f = ev.findings[0].as_ref().unwrap();
        assert_eq!(f.resources[0].resource_type, "AwsS3Bucket");
        assert_eq!(f.compliance_status(), Some(ComplianceStatus::Failed));
        assert_eq!(f.workflow_status(), WorkflowStatus::New);
        assert_eq!(f.record_state(), RecordState::Active);
    }

    #[test]
    fn parses_custom_action_with_target_arn() {
        let ev = SecurityHubEvent::parse(&event(
            DETAIL_TYPE_CUSTOM_ACTION,
            json!({"actionName": "Remediate", "actionDescription": "Fix it", "findings": [finding()]}),
        ))
        .unwrap();
        match ev.trigger {
            Trigger::CustomAction { name, target_arn } => {
                assert_eq!(name, "Remediate");
                assert!(target_arn.unwrap().ends_with("action/custom/Remediate"));
            }
            other => panic!("unexpected trigger {other:?}"),
        }
    }

    #[test]
    fn rejects_events_not_from_security_hub() {
        let mut ev = event(DETAIL_TYPE_IMPORTED, json!({"findings": [finding()]}));
        ev["source"] = json!("aws.guardduty");
        assert_eq!(
            SecurityHubEvent::parse(&ev).unwrap_err(),
            EventError::WrongSource("aws.guardduty".into())
        );
    }

    #[test]
    fn names_what_is_wrong_with_an_envelope() {
        let cases = [
            (json!([]), "not a JSON object"),
            (json!({"source": "aws.securityhub"}), "no `detail-type`"),
            (
                event("Security Hub Insight Results", json!({})),
                "unsupported detail-type `Security Hub Insight Results`",
            ),
            (
                event(DETAIL_TYPE_IMPORTED, json!({"findings": {}})),
                "`detail.findings` must be an array",
            ),
            (
                event(DETAIL_TYPE_IMPORTED, json!({"findings": []})),
                "no findings",
            ),
            (
                event(DETAIL_TYPE_CUSTOM_ACTION, json!({"findings": [finding()]})),
                "no `detail.actionName`",
            ),
            (
                event(DETAIL_TYPE_IMPORTED, json!("text")),
                "`detail` must be an object",
            ),
        ];
        for (input, expected) in cases {
            let err = SecurityHubEvent::parse(&input).unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{err:?} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn keeps_a_malformed_finding_with_its_path_and_identity() {
        let mut bad = finding();
        bad["Resources"] = json!([{"Type": "AwsS3Bucket", "Id": 42}]);
        let ev = SecurityHubEvent::parse(&event(
            DETAIL_TYPE_IMPORTED,
            json!({"findings": [finding(), bad]}),
        ))
        .unwrap();
        assert!(ev.findings[0].is_ok());
        let err = ev.findings[1].as_ref().unwrap_err();
        assert_eq!(err.index, 1);
        assert!(err.id.as_deref().unwrap().contains("S3.8"));
        assert!(
            err.error
                .starts_with("detail.findings[1].Resources[0].Id: invalid type"),
            "{}",
            err.error
        );
    }

    #[test]
    fn a_finding_without_id_is_malformed() {
        let mut bad = finding();
        bad.as_object_mut().unwrap().remove("Id");
        let err = parse_finding(0, &bad).unwrap_err();
        assert_eq!(err.id, None);
        assert!(err.error.contains("missing field `Id`"), "{}", err.error);
    }

    #[test]
    fn hostile_envelope_values_are_quoted_not_echoed() {
        let mut ev = event(DETAIL_TYPE_IMPORTED, json!({"findings": [finding()]}));
        ev["source"] = json!("\n");
        assert_eq!(
            SecurityHubEvent::parse(&ev).unwrap_err().to_string(),
            "event source is `\\n`, expected `aws.securityhub`"
        );
        ev["source"] = json!(SECURITY_HUB_SOURCE);
        ev["detail-type"] = json!(format!("\u{1b}[31m{}", "x".repeat(10_000)));
        let err = SecurityHubEvent::parse(&ev).unwrap_err().to_string();
        assert!(
            err.starts_with("unsupported detail-type `\\u{1b}[31mxxx"),
            "{err}"
        );
        assert!(err.chars().count() < 120, "{err}");
        assert!(!err.chars().any(char::is_control), "{err}");
    }

    #[test]
    fn a_malformed_findings_error_is_bounded_and_has_no_control_characters() {
        let mut long = finding();
        long["Resources"] = json!("../".repeat(1000));
        let err = parse_finding(0, &long).unwrap_err().error;
        assert!(
            err.starts_with("detail.findings[0].Resources: invalid type: string"),
            "{err}"
        );
        assert_eq!(err.chars().count(), MAX_FINDING_ERROR_CHARS + 1);
        let mut control = finding();
        control["Resources"][0]["Tags"] = json!({"\u{1b}]0;owned\u{7}": 5});
        let err = parse_finding(3, &control).unwrap_err().error;
        assert!(!err.chars().any(char::is_control), "{err}");
        assert!(
            err.starts_with(
                "detail.findings[3].Resources[0].Tags.\\u{1b}]0;owned\\u{7}: invalid type"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_finding_given_as_an_array_is_malformed_not_read_positionally() {
        let positional = json!([
            "2018-10-08",
            "f-1",
            "arn:aws:securityhub:us-east-1::product/aws/securityhub"
        ]);
        let err = parse_finding(0, &positional).unwrap_err().error;
        assert_eq!(
            err,
            "detail.findings[0]: invalid type: sequence, expected an object"
        );
        for (key, value, path) in [
            ("Compliance", json!(["S3.8", "FAILED"]), "Compliance"),
            (
                "Resources",
                json!([["AwsS3Bucket", "arn:aws:s3:::b"]]),
                "Resources[0]",
            ),
            ("Workflow", json!(["NEW"]), "Workflow"),
        ] {
            let mut f = finding();
            f[key] = value;
            let err = parse_finding(2, &f).unwrap_err().error;
            assert_eq!(
                err,
                format!("detail.findings[2].{path}: invalid type: sequence, expected an object")
            );
        }
    }

    #[test]
    fn quoting_escapes_control_characters_within_the_bound() {
        assert_eq!(quoted("a\u{0}b", 64), "a\\u{0}b");
        let shown = quoted(&"\u{0}".repeat(100), 64);
        assert!(shown.chars().count() <= 65, "{shown}");
        assert!(shown.ends_with('…'));
        assert_eq!(quoted("short", 64), "short");
    }

    #[test]
    fn quirks_in_fields_hubfix_does_not_act_on_never_refuse_a_finding() {
        let reference = parse_finding(0, &finding()).unwrap();
        for (key, value) in [
            ("Severity", json!({"Label": "HIGH", "Normalized": "70"})),
            ("Severity", json!(["HIGH", 70])),
            ("Types", json!("Software and Configuration Checks")),
            ("CreatedAt", json!(1_700_000_000)),
            ("Title", json!({"en": "S3.8"})),
            ("Note", json!("text")),
            ("SchemaVersion", json!(2018)),
            ("Confidence", json!("42")),
            (
                "Network",
                json!({"SourcePort": "42", "DestinationPort": "80"}),
            ),
        ] {
            let mut quirky = finding();
            quirky[key] = value.clone();
            let parsed = parse_finding(0, &quirky)
                .unwrap_or_else(|e| panic!("{key} = {value}: {}", e.error));
            assert_eq!(parsed.id, reference.id);
            assert_eq!(parsed.compliance, reference.compliance, "{key}");
            assert_eq!(parsed.resources, reference.resources, "{key}");
        }
        let mut fields = finding();
        fields["ProductFields"] = json!({"ControlId": "S3.8", "aws/guardduty/service/count": 3,
            "nested": {"a": 1}});
        let parsed = parse_finding(0, &fields).unwrap();
        assert_eq!(
            parsed.product_fields.keys().collect::<Vec<_>>(),
            ["ControlId"]
        );
        let mut standards = finding();
        standards["Compliance"]["AssociatedStandards"] = json!("standards/pci-dss/v/4.0.1");
        assert!(parse_finding(0, &standards).is_ok());
    }

    #[test]
    fn unknown_enum_values_do_not_break_parsing() {
        let mut f = finding();
        f["Workflow"]["Status"] = json!("IN_REVIEW");
        f["Compliance"]["Status"] = json!("MAYBE");
        let parsed = parse_finding(0, &f).unwrap();
        assert_eq!(parsed.workflow_status(), WorkflowStatus::Unknown);
        assert_eq!(parsed.compliance_status(), Some(ComplianceStatus::Unknown));
    }

    #[test]
    fn user_defined_fields_keep_strings_and_ignore_the_rest() {
        let mut f = finding();
        f["UserDefinedFields"] = json!({"hubfix:state": "deferred", "n": 3, "x": null});
        let parsed = parse_finding(0, &f).unwrap();
        assert_eq!(parsed.user_defined_fields.len(), 1);
        assert_eq!(parsed.user_defined_fields["hubfix:state"], "deferred");
        f["UserDefinedFields"] = json!(["not", "a", "map"]);
        assert!(parse_finding(0, &f).unwrap().user_defined_fields.is_empty());
    }
}
