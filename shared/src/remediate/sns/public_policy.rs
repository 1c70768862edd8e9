//! SNS.4: topic policies that allow public access.

use crate::error::FixError;
use crate::remediate::resource_policy::{PolicyStore, PublicStatements, StoredPolicy};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

use super::{topic_attributes, topic_tags, TOPIC_NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SNS.4",
    title: "SNS topic access policies should not allow public access",
    resource_type: "AwsSnsTopic",
    fix: "Removes the topic policy's statements that allow everyone without a fixed account, organization, source or network condition; the other statements stay. A policy whose every statement is public is left to a person (a topic always has one). Undo puts the policy back.",
    iam_actions: &[
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:ListTagsForResource",
    ],
    impact: Impact::Disruptive,
    remediation: &PublicStatements(TopicPolicy),
}];

/// The topic attribute that holds its access policy.
const POLICY: &str = "Policy";

/// `SNS.4`: the access policy of a topic.
#[derive(Debug)]
pub struct TopicPolicy;

impl PolicyStore for TopicPolicy {
    fn resource(&self, fix: Fix<'_>) -> String {
        format!("SNS topic {}", fix.target.name)
    }

    fn may_be_empty(&self) -> bool {
        false
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, StoredPolicy> {
        Box::pin(async move {
            let policy = topic_attributes(fix)
                .await?
                .remove(POLICY)
                .filter(|p| !p.trim().is_empty());
            Ok(StoredPolicy {
                tags: topic_tags(fix, with_tags).await?,
                policy,
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, policy: Option<&'a str>) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let policy = policy.ok_or_else(|| {
                FixError::Manual(format!(
                    "{} cannot be left without a policy",
                    self.resource(fix)
                ))
            })?;
            fix.clients
                .sns
                .set_topic_attributes()
                .topic_arn(&fix.target.name)
                .attribute_name(POLICY)
                .attribute_value(policy)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk(
                        "sns:SetTopicAttributes",
                        &self.resource(fix),
                        TOPIC_NOT_FOUND,
                        e,
                    )
                })
        })
    }
}
