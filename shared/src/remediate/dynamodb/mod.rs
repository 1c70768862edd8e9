//! DynamoDB: tables' capacity auto scaling (`DynamoDB.1`), point-in-time recovery
//! (`DynamoDB.2`), required tags
//! (`DynamoDB.5`) and deletion protection (`DynamoDB.6`).

use crate::error::FixError;
use crate::remediate::Fix;

pub mod auto_scaling;
pub mod deletion_protection;
pub mod point_in_time_recovery;
pub mod tags;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    auto_scaling::RULES,
    deletion_protection::RULES,
    point_in_time_recovery::RULES,
    tags::RULES,
];

/// The codes DynamoDB answers for a table that does not exist.
const NOT_FOUND: &[&str] = &["TableNotFoundException", "ResourceNotFoundException"];

/// The table's tags (the finding's resource id is the table's ARN).
pub(crate) async fn table_tags(fix: Fix<'_>) -> Result<Vec<(String, String)>, FixError> {
    let mut tags = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = fix
            .clients
            .dynamodb
            .list_tags_of_resource()
            .resource_arn(&fix.target.resource_id)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "dynamodb:ListTagsOfResource",
                    &format!("table {}", fix.target.name),
                    NOT_FOUND,
                    e,
                )
            })?;
        tags.extend(
            out.tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned())),
        );
        match out.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => return Ok(tags),
        }
    }
}
