//! The scanner's own AWS reads: the resources a requirement is checked on, the two
//! checks no rule makes (MFA delete, subscribed alarm topics), and the findings an
//! earlier scan imported. Each is one small function with a classified error.

use std::collections::BTreeMap;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, StringFilter, StringFilterComparison,
};

use super::findings::{ScannedResource, GENERATOR_PREFIX};
use crate::aws::Clients;
use crate::error::FixError;

/// The IAM actions of the scanner's own reads (the rules declare theirs).
pub const SCANNER_READ_ACTIONS: &[&str] = &[
    "iam:ListUsers",
    "s3:ListAllMyBuckets",
    "s3:GetBucketVersioning",
    "ec2:DescribeSecurityGroups",
    "cloudwatch:DescribeAlarms",
    "sns:ListSubscriptionsByTopic",
    "securityhub:BatchImportFindings",
    "securityhub:GetFindings",
];

fn details(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The resources of `resource_type` in the account and region: IAM users, buckets (each
/// with its own region, when S3 says it), security groups, or the account itself.
pub async fn resources(
    clients: &Clients,
    resource_type: &str,
    account: &str,
    region: &str,
    partition: &str,
) -> Result<Vec<ScannedResource>, FixError> {
    let resource = |id: String, region: &str, d: BTreeMap<String, String>| ScannedResource {
        resource_type: resource_type.to_owned(),
        id,
        region: region.to_owned(),
        details: d,
    };
    match resource_type {
        "AwsAccount" => Ok(vec![resource(
            format!("AWS::::Account:{account}"),
            region,
            BTreeMap::new(),
        )]),
        "AwsIamUser" => {
            let mut out = Vec::new();
            let mut pages = clients.iam.list_users().into_paginator().send();
            while let Some(page) = pages.next().await {
                let page =
                    page.map_err(|e| FixError::from_sdk("iam:ListUsers", "IAM users", &[], e))?;
                for u in page.users() {
                    out.push(resource(
                        u.arn().to_owned(),
                        region,
                        details(&[("UserName", u.user_name())]),
                    ));
                }
            }
            Ok(out)
        }
        "AwsS3Bucket" => {
            let out = clients
                .s3
                .list_buckets()
                .send()
                .await
                .map_err(|e| FixError::from_sdk("s3:ListAllMyBuckets", "buckets", &[], e))?;
            Ok(out
                .buckets()
                .iter()
                .filter_map(|b| Some((b.name()?, b.bucket_region().unwrap_or(region))))
                .map(|(name, bucket_region)| {
                    resource(
                        format!("arn:{partition}:s3:::{name}"),
                        bucket_region,
                        details(&[("BucketName", name)]),
                    )
                })
                .collect())
        }
        "AwsEc2SecurityGroup" => {
            let mut out = Vec::new();
            let mut pages = clients
                .ec2
                .describe_security_groups()
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    FixError::from_sdk("ec2:DescribeSecurityGroups", "security groups", &[], e)
                })?;
                for g in page.security_groups() {
                    let id = g.group_id().unwrap_or_default();
                    out.push(resource(
                        format!("arn:{partition}:ec2:{region}:{account}:security-group/{id}"),
                        region,
                        details(&[
                            ("GroupId", id),
                            ("GroupName", g.group_name().unwrap_or_default()),
                            ("VpcId", g.vpc_id().unwrap_or_default()),
                        ]),
                    ));
                }
            }
            Ok(out)
        }
        other => Err(FixError::Target(format!(
            "the scanner cannot list {other} resources"
        ))),
    }
}

/// Whether MFA delete is enabled on the bucket ([`FixError::NotFound`]: it is gone).
pub async fn mfa_delete_enabled(clients: &Clients, bucket: &str) -> Result<bool, FixError> {
    let out = clients
        .s3
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "s3:GetBucketVersioning",
                &format!("bucket {bucket}"),
                &["NoSuchBucket"],
                e,
            )
        })?;
    Ok(out.mfa_delete() == Some(&aws_sdk_s3::types::MfaDeleteStatus::Enabled))
}

/// What is missing for the alarms to reach someone: one line per alarm without an SNS
/// topic that has a confirmed subscription (empty when every alarm has one).
pub async fn alarms_without_subscribers(
    clients: &Clients,
    alarms: &[String],
) -> Result<Vec<String>, FixError> {
    if alarms.is_empty() {
        return Ok(Vec::new());
    }
    let out = clients
        .cloudwatch
        .describe_alarms()
        .set_alarm_names(Some(alarms.to_vec()))
        .send()
        .await
        .map_err(|e| FixError::from_sdk("cloudwatch:DescribeAlarms", "alarms", &[], e))?;
    let mut problems = Vec::new();
    let mut reached = false;
    for alarm in out.metric_alarms() {
        let name = alarm.alarm_name().unwrap_or_default();
        let topics: Vec<&String> = alarm
            .alarm_actions()
            .iter()
            .filter(|a| a.contains(":sns:"))
            .collect();
        let mut subscribed = false;
        for topic in &topics {
            subscribed |= has_confirmed_subscription(clients, topic).await?;
        }
        if subscribed {
            reached = true;
        } else {
            problems.push(format!(
                "the alarm {name} notifies {}, which has no confirmed subscription: subscribe your responders to it",
                topics
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    // One alarm that reaches someone satisfies the requirement.
    Ok(if reached { Vec::new() } else { problems })
}

async fn has_confirmed_subscription(clients: &Clients, topic: &str) -> Result<bool, FixError> {
    let mut pages = clients
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) if crate::error::service_code(&e) == Some("NotFound") => return Ok(false),
            Err(e) => {
                return Err(FixError::from_sdk(
                    "sns:ListSubscriptionsByTopic",
                    topic,
                    &[],
                    e,
                ))
            }
        };
        if page.subscriptions().iter().any(|s| {
            s.subscription_arn()
                .is_some_and(|arn| arn.starts_with("arn:"))
        }) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The active findings an earlier scan imported into this account's Security Hub.
pub async fn previous_findings(
    securityhub: &aws_sdk_securityhub::Client,
    product_arn: &str,
    account: &str,
) -> Result<Vec<AwsSecurityFinding>, FixError> {
    let filter = |value: &str, comparison: StringFilterComparison| {
        StringFilter::builder()
            .value(value)
            .comparison(comparison)
            .build()
    };
    let filters = AwsSecurityFindingFilters::builder()
        .product_arn(filter(product_arn, StringFilterComparison::Equals))
        .generator_id(filter(GENERATOR_PREFIX, StringFilterComparison::Prefix))
        .aws_account_id(filter(account, StringFilterComparison::Equals))
        .record_state(filter("ACTIVE", StringFilterComparison::Equals))
        .build();
    let mut out = Vec::new();
    let mut pages = securityhub
        .get_findings()
        .filters(filters)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| FixError::from_sdk("securityhub:GetFindings", "findings", &[], e))?;
        out.extend(page.findings().iter().cloned());
    }
    Ok(out)
}
