//! ECR.2.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "ECR.2",
        title: "ECR private repositories should have tag immutability configured",
        resource_type: "AwsEcrRepository",
        fix: "Makes the repository's image tags immutable (pushing an existing tag, such as `latest`, then fails).",
        iam_actions: &[
            "ecr:DescribeRepositories",
            "ecr:ListTagsForResource",
            "ecr:PutImageTagMutability",
        ],
        impact: Impact::Disruptive,
        remediation: &TagImmutability,
    },
];

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
