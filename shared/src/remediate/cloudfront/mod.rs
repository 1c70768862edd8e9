//! CloudFront: a distribution's default root object (`CloudFront.1`) and origins that
//! name S3 buckets that no longer exist (`CloudFront.12`).
//!
//! Both read the distribution's configuration with `GetDistributionConfig` and write it
//! whole with `UpdateDistribution`, conditional on the ETag read with it, so that a
//! change made by someone else in between is never overwritten.

use aws_sdk_cloudfront::types::DistributionConfig;

use crate::error::FixError;
use crate::remediate::Fix;

pub mod dangling_origins;
pub mod default_root_object;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[default_root_object::RULES, dangling_origins::RULES];

/// The IAM actions of the rules that read and update a distribution.
pub(crate) const DISTRIBUTION_ACTIONS: &[&str] = &[
    "cloudfront:GetDistributionConfig",
    "cloudfront:ListTagsForResource",
    "cloudfront:UpdateDistribution",
];

/// The code CloudFront answers for a distribution that does not exist.
const NO_SUCH_DISTRIBUTION: &[&str] = &["NoSuchDistribution"];

/// How a note names a distribution.
pub(crate) fn distribution_words(id: &str) -> String {
    format!("CloudFront distribution {id}")
}

/// A distribution's configuration and the ETag an update must name.
pub(crate) struct Versioned {
    /// The configuration.
    pub config: DistributionConfig,
    /// The `ETag` of `GetDistributionConfig`, the `IfMatch` of the update.
    pub etag: String,
}

/// The configuration of the finding's distribution.
pub(crate) async fn read_config(fix: Fix<'_>) -> Result<Versioned, FixError> {
    let id = &fix.target.name;
    let out = fix
        .clients
        .cloudfront
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "cloudfront:GetDistributionConfig",
                &distribution_words(id),
                NO_SUCH_DISTRIBUTION,
                e,
            )
        })?;
    let config = out
        .distribution_config()
        .cloned()
        .ok_or_else(|| FixError::NotFound {
            resource: distribution_words(id),
            code: "NoSuchDistribution".into(),
        })?;
    Ok(Versioned {
        config,
        etag: out.e_tag().unwrap_or_default().to_owned(),
    })
}

/// Writes the configuration back, conditional on the ETag it was read with.
pub(crate) async fn write_config(fix: Fix<'_>, versioned: Versioned) -> Result<(), FixError> {
    let id = &fix.target.name;
    fix.clients
        .cloudfront
        .update_distribution()
        .id(id)
        .if_match(versioned.etag)
        .distribution_config(versioned.config)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "cloudfront:UpdateDistribution",
                &distribution_words(id),
                NO_SUCH_DISTRIBUTION,
                e,
            )
        })
}

/// The distribution's tags, as exemption tags are read.
pub(crate) async fn distribution_tags(fix: Fix<'_>) -> Result<Vec<(String, String)>, FixError> {
    let out = fix
        .clients
        .cloudfront
        .list_tags_for_resource()
        .resource(&fix.target.resource_id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "cloudfront:ListTagsForResource",
                &distribution_words(&fix.target.name),
                NO_SUCH_DISTRIBUTION,
                e,
            )
        })?;
    Ok(out
        .tags()
        .map(|t| t.items())
        .unwrap_or_default()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
        .collect())
}
