//! DynamoDB.6.

use crate::error::FixError;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture};
use crate::remediate::{Impact, Rule};

use super::{table_tags, NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "DynamoDB.6",
    title: "DynamoDB tables should have deletion protection enabled",
    resource_type: "AwsDynamoDbTable",
    fix: "Turns on deletion protection of the table (deleting it then takes turning it off first).",
    iam_actions: &[
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTable",
        "dynamodb:ListTagsOfResource",
    ],
    impact: Impact::Safe,
    remediation: &SingleSetting(TableDeletionProtection),
}];

/// `DynamoDB.6`: deletion protection of a table.
#[derive(Debug)]
pub struct TableDeletionProtection;

impl Setting for TableDeletionProtection {
    fn name(&self) -> &'static str {
        "DeletionProtectionEnabled"
    }

    fn label(&self) -> &'static str {
        "deletion protection"
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
                .describe_table()
                .table_name(table)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "dynamodb:DescribeTable",
                        &format!("table {table}"),
                        NOT_FOUND,
                        e,
                    )
                })?;
            Ok(SettingState {
                tags,
                resource: format!("table {table}"),
                enabled: out
                    .table()
                    .and_then(|t| t.deletion_protection_enabled())
                    .unwrap_or(false),
                change: format!("turned on deletion protection of DynamoDB table {table}"),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let table = &fix.target.name;
            fix.clients
                .dynamodb
                .update_table()
                .table_name(table)
                .deletion_protection_enabled(enabled)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk(
                        "dynamodb:UpdateTable",
                        &format!("table {table}"),
                        NOT_FOUND,
                        e,
                    )
                })
        })
    }
}
