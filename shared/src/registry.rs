//! The rule registry: one static table, security control id -> rule.
//!
//! Everything else reads control metadata from here: the engine, the policy defaults,
//! the IAM policy check of the SAM template and the supported-controls table of
//! docs/controls.md.

use crate::remediate::cloudtrail::model::S3Access;
use crate::remediate::cloudtrail::{
    CloudWatchDelivery, LogFileValidation, MultiRegionTrail, S3DataEvents, TrailBucket,
    TrailEncryption,
};
use crate::remediate::cloudwatch::cis_alarms::{CisMetricAlarm, CIS_ALARMS};
use crate::remediate::codebuild::credentials::PlaintextCredentials;
use crate::remediate::config::recorder::ConfigRecording;
use crate::remediate::dynamodb::point_in_time_recovery::PointInTimeRecovery;
use crate::remediate::ec2::default_group::RestrictDefaultGroup;
use crate::remediate::ec2::isolate::IsolateInstance;
use crate::remediate::ec2::open_ingress::{
    IngressScope, Ports, RevokeOpenIngress, ADMIN_PORTS, HIGH_RISK_PORTS,
};
use crate::remediate::ec2::{
    EbsEncryptionByDefault, NaclAdminPorts, NoPublicIpOnLaunch, PrivateSnapshots, RequireImdsV2,
    TerminateStoppedInstance, VpcFlowLogs,
};
use crate::remediate::ecr::{ScanOnPush, TagImmutability};
use crate::remediate::elb::{DeletionProtection, HttpsRedirect};
use crate::remediate::guardduty::detector::GuardDutyDetector;
use crate::remediate::iam::{
    AccountPasswordPolicy, CredentialRule, Credentials, ExpiredServerCertificates,
    ExternalAccessAnalyzer, PoliciesThroughGroups, SupportRole,
};
use crate::remediate::kms::rotation::KeyRotation;
use crate::remediate::lambda::public_invoke::PublicInvoke;
use crate::remediate::manual::{
    Manual, EBS_VOLUME_ENCRYPTION, EFS_ENCRYPTION, RDS_INSTANCE_ENCRYPTION, RDS_SNAPSHOT_ENCRYPTION,
};
use crate::remediate::rds::{
    BackupRetention, ClusterDeletionProtection, InstanceFlag, InstanceSetting, PrivateDbSnapshot,
};
use crate::remediate::s3::block_public_access::{
    AccountBlockPublicAccess, BucketBlockPublicAccess,
};
use crate::remediate::s3::policy::{DenyInsecureTransport, RestrictCrossAccountGrants};
use crate::remediate::s3::{
    AccessLogging, BlockPublicReadWrite, DefaultEncryption, Lifecycle, Versioning,
};
use crate::remediate::secretsmanager::rotation::SecretRotation;
use crate::remediate::sns::encryption::SnsEncryption;
use crate::remediate::sqs::encryption::SqsEncryption;
use crate::remediate::ssm::runbook::{self, Runbook};
use crate::remediate::Rule;
use crate::settings::catalogue::{CatalogueSettings, RunbookSpec};

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

const BUCKET_PAB_ACTIONS: &[&str] = &[
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketTagging",
];
const ACCOUNT_PAB_ACTIONS: &[&str] = &[
    "s3:GetAccountPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
];
const PUBLIC_READ_WRITE_ACTIONS: &[&str] = &[
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketAcl",
    "s3:PutBucketAcl",
    "s3:GetBucketTagging",
];
const ENCRYPTION_ACTIONS: &[&str] = &[
    "s3:GetEncryptionConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:GetBucketTagging",
];
const PASSWORD_ACTIONS: &[&str] = &[
    "iam:GetAccountPasswordPolicy",
    "iam:UpdateAccountPasswordPolicy",
    "iam:DeleteAccountPasswordPolicy",
];
const KEY_ACTIONS: &[&str] = &[
    "iam:ListUserTags",
    "iam:ListAccessKeys",
    "iam:UpdateAccessKey",
];
const UNUSED_ACTIONS: &[&str] = &[
    "iam:ListUserTags",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
    "iam:UpdateAccessKey",
    "iam:GetUser",
    "iam:GetLoginProfile",
    "iam:DeleteLoginProfile",
];
const GROUP_ACTIONS: &[&str] = &[
    "iam:ListUserTags",
    "iam:ListAttachedUserPolicies",
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:CreateGroup",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:AddUserToGroup",
    "iam:DetachUserPolicy",
    "iam:DeleteUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:RemoveUserFromGroup",
    "iam:DetachGroupPolicy",
    "iam:DeleteGroupPolicy",
    "iam:DeleteGroup",
];
const PASSWORD_FIX: &str = "Sets one account password policy that satisfies IAM.7 and IAM.10 to IAM.17 (length 14, all character classes, 24 remembered, 90 days; configurable), keeping any stronger setting.";

/// The password-policy controls share one fix.
const fn password_rule(control_id: &'static str, title: &'static str) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsAccount",
        fix: PASSWORD_FIX,
        iam_actions: PASSWORD_ACTIONS,
        disruptive: false,
        remediation: &AccountPasswordPolicy,
    }
}

/// Root-user controls cannot be fixed by API.
const fn root_rule(control_id: &'static str, title: &'static str, steps: &'static Manual) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsAccount",
        fix: "Manual: the root user's credentials cannot be changed by API; the note gives the steps.",
        iam_actions: &[],
        disruptive: false,
        remediation: steps,
    }
}

static ROOT_ACCESS_KEYS: Manual = Manual {
    steps: "sign in as the root user, open Security credentials, and delete every access key under Access keys. Use IAM roles or users for programmatic access.",
};
static ROOT_HARDWARE_MFA: Manual = Manual {
    steps: "sign in as the root user, open Security credentials, and assign a hardware MFA device (or a passkey/security key) under Multi-factor authentication.",
};
static ROOT_MFA: Manual = Manual {
    steps: "sign in as the root user, open Security credentials, and assign an MFA device under Multi-factor authentication.",
};

static MFA_DELETE: Manual = Manual {
    steps: "MFA delete can only be enabled by the root user with its MFA device: with the root user's access key, run aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa \"<root MFA device ARN> <code>\", then delete that access key.",
};

const RDS_INSTANCE_ACTIONS: &[&str] = &["rds:DescribeDBInstances", "rds:ModifyDBInstance"];

/// One setting of an RDS DB instance.
const fn rds_instance_rule(
    control_id: &'static str,
    title: &'static str,
    fix: &'static str,
    disruptive: bool,
    remediation: &'static InstanceFlag,
) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsRdsDbInstance",
        fix,
        iam_actions: RDS_INSTANCE_ACTIONS,
        disruptive,
        remediation,
    }
}

/// Encryption that cannot be turned on in place.
const fn encryption_rule(
    control_id: &'static str,
    title: &'static str,
    resource_type: &'static str,
    steps: &'static Manual,
) -> Rule {
    Rule {
        control_id,
        title,
        resource_type,
        fix: "Manual: encryption at rest cannot be turned on in place; the note gives the steps (copy to an encrypted resource, switch, delete the old one).",
        iam_actions: &[],
        disruptive: false,
        remediation: steps,
    }
}

const INGRESS_ACTIONS: &[&str] = &[
    "ec2:DescribeSecurityGroups",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupIngress",
];

const CIS_ALARM_FIX: &str = "Puts the CIS metric filter (`hubfix-<metric>`, pattern from the CIS benchmark) on the multi-region trail's log group (or HUBFIX_CIS_LOG_GROUP), and an alarm on its metric notifying the SNS topic HUBFIX_CIS_ALARM_TOPIC_ARN, else `hubfix-cis-alarms` (created; subscribe responders to it).";
const CIS_ALARM_ACTIONS: &[&str] = &[
    "cloudtrail:DescribeTrails",
    "logs:DescribeMetricFilters",
    "logs:PutMetricFilter",
    "logs:DeleteMetricFilter",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DeleteAlarms",
    "sns:GetTopicAttributes",
    "sns:CreateTopic",
    "sns:DeleteTopic",
];

const DATA_EVENTS_FIX: &str = "Adds an event selector of S3 object-level events of every bucket (`arn:aws:s3`) to the region's multi-region trail (an advanced selector when the trail uses advanced ones), keeping every selector it has; undo removes only that selector.";
const DATA_EVENTS_ACTIONS: &[&str] = &[
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:PutEventSelectors",
];

/// S3 object-level logging of every bucket: CIS 1.4.0 3.10 and 3.11 (which Security Hub
/// does not check; hubfix's scanner does) and Security Hub's own `S3.22` and `S3.23`.
const fn data_events_rule(
    control_id: &'static str,
    title: &'static str,
    remediation: &'static S3DataEvents,
) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsAccount",
        fix: DATA_EVENTS_FIX,
        iam_actions: DATA_EVENTS_ACTIONS,
        disruptive: true,
        remediation,
    }
}

/// A CIS monitoring control: one row of the CIS alarm table.
const fn cis_alarm_rule(alarm: &'static CisMetricAlarm) -> Rule {
    Rule {
        control_id: alarm.control_id,
        title: alarm.title,
        resource_type: "AwsAccount",
        fix: CIS_ALARM_FIX,
        iam_actions: CIS_ALARM_ACTIONS,
        disruptive: false,
        remediation: alarm,
    }
}

static RULES: &[Rule] = &[
    Rule {
        control_id: "IAM.2",
        title: "IAM users should not have IAM policies attached",
        resource_type: "AwsIamUser",
        fix: "Moves the user's managed and inline policies to a group of its own (`hubfix-<user>`) and adds the user to it: same permissions, now through a group.",
        iam_actions: GROUP_ACTIONS,
        disruptive: true,
        remediation: &PoliciesThroughGroups,
    },
    Rule {
        control_id: "IAM.3",
        title: "IAM users' access keys should be rotated every 90 days or less",
        resource_type: "AwsIamUser",
        fix: "Deactivates the user's active access keys older than 90 days (reversible: reactivate after rotating).",
        iam_actions: KEY_ACTIONS,
        disruptive: true,
        remediation: &Credentials(CredentialRule::KeysOlderThan(90)),
    },
    root_rule("IAM.4", "IAM root user access key should not exist", &ROOT_ACCESS_KEYS),
    root_rule("IAM.6", "Hardware MFA should be enabled for the root user", &ROOT_HARDWARE_MFA),
    password_rule("IAM.7", "Password policies for IAM users should have strong configurations"),
    Rule {
        control_id: "IAM.8",
        title: "Unused IAM user credentials should be removed",
        resource_type: "AwsIamUser",
        fix: "Deactivates access keys unused for 90 days and deletes a console password unused for 90 days.",
        iam_actions: UNUSED_ACTIONS,
        disruptive: true,
        remediation: &Credentials(CredentialRule::UnusedFor(90)),
    },
    root_rule("IAM.9", "MFA should be enabled for the root user", &ROOT_MFA),
    password_rule("IAM.10", "Password policies for IAM users should have strong AWS Configurations"),
    password_rule("IAM.11", "Ensure IAM password policy requires at least one uppercase letter"),
    password_rule("IAM.12", "Ensure IAM password policy requires at least one lowercase letter"),
    password_rule("IAM.13", "Ensure IAM password policy requires at least one symbol"),
    password_rule("IAM.14", "Ensure IAM password policy requires at least one number"),
    password_rule("IAM.15", "Ensure IAM password policy requires minimum password length of 14 or greater"),
    password_rule("IAM.16", "Ensure IAM password policy prevents password reuse"),
    password_rule("IAM.17", "Ensure IAM password policy expires passwords within 90 days or less"),
    Rule {
        control_id: "IAM.18",
        title: "Ensure a support role has been created to manage incidents with AWS Support",
        resource_type: "AwsAccount",
        fix: "Creates the role `hubfix-aws-support` with AWSSupportAccess, assumable by the account's principals, when no role has that policy.",
        iam_actions: &[
            "iam:ListEntitiesForPolicy",
            "iam:GetRole",
            "iam:CreateRole",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:DeleteRole",
        ],
        disruptive: false,
        remediation: &SupportRole,
    },
    Rule {
        control_id: "IAM.22",
        title: "IAM user credentials unused for 45 days should be removed",
        resource_type: "AwsIamUser",
        fix: "Deactivates access keys unused for 45 days and deletes a console password unused for 45 days.",
        iam_actions: UNUSED_ACTIONS,
        disruptive: true,
        remediation: &Credentials(CredentialRule::UnusedFor(45)),
    },
    Rule {
        control_id: "IAM.26",
        title: "Expired SSL/TLS certificates managed in IAM should be removed",
        resource_type: "AwsAccount",
        fix: "Deletes the server certificates in IAM that have expired.",
        iam_actions: &["iam:ListServerCertificates", "iam:DeleteServerCertificate"],
        disruptive: true,
        remediation: &ExpiredServerCertificates,
    },
    Rule {
        control_id: "IAM.28",
        title: "IAM Access Analyzer external access analyzer should be enabled",
        resource_type: "AwsAccount",
        fix: "Creates an account external access analyzer (`hubfix-account-analyzer`) in the region when none is active.",
        iam_actions: &[
            "access-analyzer:ListAnalyzers",
            "access-analyzer:CreateAnalyzer",
            "access-analyzer:DeleteAnalyzer",
            "iam:CreateServiceLinkedRole",
        ],
        disruptive: false,
        remediation: &ExternalAccessAnalyzer,
    },
    Rule {
        control_id: "CIS.1.13",
        title: "Ensure there is only one active access key available for any single IAM user (CIS 1.4.0 1.13)",
        resource_type: "AwsIamUser",
        fix: "Deactivates every active access key of the user but the newest.",
        iam_actions: KEY_ACTIONS,
        disruptive: true,
        remediation: &Credentials(CredentialRule::OneActiveKey),
    },
    Rule {
        control_id: "CIS.1.15",
        title: "Ensure IAM users receive permissions only through groups (CIS 1.4.0 1.15)",
        resource_type: "AwsIamUser",
        fix: "Moves the user's managed and inline policies to a group of its own (`hubfix-<user>`) and adds the user to it: same permissions, now through a group.",
        iam_actions: GROUP_ACTIONS,
        disruptive: true,
        remediation: &PoliciesThroughGroups,
    },
    data_events_rule(
        "CIS.3.10",
        "Ensure that Object-level logging for write events is enabled for S3 bucket (CIS 1.4.0 3.10)",
        &S3DataEvents(S3Access::Write),
    ),
    data_events_rule(
        "CIS.3.11",
        "Ensure that Object-level logging for read events is enabled for S3 bucket (CIS 1.4.0 3.11)",
        &S3DataEvents(S3Access::Read),
    ),
    Rule {
        control_id: "CIS.2.1.3",
        title: "Ensure MFA Delete is enabled on S3 buckets (CIS 1.4.0 2.1.3)",
        resource_type: "AwsS3Bucket",
        fix: "Manual: only the root user, with its MFA device, can enable MFA delete; the note gives the steps.",
        iam_actions: &[],
        disruptive: false,
        remediation: &MFA_DELETE,
    },
    Rule {
        control_id: "S3.1",
        title: "S3 general purpose buckets should have block public access settings enabled",
        resource_type: "AwsAccount",
        fix: "Turns on all four account-level S3 Block Public Access settings.",
        iam_actions: ACCOUNT_PAB_ACTIONS,
        disruptive: true,
        remediation: &AccountBlockPublicAccess,
    },
    Rule {
        control_id: "S3.2",
        title: "S3 general purpose buckets should block public read access",
        resource_type: "AwsS3Bucket",
        fix: "Turns on the bucket's Block Public Access settings and removes ACL grants to AllUsers and AuthenticatedUsers.",
        iam_actions: PUBLIC_READ_WRITE_ACTIONS,
        disruptive: false,
        remediation: &BlockPublicReadWrite,
    },
    Rule {
        control_id: "S3.3",
        title: "S3 general purpose buckets should block public write access",
        resource_type: "AwsS3Bucket",
        fix: "Turns on the bucket's Block Public Access settings and removes ACL grants to AllUsers and AuthenticatedUsers.",
        iam_actions: PUBLIC_READ_WRITE_ACTIONS,
        disruptive: false,
        remediation: &BlockPublicReadWrite,
    },
    Rule {
        control_id: "S3.4",
        title: "S3 general purpose buckets should have server-side encryption enabled",
        resource_type: "AwsS3Bucket",
        fix: "Sets default encryption: the configured KMS key (HUBFIX_S3_KMS_KEY), else SSE-S3.",
        iam_actions: ENCRYPTION_ACTIONS,
        disruptive: false,
        remediation: &DefaultEncryption { require_kms: false },
    },
    Rule {
        control_id: "S3.5",
        title: "S3 general purpose buckets should require requests to use SSL",
        resource_type: "AwsS3Bucket",
        fix: "Adds a statement denying requests without TLS to the bucket policy, keeping every existing statement.",
        iam_actions: &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:GetBucketTagging",
        ],
        disruptive: false,
        remediation: &DenyInsecureTransport,
    },
    Rule {
        control_id: "S3.6",
        title: "S3 general purpose bucket policies should restrict access to other AWS accounts",
        resource_type: "AwsS3Bucket",
        fix: "Removes the grants of DeleteBucketPolicy, PutBucketAcl, PutBucketPolicy, PutEncryptionConfiguration and PutObjectAcl to other accounts from the bucket policy (the actions, or the statement when it only grants those or a wildcard).",
        iam_actions: &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:GetBucketTagging",
        ],
        disruptive: true,
        remediation: &RestrictCrossAccountGrants,
    },
    Rule {
        control_id: "S3.8",
        title: "S3 general purpose buckets should block public access",
        resource_type: "AwsS3Bucket",
        fix: "Turns on all four Block Public Access settings of the bucket.",
        iam_actions: BUCKET_PAB_ACTIONS,
        disruptive: false,
        remediation: &BucketBlockPublicAccess,
    },
    Rule {
        control_id: "S3.9",
        title: "S3 general purpose buckets should have server access logging enabled",
        resource_type: "AwsS3Bucket",
        fix: "Turns on server access logging to the configured log bucket (HUBFIX_S3_ACCESS_LOG_BUCKET), prefix `<bucket>/`.",
        iam_actions: &["s3:GetBucketLogging", "s3:PutBucketLogging", "s3:GetBucketTagging"],
        disruptive: false,
        remediation: &AccessLogging,
    },
    Rule {
        control_id: "S3.13",
        title: "S3 general purpose buckets should have Lifecycle configurations",
        resource_type: "AwsS3Bucket",
        fix: "Adds a lifecycle rule that touches no current object: noncurrent versions expire and incomplete multipart uploads are aborted after configurable days.",
        iam_actions: &[
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:GetBucketTagging",
        ],
        disruptive: true,
        remediation: &Lifecycle,
    },
    Rule {
        control_id: "S3.14",
        title: "S3 general purpose buckets should have versioning enabled",
        resource_type: "AwsS3Bucket",
        fix: "Enables versioning.",
        iam_actions: &["s3:GetBucketVersioning", "s3:PutBucketVersioning", "s3:GetBucketTagging"],
        disruptive: false,
        remediation: &Versioning,
    },
    Rule {
        control_id: "S3.17",
        title: "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
        resource_type: "AwsS3Bucket",
        fix: "Sets default encryption to SSE-KMS with the configured key (HUBFIX_S3_KMS_KEY), else the AWS-managed key aws/s3, with an S3 Bucket Key.",
        iam_actions: ENCRYPTION_ACTIONS,
        disruptive: true,
        remediation: &DefaultEncryption { require_kms: true },
    },
    Rule {
        control_id: "S3.19",
        title: "S3 access points should have block public access settings enabled",
        resource_type: "AwsS3AccessPoint",
        fix: "Manual: an access point's Block Public Access settings are fixed at creation; the note gives the steps.",
        iam_actions: &[],
        disruptive: false,
        remediation: &Manual {
            steps: "an access point's Block Public Access settings cannot be changed after creation. Create a replacement access point with all four settings on, move its clients and policy to it, then delete this one.",
        },
    },
    Rule {
        control_id: "S3.20",
        title: "S3 general purpose buckets should have MFA delete enabled",
        resource_type: "AwsS3Bucket",
        fix: "Manual: only the root user, with its MFA device, can enable MFA delete; the note gives the steps (as CIS.2.1.3).",
        iam_actions: &[],
        disruptive: false,
        remediation: &MFA_DELETE,
    },
    data_events_rule(
        "S3.22",
        "S3 general purpose buckets should log object-level write events",
        &S3DataEvents(S3Access::Write),
    ),
    data_events_rule(
        "S3.23",
        "S3 general purpose buckets should log object-level read events",
        &S3DataEvents(S3Access::Read),
    ),
    Rule {
        control_id: "EC2.1",
        title: "Amazon EBS snapshots should not be publicly restorable",
        resource_type: "AwsAccount",
        fix: "Removes the public (`all`) create-volume permission from every snapshot the account owns in the region.",
        iam_actions: &["ec2:DescribeSnapshots", "ec2:ModifySnapshotAttribute"],
        disruptive: false,
        remediation: &PrivateSnapshots,
    },
    Rule {
        control_id: "EC2.2",
        title: "VPC default security groups should not allow inbound or outbound traffic",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes every inbound and outbound rule of the VPC's default security group.",
        iam_actions: &[
            "ec2:DescribeSecurityGroups",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
        ],
        disruptive: true,
        remediation: &RestrictDefaultGroup,
    },
    encryption_rule(
        "EC2.3",
        "Attached Amazon EBS volumes should be encrypted at-rest",
        "AwsEc2Volume",
        &EBS_VOLUME_ENCRYPTION,
    ),
    Rule {
        control_id: "EC2.4",
        title: "Stopped EC2 instances should be removed after a specified time period",
        resource_type: "AwsEc2Instance",
        fix: "On approval only, never automatically: snapshots the instance's volumes, then terminates it.",
        iam_actions: &[
            "ec2:DescribeInstances",
            "ec2:CreateSnapshot",
            "ec2:CreateTags",
            "ec2:TerminateInstances",
            "ec2:DescribeSnapshots",
        ],
        disruptive: true,
        remediation: &TerminateStoppedInstance,
    },
    Rule {
        control_id: "EC2.6",
        title: "VPC flow logging should be enabled in all VPCs",
        resource_type: "AwsEc2Vpc",
        fix: "Creates a flow log of rejected traffic to the configured destination (HUBFIX_FLOW_LOG_DESTINATION: S3 bucket or CloudWatch Logs group).",
        iam_actions: &[
            "ec2:DescribeVpcs",
            "ec2:DescribeFlowLogs",
            "ec2:CreateFlowLogs",
            "ec2:CreateTags",
            "ec2:DeleteFlowLogs",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "iam:PassRole",
        ],
        disruptive: false,
        remediation: &VpcFlowLogs,
    },
    Rule {
        control_id: "EC2.7",
        title: "EBS default encryption should be enabled",
        resource_type: "AwsAccount",
        fix: "Turns on EBS encryption by default in the region.",
        iam_actions: &[
            "ec2:GetEbsEncryptionByDefault",
            "ec2:EnableEbsEncryptionByDefault",
            "ec2:DisableEbsEncryptionByDefault",
        ],
        disruptive: false,
        remediation: &EbsEncryptionByDefault,
    },
    Rule {
        control_id: "EC2.8",
        title: "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
        resource_type: "AwsEc2Instance",
        fix: "Requires IMDSv2 session tokens on the instance (software still on IMDSv1 loses metadata access).",
        iam_actions: &["ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"],
        disruptive: true,
        remediation: &RequireImdsV2,
    },
    Rule {
        control_id: "EC2.13",
        title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(&[22]),
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.14",
        title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 3389 to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(&[3389]),
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.15",
        title: "Amazon EC2 subnets should not automatically assign public IP addresses",
        resource_type: "AwsEc2Subnet",
        fix: "Turns off auto-assign public IPv4 on launch for the subnet (running instances keep theirs).",
        iam_actions: &["ec2:DescribeSubnets", "ec2:ModifySubnetAttribute"],
        disruptive: false,
        remediation: &NoPublicIpOnLaunch,
    },
    Rule {
        control_id: "EC2.18",
        title: "Security groups should only allow unrestricted incoming traffic for authorized ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open ports other than the configured public ones (HUBFIX_EC2_PUBLIC_PORTS, default 80,443) to 0.0.0.0/0 or ::/0.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::AllButPublic,
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.19",
        title: "Security groups should not allow unrestricted access to ports with high risk",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open a high-risk port to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(HIGH_RISK_PORTS),
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.21",
        title: "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
        resource_type: "AwsEc2NetworkAcl",
        fix: "Deletes the inbound allow entries that open port 22 or 3389 to 0.0.0.0/0 or ::/0; other entries stay.",
        iam_actions: &[
            "ec2:DescribeNetworkAcls",
            "ec2:DeleteNetworkAclEntry",
            "ec2:CreateNetworkAclEntry",
        ],
        disruptive: false,
        remediation: &NaclAdminPorts,
    },
    Rule {
        control_id: "EC2.53",
        title: "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 or 3389 to 0.0.0.0/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(ADMIN_PORTS),
            ipv4: true,
            ipv6: false,
        }),
    },
    Rule {
        control_id: "EC2.54",
        title: "EC2 security groups should not allow ingress from ::/0 to remote server administration ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 or 3389 to ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        disruptive: false,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(ADMIN_PORTS),
            ipv4: false,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "RDS.1",
        title: "RDS snapshot should be private",
        resource_type: "AwsRdsDbSnapshot",
        fix: "Removes the public (`all`) restore permission from the manual DB snapshot; the accounts it is shared with keep theirs.",
        iam_actions: &[
            "rds:DescribeDBSnapshots",
            "rds:DescribeDBSnapshotAttributes",
            "rds:ModifyDBSnapshotAttribute",
        ],
        disruptive: false,
        remediation: &PrivateDbSnapshot,
    },
    rds_instance_rule(
        "RDS.2",
        "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration",
        "Turns off public accessibility of the DB instance: its endpoint resolves to a private address, so clients outside the VPC lose access.",
        true,
        &InstanceFlag {
            setting: InstanceSetting::PubliclyAccessible,
            want: false,
        },
    ),
    encryption_rule(
        "RDS.3",
        "RDS DB instances should have encryption at-rest enabled",
        "AwsRdsDbInstance",
        &RDS_INSTANCE_ENCRYPTION,
    ),
    encryption_rule(
        "RDS.4",
        "RDS cluster snapshots and database snapshots should be encrypted at rest",
        "AwsRdsDbSnapshot",
        &RDS_SNAPSHOT_ENCRYPTION,
    ),
    Rule {
        control_id: "RDS.7",
        title: "RDS clusters should have deletion protection enabled",
        resource_type: "AwsRdsDbCluster",
        fix: "Turns on deletion protection of the DB cluster.",
        iam_actions: &["rds:DescribeDBClusters", "rds:ModifyDBCluster"],
        disruptive: false,
        remediation: &ClusterDeletionProtection,
    },
    rds_instance_rule(
        "RDS.8",
        "RDS DB instances should have deletion protection enabled",
        "Turns on deletion protection of the DB instance (of an Aurora instance: the note points to its cluster).",
        false,
        &InstanceFlag {
            setting: InstanceSetting::DeletionProtection,
            want: true,
        },
    ),
    Rule {
        control_id: "RDS.11",
        title: "RDS instances should have automatic backups enabled",
        resource_type: "AwsRdsDbInstance",
        fix: "Raises the automated backup retention to the configured days (HUBFIX_RDS_BACKUP_RETENTION_DAYS, default 7), in the next maintenance window; turning backups on from 0 days causes a brief outage there.",
        iam_actions: RDS_INSTANCE_ACTIONS,
        disruptive: true,
        remediation: &BackupRetention,
    },
    rds_instance_rule(
        "RDS.13",
        "RDS automatic minor version upgrades should be enabled",
        "Turns on automatic minor version upgrades of the DB instance (applied in its maintenance window).",
        false,
        &InstanceFlag {
            setting: InstanceSetting::AutoMinorVersionUpgrade,
            want: true,
        },
    ),
    rds_instance_rule(
        "RDS.17",
        "RDS DB instances should be configured to copy tags to snapshots",
        "Turns on copying the DB instance's tags to its snapshots.",
        false,
        &InstanceFlag {
            setting: InstanceSetting::CopyTagsToSnapshot,
            want: true,
        },
    ),
    Rule {
        control_id: "Lambda.1",
        title: "Lambda function policies should prohibit public access",
        resource_type: "AwsLambdaFunction",
        fix: "Removes the function policy statements that let anyone (`*`) invoke it without an account, organization or source condition, and limits S3 invoke statements to the function's account (`AWS:SourceAccount`).",
        iam_actions: &[
            "lambda:ListTags",
            "lambda:GetPolicy",
            "lambda:RemovePermission",
            "lambda:AddPermission",
        ],
        disruptive: true,
        remediation: &PublicInvoke,
    },
    Rule {
        control_id: "SNS.1",
        title: "SNS topics should be encrypted at-rest using AWS KMS",
        resource_type: "AwsSnsTopic",
        fix: "Encrypts the topic with the configured customer managed KMS key (HUBFIX_SNS_KMS_KEY); unset, the finding is noted as needing it.",
        iam_actions: &[
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListTagsForResource",
        ],
        disruptive: true,
        remediation: &SnsEncryption,
    },
    Rule {
        control_id: "SQS.1",
        title: "Amazon SQS queues should be encrypted at rest",
        resource_type: "AwsSqsQueue",
        fix: "Encrypts the queue with the configured KMS key (HUBFIX_SQS_KMS_KEY), else with SQS-managed keys (SSE-SQS).",
        iam_actions: &[
            "sqs:GetQueueUrl",
            "sqs:GetQueueAttributes",
            "sqs:SetQueueAttributes",
            "sqs:ListQueueTags",
        ],
        disruptive: false,
        remediation: &SqsEncryption,
    },
    Rule {
        control_id: "DynamoDB.2",
        title: "DynamoDB tables should have point-in-time recovery enabled",
        resource_type: "AwsDynamoDbTable",
        fix: "Turns on point-in-time recovery of the table.",
        iam_actions: &[
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:ListTagsOfResource",
        ],
        disruptive: false,
        remediation: &PointInTimeRecovery,
    },
    Rule {
        control_id: "ECR.1",
        title: "ECR private repositories should have image scanning configured",
        resource_type: "AwsEcrRepository",
        fix: "Turns on scan on push for the repository.",
        iam_actions: &[
            "ecr:DescribeRepositories",
            "ecr:ListTagsForResource",
            "ecr:PutImageScanningConfiguration",
        ],
        disruptive: false,
        remediation: &ScanOnPush,
    },
    Rule {
        control_id: "ECR.2",
        title: "ECR private repositories should have tag immutability configured",
        resource_type: "AwsEcrRepository",
        fix: "Makes the repository's image tags immutable (pushing an existing tag, such as `latest`, then fails).",
        iam_actions: &[
            "ecr:DescribeRepositories",
            "ecr:ListTagsForResource",
            "ecr:PutImageTagMutability",
        ],
        disruptive: true,
        remediation: &TagImmutability,
    },
    Rule {
        control_id: "SecretsManager.1",
        title: "Secrets Manager secrets should have automatic rotation enabled",
        resource_type: "AwsSecretsManagerSecret",
        fix: "Turns on automatic rotation every HUBFIX_SECRETS_ROTATION_DAYS (default 30) with the secret's own rotation function, else the configured one (HUBFIX_SECRETS_ROTATION_LAMBDA_ARN); without either the finding is noted as needing it.",
        iam_actions: &[
            "secretsmanager:DescribeSecret",
            "secretsmanager:RotateSecret",
            "secretsmanager:CancelRotateSecret",
            "lambda:InvokeFunction",
        ],
        disruptive: true,
        remediation: &SecretRotation,
    },
    Rule {
        control_id: "CodeBuild.2",
        title: "CodeBuild project environment variables should not contain clear text credentials",
        resource_type: "AwsCodeBuildProject",
        fix: "Removes the plain-text AWS credential variables (named in the note, never their values) from the project; builds then use its service role. Cannot be undone: hubfix never keeps the values.",
        iam_actions: &["codebuild:BatchGetProjects", "codebuild:UpdateProject"],
        disruptive: true,
        remediation: &PlaintextCredentials,
    },
    Rule {
        control_id: "ELB.1",
        title: "Application Load Balancer should be configured to redirect all HTTP requests to HTTPS",
        resource_type: "AwsElbv2LoadBalancer",
        fix: "Sets each HTTP listener's default action to a permanent redirect to the load balancer's HTTPS listener; without an HTTPS listener, the note gives the steps.",
        iam_actions: &[
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:ModifyListener",
        ],
        disruptive: true,
        remediation: &HttpsRedirect,
    },
    Rule {
        control_id: "ELB.6",
        title: "Application, Gateway, and Network Load Balancers should have deletion protection enabled",
        resource_type: "AwsElbv2LoadBalancer",
        fix: "Turns on deletion protection of the load balancer.",
        iam_actions: &[
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
        ],
        disruptive: false,
        remediation: &DeletionProtection,
    },
    encryption_rule(
        "EFS.1",
        "Elastic File System should be configured to encrypt file data at-rest using AWS KMS",
        "AwsEfsFileSystem",
        &EFS_ENCRYPTION,
    ),
    Rule {
        control_id: "KMS.4",
        title: "AWS KMS key rotation should be enabled",
        resource_type: "AwsKmsKey",
        fix: "Turns on automatic yearly rotation of the symmetric customer managed key (old key material stays usable for decryption).",
        iam_actions: &[
            "kms:DescribeKey",
            "kms:ListResourceTags",
            "kms:GetKeyRotationStatus",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
        ],
        disruptive: false,
        remediation: &KeyRotation,
    },
    Rule {
        control_id: "GuardDuty.1",
        title: "GuardDuty should be enabled",
        resource_type: "AwsAccount",
        fix: "Enables the region's GuardDuty detector, or creates an enabled one (tagged `hubfix:created`) when there is none.",
        iam_actions: &[
            "guardduty:ListDetectors",
            "guardduty:GetDetector",
            "guardduty:CreateDetector",
            "guardduty:UpdateDetector",
            "guardduty:DeleteDetector",
            "guardduty:TagResource",
            "iam:CreateServiceLinkedRole",
        ],
        disruptive: true,
        remediation: &GuardDutyDetector,
    },
    Rule {
        control_id: "Config.1",
        title: "AWS Config should be enabled and use the service-linked role for resource recording",
        resource_type: "AwsAccount",
        fix: "Sets the region's Config recorder to record all resource types (creating `default` with the configured role, else the service-linked role), creates a delivery channel to the configured bucket (HUBFIX_CONFIG_BUCKET) when there is none, and starts recording.",
        iam_actions: &[
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
            "config:PutConfigurationRecorder",
            "config:PutDeliveryChannel",
            "config:StartConfigurationRecorder",
            "config:StopConfigurationRecorder",
            "config:DeleteDeliveryChannel",
            "config:DeleteConfigurationRecorder",
            "iam:PassRole",
            "iam:CreateServiceLinkedRole",
        ],
        disruptive: true,
        remediation: &ConfigRecording,
    },
    Rule {
        control_id: "CloudTrail.1",
        title: "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events",
        resource_type: "AwsAccount",
        fix: "Starts a stopped multi-region trail that logs read and write management events; when there is none, creates `hubfix-trail` (multi-region, log file validation, the HUBFIX_TRAIL_KMS_KEY key when set) with a dedicated bucket `hubfix-cloudtrail-<account>-<region>` (Block Public Access, encrypted, TLS-only policy admitting only the trail, access-logged when HUBFIX_S3_ACCESS_LOG_BUCKET is set), all tagged `hubfix:created`.",
        iam_actions: &[
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:CreateTrail",
            "cloudtrail:AddTags",
            "cloudtrail:ListTags",
            "cloudtrail:StartLogging",
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
            "s3:ListBucket",
            "s3:CreateBucket",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketPolicy",
            "s3:PutBucketTagging",
            "s3:GetBucketTagging",
            "s3:PutBucketLogging",
            "s3:DeleteBucket",
        ],
        disruptive: false,
        remediation: &MultiRegionTrail,
    },
    Rule {
        control_id: "CloudTrail.2",
        title: "CloudTrail should have encryption at-rest enabled",
        resource_type: "AwsCloudTrailTrail",
        fix: "Encrypts the trail's log files with the configured KMS key (HUBFIX_TRAIL_KMS_KEY; its key policy must let CloudTrail use it), else with `alias/hubfix-cloudtrail`, created once with a key policy for CloudTrail and rotation on (kept on undo: the logs need it).",
        iam_actions: &[
            "cloudtrail:GetTrail",
            "cloudtrail:ListTags",
            "cloudtrail:UpdateTrail",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:CreateKey",
            "kms:TagResource",
            "kms:CreateAlias",
            "kms:EnableKeyRotation",
        ],
        disruptive: false,
        remediation: &TrailEncryption,
    },
    Rule {
        control_id: "CloudTrail.4",
        title: "CloudTrail log file validation should be enabled",
        resource_type: "AwsCloudTrailTrail",
        fix: "Turns on log file validation of the trail.",
        iam_actions: &["cloudtrail:GetTrail", "cloudtrail:ListTags", "cloudtrail:UpdateTrail"],
        disruptive: false,
        remediation: &LogFileValidation,
    },
    Rule {
        control_id: "CloudTrail.5",
        title: "CloudTrail trails should be integrated with Amazon CloudWatch Logs",
        resource_type: "AwsCloudTrailTrail",
        fix: "Makes the trail deliver to the log group HUBFIX_TRAIL_LOG_GROUP (default `hubfix-cloudtrail`, created with a year's retention when missing) with the role HUBFIX_TRAIL_LOGS_ROLE_ARN, else `hubfix-cloudtrail-logs` (created: only CloudTrail can assume it, it can only write to that log group).",
        iam_actions: &[
            "cloudtrail:GetTrail",
            "cloudtrail:ListTags",
            "cloudtrail:UpdateTrail",
            "logs:DescribeLogGroups",
            "logs:CreateLogGroup",
            "logs:TagResource",
            "logs:PutRetentionPolicy",
            "logs:ListTagsForResource",
            "logs:DescribeLogStreams",
            "logs:DeleteLogGroup",
            "iam:GetRole",
            "iam:CreateRole",
            "iam:TagRole",
            "iam:PutRolePolicy",
            "iam:ListRoleTags",
            "iam:DeleteRolePolicy",
            "iam:DeleteRole",
            "iam:PassRole",
        ],
        disruptive: true,
        remediation: &CloudWatchDelivery,
    },
    Rule {
        control_id: "CloudTrail.6",
        title: "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible",
        resource_type: "AwsS3Bucket",
        fix: "Turns on the Block Public Access settings of the CloudTrail log bucket the finding names and removes its ACL grants to AllUsers and AuthenticatedUsers (as S3.2).",
        iam_actions: &[
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
            "s3:GetBucketAcl",
            "s3:PutBucketAcl",
            "s3:GetBucketTagging",
        ],
        disruptive: false,
        remediation: &TrailBucket {
            inner: &BlockPublicReadWrite,
            control: "CloudTrail.6",
            needs_log_bucket: false,
        },
    },
    Rule {
        control_id: "CloudTrail.7",
        title: "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
        resource_type: "AwsS3Bucket",
        fix: "Turns on server access logging of the CloudTrail log bucket the finding names to the configured log bucket (HUBFIX_S3_ACCESS_LOG_BUCKET), prefix `<bucket>/` (as S3.9).",
        iam_actions: &[
            "s3:GetBucketLogging",
            "s3:PutBucketLogging",
            "s3:GetBucketTagging",
        ],
        disruptive: false,
        remediation: &TrailBucket {
            inner: &AccessLogging,
            control: "CloudTrail.7",
            needs_log_bucket: true,
        },
    },
    cis_alarm_rule(&CIS_ALARMS[0]),
    cis_alarm_rule(&CIS_ALARMS[1]),
    cis_alarm_rule(&CIS_ALARMS[2]),
    cis_alarm_rule(&CIS_ALARMS[3]),
    cis_alarm_rule(&CIS_ALARMS[4]),
    cis_alarm_rule(&CIS_ALARMS[5]),
    cis_alarm_rule(&CIS_ALARMS[6]),
    cis_alarm_rule(&CIS_ALARMS[7]),
    cis_alarm_rule(&CIS_ALARMS[8]),
    cis_alarm_rule(&CIS_ALARMS[9]),
    cis_alarm_rule(&CIS_ALARMS[10]),
    cis_alarm_rule(&CIS_ALARMS[11]),
    cis_alarm_rule(&CIS_ALARMS[12]),
    cis_alarm_rule(&CIS_ALARMS[13]),
    cis_alarm_rule(&CIS_ALARMS[14]),
    cis_alarm_rule(&CIS_ALARMS[15]),
    cis_alarm_rule(&CIS_ALARMS[16]),
    cis_alarm_rule(&CIS_ALARMS[17]),
];

/// Controls whose fix deletes resources: never automatic, whatever the configuration.
pub const NEVER_AUTOMATIC: &[&str] = &["EC2.4"];

/// Name of the custom action that isolates an EC2 instance.
pub const ACTION_ISOLATE_INSTANCE: &str = "IsolateInstance";

/// Custom actions that act on a resource whatever the finding's control (any finding
/// naming an EC2 instance, GuardDuty's included). `control_id` holds the action name.
static ACTION_RULES: [Rule; 1] = [Rule {
    control_id: ACTION_ISOLATE_INSTANCE,
    title: "Isolate an EC2 instance for incident response",
    resource_type: "AwsEc2Instance",
    fix: "Moves the instance into a VPC isolation security group with no rules (created once, reused), keeps its original groups in a tag, snapshots its volumes and tags it.",
    iam_actions: &[
        "ec2:DescribeInstances",
        "ec2:DescribeSecurityGroups",
        "ec2:CreateSecurityGroup",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifyInstanceAttribute",
        "ec2:CreateSnapshot",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:DescribeSnapshots",
    ],
    disruptive: true,
    remediation: &IsolateInstance,
}];

/// The custom actions that are rules of their own (see [`ACTION_RULES`]).
pub fn action_rules() -> &'static [Rule] {
    &ACTION_RULES
}

/// Every rule hubfix knows, ordered by control id.
pub fn rules() -> &'static [Rule] {
    RULES
}

/// The rule for a security control id, if hubfix supports it.
pub fn rule(control_id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.control_id == control_id)
}

/// The rule of a control or of a custom action (`IsolateInstance`), by the id an
/// outcome or audit record names it with.
pub fn find(rule_id: &str) -> Option<&'static Rule> {
    rule(rule_id).or_else(|| ACTION_RULES.iter().find(|r| r.control_id == rule_id))
}

/// Every IAM action any rule, custom action or configured SSM runbook needs, sorted and
/// without duplicates.
pub fn all_iam_actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = RULES
        .iter()
        .chain(ACTION_RULES.iter())
        .flat_map(|r| r.iam_actions.iter().copied())
        .chain(crate::remediate::ssm::runbook::IAM_ACTIONS.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// The supported-controls table of docs/controls.md, generated from the registry.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Control | Title | Resource | What hubfix does | Default mode |\n|---|---|---|---|---|\n",
    );
    for r in rules() {
        let mode = if r.disruptive { "approval" } else { "auto" };
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            r.control_id, r.title, r.resource_type, r.fix, mode
        ));
    }
    out
}

/// Rules for the configured runbooks, built once per distinct configuration and kept
/// for the life of the process (rules are `'static`, like the registry's).
type RunbookKey = (String, RunbookSpec, Option<String>, Duration);

static RUNBOOK_RULES: OnceLock<Mutex<HashMap<RunbookKey, &'static Rule>>> = OnceLock::new();

/// The rule that fixes `control` with its configured runbook, if one is configured:
/// the native rule's title and resource type, its IAM actions plus the runbook's.
pub fn runbook_rule(control: &str, settings: &CatalogueSettings) -> Option<&'static Rule> {
    let spec = settings.runbooks.get(control)?;
    let key = (
        control.to_owned(),
        spec.clone(),
        settings.runbook_role_arn.clone(),
        settings.runbook_wait,
    );
    let rules = RUNBOOK_RULES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut rules = rules
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let rule = rules.entry(key).or_insert_with(|| {
        let native = rule(control);
        let remediation: &'static Runbook =
            Box::leak(Box::new(Runbook::new(control, spec, settings, native)));
        let mut actions: Vec<&'static str> =
            native.map(|r| r.iam_actions.to_vec()).unwrap_or_default();
        actions.extend_from_slice(runbook::IAM_ACTIONS);
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        Box::leak(Box::new(Rule {
            control_id: leak(control.to_owned()),
            title: native
                .map(|r| r.title)
                .unwrap_or_else(|| leak(format!("{control} (SSM runbook {})", spec.document))),
            resource_type: native
                .map(|r| r.resource_type)
                .unwrap_or(runbook::ANY_RESOURCE),
            fix: leak(format!(
                "Runs the SSM Automation runbook {} and waits for it",
                spec.document
            )),
            iam_actions: Box::leak(actions.into_boxed_slice()),
            disruptive: native.is_none_or(|r| r.disruptive),
            remediation,
        }))
    });
    Some(*rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_are_unique_and_sorted_for_lookup() {
        let mut ids: Vec<_> = rules().iter().map(|r| r.control_id).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(rule("EC2.19").unwrap().resource_type, "AwsEc2SecurityGroup");
        assert!(rule("S3.99").is_none());
    }

    #[test]
    fn every_rule_declares_iam_actions_without_wildcards() {
        for r in rules().iter().chain(action_rules()) {
            for a in r.iam_actions {
                let (service, action) = a.split_once(':').unwrap();
                assert!(!service.is_empty() && !action.is_empty(), "{a}");
                assert!(!a.contains('*'), "{a}");
            }
        }
        assert!(all_iam_actions().contains(&"s3:PutAccountPublicAccessBlock"));
    }

    #[test]
    fn markdown_table_lists_every_rule() {
        let table = markdown_table();
        for r in rules() {
            assert!(table.contains(&format!("`{}`", r.control_id)));
        }
    }
}
