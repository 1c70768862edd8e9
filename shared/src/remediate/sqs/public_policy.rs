//! SQS.3: queue access policies that allow public access.

use aws_sdk_sqs::types::QueueAttributeName;

use crate::error::FixError;
use crate::remediate::resource_policy::{PolicyStore, PublicStatements, StoredPolicy};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

use super::{queue_tags, queue_url, set_queue_attribute, QUEUE_NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SQS.3",
    title: "SQS queue access policies should not allow public access",
    resource_type: "AwsSqsQueue",
    fix: "Removes the queue policy's statements that allow everyone without a fixed account, organization, source or network condition; the other statements stay, and a policy left with none is removed. Undo puts the policy back.",
    iam_actions: &[
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:ListQueueTags",
    ],
    impact: Impact::Disruptive,
    remediation: &PublicStatements(QueuePolicy),
}];

/// `SQS.3`: the access policy of a queue.
#[derive(Debug)]
pub struct QueuePolicy;

impl PolicyStore for QueuePolicy {
    fn resource(&self, fix: Fix<'_>) -> String {
        format!("SQS queue {}", fix.target.name)
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, StoredPolicy> {
        Box::pin(async move {
            let url = queue_url(fix).await?;
            let out = fix
                .clients
                .sqs
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(QueueAttributeName::Policy)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "sqs:GetQueueAttributes",
                        &self.resource(fix),
                        QUEUE_NOT_FOUND,
                        e,
                    )
                })?;
            let policy = out
                .attributes()
                .and_then(|a| a.get(&QueueAttributeName::Policy))
                .filter(|p| !p.trim().is_empty())
                .cloned();
            Ok(StoredPolicy {
                tags: queue_tags(fix, &url, with_tags).await?,
                policy,
            })
        })
    }

    /// An empty `Policy` attribute removes the queue's policy.
    fn write<'a>(&'a self, fix: Fix<'a>, policy: Option<&'a str>) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let url = queue_url(fix).await?;
            set_queue_attribute(
                fix,
                &url,
                QueueAttributeName::Policy,
                policy.unwrap_or_default(),
            )
            .await
        })
    }
}
