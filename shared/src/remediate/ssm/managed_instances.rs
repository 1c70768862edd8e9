//! `SSM.1`: EC2 instances are managed by Systems Manager.
//!
//! The SSM Agent, on most AWS AMIs, registers an instance when the instance's role lets
//! it: the AWS managed policy `AmazonSSMManagedInstanceCore`. hubfix attaches that
//! policy to the role of the instance's profile (every instance with that profile gains
//! it, and the note says so), or, for an instance without a profile, associates the
//! configured one (`HUBFIX_SSM_INSTANCE_PROFILE`). Undo detaches the policy or
//! disassociates the profile. Agents that are not installed or cannot reach the
//! Systems Manager endpoints stay a person's work.

use aws_sdk_ec2::types::IamInstanceProfileSpecification;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::ec2::isolate::describe_instance;
use crate::remediate::ec2::security_groups::ec2_tags;
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SSM.1",
    title: "Amazon EC2 instances should be managed by AWS Systems Manager",
    resource_type: "AwsEc2Instance",
    fix: "Attaches AmazonSSMManagedInstanceCore to the role of the instance's profile (every instance with that profile gains it), or associates HUBFIX_SSM_INSTANCE_PROFILE with an instance that has none; the SSM Agent then registers it. Undo detaches the policy or disassociates the profile.",
    iam_actions: &[
        "ec2:DescribeInstances",
        "ec2:DescribeIamInstanceProfileAssociations",
        "ec2:AssociateIamInstanceProfile",
        "ec2:DisassociateIamInstanceProfile",
        "iam:GetInstanceProfile",
        "iam:ListAttachedRolePolicies",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PassRole",
    ],
    impact: Impact::Disruptive,
    remediation: &ManagedBySsm,
}];

/// `SSM.1`: gives an instance's role what the SSM Agent needs.
#[derive(Debug)]
pub struct ManagedBySsm;

/// The AWS managed policy the SSM Agent needs.
pub const SSM_CORE_POLICY: &str = "AmazonSSMManagedInstanceCore";

/// The before-state: the instance's profile, and whether its role had the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedBefore {
    /// The instance profile's name, `None` when the instance had none.
    pub profile: Option<String>,
    /// The profile's role, when it has one.
    pub role: Option<String>,
    /// The role had `AmazonSSMManagedInstanceCore`.
    pub core_policy: bool,
}

/// One change of `SSM.1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ManagedChange {
    /// Attach the policy to this role.
    AttachPolicy {
        /// The role.
        role: String,
    },
    /// Associate this instance profile with the instance.
    AssociateProfile {
        /// The profile's name or ARN, as configured.
        profile: String,
    },
}

/// The plan: the policy on the profile's role, or the configured profile on an
/// instance without one.
pub fn managed_plan(
    instance: &str,
    before: ManagedBefore,
    configured_profile: Option<&str>,
) -> Result<Plan, FixError> {
    let change = match (&before.profile, &before.role) {
        (Some(_), Some(_)) if before.core_policy => None,
        (Some(profile), Some(role)) => Some(Change::new(
            format!(
                "attached {SSM_CORE_POLICY} to role {role} of instance profile {profile}: instance {instance}, and every instance with that profile, can now be managed by Systems Manager once its SSM Agent registers"
            ),
            &ManagedChange::AttachPolicy { role: role.clone() },
        )),
        (Some(profile), None) => {
            return Err(FixError::Manual(format!(
                "instance profile {profile} of instance {instance} has no role: add a role with {SSM_CORE_POLICY} to it (aws iam add-role-to-instance-profile)"
            )))
        }
        (None, _) => {
            let profile = configured_profile.ok_or_else(|| {
                FixError::Unconfigured(format!(
                    "SSM.1: instance {instance} has no instance profile; set HUBFIX_SSM_INSTANCE_PROFILE (template parameter SsmInstanceProfile) to a profile whose role has {SSM_CORE_POLICY}, for hubfix to associate it"
                ))
            })?;
            Some(Change::new(
                format!(
                    "associated instance profile {profile} with instance {instance}, which had none; its SSM Agent can now register it with Systems Manager"
                ),
                &ManagedChange::AssociateProfile {
                    profile: profile.to_owned(),
                },
            ))
        }
    };
    Ok(Plan {
        before: BeforeState::new(format!("instance {instance}"), &before),
        changes: change.into_iter().collect(),
    })
}

/// The instance profile's name from its ARN (`arn:aws:iam::1:instance-profile/path/name`).
fn profile_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

fn policy_arn(fix: &Fix<'_>) -> String {
    format!(
        "arn:{}:iam::aws:policy/{SSM_CORE_POLICY}",
        fix.target.partition
    )
}

async fn profile_role(fix: &Fix<'_>, profile: &str) -> Result<Option<String>, FixError> {
    let out = fix
        .clients
        .iam
        .get_instance_profile()
        .instance_profile_name(profile)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "iam:GetInstanceProfile",
                &format!("instance profile {profile}"),
                &[],
                e,
            )
        })?;
    Ok(out
        .instance_profile()
        .and_then(|p| p.roles().first())
        .map(|r| r.role_name().to_owned()))
}

async fn has_core_policy(fix: &Fix<'_>, role: &str) -> Result<bool, FixError> {
    let wanted = policy_arn(fix);
    let policies = fix
        .clients
        .iam
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "iam:ListAttachedRolePolicies",
                &format!("role {role}"),
                &[],
                e,
            )
        })?;
    Ok(policies
        .iter()
        .any(|p| p.policy_arn() == Some(wanted.as_str())))
}

/// The id of the instance's active profile association.
async fn association_id(fix: &Fix<'_>) -> Result<Option<String>, FixError> {
    let out = fix
        .clients
        .ec2
        .describe_iam_instance_profile_associations()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("instance-id")
                .values(&fix.target.name)
                .build(),
        )
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:DescribeIamInstanceProfileAssociations",
                &format!("instance {}", fix.target.name),
                &[],
                e,
            )
        })?;
    Ok(out
        .iam_instance_profile_associations()
        .iter()
        .find(|a| {
            a.state().map(|s| s.as_str()) == Some("associated")
                && a.instance_id() == Some(fix.target.name.as_str())
        })
        .and_then(|a| a.association_id())
        .map(str::to_owned))
}

async fn set_policy(fix: &Fix<'_>, role: &str, attach: bool) -> Result<(), FixError> {
    let iam = &fix.clients.iam;
    let resource = format!("role {role}");
    let arn = policy_arn(fix);
    if attach {
        iam.attach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(|e| FixError::from_sdk("iam:AttachRolePolicy", &resource, &[], e))
    } else {
        iam.detach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
            .map(drop)
            .map_err(|e| FixError::from_sdk("iam:DetachRolePolicy", &resource, &[], e))
    }
}

impl Remediation for ManagedBySsm {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let instance = describe_instance(&fix.clients.ec2, &fix.target.name).await?;
            let profile = instance
                .iam_instance_profile()
                .and_then(|p| p.arn())
                .map(profile_name);
            let role = match &profile {
                Some(p) => profile_role(&fix, p).await?,
                None => None,
            };
            let core_policy = match &role {
                Some(r) => has_core_policy(&fix, r).await?,
                None => false,
            };
            let before = ManagedBefore {
                profile,
                role,
                core_policy,
            };
            Ok(Inspection {
                tags: Some(ec2_tags(instance.tags())),
                plan: managed_plan(
                    &fix.target.name,
                    before,
                    fix.settings.ssm_instance_profile.as_deref(),
                )?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            match change.detail()? {
                ManagedChange::AttachPolicy { role } => set_policy(&fix, &role, true).await,
                ManagedChange::AssociateProfile { profile } => {
                    let spec = if profile.starts_with("arn:") {
                        IamInstanceProfileSpecification::builder().arn(profile)
                    } else {
                        IamInstanceProfileSpecification::builder().name(profile)
                    };
                    fix.clients
                        .ec2
                        .associate_iam_instance_profile()
                        .instance_id(&fix.target.name)
                        .iam_instance_profile(spec.build())
                        .send()
                        .await
                        .map(drop)
                        .map_err(|e| {
                            FixError::from_sdk(
                                "ec2:AssociateIamInstanceProfile",
                                &format!("instance {}", fix.target.name),
                                &[],
                                e,
                            )
                        })
                }
            }
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut steps = Vec::new();
            for change in changes {
                match change.detail()? {
                    ManagedChange::AttachPolicy { role } => {
                        set_policy(&fix, &role, false).await?;
                        steps.push(format!("detached {SSM_CORE_POLICY} from role {role}"));
                    }
                    ManagedChange::AssociateProfile { profile } => {
                        if let Some(id) = association_id(&fix).await? {
                            fix.clients
                                .ec2
                                .disassociate_iam_instance_profile()
                                .association_id(&id)
                                .send()
                                .await
                                .map_err(|e| {
                                    FixError::from_sdk(
                                        "ec2:DisassociateIamInstanceProfile",
                                        &format!("instance {}", fix.target.name),
                                        &[],
                                        e,
                                    )
                                })?;
                        }
                        steps.push(format!(
                            "disassociated instance profile {profile} from instance {}",
                            fix.target.name
                        ));
                    }
                }
            }
            Ok(steps)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn before(profile: Option<&str>, role: Option<&str>, core_policy: bool) -> ManagedBefore {
        ManagedBefore {
            profile: profile.map(str::to_owned),
            role: role.map(str::to_owned),
            core_policy,
        }
    }

    #[test]
    fn the_role_gets_the_policy_or_the_instance_gets_the_configured_profile() {
        let plan = managed_plan("i-1", before(Some("web"), Some("web-role"), false), None).unwrap();
        assert!(plan
            .describe()
            .contains("attached AmazonSSMManagedInstanceCore to role web-role"));
        assert!(plan.describe().contains("every instance with that profile"));
        assert!(
            managed_plan("i-1", before(Some("web"), Some("web-role"), true), None)
                .unwrap()
                .is_compliant()
        );
        let bare = managed_plan("i-1", before(None, None, false), Some("ssm-managed")).unwrap();
        assert!(bare
            .describe()
            .contains("associated instance profile ssm-managed"));
        let unset = managed_plan("i-1", before(None, None, false), None).unwrap_err();
        assert!(
            matches!(unset, FixError::Unconfigured(ref s) if s.contains("HUBFIX_SSM_INSTANCE_PROFILE"))
        );
        let roleless = managed_plan("i-1", before(Some("web"), None, false), None).unwrap_err();
        assert!(matches!(roleless, FixError::Manual(_)));
    }
}
