//! The `IsolateInstance` custom action: move an EC2 instance into an isolation
//! security group of its VPC that has no rules (created once, reused), keep its original
//! groups in a tag, snapshot its volumes for forensics, and tag it as isolated.

use aws_sdk_ec2::types::{Filter, Instance, ResourceType, Tag, TagSpecification};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

/// Name of the custom action that isolates an EC2 instance.
pub const ACTION_ISOLATE_INSTANCE: &str = "IsolateInstance";

/// Custom actions that act on a resource whatever the finding's control (any finding
/// naming an EC2 instance, GuardDuty's included). `control_id` holds the action name.
pub(crate) static ACTION_RULES: &[Rule] = &[Rule {
    control_id: ACTION_ISOLATE_INSTANCE,
    title: "Isolate an EC2 instance for incident response",
    resource_type: "AwsEc2Instance",
    fix: "Moves the instance into a VPC isolation security group with no rules (created once, reused), keeps its original groups in a tag, snapshots its volumes and tags it.",
    iam_actions: &[
        "ec2:DescribeInstances",
        "ec2:DescribeSecurityGroups",
        "ec2:CreateSecurityGroup",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:ModifyInstanceAttribute",
        "ec2:CreateSnapshot",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:DescribeSnapshots",
    ],
    impact: Impact::Disruptive,
    remediation: &IsolateInstance,
}];

/// Name of the isolation security group hubfix keeps in each VPC.
pub const ISOLATION_GROUP_NAME: &str = "hubfix-isolation";
/// Tag on the instance holding its security groups before isolation.
pub const ORIGINAL_GROUPS_TAG: &str = "hubfix:original-security-groups";
/// Tag on the instance marking it isolated.
pub const ISOLATED_TAG: &str = "hubfix:isolated";
/// Tag on each forensic snapshot naming the instance it came from.
pub const SNAPSHOT_SOURCE_TAG: &str = "hubfix:forensics-of";

pub(crate) const INSTANCE_NOT_FOUND: &[&str] =
    &["InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"];

/// The `IsolateInstance` custom action.
#[derive(Debug)]
pub struct IsolateInstance;

/// The before-state: the instance's security groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceBefore {
    /// The groups before isolation.
    pub group_ids: Vec<String>,
}

impl Remediation for IsolateInstance {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(inspect_instance(&fix.clients.ec2, &fix.target.name))
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { isolate(&fix.clients.ec2, &change.detail()?).await })
    }

    /// Puts the instance back into its recorded security groups and removes hubfix's
    /// isolation tags. The forensic snapshots stay (the steps name them), and so does
    /// the VPC's isolation group, which other isolations reuse.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let InstanceBefore { group_ids } = before.recorded()?;
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let ec2 = &fix.clients.ec2;
            let id = &fix.target.name;
            let mut steps = vec![restore_groups(ec2, id, &group_ids).await?];
            let snapshots =
                crate::remediate::ec2::tagged_snapshots(ec2, SNAPSHOT_SOURCE_TAG, id).await?;
            steps.push(kept_snapshots(id, &snapshots));
            Ok(steps)
        })
    }
}

/// Moves an isolated instance back into its groups and removes the isolation tags.
async fn restore_groups(
    ec2: &aws_sdk_ec2::Client,
    instance_id: &str,
    group_ids: &[String],
) -> Result<String, FixError> {
    let resource = format!("instance {instance_id}");
    set_groups(ec2, instance_id, group_ids.to_vec()).await?;
    ec2.delete_tags()
        .resources(instance_id)
        .tags(Tag::builder().key(ORIGINAL_GROUPS_TAG).build())
        .tags(Tag::builder().key(ISOLATED_TAG).build())
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:DeleteTags", &resource, INSTANCE_NOT_FOUND, e))?;
    Ok(format!(
        "moved {resource} back to {} and removed the tags {ORIGINAL_GROUPS_TAG} and {ISOLATED_TAG}",
        group_ids.join(", ")
    ))
}

/// The step saying which forensic snapshots an undo keeps.
fn kept_snapshots(instance_id: &str, snapshots: &[String]) -> String {
    if snapshots.is_empty() {
        return format!("found no forensic snapshot of {instance_id} to keep");
    }
    format!(
        "kept the forensic snapshots {} (tag {SNAPSHOT_SOURCE_TAG}={instance_id}): delete them when the investigation no longer needs them",
        snapshots.join(", ")
    )
}

/// An instance as the isolation plan needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceState {
    /// The instance.
    pub instance_id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Its security groups now.
    pub group_ids: Vec<String>,
    /// Its EBS volumes.
    pub volume_ids: Vec<String>,
}

/// The instance id of an `AwsEc2Instance` resource id: its ARN, the bare id, or the
/// ARN without `instance/` Inspector writes (`arn:aws:ec2:<region>:<account>:i-...`).
pub fn instance_id(resource_id: &str) -> Result<String, FixError> {
    let inspector_form = crate::ids::Arn::parse(resource_id)
        .filter(|a| a.service == "ec2" && a.resource.starts_with("i-"))
        .map(|a| a.resource);
    crate::remediate::ec2::security_groups::ec2_resource_id(
        inspector_form.unwrap_or(resource_id),
        "instance",
        "i-",
        "an EC2 instance",
    )
}

/// Reads one instance.
pub(crate) async fn describe_instance(
    ec2: &aws_sdk_ec2::Client,
    instance_id: &str,
) -> Result<Instance, FixError> {
    let resource = format!("instance {instance_id}");
    let out = ec2
        .describe_instances()
        .instance_ids(instance_id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("ec2:DescribeInstances", &resource, INSTANCE_NOT_FOUND, e)
        })?;
    out.reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.instance_id() == Some(instance_id))
        .cloned()
        .ok_or_else(|| FixError::NotFound {
            resource,
            code: "InvalidInstanceID.NotFound".into(),
        })
}

/// Plans isolation: nothing to do when the instance's only group is the isolation group.
pub fn plan(state: InstanceState, isolation_group: Option<&str>) -> Plan {
    let isolated = matches!(
        (isolation_group, state.group_ids.as_slice()),
        (Some(iso), [only]) if only == iso
    );
    let changes = if isolated {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "moved {} from {} to the isolation group {ISOLATION_GROUP_NAME} (original groups kept in tag {ORIGINAL_GROUPS_TAG}) and snapshotted {} volume(s)",
                state.instance_id,
                state.group_ids.join(", "),
                state.volume_ids.len()
            ),
            &state,
        )]
    };
    Plan {
        before: BeforeState::new(
            format!("instance {}", state.instance_id),
            &InstanceBefore {
                group_ids: state.group_ids,
            },
        ),
        changes,
    }
}

/// Reads an instance (its tags, VPC, groups, volumes) and plans its isolation.
async fn inspect_instance(
    ec2: &aws_sdk_ec2::Client,
    instance_id: &str,
) -> Result<Inspection, FixError> {
    let (state, tags) = read_instance(ec2, instance_id).await?;
    let isolation_group = find_isolation_group(ec2, &state.vpc_id).await?;
    Ok(Inspection {
        tags: Some(tags),
        plan: plan(state, isolation_group.as_deref()),
    })
}

/// Reads a live instance in a VPC: its groups, volumes and tags.
pub(crate) async fn read_instance(
    ec2: &aws_sdk_ec2::Client,
    instance_id: &str,
) -> Result<(InstanceState, Vec<(String, String)>), FixError> {
    let resource = format!("instance {instance_id}");
    let instance = describe_instance(ec2, instance_id).await?;
    if instance.state().and_then(|s| s.name()).map(|n| n.as_str()) == Some("terminated") {
        return Err(FixError::NotFound {
            resource,
            code: "terminated".into(),
        });
    }
    let vpc_id = instance
        .vpc_id()
        .ok_or_else(|| FixError::Target(format!("{resource} is not in a VPC")))?
        .to_owned();
    let state = InstanceState {
        instance_id: instance_id.to_owned(),
        vpc_id,
        group_ids: instance
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect(),
        volume_ids: instance
            .block_device_mappings()
            .iter()
            .filter_map(|b| b.ebs().and_then(|e| e.volume_id()).map(str::to_owned))
            .collect(),
    };
    let tags = crate::remediate::ec2::security_groups::ec2_tags(instance.tags());
    Ok((state, tags))
}

/// Isolates the instance: records its groups, swaps them for the isolation group,
/// snapshots its volumes, and tags it.
async fn isolate(ec2: &aws_sdk_ec2::Client, state: &InstanceState) -> Result<(), FixError> {
    let resource = format!("instance {}", state.instance_id);
    let isolation_group = isolation_group(ec2, &state.vpc_id).await?;
    ec2.create_tags()
        .resources(&state.instance_id)
        .tags(tag(ORIGINAL_GROUPS_TAG, &state.group_ids.join(",")))
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:CreateTags", &resource, INSTANCE_NOT_FOUND, e))?;
    set_groups(ec2, &state.instance_id, vec![isolation_group]).await?;
    snapshot_volumes(ec2, &state.instance_id, &state.volume_ids).await?;
    ec2.create_tags()
        .resources(&state.instance_id)
        .tags(tag(ISOLATED_TAG, "true"))
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:CreateTags", &resource, INSTANCE_NOT_FOUND, e))?;
    Ok(())
}

/// Snapshots each of the instance's volumes for forensics, tagged with the instance;
/// returns the snapshots' ids.
pub(crate) async fn snapshot_volumes(
    ec2: &aws_sdk_ec2::Client,
    instance_id: &str,
    volume_ids: &[String],
) -> Result<Vec<String>, FixError> {
    let mut snapshots = Vec::new();
    for volume in volume_ids {
        let out = ec2
            .create_snapshot()
            .volume_id(volume)
            .description(format!(
                "hubfix forensic snapshot of {volume} from {instance_id}"
            ))
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Snapshot)
                    .tags(tag(SNAPSHOT_SOURCE_TAG, instance_id))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk("ec2:CreateSnapshot", &format!("volume {volume}"), &[], e)
            })?;
        snapshots.extend(out.snapshot_id().map(str::to_owned));
    }
    Ok(snapshots)
}

/// Puts an instance in exactly these security groups.
pub(crate) async fn set_groups(
    ec2: &aws_sdk_ec2::Client,
    instance_id: &str,
    group_ids: Vec<String>,
) -> Result<(), FixError> {
    ec2.modify_instance_attribute()
        .instance_id(instance_id)
        .set_groups(Some(group_ids))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:ModifyInstanceAttribute",
                &format!("instance {instance_id}"),
                INSTANCE_NOT_FOUND,
                e,
            )
        })
}

/// The VPC's isolation group, created when it does not exist yet.
pub(crate) async fn isolation_group(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Result<String, FixError> {
    match find_isolation_group(ec2, vpc_id).await? {
        Some(id) => Ok(id),
        None => create_isolation_group(ec2, vpc_id).await,
    }
}

/// The VPC's isolation group, if hubfix created it.
pub(crate) async fn find_isolation_group(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Result<Option<String>, FixError> {
    let out = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values(ISOLATION_GROUP_NAME)
                .build(),
        )
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:DescribeSecurityGroups",
                &format!("vpc {vpc_id}"),
                &[],
                e,
            )
        })?;
    Ok(out
        .security_groups()
        .iter()
        .find(|g| g.group_name() == Some(ISOLATION_GROUP_NAME) && g.vpc_id() == Some(vpc_id))
        .and_then(|g| g.group_id().map(str::to_owned)))
}

/// Creates the VPC's isolation group and removes the default allow-all egress rule, so
/// the group has no rules at all.
async fn create_isolation_group(
    ec2: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> Result<String, FixError> {
    let resource = format!("vpc {vpc_id}");
    let out = ec2
        .create_security_group()
        .group_name(ISOLATION_GROUP_NAME)
        .description("hubfix isolation: no inbound or outbound traffic")
        .vpc_id(vpc_id)
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::SecurityGroup)
                .tags(tag("hubfix:purpose", "isolation"))
                .build(),
        )
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:CreateSecurityGroup", &resource, &[], e))?;
    let group_id = out
        .group_id()
        .ok_or_else(|| FixError::Verification("CreateSecurityGroup returned no group id".into()))?
        .to_owned();
    let described = ec2
        .describe_security_groups()
        .group_ids(&group_id)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:DescribeSecurityGroups", &resource, &[], e))?;
    let egress: Vec<_> = described
        .security_groups()
        .iter()
        .flat_map(|g| g.ip_permissions_egress().iter().cloned())
        .collect();
    if !egress.is_empty() {
        ec2.revoke_security_group_egress()
            .group_id(&group_id)
            .set_ip_permissions(Some(egress))
            .send()
            .await
            .map_err(|e| FixError::from_sdk("ec2:RevokeSecurityGroupEgress", &resource, &[], e))?;
    }
    Ok(group_id)
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(groups: &[&str]) -> InstanceState {
        InstanceState {
            instance_id: "i-0abc".into(),
            vpc_id: "vpc-1".into(),
            group_ids: groups.iter().map(|g| g.to_string()).collect(),
            volume_ids: vec!["vol-1".into()],
        }
    }

    #[test]
    fn an_instance_in_the_isolation_group_alone_is_already_isolated() {
        assert!(plan(state(&["sg-iso"]), Some("sg-iso")).is_compliant());
        assert!(!plan(state(&["sg-iso", "sg-web"]), Some("sg-iso")).is_compliant());
        assert!(!plan(state(&["sg-web"]), None).is_compliant());
        let before: InstanceBefore = plan(state(&["sg-web"]), None).before.state_as().unwrap();
        assert_eq!(before.group_ids, ["sg-web"]);
    }

    #[test]
    fn the_undo_says_which_snapshots_stay() {
        let kept = kept_snapshots("i-0abc", &["snap-1".into(), "snap-2".into()]);
        assert!(
            kept.starts_with("kept the forensic snapshots snap-1, snap-2"),
            "{kept}"
        );
        assert!(kept.contains("hubfix:forensics-of=i-0abc"), "{kept}");
        assert!(kept_snapshots("i-0abc", &[]).contains("no forensic snapshot"));
    }

    #[test]
    fn instance_ids_from_arns() {
        assert_eq!(
            instance_id("arn:aws:ec2:us-east-1:123456789012:instance/i-0123abcd").unwrap(),
            "i-0123abcd"
        );
        assert_eq!(instance_id("i-0123abcd").unwrap(), "i-0123abcd");
        assert_eq!(
            instance_id("arn:aws:ec2:us-east-1:123456789012:i-0123abcd").unwrap(),
            "i-0123abcd",
            "as Inspector names it"
        );
        for bad in [
            "i-",
            "i-xyz",
            "arn:aws:ec2:us-east-1:1:volume/vol-1",
            "i-01; reboot",
        ] {
            assert!(instance_id(bad).is_err(), "{bad}");
        }
    }
}
