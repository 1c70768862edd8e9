//! SQS: encryption at rest of queues (`SQS.1`) and queue policies that allow public
//! access (`SQS.3`).

use aws_sdk_sqs::types::QueueAttributeName;

use crate::error::FixError;
use crate::remediate::Fix;

pub mod encryption;
pub mod public_policy;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[encryption::RULES, public_policy::RULES];

/// The codes SQS answers for a queue that does not exist.
pub(crate) const QUEUE_NOT_FOUND: &[&str] = &[
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
];

/// The queue's URL, from its name and account.
pub(crate) async fn queue_url(fix: Fix<'_>) -> Result<String, FixError> {
    let queue = &fix.target.name;
    let out = fix
        .clients
        .sqs
        .get_queue_url()
        .queue_name(queue)
        .queue_owner_aws_account_id(&fix.target.account)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "sqs:GetQueueUrl",
                &format!("SQS queue {queue}"),
                QUEUE_NOT_FOUND,
                e,
            )
        })?;
    out.queue_url()
        .map(str::to_owned)
        .ok_or_else(|| FixError::Target(format!("SQS returned no URL for queue {queue}")))
}

/// Sets one attribute of the queue.
pub(crate) async fn set_queue_attribute(
    fix: Fix<'_>,
    url: &str,
    name: QueueAttributeName,
    value: &str,
) -> Result<(), FixError> {
    fix.clients
        .sqs
        .set_queue_attributes()
        .queue_url(url)
        .attributes(name, value)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "sqs:SetQueueAttributes",
                &format!("SQS queue {}", fix.target.name),
                QUEUE_NOT_FOUND,
                e,
            )
        })
}

/// The queue's tags, sorted, when `with_tags`.
pub(crate) async fn queue_tags(
    fix: Fix<'_>,
    url: &str,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    let out = fix
        .clients
        .sqs
        .list_queue_tags()
        .queue_url(url)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "sqs:ListQueueTags",
                &format!("SQS queue {}", fix.target.name),
                QUEUE_NOT_FOUND,
                e,
            )
        })?;
    let mut tags: Vec<_> = out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(Some(tags))
}
