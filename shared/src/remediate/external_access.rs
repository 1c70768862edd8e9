//! The `RevokeExternalAccess` playbook: IAM Access Analyzer found that a bucket,
//! topic or queue policy grants a principal outside the zone of trust (another account,
//! or everyone); the grant to that principal is removed from the resource policy and
//! every other statement, and every other principal of the same statement, is kept.
//! Undo writes the policy back as it was.
//!
//! Access Analyzer names the principal in the resource's `Details.Other["External
//! Principal"]` (an account id, a principal's ARN, or `*`). Access granted otherwise
//! (a bucket ACL, an access point, a condition on `aws:PrincipalAccount`) is not in a
//! statement hubfix can name: the finding is then noted as needing a person.

use crate::error::FixError;
use crate::finding::{quoted, Resource, SeverityLabel, MAX_QUOTED_CHARS};
use crate::ids::Arn;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::playbook::{access_analyzer, FindingType, Playbook};
use crate::remediate::resource_policy::{
    removal_plan, without_grants_to, PolicyStore, PolicyTextBefore,
};
use crate::remediate::s3::policy::BucketPolicy;
use crate::remediate::sns::public_policy::TopicPolicy;
use crate::remediate::sqs::public_policy::QueuePolicy;
use crate::remediate::{resource_kinds, Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The playbook's id.
pub const PLAYBOOK_REVOKE_EXTERNAL_ACCESS: &str = "RevokeExternalAccess";

/// Access Analyzer's external access findings (public and cross-account share the last
/// segment of their ASFF type).
const EXTERNAL_ACCESS: &[FindingType] = &[access_analyzer("External Access Granted")];

/// The resource types whose policies the playbook edits, beside the bucket.
const OTHER_TYPES: &[&str] = &["AwsSnsTopic", "AwsSqsQueue"];

/// The playbook: approval-only, as the partner the grant serves may still need it.
pub(crate) static PLAYBOOKS: &[Playbook] = &[Playbook {
    rule: Rule {
        control_id: PLAYBOOK_REVOKE_EXTERNAL_ACCESS,
        title: "Revoke the external access IAM Access Analyzer found in a resource policy",
        resource_type: "AwsS3Bucket",
        fix: "Removes the finding's external principal (an account, a principal, or everyone) from the bucket, topic or queue policy: from each statement naming it, and the statement when it names no one else; the other statements stay. Undo puts the policy back.",
        iam_actions: &[
            "s3:DeleteBucketPolicy",
            "s3:GetBucketPolicy",
            "s3:GetBucketTagging",
            "s3:PutBucketPolicy",
            "sns:GetTopicAttributes",
            "sns:ListTagsForResource",
            "sns:SetTopicAttributes",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ListQueueTags",
            "sqs:SetQueueAttributes",
        ],
        impact: Impact::Disruptive,
        remediation: &RevokeExternalAccess,
    },
    finding_types: EXTERNAL_ACCESS,
    min_severity: SeverityLabel::Low,
    action: None,
    automatic_when: None,
}];

/// The `RevokeExternalAccess` playbook.
#[derive(Debug)]
pub struct RevokeExternalAccess;

/// The policy store of the resource an id names (its ARN's service).
fn store(resource_id: &str) -> Result<&'static dyn PolicyStore, FixError> {
    match Arn::parse(resource_id).map(|a| a.service) {
        Some("s3") => Ok(&BucketPolicy),
        Some("sns") => Ok(&TopicPolicy),
        Some("sqs") => Ok(&QueuePolicy),
        _ => Err(FixError::Target(format!(
            "`{}` is not the ARN of a bucket, topic or queue",
            quoted(resource_id, MAX_QUOTED_CHARS)
        ))),
    }
}

/// The ASFF type of the resource an id names.
fn asff_type(resource_id: &str) -> Option<&'static str> {
    match Arn::parse(resource_id)?.service {
        "s3" => Some("AwsS3Bucket"),
        "sns" => Some("AwsSnsTopic"),
        "sqs" => Some("AwsSqsQueue"),
        _ => None,
    }
}

/// An external principal as a policy can name it: `*`, a 12-digit account id, or an
/// IAM principal's ARN.
pub fn is_external_principal(p: &str) -> bool {
    p == "*"
        || (p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()))
        || Arn::parse(p).is_some_and(|a| a.service == "iam" || a.service == "sts")
}

/// Plans the removal of `external`'s grants from a policy.
pub fn plan(
    resource: String,
    policy: Option<String>,
    may_be_empty: bool,
    external: &str,
) -> Result<Plan, FixError> {
    removal_plan(
        resource,
        policy,
        may_be_empty,
        &format!("the grants to {external}"),
        |doc| without_grants_to(doc, external),
    )
}

impl Remediation for RevokeExternalAccess {
    /// The id says which kind of resource it is: the name is read as that kind's.
    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        Some(match asff_type(resource_id) {
            Some(t) => resource_kinds::resource_name(t, resource_id, account),
            None => Err(FixError::Target(format!(
                "`{}` is not the ARN of a bucket, topic or queue",
                quoted(resource_id, MAX_QUOTED_CHARS)
            ))),
        })
    }

    fn other_resource_types(&self) -> &'static [&'static str] {
        OTHER_TYPES
    }

    fn finding_principal(&self, resource: &Resource) -> Option<String> {
        resource
            .details
            .as_ref()?
            .get("Other")?
            .get("External Principal")?
            .as_str()
            .map(str::trim)
            .map(str::to_owned)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let store = store(&fix.target.resource_id)?;
            let external = external_principal(fix)?;
            let stored = store.read(fix, with_tags).await?;
            Ok(Inspection {
                tags: stored.tags,
                plan: plan(
                    store.resource(fix),
                    stored.policy,
                    store.may_be_empty(),
                    external,
                )?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let policy: Option<String> = change.detail()?;
            store(&fix.target.resource_id)?
                .write(fix, policy.as_deref())
                .await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let PolicyTextBefore { policy } = before.recorded()?;
            store(&fix.target.resource_id)?
                .write(fix, policy.as_deref())
                .await?;
            Ok(vec![format!(
                "put the policy of {} back as it was, its external grants with it",
                before.resource
            )])
        })
    }
}

/// The external principal the finding names, checked.
fn external_principal<'a>(fix: Fix<'a>) -> Result<&'a str, FixError> {
    match fix.target.principal.as_deref() {
        Some(p) if is_external_principal(p) => Ok(p),
        Some(p) => Err(FixError::Manual(format!(
            "the finding's external principal `{}` is not an account, an IAM principal or everyone: remove its access from the policy by hand",
            quoted(p, MAX_QUOTED_CHARS)
        ))),
        None => Err(FixError::Manual(
            "the finding does not name the external principal (Details.Other[\"External Principal\"]): remove the external access from the policy by hand, then rescan in IAM Access Analyzer".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_principals_are_accounts_principals_or_everyone() {
        for ok in [
            "*",
            "444455556666",
            "arn:aws:iam::444455556666:root",
            "arn:aws:iam::444455556666:role/partner",
        ] {
            assert!(is_external_principal(ok), "{ok}");
        }
        for bad in [
            "",
            "4444",
            "cloudfront.amazonaws.com",
            "arn:aws:s3:::b",
            "o-abc123",
        ] {
            assert!(!is_external_principal(bad), "{bad}");
        }
    }

    #[test]
    fn the_grant_is_removed_and_a_policy_with_nothing_left_is_a_persons() {
        let policy = serde_json::json!({"Statement": [
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sns:Publish"}
        ]})
        .to_string();
        let p = plan("topic t".into(), Some(policy.clone()), true, "444455556666").unwrap();
        let written: Option<String> = p.changes[0].detail().unwrap();
        assert_eq!(written, None, "the policy is removed");
        let err = plan(
            "topic t".into(),
            Some(policy.clone()),
            false,
            "444455556666",
        )
        .unwrap_err();
        assert!(matches!(err, FixError::Manual(_)), "{err}");
        assert!(plan("topic t".into(), Some(policy), true, "999999999999")
            .unwrap()
            .is_compliant());
    }

    #[test]
    fn the_resource_kind_comes_from_the_arn() {
        assert_eq!(
            asff_type("arn:aws:sqs:us-east-1:111122223333:q"),
            Some("AwsSqsQueue")
        );
        assert_eq!(asff_type("arn:aws:s3:::b"), Some("AwsS3Bucket"));
        assert_eq!(asff_type("arn:aws:kms:us-east-1:111122223333:key/1"), None);
        assert!(store("arn:aws:lambda:us-east-1:111122223333:function:f").is_err());
    }
}
