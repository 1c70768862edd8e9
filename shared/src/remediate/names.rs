//! The names the data and compute service APIs need, from the ids Security Hub gives
//! their resources (ARNs in the finding's own account), checked so that hostile ids
//! never reach an API call.

use crate::error::FixError;
use crate::ids::is_region;
use crate::ids::Arn;

/// The part of `resource_id` after `prefix`, when it is an ARN of `service` in `account`
/// whose remainder passes `valid`.
fn checked<'a>(
    resource_id: &'a str,
    account: &str,
    service: &str,
    prefix: &str,
    valid: fn(&str) -> bool,
    what: &str,
) -> Result<&'a str, FixError> {
    Arn::parse(resource_id)
        .filter(|a| a.service == service && a.account == account && is_region(a.region))
        .and_then(|a| a.resource.strip_prefix(prefix))
        .filter(|rest| valid(rest))
        .ok_or_else(|| {
            FixError::Target(format!(
                "`{resource_id}` is not {what} of account {account} hubfix can act on"
            ))
        })
}

fn chars_in(s: &str, len: std::ops::RangeInclusive<usize>, extra: &[u8]) -> bool {
    len.contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

/// An RDS identifier: letters, digits and hyphens, starting with a letter, no two
/// hyphens in a row and none at the end.
fn rds_identifier(s: &str, max: usize) -> bool {
    chars_in(s, 1..=max, b"-")
        && s.as_bytes()[0].is_ascii_alphabetic()
        && !s.ends_with('-')
        && !s.contains("--")
}

/// The identifier of an `AwsRdsDbInstance` (`arn:aws:rds:<region>:<account>:db:<id>`).
pub fn rds_instance(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "rds",
        "db:",
        |s| rds_identifier(s, 63),
        "an RDS DB instance ARN",
    )
    .map(str::to_owned)
}

/// The identifier of an `AwsRdsDbCluster` (`arn:aws:rds:<region>:<account>:cluster:<id>`).
pub fn rds_cluster(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "rds",
        "cluster:",
        |s| rds_identifier(s, 63),
        "an RDS DB cluster ARN",
    )
    .map(str::to_owned)
}

/// The name after `<kind>:<uuid>:<kind>Name/` in an Auto Scaling ARN: a group's or a
/// launch configuration's (1-255 characters, no colon or control character).
fn autoscaling_name(
    resource_id: &str,
    account: &str,
    kind: &str,
    what: &str,
) -> Result<String, FixError> {
    let error = || {
        FixError::Target(format!(
            "`{resource_id}` is not {what} of account {account} hubfix can act on"
        ))
    };
    let arn = Arn::parse(resource_id)
        .filter(|a| a.service == "autoscaling" && a.account == account && is_region(a.region))
        .ok_or_else(error)?;
    let rest = arn
        .resource
        .strip_prefix(kind)
        .and_then(|r| r.strip_prefix(':'))
        .ok_or_else(error)?;
    let (id, name) = rest
        .split_once(':')
        .and_then(|(id, tail)| Some((id, tail.strip_prefix(kind)?.strip_prefix("Name/")?)))
        .ok_or_else(error)?;
    let valid = chars_in(id, 36..=36, b"-")
        && (1..=255).contains(&name.chars().count())
        && name.chars().all(|c| !c.is_control() && c != ':');
    valid.then(|| name.to_owned()).ok_or_else(error)
}

/// The name of an `AwsAutoScalingAutoScalingGroup`
/// (`arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<uuid>:autoScalingGroupName/<name>`).
pub fn autoscaling_group(resource_id: &str, account: &str) -> Result<String, FixError> {
    autoscaling_name(
        resource_id,
        account,
        "autoScalingGroup",
        "an Auto Scaling group ARN",
    )
}

/// The name of an `AwsAutoScalingLaunchConfiguration`
/// (`arn:aws:autoscaling:<region>:<account>:launchConfiguration:<uuid>:launchConfigurationName/<name>`).
pub fn launch_configuration(resource_id: &str, account: &str) -> Result<String, FixError> {
    autoscaling_name(
        resource_id,
        account,
        "launchConfiguration",
        "a launch configuration ARN",
    )
}

/// The id of an `AwsElastiCacheCacheCluster`
/// (`arn:aws:elasticache:<region>:<account>:cluster:<id>`).
pub fn elasticache_cluster(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "elasticache",
        "cluster:",
        |s| rds_identifier(s, 50),
        "an ElastiCache cluster ARN",
    )
    .map(str::to_owned)
}

/// The id of an `AwsElastiCacheReplicationGroup`
/// (`arn:aws:elasticache:<region>:<account>:replicationgroup:<id>`).
pub fn elasticache_replication_group(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "elasticache",
        "replicationgroup:",
        |s| rds_identifier(s, 40),
        "an ElastiCache replication group ARN",
    )
    .map(str::to_owned)
}

/// The identifier of an `AwsRedshiftCluster`
/// (`arn:aws:redshift:<region>:<account>:cluster:<id>`): as an RDS identifier, in lower
/// case.
pub fn redshift_cluster(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "redshift",
        "cluster:",
        |s| rds_identifier(s, 63) && !s.bytes().any(|b| b.is_ascii_uppercase()),
        "a Redshift cluster ARN",
    )
    .map(str::to_owned)
}

/// The identifier of a manual `AwsRdsDbSnapshot`
/// (`arn:aws:rds:<region>:<account>:snapshot:<id>`); only manual snapshots can be shared.
pub fn rds_snapshot(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "rds",
        "snapshot:",
        |s| rds_identifier(s, 255),
        "a manual RDS DB snapshot ARN",
    )
    .map(str::to_owned)
}

/// The identifier of a manual `AwsRdsDbClusterSnapshot`
/// (`arn:aws:rds:<region>:<account>:cluster-snapshot:<id>`): RDS, Aurora, DocumentDB and
/// Neptune cluster snapshots alike.
pub fn rds_cluster_snapshot(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "rds",
        "cluster-snapshot:",
        |s| rds_identifier(s, 255),
        "a manual DB cluster snapshot ARN",
    )
    .map(str::to_owned)
}

/// The name of an `AwsLambdaFunction` (`arn:aws:lambda:<region>:<account>:function:<name>`,
/// unqualified: the function's own policy).
pub fn lambda_function(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "lambda",
        "function:",
        |s| chars_in(s, 1..=64, b"-_"),
        "an unqualified Lambda function ARN",
    )
    .map(str::to_owned)
}

fn queue_or_topic_name(s: &str, max: usize) -> bool {
    let base = s.strip_suffix(".fifo").unwrap_or(s);
    chars_in(base, 1..=max, b"-_")
}

/// The ARN of an `AwsSnsTopic` (`arn:aws:sns:<region>:<account>:<name>`), which the SNS
/// API takes as the topic's id.
pub fn sns_topic(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "sns",
        "",
        |s| queue_or_topic_name(s, 256),
        "an SNS topic ARN",
    )?;
    Ok(resource_id.to_owned())
}

/// The name of an `AwsSqsQueue` (`arn:aws:sqs:<region>:<account>:<name>`).
pub fn sqs_queue(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "sqs",
        "",
        |s| queue_or_topic_name(s, 75),
        "an SQS queue ARN",
    )
    .map(str::to_owned)
}

/// The name of an `AwsDynamoDbTable` (`arn:aws:dynamodb:<region>:<account>:table/<name>`).
pub fn dynamodb_table(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "dynamodb",
        "table/",
        |s| chars_in(s, 3..=255, b"-_."),
        "a DynamoDB table ARN",
    )
    .map(str::to_owned)
}

/// The name of an `AwsEcrRepository` (`arn:aws:ecr:<region>:<account>:repository/<name>`).
pub fn ecr_repository(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "ecr",
        "repository/",
        |s| {
            chars_in(s, 2..=256, b"-_./")
                && s.bytes().all(|b| !b.is_ascii_uppercase())
                && s.as_bytes()[0].is_ascii_alphanumeric()
        },
        "an ECR repository ARN",
    )
    .map(str::to_owned)
}

/// The ARN of an `AwsSecretsManagerSecret`
/// (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`), the secret's id.
pub fn secret(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "secretsmanager",
        "secret:",
        |s| chars_in(s, 1..=512, b"/_+=.@-"),
        "a Secrets Manager secret ARN",
    )?;
    Ok(resource_id.to_owned())
}

/// The name of an SSM document the account owns
/// (`arn:aws:ssm:<region>:<account>:document/<name>`): 3 to 128 letters, digits, `_`,
/// `-` and `.`.
pub fn ssm_document(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "ssm",
        "document/",
        |s| chars_in(s, 3..=128, b"_-."),
        "the ARN of an SSM document",
    )
    .map(str::to_owned)
}

/// The name of an `AwsCodeBuildProject` (`arn:aws:codebuild:<region>:<account>:project/<name>`).
pub fn codebuild_project(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "codebuild",
        "project/",
        |s| chars_in(s, 2..=255, b"-_") && s.as_bytes()[0].is_ascii_alphanumeric(),
        "a CodeBuild project ARN",
    )
    .map(str::to_owned)
}

/// The detector id of an `AwsGuardDutyDetector`
/// (`arn:aws:guardduty:<region>:<account>:detector/<id>`; ids are lower-case hex).
pub fn guardduty_detector(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "guardduty",
        "detector/",
        |s| chars_in(s, 1..=300, b"") && !s.bytes().any(|b| b.is_ascii_uppercase()),
        "a GuardDuty detector ARN",
    )
    .map(str::to_owned)
}

/// A GuardDuty filter's path, `detector/<id>/filter/<name>`
/// (`arn:aws:guardduty:<region>:<account>:detector/<id>/filter/<name>`).
pub fn guardduty_filter(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "guardduty",
        "detector/",
        |s| {
            s.split_once("/filter/").is_some_and(|(detector, name)| {
                chars_in(detector, 1..=300, b"")
                    && !detector.bytes().any(|b| b.is_ascii_uppercase())
                    && chars_in(name, 3..=64, b"-_.")
            })
        },
        "a GuardDuty filter ARN",
    )
    .map(|rest| format!("detector/{rest}"))
}

/// The ARN of an `AwsElbv2LoadBalancer`
/// (`arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/<app|net|gwy>/<name>/<id>`).
pub fn load_balancer(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "elasticloadbalancing",
        "loadbalancer/",
        |s| {
            let mut parts = s.split('/');
            let kind = parts.next().unwrap_or_default();
            let name = parts.next().unwrap_or_default();
            let id = parts.next().unwrap_or_default();
            ["app", "net", "gwy"].contains(&kind)
                && chars_in(name, 1..=32, b"-")
                && (1..=32).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_hexdigit())
                && parts.next().is_none()
        },
        "an Application, Network or Gateway Load Balancer ARN",
    )?;
    Ok(resource_id.to_owned())
}

/// The name of an `AwsAthenaWorkGroup`
/// (`arn:aws:athena:<region>:<account>:workgroup/<name>`): 1 to 128 letters, digits, `.`,
/// `_` and `-`.
pub fn athena_workgroup(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "athena",
        "workgroup/",
        |s| chars_in(s, 1..=128, b"._-"),
        "an Athena workgroup ARN",
    )
    .map(str::to_owned)
}

/// `<family>:<revision>` of an `AwsEcsTaskDefinition`
/// (`arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`).
pub fn ecs_task_definition(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "ecs",
        "task-definition/",
        |s| {
            s.split_once(':').is_some_and(|(family, revision)| {
                chars_in(family, 1..=255, b"-_")
                    && chars_in(revision, 1..=10, b"")
                    && revision.bytes().all(|b| b.is_ascii_digit())
            })
        },
        "an ECS task definition ARN",
    )
    .map(str::to_owned)
}

/// The ARN of an `AwsCloudFormationStack`
/// (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>`), which the API takes
/// as the stack's unique id (a stack made later under the same name is another stack).
pub fn cloudformation_stack(resource_id: &str, account: &str) -> Result<String, FixError> {
    checked(
        resource_id,
        account,
        "cloudformation",
        "stack/",
        |s| {
            s.split_once('/').is_some_and(|(name, id)| {
                chars_in(name, 1..=128, b"-")
                    && name.as_bytes()[0].is_ascii_alphabetic()
                    && chars_in(id, 1..=64, b"-")
            })
        },
        "a CloudFormation stack ARN",
    )?;
    Ok(resource_id.to_owned())
}

/// The id of an `AwsCloudFrontDistribution`
/// (`arn:aws:cloudfront::<account>:distribution/<id>`: global, no Region; ids are upper
/// case letters and digits).
pub fn cloudfront_distribution(resource_id: &str, account: &str) -> Result<String, FixError> {
    Arn::parse(resource_id)
        .filter(|a| a.service == "cloudfront" && a.account == account && a.region.is_empty())
        .and_then(|a| a.resource.strip_prefix("distribution/"))
        .filter(|id| chars_in(id, 1..=32, b"") && !id.bytes().any(|b| b.is_ascii_lowercase()))
        .map(str::to_owned)
        .ok_or_else(|| {
            FixError::Target(format!(
                "`{resource_id}` is not a CloudFront distribution ARN of account {account} hubfix can act on"
            ))
        })
}

/// `<api id>/<stage>` of an API Gateway stage ARN,
/// `arn:aws:apigateway:<region>::/<collection>/<api id>/stages/<stage>`. API Gateway's
/// ARNs carry no account: the finding's account is the only one hubfix acts in.
fn apigateway_stage(resource_id: &str, collection: &str, what: &str) -> Result<String, FixError> {
    Arn::parse(resource_id)
        .filter(|a| a.service == "apigateway" && a.account.is_empty() && is_region(a.region))
        .and_then(|a| {
            a.resource
                .strip_prefix('/')?
                .strip_prefix(collection)?
                .strip_prefix('/')
        })
        .and_then(|rest| rest.split_once("/stages/"))
        .filter(|(api, stage)| {
            chars_in(api, 1..=32, b"")
                && chars_in(stage.strip_prefix('$').unwrap_or(stage), 1..=128, b"-_")
        })
        .map(|(api, stage)| format!("{api}/{stage}"))
        .ok_or_else(|| FixError::Target(format!("`{resource_id}` is not {what} hubfix can act on")))
}

/// `<rest api id>/<stage>` of an `AwsApiGatewayStage`
/// (`arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>`).
pub fn rest_api_stage(resource_id: &str, _account: &str) -> Result<String, FixError> {
    apigateway_stage(resource_id, "restapis", "a REST API stage ARN")
}

/// `<api id>/<stage>` of an `AwsApiGatewayV2Stage`
/// (`arn:aws:apigateway:<region>::/apis/<id>/stages/<stage>`).
pub fn v2_api_stage(resource_id: &str, _account: &str) -> Result<String, FixError> {
    apigateway_stage(resource_id, "apis", "an HTTP or WebSocket API stage ARN")
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "123456789012";
    type Name = fn(&str, &str) -> Result<String, FixError>;

    #[test]
    fn names_from_arns_of_the_findings_account() {
        let ok: &[(Name, &str, &str)] = &[
            (rds_instance, "arn:aws:rds:us-east-1:123456789012:db:orders-db", "orders-db"),
            (rds_cluster, "arn:aws:rds:us-east-1:123456789012:cluster:aurora-1", "aurora-1"),
            (rds_snapshot, "arn:aws:rds:us-east-1:123456789012:snapshot:before-upgrade", "before-upgrade"),
            (lambda_function, "arn:aws:lambda:us-east-1:123456789012:function:thumbnailer_v2", "thumbnailer_v2"),
            (sns_topic, "arn:aws:sns:us-east-1:123456789012:alerts.fifo", "arn:aws:sns:us-east-1:123456789012:alerts.fifo"),
            (sqs_queue, "arn:aws:sqs:us-east-1:123456789012:jobs-dlq", "jobs-dlq"),
            (dynamodb_table, "arn:aws:dynamodb:us-east-1:123456789012:table/orders.v1", "orders.v1"),
            (ecr_repository, "arn:aws:ecr:us-east-1:123456789012:repository/team/web-app", "team/web-app"),
            (secret, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"),
            (codebuild_project, "arn:aws:codebuild:us-east-1:123456789012:project/release-build", "release-build"),
            (guardduty_detector, "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0", "12abc34d567e8fa901bc2d34e56789f0"),
            (guardduty_filter, "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/filter/archive-low", "detector/12abc34d567e8fa901bc2d34e56789f0/filter/archive-low"),
            (load_balancer, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"),
            (redshift_cluster, "arn:aws:redshift:us-east-1:123456789012:cluster:analytics-1", "analytics-1"),
            (elasticache_cluster, "arn:aws:elasticache:us-east-1:123456789012:cluster:sessions-001", "sessions-001"),
            (elasticache_replication_group, "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions", "sessions"),
            (autoscaling_group, "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b5a2d8e-7c3f-4e1a-9b6d-2f4c8e1a7b3d:autoScalingGroupName/web tier (prod)", "web tier (prod)"),
            (launch_configuration, "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:5e1d6a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b:launchConfigurationName/web-lc", "web-lc"),
            (athena_workgroup, "arn:aws:athena:us-east-1:123456789012:workgroup/primary", "primary"),
            (ecs_task_definition, "arn:aws:ecs:us-east-1:123456789012:task-definition/web-app:12", "web-app:12"),
            (cloudformation_stack, "arn:aws:cloudformation:us-east-1:123456789012:stack/web-stack/1a2b3c4d-5e6f-11ee-8c99-0242ac120002", "arn:aws:cloudformation:us-east-1:123456789012:stack/web-stack/1a2b3c4d-5e6f-11ee-8c99-0242ac120002"),
            (cloudfront_distribution, "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE", "E2QWRUHEXAMPLE"),
            (rest_api_stage, "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod_v2", "a1b2c3d4e5/prod_v2"),
            (v2_api_stage, "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5/stages/$default", "a1b2c3d4e5/$default"),
        ];
        for (f, id, name) in ok {
            assert_eq!(f(id, A).unwrap(), *name, "{id}");
        }
    }

    #[test]
    fn hostile_or_foreign_ids_are_rejected() {
        let bad: &[(Name, &str)] = &[
            (rds_instance, "arn:aws:rds:us-east-1:999999999999:db:orders-db"),
            (rds_instance, "arn:aws:rds:us-east-1:123456789012:db:orders--db"),
            (rds_instance, "arn:aws:rds:us-east-1:123456789012:db:1db"),
            (rds_instance, "orders-db"),
            (redshift_cluster, "arn:aws:redshift:us-east-1:123456789012:cluster:Analytics"),
            (elasticache_cluster, "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions"),
            (elasticache_cluster, "arn:aws:elasticache:us-east-1:999999999999:cluster:sessions-001"),
            (elasticache_replication_group, "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions/x"),
            (redshift_cluster, "arn:aws:redshift:us-east-1:999999999999:cluster:analytics"),
            (redshift_cluster, "arn:aws:redshift:us-east-1:123456789012:snapshot:analytics/s1"),
            (autoscaling_group, "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b5a2d8e-7c3f-4e1a-9b6d-2f4c8e1a7b3d:autoScalingGroupName/"),
            (autoscaling_group, "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b5a:autoScalingGroupName/web"),
            (autoscaling_group, "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:0b5a2d8e-7c3f-4e1a-9b6d-2f4c8e1a7b3d:launchConfigurationName/web"),
            (autoscaling_group, "arn:aws:autoscaling:us-east-1:999999999999:autoScalingGroup:0b5a2d8e-7c3f-4e1a-9b6d-2f4c8e1a7b3d:autoScalingGroupName/web"),
            (launch_configuration, "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b5a2d8e-7c3f-4e1a-9b6d-2f4c8e1a7b3d:autoScalingGroupName/web"),
            (launch_configuration, "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:5e1d6a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b:launchConfigurationName/a:b"),
            (guardduty_detector, "arn:aws:guardduty:us-east-1:123456789012:detector/../filter"),
            (guardduty_detector, "arn:aws:guardduty:us-east-1:999999999999:detector/12abc34d"),
            (guardduty_filter, "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d"),
            (guardduty_filter, "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d/filter/a b"),
            (guardduty_filter, "arn:aws:guardduty:us-east-1:123456789012:detector/../x/filter/abc"),
            (guardduty_filter, "arn:aws:guardduty:us-east-1:999999999999:detector/12abc34d/filter/abc"),
            (rds_cluster, "arn:aws:rds:us-east-1:123456789012:db:aurora-1"),
            (rds_snapshot, "arn:aws:rds:us-east-1:123456789012:snapshot:rds:auto-2026"),
            (lambda_function, "arn:aws:lambda:us-east-1:123456789012:function:fn:PROD"),
            (lambda_function, "arn:aws:lambda:us-east-1:123456789012:function:a;b"),
            (sns_topic, "arn:aws:sns:us-east-1:123456789012:a b"),
            (sqs_queue, "arn:aws:sqs:us-east-1:123456789012:../q"),
            (dynamodb_table, "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/i"),
            (ecr_repository, "arn:aws:ecr:us-east-1:123456789012:repository/Upper"),
            (secret, "arn:aws:secretsmanager:us-east-1:123456789012:secret:a b"),
            (codebuild_project, "arn:aws:codebuild:us-east-1:123456789012:project/-x"),
            (load_balancer, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/web"),
            (load_balancer, "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/50dc6c495c0c9188"),
            (load_balancer, "arn:aws:elasticloadbalancing:nowhere:123456789012:loadbalancer/app/web/50dc"),
            (athena_workgroup, "arn:aws:athena:us-east-1:999999999999:workgroup/primary"),
            (athena_workgroup, "arn:aws:athena:us-east-1:123456789012:workgroup/a b"),
            (ecs_task_definition, "arn:aws:ecs:us-east-1:123456789012:task-definition/web-app"),
            (ecs_task_definition, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1:2"),
            (ecs_task_definition, "arn:aws:ecs:us-east-1:999999999999:task-definition/web:1"),
            (cloudformation_stack, "arn:aws:cloudformation:us-east-1:123456789012:stack/1stack/abc"),
            (cloudformation_stack, "arn:aws:cloudformation:us-east-1:123456789012:stack/web/a/b"),
            (cloudformation_stack, "arn:aws:cloudformation:us-east-1:999999999999:stack/web/abc"),
            (cloudfront_distribution, "arn:aws:cloudfront::999999999999:distribution/E2QWRUHEXAMPLE"),
            (cloudfront_distribution, "arn:aws:cloudfront:us-east-1:123456789012:distribution/E2QWRUHEXAMPLE"),
            (cloudfront_distribution, "arn:aws:cloudfront::123456789012:distribution/e2q/x"),
            (rest_api_stage, "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5/stages/prod"),
            (rest_api_stage, "arn:aws:apigateway:us-east-1:123456789012:/restapis/a1b2c3d4e5/stages/prod"),
            (rest_api_stage, "arn:aws:apigateway:us-east-1::/restapis/a1b2/stages/a/b"),
            (rest_api_stage, "arn:aws:apigateway:us-east-1::/restapis/../stages/prod"),
            (v2_api_stage, "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod"),
        ];
        for (f, id) in bad {
            let err = f(id, A).unwrap_err().to_string();
            assert!(err.contains("hubfix can act on"), "{id}: {err}");
        }
    }
}
