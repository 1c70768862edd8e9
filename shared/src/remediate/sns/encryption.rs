//! Encryption at rest of SNS topics (`SNS.1`).

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

use super::{topic_attributes, topic_tags, TOPIC_NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "SNS.1",
        title: "SNS topics should be encrypted at-rest using AWS KMS",
        resource_type: "AwsSnsTopic",
        fix: "Encrypts the topic with the configured customer managed KMS key (HUBFIX_SNS_KMS_KEY); unset, the finding is noted as needing it.",
        iam_actions: &[
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListTagsForResource",
        ],
        impact: Impact::Disruptive,
        remediation: &SnsEncryption,
    },
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

impl Remediation for SnsEncryption {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let topic = &fix.target.name;
            let attributes = topic_attributes(fix).await?;
            let current = key_of(attributes.get(KMS_MASTER_KEY_ID));
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
}
