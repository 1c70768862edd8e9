//! CloudTrail.5.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
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
        impact: Impact::Disruptive,
        remediation: &CloudWatchDelivery,
    },
];

/// `CloudTrail.5`: the trail delivers to CloudWatch Logs: to the configured log group
/// (`HUBFIX_TRAIL_LOG_GROUP`, created when missing, a year's retention) with the
/// configured role, else `hubfix-cloudtrail-logs` (created when missing, assumable
/// only by CloudTrail, allowed only to write to that log group).
#[derive(Debug)]
pub struct CloudWatchDelivery;

/// The before-state of `CloudTrail.5`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryBefore {
    /// The log group the trail delivered to.
    pub log_group_arn: Option<String>,
    /// The role it delivered with.
    pub role_arn: Option<String>,
}

/// One step of `CloudTrail.5`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryChange {
    /// Create the log group.
    CreateLogGroup {
        /// Its name.
        name: String,
    },
    /// Create the delivery role `hubfix-cloudtrail-logs`.
    CreateRole {
        /// The log group it may write to.
        log_group: String,
    },
    /// Deliver the trail's events to the log group with the role.
    Deliver {
        /// The log group's ARN (`...:log-group:<name>:*`).
        log_group_arn: String,
        /// The role's ARN.
        role_arn: String,
    },
}

impl Remediation for CloudWatchDelivery {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (trail, tags) = finding_trail(fix, with_tags).await?;
            let mut changes = Vec::new();
            if trail.log_group_arn.is_none() {
                changeable_here(fix, &trail)?;
                changes = delivery_plan(fix, &trail).await?;
            }
            Ok(Inspection {
                tags,
                plan: plan(
                    format!("trail {}", trail.name),
                    &DeliveryBefore {
                        log_group_arn: trail.log_group_arn,
                        role_arn: trail.logs_role_arn,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let t = fix.target;
            match change.detail::<DeliveryChange>()? {
                DeliveryChange::CreateLogGroup { name } => {
                    let resource = format!("log group {name}");
                    match fix
                        .clients
                        .logs
                        .create_log_group()
                        .log_group_name(&name)
                        .tags(CREATED_BY_TAG, "true")
                        .send()
                        .await
                    {
                        Ok(_) => {}
                        Err(e) if service_code(&e) == Some("ResourceAlreadyExistsException") => {}
                        Err(e) => {
                            return Err(FixError::from_sdk(
                                "logs:CreateLogGroup",
                                &resource,
                                &[],
                                e,
                            ))
                        }
                    }
                    fix.clients
                        .logs
                        .put_retention_policy()
                        .log_group_name(&name)
                        .retention_in_days(LOG_RETENTION_DAYS)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(err("logs:PutRetentionPolicy", &resource, NO_LOG_GROUP))
                }
                DeliveryChange::CreateRole { log_group } => {
                    let iam = &fix.clients.iam;
                    let tag = aws_sdk_iam::types::Tag::builder()
                        .key(CREATED_BY_TAG)
                        .value("true")
                        .build()
                        .map_err(|e| FixError::Target(e.to_string()))?;
                    iam.create_role()
                        .role_name(LOGS_ROLE_NAME)
                        .description("CloudTrail delivery to CloudWatch Logs (created by hubfix)")
                        .assume_role_policy_document(logs_role_trust_policy(&t.account).to_string())
                        .tags(tag)
                        .send()
                        .await
                        .map_err(err("iam:CreateRole", LOGS_ROLE_NAME, &[]))?;
                    iam.put_role_policy()
                        .role_name(LOGS_ROLE_NAME)
                        .policy_name(LOGS_ROLE_NAME)
                        .policy_document(
                            logs_role_policy(&t.partition, &t.account, &log_group).to_string(),
                        )
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(err("iam:PutRolePolicy", LOGS_ROLE_NAME, NO_ROLE))
                }
                DeliveryChange::Deliver {
                    log_group_arn,
                    role_arn,
                } => deliver(fix, &log_group_arn, &role_arn).await,
            }
        })
    }

    /// Stops the delivery; deletes the role hubfix created, and the log group it
    /// created while it holds no log stream (a log group with events is kept, as
    /// [`FixError::Irreversible`]).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let before: DeliveryBefore = before.recorded()?;
            let applied: Vec<DeliveryChange> = changes
                .iter()
                .map(Change::detail)
                .collect::<Result<_, _>>()?;
            let mut steps = Vec::new();
            let mut kept = Vec::new();
            for change in applied.iter().rev() {
                match change {
                    DeliveryChange::Deliver { log_group_arn, .. } => {
                        let group = before.log_group_arn.clone().unwrap_or_default();
                        let role = before.role_arn.clone().unwrap_or_default();
                        update_trail(fix, &fix.target.resource_id, |u| {
                            u.cloud_watch_logs_log_group_arn(group)
                                .cloud_watch_logs_role_arn(role)
                        })
                        .await?;
                        steps.push(format!(
                            "stopped the delivery of trail {} to {log_group_arn}",
                            fix.target.name
                        ));
                    }
                    DeliveryChange::CreateRole { .. } => match delete_logs_role(fix).await? {
                        None => steps.push(format!(
                            "deleted the role {LOGS_ROLE_NAME}, which hubfix created"
                        )),
                        Some(why) => kept.push(why),
                    },
                    DeliveryChange::CreateLogGroup { name } => {
                        match delete_log_group(fix, name).await? {
                            None => steps.push(format!(
                                "deleted the log group {name}, which hubfix created (it held no log stream)"
                            )),
                            Some(why) => kept.push(why),
                        }
                    }
                }
            }
            if kept.is_empty() {
                Ok(steps)
            } else {
                Err(FixError::Irreversible(format!(
                    "{}; kept {} (delete by hand when no longer needed)",
                    steps.join("; "),
                    kept.join(" and ")
                )))
            }
        })
    }
}

/// The changes that make a trail deliver to CloudWatch Logs.
async fn delivery_plan(fix: Fix<'_>, trail: &TrailState) -> Result<Vec<Change>, FixError> {
    let t = fix.target;
    let group = fix.settings.catalogue.trail_log_group.clone();
    let mut changes = Vec::new();
    if !log_group_exists(fix, &group).await? {
        changes.push(Change::new(
            format!("created the log group {group} ({LOG_RETENTION_DAYS} days' retention)"),
            &DeliveryChange::CreateLogGroup {
                name: group.clone(),
            },
        ));
    }
    let role_arn = match &fix.settings.catalogue.trail_logs_role_arn {
        Some(role) => {
            let name = role.rsplit('/').next().unwrap_or_default();
            if !crate::remediate::iam::role_exists(fix, name).await? {
                return Err(FixError::Unconfigured(format!(
                    "{ENV_TRAIL_LOGS_ROLE_ARN} names the role {role}, which does not exist; create it (assumable by cloudtrail.amazonaws.com, allowed logs:CreateLogStream and logs:PutLogEvents) or unset {ENV_TRAIL_LOGS_ROLE_ARN} to let hubfix create {LOGS_ROLE_NAME}"
                )));
            }
            role.clone()
        }
        None => {
            if !crate::remediate::iam::role_exists(fix, LOGS_ROLE_NAME).await? {
                changes.push(Change::new(
                    format!("created the role {LOGS_ROLE_NAME}, which only CloudTrail can assume, allowed to write to {group}"),
                    &DeliveryChange::CreateRole {
                        log_group: group.clone(),
                    },
                ));
            }
            format!(
                "arn:{}:iam::{}:role/{LOGS_ROLE_NAME}",
                t.partition, t.account
            )
        }
    };
    let log_group_arn = format!(
        "arn:{}:logs:{}:{}:log-group:{group}:*",
        t.partition, t.region, t.account
    );
    changes.push(Change::new(
        format!(
            "made trail {} deliver its events to the log group {group} with {role_arn}",
            trail.name
        ),
        &DeliveryChange::Deliver {
            log_group_arn,
            role_arn,
        },
    ));
    Ok(changes)
}

/// `UpdateTrail` with the log group and role, retried while a role created a moment
/// ago is not yet assumable (IAM is eventually consistent).
async fn deliver(fix: Fix<'_>, log_group_arn: &str, role_arn: &str) -> Result<(), FixError> {
    let arn = &fix.target.resource_id;
    let mut attempt = 0;
    loop {
        let result = fix
            .clients
            .cloudtrail
            .update_trail()
            .name(arn)
            .cloud_watch_logs_log_group_arn(log_group_arn)
            .cloud_watch_logs_role_arn(role_arn)
            .send()
            .await;
        match result {
            Ok(_) => return Ok(()),
            Err(e)
                if attempt < 5
                    && service_code(&e) == Some("InvalidCloudWatchLogsRoleArnException") =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => {
                return Err(FixError::from_sdk(
                    "cloudtrail:UpdateTrail",
                    &format!("trail {arn}"),
                    NO_TRAIL,
                    e,
                ))
            }
        }
    }
}

async fn log_group_exists(fix: Fix<'_>, name: &str) -> Result<bool, FixError> {
    let out = fix
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(err(
            "logs:DescribeLogGroups",
            &format!("log group {name}"),
            &[],
        ))?;
    Ok(out
        .log_groups()
        .iter()
        .any(|g| g.log_group_name() == Some(name)))
}

/// Deletes `hubfix-cloudtrail-logs` when it carries hubfix's tag; `Some(why)` when kept.
async fn delete_logs_role(fix: Fix<'_>) -> Result<Option<String>, FixError> {
    let iam = &fix.clients.iam;
    let tags = iam
        .list_role_tags()
        .role_name(LOGS_ROLE_NAME)
        .send()
        .await
        .map_err(err("iam:ListRoleTags", LOGS_ROLE_NAME, NO_ROLE))?;
    if !created_by_hubfix(tags.tags().iter().map(|t| (t.key(), t.value()))) {
        return Ok(Some(format!(
            "the role {LOGS_ROLE_NAME}, which lacks the tag {CREATED_BY_TAG}"
        )));
    }
    match iam
        .delete_role_policy()
        .role_name(LOGS_ROLE_NAME)
        .policy_name(LOGS_ROLE_NAME)
        .send()
        .await
    {
        Ok(_) => {}
        Err(e) if service_code(&e) == Some("NoSuchEntity") => {}
        Err(e) => {
            return Err(FixError::from_sdk(
                "iam:DeleteRolePolicy",
                LOGS_ROLE_NAME,
                &[],
                e,
            ))
        }
    }
    iam.delete_role()
        .role_name(LOGS_ROLE_NAME)
        .send()
        .await
        .map_err(err("iam:DeleteRole", LOGS_ROLE_NAME, NO_ROLE))?;
    Ok(None)
}

/// Deletes a log group hubfix created while it has no stream; `Some(why)` when kept.
async fn delete_log_group(fix: Fix<'_>, name: &str) -> Result<Option<String>, FixError> {
    let logs = &fix.clients.logs;
    let resource = format!("log group {name}");
    let t = fix.target;
    let arn = format!(
        "arn:{}:logs:{}:{}:log-group:{name}",
        t.partition, t.region, t.account
    );
    let tags = logs
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .map_err(err("logs:ListTagsForResource", &resource, NO_LOG_GROUP))?;
    let tagged = tags.tags().is_some_and(|t| t.contains_key(CREATED_BY_TAG));
    if !tagged {
        return Ok(Some(format!(
            "the log group {name}, which lacks the tag {CREATED_BY_TAG}"
        )));
    }
    let streams = logs
        .describe_log_streams()
        .log_group_name(name)
        .limit(1)
        .send()
        .await
        .map_err(err("logs:DescribeLogStreams", &resource, NO_LOG_GROUP))?;
    if !streams.log_streams().is_empty() {
        return Ok(Some(format!(
            "the log group {name}, which hubfix created: it holds the trail's events"
        )));
    }
    logs.delete_log_group()
        .log_group_name(name)
        .send()
        .await
        .map_err(err("logs:DeleteLogGroup", &resource, NO_LOG_GROUP))?;
    Ok(None)
}
