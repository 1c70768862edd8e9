//! ECR private repositories: scan on push (`ECR.1`) and tag immutability (`ECR.2`).

use aws_sdk_ecr::types::{
    ImageScanningConfiguration, ImageTagMutability, ImageTagMutabilityExclusionFilter,
    ImageTagMutabilityExclusionFilterType, Repository,
};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

mod scan_on_push;
mod tag_immutability;

pub use scan_on_push::*;
pub use tag_immutability::*;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[scan_on_push::RULES, tag_immutability::RULES];

const NOT_FOUND: &[&str] = &["RepositoryNotFoundException"];
const SCAN_ON_PUSH: &str = "ScanOnPush";

fn resource(fix: &Fix<'_>) -> String {
    format!("ECR repository {}", fix.target.name)
}

async fn repository(fix: Fix<'_>) -> Result<Repository, FixError> {
    let out = fix
        .clients
        .ecr
        .describe_repositories()
        .registry_id(&fix.target.account)
        .repository_names(&fix.target.name)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("ecr:DescribeRepositories", &resource(&fix), NOT_FOUND, e)
        })?;
    out.repositories()
        .first()
        .cloned()
        .ok_or_else(|| FixError::NotFound {
            resource: resource(&fix),
            code: "RepositoryNotFoundException".into(),
        })
}

async fn repository_tags(
    fix: Fix<'_>,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    let out = fix
        .clients
        .ecr
        .list_tags_for_resource()
        .resource_arn(&fix.target.resource_id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("ecr:ListTagsForResource", &resource(&fix), NOT_FOUND, e)
        })?;
    Ok(Some(
        out.tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immutable_with_exclusions_counts_as_immutable() {
        let before = |m: &str| MutabilityBefore {
            mutability: m.into(),
            exclusion_filters: vec![("WILDCARD".into(), "latest".into())],
        };
        assert!(mutability_plan("r", before("IMMUTABLE_WITH_EXCLUSION")).is_compliant());
        let plan = mutability_plan("r", before("MUTABLE_WITH_EXCLUSION"));
        assert_eq!(plan.changes[0].detail::<String>().unwrap(), "IMMUTABLE");
        assert_eq!(plan.before.state["exclusion_filters"][0][1], "latest");
    }
}
