//! Athena.4: a workgroup publishes its query metrics to CloudWatch.
//!
//! The control (AWS Config's `athena-workgroup-logging-enabled`) passes when the
//! workgroup's `PublishCloudWatchMetricsEnabled` is on. Publishing changes no query
//! (CloudWatch bills the metrics), so the fix is automatic.

use aws_sdk_athena::types::WorkGroupConfigurationUpdates;

use crate::error::FixError;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "Athena.4",
    title: "Athena workgroups should have logging enabled",
    resource_type: "AwsAthenaWorkGroup",
    fix: "Turns on publishing of the workgroup's query metrics to CloudWatch (PublishCloudWatchMetricsEnabled). Undo turns it off again.",
    iam_actions: &[
        "athena:GetWorkGroup",
        "athena:ListTagsForResource",
        "athena:UpdateWorkGroup",
    ],
    impact: Impact::Safe,
    remediation: &SingleSetting(WorkGroupMetrics),
}];

/// What Athena answers for a workgroup that does not exist. The name has been checked
/// by then, so an invalid request there means the workgroup is gone.
const WORKGROUP_NOT_FOUND: &[&str] = &["InvalidRequestException", "ResourceNotFoundException"];

/// How a note names a workgroup.
fn workgroup_words(name: &str) -> String {
    format!("Athena workgroup {name}")
}

/// `Athena.4`: the workgroup's `PublishCloudWatchMetricsEnabled`.
#[derive(Debug)]
pub struct WorkGroupMetrics;

async fn tags(fix: Fix<'_>) -> Result<Vec<(String, String)>, FixError> {
    let out = fix
        .clients
        .athena
        .list_tags_for_resource()
        .resource_arn(&fix.target.resource_id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "athena:ListTagsForResource",
                &workgroup_words(&fix.target.name),
                WORKGROUP_NOT_FOUND,
                e,
            )
        })?;
    Ok(out
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

impl Setting for WorkGroupMetrics {
    fn name(&self) -> &'static str {
        "PublishCloudWatchMetricsEnabled"
    }

    fn label(&self) -> &'static str {
        "CloudWatch metrics publishing"
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let name = &fix.target.name;
            let resource = workgroup_words(name);
            let out = fix
                .clients
                .athena
                .get_work_group()
                .work_group(name)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("athena:GetWorkGroup", &resource, WORKGROUP_NOT_FOUND, e)
                })?;
            let workgroup = out.work_group().ok_or_else(|| FixError::NotFound {
                resource: resource.clone(),
                code: "WorkGroupNotFound".into(),
            })?;
            let enabled = workgroup
                .configuration()
                .and_then(|c| c.publish_cloud_watch_metrics_enabled())
                .unwrap_or(false);
            Ok(SettingState {
                tags: if with_tags {
                    Some(tags(fix).await?)
                } else {
                    None
                },
                change: format!("turned on CloudWatch metrics publishing of {resource}"),
                resource,
                enabled,
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let name = &fix.target.name;
            fix.clients
                .athena
                .update_work_group()
                .work_group(name)
                .configuration_updates(
                    WorkGroupConfigurationUpdates::builder()
                        .publish_cloud_watch_metrics_enabled(enabled)
                        .build(),
                )
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk(
                        "athena:UpdateWorkGroup",
                        &workgroup_words(name),
                        WORKGROUP_NOT_FOUND,
                        e,
                    )
                })
        })
    }
}
