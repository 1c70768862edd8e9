//! What hubfix may do: dry-run, per-control modes, account scope, exemption tag,
//! concurrency. Read from environment variables (the SAM template's parameters become
//! the functions' environment), with a clear error for every bad value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::registry;
use crate::remediate::Rule;
pub use crate::settings::catalogue::CatalogueSettings;
use crate::settings::{ConfigError, FixSettings, MemberRole, SecurityContact};
use crate::trust::TrustSettings;

/// Default tag key that exempts a resource from hubfix.
pub const DEFAULT_EXEMPTION_TAG: &str = "hubfix:exempt";
/// Default number of findings of one event processed at once.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// Largest accepted concurrency.
pub const MAX_CONCURRENCY: usize = 64;

/// Environment variable: `true` makes hubfix plan and note, never change.
pub const ENV_DRY_RUN: &str = "HUBFIX_DRY_RUN";
/// Environment variable: per-control modes, `S3.8=auto,EC2.19=approval,S3.1=off`.
pub const ENV_MODES: &str = "HUBFIX_MODES";
/// Environment variable: the mode of controls not named in `HUBFIX_MODES`
/// (unset: non-disruptive rules auto, disruptive ones approval).
pub const ENV_DEFAULT_MODE: &str = "HUBFIX_DEFAULT_MODE";
/// Environment variable: comma-separated account ids hubfix may act in (unset: all).
pub const ENV_ACCOUNTS_ALLOW: &str = "HUBFIX_ACCOUNTS_ALLOW";
/// Environment variable: comma-separated account ids hubfix never acts in.
pub const ENV_ACCOUNTS_DENY: &str = "HUBFIX_ACCOUNTS_DENY";
/// Environment variable: the exemption tag key.
pub const ENV_EXEMPTION_TAG: &str = "HUBFIX_EXEMPTION_TAG";
/// Environment variable: findings processed at once per event.
pub const ENV_CONCURRENCY: &str = "HUBFIX_CONCURRENCY";
/// Environment variable: the bucket S3 server access logs go to (`S3.9`).
pub const ENV_S3_ACCESS_LOG_BUCKET: &str = "HUBFIX_S3_ACCESS_LOG_BUCKET";
/// Environment variable: the KMS key for S3 default encryption (`S3.4`, `S3.17`).
pub const ENV_S3_KMS_KEY: &str = "HUBFIX_S3_KMS_KEY";
/// Environment variable: days after which noncurrent object versions expire (`S3.13`).
pub const ENV_S3_NONCURRENT_DAYS: &str = "HUBFIX_S3_NONCURRENT_VERSION_DAYS";
/// Environment variable: days after which incomplete multipart uploads are aborted (`S3.13`).
pub const ENV_S3_ABORT_MULTIPART_DAYS: &str = "HUBFIX_S3_ABORT_MULTIPART_DAYS";
/// Environment variable: the SNS topic, SQS queue or Lambda function ARN `S3.11` sends
/// bucket events to; unset: `S3.11` findings are noted as needing it.
pub const ENV_S3_EVENT_DESTINATION: &str = "HUBFIX_S3_EVENT_DESTINATION";
/// Environment variable: the S3 event types `S3.11` notifies of, comma-separated.
pub const ENV_S3_EVENT_TYPES: &str = "HUBFIX_S3_EVENT_TYPES";
/// Environment variable: how many times its current capacity `DynamoDB.1` lets a
/// capacity grow to (2 to 100).
pub const ENV_DYNAMODB_MAX_CAPACITY_FACTOR: &str = "HUBFIX_DYNAMODB_MAX_CAPACITY_FACTOR";
/// Environment variable: the utilization, in percent, `DynamoDB.1`'s policies track
/// (20 to 90).
pub const ENV_DYNAMODB_TARGET_UTILIZATION: &str = "HUBFIX_DYNAMODB_TARGET_UTILIZATION";
/// Environment variable: days `ElastiCache.1` keeps automatic backups at least (1 to 35).
pub const ENV_ELASTICACHE_SNAPSHOT_RETENTION_DAYS: &str =
    "HUBFIX_ELASTICACHE_SNAPSHOT_RETENTION_DAYS";
/// Environment variable: days `Redshift.3` keeps automated snapshots at least (7 to 35).
pub const ENV_REDSHIFT_SNAPSHOT_RETENTION_DAYS: &str = "HUBFIX_REDSHIFT_SNAPSHOT_RETENTION_DAYS";
/// Environment variable: where `Redshift.4` sends audit logs, `cloudwatch` (the default)
/// or `s3://bucket/prefix`.
pub const ENV_REDSHIFT_LOG_DESTINATION: &str = "HUBFIX_REDSHIFT_LOG_DESTINATION";
/// Environment variable: the object `CloudFront.1` makes a distribution's default root
/// object (`index.html` unless set).
pub const ENV_CLOUDFRONT_DEFAULT_ROOT_OBJECT: &str = "HUBFIX_CLOUDFRONT_DEFAULT_ROOT_OBJECT";
/// Environment variable: the SNS topic `CloudFormation.1` has stacks notify, an ARN or a
/// name created in each stack's account and Region (`hubfix-stack-notifications` unless
/// set).
pub const ENV_CLOUDFORMATION_NOTIFICATION_TOPIC: &str = "HUBFIX_CLOUDFORMATION_NOTIFICATION_TOPIC";

/// Environment variable: where VPC flow logs go (`EC2.6`): an S3 bucket ARN or a
/// CloudWatch Logs log group ARN.
pub const ENV_FLOW_LOG_DESTINATION: &str = "HUBFIX_FLOW_LOG_DESTINATION";
/// Environment variable: the role VPC flow logs use to write to CloudWatch Logs.
pub const ENV_FLOW_LOG_ROLE: &str = "HUBFIX_FLOW_LOG_ROLE_ARN";
/// Environment variable: the role hubfix assumes in member accounts
/// (`templates/member-role.yaml`); unset: findings of other accounts are refused.
pub const ENV_MEMBER_ROLE: &str = "HUBFIX_MEMBER_ROLE_NAME";
/// Environment variable: hubfix's own account id (the template sets it to the stack's
/// account): the functions then need not ask STS who they are on a cold start.
pub const ENV_HOME_ACCOUNT: &str = "HUBFIX_HOME_ACCOUNT";
/// Environment variable: the external id hubfix passes when it assumes the member role.
pub const ENV_MEMBER_EXTERNAL_ID: &str = "HUBFIX_MEMBER_ROLE_EXTERNAL_ID";
/// Environment variable: the S3 bucket of the audit trail (before-states for undo);
/// unset: decisions are only logged, and fixes cannot be undone with `hubfix undo`.
pub const ENV_AUDIT_BUCKET: &str = "HUBFIX_AUDIT_BUCKET";
/// Environment variable: the key prefix of the audit trail in its bucket.
pub const ENV_AUDIT_PREFIX: &str = "HUBFIX_AUDIT_PREFIX";
/// Environment variable: most fixes one invocation applies; the rest are refused with a
/// note (blast radius).
pub const ENV_MAX_FIXES_PER_INVOCATION: &str = "HUBFIX_MAX_FIXES_PER_INVOCATION";
/// Environment variable: most fixes of one control in any hour (blast radius).
pub const ENV_MAX_FIXES_PER_CONTROL_HOUR: &str = "HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR";
/// Environment variable: seconds of an invocation kept back for recording outcomes; no
/// new fix starts once less time than this remains.
pub const ENV_TIME_RESERVE: &str = "HUBFIX_TIME_RESERVE_SECONDS";
/// Environment variable: the action target ARNs custom actions must come from
/// (comma-separated; the template sets its own three). Unset: any action target.
pub const ENV_ACTION_TARGETS: &str = "HUBFIX_ACTION_TARGETS";
/// Default of [`ENV_MAX_FIXES_PER_INVOCATION`].
pub const DEFAULT_MAX_FIXES_PER_INVOCATION: usize = 300;
/// Default of [`ENV_MAX_FIXES_PER_CONTROL_HOUR`].
pub const DEFAULT_MAX_FIXES_PER_CONTROL_HOUR: usize = 200;
/// Default of [`ENV_TIME_RESERVE`].
pub const DEFAULT_TIME_RESERVE_SECONDS: u64 = 10;
/// Environment variable: TCP ports that may stay open to the world (`EC2.18`).
pub const ENV_PUBLIC_PORTS: &str = "HUBFIX_EC2_PUBLIC_PORTS";
/// Environment variable: minimum password length of the account password policy.
pub const ENV_PASSWORD_MIN_LENGTH: &str = "HUBFIX_PASSWORD_MIN_LENGTH";
/// Environment variable: days after which passwords expire.
pub const ENV_PASSWORD_MAX_AGE: &str = "HUBFIX_PASSWORD_MAX_AGE_DAYS";
/// Environment variable: previous passwords that cannot be reused.
pub const ENV_PASSWORD_REUSE: &str = "HUBFIX_PASSWORD_REUSE_PREVENTION";
/// Environment variable: the customer managed KMS key SNS topics are encrypted with
/// (`SNS.1`); unset: `SNS.1` findings are noted as needing it.
pub const ENV_SNS_KMS_KEY: &str = "HUBFIX_SNS_KMS_KEY";
/// Environment variable: the role SNS delivers status logs to CloudWatch Logs with
/// (`SNS.2`); unset: `SNS.2` findings are noted as needing it.
pub const ENV_SNS_DELIVERY_LOG_ROLE_ARN: &str = "HUBFIX_SNS_DELIVERY_LOG_ROLE_ARN";
/// Environment variable: percentage of successful deliveries `SNS.2` logs.
pub const ENV_SNS_SUCCESS_SAMPLE_RATE: &str = "HUBFIX_SNS_SUCCESS_SAMPLE_RATE";
/// Environment variable: the KMS key `RDS.4` encrypts snapshot copies with; unset: the
/// AWS managed key `aws/rds`.
pub const ENV_RDS_SNAPSHOT_KMS_KEY: &str = "HUBFIX_RDS_SNAPSHOT_KMS_KEY";
/// Environment variable: days a secret may go unrotated before `SecretsManager.4`
/// rotates it (the control's `maxDaysSinceRotation` parameter).
pub const ENV_SECRETS_MAX_DAYS_SINCE_ROTATION: &str = "HUBFIX_SECRETS_MAX_DAYS_SINCE_ROTATION";
/// Environment variable: the tags the tagging controls add, `key=value` pairs separated
/// by commas (`owner=platform,cost-center=unassigned`).
pub const ENV_REQUIRED_TAGS: &str = "HUBFIX_REQUIRED_TAGS";
/// Environment variable: the name of the security contact `Account.1` sets; with
/// [`ENV_SECURITY_CONTACT_EMAIL`] and [`ENV_SECURITY_CONTACT_PHONE`], all three or none.
pub const ENV_SECURITY_CONTACT_NAME: &str = "HUBFIX_SECURITY_CONTACT_NAME";
/// Environment variable: the e-mail address of the security contact (`Account.1`).
pub const ENV_SECURITY_CONTACT_EMAIL: &str = "HUBFIX_SECURITY_CONTACT_EMAIL";
/// Environment variable: the phone number of the security contact (`Account.1`).
pub const ENV_SECURITY_CONTACT_PHONE: &str = "HUBFIX_SECURITY_CONTACT_PHONE";
/// Environment variable: the title of the security contact (`Account.1`); `Security`
/// when unset.
pub const ENV_SECURITY_CONTACT_TITLE: &str = "HUBFIX_SECURITY_CONTACT_TITLE";
/// Environment variable: the KMS key SQS queues are encrypted with (`SQS.1`); unset:
/// SQS-managed encryption (SSE-SQS).
pub const ENV_SQS_KMS_KEY: &str = "HUBFIX_SQS_KMS_KEY";
/// Environment variable: the Lambda function that rotates secrets (`SecretsManager.1`)
/// whose own rotation function is not set; unset: such findings are noted as needing it.
pub const ENV_SECRETS_ROTATION_LAMBDA: &str = "HUBFIX_SECRETS_ROTATION_LAMBDA_ARN";
/// Environment variable: the role RDS Enhanced Monitoring assumes (`RDS.6`); unset:
/// `hubfix-rds-monitoring`, created when missing.
pub const ENV_RDS_MONITORING_ROLE_ARN: &str = "HUBFIX_RDS_MONITORING_ROLE_ARN";
/// Environment variable: seconds between Enhanced Monitoring samples (`RDS.6`).
pub const ENV_RDS_MONITORING_INTERVAL: &str = "HUBFIX_RDS_MONITORING_INTERVAL";
/// Environment variable: the instance profile (name or ARN) `SSM.1` associates with an
/// instance that has none; unset: such findings are noted as needing it.
pub const ENV_SSM_INSTANCE_PROFILE: &str = "HUBFIX_SSM_INSTANCE_PROFILE";
/// Environment variable: days without a read after which `SecretsManager.3` schedules
/// a secret's deletion (the control's `unusedForDays` parameter).
pub const ENV_SECRETS_UNUSED_DAYS: &str = "HUBFIX_SECRETS_UNUSED_DAYS";
/// Environment variable: days between automatic rotations hubfix schedules
/// (`SecretsManager.1`).
pub const ENV_SECRETS_ROTATION_DAYS: &str = "HUBFIX_SECRETS_ROTATION_DAYS";
/// Environment variable: Security Hub finding updates (`BatchUpdateFindings` calls) a
/// second the whole stack may make; Security Hub allows 10 (burst 30) per account and
/// region, shared with everything else that writes to the hub.
pub const ENV_FINDING_UPDATES_PER_SECOND: &str = "HUBFIX_FINDING_UPDATES_PER_SECOND";
/// Environment variable: how many function instances may write at once (the template
/// sets the automatic path's maximum concurrency plus the custom-action function's
/// reserved concurrency); each takes an equal share of the updates a second.
pub const ENV_CONCURRENT_WRITERS: &str = "HUBFIX_CONCURRENT_WRITERS";
/// Environment variable: most fixes one process runs at once in one account and region.
pub const ENV_ACCOUNT_CONCURRENCY: &str = "HUBFIX_ACCOUNT_CONCURRENCY";
/// Default of [`ENV_FINDING_UPDATES_PER_SECOND`]: 8 of Security Hub's 10, leaving room
/// for the analysts and integrations that write to the same hub.
pub const DEFAULT_FINDING_UPDATES_PER_SECOND: f64 = 8.0;
/// Default of [`ENV_ACCOUNT_CONCURRENCY`].
pub const DEFAULT_ACCOUNT_CONCURRENCY: usize = 8;
/// Environment variable: the automated backup retention, in days, `RDS.11` sets.
pub const ENV_RDS_BACKUP_RETENTION_DAYS: &str = "HUBFIX_RDS_BACKUP_RETENTION_DAYS";
/// Days `CloudWatch.16` keeps log groups at least (one of CloudWatch Logs' periods).
pub const ENV_LOG_GROUP_RETENTION_DAYS: &str = "HUBFIX_LOG_GROUP_RETENTION_DAYS";

/// When a rule may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// On every imported FAILED finding, and on request.
    Auto,
    /// Only when an analyst asks, through the `Remediate` custom action.
    Approval,
    /// Never.
    Off,
}

impl Mode {
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::Approval => "approval",
            Mode::Off => "off",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "automatic" => Ok(Mode::Auto),
            "approval" | "approval-only" | "manual" => Ok(Mode::Approval),
            "off" | "disabled" => Ok(Mode::Off),
            other => Err(format!(
                "`{other}` is not a mode (expected auto, approval or off)"
            )),
        }
    }
}

/// Why the policy does not let a rule run on a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The control's mode is off.
    ModeOff,
    /// The control is approval-only and the finding came from the automatic stream.
    ApprovalRequired,
    /// The account is outside the allow list or on the deny list.
    AccountOutOfScope(String),
    /// The finding names no account.
    NoAccount,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::ModeOff => f.write_str("the control's mode is off"),
            Refusal::ApprovalRequired => f.write_str(
                "the control is approval-only; run the Remediate custom action to fix it",
            ),
            Refusal::AccountOutOfScope(account) => {
                write!(f, "account {account} is outside hubfix's account scope")
            }
            Refusal::NoAccount => f.write_str("the finding names no AwsAccountId"),
        }
    }
}

/// hubfix's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Plan and note, never change.
    pub dry_run: bool,
    /// Explicit per-control modes.
    pub modes: BTreeMap<String, Mode>,
    /// Mode of controls not named in `modes`; `None` means the rule's safe default.
    pub default_mode: Option<Mode>,
    /// Accounts hubfix may act in; `None` means all.
    pub accounts_allow: Option<BTreeSet<String>>,
    /// Accounts hubfix never acts in.
    pub accounts_deny: BTreeSet<String>,
    /// Tag key that exempts a resource.
    pub exemption_tag: String,
    /// Findings of one event processed at once.
    pub concurrency: usize,
    /// Settings of individual fixes.
    pub settings: FixSettings,
    /// The role hubfix assumes in member accounts, if any.
    pub member_role: Option<MemberRole>,
    /// hubfix's own account id, when the deployment states it (else STS is asked once).
    pub home_account: Option<String>,
    /// The audit trail's bucket and key prefix, if any.
    pub audit: Option<AuditLocation>,
    /// Limits on how much hubfix changes at once.
    pub limits: Limits,
    /// The action targets custom actions must come from; `None`: any.
    pub action_targets: Option<BTreeSet<String>>,
    /// How fast hubfix writes to Security Hub and works in one account.
    pub pacing: Pacing,
    /// Which findings' products hubfix acts on, besides Security Hub's own.
    pub trust: TrustSettings,
    /// The least severity and confidence at which threat playbooks run automatically.
    pub threat: crate::threat::Thresholds,
}

/// How fast hubfix writes to Security Hub, and how much it does at once in one member
/// account and region ([`crate::pacing`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// `BatchUpdateFindings` calls a second for the whole stack.
    pub finding_updates_per_second: f64,
    /// Function instances that may write at once; each gets an equal share.
    pub concurrent_writers: u32,
    /// Most fixes at once in one account and region, per process.
    pub account_concurrency: usize,
}

// The rate is validated finite and positive when read, so equality is total.
impl Eq for Pacing {}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            finding_updates_per_second: DEFAULT_FINDING_UPDATES_PER_SECOND,
            concurrent_writers: 1,
            account_concurrency: DEFAULT_ACCOUNT_CONCURRENCY,
        }
    }
}

impl Pacing {
    /// Reads the pacing settings; unset ones keep their defaults.
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut pacing = Pacing::default();
        if let Some(v) = get(ENV_FINDING_UPDATES_PER_SECOND) {
            pacing.finding_updates_per_second = v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && (0.1..=1000.0).contains(r))
                .ok_or_else(|| {
                    ConfigError::new(
                        ENV_FINDING_UPDATES_PER_SECOND,
                        format!("`{v}` must be a number from 0.1 to 1000 (Security Hub allows 10 a second unless your quota was raised)"),
                    )
                })?;
        }
        if let Some(v) = get(ENV_CONCURRENT_WRITERS) {
            pacing.concurrent_writers =
                in_range::<u32>(ENV_CONCURRENT_WRITERS, &v, 1..=1000, || {
                    format!("`{v}` must be a whole number from 1 to 1000")
                })?;
        }
        if let Some(v) = get(ENV_ACCOUNT_CONCURRENCY) {
            pacing.account_concurrency =
                in_range::<usize>(ENV_ACCOUNT_CONCURRENCY, &v, 1..=MAX_CONCURRENCY, || {
                    format!("`{v}` must be a whole number from 1 to {MAX_CONCURRENCY}")
                })?;
        }
        Ok(pacing)
    }

    /// This process's share of the stack's write budget.
    pub fn write_budget(&self) -> crate::pacing::TokenBucket {
        crate::pacing::TokenBucket::share(self.finding_updates_per_second, self.concurrent_writers)
    }
}

/// Blast-radius limits and the time kept back at the end of an invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most fixes applied per invocation (per event).
    pub fixes_per_invocation: usize,
    /// Most fixes of one control in any hour (counted in the audit trail when there is
    /// one, else in this process).
    pub fixes_per_control_hour: usize,
    /// No new fix starts once less than this remains of the invocation.
    pub time_reserve: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fixes_per_invocation: DEFAULT_MAX_FIXES_PER_INVOCATION,
            fixes_per_control_hour: DEFAULT_MAX_FIXES_PER_CONTROL_HOUR,
            time_reserve: std::time::Duration::from_secs(DEFAULT_TIME_RESERVE_SECONDS),
        }
    }
}

/// Where the audit trail is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLocation {
    /// The S3 bucket (in hubfix's own account).
    pub bucket: String,
    /// The key prefix, ending in `/`.
    pub prefix: String,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            dry_run: false,
            modes: BTreeMap::new(),
            default_mode: None,
            accounts_allow: None,
            accounts_deny: BTreeSet::new(),
            exemption_tag: DEFAULT_EXEMPTION_TAG.to_owned(),
            concurrency: DEFAULT_CONCURRENCY,
            settings: FixSettings::default(),
            member_role: None,
            home_account: None,
            audit: None,
            limits: Limits::default(),
            action_targets: None,
            pacing: Pacing::default(),
            trust: TrustSettings::default(),
            threat: crate::threat::Thresholds::default(),
        }
    }
}

impl Policy {
    /// Reads the policy from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the policy from any key/value source (tests use a map), section by section.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut policy = Policy {
            settings: read_fix_settings(&get)?,
            pacing: Pacing::from_lookup(&get)?,
            trust: TrustSettings::from_lookup(get)?,
            audit: read_audit(&get)?,
            member_role: read_member_role(&get)?,
            home_account: read_home_account(&get)?,
            limits: read_limits(&get)?,
            threat: crate::threat::Thresholds::from_lookup(&get)?,
            ..Policy::default()
        };
        read_modes(&get, &mut policy)?;
        read_scope(&get, &mut policy)?;
        Ok(policy)
    }

    /// The rule that fixes a control under this policy: its configured SSM runbook
    /// (which overrides the native rule), else the registry's rule.
    pub fn rule(&self, control_id: &str) -> Option<&'static Rule> {
        crate::registry::runbook_rule(control_id, &self.settings.catalogue)
            .or_else(|| registry::rule(control_id))
    }

    /// Every rule in force: the registry's, each replaced by its runbook when one is
    /// configured, then the runbooks of controls hubfix has no rule for.
    pub fn rules(&self) -> Vec<&'static Rule> {
        let mut rules: Vec<&'static Rule> = registry::rules()
            .iter()
            .map(|r| self.rule(r.control_id).unwrap_or(r))
            .collect();
        rules.extend(
            self.settings
                .catalogue
                .runbooks
                .keys()
                .filter(|c| registry::rule(c).is_none())
                .filter_map(|c| self.rule(c)),
        );
        rules
    }

    /// The mode in force for a rule. The default mode is for controls: a threat
    /// playbook not named in the modes keeps its own default.
    pub fn mode(&self, rule: &Rule) -> Mode {
        let default_mode = if registry::playbook(rule.control_id).is_some() {
            None
        } else {
            self.default_mode
        };
        let mode = self.modes.get(rule.control_id).copied().unwrap_or_else(|| {
            default_mode.unwrap_or(if rule.disruptive() {
                Mode::Approval
            } else {
                Mode::Auto
            })
        });
        if mode == Mode::Auto && rule.never_automatic() {
            Mode::Approval
        } else {
            mode
        }
    }

    /// Whether hubfix may act in an account.
    pub fn account_in_scope(&self, account: &str) -> bool {
        !self.accounts_deny.contains(account)
            && self
                .accounts_allow
                .as_ref()
                .is_none_or(|allow| allow.contains(account))
    }

    /// Whether a rule may run on a finding of `account`; `approved` is true when an
    /// analyst asked for it (the `Remediate` custom action).
    pub fn permit(
        &self,
        rule: &Rule,
        account: Option<&str>,
        approved: bool,
    ) -> Result<(), Refusal> {
        let account = account.ok_or(Refusal::NoAccount)?;
        if !self.account_in_scope(account) {
            return Err(Refusal::AccountOutOfScope(account.to_owned()));
        }
        match (self.mode(rule), approved) {
            (Mode::Off, _) => Err(Refusal::ModeOff),
            (Mode::Approval, false) => Err(Refusal::ApprovalRequired),
            _ => Ok(()),
        }
    }

    /// Whether a resource's tags exempt it.
    pub fn is_exempt<'a>(&self, mut tags: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
        tags.any(|(k, v)| k == self.exemption_tag && !v.trim().eq_ignore_ascii_case("false"))
    }
}

/// What hubfix may do: dry-run, the modes of controls and the default mode; a control
/// that deletes resources is never automatic.
fn read_modes(
    get: &impl Fn(&str) -> Option<String>,
    policy: &mut Policy,
) -> Result<(), ConfigError> {
    if let Some(v) = get(ENV_DRY_RUN) {
        policy.dry_run = parse_bool(&v).map_err(|r| ConfigError::new(ENV_DRY_RUN, r))?;
    }
    if let Some(v) = get(ENV_MODES) {
        policy.modes = parse_modes(&v, &policy.settings.catalogue)?;
    }
    if let Some(v) = get(ENV_DEFAULT_MODE) {
        policy.default_mode = Some(
            v.parse()
                .map_err(|r| ConfigError::new(ENV_DEFAULT_MODE, r))?,
        );
    }
    for (control, mode) in &policy.modes {
        if *mode == Mode::Auto && registry::rule(control).is_some_and(Rule::never_automatic) {
            return Err(ConfigError::new(
                ENV_MODES,
                format!("{control} is never automatic (it deletes resources); use approval or off"),
            ));
        }
    }
    Ok(())
}

/// Where hubfix acts: the accounts allowed and denied, the exemption tag, the custom
/// action targets, and how many findings it works on at once.
fn read_scope(
    get: &impl Fn(&str) -> Option<String>,
    policy: &mut Policy,
) -> Result<(), ConfigError> {
    if let Some(v) = get(ENV_ACCOUNTS_ALLOW) {
        policy.accounts_allow = Some(parse_accounts(ENV_ACCOUNTS_ALLOW, &v)?);
    }
    if let Some(v) = get(ENV_ACCOUNTS_DENY) {
        policy.accounts_deny = parse_accounts(ENV_ACCOUNTS_DENY, &v)?;
    }
    if let Some(v) = get(ENV_EXEMPTION_TAG) {
        let key = v.trim();
        if key.len() > 128 || key.starts_with("aws:") {
            return Err(ConfigError::new(
                ENV_EXEMPTION_TAG,
                format!("`{key}` is not a usable tag key (at most 128 characters, not starting with aws:)"),
            ));
        }
        policy.exemption_tag = key.to_owned();
    }
    if let Some(v) = get(ENV_CONCURRENCY) {
        policy.concurrency = in_range::<usize>(ENV_CONCURRENCY, &v, 1..=MAX_CONCURRENCY, || {
            format!("`{v}` is not a whole number from 1 to {MAX_CONCURRENCY}")
        })?;
    }
    if let Some(v) = get(ENV_ACTION_TARGETS) {
        let targets: BTreeSet<String> = v
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(bad) = targets.iter().find(|t| {
            crate::ids::Arn::parse(t).is_none_or(|a| {
                a.service != "securityhub" || !a.resource.starts_with("action/custom/")
            })
        }) {
            return Err(ConfigError::new(
                ENV_ACTION_TARGETS,
                format!("`{bad}` is not a Security Hub action target ARN"),
            ));
        }
        policy.action_targets = Some(targets);
    }
    Ok(())
}

/// The settings of individual fixes: S3, flow logs and ports, the password policy, the
/// The settings of the S3 bucket rules.
fn read_s3_settings(
    get: &impl Fn(&str) -> Option<String>,
    settings: &mut FixSettings,
) -> Result<(), ConfigError> {
    if let Some(v) = get(ENV_S3_ACCESS_LOG_BUCKET) {
        let bucket = v.trim();
        crate::ids::bucket_name(bucket).map_err(|_| {
            ConfigError::new(
                ENV_S3_ACCESS_LOG_BUCKET,
                format!("`{bucket}` is not a bucket name"),
            )
        })?;
        settings.s3_access_log_bucket = Some(bucket.to_owned());
    }
    if let Some(v) = get(ENV_S3_KMS_KEY) {
        let key = v.trim();
        if key.contains(char::is_whitespace) || key.len() > 2048 {
            return Err(ConfigError::new(
                ENV_S3_KMS_KEY,
                format!("`{key}` is not a KMS key id, alias or ARN"),
            ));
        }
        settings.s3_kms_key = Some(key.to_owned());
    }
    if let Some(v) = get(ENV_S3_NONCURRENT_DAYS) {
        settings.s3_noncurrent_version_days = parse_days(ENV_S3_NONCURRENT_DAYS, &v)?;
    }
    if let Some(v) = get(ENV_S3_ABORT_MULTIPART_DAYS) {
        settings.s3_abort_multipart_days = parse_days(ENV_S3_ABORT_MULTIPART_DAYS, &v)?;
    }
    if let Some(v) = get(ENV_S3_EVENT_DESTINATION).filter(|v| !v.trim().is_empty()) {
        let arn = v.trim();
        if crate::remediate::s3::Destination::of(arn).is_none() {
            return Err(ConfigError::new(
                ENV_S3_EVENT_DESTINATION,
                format!("`{arn}` is not an SNS topic, SQS queue or Lambda function ARN"),
            ));
        }
        settings.s3_event_destination = Some(arn.to_owned());
    }
    if let Some(v) = get(ENV_S3_EVENT_TYPES) {
        let types: Vec<String> = v
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let valid = |t: &String| {
            t.starts_with("s3:")
                && t.len() <= 64
                && t[3..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ":*".contains(c))
        };
        if types.is_empty() || !types.iter().all(valid) {
            return Err(ConfigError::new(
                ENV_S3_EVENT_TYPES,
                format!("`{v}` is not a list of S3 event types (s3:ObjectRemoved:*, s3:ObjectCreated:Put, ...)"),
            ));
        }
        settings.s3_event_types = types;
    }
    Ok(())
}

/// data services and the catalogue.
fn read_fix_settings(get: &impl Fn(&str) -> Option<String>) -> Result<FixSettings, ConfigError> {
    let mut settings = FixSettings {
        catalogue: CatalogueSettings::from_lookup(get)?,
        ..FixSettings::default()
    };
    read_s3_settings(get, &mut settings)?;
    if let Some(v) = get(ENV_FLOW_LOG_DESTINATION) {
        let arn = v.trim();
        let usable = crate::ids::Arn::parse(arn).is_some_and(|a| {
            a.service == "s3" || (a.service == "logs" && a.resource.starts_with("log-group:"))
        });
        if !usable {
            return Err(ConfigError::new(
                ENV_FLOW_LOG_DESTINATION,
                format!("`{arn}` is not an S3 bucket ARN or a CloudWatch Logs log group ARN"),
            ));
        }
        settings.flow_log_destination = Some(arn.to_owned());
    }
    if let Some(v) = get(ENV_FLOW_LOG_ROLE) {
        let arn = v.trim();
        if crate::ids::Arn::parse(arn).is_none_or(|a| a.service != "iam") {
            return Err(ConfigError::new(
                ENV_FLOW_LOG_ROLE,
                format!("`{arn}` is not an IAM role ARN"),
            ));
        }
        settings.flow_log_role_arn = Some(arn.to_owned());
    }
    if let Some(v) = get(ENV_PUBLIC_PORTS) {
        settings.public_ports = v
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<u16>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ConfigError::new(ENV_PUBLIC_PORTS, format!("`{p}` is not a port number"))
                })
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = get(ENV_PASSWORD_MIN_LENGTH) {
        settings.password.min_length = parse_ranged(
            ENV_PASSWORD_MIN_LENGTH,
            &v,
            14..=128,
            "IAM.15 needs at least 14",
        )?;
    }
    if let Some(v) = get(ENV_PASSWORD_MAX_AGE) {
        settings.password.max_age_days =
            parse_ranged(ENV_PASSWORD_MAX_AGE, &v, 1..=90, "IAM.17 needs at most 90")?;
    }
    if let Some(v) = get(ENV_PASSWORD_REUSE) {
        settings.password.reuse_prevention =
            parse_ranged(ENV_PASSWORD_REUSE, &v, 1..=24, "the API's range")?;
    }
    read_data_service_settings(get, &mut settings)?;
    settings.security_contact = read_security_contact(get)?;
    Ok(settings)
}

/// The security contact `Account.1` sets: name, e-mail and phone all set, or none.
fn read_security_contact(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<SecurityContact>, ConfigError> {
    let value = |var: &str| {
        get(var)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let parts = [
        ENV_SECURITY_CONTACT_NAME,
        ENV_SECURITY_CONTACT_EMAIL,
        ENV_SECURITY_CONTACT_PHONE,
    ]
    .map(|var| (var, value(var)));
    if parts.iter().all(|(_, v)| v.is_none()) {
        return Ok(None);
    }
    if let Some((missing, _)) = parts.iter().find(|(_, v)| v.is_none()) {
        return Err(ConfigError::new(
            missing,
            "the security contact (Account.1) needs a name, an e-mail address and a phone number: set HUBFIX_SECURITY_CONTACT_NAME, HUBFIX_SECURITY_CONTACT_EMAIL and HUBFIX_SECURITY_CONTACT_PHONE together".to_owned(),
        ));
    }
    let [(_, Some(name)), (_, Some(email)), (_, Some(phone))] = parts else {
        unreachable!("every part is set");
    };
    let title = value(ENV_SECURITY_CONTACT_TITLE).unwrap_or_else(|| "Security".to_owned());
    let checks: [(&'static str, &str, bool, &str); 4] = [
        (
            ENV_SECURITY_CONTACT_NAME,
            &name,
            (1..=64).contains(&name.chars().count()),
            "must be 1 to 64 characters",
        ),
        (
            ENV_SECURITY_CONTACT_TITLE,
            &title,
            (1..=50).contains(&title.chars().count()),
            "must be 1 to 50 characters",
        ),
        (
            ENV_SECURITY_CONTACT_EMAIL,
            &email,
            is_email(&email),
            "is not an e-mail address",
        ),
        (
            ENV_SECURITY_CONTACT_PHONE,
            &phone,
            phone.len() <= 25
                && phone.bytes().any(|b| b.is_ascii_digit())
                && phone
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b" ()+-".contains(&b)),
            "is not a phone number (digits, spaces, +, - and parentheses, at most 25)",
        ),
    ];
    for (var, v, ok, why) in checks {
        if !ok {
            return Err(ConfigError::new(var, format!("`{v}` {why}")));
        }
    }
    Ok(Some(SecurityContact {
        name,
        title,
        email,
        phone,
    }))
}

/// Whether `s` has the shape of an e-mail address: one `@` between a local part and a
/// dotted domain, no spaces, at most 254 characters.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
}

/// Where the audit trail is kept, if anywhere.
fn read_audit(get: &impl Fn(&str) -> Option<String>) -> Result<Option<AuditLocation>, ConfigError> {
    if let Some(v) = get(ENV_AUDIT_BUCKET) {
        let bucket = v.trim();
        crate::ids::bucket_name(bucket).map_err(|_| {
            ConfigError::new(ENV_AUDIT_BUCKET, format!("`{bucket}` is not a bucket name"))
        })?;
        let mut prefix = get(ENV_AUDIT_PREFIX)
            .map(|p| p.trim().trim_start_matches('/').to_owned())
            .unwrap_or_else(|| crate::audit::DEFAULT_PREFIX.to_owned());
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        return Ok(Some(AuditLocation {
            bucket: bucket.to_owned(),
            prefix,
        }));
    }
    Ok(None)
}

/// The role assumed in member accounts, with its external id.
fn read_member_role(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<MemberRole>, ConfigError> {
    if let Some(v) = get(ENV_MEMBER_ROLE) {
        let name = v.trim();
        if !crate::ids::is_iam_name(name, 64) {
            return Err(ConfigError::new(
                ENV_MEMBER_ROLE,
                format!("`{name}` is not an IAM role name"),
            ));
        }
        let external_id = get(ENV_MEMBER_EXTERNAL_ID).map(|e| e.trim().to_owned());
        if external_id
            .as_ref()
            .is_some_and(|e| e.len() < 2 || e.len() > 1224)
        {
            return Err(ConfigError::new(
                ENV_MEMBER_EXTERNAL_ID,
                "must be 2 to 1224 characters",
            ));
        }
        return Ok(Some(MemberRole {
            name: name.to_owned(),
            external_id,
        }));
    }
    Ok(None)
}

/// hubfix's own account id, when the deployment states it.
fn read_home_account(get: &impl Fn(&str) -> Option<String>) -> Result<Option<String>, ConfigError> {
    if let Some(v) = get(ENV_HOME_ACCOUNT) {
        let account = v.trim();
        if !crate::ids::is_account_id(account) {
            return Err(ConfigError::new(
                ENV_HOME_ACCOUNT,
                format!("`{account}` is not a 12-digit account id"),
            ));
        }
        return Ok(Some(account.to_owned()));
    }
    Ok(None)
}

/// How much hubfix changes at once: fixes per invocation and per control and hour,
/// and the time kept in reserve before the deadline.
fn read_limits(get: &impl Fn(&str) -> Option<String>) -> Result<Limits, ConfigError> {
    let mut limits = Limits::default();
    if let Some(v) = get(ENV_MAX_FIXES_PER_INVOCATION) {
        limits.fixes_per_invocation = parse_count(ENV_MAX_FIXES_PER_INVOCATION, &v)?;
    }
    if let Some(v) = get(ENV_MAX_FIXES_PER_CONTROL_HOUR) {
        limits.fixes_per_control_hour = parse_count(ENV_MAX_FIXES_PER_CONTROL_HOUR, &v)?;
    }
    if let Some(v) = get(ENV_TIME_RESERVE) {
        let seconds = parse_ranged(ENV_TIME_RESERVE, &v, 0..=600, "seconds")?;
        limits.time_reserve = std::time::Duration::from_secs(seconds.unsigned_abs().into());
    }
    Ok(limits)
}

/// A whole number from 1 to 100000.
fn parse_count(variable: &'static str, v: &str) -> Result<usize, ConfigError> {
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| {
            ConfigError::new(
                variable,
                format!("`{v}` is not a whole number from 1 to 100000"),
            )
        })
}

/// A number in `range`; `why` says where the range comes from.
fn parse_ranged(
    variable: &'static str,
    v: &str,
    range: std::ops::RangeInclusive<i32>,
    why: &str,
) -> Result<i32, ConfigError> {
    v.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            ConfigError::new(
                variable,
                format!(
                    "`{v}` must be a number from {} to {} ({why})",
                    range.start(),
                    range.end()
                ),
            )
        })
}

/// The settings of the Secrets Manager rules.
fn read_secrets_settings(
    get: &impl Fn(&str) -> Option<String>,
    settings: &mut FixSettings,
) -> Result<(), ConfigError> {
    if let Some(v) = get(ENV_SECRETS_ROTATION_LAMBDA) {
        let arn = v.trim();
        let usable = crate::ids::Arn::parse(arn)
            .is_some_and(|a| a.service == "lambda" && a.resource.starts_with("function:"));
        if !usable {
            return Err(ConfigError::new(
                ENV_SECRETS_ROTATION_LAMBDA,
                format!("`{arn}` is not a Lambda function ARN"),
            ));
        }
        settings.secrets_rotation_lambda_arn = Some(arn.to_owned());
    }
    if let Some(v) = get(ENV_SECRETS_ROTATION_DAYS) {
        settings.secrets_rotation_days =
            in_range::<i64>(ENV_SECRETS_ROTATION_DAYS, &v, 1..=1000, || {
                format!("`{v}` must be a number of days from 1 to 1000 (the API's range)")
            })?;
    }
    if let Some(v) = get(ENV_SECRETS_MAX_DAYS_SINCE_ROTATION) {
        settings.secrets_max_days_since_rotation =
            in_range::<i64>(ENV_SECRETS_MAX_DAYS_SINCE_ROTATION, &v, 1..=180, || {
                format!("`{v}` must be a number of days from 1 to 180 (the control's range)")
            })?;
    }
    if settings.secrets_rotation_days > settings.secrets_max_days_since_rotation {
        return Err(ConfigError::new(
            ENV_SECRETS_ROTATION_DAYS,
            format!(
                "rotating every {} days would leave secrets unrotated longer than {ENV_SECRETS_MAX_DAYS_SINCE_ROTATION} ({} days) allows",
                settings.secrets_rotation_days, settings.secrets_max_days_since_rotation
            ),
        ));
    }
    if let Some(v) = get(ENV_SECRETS_UNUSED_DAYS) {
        settings.secrets_unused_days =
            in_range::<u64>(ENV_SECRETS_UNUSED_DAYS, &v, 1..=365, || {
                format!("`{v}` must be a number of days from 1 to 365 (the control's range)")
            })?;
    }
    Ok(())
}

/// The settings of the data and compute service rules (SNS, SQS, Secrets Manager, RDS).
fn read_data_service_settings(
    get: &impl Fn(&str) -> Option<String>,
    settings: &mut FixSettings,
) -> Result<(), ConfigError> {
    if let Some(v) = get(ENV_SNS_KMS_KEY) {
        settings.sns_kms_key = Some(parse_kms_key(ENV_SNS_KMS_KEY, &v)?);
    }
    if let Some(v) = get(ENV_SNS_DELIVERY_LOG_ROLE_ARN).filter(|v| !v.trim().is_empty()) {
        settings.sns_delivery_log_role_arn = Some(crate::settings::catalogue::role_arn(
            ENV_SNS_DELIVERY_LOG_ROLE_ARN,
            &v,
        )?);
    }
    if let Some(v) = get(ENV_SNS_SUCCESS_SAMPLE_RATE) {
        settings.sns_success_sample_rate =
            in_range::<u8>(ENV_SNS_SUCCESS_SAMPLE_RATE, &v, 0..=100, || {
                format!("`{v}` must be a percentage from 0 to 100")
            })?;
    }
    if let Some(v) = get(ENV_SQS_KMS_KEY) {
        settings.sqs_kms_key = Some(parse_kms_key(ENV_SQS_KMS_KEY, &v)?);
    }
    if let Some(v) = get(ENV_REQUIRED_TAGS) {
        settings.required_tags = parse_required_tags(&v)?;
    }
    if let Some(v) = get(ENV_RDS_SNAPSHOT_KMS_KEY).filter(|v| !v.trim().is_empty()) {
        settings.rds_snapshot_kms_key = Some(parse_kms_key(ENV_RDS_SNAPSHOT_KMS_KEY, &v)?);
    }
    read_secrets_settings(get, settings)?;
    read_redshift_settings(get, settings)?;
    read_edge_settings(get, settings)?;
    if let Some(v) = get(ENV_RDS_MONITORING_ROLE_ARN).filter(|v| !v.trim().is_empty()) {
        settings.rds_monitoring_role_arn = Some(crate::settings::catalogue::role_arn(
            ENV_RDS_MONITORING_ROLE_ARN,
            &v,
        )?);
    }
    if let Some(v) = get(ENV_RDS_MONITORING_INTERVAL) {
        use crate::remediate::rds::MONITORING_INTERVALS;
        settings.rds_monitoring_interval = accepted(
            ENV_RDS_MONITORING_INTERVAL,
            &v,
            |s: &i32| MONITORING_INTERVALS.contains(s),
            || format!("`{v}` is not an interval RDS accepts ({MONITORING_INTERVALS:?} seconds)"),
        )?;
    }
    if let Some(v) = get(ENV_SSM_INSTANCE_PROFILE).filter(|v| !v.trim().is_empty()) {
        let profile = v.trim();
        let is_arn = crate::ids::Arn::parse(profile)
            .is_some_and(|a| a.service == "iam" && a.resource.starts_with("instance-profile/"));
        if !(is_arn || crate::ids::is_iam_name(profile, 128)) {
            return Err(ConfigError::new(
                ENV_SSM_INSTANCE_PROFILE,
                format!("`{profile}` is neither an instance profile name nor its ARN"),
            ));
        }
        settings.ssm_instance_profile = Some(profile.to_owned());
    }
    if let Some(v) = get(ENV_RDS_BACKUP_RETENTION_DAYS) {
        settings.rds_backup_retention_days = in_range::<i32>(
            ENV_RDS_BACKUP_RETENTION_DAYS,
            &v,
            7..=35,
            || {
                format!("`{v}` must be a number of days from 7 to 35 (RDS.11 needs at least 7, RDS keeps at most 35)")
            },
        )?;
    }
    if let Some(v) = get(ENV_LOG_GROUP_RETENTION_DAYS) {
        use crate::remediate::cloudwatch::log_retention::RETENTION_DAYS;
        settings.log_retention_days = accepted(
            ENV_LOG_GROUP_RETENTION_DAYS,
            &v,
            |d: &i32| RETENTION_DAYS.contains(d),
            || {
                format!("`{v}` is not a retention period CloudWatch Logs accepts ({RETENTION_DAYS:?} days)")
            },
        )?;
    }
    Ok(())
}

/// The settings of the DynamoDB auto scaling, ElastiCache and Redshift rules
/// (`DynamoDB.1`, `ElastiCache.1`, `Redshift.3`, `Redshift.4`).
fn read_redshift_settings(
    get: &impl Fn(&str) -> Option<String>,
    settings: &mut FixSettings,
) -> Result<(), ConfigError> {
    if let Some(v) = get(ENV_DYNAMODB_MAX_CAPACITY_FACTOR) {
        settings.dynamodb_max_capacity_factor =
            in_range::<i32>(ENV_DYNAMODB_MAX_CAPACITY_FACTOR, &v, 2..=100, || {
                format!("`{v}` must be a whole number from 2 to 100")
            })?;
    }
    if let Some(v) = get(ENV_DYNAMODB_TARGET_UTILIZATION) {
        settings.dynamodb_target_utilization = in_range::<u8>(
            ENV_DYNAMODB_TARGET_UTILIZATION,
            &v,
            20..=90,
            || {
                format!("`{v}` must be a percentage from 20 to 90 (Application Auto Scaling's range for DynamoDB)")
            },
        )?;
    }
    if let Some(v) = get(ENV_ELASTICACHE_SNAPSHOT_RETENTION_DAYS) {
        settings.elasticache_snapshot_retention_days =
            in_range::<i32>(ENV_ELASTICACHE_SNAPSHOT_RETENTION_DAYS, &v, 1..=35, || {
                format!(
                    "`{v}` must be a number of days from 1 to 35 (ElastiCache keeps at most 35)"
                )
            })?;
    }
    if let Some(v) = get(ENV_REDSHIFT_SNAPSHOT_RETENTION_DAYS) {
        settings.redshift_snapshot_retention_days = in_range::<i32>(
            ENV_REDSHIFT_SNAPSHOT_RETENTION_DAYS,
            &v,
            7..=35,
            || {
                format!("`{v}` must be a number of days from 7 to 35 (Redshift.3 needs at least 7, Redshift keeps at most 35)")
            },
        )?;
    }
    if let Some(v) = get(ENV_REDSHIFT_LOG_DESTINATION).filter(|v| !v.trim().is_empty()) {
        settings.redshift_log_destination = crate::settings::RedshiftLogDestination::parse(&v)
            .map_err(|e| ConfigError::new(ENV_REDSHIFT_LOG_DESTINATION, e))?;
    }
    Ok(())
}

/// The settings of the CloudFront and CloudFormation rules (`CloudFront.1`,
/// `CloudFormation.1`).
fn read_edge_settings(
    get: &impl Fn(&str) -> Option<String>,
    settings: &mut FixSettings,
) -> Result<(), ConfigError> {
    if let Some(v) = get(ENV_CLOUDFRONT_DEFAULT_ROOT_OBJECT).filter(|v| !v.trim().is_empty()) {
        let v = v.trim();
        let valid = v.chars().count() <= 255
            && !v.starts_with('/')
            && v.chars().all(|c| c.is_ascii_graphic());
        if !valid {
            return Err(ConfigError::new(
                ENV_CLOUDFRONT_DEFAULT_ROOT_OBJECT,
                format!("`{v}` must be an object name of at most 255 printable characters, without spaces and not starting with `/` (e.g. index.html)"),
            ));
        }
        settings.cloudfront_default_root_object = v.to_owned();
    }
    if let Some(v) = get(ENV_CLOUDFORMATION_NOTIFICATION_TOPIC).filter(|v| !v.trim().is_empty()) {
        let v = v.trim();
        let name = v.rsplit(':').next().unwrap_or_default();
        let valid = if v.starts_with("arn:") {
            crate::ids::Arn::parse(v)
                .is_some_and(|a| a.service == "sns" && crate::ids::is_region(a.region))
        } else {
            true
        } && (1..=256).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(ConfigError::new(
                ENV_CLOUDFORMATION_NOTIFICATION_TOPIC,
                format!("`{v}` must be an SNS topic ARN or a topic name (1-256 letters, digits, - and _)"),
            ));
        }
        settings.cloudformation_notification_topic = v.to_owned();
    }
    Ok(())
}

/// `key=value` pairs separated by commas: tag keys of 1-128 characters (not `aws:`,
/// unique), values of at most 256, in the characters AWS tags allow.
fn parse_required_tags(v: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let allowed = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || " _.:/=+-@".contains(c))
    };
    let mut tags: Vec<(String, String)> = Vec::new();
    for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(ConfigError::new(
                ENV_REQUIRED_TAGS,
                format!("`{pair}` is not key=value"),
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        let key_ok = (1..=128).contains(&key.chars().count())
            && allowed(key)
            && !key.to_ascii_lowercase().starts_with("aws:");
        if !key_ok || value.chars().count() > 256 || !allowed(value) {
            return Err(ConfigError::new(
                ENV_REQUIRED_TAGS,
                format!("`{pair}` is not a tag AWS accepts (key 1-128 characters, not aws:, value at most 256; letters, digits, spaces and _ . : / = + - @)"),
            ));
        }
        if tags.iter().any(|(k, _)| k == key) {
            return Err(ConfigError::new(
                ENV_REQUIRED_TAGS,
                format!("the key `{key}` is given twice"),
            ));
        }
        tags.push((key.to_owned(), value.to_owned()));
    }
    Ok(tags)
}

/// A KMS key id, alias or ARN.
fn parse_kms_key(variable: &'static str, v: &str) -> Result<String, ConfigError> {
    let key = v.trim();
    if key.contains(char::is_whitespace) || key.len() > 2048 {
        return Err(ConfigError::new(
            variable,
            format!("`{key}` is not a KMS key id, alias or ARN"),
        ));
    }
    Ok(key.to_owned())
}

fn parse_days(variable: &'static str, v: &str) -> Result<i32, ConfigError> {
    v.trim()
        .parse::<i32>()
        .ok()
        .filter(|d| (1..=36_500).contains(d))
        .ok_or_else(|| {
            ConfigError::new(
                variable,
                format!("`{v}` is not a number of days from 1 to 36500"),
            )
        })
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(format!(
            "`{other}` is not a boolean (expected true or false)"
        )),
    }
}

fn parse_modes(
    v: &str,
    catalogue: &CatalogueSettings,
) -> Result<BTreeMap<String, Mode>, ConfigError> {
    let mut modes = BTreeMap::new();
    for entry in v.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (control, mode) = entry.split_once('=').ok_or_else(|| {
            ConfigError::new(
                ENV_MODES,
                format!("`{entry}` is not CONTROL=MODE (e.g. S3.8=auto)"),
            )
        })?;
        let control = control.trim();
        if registry::rule(control).is_none()
            && registry::playbook(control).is_none()
            && !catalogue.runbooks.contains_key(control)
        {
            return Err(ConfigError::new(
                ENV_MODES,
                format!(
                    "`{control}` is not a control or playbook hubfix supports (see `hubfix rules`)"
                ),
            ));
        }
        let mode = mode
            .parse()
            .map_err(|r| ConfigError::new(ENV_MODES, format!("{control}: {r}")))?;
        if modes.insert(control.to_owned(), mode).is_some() {
            return Err(ConfigError::new(
                ENV_MODES,
                format!("`{control}` is given twice"),
            ));
        }
    }
    Ok(modes)
}

fn parse_accounts(variable: &'static str, v: &str) -> Result<BTreeSet<String>, ConfigError> {
    v.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
                Ok(a.to_owned())
            } else {
                Err(ConfigError::new(
                    variable,
                    format!("`{a}` is not a 12-digit AWS account id"),
                ))
            }
        })
        .collect()
}

/// A setting's number, within `range`; otherwise the error `message` gives, naming the
/// setting.
fn in_range<T>(
    name: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<T>,
    message: impl FnOnce() -> String,
) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd,
{
    accepted(name, value, |n| range.contains(n), message)
}

/// A setting's number, when `accept` takes it; otherwise the error `message` gives,
/// naming the setting.
fn accepted<T: FromStr>(
    name: &'static str,
    value: &str,
    accept: impl Fn(&T) -> bool,
    message: impl FnOnce() -> String,
) -> Result<T, ConfigError> {
    value
        .trim()
        .parse::<T>()
        .ok()
        .filter(|n| accept(n))
        .ok_or_else(|| ConfigError::new(name, message()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn policy(vars: &[(&str, &str)]) -> Result<Policy, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Policy::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_safe() {
        let p = policy(&[]).unwrap();
        assert!(!p.dry_run);
        assert_eq!(p.exemption_tag, "hubfix:exempt");
        assert_eq!(p.mode(registry::rule("S3.8").unwrap()), Mode::Auto);
        assert_eq!(p.mode(registry::rule("S3.1").unwrap()), Mode::Approval);
        assert!(p.account_in_scope("123456789012"));
    }

    #[test]
    fn trust_comes_from_the_environment_and_a_bad_product_stops_start_up() {
        let own = "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default";
        let p = policy(&[
            (crate::trust::ENV_TRUSTED_PRODUCTS, own),
            (crate::trust::ENV_SCAN_ACCOUNTS, "111122223333,222233334444"),
            (crate::trust::ENV_SCAN_REGIONS, "eu-west-1"),
        ])
        .unwrap();
        assert_eq!(p.trust.trusted_products, [own]);
        assert_eq!(p.trust.scan_accounts.len(), 2);
        assert_eq!(p.trust.scan_regions, ["eu-west-1"]);
        assert_eq!(policy(&[]).unwrap().trust, TrustSettings::default());
        let err = policy(&[(
            crate::trust::ENV_TRUSTED_PRODUCTS,
            "arn:aws:securityhub:eu-west-1::product/aws/guardduty",
        )])
        .unwrap_err();
        assert_eq!(err.variable, crate::trust::ENV_TRUSTED_PRODUCTS);
    }

    #[test]
    fn reads_every_setting() {
        let p = policy(&[
            ("HUBFIX_DRY_RUN", "true"),
            ("HUBFIX_MODES", "S3.8=off, S3.1=auto"),
            ("HUBFIX_DEFAULT_MODE", "approval"),
            ("HUBFIX_ACCOUNTS_ALLOW", "111111111111,222222222222"),
            ("HUBFIX_ACCOUNTS_DENY", "222222222222"),
            ("HUBFIX_EXEMPTION_TAG", "security:skip"),
            ("HUBFIX_CONCURRENCY", "3"),
            ("HUBFIX_S3_ACCESS_LOG_BUCKET", "central-logs"),
            ("HUBFIX_S3_KMS_KEY", "alias/s3-default"),
            ("HUBFIX_S3_NONCURRENT_VERSION_DAYS", "90"),
            ("HUBFIX_S3_ABORT_MULTIPART_DAYS", "3"),
            (
                "HUBFIX_S3_EVENT_DESTINATION",
                "arn:aws:sns:us-east-1:123456789012:bucket-events",
            ),
            (
                "HUBFIX_S3_EVENT_TYPES",
                "s3:ObjectRemoved:*, s3:ObjectRestore:Completed",
            ),
        ])
        .unwrap();
        assert_eq!(
            p.settings.s3_event_destination.as_deref(),
            Some("arn:aws:sns:us-east-1:123456789012:bucket-events")
        );
        assert_eq!(
            p.settings.s3_event_types,
            ["s3:ObjectRemoved:*", "s3:ObjectRestore:Completed"]
        );
        assert_eq!(
            FixSettings::default().s3_event_types,
            ["s3:ObjectRemoved:*"]
        );
        assert_eq!(
            p.settings.s3_access_log_bucket.as_deref(),
            Some("central-logs")
        );
        assert_eq!(p.settings.s3_kms_key.as_deref(), Some("alias/s3-default"));
        assert_eq!(p.settings.s3_noncurrent_version_days, 90);
        assert_eq!(p.settings.s3_abort_multipart_days, 3);
        let ec2 = policy(&[
            ("HUBFIX_FLOW_LOG_DESTINATION", "arn:aws:s3:::flow-logs"),
            ("HUBFIX_EC2_PUBLIC_PORTS", "443, 8443"),
            ("HUBFIX_DEFAULT_MODE", "auto"),
        ])
        .unwrap();
        assert_eq!(
            ec2.settings.flow_log_destination.as_deref(),
            Some("arn:aws:s3:::flow-logs")
        );
        assert_eq!(ec2.settings.public_ports, [443, 8443]);
        let member = policy(&[
            ("HUBFIX_MEMBER_ROLE_NAME", "hubfix-remediation"),
            ("HUBFIX_MEMBER_ROLE_EXTERNAL_ID", "s3cr3t-external-id"),
        ])
        .unwrap()
        .member_role
        .unwrap();
        assert_eq!(member.name, "hubfix-remediation");
        assert_eq!(member.external_id.as_deref(), Some("s3cr3t-external-id"));
        let home = policy(&[("HUBFIX_HOME_ACCOUNT", " 123456789012 ")]).unwrap();
        assert_eq!(home.home_account.as_deref(), Some("123456789012"));
        assert_eq!(policy(&[]).unwrap().home_account, None);
        let refused = policy(&[("HUBFIX_HOME_ACCOUNT", "12345")]).unwrap_err();
        assert!(
            refused.to_string().contains("HUBFIX_HOME_ACCOUNT"),
            "{refused}"
        );
        assert_eq!(
            ec2.mode(registry::rule("EC2.4").unwrap()),
            Mode::Approval,
            "never automatic"
        );
        assert!(p.dry_run);
        assert_eq!(p.mode(registry::rule("S3.8").unwrap()), Mode::Off);
        assert_eq!(p.mode(registry::rule("S3.1").unwrap()), Mode::Auto);
        assert_eq!(p.mode(registry::rule("EC2.19").unwrap()), Mode::Approval);
        assert!(p.account_in_scope("111111111111"));
        assert!(!p.account_in_scope("222222222222"));
        assert!(!p.account_in_scope("333333333333"));
        assert_eq!(p.exemption_tag, "security:skip");
        assert_eq!(p.concurrency, 3);
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "HUBFIX_DRY_RUN",
                "maybe",
                "invalid HUBFIX_DRY_RUN: `maybe` is not a boolean",
            ),
            ("HUBFIX_MODES", "S3.8", "`S3.8` is not CONTROL=MODE"),
            (
                "HUBFIX_MODES",
                "S3.99=auto",
                "`S3.99` is not a control or playbook hubfix supports",
            ),
            (
                "HUBFIX_MODES",
                "S3.8=sometimes",
                "S3.8: `sometimes` is not a mode",
            ),
            (
                "HUBFIX_MODES",
                "S3.8=auto,S3.8=off",
                "`S3.8` is given twice",
            ),
            (
                "HUBFIX_ACCOUNTS_ALLOW",
                "12345",
                "`12345` is not a 12-digit AWS account id",
            ),
            ("HUBFIX_ACCOUNTS_DENY", "abcdefghijkl", "not a 12-digit"),
            ("HUBFIX_CONCURRENCY", "0", "not a whole number from 1 to 64"),
            ("HUBFIX_CONCURRENCY", "many", "not a whole number"),
            ("HUBFIX_EXEMPTION_TAG", "aws:exempt", "not a usable tag key"),
            ("HUBFIX_DEFAULT_MODE", "yes", "invalid HUBFIX_DEFAULT_MODE"),
            (
                "HUBFIX_S3_ACCESS_LOG_BUCKET",
                "Not A Bucket",
                "is not a bucket name",
            ),
            ("HUBFIX_S3_KMS_KEY", "alias/my key", "is not a KMS key id"),
            ("HUBFIX_S3_NONCURRENT_VERSION_DAYS", "0", "from 1 to 36500"),
            ("HUBFIX_S3_ABORT_MULTIPART_DAYS", "week", "from 1 to 36500"),
            (
                "HUBFIX_FLOW_LOG_DESTINATION",
                "my-bucket",
                "not an S3 bucket ARN or a CloudWatch Logs",
            ),
            (
                "HUBFIX_FLOW_LOG_ROLE_ARN",
                "arn:aws:s3:::x",
                "not an IAM role ARN",
            ),
            (
                "HUBFIX_EC2_PUBLIC_PORTS",
                "80,https",
                "`https` is not a port number",
            ),
            ("HUBFIX_MODES", "EC2.4=auto", "EC2.4 is never automatic"),
            (
                "HUBFIX_PASSWORD_MIN_LENGTH",
                "8",
                "IAM.15 needs at least 14",
            ),
            (
                "HUBFIX_PASSWORD_MAX_AGE_DAYS",
                "365",
                "IAM.17 needs at most 90",
            ),
            ("HUBFIX_PASSWORD_REUSE_PREVENTION", "30", "from 1 to 24"),
        ];
        for (var, value, expected) in cases {
            let err = policy(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(expected), "{var}={value}: {err}");
        }
    }

    #[test]
    fn reads_the_data_service_settings() {
        let p = policy(&[
            ("HUBFIX_SNS_KMS_KEY", "alias/sns-topics"),
            ("HUBFIX_SQS_KMS_KEY", " alias/sqs-queues "),
            (
                "HUBFIX_SECRETS_ROTATION_LAMBDA_ARN",
                "arn:aws:lambda:us-east-1:123456789012:function:rotate",
            ),
            ("HUBFIX_SECRETS_ROTATION_DAYS", "14"),
            ("HUBFIX_SECRETS_UNUSED_DAYS", "180"),
            ("HUBFIX_SECRETS_MAX_DAYS_SINCE_ROTATION", "60"),
            (
                "HUBFIX_SNS_DELIVERY_LOG_ROLE_ARN",
                "arn:aws:iam::123456789012:role/sns-delivery-status",
            ),
            ("HUBFIX_SNS_SUCCESS_SAMPLE_RATE", "10"),
            ("HUBFIX_RDS_SNAPSHOT_KMS_KEY", "alias/rds-snapshots"),
            (
                "HUBFIX_REQUIRED_TAGS",
                " owner=platform , cost-center=cc 42,",
            ),
            ("HUBFIX_RDS_MONITORING_INTERVAL", "15"),
            ("HUBFIX_SSM_INSTANCE_PROFILE", "ssm-managed"),
            (
                "HUBFIX_RDS_MONITORING_ROLE_ARN",
                "arn:aws:iam::123456789012:role/rds-monitoring",
            ),
            ("HUBFIX_RDS_BACKUP_RETENTION_DAYS", "14"),
            ("HUBFIX_LOG_GROUP_RETENTION_DAYS", "731"),
        ])
        .unwrap();
        let s = p.settings;
        assert_eq!(s.sns_kms_key.as_deref(), Some("alias/sns-topics"));
        assert_eq!(s.sqs_kms_key.as_deref(), Some("alias/sqs-queues"));
        assert_eq!(
            s.secrets_rotation_lambda_arn.as_deref(),
            Some("arn:aws:lambda:us-east-1:123456789012:function:rotate")
        );
        assert_eq!(
            (
                s.secrets_rotation_days,
                s.rds_backup_retention_days,
                s.log_retention_days
            ),
            (14, 14, 731)
        );
        let d = FixSettings::default();
        assert_eq!(
            (
                d.secrets_rotation_days,
                d.rds_backup_retention_days,
                d.log_retention_days
            ),
            (30, 7, 365)
        );
        assert!(d.sns_kms_key.is_none() && d.secrets_rotation_lambda_arn.is_none());
        assert_eq!((s.secrets_unused_days, d.secrets_unused_days), (180, 90));
        assert_eq!(
            (
                s.secrets_max_days_since_rotation,
                d.secrets_max_days_since_rotation
            ),
            (60, 90)
        );
        assert_eq!(
            s.sns_delivery_log_role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/sns-delivery-status")
        );
        assert_eq!(
            (s.sns_success_sample_rate, d.sns_success_sample_rate),
            (10, 0)
        );
        assert_eq!(
            s.rds_snapshot_kms_key.as_deref(),
            Some("alias/rds-snapshots")
        );
        assert!(d.sns_delivery_log_role_arn.is_none() && d.rds_snapshot_kms_key.is_none());
        assert_eq!(
            s.required_tags,
            [
                ("owner".to_owned(), "platform".to_owned()),
                ("cost-center".to_owned(), "cc 42".to_owned())
            ]
        );
        assert!(d.required_tags.is_empty());
        assert_eq!(
            (s.rds_monitoring_interval, d.rds_monitoring_interval),
            (15, 60)
        );
        assert_eq!(
            s.rds_monitoring_role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/rds-monitoring")
        );
    }

    #[test]
    fn the_security_contact_is_all_or_nothing_and_checked() {
        assert_eq!(policy(&[]).unwrap().settings.security_contact, None);
        let contact = policy(&[
            ("HUBFIX_SECURITY_CONTACT_NAME", " Cloud Security Team "),
            ("HUBFIX_SECURITY_CONTACT_EMAIL", "security@example.com"),
            ("HUBFIX_SECURITY_CONTACT_PHONE", "+1 (206) 555-0100"),
        ])
        .unwrap()
        .settings
        .security_contact
        .unwrap();
        assert_eq!(contact.name, "Cloud Security Team");
        assert_eq!(contact.title, "Security");
        let err = policy(&[("HUBFIX_SECURITY_CONTACT_EMAIL", "security@example.com")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("HUBFIX_SECURITY_CONTACT_NAME"), "{err}");
        for (var, bad) in [
            ("HUBFIX_SECURITY_CONTACT_EMAIL", "security.example.com"),
            ("HUBFIX_SECURITY_CONTACT_EMAIL", "sec urity@example.com"),
            ("HUBFIX_SECURITY_CONTACT_EMAIL", "security@localhost"),
            ("HUBFIX_SECURITY_CONTACT_PHONE", "call me"),
            (
                "HUBFIX_SECURITY_CONTACT_PHONE",
                "+1 206 555 0100 0100 0100 0100",
            ),
            ("HUBFIX_SECURITY_CONTACT_TITLE", &"t".repeat(51)),
        ] {
            let mut vars = vec![
                ("HUBFIX_SECURITY_CONTACT_NAME", "Cloud Security Team"),
                ("HUBFIX_SECURITY_CONTACT_EMAIL", "security@example.com"),
                ("HUBFIX_SECURITY_CONTACT_PHONE", "+1 206 555 0100"),
            ];
            vars.retain(|(v, _)| *v != var);
            vars.push((var, bad));
            let err = policy(&vars).unwrap_err().to_string();
            assert!(err.contains(var), "{var}={bad}: {err}");
        }
    }

    #[test]
    fn bad_data_service_values_are_clear_errors() {
        let cases: &[(&str, &str, &str)] = &[
            ("HUBFIX_SNS_KMS_KEY", "alias/my key", "is not a KMS key id"),
            (
                "HUBFIX_SSM_INSTANCE_PROFILE",
                "web profile",
                "neither an instance profile name",
            ),
            ("HUBFIX_SQS_KMS_KEY", "a b", "invalid HUBFIX_SQS_KMS_KEY"),
            (
                "HUBFIX_SECRETS_ROTATION_LAMBDA_ARN",
                "arn:aws:iam::123456789012:role/rotate",
                "is not a Lambda function ARN",
            ),
            ("HUBFIX_SECRETS_ROTATION_DAYS", "0", "from 1 to 1000"),
            ("HUBFIX_SECRETS_ROTATION_DAYS", "120", "longer than"),
            (
                "HUBFIX_SECRETS_MAX_DAYS_SINCE_ROTATION",
                "181",
                "from 1 to 180",
            ),
            ("HUBFIX_SNS_SUCCESS_SAMPLE_RATE", "101", "from 0 to 100"),
            (
                "HUBFIX_SNS_DELIVERY_LOG_ROLE_ARN",
                "sns-logging",
                "is not an IAM role ARN",
            ),
            (
                "HUBFIX_RDS_SNAPSHOT_KMS_KEY",
                "alias/a b",
                "is not a KMS key id",
            ),
            ("HUBFIX_REQUIRED_TAGS", "owner", "is not key=value"),
            (
                "HUBFIX_S3_EVENT_DESTINATION",
                "arn:aws:s3:::bucket",
                "is not an SNS topic",
            ),
            (
                "HUBFIX_S3_EVENT_TYPES",
                "ObjectRemoved",
                "is not a list of S3 event types",
            ),
            (
                "HUBFIX_REQUIRED_TAGS",
                "aws:owner=x",
                "is not a tag AWS accepts",
            ),
            ("HUBFIX_REQUIRED_TAGS", "owner=a,owner=b", "given twice"),
            (
                "HUBFIX_REQUIRED_TAGS",
                "owner=a;b",
                "is not a tag AWS accepts",
            ),
            (
                "HUBFIX_RDS_BACKUP_RETENTION_DAYS",
                "3",
                "RDS.11 needs at least 7",
            ),
            ("HUBFIX_RDS_BACKUP_RETENTION_DAYS", "week", "from 7 to 35"),
            ("HUBFIX_DYNAMODB_MAX_CAPACITY_FACTOR", "1", "from 2 to 100"),
            ("HUBFIX_DYNAMODB_TARGET_UTILIZATION", "95", "from 20 to 90"),
            (
                "HUBFIX_ELASTICACHE_SNAPSHOT_RETENTION_DAYS",
                "36",
                "from 1 to 35",
            ),
            (
                "HUBFIX_REDSHIFT_SNAPSHOT_RETENTION_DAYS",
                "1",
                "Redshift.3 needs at least 7",
            ),
            (
                "HUBFIX_REDSHIFT_LOG_DESTINATION",
                "firehose",
                "neither `cloudwatch` nor an S3 location",
            ),
            (
                "HUBFIX_REDSHIFT_LOG_DESTINATION",
                "s3://Not_A_Bucket/x",
                "is not a bucket name",
            ),
            (
                "HUBFIX_REDSHIFT_LOG_DESTINATION",
                "s3://audit-logs/a b",
                "is not a key prefix",
            ),
            (
                "HUBFIX_LOG_GROUP_RETENTION_DAYS",
                "100",
                "not a retention period CloudWatch Logs accepts",
            ),
        ];
        for (var, value, expected) in cases {
            let err = policy(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(expected), "{var}={value}: {err}");
        }
    }

    #[test]
    fn edge_settings_default_to_index_html_and_a_created_topic() {
        let d = FixSettings::default();
        assert_eq!(d.cloudfront_default_root_object, "index.html");
        assert_eq!(
            d.cloudformation_notification_topic,
            "hubfix-stack-notifications"
        );
        let s = policy(&[
            ("HUBFIX_CLOUDFRONT_DEFAULT_ROOT_OBJECT", " home/index.html "),
            (
                "HUBFIX_CLOUDFORMATION_NOTIFICATION_TOPIC",
                "arn:aws:sns:eu-west-1:123456789012:stack-events",
            ),
        ])
        .unwrap()
        .settings;
        assert_eq!(s.cloudfront_default_root_object, "home/index.html");
        assert_eq!(
            s.cloudformation_notification_topic,
            "arn:aws:sns:eu-west-1:123456789012:stack-events"
        );
        let bad = [
            (
                "HUBFIX_CLOUDFRONT_DEFAULT_ROOT_OBJECT",
                "/index.html",
                "not starting with `/`",
            ),
            (
                "HUBFIX_CLOUDFRONT_DEFAULT_ROOT_OBJECT",
                "my page.html",
                "without spaces",
            ),
            (
                "HUBFIX_CLOUDFORMATION_NOTIFICATION_TOPIC",
                "arn:aws:sqs:us-east-1:123456789012:q",
                "an SNS topic ARN or a topic name",
            ),
            (
                "HUBFIX_CLOUDFORMATION_NOTIFICATION_TOPIC",
                "stack events",
                "an SNS topic ARN or a topic name",
            ),
        ];
        for (var, value, expected) in bad {
            let err = policy(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(expected), "{var}={value}: {err}");
        }
    }

    #[test]
    fn redshift_settings_default_to_seven_days_and_cloudwatch() {
        use crate::settings::RedshiftLogDestination;
        let d = FixSettings::default();
        assert_eq!(
            (
                d.redshift_snapshot_retention_days,
                d.redshift_log_destination
            ),
            (7, RedshiftLogDestination::CloudWatch)
        );
        assert_eq!(d.elasticache_snapshot_retention_days, 1);
        assert_eq!(
            (
                d.dynamodb_max_capacity_factor,
                d.dynamodb_target_utilization
            ),
            (4, 70)
        );
        let s = policy(&[
            ("HUBFIX_DYNAMODB_MAX_CAPACITY_FACTOR", "10"),
            ("HUBFIX_DYNAMODB_TARGET_UTILIZATION", "50"),
            ("HUBFIX_ELASTICACHE_SNAPSHOT_RETENTION_DAYS", "5"),
            ("HUBFIX_REDSHIFT_SNAPSHOT_RETENTION_DAYS", "14"),
            (
                "HUBFIX_REDSHIFT_LOG_DESTINATION",
                " s3://audit-logs/redshift/ ",
            ),
        ])
        .unwrap()
        .settings;
        assert_eq!(s.redshift_snapshot_retention_days, 14);
        assert_eq!(s.elasticache_snapshot_retention_days, 5);
        assert_eq!(
            (
                s.dynamodb_max_capacity_factor,
                s.dynamodb_target_utilization
            ),
            (10, 50)
        );
        assert_eq!(
            s.redshift_log_destination,
            RedshiftLogDestination::S3 {
                bucket: "audit-logs".into(),
                prefix: Some("redshift/".into())
            }
        );
        let bare = policy(&[("HUBFIX_REDSHIFT_LOG_DESTINATION", "s3://audit-logs")]).unwrap();
        assert_eq!(
            bare.settings.redshift_log_destination,
            RedshiftLogDestination::S3 {
                bucket: "audit-logs".into(),
                prefix: None
            }
        );
    }

    #[test]
    fn permit_follows_mode_scope_and_approval() {
        let p = policy(&[("HUBFIX_ACCOUNTS_DENY", "999999999999")]).unwrap();
        let s38 = registry::rule("S3.8").unwrap();
        let s31 = registry::rule("S3.1").unwrap();
        assert_eq!(p.permit(s38, Some("123456789012"), false), Ok(()));
        assert_eq!(
            p.permit(s31, Some("123456789012"), false),
            Err(Refusal::ApprovalRequired)
        );
        assert_eq!(p.permit(s31, Some("123456789012"), true), Ok(()));
        assert_eq!(
            p.permit(s38, Some("999999999999"), true),
            Err(Refusal::AccountOutOfScope("999999999999".into()))
        );
        assert_eq!(p.permit(s38, None, true), Err(Refusal::NoAccount));
        let off = policy(&[("HUBFIX_MODES", "S3.8=off")]).unwrap();
        assert_eq!(
            off.permit(s38, Some("123456789012"), true),
            Err(Refusal::ModeOff)
        );
    }

    #[test]
    fn exemption_tag_any_value_but_false() {
        let p = Policy::default();
        assert!(p.is_exempt([("hubfix:exempt", "true")].into_iter()));
        assert!(p.is_exempt([("hubfix:exempt", "public website, ticket SEC-12")].into_iter()));
        assert!(!p.is_exempt([("hubfix:exempt", "false")].into_iter()));
        assert!(!p.is_exempt([("owner", "team-a")].into_iter()));
    }
}
