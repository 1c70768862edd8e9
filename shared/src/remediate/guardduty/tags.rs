//! GuardDuty.2 and GuardDuty.4: filters and detectors carry the organisation's required
//! tag keys.

use crate::error::FixError;
use crate::remediate::required_tags::{RequiredTags, Tagged};
use crate::remediate::{Fix, FixFuture};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "GuardDuty.2",
        title: "GuardDuty filters should be tagged",
        resource_type: "Other",
        fix: "Adds the required tag keys the filter lacks, with the values of HUBFIX_REQUIRED_TAGS; keys it has keep their value. Undo removes the tags hubfix added.",
        iam_actions: &[
            "guardduty:ListTagsForResource",
            "guardduty:TagResource",
            "guardduty:UntagResource",
        ],
        impact: Impact::Safe,
        remediation: &RequiredTags(FilterTags),
    },
    Rule {
        control_id: "GuardDuty.4",
        title: "GuardDuty detectors should be tagged",
        resource_type: "AwsGuardDutyDetector",
        fix: "Adds the required tag keys the detector lacks, with the values of HUBFIX_REQUIRED_TAGS; keys it has keep their value. Undo removes the tags hubfix added.",
        iam_actions: &[
            "guardduty:ListTagsForResource",
            "guardduty:TagResource",
            "guardduty:UntagResource",
        ],
        impact: Impact::Safe,
        remediation: &RequiredTags(DetectorTags),
    },
];

/// A GuardDuty filter's tags. Security Hub has no ASFF type for filters: its findings
/// name one as `Other`, by ARN (`arn:aws:guardduty:<region>:<account>:detector/<id>/filter/<name>`).
#[derive(Debug)]
pub struct FilterTags;

/// A GuardDuty detector's tags.
#[derive(Debug)]
pub struct DetectorTags;

const NOT_FOUND: &[&str] = &["BadRequestException", "ResourceNotFoundException"];

/// A GuardDuty resource's ARN from the finding's account and region and its path
/// (`detector/<id>`, `detector/<id>/filter/<name>`).
fn guardduty_arn(fix: Fix<'_>, path: &str) -> String {
    let t = fix.target;
    format!(
        "arn:{}:guardduty:{}:{}:{path}",
        t.partition, t.region, t.account
    )
}

async fn read_tags(
    fix: Fix<'_>,
    arn: String,
    resource: String,
) -> Result<Vec<(String, String)>, FixError> {
    let out = fix
        .clients
        .guardduty
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("guardduty:ListTagsForResource", &resource, NOT_FOUND, e)
        })?;
    let mut tags: Vec<(String, String)> = out
        .tags()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    tags.sort();
    Ok(tags)
}

async fn add_tags(
    fix: Fix<'_>,
    arn: String,
    resource: String,
    tags: &[(String, String)],
) -> Result<(), FixError> {
    fix.clients
        .guardduty
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(tags.iter().cloned().collect()))
        .send()
        .await
        .map(drop)
        .map_err(|e| FixError::from_sdk("guardduty:TagResource", &resource, NOT_FOUND, e))
}

async fn remove_tags(
    fix: Fix<'_>,
    arn: String,
    resource: String,
    keys: &[String],
) -> Result<(), FixError> {
    fix.clients
        .guardduty
        .untag_resource()
        .resource_arn(arn)
        .set_tag_keys(Some(keys.to_vec()))
        .send()
        .await
        .map(drop)
        .map_err(|e| FixError::from_sdk("guardduty:UntagResource", &resource, NOT_FOUND, e))
}

impl Tagged for DetectorTags {
    fn described(&self, fix: Fix<'_>) -> String {
        format!("GuardDuty detector {}", fix.target.name)
    }

    fn read<'a>(&'a self, fix: Fix<'a>) -> FixFuture<'a, Vec<(String, String)>> {
        let arn = guardduty_arn(fix, &format!("detector/{}", fix.target.name));
        Box::pin(read_tags(fix, arn, self.described(fix)))
    }

    fn add<'a>(&'a self, fix: Fix<'a>, tags: &'a [(String, String)]) -> FixFuture<'a, ()> {
        let arn = guardduty_arn(fix, &format!("detector/{}", fix.target.name));
        Box::pin(add_tags(fix, arn, self.described(fix), tags))
    }

    fn remove<'a>(&'a self, fix: Fix<'a>, keys: &'a [String]) -> FixFuture<'a, ()> {
        let arn = guardduty_arn(fix, &format!("detector/{}", fix.target.name));
        Box::pin(remove_tags(fix, arn, self.described(fix), keys))
    }
}

impl Tagged for FilterTags {
    fn described(&self, fix: Fix<'_>) -> String {
        format!("GuardDuty filter {}", fix.target.name)
    }

    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        Some(crate::remediate::names::guardduty_filter(
            resource_id,
            account,
        ))
    }

    fn read<'a>(&'a self, fix: Fix<'a>) -> FixFuture<'a, Vec<(String, String)>> {
        Box::pin(read_tags(
            fix,
            guardduty_arn(fix, &fix.target.name),
            self.described(fix),
        ))
    }

    fn add<'a>(&'a self, fix: Fix<'a>, tags: &'a [(String, String)]) -> FixFuture<'a, ()> {
        Box::pin(add_tags(
            fix,
            guardduty_arn(fix, &fix.target.name),
            self.described(fix),
            tags,
        ))
    }

    fn remove<'a>(&'a self, fix: Fix<'a>, keys: &'a [String]) -> FixFuture<'a, ()> {
        Box::pin(remove_tags(
            fix,
            guardduty_arn(fix, &fix.target.name),
            self.described(fix),
            keys,
        ))
    }
}
