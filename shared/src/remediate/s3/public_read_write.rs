//! S3.2 / S3.3.

use super::*;
use crate::remediate::{Impact, Rule};

const PUBLIC_READ_WRITE_ACTIONS: &[&str] = &[
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketAcl",
    "s3:PutBucketAcl",
    "s3:GetBucketTagging",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "S3.2",
        title: "S3 general purpose buckets should block public read access",
        resource_type: "AwsS3Bucket",
        fix: "Turns on the bucket's Block Public Access settings and removes ACL grants to AllUsers and AuthenticatedUsers.",
        iam_actions: PUBLIC_READ_WRITE_ACTIONS,
        impact: Impact::Safe,
        remediation: &BlockPublicReadWrite,
    },
    Rule {
        control_id: "S3.3",
        title: "S3 general purpose buckets should block public write access",
        resource_type: "AwsS3Bucket",
        fix: "Turns on the bucket's Block Public Access settings and removes ACL grants to AllUsers and AuthenticatedUsers.",
        iam_actions: PUBLIC_READ_WRITE_ACTIONS,
        impact: Impact::Safe,
        remediation: &BlockPublicReadWrite,
    },
];

/// `S3.2`, `S3.3`: no public read or write access. Block Public Access on, and the
/// public ACL grants removed (Block Public Access alone leaves them in place).
#[derive(Debug)]
pub struct BlockPublicReadWrite;

/// A public ACL grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicGrant {
    /// The group URI.
    pub grantee: String,
    /// READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL.
    pub permission: String,
}

/// The changes `BlockPublicReadWrite` makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PublicAccessChange {
    /// Turn on the Block Public Access settings that are off.
    BlockPublicAccess,
    /// Remove the public grants from the bucket ACL.
    RemovePublicGrants {
        /// The grants removed.
        grants: Vec<PublicGrant>,
    },
}

/// The before-state: the Block Public Access configuration and the public grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBefore {
    /// Block Public Access as it was.
    pub block: Option<crate::remediate::s3::block_public_access::PublicAccessBlock>,
    /// The public grants the ACL had.
    pub public_grants: Vec<PublicGrant>,
}

fn public_grants(
    acl: &aws_sdk_s3::operation::get_bucket_acl::GetBucketAclOutput,
) -> Vec<PublicGrant> {
    acl.grants()
        .iter()
        .filter_map(|g| {
            let grantee = g.grantee()?;
            let uri = grantee.uri().filter(|u| PUBLIC_GRANTEES.contains(u))?;
            Some(PublicGrant {
                grantee: uri.to_owned(),
                permission: g
                    .permission()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// e.g. `READ to AllUsers, WRITE to AllUsers`.
pub(super) fn describe_grants(grants: &[PublicGrant]) -> String {
    grants
        .iter()
        .map(|g| {
            format!(
                "{} to {}",
                g.permission,
                g.grantee.rsplit('/').next().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The recorded public grants that the ACL `current` lacks, as SDK grants.
pub(super) fn missing_grants(
    current: &[Grant],
    recorded: &[PublicGrant],
) -> Result<Vec<Grant>, FixError> {
    let present = |g: &PublicGrant| {
        current.iter().any(|c| {
            c.grantee().and_then(|e| e.uri()) == Some(g.grantee.as_str())
                && c.permission().map(|p| p.as_str()) == Some(g.permission.as_str())
        })
    };
    recorded
        .iter()
        .filter(|g| !present(g))
        .map(|g| {
            let grantee = Grantee::builder()
                .r#type(Type::Group)
                .uri(&g.grantee)
                .build()
                .map_err(|e| FixError::Target(e.to_string()))?;
            Ok(Grant::builder()
                .grantee(grantee)
                .permission(Permission::from(g.permission.as_str()))
                .build())
        })
        .collect()
}

/// Adds the recorded public grants back to the bucket ACL, keeping every other grant.
async fn put_back_grants(fix: &Fix<'_>, grants: &[PublicGrant]) -> Result<String, FixError> {
    let s3 = &fix.clients.s3;
    let acl = s3
        .get_bucket_acl()
        .bucket(&fix.target.name)
        .send()
        .await
        .map_err(sdk_err("s3:GetBucketAcl", fix))?;
    let mut all = acl.grants().to_vec();
    all.extend(missing_grants(acl.grants(), grants)?);
    let policy = AccessControlPolicy::builder()
        .set_grants(Some(all))
        .set_owner(acl.owner().cloned())
        .build();
    s3.put_bucket_acl()
        .bucket(&fix.target.name)
        .access_control_policy(policy)
        .send()
        .await
        .map_err(sdk_err("s3:PutBucketAcl", fix))?;
    Ok(format!(
        "put back the public ACL grants {} of {}",
        describe_grants(grants),
        resource(fix)
    ))
}

impl Remediation for BlockPublicReadWrite {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let (block, acl) = tokio::join!(
                inspect_bucket(s3, &fix.target.name, with_tags),
                s3.get_bucket_acl().bucket(&fix.target.name).send()
            );
            let block = block?;
            let grants = public_grants(&acl.map_err(sdk_err("s3:GetBucketAcl", &fix))?);
            let mut changes: Vec<Change> = block
                .plan
                .changes
                .iter()
                .map(|c| {
                    Change::new(
                        c.description.clone(),
                        &PublicAccessChange::BlockPublicAccess,
                    )
                })
                .collect();
            if !grants.is_empty() {
                changes.push(Change::new(
                    format!("removed public ACL grants {}", describe_grants(&grants)),
                    &PublicAccessChange::RemovePublicGrants {
                        grants: grants.clone(),
                    },
                ));
            }
            let before = PublicAccessBefore {
                block: block
                    .plan
                    .before
                    .state_as::<crate::remediate::s3::block_public_access::BlockBefore>()
                    .and_then(|b| b.config),
                public_grants: grants,
            };
            Ok(Inspection {
                tags: block.tags,
                plan: plan_of(&fix, &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            match change.detail::<PublicAccessChange>()? {
                PublicAccessChange::BlockPublicAccess => {
                    crate::remediate::s3::block_public_access::block_bucket_public_access(
                        s3, bucket,
                    )
                    .await
                }
                PublicAccessChange::RemovePublicGrants { .. } => {
                    let acl = s3
                        .get_bucket_acl()
                        .bucket(bucket)
                        .send()
                        .await
                        .map_err(sdk_err("s3:GetBucketAcl", &fix))?;
                    let kept: Vec<_> = acl
                        .grants()
                        .iter()
                        .filter(|g| {
                            !g.grantee()
                                .and_then(|e| e.uri())
                                .is_some_and(|u| PUBLIC_GRANTEES.contains(&u))
                        })
                        .cloned()
                        .collect();
                    let policy = AccessControlPolicy::builder()
                        .set_grants(Some(kept))
                        .set_owner(acl.owner().cloned())
                        .build();
                    s3.put_bucket_acl()
                        .bucket(bucket)
                        .access_control_policy(policy)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(sdk_err("s3:PutBucketAcl", &fix))
                }
            }
        })
    }

    /// Puts the public ACL grants back (with `BlockPublicAcls` off for that moment, as
    /// S3 refuses public grants otherwise), then the recorded Block Public Access.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let before: PublicAccessBefore = before.recorded()?;
            let mut blocked = false;
            let mut grants = Vec::new();
            for change in changes {
                match change.detail::<PublicAccessChange>()? {
                    PublicAccessChange::BlockPublicAccess => blocked = true,
                    PublicAccessChange::RemovePublicGrants { grants: removed } => {
                        grants.extend(removed)
                    }
                }
            }
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            let mut steps = Vec::new();
            if !grants.is_empty() {
                crate::remediate::s3::block_public_access::allow_public_acls(
                    s3,
                    bucket,
                    before.block,
                )
                .await?;
                steps.push(put_back_grants(&fix, &grants).await?);
            }
            if blocked || !grants.is_empty() {
                steps.extend(
                    crate::remediate::s3::block_public_access::restore_bucket_block(
                        s3,
                        bucket,
                        before.block,
                    )
                    .await?,
                );
            }
            Ok(steps)
        })
    }
}
