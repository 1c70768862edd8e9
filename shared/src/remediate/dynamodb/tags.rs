//! DynamoDB.5: tables carry the organisation's required tag keys.

use aws_sdk_dynamodb::types::Tag;

use crate::error::FixError;
use crate::remediate::required_tags::{RequiredTags, Tagged};
use crate::remediate::{Fix, FixFuture};
use crate::remediate::{Impact, Rule};

use super::{table_tags, NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "DynamoDB.5",
    title: "DynamoDB tables should be tagged",
    resource_type: "AwsDynamoDbTable",
    fix: "Adds the required tag keys the table lacks, with the values of HUBFIX_REQUIRED_TAGS; keys it has keep their value. Undo removes the tags hubfix added.",
    iam_actions: &[
        "dynamodb:ListTagsOfResource",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
    ],
    impact: Impact::Safe,
    remediation: &RequiredTags(TableTags),
}];

/// A DynamoDB table's tags (by the table's ARN, the finding's resource id).
#[derive(Debug)]
pub struct TableTags;

impl Tagged for TableTags {
    fn described(&self, fix: Fix<'_>) -> String {
        format!("DynamoDB table {}", fix.target.name)
    }

    fn read<'a>(&'a self, fix: Fix<'a>) -> FixFuture<'a, Vec<(String, String)>> {
        Box::pin(table_tags(fix))
    }

    fn add<'a>(&'a self, fix: Fix<'a>, tags: &'a [(String, String)]) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let tags = tags
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| FixError::Verification(format!("a tag DynamoDB refuses: {e}")))?;
            fix.clients
                .dynamodb
                .tag_resource()
                .resource_arn(&fix.target.resource_id)
                .set_tags(Some(tags))
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk("dynamodb:TagResource", &self.described(fix), NOT_FOUND, e)
                })
        })
    }

    fn remove<'a>(&'a self, fix: Fix<'a>, keys: &'a [String]) -> FixFuture<'a, ()> {
        Box::pin(async move {
            fix.clients
                .dynamodb
                .untag_resource()
                .resource_arn(&fix.target.resource_id)
                .set_tag_keys(Some(keys.to_vec()))
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk("dynamodb:UntagResource", &self.described(fix), NOT_FOUND, e)
                })
        })
    }
}
