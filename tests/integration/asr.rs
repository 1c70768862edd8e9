//! hubfix covers every control AWS's Automated Security Response on AWS (ASR) v3.1.5
//! remediates: each control of ASR's Security Control playbook has a rule here that
//! fixes it (never only manual steps), and docs/asr-comparison.md's table is generated
//! from this list and the registry.
//!
//! The list is ASR's `source/playbooks/SC/lib/sc_remediations.ts`
//! (aws-solutions/automated-security-response-on-aws), read at v3.0.2 and checked
//! against v4.0.0: its CHANGELOG records no change to the list from v3.0.2 through
//! v3.1.8, so v3.1.5's is the same 106 controls. The runbook names are the documents
//! ASR deploys (`source/lib/remediation-runbook-stack.ts`); the descriptions are ours.

use hubfix::registry;
use hubfix_tests::{check_generated, workspace};

/// ASR v3.1.5's Security Control playbook: control, the runbook ASR runs, what it does.
/// ASR spells `AutoScaling.5` `Autoscaling.5`.
const ASR_CONTROLS: &[(&str, &str, &str)] = &[
    ("Athena.4", "ASR-EnableAthenaWorkGroupLogging", "Turns on CloudWatch metrics/logging for an Athena workgroup"),
    ("APIGateway.1", "ASR-EnableAPIGatewayExecutionLogs", "Sets execution logging level (default INFO) on an API Gateway REST/WebSocket stage"),
    ("APIGateway.5", "ASR-EnableAPIGatewayCacheDataEncryption", "Encrypts cache data on an API Gateway REST API stage"),
    ("AutoScaling.1", "ASR-EnableAutoScalingGroupELBHealthCheck", "Switches an Auto Scaling group's health check type to ELB"),
    ("AutoScaling.3", "ASR-ConfigureAutoScalingLaunchConfigToRequireIMDSv2", "Replaces the launch configuration with one that requires IMDSv2"),
    ("AutoScaling.5", "ASR-ConfigureAutoScalingLaunchConfigNoPublicIP", "Replaces the launch configuration with one that does not assign public IPs"),
    ("CloudFormation.1", "ASR-ConfigureSNSTopicForStack", "Attaches an SNS notification topic to a CloudFormation stack"),
    ("CloudFront.1", "ASR-EnableCloudFrontDefaultRootObject", "Sets a default root object on a CloudFront distribution"),
    ("CloudFront.12", "ASR-SetCloudFrontOriginDomain", "Points a CloudFront origin that references a non-existent S3 bucket to a safe placeholder domain"),
    ("CloudTrail.1", "ASR-CreateCloudTrailMultiRegionTrail", "Creates an encrypted, multi-Region CloudTrail trail and its logging bucket"),
    ("CloudTrail.2", "ASR-EnableCloudTrailEncryption", "Enables KMS (SSE-KMS) encryption on a CloudTrail trail"),
    ("CloudTrail.3", "ASR-CreateCloudTrailMultiRegionTrail", "Same as CloudTrail.1"),
    ("CloudTrail.4", "ASR-EnableCloudTrailLogFileValidation", "Turns on log file integrity validation for a trail"),
    ("CloudTrail.5", "ASR-EnableCloudTrailToCloudWatchLogging", "Sends a trail's events to a CloudWatch Logs group"),
    ("CloudTrail.6", "ASR-ConfigureS3BucketPublicAccessBlock", "Blocks public access on the CloudTrail log bucket"),
    ("CloudTrail.7", "AWS-ConfigureS3BucketLogging, after ASR-CreateAccessLoggingBucket", "Creates an access-log bucket, then enables server access logging on the CloudTrail bucket"),
    ("CloudWatch.1", "ASR-CreateLogMetricFilterAndAlarm", "Adds a CIS metric filter and alarm, with SNS notification, to the CloudTrail log group"),
    ("CloudWatch.2", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1; the filter/alarm pattern is chosen per control ID"),
    ("CloudWatch.3", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.4", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.5", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.6", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.7", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.8", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.9", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.10", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.11", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.12", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.13", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.14", "ASR-CreateLogMetricFilterAndAlarm", "Same as CloudWatch.1"),
    ("CloudWatch.16", "ASR-SetLogGroupRetentionDays", "Sets log group retention (default minimum 365 days)"),
    ("CodeBuild.2", "ASR-ReplaceCodeBuildClearTextCredentials", "Moves clear-text credentials in CodeBuild environment variables into SSM parameters"),
    ("CodeBuild.5", "ASR-RemoveCodeBuildPrivilegedMode", "Turns off privileged mode on a CodeBuild project"),
    ("Config.1", "ASR-EnableAWSConfig", "Turns on AWS Config (recorder, delivery channel, bucket, SNS topic)"),
    ("DynamoDB.1", "ASR-ConfigureDynamoDBAutoScaling", "Registers read/write capacity auto scaling for a DynamoDB table"),
    ("DynamoDB.5", "ASR-TagDynamoDBTableResource", "Adds the required tag key(s) to a DynamoDB table"),
    ("DynamoDB.6", "ASR-EnableDynamoDBDeletionProtection", "Turns on deletion protection for a DynamoDB table"),
    ("ElastiCache.1", "ASR-EnableElastiCacheBackups", "Turns on automatic backups (snapshot retention) for a cluster"),
    ("ElastiCache.2", "ASR-EnableElastiCacheVersionUpgrades", "Turns on automatic minor version upgrades for a cluster"),
    ("ElastiCache.3", "ASR-EnableElastiCacheReplicationGroupFailover", "Turns on automatic failover for a replication group"),
    ("ECS.5", "ASR-LimitECSRootFilesystemAccess", "Registers a new task definition revision with a read-only root filesystem"),
    ("EC2.1", "ASR-MakeEBSSnapshotsPrivate", "Removes public restore permission from EBS snapshots"),
    ("EC2.2", "ASR-RemoveVPCDefaultSecurityGroupRules", "Removes all ingress and egress rules from a VPC's default security group"),
    ("EC2.4", "AWS-TerminateEC2Instance", "Terminates a long-stopped EC2 instance"),
    ("EC2.6", "ASR-EnableVPCFlowLogs", "Turns on VPC flow logs to CloudWatch Logs"),
    ("EC2.7", "ASR-EnableEbsEncryptionByDefault", "Turns on EBS encryption by default for the account and Region"),
    ("EC2.8", "ASR-EnableIMDSV2OnInstance", "Makes an EC2 instance require IMDSv2"),
    ("EC2.10", "ASR-AttachServiceVPCEndpoint", "Creates and attaches a service (default ec2) interface VPC endpoint"),
    ("EC2.13", "AWS-DisablePublicAccessForSecurityGroup", "Removes security-group ingress from 0.0.0.0/0 and ::/0 on SSH/RDP ports"),
    ("EC2.14", "AWS-DisablePublicAccessForSecurityGroup", "Same as EC2.13"),
    ("EC2.15", "ASR-DisablePublicIPAutoAssign", "Turns off public IP auto-assignment on a subnet"),
    ("EC2.18", "ASR-RevokeUnauthorizedInboundRules", "Revokes unrestricted inbound rules on ports outside the authorized list (default TCP 80/443)"),
    ("EC2.19", "ASR-DisableUnrestrictedAccessToHighRiskPorts", "Revokes unrestricted inbound access to high-risk ports"),
    ("EC2.23", "ASR-DisableTGWAutoAcceptSharedAttachments", "Stops a Transit Gateway from auto-accepting shared VPC attachments"),
    ("ELB.1", "ASR-EnforceHTTPSForALB", "Sets ALB HTTP listeners to redirect to HTTPS"),
    ("ECR.1", "ASR-EnablePrivateRepositoryScanning", "Turns on image scan-on-push for a private ECR repository"),
    ("IAM.3", "ASR-RevokeUnrotatedKeys", "Deactivates IAM access keys older than the maximum age (default 90 days)"),
    ("IAM.7", "ASR-SetIAMPasswordPolicy", "Sets a strong baseline account password policy"),
    ("IAM.8", "ASR-RevokeUnusedIAMUserCredentials", "Deactivates unused keys and passwords (90 days)"),
    ("IAM.11", "ASR-SetIAMPasswordPolicy", "Same as IAM.7"),
    ("IAM.12", "ASR-SetIAMPasswordPolicy", "Same as IAM.7"),
    ("IAM.13", "ASR-SetIAMPasswordPolicy", "Same as IAM.7"),
    ("IAM.14", "ASR-SetIAMPasswordPolicy", "Same as IAM.7"),
    ("IAM.15", "ASR-SetIAMPasswordPolicy", "Same as IAM.7"),
    ("IAM.16", "ASR-SetIAMPasswordPolicy", "Same as IAM.7"),
    ("IAM.17", "ASR-SetIAMPasswordPolicy", "Same as IAM.7"),
    ("IAM.18", "ASR-CreateIAMSupportRole", "Creates an IAM role for managing incidents with AWS Support"),
    ("IAM.22", "ASR-RevokeUnusedIAMUserCredentials", "Deactivates credentials unused for 45 days"),
    ("KMS.4", "ASR-EnableKeyRotation", "Turns on automatic rotation for a customer-managed KMS key"),
    ("Lambda.1", "ASR-RemoveLambdaPublicAccess", "Removes public-access statements from a Lambda function policy"),
    ("RDS.1", "ASR-MakeRDSSnapshotPrivate", "Makes a public RDS DB or cluster snapshot private"),
    ("RDS.2", "ASR-DisablePublicAccessToRDSInstance", "Turns off public accessibility on an RDS instance"),
    ("RDS.4", "ASR-EncryptRDSSnapshot", "Makes an encrypted copy of an unencrypted RDS snapshot"),
    ("RDS.5", "ASR-EnableMultiAZOnRDSInstance", "Turns on Multi-AZ for an RDS instance"),
    ("RDS.6", "ASR-EnableEnhancedMonitoringOnRDSInstance", "Turns on Enhanced Monitoring for an RDS instance"),
    ("RDS.7", "ASR-EnableRDSClusterDeletionProtection", "Turns on deletion protection for an RDS cluster"),
    ("RDS.8", "ASR-EnableRDSInstanceDeletionProtection", "Turns on deletion protection for an RDS instance"),
    ("RDS.13", "ASR-EnableMinorVersionUpgradeOnRDSDBInstance", "Turns on auto minor version upgrade for an RDS instance or Multi-AZ cluster"),
    ("RDS.16", "ASR-EnableCopyTagsToSnapshotOnRDSCluster", "Turns on copy-tags-to-snapshot for an RDS cluster"),
    ("Redshift.1", "ASR-DisablePublicAccessToRedshiftCluster", "Turns off public accessibility on a Redshift cluster"),
    ("Redshift.3", "ASR-EnableAutomaticSnapshotsOnRedshiftCluster", "Turns on automated snapshots (retention period) for a Redshift cluster"),
    ("Redshift.4", "ASR-EnableRedshiftClusterAuditLogging", "Turns on audit logging to S3 for a Redshift cluster"),
    ("Redshift.6", "ASR-EnableAutomaticVersionUpgradeOnRedshiftCluster", "Turns on automatic major version upgrade for a Redshift cluster"),
    ("S3.1", "ASR-ConfigureS3PublicAccessBlock", "Turns on account-level S3 Block Public Access"),
    ("S3.2", "ASR-ConfigureS3BucketPublicAccessBlock", "Turns on bucket-level S3 Block Public Access"),
    ("S3.3", "ASR-ConfigureS3BucketPublicAccessBlock", "Same as S3.2"),
    ("S3.4", "ASR-EnableDefaultEncryptionS3", "Turns on default encryption (SSE-KMS or AES-256) for a bucket"),
    ("S3.5", "ASR-SetSSLBucketPolicy", "Adds a bucket policy that denies non-SSL requests"),
    ("S3.6", "ASR-S3BlockDenylist", "Adds an explicit deny for listed sensitive actions from other accounts to the bucket policy"),
    ("S3.8", "ASR-ConfigureS3BucketPublicAccessBlock", "Same as S3.2"),
    ("S3.9", "AWS-ConfigureS3BucketLogging, after ASR-CreateAccessLoggingBucket", "Same as CloudTrail.7: enables server access logging"),
    ("S3.11", "ASR-EnableBucketEventNotifications", "Sends bucket event notifications to an SNS topic"),
    ("S3.13", "ASR-SetS3LifecyclePolicy", "Adds an example lifecycle rule (move to Intelligent-Tiering after 30 days)"),
    ("SecretsManager.1", "ASR-EnableAutoSecretRotation", "Turns on automatic secret rotation (90-day schedule)"),
    ("SecretsManager.3", "ASR-RemoveUnusedSecret", "Deletes a secret unused for 90+ days"),
    ("SecretsManager.4", "ASR-UpdateSecretRotationPeriod", "Rotates the secret and sets a 90-day rotation period"),
    ("SNS.1", "ASR-EnableEncryptionForSNSTopic", "Turns on KMS encryption for an SNS topic"),
    ("SNS.2", "ASR-EnableDeliveryStatusLoggingForSNSTopic", "Turns on delivery status logging for an SNS topic"),
    ("SQS.1", "ASR-EnableEncryptionForSQSQueue", "Turns on KMS encryption for an SQS queue"),
    ("SSM.1", "ASR-AttachSSMPermissionsToEC2", "Attaches an instance profile/role with AmazonSSMManagedInstanceCore to an EC2 instance"),
    ("SSM.4", "ASR-BlockSSMDocumentPublicAccess", "Changes a public SSM document to private"),
    ("SSM.7", "ASR-EnableSSMDocumentBlockPublicSharing", "Turns on the account-level block on public sharing of SSM documents"),
    ("GuardDuty.1", "ASR-EnableGuardDuty", "Enables GuardDuty (creates a detector)"),
    ("GuardDuty.2", "ASR-TagGuardDutyResource", "Adds the required tag key to a GuardDuty filter or detector"),
    ("GuardDuty.4", "ASR-TagGuardDutyResource", "Same as GuardDuty.2"),
    ("Macie.1", "ASR-EnableMacie", "Enables Amazon Macie in the account"),
];

/// The controls whose ASR remediation only adds tags; hubfix adds the organisation's
/// required tags from `HUBFIX_REQUIRED_TAGS`.
const TAGGING_ONLY: &[&str] = &["DynamoDB.5", "GuardDuty.2", "GuardDuty.4"];

#[test]
fn every_control_asr_remediates_has_a_hubfix_rule_that_fixes_it() {
    assert_eq!(ASR_CONTROLS.len(), 106);
    for (control, runbook, _) in ASR_CONTROLS {
        let rule = registry::rule(control)
            .unwrap_or_else(|| panic!("ASR remediates {control} ({runbook}); hubfix has no rule"));
        assert!(
            !rule.fix.starts_with("Manual"),
            "ASR remediates {control}; hubfix only gives manual steps"
        );
    }
    for control in TAGGING_ONLY {
        assert!(
            ASR_CONTROLS.iter().any(|(c, _, _)| c == control),
            "{control}"
        );
    }
}

/// The comparison table: ASR's controls in Security Hub's order, with hubfix's mode.
fn comparison_table() -> String {
    let mut controls: Vec<&(&str, &str, &str)> = ASR_CONTROLS.iter().collect();
    let position = |id: &str| registry::rules().iter().position(|r| r.control_id == id);
    controls.sort_by_key(|(id, _, _)| position(id));
    let mut out = String::from(
        "| Control | ASR v3.1.5 runbook | What ASR does | hubfix's default mode |\n|---|---|---|---|\n",
    );
    for (id, runbook, what) in controls {
        let mode = match registry::rule(id) {
            Some(r) if r.never_automatic() => "approval (never automatic)",
            Some(r) if r.disruptive() => "approval",
            Some(_) => "auto",
            None => "none",
        };
        let tagging = if TAGGING_ONLY.contains(id) {
            " (tags only)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{id}` | `{runbook}` | {what}{tagging} | {mode} |\n"
        ));
    }
    out
}

#[test]
fn docs_asr_comparison_table_matches_the_list_and_the_registry() {
    check_generated(
        &workspace().join("docs/asr-comparison.md"),
        "<!-- asr:start -->\n",
        "<!-- asr:end -->",
        &comparison_table(),
    );
}
