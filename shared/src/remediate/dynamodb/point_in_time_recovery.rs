//! DynamoDB: point-in-time recovery of tables (`DynamoDB.2`).

use aws_sdk_dynamodb::types::{PointInTimeRecoverySpecification, PointInTimeRecoveryStatus};

use crate::error::FixError;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture};
use crate::remediate::{Impact, Rule};

use super::{table_tags, NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "DynamoDB.2",
    title: "DynamoDB tables should have point-in-time recovery enabled",
    resource_type: "AwsDynamoDbTable",
    fix: "Turns on point-in-time recovery of the table.",
    iam_actions: &[
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:ListTagsOfResource",
    ],
    impact: Impact::Safe,
    remediation: &SingleSetting(PointInTimeRecovery),
}];

const SETTING: &str = "PointInTimeRecovery";

/// `DynamoDB.2`: point-in-time recovery of a table.
#[derive(Debug)]
pub struct PointInTimeRecovery;

async fn set_recovery(fix: Fix<'_>, enabled: bool) -> Result<(), FixError> {
    let table = &fix.target.name;
    let spec = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(enabled)
        .build()
        .map_err(|e| FixError::Target(format!("point-in-time recovery request: {e}")))?;
    fix.clients
        .dynamodb
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(spec)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "dynamodb:UpdateContinuousBackups",
                &format!("table {table}"),
                NOT_FOUND,
                e,
            )
        })
}

impl Setting for PointInTimeRecovery {
    fn name(&self) -> &'static str {
        SETTING
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let table = &fix.target.name;
            let tags = if with_tags {
                Some(table_tags(fix).await?)
            } else {
                None
            };
            let out = fix
                .clients
                .dynamodb
                .describe_continuous_backups()
                .table_name(table)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "dynamodb:DescribeContinuousBackups",
                        &format!("table {table}"),
                        NOT_FOUND,
                        e,
                    )
                })?;
            Ok(SettingState {
                tags,
                resource: format!("table {table}"),
                enabled: out
                    .continuous_backups_description()
                    .and_then(|d| d.point_in_time_recovery_description())
                    .and_then(|p| p.point_in_time_recovery_status())
                    == Some(&PointInTimeRecoveryStatus::Enabled),
                change: format!("turned on point-in-time recovery for DynamoDB table {table}"),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(set_recovery(fix, enabled))
    }
}
