//! Settings: what individual fixes need (where logs go, which key encrypts, how long to
//! keep), the role assumed in member accounts, and the error of a value hubfix cannot
//! use. Read from the environment by [`crate::policy`]; the catalogue's own settings are
//! in [`catalogue`].

pub mod catalogue;

use std::fmt;

use crate::settings::catalogue::CatalogueSettings;

/// A configuration value hubfix cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            variable,
            reason: reason.into(),
        }
    }
}

/// Settings some fixes need: where logs go, which key encrypts, how long to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixSettings {
    /// Target bucket of S3 server access logging; `S3.9` needs it.
    pub s3_access_log_bucket: Option<String>,
    /// KMS key id, alias or ARN for S3 default encryption; `None`: SSE-S3 for `S3.4`,
    /// the AWS-managed `aws/s3` key for `S3.17`.
    pub s3_kms_key: Option<String>,
    /// Noncurrent versions expire after this many days (lifecycle rule of `S3.13`).
    pub s3_noncurrent_version_days: i32,
    /// Incomplete multipart uploads are aborted after this many days (`S3.13`).
    pub s3_abort_multipart_days: i32,
    /// The SNS topic, SQS queue or Lambda function `S3.11` sends bucket events to.
    pub s3_event_destination: Option<String>,
    /// The event types `S3.11` notifies of, `s3:ObjectRemoved:*` unless configured.
    pub s3_event_types: Vec<String>,
    /// Where VPC flow logs go (`EC2.6`): an S3 bucket or CloudWatch Logs group ARN.
    pub flow_log_destination: Option<String>,
    /// The role flow logs use to deliver to CloudWatch Logs.
    pub flow_log_role_arn: Option<String>,
    /// Ports that may be open to the world (`EC2.18`); Security Hub's default is 80, 443.
    pub public_ports: Vec<u16>,
    /// The account password policy hubfix sets (`IAM.7`, `IAM.10`-`IAM.17`); existing
    /// stronger settings are kept.
    pub password: PasswordSettings,
    /// Settings of the logging and monitoring rules and of SSM runbooks.
    pub catalogue: CatalogueSettings,
    /// The time age-based rules measure against; `None` is the system clock (tests fix
    /// it, because the emulator cannot backdate credentials).
    pub now: Option<std::time::SystemTime>,
    /// Customer managed KMS key for SNS topic encryption; `SNS.1` needs it.
    pub sns_kms_key: Option<String>,
    /// The role SNS writes delivery status logs to CloudWatch Logs with (`SNS.2`).
    pub sns_delivery_log_role_arn: Option<String>,
    /// Percentage of successful deliveries `SNS.2` logs (0 to 100; failures are all
    /// logged), 0 unless configured.
    pub sns_success_sample_rate: u8,
    /// KMS key for SQS queue encryption; `None`: SQS-managed encryption (SSE-SQS).
    pub sqs_kms_key: Option<String>,
    /// The rotation function for secrets that have none of their own (`SecretsManager.1`).
    pub secrets_rotation_lambda_arn: Option<String>,
    /// Days between automatic secret rotations (`SecretsManager.1`, `SecretsManager.4`),
    /// 1 to 1000, never more than [`FixSettings::secrets_max_days_since_rotation`].
    pub secrets_rotation_days: i64,
    /// Days a secret's value may go unrotated before `SecretsManager.4` rotates it: the
    /// control's `maxDaysSinceRotation`, 90 unless configured (1 to 180).
    pub secrets_max_days_since_rotation: i64,
    /// Days without a read after which `SecretsManager.3` schedules a secret's deletion:
    /// the control's `unusedForDays`, 90 unless configured.
    pub secrets_unused_days: u64,
    /// Automated backup retention `RDS.11` sets, 7 (the control's minimum) to 35 days.
    pub rds_backup_retention_days: i32,
    /// The role RDS Enhanced Monitoring assumes (`RDS.6`); `None`: `hubfix-rds-monitoring`,
    /// created when missing.
    pub rds_monitoring_role_arn: Option<String>,
    /// KMS key `RDS.4` encrypts snapshot copies with; `None`: the AWS managed `aws/rds`.
    pub rds_snapshot_kms_key: Option<String>,
    /// Seconds between Enhanced Monitoring samples `RDS.6` sets: 1, 5, 10, 15, 30 or 60.
    pub rds_monitoring_interval: i32,
    /// How many times its current capacity `DynamoDB.1` lets a capacity grow to (2 to
    /// 100), 4 unless configured.
    pub dynamodb_max_capacity_factor: i32,
    /// The capacity utilization, in percent, `DynamoDB.1`'s policies track (20 to 90),
    /// 70 unless configured.
    pub dynamodb_target_utilization: u8,
    /// Automatic backup retention `ElastiCache.1` sets, 1 (the control's default
    /// minimum) to 35 days.
    pub elasticache_snapshot_retention_days: i32,
    /// Automated snapshot retention `Redshift.3` sets, 7 (the control's minimum) to 35
    /// days.
    pub redshift_snapshot_retention_days: i32,
    /// Where `Redshift.4` sends a cluster's audit logs: CloudWatch Logs unless configured.
    pub redshift_log_destination: RedshiftLogDestination,
    /// The object `CloudFront.1` makes a distribution's default root object
    /// (`index.html` unless configured).
    pub cloudfront_default_root_object: String,
    /// The SNS topic `CloudFormation.1` has stacks notify: an ARN, or a name created in
    /// the stack's account and Region (`hubfix-stack-notifications` unless configured).
    pub cloudformation_notification_topic: String,
    /// Days `CloudWatch.16` keeps log groups at least: one of CloudWatch Logs' retention
    /// periods, 365 (the control's default minimum) unless configured.
    pub log_retention_days: i32,
    /// The instance profile `SSM.1` associates with an instance that has none (its role
    /// must have `AmazonSSMManagedInstanceCore`).
    pub ssm_instance_profile: Option<String>,
    /// The security contact `Account.1` gives an account that has none.
    pub security_contact: Option<SecurityContact>,
    /// The tags the tagging controls (`DynamoDB.5`, `GuardDuty.2`, `GuardDuty.4`) add to a resource that
    /// lacks their keys: key and value, in the configured order.
    pub required_tags: Vec<(String, String)>,
}

/// Where Redshift writes a cluster's audit logs (`Redshift.4`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RedshiftLogDestination {
    /// CloudWatch Logs: log groups Redshift creates, `/aws/redshift/cluster/<id>/<log>`.
    CloudWatch,
    /// An S3 bucket, whose policy must let Redshift's service principal write.
    S3 {
        /// The bucket.
        bucket: String,
        /// The key prefix, if any.
        prefix: Option<String>,
    },
}

impl RedshiftLogDestination {
    /// Reads `cloudwatch` or `s3://bucket[/prefix]`.
    pub fn parse(v: &str) -> Result<Self, String> {
        let v = v.trim();
        if v.eq_ignore_ascii_case("cloudwatch") {
            return Ok(RedshiftLogDestination::CloudWatch);
        }
        let rest = v.strip_prefix("s3://").ok_or_else(|| {
            format!("`{v}` is neither `cloudwatch` nor an S3 location (s3://bucket/prefix)")
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        crate::ids::bucket_name(bucket).map_err(|_| format!("`{bucket}` is not a bucket name"))?;
        let prefix_ok = prefix.len() <= 512
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!-_.*'()/".contains(c));
        if !prefix_ok {
            return Err(format!("`{prefix}` is not a key prefix Redshift accepts"));
        }
        Ok(RedshiftLogDestination::S3 {
            bucket: bucket.to_owned(),
            prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
        })
    }
}

/// The security contact `Account.1` gives an account: AWS Account Management's
/// alternate contact of type `SECURITY`, which AWS writes to about security issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityContact {
    /// The person or team, e.g. `Cloud Security Team` (1-64 characters).
    pub name: String,
    /// Their title (1-50 characters), `Security` unless configured.
    pub title: String,
    /// Their e-mail address.
    pub email: String,
    /// Their phone number (digits, spaces, `+`, `-`, parentheses; at most 25).
    pub phone: String,
}

/// The password policy hubfix asks for; the defaults satisfy IAM.7 and IAM.10 to IAM.17
/// (CIS: length 14, all character classes, 24 remembered, 90 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordSettings {
    /// Minimum length (at least 14).
    pub min_length: i32,
    /// Passwords expire after this many days (at most 90).
    pub max_age_days: i32,
    /// Previous passwords that cannot be reused (1 to 24).
    pub reuse_prevention: i32,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        PasswordSettings {
            min_length: 14,
            max_age_days: 90,
            reuse_prevention: 24,
        }
    }
}

impl FixSettings {
    /// The time age-based rules measure against.
    pub fn now(&self) -> std::time::SystemTime {
        self.now.unwrap_or_else(std::time::SystemTime::now)
    }
}

impl Default for FixSettings {
    fn default() -> Self {
        FixSettings {
            s3_access_log_bucket: None,
            s3_kms_key: None,
            s3_noncurrent_version_days: 365,
            s3_abort_multipart_days: 7,
            s3_event_destination: None,
            s3_event_types: vec!["s3:ObjectRemoved:*".to_owned()],
            flow_log_destination: None,
            flow_log_role_arn: None,
            public_ports: vec![80, 443],
            password: PasswordSettings::default(),
            catalogue: CatalogueSettings::default(),
            now: None,
            sns_kms_key: None,
            sns_delivery_log_role_arn: None,
            sns_success_sample_rate: 0,
            sqs_kms_key: None,
            secrets_rotation_lambda_arn: None,
            secrets_rotation_days: 30,
            secrets_max_days_since_rotation: 90,
            secrets_unused_days: 90,
            rds_backup_retention_days: 7,
            rds_monitoring_role_arn: None,
            rds_snapshot_kms_key: None,
            rds_monitoring_interval: 60,
            dynamodb_max_capacity_factor: 4,
            dynamodb_target_utilization: 70,
            elasticache_snapshot_retention_days: 1,
            redshift_snapshot_retention_days: 7,
            redshift_log_destination: RedshiftLogDestination::CloudWatch,
            cloudfront_default_root_object: "index.html".to_owned(),
            cloudformation_notification_topic: "hubfix-stack-notifications".to_owned(),
            log_retention_days: 365,
            ssm_instance_profile: None,
            security_contact: None,
            required_tags: Vec::new(),
        }
    }
}

/// The role hubfix assumes to fix resources in another account.
#[derive(Clone, PartialEq, Eq)]
pub struct MemberRole {
    /// The role name (the same in every member account).
    pub name: String,
    /// The external id the role's trust policy requires.
    pub external_id: Option<String>,
}

/// Shows whether an external id is set, never its value.
impl fmt::Debug for MemberRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemberRole")
            .field("name", &self.name)
            .field(
                "external_id",
                &self.external_id.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}
