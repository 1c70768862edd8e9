//! IAM.27 (CIS 5.0 1.21, CIS 3.0 1.22): no IAM identity has `AWSCloudShellFullAccess`.
//!
//! The control's finding names a user, a group or a role, so this one fix acts on all
//! three: it reads which from the resource's ARN, detaches the AWS managed policy and
//! nothing else, and undo attaches it again.

use super::*;
use crate::remediate::{Impact, Rule};

/// The AWS managed policy the control looks for.
pub const CLOUDSHELL_POLICY: &str = "AWSCloudShellFullAccess";

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "IAM.27",
    title: "IAM identities should not have the AWSCloudShellFullAccess policy attached",
    resource_type: "AwsIamUser",
    fix: "Detaches the AWS managed policy AWSCloudShellFullAccess from the user, group or role; its other policies are kept. Undo attaches it again.",
    iam_actions: &[
        "iam:ListUserTags",
        "iam:ListRoleTags",
        "iam:ListAttachedUserPolicies",
        "iam:ListAttachedGroupPolicies",
        "iam:ListAttachedRolePolicies",
        "iam:DetachUserPolicy",
        "iam:DetachGroupPolicy",
        "iam:DetachRolePolicy",
        "iam:AttachUserPolicy",
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
    ],
    impact: Impact::Disruptive,
    remediation: &CloudShellFullAccess,
}];

/// `IAM.27`: detaches `AWSCloudShellFullAccess` from a user, group or role.
#[derive(Debug)]
pub struct CloudShellFullAccess;

/// The kind of IAM identity a policy is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
}

impl IdentityKind {
    /// The resource type in the identity's ARN, and the first word of hubfix's names.
    fn word(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Role => "role",
        }
    }

    /// The kind whose ARN resource type is `word` (`user`, `group`, `role`).
    fn of_word(word: &str) -> Option<IdentityKind> {
        [IdentityKind::User, IdentityKind::Group, IdentityKind::Role]
            .into_iter()
            .find(|k| k.word() == word)
    }

    /// The longest name IAM allows (users and roles 64 characters, groups 128).
    fn max_name(self) -> usize {
        match self {
            Self::Group => 128,
            Self::User | Self::Role => 64,
        }
    }
}

/// An IAM identity, as hubfix names it: `user/alice`, `group/admins`, `role/ops`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// What it is.
    pub kind: IdentityKind,
    /// Its name (without the path).
    pub name: String,
}

impl Identity {
    /// Reads `kind/name` back, as [`identity_name`] wrote it.
    pub fn parse(name: &str) -> Result<Identity, FixError> {
        let (word, rest) = name.split_once('/').unwrap_or_default();
        let kind = IdentityKind::of_word(word).ok_or_else(|| {
            FixError::Target(format!("`{name}` is not an IAM identity hubfix names"))
        })?;
        Ok(Identity {
            kind,
            name: rest.to_owned(),
        })
    }

    /// `user alice`, as notes say it.
    pub fn described(&self) -> String {
        format!("{} {}", self.kind.word(), self.name)
    }
}

/// The name hubfix uses for the identity an ARN names (`arn:aws:iam::1:role/path/ops`
/// → `role/ops`), checked as IAM checks names so that a hostile id never reaches a call.
pub fn identity_name(resource_id: &str, account: &str) -> Result<String, FixError> {
    let refused = || {
        FixError::Target(format!(
            "`{}` is not the ARN of an IAM user, group or role of account {account}",
            crate::finding::quoted(resource_id, crate::finding::MAX_QUOTED_CHARS)
        ))
    };
    let arn = Arn::parse(resource_id)
        .filter(|a| a.service == "iam" && a.account == account)
        .ok_or_else(refused)?;
    let (word, path_and_name) = arn.resource.split_once('/').ok_or_else(refused)?;
    let kind = IdentityKind::of_word(word).ok_or_else(refused)?;
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    if !crate::ids::is_iam_name(name, kind.max_name()) {
        return Err(refused());
    }
    Ok(format!("{word}/{name}"))
}

/// The before-state: whether the policy was attached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudShellBefore {
    /// Whether `AWSCloudShellFullAccess` was attached to the identity.
    pub attached: bool,
}

/// The plan: detach the policy when it is attached.
pub fn cloudshell_plan(identity: &Identity, before: CloudShellBefore) -> Plan {
    let who = identity.described();
    let changes = if before.attached {
        vec![Change::new(
            format!("detached {CLOUDSHELL_POLICY} from {who} (its other policies are kept)"),
            &(),
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(who, &before),
        changes,
    }
}

/// The policy's ARN in the target's partition.
fn policy_arn(fix: &Fix<'_>) -> String {
    format!(
        "arn:{}:iam::aws:policy/{CLOUDSHELL_POLICY}",
        fix.target.partition
    )
}

/// Whether the policy is attached to the identity.
async fn attached(fix: &Fix<'_>, identity: &Identity) -> Result<bool, FixError> {
    let iam = &fix.clients.iam;
    let who = identity.described();
    let name = identity.name.as_str();
    let policies = match identity.kind {
        IdentityKind::User => iam
            .list_attached_user_policies()
            .user_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(iam_err("iam:ListAttachedUserPolicies", &who))?,
        IdentityKind::Group => iam
            .list_attached_group_policies()
            .group_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(iam_err("iam:ListAttachedGroupPolicies", &who))?,
        IdentityKind::Role => iam
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(iam_err("iam:ListAttachedRolePolicies", &who))?,
    };
    let wanted = policy_arn(fix);
    Ok(policies.iter().any(|p| p.policy_arn() == Some(&wanted)))
}

/// The identity's tags: users and roles have them, groups do not.
async fn identity_tags(
    fix: &Fix<'_>,
    identity: &Identity,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    let iam = &fix.clients.iam;
    let who = identity.described();
    let tags = match identity.kind {
        IdentityKind::Group => return Ok(None),
        IdentityKind::User => iam
            .list_user_tags()
            .user_name(&identity.name)
            .send()
            .await
            .map_err(iam_err("iam:ListUserTags", &who))?
            .tags()
            .to_vec(),
        IdentityKind::Role => iam
            .list_role_tags()
            .role_name(&identity.name)
            .send()
            .await
            .map_err(iam_err("iam:ListRoleTags", &who))?
            .tags()
            .to_vec(),
    };
    let tags = tags
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    Ok(Some(tags))
}

/// Detaches (`attach` false) or attaches the policy.
async fn set_attached(fix: &Fix<'_>, identity: &Identity, attach: bool) -> Result<(), FixError> {
    let iam = &fix.clients.iam;
    let who = identity.described();
    let name = identity.name.as_str();
    let arn = policy_arn(fix);
    match (identity.kind, attach) {
        (IdentityKind::User, false) => iam
            .detach_user_policy()
            .user_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(iam_err("iam:DetachUserPolicy", &who)),
        (IdentityKind::Group, false) => iam
            .detach_group_policy()
            .group_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(iam_err("iam:DetachGroupPolicy", &who)),
        (IdentityKind::Role, false) => iam
            .detach_role_policy()
            .role_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(iam_err("iam:DetachRolePolicy", &who)),
        (IdentityKind::User, true) => iam
            .attach_user_policy()
            .user_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(iam_err("iam:AttachUserPolicy", &who)),
        (IdentityKind::Group, true) => iam
            .attach_group_policy()
            .group_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(iam_err("iam:AttachGroupPolicy", &who)),
        (IdentityKind::Role, true) => iam
            .attach_role_policy()
            .role_name(name)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(iam_err("iam:AttachRolePolicy", &who)),
    }
}

impl Remediation for CloudShellFullAccess {
    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        Some(identity_name(resource_id, account))
    }

    fn other_resource_types(&self) -> &'static [&'static str] {
        &["AwsIamGroup", "AwsIamRole"]
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let identity = Identity::parse(&fix.target.name)?;
            let tags = identity_tags(&fix, &identity, with_tags).await?;
            let before = CloudShellBefore {
                attached: attached(&fix, &identity).await?,
            };
            Ok(Inspection {
                tags,
                plan: cloudshell_plan(&identity, before),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let identity = Identity::parse(&fix.target.name)?;
            set_attached(&fix, &identity, false).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: CloudShellBefore = before.recorded()?;
            if changes.is_empty() || !recorded.attached {
                return Ok(Vec::new());
            }
            let identity = Identity::parse(&fix.target.name)?;
            set_attached(&fix, &identity, true).await?;
            Ok(vec![format!(
                "attached {CLOUDSHELL_POLICY} to {} again",
                identity.described()
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    #[test]
    fn users_groups_and_roles_are_named_by_their_arn() {
        for (arn, name) in [
            ("arn:aws:iam::111122223333:user/alice", "user/alice"),
            (
                "arn:aws:iam::111122223333:group/team/admins",
                "group/admins",
            ),
            ("arn:aws-cn:iam::111122223333:role/service/ops", "role/ops"),
        ] {
            assert_eq!(identity_name(arn, ACCOUNT).unwrap(), name, "{arn}");
            let identity = Identity::parse(name).unwrap();
            assert_eq!(format!("{}/{}", identity.kind.word(), identity.name), name);
        }
    }

    #[test]
    fn hostile_or_foreign_ids_are_refused() {
        for id in [
            "alice",
            "arn:aws:iam::444455556666:user/alice",
            "arn:aws:iam::111122223333:policy/AWSCloudShellFullAccess",
            "arn:aws:iam::111122223333:role/",
            "arn:aws:iam::111122223333:role/a b",
            "arn:aws:s3:::bucket",
            &format!("arn:aws:iam::111122223333:role/{}", "r".repeat(65)),
        ] {
            assert!(identity_name(id, ACCOUNT).is_err(), "{id}");
        }
        assert!(identity_name(
            &format!("arn:aws:iam::111122223333:group/{}", "g".repeat(128)),
            ACCOUNT
        )
        .is_ok());
        assert!(Identity::parse("policy/x").is_err());
    }

    #[test]
    fn only_an_attached_policy_is_detached() {
        let role = Identity::parse("role/ops").unwrap();
        let plan = cloudshell_plan(&role, CloudShellBefore { attached: true });
        assert!(plan
            .describe()
            .contains("detached AWSCloudShellFullAccess from role ops"));
        assert!(cloudshell_plan(&role, CloudShellBefore { attached: false }).is_compliant());
    }
}
