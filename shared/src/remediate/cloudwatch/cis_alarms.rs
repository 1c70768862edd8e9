//! The CIS monitoring alarms (`CloudWatch.1`-`CloudWatch.14`, CIS 3.0.0 4.1, 4.2, 4.3
//! and 4.15): a metric filter on the CloudTrail log group, an alarm on its metric, and
//! an SNS topic the alarm notifies. One remediation, parametrised by [`CIS_ALARMS`].

use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};
use crate::settings::catalogue::ENV_CIS_LOG_GROUP;

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

/// A CIS monitoring control: one row of the CIS alarm table.
const fn cis_alarm_rule(alarm: &'static CisMetricAlarm) -> Rule {
    Rule {
        control_id: alarm.control_id,
        title: alarm.title,
        resource_type: "AwsAccount",
        fix: CIS_ALARM_FIX,
        iam_actions: CIS_ALARM_ACTIONS,
        impact: Impact::Safe,
        remediation: alarm,
    }
}

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
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

/// The metric namespace of the metrics hubfix's filters publish.
pub const CIS_NAMESPACE: &str = "CISBenchmark";
/// The SNS topic hubfix creates when none is configured.
pub const CIS_TOPIC: &str = "hubfix-cis-alarms";

/// One row of the table: a control, its CIS metric filter and its pattern.
#[derive(Debug)]
pub struct CisMetricAlarm {
    /// The control, e.g. `CloudWatch.1` or `CIS.4.15`.
    pub control_id: &'static str,
    /// The control's title.
    pub title: &'static str,
    /// The metric (and, prefixed `hubfix-`, the filter and alarm) name.
    pub metric: &'static str,
    /// The filter pattern, from the CIS benchmark.
    pub pattern: &'static str,
}

const ROOT: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
const UNAUTHORIZED: &str =
    r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#;
const NO_MFA: &str =
    r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#;

/// The table: every control this remediation serves.
pub const CIS_ALARMS: [CisMetricAlarm; 18] = [
    CisMetricAlarm { control_id: "CloudWatch.1", title: "A log metric filter and alarm should exist for usage of the \"root\" user", metric: "RootAccountUsage", pattern: ROOT },
    CisMetricAlarm { control_id: "CloudWatch.2", title: "Ensure a log metric filter and alarm exist for unauthorized API calls", metric: "UnauthorizedAPICalls", pattern: UNAUTHORIZED },
    CisMetricAlarm { control_id: "CloudWatch.3", title: "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA", metric: "ConsoleSigninWithoutMFA", pattern: NO_MFA },
    CisMetricAlarm { control_id: "CloudWatch.4", title: "Ensure a log metric filter and alarm exist for IAM policy changes", metric: "IAMPolicyChanges", pattern: "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }" },
    CisMetricAlarm { control_id: "CloudWatch.5", title: "Ensure a log metric filter and alarm exist for CloudTrail configuration changes", metric: "CloudTrailChanges", pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }" },
    CisMetricAlarm { control_id: "CloudWatch.6", title: "Ensure a log metric filter and alarm exist for AWS Management Console authentication failures", metric: "ConsoleAuthenticationFailures", pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"# },
    CisMetricAlarm { control_id: "CloudWatch.7", title: "Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer managed keys", metric: "DisableOrDeleteCMK", pattern: "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }" },
    CisMetricAlarm { control_id: "CloudWatch.8", title: "Ensure a log metric filter and alarm exist for S3 bucket policy changes", metric: "S3BucketPolicyChanges", pattern: "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }" },
    CisMetricAlarm { control_id: "CloudWatch.9", title: "Ensure a log metric filter and alarm exist for AWS Config configuration changes", metric: "AWSConfigChanges", pattern: "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }" },
    CisMetricAlarm { control_id: "CloudWatch.10", title: "Ensure a log metric filter and alarm exist for security group changes", metric: "SecurityGroupChanges", pattern: "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }" },
    CisMetricAlarm { control_id: "CloudWatch.11", title: "Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)", metric: "NACLChanges", pattern: "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }" },
    CisMetricAlarm { control_id: "CloudWatch.12", title: "Ensure a log metric filter and alarm exist for changes to network gateways", metric: "NetworkGatewayChanges", pattern: "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }" },
    CisMetricAlarm { control_id: "CloudWatch.13", title: "Ensure a log metric filter and alarm exist for route table changes", metric: "RouteTableChanges", pattern: "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }" },
    CisMetricAlarm { control_id: "CloudWatch.14", title: "Ensure a log metric filter and alarm exist for VPC changes", metric: "VPCChanges", pattern: "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }" },
    CisMetricAlarm { control_id: "CIS.4.1", title: "Ensure unauthorized API calls are monitored (CIS 3.0.0 4.1)", metric: "UnauthorizedAPICalls", pattern: UNAUTHORIZED },
    CisMetricAlarm { control_id: "CIS.4.2", title: "Ensure management console sign-in without MFA is monitored (CIS 3.0.0 4.2)", metric: "ConsoleSigninWithoutMFA", pattern: NO_MFA },
    CisMetricAlarm { control_id: "CIS.4.3", title: "Ensure usage of the 'root' account is monitored (CIS 3.0.0 4.3)", metric: "RootAccountUsage", pattern: ROOT },
    CisMetricAlarm { control_id: "CIS.4.15", title: "Ensure AWS Organizations changes are monitored (CIS 3.0.0 4.15)", metric: "OrganizationsChanges", pattern: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"# },
];

/// The before-state: the log group, the filters with the CIS pattern on it and the
/// alarms on their metrics that notify an SNS topic, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmBefore {
    /// The log group the filter belongs on.
    pub log_group: String,
    /// `filter -> namespace/metric` of the filters with the pattern.
    pub filters: Vec<String>,
    /// Alarms on those metrics with an SNS action.
    pub alarms: Vec<String>,
}

/// One step of the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlarmChange {
    /// Put the metric filter.
    Filter {
        /// The log group.
        log_group: String,
        /// The filter name.
        name: String,
    },
    /// Create the SNS topic `hubfix-cis-alarms`.
    Topic {
        /// Its ARN.
        arn: String,
    },
    /// Put the alarm notifying the topic.
    Alarm {
        /// The alarm name.
        name: String,
        /// The metric namespace.
        namespace: String,
        /// The metric.
        metric: String,
        /// The topic it notifies.
        topic: String,
    },
}

fn squash(pattern: &str) -> String {
    pattern.chars().filter(|c| !c.is_whitespace()).collect()
}

impl CisMetricAlarm {
    fn filter_name(&self) -> String {
        format!("hubfix-{}", self.metric)
    }
}

impl Remediation for CisMetricAlarm {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let log_group = log_group(fix).await?;
            let (filters, metrics) = filters(fix, &log_group, self.pattern).await?;
            let alarms = alarms(fix, &metrics).await?;
            let mut changes = Vec::new();
            let (namespace, metric) = match metrics.first() {
                Some(m) => m.clone(),
                None => {
                    changes.push(Change::new(
                        format!(
                            "put the CIS metric filter {} on log group {log_group}",
                            self.filter_name()
                        ),
                        &AlarmChange::Filter {
                            log_group: log_group.clone(),
                            name: self.filter_name(),
                        },
                    ));
                    (CIS_NAMESPACE.to_owned(), self.metric.to_owned())
                }
            };
            if alarms.is_empty() {
                let topic = match &fix.settings.catalogue.cis_alarm_topic_arn {
                    Some(t) => t.clone(),
                    None => {
                        let arn = format!(
                            "arn:{}:sns:{}:{}:{CIS_TOPIC}",
                            fix.target.partition, fix.target.region, fix.target.account
                        );
                        if !topic_exists(fix, &arn).await? {
                            changes.push(Change::new(
                                format!("created the SNS topic {CIS_TOPIC} (subscribe your responders to it)"),
                                &AlarmChange::Topic { arn: arn.clone() },
                            ));
                        }
                        arn
                    }
                };
                changes.push(Change::new(
                    format!(
                        "put the alarm {} on {namespace}/{metric}, notifying {topic}",
                        self.filter_name()
                    ),
                    &AlarmChange::Alarm {
                        name: self.filter_name(),
                        namespace,
                        metric,
                        topic,
                    },
                ));
            }
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!(
                            "CIS {} monitoring of account {}",
                            self.metric, fix.target.name
                        ),
                        &AlarmBefore {
                            log_group,
                            filters,
                            alarms,
                        },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let c = fix.clients;
            match change.detail::<AlarmChange>()? {
                AlarmChange::Filter { log_group, name } => c
                    .logs
                    .put_metric_filter()
                    .log_group_name(&log_group)
                    .filter_name(&name)
                    .filter_pattern(self.pattern)
                    .metric_transformations(
                        aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                            .metric_name(self.metric)
                            .metric_namespace(CIS_NAMESPACE)
                            .metric_value("1")
                            .build()
                            .map_err(|e| FixError::Target(e.to_string()))?,
                    )
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        FixError::from_sdk(
                            "logs:PutMetricFilter",
                            &format!("log group {log_group}"),
                            NO_LOG_GROUP,
                            e,
                        )
                    }),
                AlarmChange::Topic { .. } => c
                    .sns
                    .create_topic()
                    .name(CIS_TOPIC)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| FixError::from_sdk("sns:CreateTopic", CIS_TOPIC, &[], e)),
                AlarmChange::Alarm {
                    name,
                    namespace,
                    metric,
                    topic,
                } => c
                    .cloudwatch
                    .put_metric_alarm()
                    .alarm_name(&name)
                    .alarm_description(format!("CIS: {}", self.title))
                    .namespace(namespace)
                    .metric_name(metric)
                    .statistic(Statistic::Sum)
                    .period(300)
                    .evaluation_periods(1)
                    .threshold(1.0)
                    .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
                    .treat_missing_data("notBreaching")
                    .alarm_actions(topic)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| FixError::from_sdk("cloudwatch:PutMetricAlarm", &name, &[], e)),
            }
        })
    }

    /// Deletes the alarm and filter hubfix put, and the topic it created unless another
    /// alarm notifies it.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let _: AlarmBefore = before.recorded()?;
            let c = fix.clients;
            let applied: Vec<AlarmChange> = changes
                .iter()
                .map(Change::detail)
                .collect::<Result<_, _>>()?;
            let mut steps = Vec::new();
            for change in applied.iter().rev() {
                match change {
                    AlarmChange::Alarm { name, .. } => {
                        c.cloudwatch
                            .delete_alarms()
                            .alarm_names(name)
                            .send()
                            .await
                            .map_err(|e| {
                                FixError::from_sdk("cloudwatch:DeleteAlarms", name, &[], e)
                            })?;
                        steps.push(format!("deleted the alarm {name}"));
                    }
                    AlarmChange::Topic { arn } => {
                        let users = c
                            .cloudwatch
                            .describe_alarms()
                            .action_prefix(arn)
                            .send()
                            .await
                            .map_err(|e| {
                                FixError::from_sdk("cloudwatch:DescribeAlarms", arn, &[], e)
                            })?;
                        if users.metric_alarms().is_empty() {
                            c.sns
                                .delete_topic()
                                .topic_arn(arn)
                                .send()
                                .await
                                .map_err(|e| FixError::from_sdk("sns:DeleteTopic", arn, &[], e))?;
                            steps
                                .push(format!("deleted the SNS topic {arn}, which hubfix created"));
                        } else {
                            steps.push(format!("kept the SNS topic {arn}: other alarms notify it"));
                        }
                    }
                    AlarmChange::Filter { log_group, name } => {
                        c.logs
                            .delete_metric_filter()
                            .log_group_name(log_group)
                            .filter_name(name)
                            .send()
                            .await
                            .map_err(|e| {
                                FixError::from_sdk(
                                    "logs:DeleteMetricFilter",
                                    &format!("log group {log_group}"),
                                    NO_LOG_GROUP,
                                    e,
                                )
                            })?;
                        steps.push(format!("deleted the metric filter {name} of {log_group}"));
                    }
                }
            }
            Ok(steps)
        })
    }
}

const NO_LOG_GROUP: &[&str] = &["ResourceNotFoundException"];

/// The configured log group, else the one the multi-region trail delivers to.
async fn log_group(fix: Fix<'_>) -> Result<String, FixError> {
    if let Some(g) = &fix.settings.catalogue.cis_log_group {
        return Ok(g.clone());
    }
    let trails = fix
        .clients
        .cloudtrail
        .describe_trails()
        .send()
        .await
        .map_err(|e| FixError::from_sdk("cloudtrail:DescribeTrails", "trails", &[], e))?;
    let mut groups: Vec<String> = trails
        .trail_list()
        .iter()
        .filter(|t| t.is_multi_region_trail() == Some(true))
        .filter_map(|t| t.cloud_watch_logs_log_group_arn())
        .filter_map(log_group_of_arn)
        .collect();
    groups.sort();
    groups.into_iter().next().ok_or_else(|| {
        FixError::Unconfigured(format!(
            "no multi-region trail delivers to CloudWatch Logs (fix CloudTrail.1 and CloudTrail.5 first) and {ENV_CIS_LOG_GROUP} is not set"
        ))
    })
}

/// The name in `arn:aws:logs:<region>:<account>:log-group:<name>[:*]`.
pub fn log_group_of_arn(arn: &str) -> Option<String> {
    let parsed = crate::ids::Arn::parse(arn)?;
    let name = parsed.resource.strip_prefix("log-group:")?;
    let name = name.strip_suffix(":*").unwrap_or(name);
    crate::settings::catalogue::is_log_group_name(name).then(|| name.to_owned())
}

/// The filters with `pattern` on the log group (`name -> namespace/metric`) and their
/// metrics, sorted.
async fn filters(
    fix: Fix<'_>,
    log_group: &str,
    pattern: &str,
) -> Result<(Vec<String>, Vec<(String, String)>), FixError> {
    let wanted = squash(pattern);
    let mut names = Vec::new();
    let mut metrics = Vec::new();
    let mut pages = fix
        .clients
        .logs
        .describe_metric_filters()
        .log_group_name(log_group)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            FixError::from_sdk(
                "logs:DescribeMetricFilters",
                &format!("log group {log_group}"),
                NO_LOG_GROUP,
                e,
            )
        })?;
        for f in page.metric_filters() {
            if f.filter_pattern().map(squash).as_deref() != Some(wanted.as_str()) {
                continue;
            }
            for t in f.metric_transformations() {
                let m = (t.metric_namespace().to_owned(), t.metric_name().to_owned());
                names.push(format!(
                    "{} -> {}/{}",
                    f.filter_name().unwrap_or_default(),
                    m.0,
                    m.1
                ));
                metrics.push(m);
            }
        }
    }
    names.sort();
    metrics.sort();
    metrics.dedup();
    Ok((names, metrics))
}

/// Alarms on any of the metrics that notify an SNS topic, sorted.
async fn alarms(fix: Fix<'_>, metrics: &[(String, String)]) -> Result<Vec<String>, FixError> {
    if metrics.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut pages = fix
        .clients
        .cloudwatch
        .describe_alarms()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| FixError::from_sdk("cloudwatch:DescribeAlarms", "alarms", &[], e))?;
        for a in page.metric_alarms() {
            let on_metric = metrics.iter().any(|(ns, m)| {
                a.namespace() == Some(ns.as_str()) && a.metric_name() == Some(m.as_str())
            });
            let notifies = a.alarm_actions().iter().any(|x| x.contains(":sns:"));
            if on_metric && notifies {
                found.push(a.alarm_name().unwrap_or_default().to_owned());
            }
        }
    }
    found.sort();
    Ok(found)
}

async fn topic_exists(fix: Fix<'_>, arn: &str) -> Result<bool, FixError> {
    match fix
        .clients
        .sns
        .get_topic_attributes()
        .topic_arn(arn)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("NotFound") => Ok(false),
        Err(e) => Err(FixError::from_sdk("sns:GetTopicAttributes", arn, &[], e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_row_per_control() {
        let mut ids: Vec<_> = CIS_ALARMS.iter().map(|a| a.control_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CIS_ALARMS.len());
        for a in &CIS_ALARMS {
            assert!(
                a.pattern.starts_with('{') && a.pattern.ends_with('}'),
                "{}",
                a.control_id
            );
        }
    }

    #[test]
    fn log_groups_from_arns_and_patterns_compare_without_spaces() {
        assert_eq!(
            log_group_of_arn("arn:aws:logs:us-east-1:123456789012:log-group:trail-logs:*")
                .as_deref(),
            Some("trail-logs")
        );
        assert_eq!(log_group_of_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(squash(ROOT), squash(&ROOT.replace(' ', "")));
    }
}
