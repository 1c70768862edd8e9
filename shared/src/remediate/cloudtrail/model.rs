//! CloudTrail's pure side: trail ARNs, event selectors (management events, S3 data
//! events, merging hubfix's selector into the user's), and the policy documents hubfix
//! writes for the trails it sets up (KMS key policy, bucket policy, delivery role).
//! Everything here is decided without an API call, so it is unit-tested.

use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::FixError;
use crate::ids::Arn;

/// The CloudTrail service principal.
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";
/// The data resource type of S3 objects.
pub const S3_OBJECT: &str = "AWS::S3::Object";
/// At most this many basic event selectors per trail (CloudTrail's limit).
pub const MAX_EVENT_SELECTORS: usize = 5;

/// A trail named by its ARN (`arn:aws:cloudtrail:<region>:<account>:trail/<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailArn {
    /// The trail's home region (where it can be changed).
    pub region: String,
    /// The trail's name.
    pub name: String,
}

/// A trail name: 3-128 of letters, digits, `.`, `_`, `-`, starting and ending with a
/// letter or digit (CloudTrail's rule).
pub fn is_trail_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=128).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
}

/// Parses an `AwsCloudTrailTrail` resource id, which must be a trail ARN of `account`.
pub fn trail_arn(resource_id: &str, account: &str) -> Result<TrailArn, FixError> {
    let parsed = Arn::parse(resource_id)
        .filter(|a| a.service == "cloudtrail" && a.account == account)
        .and_then(|a| {
            let name = a.resource.strip_prefix("trail/")?;
            (crate::ids::is_region(a.region) && is_trail_name(name)).then(|| TrailArn {
                region: a.region.to_owned(),
                name: name.to_owned(),
            })
        });
    parsed.ok_or_else(|| {
        FixError::Target(format!(
            "`{resource_id}` is not a CloudTrail trail ARN of account {account} hubfix can act on"
        ))
    })
}

/// A basic event selector, as hubfix records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicSelector {
    /// `ReadOnly`, `WriteOnly` or `All`.
    pub read_write_type: String,
    /// Whether management events are logged.
    pub include_management_events: bool,
    /// `(type, values)` of each data resource.
    pub data_resources: Vec<(String, Vec<String>)>,
    /// Management event sources left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

/// One field condition of an advanced event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSelector {
    /// The field, e.g. `eventCategory`.
    pub field: String,
    /// `Equals` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// `StartsWith` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    /// `EndsWith` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    /// `NotEquals` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    /// `NotStartsWith` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    /// `NotEndsWith` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

/// An advanced event selector, as hubfix records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedSelector {
    /// Its name.
    pub name: Option<String>,
    /// Its field conditions (AND'ed).
    pub fields: Vec<FieldSelector>,
}

/// A trail's event selectors: basic or advanced (CloudTrail keeps one kind at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selectors {
    /// The basic selectors.
    pub basic: Vec<BasicSelector>,
    /// The advanced selectors.
    pub advanced: Vec<AdvancedSelector>,
}

/// One selector hubfix adds to a trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddedSelector {
    /// Added to the basic selectors.
    Basic(BasicSelector),
    /// Added to the advanced selectors.
    Advanced(AdvancedSelector),
}

/// Which S3 object-level operations a CIS check wants logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum S3Access {
    /// Write events (CIS 3.10).
    Write,
    /// Read events (CIS 3.11).
    Read,
}

impl S3Access {
    /// `WriteOnly` or `ReadOnly`: the basic selector type hubfix adds.
    pub fn read_write_type(self) -> &'static str {
        match self {
            S3Access::Write => "WriteOnly",
            S3Access::Read => "ReadOnly",
        }
    }

    /// The `readOnly` value of an advanced selector limited to these events.
    fn read_only(self) -> &'static str {
        match self {
            S3Access::Write => "false",
            S3Access::Read => "true",
        }
    }

    /// `write` or `read`.
    pub fn word(self) -> &'static str {
        match self {
            S3Access::Write => "write",
            S3Access::Read => "read",
        }
    }
}

impl Selectors {
    /// The selectors CloudTrail applies to a trail that was never given any: read and
    /// write management events, no data events.
    pub fn default_selectors() -> Selectors {
        Selectors {
            basic: vec![BasicSelector {
                read_write_type: "All".into(),
                include_management_events: true,
                data_resources: Vec::new(),
                exclude_management_event_sources: Vec::new(),
            }],
            advanced: Vec::new(),
        }
    }

    /// Selectors as `GetEventSelectors` answers them; none at all means the default.
    pub fn from_sdk(basic: &[EventSelector], advanced: &[AdvancedEventSelector]) -> Selectors {
        if basic.is_empty() && advanced.is_empty() {
            return Selectors::default_selectors();
        }
        Selectors {
            basic: basic
                .iter()
                .map(|s| BasicSelector {
                    read_write_type: s.read_write_type().map_or("All", |t| t.as_str()).to_owned(),
                    include_management_events: s.include_management_events().unwrap_or(true),
                    data_resources: s
                        .data_resources()
                        .iter()
                        .map(|d| {
                            (
                                d.r#type().unwrap_or_default().to_owned(),
                                d.values().to_vec(),
                            )
                        })
                        .collect(),
                    exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
                })
                .collect(),
            advanced: advanced
                .iter()
                .map(|a| AdvancedSelector {
                    name: a.name().map(str::to_owned),
                    fields: a
                        .field_selectors()
                        .iter()
                        .map(|f| FieldSelector {
                            field: f.field().to_owned(),
                            equals: f.equals().to_vec(),
                            starts_with: f.starts_with().to_vec(),
                            ends_with: f.ends_with().to_vec(),
                            not_equals: f.not_equals().to_vec(),
                            not_starts_with: f.not_starts_with().to_vec(),
                            not_ends_with: f.not_ends_with().to_vec(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Whether the trail logs read and write management events.
    pub fn logs_management_events(&self) -> bool {
        let basic = self
            .basic
            .iter()
            .any(|s| s.include_management_events && s.read_write_type == "All");
        let advanced = self.advanced.iter().any(|a| {
            a.fields
                .iter()
                .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"))
                && !a.fields.iter().any(|f| f.field == "readOnly")
        });
        basic || advanced
    }

    /// Whether the trail logs S3 object-level `access` events of every bucket.
    pub fn logs_s3_data_events(&self, access: S3Access, partition: &str) -> bool {
        let basic = self.basic.iter().any(|s| {
            (s.read_write_type == "All" || s.read_write_type == access.read_write_type())
                && s.data_resources.iter().any(|(t, values)| {
                    t == S3_OBJECT && values.iter().any(|v| is_all_buckets(v, partition))
                })
        });
        let advanced = self.advanced.iter().any(|a| {
            let has = |field: &str, value: &str| {
                a.fields
                    .iter()
                    .any(|f| f.field == field && f.equals.iter().any(|v| v == value))
            };
            let only_known_fields = a.fields.iter().all(|f| {
                ["eventCategory", "resources.type", "readOnly"].contains(&f.field.as_str())
            });
            let read_only_ok = a.fields.iter().filter(|f| f.field == "readOnly").all(|f| {
                f.equals.iter().any(|v| v == access.read_only())
                    && f.not_equals.is_empty()
                    && f.starts_with.is_empty()
            });
            has("eventCategory", "Data")
                && has("resources.type", S3_OBJECT)
                && only_known_fields
                && read_only_ok
        });
        basic || advanced
    }

    /// The selector hubfix adds so that the trail logs S3 `access` events of every
    /// bucket: a basic one when the trail uses basic selectors (an error when it already
    /// has CloudTrail's maximum of five), else an advanced one.
    pub fn selector_for(&self, access: S3Access, partition: &str) -> Result<AddedSelector, String> {
        if self.advanced.is_empty() {
            if self.basic.len() >= MAX_EVENT_SELECTORS {
                return Err(format!(
                    "the trail already has CloudTrail's maximum of {MAX_EVENT_SELECTORS} event selectors; add {} data events of `arn:{partition}:s3` (all buckets) to one of them, or convert it to advanced event selectors",
                    access.word()
                ));
            }
            Ok(AddedSelector::Basic(BasicSelector {
                read_write_type: access.read_write_type().to_owned(),
                include_management_events: false,
                data_resources: vec![(S3_OBJECT.to_owned(), vec![format!("arn:{partition}:s3")])],
                exclude_management_event_sources: Vec::new(),
            }))
        } else {
            let field = |name: &str, value: &str| FieldSelector {
                field: name.to_owned(),
                equals: vec![value.to_owned()],
                starts_with: Vec::new(),
                ends_with: Vec::new(),
                not_equals: Vec::new(),
                not_starts_with: Vec::new(),
                not_ends_with: Vec::new(),
            };
            Ok(AddedSelector::Advanced(AdvancedSelector {
                name: Some(format!("hubfix: S3 object-level {} events", access.word())),
                fields: vec![
                    field("eventCategory", "Data"),
                    field("resources.type", S3_OBJECT),
                    field("readOnly", access.read_only()),
                ],
            }))
        }
    }

    /// These selectors with `added` appended, every existing selector kept.
    pub fn with(&self, added: &AddedSelector) -> Selectors {
        let mut out = self.clone();
        match added {
            AddedSelector::Basic(b) => out.basic.push(b.clone()),
            AddedSelector::Advanced(a) => out.advanced.push(a.clone()),
        }
        out
    }

    /// These selectors without `added` (its last occurrence), the user's untouched;
    /// `None` when `added` is no longer there.
    pub fn without(&self, added: &AddedSelector) -> Option<Selectors> {
        let mut out = self.clone();
        match added {
            AddedSelector::Basic(b) => {
                let i = out.basic.iter().rposition(|s| s == b)?;
                out.basic.remove(i);
            }
            AddedSelector::Advanced(a) => {
                let i = out.advanced.iter().rposition(|s| s == a)?;
                out.advanced.remove(i);
            }
        }
        Some(out)
    }

    /// The basic selectors as the SDK sends them.
    pub fn basic_sdk(&self) -> Vec<EventSelector> {
        self.basic
            .iter()
            .map(|s| {
                EventSelector::builder()
                    .read_write_type(ReadWriteType::from(s.read_write_type.as_str()))
                    .include_management_events(s.include_management_events)
                    .set_data_resources(Some(
                        s.data_resources
                            .iter()
                            .map(|(t, values)| {
                                DataResource::builder()
                                    .r#type(t)
                                    .set_values(Some(values.clone()))
                                    .build()
                            })
                            .collect(),
                    ))
                    .set_exclude_management_event_sources(
                        (!s.exclude_management_event_sources.is_empty())
                            .then(|| s.exclude_management_event_sources.clone()),
                    )
                    .build()
            })
            .collect()
    }

    /// The advanced selectors as the SDK sends them.
    pub fn advanced_sdk(&self) -> Result<Vec<AdvancedEventSelector>, FixError> {
        let build = |e: aws_smithy_types::error::operation::BuildError| {
            FixError::Target(format!("an event selector cannot be built: {e}"))
        };
        self.advanced
            .iter()
            .map(|a| {
                let fields = a
                    .fields
                    .iter()
                    .map(|f| {
                        let opt = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
                        AdvancedFieldSelector::builder()
                            .field(&f.field)
                            .set_equals(opt(&f.equals))
                            .set_starts_with(opt(&f.starts_with))
                            .set_ends_with(opt(&f.ends_with))
                            .set_not_equals(opt(&f.not_equals))
                            .set_not_starts_with(opt(&f.not_starts_with))
                            .set_not_ends_with(opt(&f.not_ends_with))
                            .build()
                            .map_err(build)
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                AdvancedEventSelector::builder()
                    .set_name(a.name.clone())
                    .set_field_selectors(Some(fields))
                    .build()
                    .map_err(build)
            })
            .collect()
    }
}

/// Whether a data resource value names every S3 bucket (`arn:aws:s3`, or the console's
/// `arn:aws:s3:::`).
fn is_all_buckets(value: &str, partition: &str) -> bool {
    let all = format!("arn:{partition}:s3");
    value == all || value == format!("{all}:::")
}

/// The ARN pattern of every trail of the account, which the encryption context of
/// CloudTrail's KMS calls names.
fn trails_of(partition: &str, account: &str) -> String {
    format!("arn:{partition}:cloudtrail:*:{account}:trail/*")
}

/// The key policy of a KMS key hubfix creates for CloudTrail: the account administers
/// it through IAM, CloudTrail encrypts the account's trails' logs with it and describes
/// it, and the account's principals decrypt those logs (AWS's documented CloudTrail
/// key policy).
pub fn cloudtrail_key_policy(partition: &str, account: &str) -> Value {
    let trails = trails_of(partition, account);
    json!({
        "Version": "2012-10-17",
        "Id": "hubfix-cloudtrail",
        "Statement": [
            {
                "Sid": "EnableIAMPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "AllowCloudTrailToEncryptLogs",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL_PRINCIPAL},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails}
                }
            },
            {
                "Sid": "AllowCloudTrailToDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL_PRINCIPAL},
                "Action": "kms:DescribeKey",
                "Resource": "*"
            },
            {
                "Sid": "AllowAccountToDecryptLogs",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": account},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails}
                }
            }
        ]
    })
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

/// Whether a statement allows the CloudTrail service principal `action` (or a wildcard
/// covering it).
fn allows_cloudtrail(statement: &Value, covers: &dyn Fn(&str) -> bool) -> bool {
    let allow = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
    let principal = statement.get("Principal");
    let cloudtrail = principal.and_then(Value::as_str) == Some("*")
        || strings(principal.and_then(|p| p.get("Service"))).contains(&CLOUDTRAIL_PRINCIPAL);
    allow && cloudtrail && strings(statement.get("Action")).into_iter().any(covers)
}

/// Whether a KMS key policy lets CloudTrail encrypt log files with the key
/// (`kms:GenerateDataKey*` allowed to `cloudtrail.amazonaws.com`).
pub fn key_policy_allows_cloudtrail(policy: &Value) -> bool {
    statements(policy).into_iter().any(|s| {
        allows_cloudtrail(s, &|a| {
            matches!(
                a,
                "kms:GenerateDataKey*" | "kms:GenerateDataKey" | "kms:*" | "*"
            )
        })
    })
}

/// The bucket policy of the log bucket hubfix creates for its trail: CloudTrail checks
/// the bucket ACL and writes the account's log files, only for that trail (source
/// ARN), with the owner in full control; every request must use TLS.
pub fn trail_bucket_policy(partition: &str, account: &str, bucket: &str, trail_arn: &str) -> Value {
    let bucket_arn = format!("arn:{partition}:s3:::{bucket}");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL_PRINCIPAL},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}
            },
            {
                "Sid": "AWSCloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL_PRINCIPAL},
                "Action": "s3:PutObject",
                "Resource": format!("{bucket_arn}/AWSLogs/{account}/*"),
                "Condition": {
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceArn": trail_arn
                    }
                }
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn.clone(), format!("{bucket_arn}/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }
        ]
    })
}

/// Whether a bucket policy lets CloudTrail write log files (`s3:PutObject` allowed to
/// `cloudtrail.amazonaws.com`).
pub fn bucket_policy_allows_cloudtrail(policy: &Value) -> bool {
    statements(policy).into_iter().any(|s| {
        allows_cloudtrail(s, &|a| {
            matches!(a, "s3:PutObject" | "s3:Put*" | "s3:*" | "*")
        })
    })
}

/// The trust policy of the role hubfix creates for CloudTrail's delivery to CloudWatch
/// Logs: only CloudTrail, only for this account's trails.
pub fn logs_role_trust_policy(account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL_PRINCIPAL},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}
        }]
    })
}

/// The permissions of that role: create streams in, and put events to, the log group
/// (of that name, in any region the account's trails deliver from).
pub fn logs_role_policy(partition: &str, account: &str, log_group: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CloudTrailDelivery",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("arn:{partition}:logs:*:{account}:log-group:{log_group}:log-stream:*")
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";

    fn basic(rw: &str, mgmt: bool, data: &[(&str, &[&str])]) -> BasicSelector {
        BasicSelector {
            read_write_type: rw.into(),
            include_management_events: mgmt,
            data_resources: data
                .iter()
                .map(|(t, v)| (t.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
            exclude_management_event_sources: Vec::new(),
        }
    }

    fn field(name: &str, equals: &[&str]) -> FieldSelector {
        FieldSelector {
            field: name.into(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            starts_with: Vec::new(),
            ends_with: Vec::new(),
            not_equals: Vec::new(),
            not_starts_with: Vec::new(),
            not_ends_with: Vec::new(),
        }
    }

    #[test]
    fn trail_arns_of_the_account_only() {
        let t = trail_arn(
            "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail_1",
            ACCOUNT,
        )
        .unwrap();
        assert_eq!(t.region, "eu-west-1");
        assert_eq!(t.name, "org-trail_1");
        for bad in [
            "arn:aws:cloudtrail:eu-west-1:999999999999:trail/t1x",
            "arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/x",
            "arn:aws:cloudtrail:eu-west-1:123456789012:trail/a",
            "arn:aws:cloudtrail:eu-west-1:123456789012:trail/x;rm -rf",
            "arn:aws:s3:::bucket",
            "org-trail",
        ] {
            assert!(trail_arn(bad, ACCOUNT).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_selectors_means_the_default_management_events() {
        let s = Selectors::from_sdk(&[], &[]);
        assert_eq!(s, Selectors::default_selectors());
        assert!(s.logs_management_events());
        assert!(!s.logs_s3_data_events(S3Access::Write, "aws"));
    }

    #[test]
    fn management_events_need_read_and_write() {
        let write_only = Selectors {
            basic: vec![basic("WriteOnly", true, &[])],
            advanced: Vec::new(),
        };
        assert!(!write_only.logs_management_events());
        let advanced = Selectors {
            basic: Vec::new(),
            advanced: vec![AdvancedSelector {
                name: None,
                fields: vec![field("eventCategory", &["Management"])],
            }],
        };
        assert!(advanced.logs_management_events());
        let advanced_read_only = Selectors {
            basic: Vec::new(),
            advanced: vec![AdvancedSelector {
                name: None,
                fields: vec![
                    field("eventCategory", &["Management"]),
                    field("readOnly", &["true"]),
                ],
            }],
        };
        assert!(!advanced_read_only.logs_management_events());
    }

    #[test]
    fn s3_data_events_of_every_bucket_count_one_bucket_does_not() {
        let all_write = Selectors {
            basic: vec![basic("WriteOnly", false, &[(S3_OBJECT, &["arn:aws:s3"])])],
            advanced: Vec::new(),
        };
        assert!(all_write.logs_s3_data_events(S3Access::Write, "aws"));
        assert!(!all_write.logs_s3_data_events(S3Access::Read, "aws"));
        let console = Selectors {
            basic: vec![basic("All", true, &[(S3_OBJECT, &["arn:aws:s3:::"])])],
            advanced: Vec::new(),
        };
        assert!(console.logs_s3_data_events(S3Access::Read, "aws"));
        let one_bucket = Selectors {
            basic: vec![basic("All", true, &[(S3_OBJECT, &["arn:aws:s3:::logs/"])])],
            advanced: Vec::new(),
        };
        assert!(!one_bucket.logs_s3_data_events(S3Access::Write, "aws"));
        let advanced = |extra: Vec<FieldSelector>| Selectors {
            basic: Vec::new(),
            advanced: vec![AdvancedSelector {
                name: None,
                fields: [
                    vec![
                        field("eventCategory", &["Data"]),
                        field("resources.type", &[S3_OBJECT]),
                    ],
                    extra,
                ]
                .concat(),
            }],
        };
        assert!(advanced(vec![]).logs_s3_data_events(S3Access::Read, "aws"));
        assert!(advanced(vec![field("readOnly", &["false"])])
            .logs_s3_data_events(S3Access::Write, "aws"));
        assert!(!advanced(vec![field("readOnly", &["false"])])
            .logs_s3_data_events(S3Access::Read, "aws"));
        assert!(
            !advanced(vec![field("resources.ARN", &["arn:aws:s3:::b/"])])
                .logs_s3_data_events(S3Access::Write, "aws")
        );
    }

    #[test]
    fn merging_keeps_every_user_selector_and_undo_removes_only_hubfixs() {
        let user = Selectors {
            basic: vec![
                basic("All", true, &[]),
                basic(
                    "ReadOnly",
                    false,
                    &[("AWS::Lambda::Function", &["arn:aws:lambda"])],
                ),
            ],
            advanced: Vec::new(),
        };
        let added = user.selector_for(S3Access::Write, "aws").unwrap();
        let merged = user.with(&added);
        assert_eq!(merged.basic.len(), 3);
        assert_eq!(&merged.basic[..2], &user.basic[..]);
        assert!(merged.logs_s3_data_events(S3Access::Write, "aws"));
        assert!(merged.logs_management_events());
        assert_eq!(merged.without(&added), Some(user.clone()));
        assert_eq!(user.without(&added), None);

        let read = merged.selector_for(S3Access::Read, "aws-cn").unwrap();
        let AddedSelector::Basic(b) = &read else {
            panic!("basic")
        };
        assert_eq!(b.read_write_type, "ReadOnly");
        assert_eq!(b.data_resources[0].1, ["arn:aws-cn:s3"]);
    }

    #[test]
    fn advanced_trails_get_an_advanced_selector() {
        let user = Selectors {
            basic: Vec::new(),
            advanced: vec![AdvancedSelector {
                name: Some("mgmt".into()),
                fields: vec![field("eventCategory", &["Management"])],
            }],
        };
        let added = user.selector_for(S3Access::Read, "aws").unwrap();
        assert!(matches!(added, AddedSelector::Advanced(_)));
        let merged = user.with(&added);
        assert_eq!(merged.advanced[0], user.advanced[0]);
        assert!(merged.logs_s3_data_events(S3Access::Read, "aws"));
        assert!(!merged.logs_s3_data_events(S3Access::Write, "aws"));
        assert!(merged.logs_management_events());
        assert_eq!(merged.advanced_sdk().unwrap().len(), 2);
    }

    #[test]
    fn a_full_trail_is_refused_with_what_to_do() {
        let full = Selectors {
            basic: vec![basic("All", true, &[]); MAX_EVENT_SELECTORS],
            advanced: Vec::new(),
        };
        let err = full.selector_for(S3Access::Write, "aws").unwrap_err();
        assert!(err.contains("maximum of 5"), "{err}");
    }

    #[test]
    fn hubfixs_key_policy_lets_cloudtrail_encrypt_and_others_are_checked() {
        let policy = cloudtrail_key_policy("aws", ACCOUNT);
        assert!(key_policy_allows_cloudtrail(&policy));
        let text = policy.to_string();
        assert!(text.contains("arn:aws:cloudtrail:*:123456789012:trail/*"));
        assert!(text.contains("arn:aws:iam::123456789012:root"));
        let default_key_policy = json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*", "Resource": "*"}]});
        assert!(!key_policy_allows_cloudtrail(&default_key_policy));
        let denied = json!({"Statement": {"Effect": "Deny",
            "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
            "Action": "kms:GenerateDataKey*", "Resource": "*"}});
        assert!(!key_policy_allows_cloudtrail(&denied));
        let listed = json!({"Statement": {"Effect": "Allow",
            "Principal": {"Service": ["config.amazonaws.com", "cloudtrail.amazonaws.com"]},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}});
        assert!(key_policy_allows_cloudtrail(&listed));
    }

    #[test]
    fn the_bucket_policy_admits_only_the_trail_over_tls() {
        let trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/hubfix-trail";
        let policy = trail_bucket_policy("aws", ACCOUNT, "logs-bucket", trail);
        assert!(bucket_policy_allows_cloudtrail(&policy));
        let s = statements(&policy);
        assert_eq!(s.len(), 3);
        assert_eq!(
            s[1]["Resource"],
            "arn:aws:s3:::logs-bucket/AWSLogs/123456789012/*"
        );
        assert_eq!(s[1]["Condition"]["StringEquals"]["aws:SourceArn"], trail);
        assert_eq!(s[2]["Effect"], "Deny");
        assert!(!bucket_policy_allows_cloudtrail(&json!({"Statement": []})));
    }

    #[test]
    fn the_delivery_role_is_for_cloudtrail_and_the_log_group() {
        let trust = logs_role_trust_policy(ACCOUNT);
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"],
            CLOUDTRAIL_PRINCIPAL
        );
        let policy = logs_role_policy("aws", ACCOUNT, "hubfix-cloudtrail");
        assert_eq!(
            policy["Statement"][0]["Resource"],
            "arn:aws:logs:*:123456789012:log-group:hubfix-cloudtrail:log-stream:*"
        );
    }
}
