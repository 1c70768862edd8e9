//! KMS.5: key policies that allow public access.

use crate::error::FixError;
use crate::remediate::resource_policy::{PolicyStore, PublicStatements, StoredPolicy};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

use super::{describe_key, key_tags, NO_SUCH_KEY};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "KMS.5",
    title: "KMS keys should not be publicly accessible",
    resource_type: "AwsKmsKey",
    fix: "Removes the key policy's statements that allow everyone without a fixed account, organization, source, network or caller condition; the other statements stay, and KMS's lockout check still applies. A policy whose every statement is public is left to a person (a key always has one). Undo puts the policy back.",
    iam_actions: &[
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:PutKeyPolicy",
        "kms:ListResourceTags",
    ],
    impact: Impact::Disruptive,
    remediation: &PublicStatements(KeyPolicy),
}];

/// The one policy name KMS keys have.
const DEFAULT_POLICY: &str = "default";

/// `KMS.5`: the key policy of a customer managed key.
#[derive(Debug)]
pub struct KeyPolicy;

impl PolicyStore for KeyPolicy {
    fn resource(&self, fix: Fix<'_>) -> String {
        format!("KMS key {}", fix.target.name)
    }

    fn may_be_empty(&self) -> bool {
        false
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, StoredPolicy> {
        Box::pin(async move {
            let kms = &fix.clients.kms;
            let key = &fix.target.name;
            let resource = self.resource(fix);
            let meta = describe_key(kms, key, &resource).await?;
            if meta.key_manager().map(|m| m.as_str()) == Some("AWS") {
                return Err(FixError::Manual(format!(
                    "{resource} is managed by AWS; its key policy is AWS's to write"
                )));
            }
            let out = kms
                .get_key_policy()
                .key_id(key)
                .policy_name(DEFAULT_POLICY)
                .send()
                .await
                .map_err(|e| FixError::from_sdk("kms:GetKeyPolicy", &resource, NO_SUCH_KEY, e))?;
            let tags = if with_tags {
                Some(key_tags(kms, key, &resource).await?)
            } else {
                None
            };
            Ok(StoredPolicy {
                tags,
                policy: out.policy().map(str::to_owned),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, policy: Option<&'a str>) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let resource = self.resource(fix);
            let policy = policy.ok_or_else(|| {
                FixError::Manual(format!("{resource} cannot be left without a key policy"))
            })?;
            fix.clients
                .kms
                .put_key_policy()
                .key_id(&fix.target.name)
                .policy_name(DEFAULT_POLICY)
                .policy(policy)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| FixError::from_sdk("kms:PutKeyPolicy", &resource, NO_SUCH_KEY, e))
        })
    }
}
