//! SNS: encryption at rest of topics (`SNS.1`), delivery status logging (`SNS.2`) and
//! topic policies that allow public access (`SNS.4`).

use crate::error::FixError;
use crate::remediate::Fix;

pub mod delivery_logging;
pub mod encryption;
pub mod public_policy;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    encryption::RULES,
    delivery_logging::RULES,
    public_policy::RULES,
];

/// The codes SNS answers for a topic that does not exist.
pub(crate) const TOPIC_NOT_FOUND: &[&str] = &["NotFound", "NotFoundException"];

/// The topic's attributes (`Policy`, `KmsMasterKeyId`, ...).
pub(crate) async fn topic_attributes(
    fix: Fix<'_>,
) -> Result<std::collections::HashMap<String, String>, FixError> {
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
    Ok(out.attributes.unwrap_or_default())
}

/// The topic's tags, when `with_tags`.
pub(crate) async fn topic_tags(
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
