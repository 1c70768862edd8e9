//! ECR.1.

use super::*;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
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
    remediation: &SingleSetting(ScanOnPush),
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

impl Setting for ScanOnPush {
    fn name(&self) -> &'static str {
        SCAN_ON_PUSH
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let tags = repository_tags(fix, with_tags).await?;
            let repo = repository(fix).await?;
            Ok(SettingState {
                tags,
                resource: resource(&fix),
                enabled: repo
                    .image_scanning_configuration()
                    .is_some_and(|c| c.scan_on_push()),
                change: format!("turned on scan on push for {}", resource(&fix)),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(set_scan_on_push(fix, enabled))
    }
}
