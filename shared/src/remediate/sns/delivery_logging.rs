//! Delivery status logging of SNS topics (`SNS.2`).
//!
//! A topic logs the delivery status of its messages to CloudWatch Logs per endpoint
//! type (HTTP/S, Firehose, Lambda, platform applications, SQS) once it has a feedback
//! role for that type: every failed delivery is logged, and the success sample rate
//! says which share of successful ones. The fix gives every type without a failure
//! feedback role the configured role for failures and successes and the configured
//! success sample rate; types that already log keep their settings.

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

use super::{topic_attributes, topic_tags, TOPIC_NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SNS.2",
    title: "Logging of delivery status should be enabled for notification messages sent to a topic",
    resource_type: "AwsSnsTopic",
    fix: "Logs the delivery status of every endpoint type (HTTP/S, Firehose, Lambda, application, SQS) that does not log yet, with the configured role (HUBFIX_SNS_DELIVERY_LOG_ROLE_ARN): all failures, and HUBFIX_SNS_SUCCESS_SAMPLE_RATE percent of successes (default 0); unset, the finding is noted as needing it.",
    iam_actions: &[
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:ListTagsForResource",
        "iam:PassRole",
    ],
    impact: Impact::Safe,
    remediation: &DeliveryStatusLogging,
}];

/// The endpoint types SNS logs delivery status for, as its attribute names spell them.
pub const ENDPOINT_TYPES: [&str; 5] = ["HTTP", "Firehose", "Lambda", "Application", "SQS"];

const SUCCESS_ROLE: &str = "SuccessFeedbackRoleArn";
const FAILURE_ROLE: &str = "FailureFeedbackRoleArn";
const SAMPLE_RATE: &str = "SuccessFeedbackSampleRate";

/// `SNS.2`: delivery status logging for every endpoint type of a topic.
#[derive(Debug)]
pub struct DeliveryStatusLogging;

/// One topic attribute: its name and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicAttribute {
    /// The attribute's name, e.g. `LambdaFailureFeedbackRoleArn`.
    pub name: String,
    /// Its value; empty for an attribute that was not set.
    pub value: String,
}

/// The before-state of `SNS.2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLoggingBefore {
    /// The endpoint types that already logged their failures.
    pub logging: Vec<String>,
    /// The attributes the fix sets, as they were (empty: not set).
    pub attributes: Vec<TopicAttribute>,
}

fn value_of<'a>(
    attributes: &'a std::collections::HashMap<String, String>,
    name: &str,
) -> Option<&'a str> {
    attributes
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

/// The plan for `SNS.2`: the attributes to set on a topic whose attributes are
/// `attributes`, with `role` and `sample_rate`.
pub fn delivery_logging_plan(
    topic: &str,
    attributes: &std::collections::HashMap<String, String>,
    role: Option<&str>,
    sample_rate: u8,
) -> Result<Plan, FixError> {
    let (logging, missing): (Vec<&str>, Vec<&str>) = ENDPOINT_TYPES
        .iter()
        .partition(|t| value_of(attributes, &format!("{t}{FAILURE_ROLE}")).is_some());
    let resource = format!("SNS topic {topic}");
    let mut before = DeliveryLoggingBefore {
        logging: logging.iter().map(|t| t.to_string()).collect(),
        attributes: Vec::new(),
    };
    if missing.is_empty() {
        return Ok(Plan {
            before: BeforeState::new(resource, &before),
            changes: Vec::new(),
        });
    }
    let role = role.ok_or_else(|| {
        FixError::Unconfigured(
            "SNS.2 needs a role SNS can write delivery status logs to CloudWatch Logs with (trusting sns.amazonaws.com): set HUBFIX_SNS_DELIVERY_LOG_ROLE_ARN (template parameter SnsDeliveryLogRoleArn)".into(),
        )
    })?;
    let mut wanted = Vec::new();
    for t in &missing {
        let rate = sample_rate.to_string();
        for (suffix, value) in [
            (SUCCESS_ROLE, role),
            (FAILURE_ROLE, role),
            (SAMPLE_RATE, rate.as_str()),
        ] {
            let name = format!("{t}{suffix}");
            let current = value_of(attributes, &name).unwrap_or_default().to_owned();
            if current != value && (suffix == FAILURE_ROLE || current.is_empty()) {
                before.attributes.push(TopicAttribute {
                    name: name.clone(),
                    value: current,
                });
                wanted.push(TopicAttribute {
                    name,
                    value: value.to_owned(),
                });
            }
        }
    }
    let change = Change::new(
        format!(
            "turned on delivery status logging of {resource} for {} with role {role} (all failures, {sample_rate}% of successes)",
            missing.join(", ")
        ),
        &wanted,
    );
    Ok(Plan {
        before: BeforeState::new(resource, &before),
        changes: vec![change],
    })
}

async fn set_attribute(fix: Fix<'_>, attribute: &TopicAttribute) -> Result<(), FixError> {
    let topic = &fix.target.name;
    fix.clients
        .sns
        .set_topic_attributes()
        .topic_arn(topic)
        .attribute_name(&attribute.name)
        .attribute_value(&attribute.value)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "sns:SetTopicAttributes",
                &format!("SNS topic {topic} ({})", attribute.name),
                TOPIC_NOT_FOUND,
                e,
            )
        })
}

impl Remediation for DeliveryStatusLogging {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let attributes = topic_attributes(fix).await?;
            let tags = topic_tags(fix, with_tags).await?;
            Ok(Inspection {
                tags,
                plan: delivery_logging_plan(
                    &fix.target.name,
                    &attributes,
                    fix.settings.sns_delivery_log_role_arn.as_deref(),
                    fix.settings.sns_success_sample_rate,
                )?,
            })
        })
    }

    /// Sets the attributes one by one (SetTopicAttributes takes one); a failure part-way
    /// leaves the ones set, which the read-back names and undo puts back.
    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let wanted: Vec<TopicAttribute> = change.detail()?;
            for attribute in &wanted {
                set_attribute(fix, attribute).await?;
            }
            Ok(())
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: DeliveryLoggingBefore = before.recorded()?;
            for attribute in &recorded.attributes {
                set_attribute(fix, attribute).await?;
            }
            Ok(if recorded.attributes.is_empty() {
                Vec::new()
            } else {
                vec![format!(
                    "put {} attributes of {} back as they were ({})",
                    recorded.attributes.len(),
                    before.resource,
                    recorded
                        .attributes
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )]
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const ROLE: &str = "arn:aws:iam::123456789012:role/sns-delivery-status";

    fn attributes(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_type_without_a_failure_role_is_given_the_configured_role() {
        let plan = delivery_logging_plan("t", &attributes(&[]), Some(ROLE), 10).unwrap();
        let wanted: Vec<TopicAttribute> = plan.changes[0].detail().unwrap();
        assert_eq!(wanted.len(), 15);
        assert!(wanted
            .iter()
            .any(|a| a.name == "SQSSuccessFeedbackSampleRate" && a.value == "10"));
        assert!(plan
            .describe()
            .contains("HTTP, Firehose, Lambda, Application, SQS"));
        let recorded: DeliveryLoggingBefore = plan.before.recorded().unwrap();
        assert!(recorded.attributes.iter().all(|a| a.value.is_empty()));
    }

    #[test]
    fn types_that_log_keep_their_settings_and_a_set_sample_rate_stays() {
        let topic = attributes(&[
            (
                "LambdaFailureFeedbackRoleArn",
                "arn:aws:iam::123456789012:role/own",
            ),
            (
                "LambdaSuccessFeedbackRoleArn",
                "arn:aws:iam::123456789012:role/own",
            ),
            ("SQSSuccessFeedbackSampleRate", "50"),
            ("HTTPFailureFeedbackRoleArn", " "),
        ]);
        let plan = delivery_logging_plan("t", &topic, Some(ROLE), 0).unwrap();
        let wanted: Vec<TopicAttribute> = plan.changes[0].detail().unwrap();
        assert!(!wanted.iter().any(|a| a.name.starts_with("Lambda")));
        assert!(!wanted
            .iter()
            .any(|a| a.name == "SQSSuccessFeedbackSampleRate"));
        assert!(wanted
            .iter()
            .any(|a| a.name == "HTTPFailureFeedbackRoleArn"));
        assert!(!plan.describe().contains("Lambda"));
        let recorded: DeliveryLoggingBefore = plan.before.recorded().unwrap();
        assert_eq!(recorded.logging, ["Lambda"]);
    }

    #[test]
    fn a_logging_topic_is_compliant_and_a_missing_role_is_unconfigured() {
        let all: Vec<(String, String)> = ENDPOINT_TYPES
            .iter()
            .map(|t| (format!("{t}FailureFeedbackRoleArn"), ROLE.to_owned()))
            .collect();
        let topic: HashMap<String, String> = all.into_iter().collect();
        assert!(delivery_logging_plan("t", &topic, None, 0)
            .unwrap()
            .is_compliant());
        let err = delivery_logging_plan("t", &attributes(&[]), None, 0).unwrap_err();
        assert!(
            matches!(err, FixError::Unconfigured(ref s) if s.contains("HUBFIX_SNS_DELIVERY_LOG_ROLE_ARN"))
        );
    }
}
