//! IAM.2, CIS 1.15.

use super::*;
use crate::remediate::{Impact, Rule};

const GROUP_ACTIONS: &[&str] = &[
    "iam:ListUserTags",
    "iam:ListAttachedUserPolicies",
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:CreateGroup",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:AddUserToGroup",
    "iam:DetachUserPolicy",
    "iam:DeleteUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:RemoveUserFromGroup",
    "iam:DetachGroupPolicy",
    "iam:DeleteGroupPolicy",
    "iam:DeleteGroup",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "IAM.2",
        title: "IAM users should not have IAM policies attached",
        resource_type: "AwsIamUser",
        fix: "Moves the user's managed and inline policies to a group of its own (`hubfix-<user>`) and adds the user to it: same permissions, now through a group.",
        iam_actions: GROUP_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &PoliciesThroughGroups,
    },
    Rule {
        control_id: "CIS.1.15",
        title: "Ensure IAM users receive permissions only through groups (CIS 1.4.0 1.15)",
        resource_type: "AwsIamUser",
        fix: "Moves the user's managed and inline policies to a group of its own (`hubfix-<user>`) and adds the user to it: same permissions, now through a group.",
        iam_actions: GROUP_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &PoliciesThroughGroups,
    },
];

/// `IAM.2`, CIS 1.15: a user's own policies move to a group of its own (`hubfix-<user>`)
/// that it joins, so it keeps exactly its permissions, now through a group.
#[derive(Debug)]
pub struct PoliciesThroughGroups;

/// The before-state: the user's managed and inline policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPoliciesBefore {
    /// Attached managed policy ARNs, sorted.
    pub managed: Vec<String>,
    /// Inline policies: name and document, by name.
    pub inline: Vec<(String, String)>,
}

/// The group a user's policies move to.
pub fn group_for(user: &str) -> String {
    let mut name = format!("hubfix-{user}");
    name.truncate(128);
    name
}

async fn user_policies(fix: &Fix<'_>) -> Result<UserPoliciesBefore, FixError> {
    let iam = &fix.clients.iam;
    let user = &fix.target.name;
    let resource = format!("user {user}");
    let mut managed: Vec<String> = iam
        .list_attached_user_policies()
        .user_name(user)
        .send()
        .await
        .map_err(iam_err("iam:ListAttachedUserPolicies", &resource))?
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_owned))
        .collect();
    let names = iam
        .list_user_policies()
        .user_name(user)
        .send()
        .await
        .map_err(iam_err("iam:ListUserPolicies", &resource))?
        .policy_names()
        .to_vec();
    let mut inline = Vec::new();
    for name in names {
        let doc = iam
            .get_user_policy()
            .user_name(user)
            .policy_name(&name)
            .send()
            .await
            .map_err(iam_err("iam:GetUserPolicy", &resource))?;
        let text = doc.policy_document().to_owned();
        let decoded = percent_decode(&text);
        inline.push((name, decoded));
    }
    managed.sort();
    inline.sort();
    Ok(UserPoliciesBefore { managed, inline })
}

/// IAM returns policy documents URL-encoded (RFC 3986: `+` stays a plus sign).
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Remediation for PoliciesThroughGroups {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = user_tags(&fix, with_tags).await?;
            let before = user_policies(&fix).await?;
            let count = before.managed.len() + before.inline.len();
            let changes = if count == 0 {
                Vec::new()
            } else {
                vec![Change::new(
                    format!(
                        "moved {count} user polic{} to group {} and added the user to it (permissions unchanged)",
                        if count == 1 { "y" } else { "ies" },
                        group_for(&fix.target.name)
                    ),
                    &(),
                )]
            };
            Ok(Inspection {
                tags,
                plan: user_plan(&fix, &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let iam = &fix.clients.iam;
            let user = &fix.target.name;
            let group = group_for(user);
            let resource = format!("user {user}");
            let policies = user_policies(&fix).await?;
            match iam.create_group().group_name(&group).send().await {
                Ok(_) => {}
                Err(e) if service_code(&e) == Some("EntityAlreadyExists") => {}
                Err(e) => return Err(iam_err("iam:CreateGroup", &resource)(e)),
            }
            for arn in &policies.managed {
                iam.attach_group_policy()
                    .group_name(&group)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map_err(iam_err("iam:AttachGroupPolicy", &resource))?;
            }
            for (name, document) in &policies.inline {
                iam.put_group_policy()
                    .group_name(&group)
                    .policy_name(name)
                    .policy_document(document)
                    .send()
                    .await
                    .map_err(iam_err("iam:PutGroupPolicy", &resource))?;
            }
            iam.add_user_to_group()
                .group_name(&group)
                .user_name(user)
                .send()
                .await
                .map_err(iam_err("iam:AddUserToGroup", &resource))?;
            for arn in &policies.managed {
                iam.detach_user_policy()
                    .user_name(user)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map_err(iam_err("iam:DetachUserPolicy", &resource))?;
            }
            for (name, _) in &policies.inline {
                iam.delete_user_policy()
                    .user_name(user)
                    .policy_name(name)
                    .send()
                    .await
                    .map_err(iam_err("iam:DeleteUserPolicy", &resource))?;
            }
            Ok(())
        })
    }

    /// Attaches and puts the recorded policies on the user again, then takes them off
    /// the group `hubfix-<user>`, removes the user from it and deletes the group; a
    /// group that has other members or policies by then is kept (and said so).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let policies: UserPoliciesBefore = before.recorded()?;
            let mut steps = vec![give_back_policies(&fix, &policies).await?];
            steps.push(empty_group(&fix, &policies).await?);
            Ok(steps)
        })
    }
}

/// Attaches and puts the recorded policies on the user again.
async fn give_back_policies(
    fix: &Fix<'_>,
    policies: &UserPoliciesBefore,
) -> Result<String, FixError> {
    let iam = &fix.clients.iam;
    let user = &fix.target.name;
    let resource = format!("user {user}");
    for arn in &policies.managed {
        iam.attach_user_policy()
            .user_name(user)
            .policy_arn(arn)
            .send()
            .await
            .map_err(iam_err("iam:AttachUserPolicy", &resource))?;
    }
    for (name, document) in &policies.inline {
        iam.put_user_policy()
            .user_name(user)
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .map_err(iam_err("iam:PutUserPolicy", &resource))?;
    }
    Ok(format!(
        "attached {} managed and put {} inline polic(ies) back on {resource}",
        policies.managed.len(),
        policies.inline.len()
    ))
}

/// Takes the recorded policies off the user's group, removes the user from it and
/// deletes it unless it has other members or policies.
async fn empty_group(fix: &Fix<'_>, policies: &UserPoliciesBefore) -> Result<String, FixError> {
    let iam = &fix.clients.iam;
    let user = &fix.target.name;
    let group = group_for(user);
    let resource = format!("group {group}");
    let removed = iam
        .remove_user_from_group()
        .group_name(&group)
        .user_name(user)
        .send()
        .await;
    ok_if_gone(removed, "iam:RemoveUserFromGroup", &resource)?;
    for arn in &policies.managed {
        let detached = iam
            .detach_group_policy()
            .group_name(&group)
            .policy_arn(arn)
            .send()
            .await;
        ok_if_gone(detached, "iam:DetachGroupPolicy", &resource)?;
    }
    for (name, _) in &policies.inline {
        let deleted = iam
            .delete_group_policy()
            .group_name(&group)
            .policy_name(name)
            .send()
            .await;
        ok_if_gone(deleted, "iam:DeleteGroupPolicy", &resource)?;
    }
    match iam.delete_group().group_name(&group).send().await {
        Ok(_) => Ok(format!("removed user {user} from {resource} and deleted it")),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(format!(
            "{resource} is already gone"
        )),
        Err(e) if service_code(&e) == Some("DeleteConflict") => Ok(format!(
            "removed user {user} from {resource} and took its policies off it; kept the group, which has other members or policies now"
        )),
        Err(e) => Err(FixError::from_sdk("iam:DeleteGroup", &resource, &[], e)),
    }
}
