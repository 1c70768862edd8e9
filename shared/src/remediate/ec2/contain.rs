//! The `ContainInstance` playbook: contain an EC2 instance GuardDuty reports as
//! compromised, keeping the evidence, in the order that keeps it: termination
//! protection on, out of its Auto Scaling group's service (standby, so the group
//! neither terminates it nor counts it), out of its load balancers' target groups,
//! into the VPC's isolation security group (no rules), without its instance profile
//! (so stolen role credentials stop renewing), every volume snapshotted, and tagged
//! with the finding. Undo puts each back; the snapshots stay for the investigation.

use aws_sdk_autoscaling::types::AutoScalingInstanceDetails;
use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, IamInstanceProfileSpecification, Tag};
use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::finding::SeverityLabel;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::ec2::isolate::{self, INSTANCE_NOT_FOUND, SNAPSHOT_SOURCE_TAG};
use crate::remediate::playbook::{guardduty, FindingType, Playbook};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The playbook's id (`HUBFIX_MODES=ContainInstance=auto`).
pub const PLAYBOOK_CONTAIN_INSTANCE: &str = "ContainInstance";
/// The custom action that runs it on any finding naming an EC2 instance.
pub const ACTION_CONTAIN: &str = "Contain";
/// Tag on a contained instance: the finding that asked for it.
pub const CONTAINED_TAG: &str = "hubfix:contained-for";

/// GuardDuty's finding types of an instance that is itself compromised (the actor),
/// in their ASFF form. Types where the instance is the target (brute force against it,
/// port probes) are not here: containing the victim would do the attacker's work.
const COMPROMISED_INSTANCE: &[FindingType] = &[
    guardduty("Backdoor:EC2-C&CActivity.B"),
    guardduty("Backdoor:EC2-C&CActivity.B!DNS"),
    guardduty("Backdoor:EC2-DenialOfService.Dns"),
    guardduty("Backdoor:EC2-DenialOfService.Tcp"),
    guardduty("Backdoor:EC2-DenialOfService.Udp"),
    guardduty("Backdoor:EC2-DenialOfService.UdpOnTcpPorts"),
    guardduty("Backdoor:EC2-DenialOfService.UnusualProtocol"),
    guardduty("Backdoor:EC2-Spambot"),
    guardduty("CryptoCurrency:EC2-BitcoinTool.B"),
    guardduty("CryptoCurrency:EC2-BitcoinTool.B!DNS"),
    guardduty("Impact:EC2-BitcoinDomainRequest.Reputation"),
    guardduty("Impact:EC2-MaliciousDomainRequest.Reputation"),
    guardduty("Trojan:EC2-BlackholeTraffic"),
    guardduty("Trojan:EC2-DropPoint"),
    guardduty("Trojan:EC2-DGADomainRequest.B"),
    guardduty("Trojan:EC2-DNSDataExfiltration"),
    guardduty("UnauthorizedAccess:EC2-TorClient"),
    guardduty("UnauthorizedAccess:EC2-TorRelay"),
];

/// The playbook.
pub(crate) static PLAYBOOKS: &[Playbook] = &[Playbook {
    rule: Rule {
        control_id: PLAYBOOK_CONTAIN_INSTANCE,
        title: "Contain an EC2 instance GuardDuty reports as compromised",
        resource_type: "AwsEc2Instance",
        fix: "Turns on termination protection, puts the instance in standby in its Auto Scaling group, deregisters it from its target groups, moves it into the VPC's isolation security group (no rules), removes its instance profile, snapshots every volume and tags it with the finding.",
        iam_actions: IAM_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &ContainInstance,
    },
    finding_types: COMPROMISED_INSTANCE,
    min_severity: SeverityLabel::High,
    action: Some(ACTION_CONTAIN),
    automatic_when: None,
}];

/// The calls containment and its undo make.
pub(crate) const IAM_ACTIONS: &[&str] = &[
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:EnterStandby",
    "autoscaling:ExitStandby",
    "ec2:AssociateIamInstanceProfile",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSnapshot",
    "ec2:CreateTags",
    "ec2:DeleteTags",
    "ec2:DescribeIamInstanceProfileAssociations",
    "ec2:DescribeInstanceAttribute",
    "ec2:DescribeInstances",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSnapshots",
    "ec2:DisassociateIamInstanceProfile",
    "ec2:ModifyInstanceAttribute",
    "ec2:RevokeSecurityGroupEgress",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:RegisterTargets",
    "iam:PassRole",
];

/// The `ContainInstance` playbook.
#[derive(Debug)]
pub struct ContainInstance;

/// The instance's registration in a target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The target group.
    pub target_group_arn: String,
    /// The port it was registered on, when not the group's default.
    pub port: Option<i32>,
}

/// The instance's instance profile association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileAssociation {
    /// The association.
    pub association_id: String,
    /// The instance profile.
    pub profile_arn: String,
}

/// The instance as containment reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// The instance, its VPC, groups and volumes, as isolation reads them.
    #[serde(flatten)]
    pub instance: isolate::InstanceState,
    /// The VPC's isolation group, if it exists.
    pub isolation_group: Option<String>,
    /// hubfix's forensic snapshots of it already taken.
    pub snapshots: Vec<String>,
    /// Whether termination protection is on.
    pub termination_protected: bool,
    /// The Auto Scaling group it serves in (`InService`), if any.
    pub serving_group: Option<String>,
    /// Its registrations in target groups that route to it.
    pub registrations: Vec<Registration>,
    /// Its instance profile, if one is associated.
    pub profile: Option<ProfileAssociation>,
    /// The value of its containment tag, if tagged.
    pub contained_for: Option<String>,
}

/// One step of containment, in the order applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Turn termination protection on.
    Protect,
    /// Put the instance in standby in its group.
    Standby {
        /// The Auto Scaling group.
        group: String,
    },
    /// Deregister it from its target groups.
    Deregister {
        /// Its registrations.
        registrations: Vec<Registration>,
    },
    /// Move it into the isolation group.
    Isolate {
        /// The VPC.
        vpc_id: String,
    },
    /// Remove its instance profile.
    RemoveProfile {
        /// The association to remove.
        association_id: String,
    },
    /// Snapshot its volumes.
    Snapshot {
        /// The volumes.
        volume_ids: Vec<String>,
    },
    /// Tag it with the finding.
    Tag {
        /// The tag's value.
        value: String,
    },
}

/// What undo restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainedBefore {
    /// Its security groups.
    pub group_ids: Vec<String>,
    /// Whether termination protection was on.
    pub termination_protected: bool,
    /// The Auto Scaling group it served in.
    pub serving_group: Option<String>,
    /// Its target group registrations.
    pub registrations: Vec<Registration>,
    /// Its instance profile's ARN.
    pub profile_arn: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StepDetail {
    instance_id: String,
    step: Step,
}

/// The tag value naming the finding (tag values hold 256 characters).
pub fn tag_value(finding_id: Option<&str>) -> String {
    let id = finding_id.unwrap_or("a hubfix custom action");
    id.chars().take(256).collect()
}

/// Plans containment: the steps not yet in place, in order.
pub fn plan(exposure: Exposure, finding_id: Option<&str>) -> Plan {
    let e = &exposure;
    let i = &e.instance;
    let mut steps: Vec<(String, Step)> = Vec::new();
    if !e.termination_protected {
        steps.push(("turned on termination protection".into(), Step::Protect));
    }
    if let Some(group) = &e.serving_group {
        steps.push((
            format!("put it in standby in Auto Scaling group {group} (the group launches a replacement)"),
            Step::Standby {
                group: group.clone(),
            },
        ));
    }
    if !e.registrations.is_empty() {
        let groups: Vec<&str> = e
            .registrations
            .iter()
            .map(|r| r.target_group_arn.rsplit(':').next().unwrap_or_default())
            .collect();
        steps.push((
            format!("deregistered it from {}", groups.join(", ")),
            Step::Deregister {
                registrations: e.registrations.clone(),
            },
        ));
    }
    let isolated =
        matches!((&e.isolation_group, i.group_ids.as_slice()), (Some(iso), [only]) if only == iso);
    if !isolated {
        steps.push((
            format!(
                "moved it from {} to the isolation group {}",
                i.group_ids.join(", "),
                isolate::ISOLATION_GROUP_NAME
            ),
            Step::Isolate {
                vpc_id: i.vpc_id.clone(),
            },
        ));
    }
    if let Some(profile) = &e.profile {
        steps.push((
            format!("removed its instance profile {}", profile.profile_arn),
            Step::RemoveProfile {
                association_id: profile.association_id.clone(),
            },
        ));
    }
    if e.snapshots.is_empty() && !i.volume_ids.is_empty() {
        steps.push((
            format!("snapshotted {}", i.volume_ids.join(", ")),
            Step::Snapshot {
                volume_ids: i.volume_ids.clone(),
            },
        ));
    }
    if e.contained_for.is_none() {
        steps.push((
            format!("tagged it {CONTAINED_TAG}"),
            Step::Tag {
                value: tag_value(finding_id),
            },
        ));
    }
    let changes = steps
        .into_iter()
        .map(|(description, step)| {
            Change::new(
                description,
                &StepDetail {
                    instance_id: i.instance_id.clone(),
                    step,
                },
            )
        })
        .collect();
    Plan {
        before: BeforeState::new(
            format!("instance {}", i.instance_id),
            &ContainedBefore {
                group_ids: i.group_ids.clone(),
                termination_protected: e.termination_protected,
                serving_group: e.serving_group.clone(),
                registrations: e.registrations.clone(),
                profile_arn: e.profile.as_ref().map(|p| p.profile_arn.clone()),
            },
        ),
        changes,
    }
}

impl Remediation for ContainInstance {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (exposure, tags) = read(fix).await?;
            Ok(Inspection {
                tags: Some(tags),
                plan: plan(exposure, fix.target.finding_id.as_deref()),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { self.apply_reporting(fix, change).await.map(|_| ()) })
    }

    /// The snapshot step reports the snapshots' ids, which the note and the audit
    /// record then carry as evidence.
    fn apply_reporting<'a>(
        &'a self,
        fix: Fix<'a>,
        change: &'a Change,
    ) -> FixFuture<'a, Option<String>> {
        Box::pin(async move {
            let StepDetail { instance_id, step } = change.detail()?;
            apply_step(fix, &instance_id, &step).await
        })
    }

    /// Puts back what containment changed, in reverse order: the instance profile, the
    /// security groups, the target group registrations, service in the Auto Scaling
    /// group, termination protection, and removes the tag. The snapshots stay.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let was: ContainedBefore = before.recorded()?;
            let id = &fix.target.name;
            let mut applied = Vec::new();
            for change in changes {
                applied.push(change.detail::<StepDetail>()?.step);
            }
            let mut steps = Vec::new();
            for step in applied.iter().rev() {
                if let Some(done) = undo_step(fix, id, step, &was).await? {
                    steps.push(done);
                }
            }
            Ok(steps)
        })
    }

    fn left_for_a_person(&self, read: &BeforeState) -> Option<String> {
        let _ = read;
        Some("investigate the instance (its forensic snapshots carry the tag hubfix:forensics-of); `hubfix undo` puts it back in service".into())
    }
}

/// Reads everything containment decides on.
async fn read(fix: Fix<'_>) -> Result<(Exposure, Vec<(String, String)>), FixError> {
    let ec2 = &*fix.clients.ec2;
    let id = fix.target.name.as_str();
    let (instance, tags) = isolate::read_instance(ec2, id).await?;
    let exposure = Exposure {
        isolation_group: isolate::find_isolation_group(ec2, &instance.vpc_id).await?,
        snapshots: crate::remediate::ec2::tagged_snapshots(ec2, SNAPSHOT_SOURCE_TAG, id).await?,
        termination_protected: termination_protected(ec2, id).await?,
        serving_group: serving_group(&fix.clients.autoscaling, id).await?,
        registrations: registrations(&fix.clients.elbv2, id, &instance.vpc_id).await?,
        profile: profile(ec2, id).await?,
        contained_for: tags
            .iter()
            .find(|(k, _)| k == CONTAINED_TAG)
            .map(|(_, v)| v.clone()),
        instance,
    };
    Ok((exposure, tags))
}

async fn termination_protected(ec2: &aws_sdk_ec2::Client, id: &str) -> Result<bool, FixError> {
    let out = ec2
        .describe_instance_attribute()
        .instance_id(id)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::DisableApiTermination)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:DescribeInstanceAttribute",
                &format!("instance {id}"),
                INSTANCE_NOT_FOUND,
                e,
            )
        })?;
    Ok(out
        .disable_api_termination()
        .and_then(|v| v.value())
        .unwrap_or(false))
}

/// The Auto Scaling group the instance serves in, if it is `InService` in one.
async fn serving_group(
    autoscaling: &aws_sdk_autoscaling::Client,
    id: &str,
) -> Result<Option<String>, FixError> {
    let out = autoscaling
        .describe_auto_scaling_instances()
        .instance_ids(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "autoscaling:DescribeAutoScalingInstances",
                &format!("instance {id}"),
                &[],
                e,
            )
        })?;
    Ok(out
        .auto_scaling_instances()
        .iter()
        .find(|i| i.instance_id() == Some(id))
        .filter(|i| serves(i))
        .and_then(|i| i.auto_scaling_group_name().map(str::to_owned)))
}

/// Whether an instance is in service in its group (or on its way there).
fn serves(instance: &AutoScalingInstanceDetails) -> bool {
    matches!(
        instance.lifecycle_state(),
        Some("InService" | "Pending" | "Pending:Wait" | "Pending:Proceed")
    )
}

/// The target groups of the instance's VPC that route to it: registered and not on
/// their way out (`draining`) or unused.
async fn registrations(
    elbv2: &aws_sdk_elasticloadbalancingv2::Client,
    id: &str,
    vpc_id: &str,
) -> Result<Vec<Registration>, FixError> {
    let mut found = Vec::new();
    let mut pages = elbv2.describe_target_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            FixError::from_sdk(
                "elasticloadbalancing:DescribeTargetGroups",
                "target groups",
                &[],
                e,
            )
        })?;
        for group in page.target_groups() {
            let instance_targets = group.target_type().is_none_or(|t| t.as_str() == "instance");
            if group.vpc_id() != Some(vpc_id) || !instance_targets {
                continue;
            }
            let Some(arn) = group.target_group_arn() else {
                continue;
            };
            let health = elbv2
                .describe_target_health()
                .target_group_arn(arn)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "elasticloadbalancing:DescribeTargetHealth",
                        &format!("target group {arn}"),
                        &["TargetGroupNotFound"],
                        e,
                    )
                })?;
            for d in health.target_health_descriptions() {
                let target = d.target();
                let state = d
                    .target_health()
                    .and_then(|h| h.state())
                    .map(|s| s.as_str().to_owned());
                let routed = !matches!(state.as_deref(), Some("draining" | "unused"));
                if target.and_then(|t| t.id()) == Some(id) && routed {
                    found.push(Registration {
                        target_group_arn: arn.to_owned(),
                        port: target.and_then(|t| t.port()),
                    });
                }
            }
        }
    }
    Ok(found)
}

/// The instance's associated instance profile, if any.
async fn profile(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> Result<Option<ProfileAssociation>, FixError> {
    let out = ec2
        .describe_iam_instance_profile_associations()
        .filters(Filter::builder().name("instance-id").values(id).build())
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:DescribeIamInstanceProfileAssociations",
                &format!("instance {id}"),
                &[],
                e,
            )
        })?;
    Ok(out
        .iam_instance_profile_associations()
        .iter()
        .filter(|a| a.instance_id() == Some(id))
        .find(|a| {
            matches!(
                a.state().map(|s| s.as_str()),
                Some("associated" | "associating") | None
            )
        })
        .and_then(|a| {
            Some(ProfileAssociation {
                association_id: a.association_id()?.to_owned(),
                profile_arn: a.iam_instance_profile()?.arn()?.to_owned(),
            })
        }))
}

/// Applies one step; the snapshot step returns the snapshots it took.
async fn apply_step(fix: Fix<'_>, id: &str, step: &Step) -> Result<Option<String>, FixError> {
    if let Step::Snapshot { volume_ids } = step {
        let taken = isolate::snapshot_volumes(&fix.clients.ec2, id, volume_ids).await?;
        return Ok(Some(format!("forensic snapshots {}", taken.join(", "))));
    }
    apply_change(fix, id, step).await.map(|()| None)
}

/// Applies one step that reports nothing.
async fn apply_change(fix: Fix<'_>, id: &str, step: &Step) -> Result<(), FixError> {
    let ec2 = &*fix.clients.ec2;
    let resource = format!("instance {id}");
    match step {
        Step::Protect => set_protection(ec2, id, true).await,
        Step::Standby { group } => fix
            .clients
            .autoscaling
            .enter_standby()
            .auto_scaling_group_name(group)
            .instance_ids(id)
            .should_decrement_desired_capacity(false)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                FixError::from_sdk(
                    "autoscaling:EnterStandby",
                    &format!("instance {id} in {group}"),
                    &[],
                    e,
                )
            }),
        Step::Deregister { registrations } => {
            for r in registrations {
                fix.clients
                    .elbv2
                    .deregister_targets()
                    .target_group_arn(&r.target_group_arn)
                    .targets(target(id, r.port))
                    .send()
                    .await
                    .map_err(|e| {
                        FixError::from_sdk(
                            "elasticloadbalancing:DeregisterTargets",
                            &format!("target group {}", r.target_group_arn),
                            &["TargetGroupNotFound"],
                            e,
                        )
                    })?;
            }
            Ok(())
        }
        Step::Isolate { vpc_id } => {
            let group = isolate::isolation_group(ec2, vpc_id).await?;
            isolate::set_groups(ec2, id, vec![group]).await
        }
        Step::RemoveProfile { association_id } => ec2
            .disassociate_iam_instance_profile()
            .association_id(association_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                FixError::from_sdk(
                    "ec2:DisassociateIamInstanceProfile",
                    &resource,
                    INSTANCE_NOT_FOUND,
                    e,
                )
            }),
        Step::Snapshot { .. } => Ok(()),
        Step::Tag { value } => ec2
            .create_tags()
            .resources(id)
            .tags(Tag::builder().key(CONTAINED_TAG).value(value).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| FixError::from_sdk("ec2:CreateTags", &resource, INSTANCE_NOT_FOUND, e)),
    }
}

fn target(id: &str, port: Option<i32>) -> TargetDescription {
    TargetDescription::builder().id(id).set_port(port).build()
}

async fn set_protection(ec2: &aws_sdk_ec2::Client, id: &str, on: bool) -> Result<(), FixError> {
    ec2.modify_instance_attribute()
        .instance_id(id)
        .disable_api_termination(AttributeBooleanValue::builder().value(on).build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:ModifyInstanceAttribute",
                &format!("instance {id}"),
                INSTANCE_NOT_FOUND,
                e,
            )
        })
}

/// Undoes one applied step; `None` for a step that leaves nothing to undo (snapshots).
async fn undo_step(
    fix: Fix<'_>,
    id: &str,
    step: &Step,
    was: &ContainedBefore,
) -> Result<Option<String>, FixError> {
    let ec2 = &*fix.clients.ec2;
    let resource = format!("instance {id}");
    match step {
        Step::Protect => {
            set_protection(ec2, id, was.termination_protected).await?;
            Ok(Some(format!(
                "turned termination protection of {resource} back off"
            )))
        }
        Step::Standby { group } => {
            fix.clients
                .autoscaling
                .exit_standby()
                .auto_scaling_group_name(group)
                .instance_ids(id)
                .send()
                .await
                .map_err(|e| FixError::from_sdk("autoscaling:ExitStandby", &resource, &[], e))?;
            Ok(Some(format!("put {resource} back in service in {group}")))
        }
        Step::Deregister { registrations } => {
            register_again(&fix.clients.elbv2, id, registrations).await?;
            Ok(Some(format!(
                "registered {resource} again in {} target group(s)",
                registrations.len()
            )))
        }
        Step::Isolate { .. } => {
            isolate::set_groups(ec2, id, was.group_ids.clone()).await?;
            Ok(Some(format!(
                "moved {resource} back to {}",
                was.group_ids.join(", ")
            )))
        }
        Step::RemoveProfile { .. } => {
            let Some(arn) = &was.profile_arn else {
                return Ok(None);
            };
            associate_again(ec2, id, arn).await?;
            Ok(Some(format!("associated {arn} with {resource} again")))
        }
        Step::Snapshot { volume_ids } => {
            let snapshots =
                crate::remediate::ec2::tagged_snapshots(ec2, SNAPSHOT_SOURCE_TAG, id).await?;
            Ok(Some(format!(
                "kept the forensic snapshots of {} ({}): delete them when the investigation no longer needs them",
                volume_ids.join(", "),
                snapshots.join(", ")
            )))
        }
        Step::Tag { .. } => {
            ec2.delete_tags()
                .resources(id)
                .tags(Tag::builder().key(CONTAINED_TAG).build())
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("ec2:DeleteTags", &resource, INSTANCE_NOT_FOUND, e)
                })?;
            Ok(Some(format!(
                "removed the tag {CONTAINED_TAG} from {resource}"
            )))
        }
    }
}

/// Registers the instance again where it was, on its ports.
async fn register_again(
    elbv2: &aws_sdk_elasticloadbalancingv2::Client,
    id: &str,
    registrations: &[Registration],
) -> Result<(), FixError> {
    for r in registrations {
        elbv2
            .register_targets()
            .target_group_arn(&r.target_group_arn)
            .targets(target(id, r.port))
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "elasticloadbalancing:RegisterTargets",
                    &format!("target group {}", r.target_group_arn),
                    &["TargetGroupNotFound"],
                    e,
                )
            })?;
    }
    Ok(())
}

/// Associates the instance's former instance profile with it again.
async fn associate_again(ec2: &aws_sdk_ec2::Client, id: &str, arn: &str) -> Result<(), FixError> {
    ec2.associate_iam_instance_profile()
        .instance_id(id)
        .iam_instance_profile(IamInstanceProfileSpecification::builder().arn(arn).build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:AssociateIamInstanceProfile",
                &format!("instance {id}"),
                INSTANCE_NOT_FOUND,
                e,
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(groups: &[&str]) -> isolate::InstanceState {
        isolate::InstanceState {
            instance_id: "i-0abc".into(),
            vpc_id: "vpc-1".into(),
            group_ids: groups.iter().map(|g| (*g).to_owned()).collect(),
            volume_ids: vec!["vol-1".into()],
        }
    }

    fn exposed() -> Exposure {
        Exposure {
            instance: instance(&["sg-web"]),
            isolation_group: None,
            snapshots: Vec::new(),
            termination_protected: false,
            serving_group: Some("web-asg".into()),
            registrations: vec![Registration {
                target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1"
                    .into(),
                port: Some(8080),
            }],
            profile: Some(ProfileAssociation {
                association_id: "iip-assoc-1".into(),
                profile_arn: "arn:aws:iam::1:instance-profile/web".into(),
            }),
            contained_for: None,
        }
    }

    fn steps(plan: &Plan) -> Vec<Step> {
        plan.changes
            .iter()
            .map(|c| c.detail::<StepDetail>().unwrap().step)
            .collect()
    }

    #[test]
    fn every_step_is_planned_in_the_order_that_keeps_the_evidence() {
        let plan = plan(exposed(), Some("arn:aws:guardduty:finding/1"));
        let kinds: Vec<&str> = steps(&plan)
            .iter()
            .map(|s| match s {
                Step::Protect => "protect",
                Step::Standby { .. } => "standby",
                Step::Deregister { .. } => "deregister",
                Step::Isolate { .. } => "isolate",
                Step::RemoveProfile { .. } => "profile",
                Step::Snapshot { .. } => "snapshot",
                Step::Tag { .. } => "tag",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "protect",
                "standby",
                "deregister",
                "isolate",
                "profile",
                "snapshot",
                "tag"
            ]
        );
        assert!(steps(&plan).contains(&Step::Tag {
            value: "arn:aws:guardduty:finding/1".into()
        }));
        let before: ContainedBefore = plan.before.state_as().unwrap();
        assert_eq!(before.serving_group.as_deref(), Some("web-asg"));
        assert_eq!(before.registrations[0].port, Some(8080));
        assert_eq!(
            before.profile_arn.as_deref(),
            Some("arn:aws:iam::1:instance-profile/web")
        );
    }

    #[test]
    fn a_contained_instance_needs_nothing() {
        let contained = Exposure {
            instance: instance(&["sg-iso"]),
            isolation_group: Some("sg-iso".into()),
            snapshots: vec!["snap-1".into()],
            termination_protected: true,
            serving_group: None,
            registrations: Vec::new(),
            profile: None,
            contained_for: Some("f".into()),
        };
        assert!(plan(contained.clone(), None).is_compliant());
        let standalone = Exposure {
            serving_group: None,
            registrations: Vec::new(),
            profile: None,
            ..exposed()
        };
        let kinds = steps(&plan(standalone, None));
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        assert!(kinds.contains(&Step::Tag {
            value: "a hubfix custom action".into()
        }));
    }

    #[test]
    fn tag_values_fit_a_tag() {
        assert_eq!(tag_value(Some(&"x".repeat(300))).len(), 256);
    }

    #[test]
    fn the_playbook_answers_only_compromised_instance_types() {
        let playbook = &PLAYBOOKS[0];
        let types = |t: &str| vec![t.to_owned()];
        use crate::remediate::playbook::Integration::{GuardDuty, Macie};
        assert!(playbook
            .answers(
                GuardDuty,
                &types("TTPs/Command and Control/Backdoor:EC2-C&CActivity.B")
            )
            .is_some());
        assert!(playbook
            .answers(
                GuardDuty,
                &types("TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce")
            )
            .is_none());
        assert!(playbook
            .answers(
                Macie,
                &types("TTPs/Command and Control/Backdoor:EC2-C&CActivity.B")
            )
            .is_none());
    }
}
