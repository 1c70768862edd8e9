//! CloudWatch.16: log groups kept for at least the configured time.

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::finding::{quoted, MAX_QUOTED_CHARS};
use crate::ids::Arn;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "CloudWatch.16",
    title: "CloudWatch log groups should be retained for a specified time period",
    resource_type: "AwsLogsLogGroup",
    fix: "Raises the log group's retention to the configured days (HUBFIX_LOG_GROUP_RETENTION_DAYS, default 365, the control's default minimum); never shortens it, and leaves a group that never expires alone.",
    iam_actions: &[
        "logs:DescribeLogGroups",
        "logs:ListTagsForResource",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
    ],
    impact: Impact::Safe,
    remediation: &LogRetention,
}];

/// The retention periods CloudWatch Logs accepts, in days (`PutRetentionPolicy`).
pub const RETENTION_DAYS: &[i32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

/// `CloudWatch.16`: raises a log group's retention to the configured days.
#[derive(Debug)]
pub struct LogRetention;

/// The before-state: the retention in force (`None`: the group never expires).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionBefore {
    /// Days the group keeps events.
    pub retention_days: Option<i32>,
}

/// A log group's name from its ARN (`arn:<partition>:logs:<region>:<account>:log-group:<name>`,
/// with or without the `:*` CloudWatch Logs appends) or the bare name, checked against
/// the characters CloudWatch Logs allows.
pub fn log_group_name(resource_id: &str, account: &str) -> Result<String, FixError> {
    let name = match Arn::parse(resource_id) {
        Some(arn) => {
            if arn.service != "logs" || arn.account != account {
                return Err(FixError::Target(format!(
                    "`{}` is not a log group of account {account}",
                    quoted(resource_id, MAX_QUOTED_CHARS)
                )));
            }
            let name = arn.resource.strip_prefix("log-group:").ok_or_else(|| {
                FixError::Target(format!(
                    "`{}` is not a log group ARN",
                    quoted(resource_id, MAX_QUOTED_CHARS)
                ))
            })?;
            name.strip_suffix(":*").unwrap_or(name).to_owned()
        }
        None => resource_id.to_owned(),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-/#".contains(c);
    if name.is_empty() || name.len() > 512 || !name.chars().all(allowed) {
        return Err(FixError::Target(format!(
            "`{}` is not a log group name",
            quoted(&name, MAX_QUOTED_CHARS)
        )));
    }
    Ok(name)
}

/// The plan: raise the retention to `days` when the group keeps events for less.
pub fn retention_plan(group: &str, current: Option<i32>, days: i32) -> Plan {
    let changes = match current {
        Some(current) if current < days => vec![Change::new(
            format!("set the retention of log group {group} to {days} days (was {current})"),
            &Some(days),
        )],
        _ => Vec::new(),
    };
    Plan {
        before: BeforeState::new(
            format!("log group {group}"),
            &RetentionBefore {
                retention_days: current,
            },
        ),
        changes,
    }
}

async fn log_group_retention(fix: Fix<'_>) -> Result<(Option<i32>, String), FixError> {
    let group = &fix.target.name;
    let out = fix
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "logs:DescribeLogGroups",
                &format!("log group {group}"),
                NOT_FOUND,
                e,
            )
        })?;
    let found = out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group.as_str()))
        .ok_or_else(|| FixError::NotFound {
            resource: format!("log group {group}"),
            code: "ResourceNotFoundException".into(),
        })?;
    let arn = found
        .arn()
        .map(|a| a.strip_suffix(":*").unwrap_or(a).to_owned())
        .unwrap_or_default();
    Ok((found.retention_in_days(), arn))
}

async fn group_tags(fix: Fix<'_>, arn: &str) -> Result<Vec<(String, String)>, FixError> {
    let out = fix
        .clients
        .logs
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "logs:ListTagsForResource",
                &format!("log group {}", fix.target.name),
                NOT_FOUND,
                e,
            )
        })?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

async fn set_retention(fix: Fix<'_>, days: Option<i32>) -> Result<(), FixError> {
    let group = &fix.target.name;
    let resource = format!("log group {group}");
    let logs = &fix.clients.logs;
    match days {
        Some(days) => logs
            .put_retention_policy()
            .log_group_name(group)
            .retention_in_days(days)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| FixError::from_sdk("logs:PutRetentionPolicy", &resource, NOT_FOUND, e)),
        None => logs
            .delete_retention_policy()
            .log_group_name(group)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| FixError::from_sdk("logs:DeleteRetentionPolicy", &resource, NOT_FOUND, e)),
    }
}

impl Remediation for LogRetention {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (current, arn) = log_group_retention(fix).await?;
            let tags = if with_tags {
                Some(group_tags(fix, &arn).await?)
            } else {
                None
            };
            Ok(Inspection {
                tags,
                plan: retention_plan(&fix.target.name, current, fix.settings.log_retention_days),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_retention(fix, change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let RetentionBefore { retention_days } = before.recorded()?;
            set_retention(fix, retention_days).await?;
            let kept = match retention_days {
                Some(days) => format!("{days} days"),
                None => "never expire".to_owned(),
            };
            Ok(vec![format!(
                "set the retention of {} back to {kept} (events older than that are deleted)",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_groups_are_named_from_arns_with_or_without_the_suffix() {
        let account = "123456789012";
        for id in [
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders",
            "/aws/lambda/orders",
        ] {
            assert_eq!(log_group_name(id, account).unwrap(), "/aws/lambda/orders");
        }
        assert!(
            log_group_name("arn:aws:logs:us-east-1:999999999999:log-group:x", account).is_err()
        );
        assert!(log_group_name("bad name;rm", account).is_err());
        assert!(log_group_name("arn:aws:s3:::bucket", account).is_err());
    }

    #[test]
    fn retention_is_raised_never_shortened_and_never_expiring_groups_are_left_alone() {
        let plan = retention_plan("g", Some(30), 365);
        assert_eq!(
            plan.describe(),
            "set the retention of log group g to 365 days (was 30)"
        );
        assert_eq!(plan.changes[0].detail::<Option<i32>>().unwrap(), Some(365));
        assert!(retention_plan("g", Some(400), 365).is_compliant());
        assert!(retention_plan("g", Some(365), 365).is_compliant());
        assert!(retention_plan("g", None, 365).is_compliant());
    }
}
