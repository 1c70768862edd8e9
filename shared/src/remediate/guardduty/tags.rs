//! GuardDuty.4: detectors carry the organisation's required tag keys.

use crate::error::FixError;
use crate::remediate::required_tags::{RequiredTags, Tagged};
use crate::remediate::{Fix, FixFuture};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
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
}];

/// A GuardDuty detector's tags.
#[derive(Debug)]
pub struct DetectorTags;

const NOT_FOUND: &[&str] = &["BadRequestException", "ResourceNotFoundException"];

/// The detector's ARN, from the finding's account and region and its id.
fn detector_arn(fix: Fix<'_>) -> String {
    let t = fix.target;
    format!(
        "arn:{}:guardduty:{}:{}:detector/{}",
        t.partition, t.region, t.account, t.name
    )
}

impl Tagged for DetectorTags {
    fn described(&self, fix: Fix<'_>) -> String {
        format!("GuardDuty detector {}", fix.target.name)
    }

    fn read<'a>(&'a self, fix: Fix<'a>) -> FixFuture<'a, Vec<(String, String)>> {
        Box::pin(async move {
            let out = fix
                .clients
                .guardduty
                .list_tags_for_resource()
                .resource_arn(detector_arn(fix))
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "guardduty:ListTagsForResource",
                        &self.described(fix),
                        NOT_FOUND,
                        e,
                    )
                })?;
            let mut tags: Vec<(String, String)> = out
                .tags()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            tags.sort();
            Ok(tags)
        })
    }

    fn add<'a>(&'a self, fix: Fix<'a>, tags: &'a [(String, String)]) -> FixFuture<'a, ()> {
        Box::pin(async move {
            fix.clients
                .guardduty
                .tag_resource()
                .resource_arn(detector_arn(fix))
                .set_tags(Some(tags.iter().cloned().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk("guardduty:TagResource", &self.described(fix), NOT_FOUND, e)
                })
        })
    }

    fn remove<'a>(&'a self, fix: Fix<'a>, keys: &'a [String]) -> FixFuture<'a, ()> {
        Box::pin(async move {
            fix.clients
                .guardduty
                .untag_resource()
                .resource_arn(detector_arn(fix))
                .set_tag_keys(Some(keys.to_vec()))
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk(
                        "guardduty:UntagResource",
                        &self.described(fix),
                        NOT_FOUND,
                        e,
                    )
                })
        })
    }
}
