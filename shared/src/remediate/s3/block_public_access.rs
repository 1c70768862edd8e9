//! S3 Block Public Access, for buckets (`S3.8`) and for the account (`S3.1`); and the
//! `BlockPublicBucket` playbook, the `S3.8` fix for a bucket GuardDuty or Macie reports
//! exposed.

use aws_sdk_s3::types::PublicAccessBlockConfiguration as BucketPab;
use aws_sdk_s3control::types::PublicAccessBlockConfiguration as AccountPab;
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::finding::SeverityLabel;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::playbook::{guardduty, macie, FindingType, Playbook};
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

const BUCKET_PAB_ACTIONS: &[&str] = &[
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketTagging",
];
const ACCOUNT_PAB_ACTIONS: &[&str] = &[
    "s3:GetAccountPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
];
/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "S3.1",
        title: "S3 general purpose buckets should have block public access settings enabled",
        resource_type: "AwsAccount",
        fix: "Turns on all four account-level S3 Block Public Access settings.",
        iam_actions: ACCOUNT_PAB_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &AccountBlockPublicAccess,
    },
    Rule {
        control_id: "S3.8",
        title: "S3 general purpose buckets should block public access",
        resource_type: "AwsS3Bucket",
        fix: "Turns on all four Block Public Access settings of the bucket.",
        iam_actions: BUCKET_PAB_ACTIONS,
        impact: Impact::Safe,
        remediation: &BucketBlockPublicAccess,
    },
];

/// The playbook's id.
pub const PLAYBOOK_BLOCK_PUBLIC_BUCKET: &str = "BlockPublicBucket";

/// GuardDuty's and Macie's findings of a bucket open to the public, in their ASFF form.
const EXPOSED_BUCKET: &[FindingType] = &[
    guardduty("Policy:S3-BucketBlockPublicAccessDisabled"),
    guardduty("Policy:S3-BucketAnonymousAccessGranted"),
    guardduty("Policy:S3-BucketPublicAccessGranted"),
    macie("Policy:IAMUser-S3BucketPublic"),
    macie("Policy:IAMUser-S3BlockPublicAccessDisabled"),
];

/// The playbook: as safe as `S3.8`, whose fix it is, so automatic by default.
pub(crate) static PLAYBOOKS: &[Playbook] = &[Playbook {
    rule: Rule {
        control_id: PLAYBOOK_BLOCK_PUBLIC_BUCKET,
        title: "Block public access to a bucket GuardDuty or Macie reports exposed",
        resource_type: "AwsS3Bucket",
        fix: "Turns on all four Block Public Access settings of the bucket (the S3.8 fix).",
        iam_actions: BUCKET_PAB_ACTIONS,
        impact: Impact::Safe,
        remediation: &BucketBlockPublicAccess,
    },
    finding_types: EXPOSED_BUCKET,
    min_severity: SeverityLabel::Low,
    action: None,
    automatic_when: None,
}];

pub(crate) const NO_SUCH_BUCKET: &[&str] = &["NoSuchBucket"];
const NO_PAB: &str = "NoSuchPublicAccessBlockConfiguration";

/// The four Block Public Access settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlock {
    /// Reject requests that add public ACLs.
    pub block_public_acls: bool,
    /// Ignore existing public ACLs.
    pub ignore_public_acls: bool,
    /// Reject bucket policies that grant public access.
    pub block_public_policy: bool,
    /// Restrict access to buckets with public policies to AWS principals of the account.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// The names of the settings that are off.
    pub fn settings_off(config: Option<&PublicAccessBlock>) -> Vec<&'static str> {
        let c = config.copied().unwrap_or(PublicAccessBlock {
            block_public_acls: false,
            ignore_public_acls: false,
            block_public_policy: false,
            restrict_public_buckets: false,
        });
        [
            ("BlockPublicAcls", c.block_public_acls),
            ("IgnorePublicAcls", c.ignore_public_acls),
            ("BlockPublicPolicy", c.block_public_policy),
            ("RestrictPublicBuckets", c.restrict_public_buckets),
        ]
        .into_iter()
        .filter(|(_, on)| !on)
        .map(|(name, _)| name)
        .collect()
    }
}

/// `S3.8`: all four Block Public Access settings of a bucket.
#[derive(Debug)]
pub struct BucketBlockPublicAccess;

/// `S3.1`: all four Block Public Access settings of the account (S3 Control).
#[derive(Debug)]
pub struct AccountBlockPublicAccess;

/// The before-state of both: the configuration, `None` when there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockBefore {
    /// The configuration before the fix.
    pub config: Option<PublicAccessBlock>,
}

/// The change both make: the settings that were off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnOn {
    /// The settings turned on.
    pub settings: Vec<String>,
}

impl Remediation for BucketBlockPublicAccess {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(inspect_bucket(&fix.clients.s3, &fix.target.name, with_tags))
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(block_bucket_public_access(
            &fix.clients.s3,
            &fix.target.name,
        ))
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let BlockBefore { config } = before.recorded()?;
            restore_bucket_block(&fix.clients.s3, &fix.target.name, config).await
        })
    }
}

impl Remediation for AccountBlockPublicAccess {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(inspect_account(&fix.clients.s3control, &fix.target.name))
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(block_account_public_access(
            &fix.clients.s3control,
            &fix.target.name,
        ))
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let BlockBefore { config } = before.recorded()?;
            restore_account_block(&fix.clients.s3control, &fix.target.name, config).await
        })
    }
}

/// The plan for a Block Public Access configuration: turn on what is off.
pub(crate) fn block_plan(resource: String, config: Option<PublicAccessBlock>) -> Plan {
    let off = PublicAccessBlock::settings_off(config.as_ref());
    let changes = if off.is_empty() {
        Vec::new()
    } else {
        vec![Change::new(
            format!("turned on {}", off.join(", ")),
            &TurnOn {
                settings: off.iter().map(|s| (*s).to_owned()).collect(),
            },
        )]
    };
    Plan {
        before: BeforeState::new(resource, &BlockBefore { config }),
        changes,
    }
}

/// A bucket's tags, when asked for (`None` otherwise); a bucket without tags has none.
pub(crate) async fn bucket_tags(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    match s3.get_bucket_tagging().bucket(bucket).send().await {
        Ok(out) => Ok(Some(
            out.tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
        )),
        Err(e) if service_code(&e) == Some("NoSuchTagSet") => Ok(Some(Vec::new())),
        Err(e) => Err(FixError::from_sdk(
            "s3:GetBucketTagging",
            &format!("bucket {bucket}"),
            NO_SUCH_BUCKET,
            e,
        )),
    }
}

/// Reads a bucket's tags (when asked) and Block Public Access, and plans the fix.
pub(crate) async fn inspect_bucket(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    with_tags: bool,
) -> Result<Inspection, FixError> {
    let resource = format!("bucket {bucket}");
    let tags = bucket_tags(s3, bucket, with_tags);
    let config = async {
        match s3.get_public_access_block().bucket(bucket).send().await {
            Ok(out) => Ok(out.public_access_block_configuration().map(from_bucket_pab)),
            Err(e) if service_code(&e) == Some(NO_PAB) => Ok(None),
            Err(e) => Err(FixError::from_sdk(
                "s3:GetBucketPublicAccessBlock",
                &resource,
                NO_SUCH_BUCKET,
                e,
            )),
        }
    };
    let (tags, config) = tokio::join!(tags, config);
    let config = config?;
    Ok(Inspection {
        tags: tags?,
        plan: block_plan(resource, config),
    })
}

/// Reads the account's Block Public Access and plans the fix.
async fn inspect_account(
    s3control: &aws_sdk_s3control::Client,
    account_id: &str,
) -> Result<Inspection, FixError> {
    let config = match s3control
        .get_public_access_block()
        .account_id(account_id)
        .send()
        .await
    {
        Ok(out) => out
            .public_access_block_configuration()
            .map(from_account_pab),
        Err(e) if service_code(&e) == Some(NO_PAB) => None,
        Err(e) => {
            return Err(FixError::from_sdk(
                "s3:GetAccountPublicAccessBlock",
                &format!("account {account_id}"),
                &[],
                e,
            ))
        }
    };
    Ok(Inspection {
        tags: None,
        plan: block_plan(format!("account {account_id}"), config),
    })
}

/// Turns on all four Block Public Access settings of a bucket.
pub(crate) async fn block_bucket_public_access(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<(), FixError> {
    let all_on = BucketPab::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(all_on)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "s3:PutBucketPublicAccessBlock",
                &format!("bucket {bucket}"),
                NO_SUCH_BUCKET,
                e,
            )
        })
}

/// Turns on all four Block Public Access settings of the account.
async fn block_account_public_access(
    s3control: &aws_sdk_s3control::Client,
    account_id: &str,
) -> Result<(), FixError> {
    let all_on = AccountPab::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    s3control
        .put_public_access_block()
        .account_id(account_id)
        .public_access_block_configuration(all_on)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "s3:PutAccountPublicAccessBlock",
                &format!("account {account_id}"),
                &[],
                e,
            )
        })
}

/// Puts a bucket's Block Public Access back as it was: the recorded settings, or none.
pub(crate) async fn restore_bucket_block(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    config: Option<PublicAccessBlock>,
) -> Result<Vec<String>, FixError> {
    let resource = format!("bucket {bucket}");
    let Some(c) = config else {
        s3.delete_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "s3:PutBucketPublicAccessBlock",
                    &resource,
                    NO_SUCH_BUCKET,
                    e,
                )
            })?;
        return Ok(vec![format!(
            "removed the Block Public Access configuration of {resource}, which had none"
        )]);
    };
    let config = BucketPab::builder()
        .block_public_acls(c.block_public_acls)
        .ignore_public_acls(c.ignore_public_acls)
        .block_public_policy(c.block_public_policy)
        .restrict_public_buckets(c.restrict_public_buckets)
        .build();
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(config)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "s3:PutBucketPublicAccessBlock",
                &resource,
                NO_SUCH_BUCKET,
                e,
            )
        })?;
    Ok(vec![restored(&resource, &c)])
}

/// Puts the account's Block Public Access back as it was: the recorded settings, or none.
async fn restore_account_block(
    s3control: &aws_sdk_s3control::Client,
    account_id: &str,
    config: Option<PublicAccessBlock>,
) -> Result<Vec<String>, FixError> {
    let resource = format!("account {account_id}");
    let Some(c) = config else {
        s3control
            .delete_public_access_block()
            .account_id(account_id)
            .send()
            .await
            .map_err(|e| FixError::from_sdk("s3:PutAccountPublicAccessBlock", &resource, &[], e))?;
        return Ok(vec![format!(
            "removed the Block Public Access configuration of {resource}, which had none"
        )]);
    };
    let config = AccountPab::builder()
        .block_public_acls(c.block_public_acls)
        .ignore_public_acls(c.ignore_public_acls)
        .block_public_policy(c.block_public_policy)
        .restrict_public_buckets(c.restrict_public_buckets)
        .build();
    s3control
        .put_public_access_block()
        .account_id(account_id)
        .public_access_block_configuration(config)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("s3:PutAccountPublicAccessBlock", &resource, &[], e))?;
    Ok(vec![restored(&resource, &c)])
}

/// The step a restore of Block Public Access reports.
fn restored(resource: &str, config: &PublicAccessBlock) -> String {
    let off = PublicAccessBlock::settings_off(Some(config));
    if off.is_empty() {
        format!(
            "put back the Block Public Access configuration of {resource} (all four settings on)"
        )
    } else {
        format!("turned off {} on {resource} again", off.join(", "))
    }
}

/// Puts a bucket's Block Public Access as recorded, but with `BlockPublicAcls` off, so
/// that public ACL grants can be put back before the recorded configuration returns.
pub(crate) async fn allow_public_acls(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    config: Option<PublicAccessBlock>,
) -> Result<(), FixError> {
    let c = config.unwrap_or(PublicAccessBlock {
        block_public_acls: false,
        ignore_public_acls: false,
        block_public_policy: false,
        restrict_public_buckets: false,
    });
    let relaxed = BucketPab::builder()
        .block_public_acls(false)
        .ignore_public_acls(c.ignore_public_acls)
        .block_public_policy(c.block_public_policy)
        .restrict_public_buckets(c.restrict_public_buckets)
        .build();
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(relaxed)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "s3:PutBucketPublicAccessBlock",
                &format!("bucket {bucket}"),
                NO_SUCH_BUCKET,
                e,
            )
        })
}

fn from_bucket_pab(c: &BucketPab) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: c.block_public_acls().unwrap_or(false),
        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
        block_public_policy: c.block_public_policy().unwrap_or(false),
        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
    }
}

fn from_account_pab(c: &AccountPab) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: c.block_public_acls().unwrap_or(false),
        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
        block_public_policy: c.block_public_policy().unwrap_or(false),
        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::bucket_name;

    #[test]
    fn settings_off_lists_what_is_missing() {
        assert_eq!(PublicAccessBlock::settings_off(None).len(), 4);
        let partly = PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: false,
            block_public_policy: true,
            restrict_public_buckets: false,
        };
        assert_eq!(
            PublicAccessBlock::settings_off(Some(&partly)),
            vec!["IgnorePublicAcls", "RestrictPublicBuckets"]
        );
    }

    #[test]
    fn bucket_names_from_arns() {
        assert_eq!(
            bucket_name("arn:aws:s3:::my.bucket-1").unwrap(),
            "my.bucket-1"
        );
        assert_eq!(
            bucket_name("arn:aws-us-gov:s3:::gov-bucket").unwrap(),
            "gov-bucket"
        );
        assert_eq!(bucket_name("plain-bucket").unwrap(), "plain-bucket");
        for bad in [
            "arn:aws:s3:::Upper",
            "arn:aws:s3:::a",
            "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
            "arn:aws:ec2:::bucket",
            "arn:aws:s3:::bucket/key",
            "-leading-dash",
            "trailing-dash-",
            "bucketsg-",
            "two..dots",
            "192.168.1.10",
        ] {
            assert!(bucket_name(bad).is_err(), "{bad}");
        }
    }
}
