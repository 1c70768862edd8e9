//! ECR private repositories: scan on push (`ECR.1`) and tag immutability (`ECR.2`).

use aws_sdk_ecr::types::{
    ImageScanningConfiguration, ImageTagMutability, ImageTagMutabilityExclusionFilter,
    ImageTagMutabilityExclusionFilterType, Repository,
};
use serde::{Deserialize, Serialize};

use super::names::ecr_repository;
use super::toggle::{recorded_setting, toggle_plan, undo_line};
use super::{BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation};
use crate::error::FixError;

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

// ------------------------------------------------------------------------- ECR.1

/// `ECR.1`: images are scanned when they are pushed.
#[derive(Debug)]
pub struct ScanOnPush;

async fn set_scan_on_push(fix: Fix<'_>, enabled: bool) -> Result<(), FixError> {
    fix.clients
        .ecr
        .put_image_scanning_configuration()
        .registry_id(&fix.target.account)
        .repository_name(&fix.target.name)
        .image_scanning_configuration(
            ImageScanningConfiguration::builder()
                .scan_on_push(enabled)
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ecr:PutImageScanningConfiguration",
                &resource(&fix),
                NOT_FOUND,
                e,
            )
        })
}

impl Remediation for ScanOnPush {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        ecr_repository(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = repository_tags(fix, with_tags).await?;
            let repo = repository(fix).await?;
            let enabled = repo
                .image_scanning_configuration()
                .is_some_and(|c| c.scan_on_push());
            Ok(Inspection {
                tags,
                plan: toggle_plan(
                    resource(&fix),
                    SCAN_ON_PUSH,
                    enabled,
                    true,
                    format!("turned on scan on push for {}", resource(&fix)),
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_scan_on_push(fix, change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let enabled = recorded_setting(before, SCAN_ON_PUSH)?;
            set_scan_on_push(fix, enabled).await?;
            Ok(vec![undo_line(SCAN_ON_PUSH, &before.resource, enabled)])
        })
    }
}

// ------------------------------------------------------------------------- ECR.2

/// `ECR.2`: image tags cannot be overwritten.
#[derive(Debug)]
pub struct TagImmutability;

/// The before-state of `ECR.2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutabilityBefore {
    /// `MUTABLE`, `IMMUTABLE`, `MUTABLE_WITH_EXCLUSION` or `IMMUTABLE_WITH_EXCLUSION`.
    pub mutability: String,
    /// The exclusion filters, as `(type, filter)`.
    pub exclusion_filters: Vec<(String, String)>,
}

/// The plan for `ECR.2`: tags become immutable unless they already are (with or without
/// exclusions).
pub fn mutability_plan(repository: &str, before: MutabilityBefore) -> Plan {
    let immutable = before.mutability.starts_with("IMMUTABLE");
    let changes = if immutable {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "made the image tags of ECR repository {repository} immutable (was {})",
                before.mutability
            ),
            &ImageTagMutability::Immutable.as_str(),
        )]
    };
    Plan {
        before: BeforeState::new(format!("ECR repository {repository}"), &before),
        changes,
    }
}

async fn set_mutability(
    fix: Fix<'_>,
    mutability: &str,
    filters: &[(String, String)],
) -> Result<(), FixError> {
    let filters = filters
        .iter()
        .map(|(kind, filter)| {
            ImageTagMutabilityExclusionFilter::builder()
                .filter_type(ImageTagMutabilityExclusionFilterType::from(kind.as_str()))
                .filter(filter)
                .build()
                .map_err(|e| FixError::Target(format!("tag mutability exclusion filter: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    fix.clients
        .ecr
        .put_image_tag_mutability()
        .registry_id(&fix.target.account)
        .repository_name(&fix.target.name)
        .image_tag_mutability(ImageTagMutability::from(mutability))
        .set_image_tag_mutability_exclusion_filters((!filters.is_empty()).then_some(filters))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| FixError::from_sdk("ecr:PutImageTagMutability", &resource(&fix), NOT_FOUND, e))
}

impl Remediation for TagImmutability {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        ecr_repository(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = repository_tags(fix, with_tags).await?;
            let repo = repository(fix).await?;
            let before = MutabilityBefore {
                mutability: repo
                    .image_tag_mutability()
                    .map(|m| m.as_str().to_owned())
                    .unwrap_or_else(|| ImageTagMutability::Mutable.as_str().to_owned()),
                exclusion_filters: repo
                    .image_tag_mutability_exclusion_filters()
                    .iter()
                    .map(|f| (f.filter_type().as_str().to_owned(), f.filter().to_owned()))
                    .collect(),
            };
            Ok(Inspection {
                tags,
                plan: mutability_plan(&fix.target.name, before),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let mutability: String = change.detail()?;
            set_mutability(fix, &mutability, &[]).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: MutabilityBefore = before.recorded()?;
            set_mutability(fix, &recorded.mutability, &recorded.exclusion_filters).await?;
            Ok(vec![format!(
                "set the image tags of {} back to {}",
                before.resource, recorded.mutability
            )])
        })
    }
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
