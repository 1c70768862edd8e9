//! Encryption at rest of SQS queues (`SQS.1`).

use aws_sdk_sqs::types::QueueAttributeName;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

use super::{queue_tags, queue_url, set_queue_attribute, QUEUE_NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "SQS.1",
        title: "Amazon SQS queues should be encrypted at rest",
        resource_type: "AwsSqsQueue",
        fix: "Encrypts the queue with the configured KMS key (HUBFIX_SQS_KMS_KEY), else with SQS-managed keys (SSE-SQS).",
        iam_actions: &[
            "sqs:GetQueueUrl",
            "sqs:GetQueueAttributes",
            "sqs:SetQueueAttributes",
            "sqs:ListQueueTags",
        ],
        impact: Impact::Safe,
        remediation: &SqsEncryption,
    },
];

fn key_of(value: Option<&String>) -> Option<String> {
    value.filter(|k| !k.trim().is_empty()).cloned()
}

// ------------------------------------------------------------------------- SQS.1

/// `SQS.1`: a queue encrypted at rest, with the configured KMS key (SSE-KMS) or, when
/// none is configured, with SQS-managed keys (SSE-SQS).
#[derive(Debug)]
pub struct SqsEncryption;

/// The before-state of `SQS.1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEncryptionBefore {
    /// SQS-managed encryption (SSE-SQS) was on.
    pub sqs_managed_sse: bool,
    /// The queue's KMS key (SSE-KMS), if any.
    pub kms_master_key_id: Option<String>,
}

/// How `SQS.1` encrypts a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueEncryption {
    /// SQS-managed keys.
    SseSqs,
    /// The KMS key.
    SseKms(String),
}

/// The plan for `SQS.1`.
pub fn queue_plan(queue: &str, before: QueueEncryptionBefore, key: Option<&str>) -> Plan {
    let encrypted = before.sqs_managed_sse || before.kms_master_key_id.is_some();
    let changes = match (encrypted, key) {
        (true, _) => Vec::new(),
        (false, Some(key)) => vec![Change::new(
            format!("encrypted SQS queue {queue} with KMS key {key} (SSE-KMS)"),
            &QueueEncryption::SseKms(key.to_owned()),
        )],
        (false, None) => vec![Change::new(
            format!("turned on SQS-managed encryption (SSE-SQS) for SQS queue {queue}"),
            &QueueEncryption::SseSqs,
        )],
    };
    Plan {
        before: BeforeState::new(format!("SQS queue {queue}"), &before),
        changes,
    }
}

impl Remediation for SqsEncryption {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let queue = &fix.target.name;
            let resource = format!("SQS queue {queue}");
            let url = queue_url(fix).await?;
            let out = fix
                .clients
                .sqs
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(QueueAttributeName::SqsManagedSseEnabled)
                .attribute_names(QueueAttributeName::KmsMasterKeyId)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("sqs:GetQueueAttributes", &resource, QUEUE_NOT_FOUND, e)
                })?;
            let attributes = out.attributes();
            let before = QueueEncryptionBefore {
                sqs_managed_sse: attributes
                    .and_then(|a| a.get(&QueueAttributeName::SqsManagedSseEnabled))
                    .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                kms_master_key_id: key_of(
                    attributes.and_then(|a| a.get(&QueueAttributeName::KmsMasterKeyId)),
                ),
            };
            let tags = queue_tags(fix, &url, with_tags).await?;
            Ok(Inspection {
                tags,
                plan: queue_plan(queue, before, fix.settings.sqs_kms_key.as_deref()),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let url = queue_url(fix).await?;
            match change.detail()? {
                QueueEncryption::SseSqs => {
                    set_queue_attribute(fix, &url, QueueAttributeName::SqsManagedSseEnabled, "true")
                        .await
                }
                QueueEncryption::SseKms(key) => {
                    set_queue_attribute(fix, &url, QueueAttributeName::KmsMasterKeyId, &key).await
                }
            }
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let url = queue_url(fix).await?;
            let mut steps = Vec::new();
            for change in changes {
                match change.detail()? {
                    QueueEncryption::SseSqs => {
                        set_queue_attribute(
                            fix,
                            &url,
                            QueueAttributeName::SqsManagedSseEnabled,
                            "false",
                        )
                        .await?;
                        steps.push(format!(
                            "turned SQS-managed encryption of {} off again",
                            before.resource
                        ));
                    }
                    QueueEncryption::SseKms(_) => {
                        set_queue_attribute(fix, &url, QueueAttributeName::KmsMasterKeyId, "")
                            .await?;
                        steps.push(format!(
                            "removed the KMS key of {} again (unencrypted, as before)",
                            before.resource
                        ));
                    }
                }
            }
            Ok(steps)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_use_sse_sqs_unless_a_key_is_configured() {
        let plain = QueueEncryptionBefore {
            sqs_managed_sse: false,
            kms_master_key_id: None,
        };
        let plan = queue_plan("q", plain.clone(), None);
        assert_eq!(
            plan.changes[0].detail::<QueueEncryption>().unwrap(),
            QueueEncryption::SseSqs
        );
        let plan = queue_plan("q", plain, Some("alias/queues"));
        assert!(plan.describe().contains("SSE-KMS"));
        let sse = QueueEncryptionBefore {
            sqs_managed_sse: true,
            kms_master_key_id: None,
        };
        assert!(queue_plan("q", sse, Some("alias/queues")).is_compliant());
    }
}
