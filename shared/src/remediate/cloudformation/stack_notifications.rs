//! CloudFormation.1: a stack sends its events to an SNS topic.
//!
//! The fix updates the stack with its current template and parameter values and only
//! the notification topics changed: the topic `HUBFIX_CLOUDFORMATION_NOTIFICATION_TOPIC`
//! names (a topic ARN, used as it is, or a topic name, created in the stack's account
//! and Region when missing; `hubfix-stack-notifications` unless configured). A stack
//! update runs the stack's update machinery (and its rollback on failure), so the rule
//! is approval-only. A stack that is busy, or nested in another, goes to a person.
//! Undo updates the stack back to the topics it had; a topic hubfix created is kept
//! (other stacks may use it).

use aws_sdk_cloudformation::types::{Parameter, Stack, StackStatus};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::ids::Arn;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "CloudFormation.1",
    title: "CloudFormation stacks should be integrated with Simple Notification Service (SNS)",
    resource_type: "AwsCloudFormationStack",
    fix: "Updates the stack with its current template and parameters to send its events to the SNS topic HUBFIX_CLOUDFORMATION_NOTIFICATION_TOPIC (an ARN, or a name created in the stack's account and Region: `hubfix-stack-notifications` unless configured). Busy or nested stacks go to a person. Undo restores the former topics (a created topic is kept).",
    iam_actions: &[
        "cloudformation:DescribeStacks",
        "cloudformation:UpdateStack",
        "sns:CreateTopic",
    ],
    impact: Impact::Disruptive,
    remediation: &StackNotifications,
}];

/// `CloudFormation.1`: the stack's notification topics.
#[derive(Debug)]
pub struct StackNotifications;

/// The before-state: the stack's notification topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackTopics {
    /// The stack's name.
    pub stack: String,
    /// Its `NotificationARNs`.
    pub topics: Vec<String>,
}

/// The plan: the configured topic, when the stack notifies none. The change records
/// the topic as configured (an ARN or a name to create).
pub fn notifications_plan(state: &StackTopics, topic: &str) -> Plan {
    let changes = if state.topics.is_empty() {
        vec![Change::new(
            format!(
                "updated stack {} (same template and parameters) to send its events to SNS topic {topic}",
                state.stack
            ),
            &topic,
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(format!("stack {}", state.stack), state),
        changes,
    }
}

/// The ARN of the configured topic in `region`: an ARN as it is (refused when in
/// another Region: CloudFormation notifies topics of its own Region only), or `None`
/// for a name to create.
pub fn configured_topic_arn(topic: &str, region: &str) -> Result<Option<String>, FixError> {
    if !topic.starts_with("arn:") {
        return Ok(None);
    }
    match Arn::parse(topic) {
        Some(arn) if arn.service == "sns" && arn.region == region => Ok(Some(topic.to_owned())),
        _ => Err(FixError::Unconfigured(format!(
            "HUBFIX_CLOUDFORMATION_NOTIFICATION_TOPIC is {topic}, not an SNS topic of {region}: CloudFormation notifies topics of the stack's own Region, so configure a topic name (created in each Region) instead"
        ))),
    }
}

const STACK_NOT_FOUND: &[&str] = &["ValidationError"];

async fn describe(fix: Fix<'_>) -> Result<Stack, FixError> {
    let id = &fix.target.name;
    let words = format!("stack {id}");
    let out = fix
        .clients
        .cloudformation
        .describe_stacks()
        .stack_name(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("cloudformation:DescribeStacks", &words, STACK_NOT_FOUND, e)
        })?;
    out.stacks()
        .first()
        .filter(|s| s.stack_status() != Some(&StackStatus::DeleteComplete))
        .cloned()
        .ok_or(FixError::NotFound {
            resource: words,
            code: "ValidationError".into(),
        })
}

/// Whether the stack can be updated now: not nested, and not in the middle of an
/// operation or failed.
fn updatable(stack: &Stack) -> Result<(), FixError> {
    let name = stack.stack_name().unwrap_or_default();
    if let Some(root) = stack.root_id().or(stack.parent_id()) {
        return Err(FixError::Manual(format!(
            "stack {name} is nested in {root}: add the notification topic to the root stack (`aws cloudformation update-stack --stack-name <root> --use-previous-template --notification-arns <topic ARN>` with its parameters)"
        )));
    }
    let status = stack.stack_status().map(|s| s.as_str()).unwrap_or_default();
    let settled = matches!(
        status,
        "CREATE_COMPLETE"
            | "UPDATE_COMPLETE"
            | "UPDATE_ROLLBACK_COMPLETE"
            | "IMPORT_COMPLETE"
            | "IMPORT_ROLLBACK_COMPLETE"
    );
    if settled {
        Ok(())
    } else {
        Err(FixError::Manual(format!(
            "stack {name} is {status}, so it cannot be updated now: once it is settled, remediate again"
        )))
    }
}

/// Updates the stack with its template and parameters unchanged and `topics` as its
/// notification topics.
async fn update_topics(fix: Fix<'_>, stack: &Stack, topics: Vec<String>) -> Result<(), FixError> {
    let previous = stack
        .parameters()
        .iter()
        .filter_map(|p| p.parameter_key())
        .map(|key| {
            Parameter::builder()
                .parameter_key(key)
                .use_previous_value(true)
                .build()
        })
        .collect();
    fix.clients
        .cloudformation
        .update_stack()
        .stack_name(&fix.target.name)
        .use_previous_template(true)
        .set_parameters(Some(previous))
        .set_capabilities(Some(stack.capabilities().to_vec()))
        .set_notification_arns(Some(topics))
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "cloudformation:UpdateStack",
                &format!("stack {}", fix.target.name),
                &[],
                e,
            )
        })
}

/// The configured topic's ARN, creating a topic of that name when it is a name.
async fn topic_arn(fix: Fix<'_>, topic: &str) -> Result<String, FixError> {
    if let Some(arn) = configured_topic_arn(topic, &fix.target.region)? {
        return Ok(arn);
    }
    let out = fix
        .clients
        .sns
        .create_topic()
        .name(topic)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("sns:CreateTopic", &format!("SNS topic {topic}"), &[], e)
        })?;
    out.topic_arn()
        .map(str::to_owned)
        .ok_or_else(|| FixError::Verification(format!("CreateTopic returned no ARN for {topic}")))
}

impl Remediation for StackNotifications {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let stack = describe(fix).await?;
            let state = StackTopics {
                stack: stack.stack_name().unwrap_or_default().to_owned(),
                topics: stack.notification_arns().to_vec(),
            };
            let tags = stack
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_owned(),
                        t.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            Ok(Inspection {
                tags: Some(tags),
                plan: notifications_plan(&state, &fix.settings.cloudformation_notification_topic),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let topic: String = change.detail()?;
            let stack = describe(fix).await?;
            updatable(&stack)?;
            let arn = topic_arn(fix, &topic).await?;
            update_topics(fix, &stack, vec![arn]).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let former: StackTopics = before.recorded()?;
            let stack = describe(fix).await?;
            updatable(&stack)?;
            update_topics(fix, &stack, former.topics.clone()).await?;
            let topics = if former.topics.is_empty() {
                "none".to_owned()
            } else {
                former.topics.join(", ")
            };
            Ok(vec![format!(
                "updated {} back to the notification topics it had: {topics} (the topic hubfix used is kept)",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_without_topics_gets_the_configured_one() {
        let state = StackTopics {
            stack: "web".into(),
            topics: Vec::new(),
        };
        let plan = notifications_plan(&state, "hubfix-stack-notifications");
        assert_eq!(
            plan.changes[0].detail::<String>().unwrap(),
            "hubfix-stack-notifications"
        );
        let notified = StackTopics {
            topics: vec!["arn:aws:sns:us-east-1:123456789012:ops".into()],
            ..state
        };
        assert!(notifications_plan(&notified, "x").is_compliant());
    }

    #[test]
    fn a_configured_arn_must_be_in_the_stack_s_region() {
        assert_eq!(
            configured_topic_arn("stack-events", "us-east-1").unwrap(),
            None
        );
        let arn = "arn:aws:sns:us-east-1:123456789012:ops";
        assert_eq!(
            configured_topic_arn(arn, "us-east-1").unwrap().as_deref(),
            Some(arn)
        );
        let err = configured_topic_arn(arn, "eu-west-1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not an SNS topic of eu-west-1"), "{err}");
    }

    #[test]
    fn only_settled_root_stacks_are_updated() {
        let stack = |status: StackStatus, parent: Option<&str>| {
            Stack::builder()
                .stack_name("web")
                .stack_status(status)
                .set_parent_id(parent.map(str::to_owned))
                .build()
        };
        assert!(updatable(&stack(StackStatus::UpdateComplete, None)).is_ok());
        let busy = updatable(&stack(StackStatus::UpdateInProgress, None)).unwrap_err();
        assert!(busy.to_string().contains("is UPDATE_IN_PROGRESS"), "{busy}");
        let nested = updatable(&stack(StackStatus::CreateComplete, Some("arn:root"))).unwrap_err();
        assert!(
            nested.to_string().contains("nested in arn:root"),
            "{nested}"
        );
    }
}
