//! ECR.1.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "ECR.1",
    title: "ECR private repositories should have image scanning configured",
    resource_type: "AwsEcrRepository",
    fix: "Turns on scan on push for the repository.",
    iam_actions: &[
        "ecr:DescribeRepositories",
        "ecr:ListTagsForResource",
        "ecr:PutImageScanningConfiguration",
    ],
    impact: Impact::Safe,
    remediation: &ScanOnPush,
}];

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
