//! One descriptor per ASFF resource type hubfix fixes: how the name an API takes is read
//! from a finding's resource id, checked so that a hostile id never reaches an API call.
//!
//! Every rule names its resource type; [`Rule::resource_name`](super::Rule::resource_name)
//! reads the name through that type's descriptor, so rules on the same type read it the
//! same way. A remediation that names its target otherwise (manual steps, SSM runbooks)
//! says so with [`Remediation::resource_name`](super::Remediation::resource_name).

use crate::error::FixError;
use crate::ids::bucket_name;
use crate::remediate::cloudtrail::model::trail_arn;
use crate::remediate::cloudwatch::log_retention::log_group_name;
use crate::remediate::ec2::isolate::instance_id;
use crate::remediate::ec2::security_groups::{ec2_resource_id, security_group_id};
use crate::remediate::iam::user_name;
use crate::remediate::kms::rotation::key_id;
use crate::remediate::names::{
    athena_workgroup, autoscaling_group, cloudformation_stack, cloudfront_distribution,
    codebuild_project, dynamodb_table, ecr_repository, ecs_task_definition, elasticache_cluster,
    elasticache_replication_group, guardduty_detector, lambda_function, launch_configuration,
    load_balancer, rds_cluster, rds_instance, rds_snapshot, redshift_cluster, rest_api_stage,
    secret, sns_topic, sqs_queue, ssm_document,
};

/// How the API name of one ASFF resource type is read from a finding's resource id.
#[derive(Debug)]
pub struct ResourceKind {
    /// The ASFF `Resources[].Type`, e.g. `AwsS3Bucket`.
    pub asff_type: &'static str,
    /// The name from the resource id and the finding's account (ARNs of another
    /// account are refused).
    pub name: fn(&str, &str) -> Result<String, FixError>,
}

/// Every resource type a rule acts on.
pub static KINDS: &[ResourceKind] = &[
    ResourceKind {
        asff_type: "AwsAccount",
        name: super::account_resource_name,
    },
    ResourceKind {
        asff_type: "AwsApiGatewayStage",
        name: rest_api_stage,
    },
    ResourceKind {
        asff_type: "AwsAthenaWorkGroup",
        name: athena_workgroup,
    },
    ResourceKind {
        asff_type: "AwsAutoScalingAutoScalingGroup",
        name: autoscaling_group,
    },
    ResourceKind {
        asff_type: "AwsAutoScalingLaunchConfiguration",
        name: launch_configuration,
    },
    ResourceKind {
        asff_type: "AwsCloudFormationStack",
        name: cloudformation_stack,
    },
    ResourceKind {
        asff_type: "AwsCloudFrontDistribution",
        name: cloudfront_distribution,
    },
    ResourceKind {
        asff_type: "AwsCloudTrailTrail",
        name: |id, account| trail_arn(id, account).map(|t| t.name),
    },
    ResourceKind {
        asff_type: "AwsCodeBuildProject",
        name: codebuild_project,
    },
    ResourceKind {
        asff_type: "AwsDynamoDbTable",
        name: dynamodb_table,
    },
    ResourceKind {
        asff_type: "AwsEc2Instance",
        name: |id, _| instance_id(id),
    },
    ResourceKind {
        asff_type: "AwsEc2LaunchTemplate",
        name: |id, _| ec2_resource_id(id, "launch-template", "lt-", "a launch template"),
    },
    ResourceKind {
        asff_type: "AwsEc2NetworkAcl",
        name: |id, _| ec2_resource_id(id, "network-acl", "acl-", "a network ACL"),
    },
    ResourceKind {
        asff_type: "AwsEc2SecurityGroup",
        name: |id, _| security_group_id(id),
    },
    ResourceKind {
        asff_type: "AwsEc2TransitGateway",
        name: |id, _| ec2_resource_id(id, "transit-gateway", "tgw-", "a Transit Gateway"),
    },
    ResourceKind {
        asff_type: "AwsEc2Subnet",
        name: |id, _| ec2_resource_id(id, "subnet", "subnet-", "a subnet"),
    },
    ResourceKind {
        asff_type: "AwsEc2Vpc",
        name: |id, _| ec2_resource_id(id, "vpc", "vpc-", "a VPC"),
    },
    ResourceKind {
        asff_type: "AwsElastiCacheCacheCluster",
        name: elasticache_cluster,
    },
    ResourceKind {
        asff_type: "AwsElastiCacheReplicationGroup",
        name: elasticache_replication_group,
    },
    ResourceKind {
        asff_type: "AwsEcrRepository",
        name: ecr_repository,
    },
    ResourceKind {
        asff_type: "AwsEcsTaskDefinition",
        name: ecs_task_definition,
    },
    ResourceKind {
        asff_type: "AwsElbv2LoadBalancer",
        name: load_balancer,
    },
    ResourceKind {
        asff_type: "AwsGuardDutyDetector",
        name: guardduty_detector,
    },
    ResourceKind {
        asff_type: "AwsIamUser",
        name: |id, _| user_name(id),
    },
    ResourceKind {
        asff_type: "AwsKmsKey",
        name: key_id,
    },
    ResourceKind {
        asff_type: "AwsLambdaFunction",
        name: lambda_function,
    },
    ResourceKind {
        asff_type: "AwsLogsLogGroup",
        name: log_group_name,
    },
    ResourceKind {
        asff_type: "AwsRdsDbCluster",
        name: rds_cluster,
    },
    ResourceKind {
        asff_type: "AwsRdsDbInstance",
        name: rds_instance,
    },
    ResourceKind {
        asff_type: "AwsRdsDbSnapshot",
        name: rds_snapshot,
    },
    ResourceKind {
        asff_type: "AwsRedshiftCluster",
        name: redshift_cluster,
    },
    ResourceKind {
        asff_type: "AwsS3Bucket",
        name: |id, _| bucket_name(id),
    },
    ResourceKind {
        asff_type: "AwsSsmDocument",
        name: ssm_document,
    },
    ResourceKind {
        asff_type: "AwsSecretsManagerSecret",
        name: secret,
    },
    ResourceKind {
        asff_type: "AwsSnsTopic",
        name: sns_topic,
    },
    ResourceKind {
        asff_type: "AwsSqsQueue",
        name: sqs_queue,
    },
];

/// The descriptor of an ASFF resource type, if a rule acts on that type.
pub fn kind(asff_type: &str) -> Option<&'static ResourceKind> {
    KINDS.iter().find(|k| k.asff_type == asff_type)
}

/// The API name of a resource of type `asff_type` from its id.
pub fn resource_name(
    asff_type: &str,
    resource_id: &str,
    account: &str,
) -> Result<String, FixError> {
    match kind(asff_type) {
        Some(kind) => (kind.name)(resource_id, account),
        None => Err(FixError::Target(format!(
            "hubfix does not know how to name a resource of type `{}`",
            crate::finding::quoted(asff_type, crate::finding::MAX_QUOTED_CHARS)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn every_rule_acts_on_a_described_resource_type() {
        let named_by_the_kind = |rule: &&crate::remediate::Rule| {
            rule.remediation
                .resource_name("x", "123456789012")
                .is_none()
        };
        for rule in registry::rules()
            .iter()
            .chain(registry::action_rules())
            .filter(named_by_the_kind)
        {
            assert!(
                kind(rule.resource_type).is_some(),
                "{} acts on {}, which has no resource kind",
                rule.control_id,
                rule.resource_type
            );
        }
    }

    #[test]
    fn names_are_read_by_the_resource_type() {
        let account = "123456789012";
        assert_eq!(
            resource_name("AwsS3Bucket", "arn:aws:s3:::my-bucket", account).unwrap(),
            "my-bucket"
        );
        assert_eq!(
            resource_name("AwsAccount", "AWS::::Account:123456789012", account).unwrap(),
            account
        );
        assert_eq!(
            resource_name(
                "AwsEc2Vpc",
                "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0",
                account
            )
            .unwrap(),
            "vpc-0123456789abcdef0"
        );
        assert_eq!(
            resource_name(
                "AwsSsmDocument",
                "arn:aws:ssm:us-east-1:123456789012:document/Patch-Fleet_v2.1",
                account
            )
            .unwrap(),
            "Patch-Fleet_v2.1"
        );
        for hostile in [
            "arn:aws:ssm:us-east-1:123456789012:document/a b",
            "arn:aws:ssm:us-east-1:123456789012:document/x",
            "arn:aws:ssm:us-east-1:999999999999:document/Patch",
            "arn:aws:ssm:us-east-1:123456789012:parameter/Patch",
        ] {
            assert!(
                resource_name("AwsSsmDocument", hostile, account).is_err(),
                "{hostile}"
            );
        }
        assert!(resource_name("AwsS3Bucket", "arn:aws:s3:::Bad_Bucket!", account).is_err());
        assert!(resource_name("AwsAccount", "AWS::::Account:999999999999", account).is_err());
        let unknown = resource_name("AwsNothing", "x", account).unwrap_err();
        assert!(unknown.to_string().contains("AwsNothing"), "{unknown}");
    }
}
