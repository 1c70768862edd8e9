//! KMS: customer managed keys: automatic rotation (`KMS.4`), keys scheduled for
//! deletion (`KMS.3`) and key policies that allow public access (`KMS.5`).

use aws_sdk_kms::types::KeyMetadata;

use crate::error::FixError;

pub mod deletion;
pub mod public_policy;
pub mod rotation;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[deletion::RULES, public_policy::RULES, rotation::RULES];

/// The codes KMS answers for a key that does not exist.
pub(crate) const NO_SUCH_KEY: &[&str] = &["NotFoundException"];

/// A key's metadata (`resource` names the key in errors).
pub(crate) async fn describe_key(
    kms: &aws_sdk_kms::Client,
    key: &str,
    resource: &str,
) -> Result<KeyMetadata, FixError> {
    let described = kms
        .describe_key()
        .key_id(key)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("kms:DescribeKey", resource, NO_SUCH_KEY, e))?;
    described
        .key_metadata()
        .cloned()
        .ok_or_else(|| FixError::Target(format!("{resource} has no metadata")))
}

/// A key's tags.
pub(crate) async fn key_tags(
    kms: &aws_sdk_kms::Client,
    key: &str,
    resource: &str,
) -> Result<Vec<(String, String)>, FixError> {
    let out = kms
        .list_resource_tags()
        .key_id(key)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("kms:ListResourceTags", resource, NO_SUCH_KEY, e))?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.tag_key().to_owned(), t.tag_value().to_owned()))
        .collect())
}
