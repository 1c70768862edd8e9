//! IAM.18.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "IAM.18",
        title: "Ensure a support role has been created to manage incidents with AWS Support",
        resource_type: "AwsAccount",
        fix: "Creates the role `hubfix-aws-support` with AWSSupportAccess, assumable by the account's principals, when no role has that policy.",
        iam_actions: &[
            "iam:ListEntitiesForPolicy",
            "iam:GetRole",
            "iam:CreateRole",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:DeleteRole",
        ],
        impact: Impact::Safe,
        remediation: &SupportRole,
    },
];

/// `IAM.18`: some role has `AWSSupportAccess` to manage incidents with AWS Support; if
/// none has, hubfix creates `hubfix-aws-support`, assumable by the account's principals.
#[derive(Debug)]
pub struct SupportRole;

/// The before-state: who had the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportBefore {
    /// Roles with `AWSSupportAccess`, sorted.
    pub roles: Vec<String>,
    /// Whether a role named `hubfix-aws-support` existed (an undo deletes the role only
    /// when hubfix created it).
    pub support_role_exists: bool,
}

async fn support_role_exists(fix: &Fix<'_>) -> Result<bool, FixError> {
    match fix
        .clients
        .iam
        .get_role()
        .role_name(SUPPORT_ROLE)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(FixError::from_sdk("iam:GetRole", SUPPORT_ROLE, &[], e)),
    }
}

fn support_policy_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{SUPPORT_POLICY}")
}

impl Remediation for SupportRole {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let out = fix
                .clients
                .iam
                .list_entities_for_policy()
                .policy_arn(support_policy_arn(&fix.target.partition))
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("iam:ListEntitiesForPolicy", SUPPORT_POLICY, &[], e)
                })?;
            let mut roles: Vec<String> = out
                .policy_roles()
                .iter()
                .filter_map(|r| r.role_name().map(str::to_owned))
                .collect();
            roles.sort();
            let exists = support_role_exists(&fix).await?;
            let changes = if roles.is_empty() {
                vec![Change::new(
                    format!("created role {SUPPORT_ROLE} with {SUPPORT_POLICY}, assumable by the account's principals"),
                    &(),
                )]
            } else {
                Vec::new()
            };
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("account {}", fix.target.name),
                        &SupportBefore {
                            roles,
                            support_role_exists: exists,
                        },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let iam = &fix.clients.iam;
            let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": format!("arn:{}:iam::{}:root", fix.target.partition, fix.target.account)},
                "Action": "sts:AssumeRole"}]});
            match iam
                .create_role()
                .role_name(SUPPORT_ROLE)
                .description("Manages incidents with AWS Support (CIS / IAM.18); created by hubfix")
                .assume_role_policy_document(trust.to_string())
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if service_code(&e) == Some("EntityAlreadyExists") => {}
                Err(e) => return Err(FixError::from_sdk("iam:CreateRole", SUPPORT_ROLE, &[], e)),
            }
            iam.attach_role_policy()
                .role_name(SUPPORT_ROLE)
                .policy_arn(support_policy_arn(&fix.target.partition))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| FixError::from_sdk("iam:AttachRolePolicy", SUPPORT_ROLE, &[], e))
        })
    }

    /// Detaches `AWSSupportAccess` from `hubfix-aws-support` and deletes the role, when
    /// hubfix created it (a role of that name that existed before is kept).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let SupportBefore {
                support_role_exists,
                ..
            } = before.recorded()?;
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let iam = &fix.clients.iam;
            let detached = iam
                .detach_role_policy()
                .role_name(SUPPORT_ROLE)
                .policy_arn(support_policy_arn(&fix.target.partition))
                .send()
                .await;
            ok_if_gone(detached, "iam:DetachRolePolicy", SUPPORT_ROLE)?;
            if support_role_exists {
                return Ok(vec![format!(
                    "detached {SUPPORT_POLICY} from role {SUPPORT_ROLE}, which existed before the fix and stays"
                )]);
            }
            match iam.delete_role().role_name(SUPPORT_ROLE).send().await {
                Ok(_) => Ok(vec![format!(
                    "detached {SUPPORT_POLICY} from role {SUPPORT_ROLE} and deleted the role"
                )]),
                Err(e) if service_code(&e) == Some("NoSuchEntity") => {
                    Ok(vec![format!("role {SUPPORT_ROLE} is already gone")])
                }
                Err(e) if service_code(&e) == Some("DeleteConflict") => Err(FixError::Target(format!(
                    "detached {SUPPORT_POLICY} from role {SUPPORT_ROLE}, but the role has other policies or instance profiles now, so hubfix leaves it: delete it by hand if nothing needs it"
                ))),
                Err(e) => Err(FixError::from_sdk("iam:DeleteRole", SUPPORT_ROLE, &[], e)),
            }
        })
    }
}
