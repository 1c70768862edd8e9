//! Settings of the logging and monitoring catalogue (Config, CloudTrail, the CIS
//! CloudWatch alarms) and of SSM runbooks, read from environment variables like the
//! rest of the policy ([`crate::policy`]).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::ids::Arn;
use crate::settings::ConfigError;

/// Environment variable: the S3 bucket AWS Config delivers to (`Config.1`).
pub const ENV_CONFIG_BUCKET: &str = "HUBFIX_CONFIG_BUCKET";
/// Environment variable: the role the Config recorder uses (`Config.1`); unset: the
/// service-linked role `AWSServiceRoleForConfig`.
pub const ENV_CONFIG_ROLE_ARN: &str = "HUBFIX_CONFIG_ROLE_ARN";
/// Environment variable: the log group the CIS metric filters are put on
/// (`CloudWatch.1`-`14`, CIS 4.x); unset: the multi-region trail's log group.
pub const ENV_CIS_LOG_GROUP: &str = "HUBFIX_CIS_LOG_GROUP";
/// Environment variable: the SNS topic the CIS alarms notify; unset: the topic
/// `hubfix-cis-alarms`, created when missing.
pub const ENV_CIS_ALARM_TOPIC: &str = "HUBFIX_CIS_ALARM_TOPIC_ARN";
/// Environment variable: the KMS key CloudTrail encrypts logs with (`CloudTrail.2`);
/// unset: a key hubfix creates, whose policy lets CloudTrail use it.
pub const ENV_TRAIL_KMS_KEY: &str = "HUBFIX_TRAIL_KMS_KEY";
/// Environment variable: the role CloudTrail delivers to CloudWatch Logs with
/// (`CloudTrail.5`).
pub const ENV_TRAIL_LOGS_ROLE_ARN: &str = "HUBFIX_TRAIL_LOGS_ROLE_ARN";
/// Environment variable: the log group CloudTrail delivers to (`CloudTrail.5`).
pub const ENV_TRAIL_LOG_GROUP: &str = "HUBFIX_TRAIL_LOG_GROUP";
/// Environment variable: controls mapped to SSM Automation runbooks,
/// `S3.8=AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock(BucketName={name})`.
pub const ENV_RUNBOOKS: &str = "HUBFIX_RUNBOOKS";
/// Environment variable: the role runbooks run as (`AutomationAssumeRole`).
pub const ENV_RUNBOOK_ROLE_ARN: &str = "HUBFIX_RUNBOOK_ROLE_ARN";
/// Environment variable: how long hubfix waits for a runbook's execution, in seconds.
pub const ENV_RUNBOOK_WAIT: &str = "HUBFIX_RUNBOOK_WAIT_SECONDS";

/// Default of [`ENV_TRAIL_LOG_GROUP`].
pub const DEFAULT_TRAIL_LOG_GROUP: &str = "hubfix-cloudtrail";
/// Default of [`ENV_RUNBOOK_WAIT`].
pub const DEFAULT_RUNBOOK_WAIT_SECONDS: u64 = 60;

/// The settings of the logging and monitoring rules and of runbooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueSettings {
    /// Bucket of the Config delivery channel hubfix creates when there is none.
    pub config_bucket: Option<String>,
    /// Role of the Config recorder hubfix creates; `None`: the service-linked role.
    pub config_role_arn: Option<String>,
    /// Log group of the CIS metric filters; `None`: the multi-region trail's.
    pub cis_log_group: Option<String>,
    /// SNS topic of the CIS alarms; `None`: `hubfix-cis-alarms`, created when missing.
    pub cis_alarm_topic_arn: Option<String>,
    /// KMS key of CloudTrail log encryption; `None`: a key hubfix creates.
    pub trail_kms_key: Option<String>,
    /// Role CloudTrail uses to deliver to CloudWatch Logs.
    pub trail_logs_role_arn: Option<String>,
    /// Log group CloudTrail delivers to.
    pub trail_log_group: String,
    /// Controls mapped to SSM Automation runbooks (override the native rules).
    pub runbooks: BTreeMap<String, RunbookSpec>,
    /// The role runbooks run as, passed as `AutomationAssumeRole` when set.
    pub runbook_role_arn: Option<String>,
    /// How long hubfix waits for a runbook execution to finish.
    pub runbook_wait: Duration,
}

impl Default for CatalogueSettings {
    fn default() -> Self {
        CatalogueSettings {
            config_bucket: None,
            config_role_arn: None,
            cis_log_group: None,
            cis_alarm_topic_arn: None,
            trail_kms_key: None,
            trail_logs_role_arn: None,
            trail_log_group: DEFAULT_TRAIL_LOG_GROUP.to_owned(),
            runbooks: BTreeMap::new(),
            runbook_role_arn: None,
            runbook_wait: Duration::from_secs(DEFAULT_RUNBOOK_WAIT_SECONDS),
        }
    }
}

/// A control's runbook: the SSM Automation document and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunbookSpec {
    /// The document name (or ARN), e.g. `AWSConfigRemediation-EnableKeyRotation`.
    pub document: String,
    /// Parameter name -> template; `{resource_id}`, `{name}`, `{account}`, `{region}`,
    /// `{partition}` and `{role}` are filled from the finding.
    pub parameters: Vec<(String, String)>,
}

/// The placeholders a runbook parameter template may use.
pub const RUNBOOK_PLACEHOLDERS: &[&str] = &[
    "resource_id",
    "name",
    "account",
    "region",
    "partition",
    "role",
];

impl CatalogueSettings {
    /// Reads the settings from a lookup of non-empty values.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut s = CatalogueSettings::default();
        if let Some(v) = get(ENV_CONFIG_BUCKET) {
            s.config_bucket = Some(bucket(ENV_CONFIG_BUCKET, &v)?);
        }
        if let Some(v) = get(ENV_CONFIG_ROLE_ARN) {
            s.config_role_arn = Some(role_arn(ENV_CONFIG_ROLE_ARN, &v)?);
        }
        if let Some(v) = get(ENV_CIS_LOG_GROUP) {
            s.cis_log_group = Some(log_group(ENV_CIS_LOG_GROUP, &v)?);
        }
        if let Some(v) = get(ENV_CIS_ALARM_TOPIC) {
            let arn = v.trim();
            if Arn::parse(arn).is_none_or(|a| a.service != "sns" || a.resource.is_empty()) {
                return Err(ConfigError {
                    variable: ENV_CIS_ALARM_TOPIC,
                    reason: format!("`{arn}` is not an SNS topic ARN"),
                });
            }
            s.cis_alarm_topic_arn = Some(arn.to_owned());
        }
        if let Some(v) = get(ENV_TRAIL_KMS_KEY) {
            let key = v.trim();
            if key.contains(char::is_whitespace) || key.len() > 2048 {
                return Err(ConfigError {
                    variable: ENV_TRAIL_KMS_KEY,
                    reason: format!("`{key}` is not a KMS key id, alias or ARN"),
                });
            }
            s.trail_kms_key = Some(key.to_owned());
        }
        if let Some(v) = get(ENV_TRAIL_LOGS_ROLE_ARN) {
            s.trail_logs_role_arn = Some(role_arn(ENV_TRAIL_LOGS_ROLE_ARN, &v)?);
        }
        if let Some(v) = get(ENV_TRAIL_LOG_GROUP) {
            s.trail_log_group = log_group(ENV_TRAIL_LOG_GROUP, &v)?;
        }
        if let Some(v) = get(ENV_RUNBOOKS) {
            s.runbooks = parse_runbooks(&v)?;
        }
        if let Some(v) = get(ENV_RUNBOOK_ROLE_ARN) {
            s.runbook_role_arn = Some(role_arn(ENV_RUNBOOK_ROLE_ARN, &v)?);
        }
        if let Some(v) = get(ENV_RUNBOOK_WAIT) {
            let seconds = v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=840).contains(n))
                .ok_or_else(|| ConfigError {
                    variable: ENV_RUNBOOK_WAIT,
                    reason: format!("`{v}` must be a number of seconds from 1 to 840"),
                })?;
            s.runbook_wait = Duration::from_secs(seconds);
        }
        Ok(s)
    }
}

fn bucket(variable: &'static str, v: &str) -> Result<String, ConfigError> {
    let name = v.trim();
    crate::ids::bucket_name(name)
        .map(|_| name.to_owned())
        .map_err(|_| ConfigError {
            variable,
            reason: format!("`{name}` is not a bucket name"),
        })
}

pub(crate) fn role_arn(variable: &'static str, v: &str) -> Result<String, ConfigError> {
    let arn = v.trim();
    if Arn::parse(arn).is_none_or(|a| a.service != "iam" || !a.resource.starts_with("role/")) {
        return Err(ConfigError {
            variable,
            reason: format!("`{arn}` is not an IAM role ARN"),
        });
    }
    Ok(arn.to_owned())
}

/// A log group name (1-512 of `[A-Za-z0-9._/#-]`).
pub fn is_log_group_name(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/#".contains(&b))
}

fn log_group(variable: &'static str, v: &str) -> Result<String, ConfigError> {
    let name = v.trim();
    if !is_log_group_name(name) {
        return Err(ConfigError {
            variable,
            reason: format!("`{name}` is not a CloudWatch Logs log group name"),
        });
    }
    Ok(name.to_owned())
}

/// Parses `CONTROL=DOCUMENT` or `CONTROL=DOCUMENT(Param={placeholder},Other=literal)`
/// entries separated by `;`.
fn parse_runbooks(v: &str) -> Result<BTreeMap<String, RunbookSpec>, ConfigError> {
    let err = |reason: String| ConfigError {
        variable: ENV_RUNBOOKS,
        reason,
    };
    let mut runbooks = BTreeMap::new();
    for entry in v.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (control, rest) = entry.split_once('=').ok_or_else(|| {
            err(format!(
                "`{entry}` is not CONTROL=DOCUMENT (e.g. S3.8=AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock)"
            ))
        })?;
        let control = control.trim();
        let valid_control = (2..=40).contains(&control.len())
            && control
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            && control.contains('.');
        if !valid_control {
            return Err(err(format!("`{control}` is not a control id")));
        }
        let rest = rest.trim();
        let (document, params) = match rest.split_once('(') {
            Some((d, p)) => (
                d.trim(),
                Some(
                    p.strip_suffix(')')
                        .ok_or_else(|| err(format!("{control}: `{rest}` lacks a closing `)`")))?,
                ),
            ),
            None => (rest, None),
        };
        if !is_document_name(document) {
            return Err(err(format!(
                "{control}: `{document}` is not an SSM document name or ARN"
            )));
        }
        let mut parameters = Vec::new();
        for p in params
            .into_iter()
            .flat_map(|p| p.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (name, template) = p
                .split_once('=')
                .ok_or_else(|| err(format!("{control}: `{p}` is not Parameter=value")))?;
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(err(format!("{control}: `{name}` is not a parameter name")));
            }
            check_placeholders(template).map_err(|r| err(format!("{control}: {r}")))?;
            parameters.push((name.to_owned(), template.trim().to_owned()));
        }
        let spec = RunbookSpec {
            document: document.to_owned(),
            parameters,
        };
        if runbooks.insert(control.to_owned(), spec).is_some() {
            return Err(err(format!("`{control}` is given twice")));
        }
    }
    Ok(runbooks)
}

/// An SSM document name (`[A-Za-z0-9_.-]{3,128}`) or an SSM document ARN.
fn is_document_name(d: &str) -> bool {
    if let Some(arn) = Arn::parse(d) {
        return arn.service == "ssm" && arn.resource.starts_with("document/");
    }
    (3..=128).contains(&d.len())
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

fn check_placeholders(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{template}` has an unclosed `{{`"))?;
        let name = &after[..close];
        if !RUNBOOK_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "`{{{name}}}` is not a placeholder (known: {})",
                RUNBOOK_PLACEHOLDERS.join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<CatalogueSettings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        CatalogueSettings::from_lookup(&|k| map.get(k).cloned())
    }

    #[test]
    fn reads_runbooks_and_their_parameters() {
        let s = read(&[
            (
                ENV_RUNBOOKS,
                "S3.8=AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock(BucketName={name}, AutomationAssumeRole={role}); KMS.4=Org-RotateKey",
            ),
            (ENV_RUNBOOK_ROLE_ARN, "arn:aws:iam::123456789012:role/automation"),
            (ENV_RUNBOOK_WAIT, "30"),
        ])
        .unwrap();
        let s38 = &s.runbooks["S3.8"];
        assert_eq!(
            s38.document,
            "AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock"
        );
        assert_eq!(
            s38.parameters,
            [
                ("BucketName".to_owned(), "{name}".to_owned()),
                ("AutomationAssumeRole".to_owned(), "{role}".to_owned())
            ]
        );
        assert!(s.runbooks["KMS.4"].parameters.is_empty());
        assert_eq!(s.runbook_wait, Duration::from_secs(30));
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let cases: &[(&str, &str, &str)] = &[
            (ENV_CONFIG_BUCKET, "Bad Bucket", "is not a bucket name"),
            (ENV_CONFIG_ROLE_ARN, "arn:aws:s3:::x", "not an IAM role ARN"),
            (
                ENV_CIS_LOG_GROUP,
                "a group",
                "not a CloudWatch Logs log group",
            ),
            (ENV_CIS_ALARM_TOPIC, "topic", "not an SNS topic ARN"),
            (ENV_RUNBOOKS, "S3.8", "is not CONTROL=DOCUMENT"),
            (ENV_RUNBOOKS, "S3.8=a b", "not an SSM document name"),
            (
                ENV_RUNBOOKS,
                "S3.8=Doc(X={secret})",
                "`{secret}` is not a placeholder",
            ),
            (ENV_RUNBOOKS, "S3.8=Doc(X={name}", "lacks a closing"),
            (ENV_RUNBOOKS, "S3.8=Doc;S3.8=Other", "given twice"),
            (ENV_RUNBOOKS, "rm -rf=Doc", "not a control id"),
            (ENV_RUNBOOK_WAIT, "0", "from 1 to 840"),
        ];
        for (var, value, expected) in cases {
            let err = read(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(expected), "{var}={value}: {err}");
        }
    }
}
