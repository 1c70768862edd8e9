//! Encryption at rest of SNS topics (`SNS.1`) and SQS queues (`SQS.1`).

use aws_sdk_sqs::types::QueueAttributeName;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::remediate::names::{sns_topic, sqs_queue};
use crate::remediate::{BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation};

const TOPIC_NOT_FOUND: &[&str] = &["NotFound", "NotFoundException"];
const QUEUE_NOT_FOUND: &[&str] = &[
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
];
const KMS_MASTER_KEY_ID: &str = "KmsMasterKeyId";

fn key_of(value: Option<&String>) -> Option<String> {
    value.filter(|k| !k.trim().is_empty()).cloned()
}

// ------------------------------------------------------------------------- SNS.1

/// `SNS.1`: a topic encrypted with the configured customer managed KMS key.
#[derive(Debug)]
pub struct SnsEncryption;

/// The before-state of `SNS.1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicEncryptionBefore {
    /// The topic's KMS key, `None` when it was not encrypted.
    pub kms_master_key_id: Option<String>,
}

/// The plan for `SNS.1`: encrypt an unencrypted topic with `key`.
pub fn topic_plan(
    topic: &str,
    current: Option<String>,
    key: Option<&str>,
) -> Result<Plan, FixError> {
    let changes = match (&current, key) {
        (Some(_), _) => Vec::new(),
        (None, None) => {
            return Err(FixError::Unconfigured(
                "SNS.1 needs a customer managed KMS key whose key policy lets the topic's publishers use it: set HUBFIX_SNS_KMS_KEY (template parameter SnsKmsKey)".into(),
            ))
        }
        (None, Some(key)) => vec![Change::new(
            format!("encrypted SNS topic {topic} with KMS key {key}"),
            &key,
        )],
    };
    Ok(Plan {
        before: BeforeState::new(
            format!("SNS topic {topic}"),
            &TopicEncryptionBefore {
                kms_master_key_id: current,
            },
        ),
        changes,
    })
}

async fn set_topic_key(fix: Fix<'_>, key: &str) -> Result<(), FixError> {
    let topic = &fix.target.name;
    fix.clients
        .sns
        .set_topic_attributes()
        .topic_arn(topic)
        .attribute_name(KMS_MASTER_KEY_ID)
        .attribute_value(key)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "sns:SetTopicAttributes",
                &format!("SNS topic {topic}"),
                TOPIC_NOT_FOUND,
                e,
            )
        })
}

async fn topic_tags(
    fix: Fix<'_>,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    let topic = &fix.target.name;
    let out = fix
        .clients
        .sns
        .list_tags_for_resource()
        .resource_arn(topic)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "sns:ListTagsForResource",
                &format!("SNS topic {topic}"),
                &["ResourceNotFound", "NotFound"],
                e,
            )
        })?;
    Ok(Some(
        out.tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect(),
    ))
}

impl Remediation for SnsEncryption {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        sns_topic(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let topic = &fix.target.name;
            let out = fix
                .clients
                .sns
                .get_topic_attributes()
                .topic_arn(topic)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "sns:GetTopicAttributes",
                        &format!("SNS topic {topic}"),
                        TOPIC_NOT_FOUND,
                        e,
                    )
                })?;
            let current = key_of(out.attributes().and_then(|a| a.get(KMS_MASTER_KEY_ID)));
            let tags = topic_tags(fix, with_tags).await?;
            Ok(Inspection {
                tags,
                plan: topic_plan(topic, current, fix.settings.sns_kms_key.as_deref())?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let key: String = change.detail()?;
            set_topic_key(fix, &key).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let TopicEncryptionBefore { kms_master_key_id } = before.recorded()?;
            set_topic_key(fix, kms_master_key_id.as_deref().unwrap_or_default()).await?;
            Ok(vec![match kms_master_key_id {
                Some(key) => format!("encrypted {} with KMS key {key} again", before.resource),
                None => format!("turned encryption at rest of {} off again", before.resource),
            }])
        })
    }
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

async fn queue_url(fix: Fix<'_>) -> Result<String, FixError> {
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

async fn set_queue_attribute(
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

impl Remediation for SqsEncryption {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        sqs_queue(resource_id, account)
    }

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
            let tags = if with_tags {
                let out = fix
                    .clients
                    .sqs
                    .list_queue_tags()
                    .queue_url(&url)
                    .send()
                    .await
                    .map_err(|e| {
                        FixError::from_sdk("sqs:ListQueueTags", &resource, QUEUE_NOT_FOUND, e)
                    })?;
                let mut tags: Vec<_> = out
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                tags.sort();
                Some(tags)
            } else {
                None
            };
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
    fn topics_need_the_configured_key() {
        let err = topic_plan("arn:aws:sns:us-east-1:123456789012:t", None, None).unwrap_err();
        assert!(matches!(err, FixError::Unconfigured(ref s) if s.contains("HUBFIX_SNS_KMS_KEY")));
        let plan = topic_plan("t", None, Some("alias/topics")).unwrap();
        assert_eq!(plan.changes[0].detail::<String>().unwrap(), "alias/topics");
        let encrypted = topic_plan("t", Some("alias/aws/sns".into()), None).unwrap();
        assert!(encrypted.is_compliant());
        assert_eq!(key_of(Some(&String::new())), None);
    }

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
