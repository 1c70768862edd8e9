//! EC2 and VPC configuration fixes: public EBS snapshots (`EC2.1`), stopped instances
//! (`EC2.4`, approval-only and never automatic), VPC flow logs (`EC2.6`), EBS encryption
//! by default (`EC2.7`), IMDSv2 (`EC2.8`), public IPs on launch (`EC2.15`), and network
//! ACL entries open to the world on SSH/RDP (`EC2.21`).

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, FlowLogsResourceType, HttpTokensState,
    InstanceMetadataEndpointState, LogDestinationType, OperationType, PortRange, ResourceType,
    RuleAction, SnapshotAttributeName, Tag, TagSpecification, TrafficType,
};
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::remediate::ec2::isolate::{describe_instance, instance_id, INSTANCE_NOT_FOUND};
use crate::remediate::ec2::security_groups::{ec2_resource_id, ec2_tags, ADMIN_PORTS};
use crate::remediate::{Arn, BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation};

fn plan<T: Serialize>(resource: String, before: &T, changes: Vec<Change>) -> Plan {
    Plan {
        before: BeforeState::new(resource, before),
        changes,
    }
}

// ------------------------------------------------------------------------ EC2.1

/// `EC2.1`: the account's EBS snapshots are not publicly restorable.
#[derive(Debug)]
pub struct PrivateSnapshots;

/// The before-state: the snapshots that were public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotsBefore {
    /// Public snapshot ids, sorted.
    pub public: Vec<String>,
}

/// Adds or removes the public (`all`) create-volume permission of a snapshot.
async fn set_public(
    ec2: &aws_sdk_ec2::Client,
    snapshot: &str,
    operation: OperationType,
) -> Result<(), FixError> {
    ec2.modify_snapshot_attribute()
        .snapshot_id(snapshot)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(operation)
        .group_names("all")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:ModifySnapshotAttribute",
                &format!("snapshot {snapshot}"),
                &["InvalidSnapshot.NotFound"],
                e,
            )
        })
}

async fn public_snapshots(ec2: &aws_sdk_ec2::Client) -> Result<Vec<String>, FixError> {
    let mut public = Vec::new();
    let mut pages = ec2
        .describe_snapshots()
        .owner_ids("self")
        .restorable_by_user_ids("all")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| FixError::from_sdk("ec2:DescribeSnapshots", "snapshots", &[], e))?;
        public.extend(
            page.snapshots()
                .iter()
                .filter_map(|s| s.snapshot_id().map(str::to_owned)),
        );
    }
    public.sort();
    Ok(public)
}

impl Remediation for PrivateSnapshots {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        crate::remediate::account_resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let public = public_snapshots(&fix.clients.ec2).await?;
            let changes = public
                .iter()
                .map(|id| Change::new(format!("made snapshot {id} private"), id))
                .collect();
            Ok(Inspection {
                tags: None,
                plan: plan(
                    format!("account {}", fix.target.name),
                    &SnapshotsBefore { public },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let snapshot: String = change.detail()?;
            set_public(&fix.clients.ec2, &snapshot, OperationType::Remove).await
        })
    }

    /// Makes the snapshots hubfix made private public again (`all` may create volumes).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut steps = Vec::new();
            for change in changes {
                let snapshot: String = change.detail()?;
                set_public(&fix.clients.ec2, &snapshot, OperationType::Add).await?;
                steps.push(format!("made snapshot {snapshot} public again"));
            }
            Ok(steps)
        })
    }
}

// ------------------------------------------------------------------------ EC2.7

/// `EC2.7`: EBS encryption by default, in the region.
#[derive(Debug)]
pub struct EbsEncryptionByDefault;

/// The before-state: whether it was on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EbsEncryptionBefore {
    /// Encryption by default before the fix.
    pub enabled: bool,
}

impl Remediation for EbsEncryptionByDefault {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        crate::remediate::account_resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let out = fix
                .clients
                .ec2
                .get_ebs_encryption_by_default()
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("ec2:GetEbsEncryptionByDefault", "account", &[], e)
                })?;
            let enabled = out.ebs_encryption_by_default().unwrap_or(false);
            let changes = if enabled {
                Vec::new()
            } else {
                vec![Change::new(
                    format!(
                        "turned on EBS encryption by default in {}",
                        fix.target.region
                    ),
                    &(),
                )]
            };
            Ok(Inspection {
                tags: None,
                plan: plan(
                    format!("account {}", fix.target.name),
                    &EbsEncryptionBefore { enabled },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            fix.clients
                .ec2
                .enable_ebs_encryption_by_default()
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk("ec2:EnableEbsEncryptionByDefault", "account", &[], e)
                })
        })
    }

    /// Turns EBS encryption by default off again (hubfix only turns it on when it is
    /// off); volumes created meanwhile stay encrypted.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let EbsEncryptionBefore { enabled } = before.recorded()?;
            if enabled {
                return Ok(Vec::new());
            }
            fix.clients
                .ec2
                .disable_ebs_encryption_by_default()
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("ec2:DisableEbsEncryptionByDefault", "account", &[], e)
                })?;
            Ok(vec![format!(
                "turned off EBS encryption by default in {} again (volumes created meanwhile stay encrypted)",
                fix.target.region
            )])
        })
    }
}

// ------------------------------------------------------------------ EC2.4 / EC2.8

/// An instance as `EC2.4` and `EC2.8` read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceFacts {
    /// pending, running, stopping, stopped, shutting-down, terminated.
    pub state: String,
    /// `required` or `optional`.
    pub http_tokens: Option<String>,
    /// EBS volumes.
    pub volume_ids: Vec<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
}

async fn instance_facts(ec2: &aws_sdk_ec2::Client, id: &str) -> Result<InstanceFacts, FixError> {
    let instance = describe_instance(ec2, id).await?;
    Ok(InstanceFacts {
        state: instance
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default(),
        http_tokens: instance
            .metadata_options()
            .and_then(|m| m.http_tokens())
            .map(|t| t.as_str().to_owned()),
        volume_ids: instance
            .block_device_mappings()
            .iter()
            .filter_map(|b| b.ebs().and_then(|e| e.volume_id()).map(str::to_owned))
            .collect(),
        tags: ec2_tags(instance.tags()),
    })
}

/// `EC2.8`: instance metadata requires IMDSv2 session tokens. Approval-only: software
/// still using IMDSv1 loses its credentials.
#[derive(Debug)]
pub struct RequireImdsV2;

/// The before-state: the `HttpTokens` setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImdsBefore {
    /// `optional` before the fix.
    pub http_tokens: Option<String>,
}

impl Remediation for RequireImdsV2 {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        instance_id(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let facts = instance_facts(&fix.clients.ec2, &fix.target.name).await?;
            if facts.state == "terminated" {
                return Err(FixError::NotFound {
                    resource: format!("instance {}", fix.target.name),
                    code: "terminated".into(),
                });
            }
            let changes = if facts.http_tokens.as_deref() == Some("required") {
                Vec::new()
            } else {
                vec![Change::new("required IMDSv2 (HttpTokens=required)", &())]
            };
            let before = ImdsBefore {
                http_tokens: facts.http_tokens,
            };
            Ok(Inspection {
                tags: Some(facts.tags),
                plan: plan(format!("instance {}", fix.target.name), &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_http_tokens(&fix, HttpTokensState::Required).await })
    }

    /// Puts `HttpTokens` back as recorded (`optional`: IMDSv1 works again).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let ImdsBefore { http_tokens } = before.recorded()?;
            let tokens = http_tokens.unwrap_or_else(|| "optional".to_owned());
            set_http_tokens(&fix, HttpTokensState::from(tokens.as_str())).await?;
            Ok(vec![format!(
                "set HttpTokens of instance {} back to {tokens} (IMDSv1 allowed again)",
                fix.target.name
            )])
        })
    }
}

async fn set_http_tokens(fix: &Fix<'_>, tokens: HttpTokensState) -> Result<(), FixError> {
    fix.clients
        .ec2
        .modify_instance_metadata_options()
        .instance_id(&fix.target.name)
        .http_tokens(tokens)
        .http_endpoint(InstanceMetadataEndpointState::Enabled)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:ModifyInstanceMetadataOptions",
                &format!("instance {}", fix.target.name),
                INSTANCE_NOT_FOUND,
                e,
            )
        })
}

/// `EC2.4`: a stopped instance is removed, on approval only and never automatically:
/// its volumes are snapshotted first (the before-state names the snapshots), then it
/// is terminated.
#[derive(Debug)]
pub struct TerminateStoppedInstance;

/// The before-state: the volumes the instance had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedBefore {
    /// Its state.
    pub state: String,
    /// Its EBS volumes (snapshotted before termination).
    pub volume_ids: Vec<String>,
}

/// Tag on the snapshots taken before `EC2.4` terminates an instance.
pub const FINAL_SNAPSHOT_TAG: &str = "hubfix:final-snapshot-of";

impl Remediation for TerminateStoppedInstance {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        instance_id(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let facts = instance_facts(&fix.clients.ec2, &fix.target.name).await?;
            let changes = if facts.state == "stopped" {
                vec![Change::new(
                    format!(
                        "snapshotted {} volume(s) (tag {FINAL_SNAPSHOT_TAG}) and terminated the stopped instance",
                        facts.volume_ids.len()
                    ),
                    &facts.volume_ids,
                )]
            } else {
                Vec::new()
            };
            let before = StoppedBefore {
                state: facts.state,
                volume_ids: facts.volume_ids,
            };
            Ok(Inspection {
                tags: Some(facts.tags),
                plan: plan(format!("instance {}", fix.target.name), &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let ec2 = &fix.clients.ec2;
            let id = &fix.target.name;
            let volumes: Vec<String> = change.detail()?;
            for volume in &volumes {
                ec2.create_snapshot()
                    .volume_id(volume)
                    .description(format!(
                        "hubfix final snapshot of {volume} before terminating {id} (EC2.4)"
                    ))
                    .tag_specifications(
                        TagSpecification::builder()
                            .resource_type(ResourceType::Snapshot)
                            .tags(Tag::builder().key(FINAL_SNAPSHOT_TAG).value(id).build())
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|e| {
                        FixError::from_sdk(
                            "ec2:CreateSnapshot",
                            &format!("volume {volume}"),
                            &[],
                            e,
                        )
                    })?;
            }
            ec2.terminate_instances()
                .instance_ids(id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk(
                        "ec2:TerminateInstances",
                        &format!("instance {id}"),
                        INSTANCE_NOT_FOUND,
                        e,
                    )
                })
        })
    }

    /// Always [`FixError::Irreversible`]: a terminated instance cannot be started again.
    /// The error names the snapshots hubfix took of its volumes before terminating it.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let id = &fix.target.name;
            let snapshots = tagged_snapshots(&fix.clients.ec2, FINAL_SNAPSHOT_TAG, id).await;
            Err(FixError::Irreversible(terminated_note(id, snapshots)))
        })
    }
}

/// The ids of the snapshots tagged `key` = `value`.
pub(crate) async fn tagged_snapshots(
    ec2: &aws_sdk_ec2::Client,
    key: &str,
    value: &str,
) -> Result<Vec<String>, FixError> {
    let out = ec2
        .describe_snapshots()
        .owner_ids("self")
        .filters(
            Filter::builder()
                .name(format!("tag:{key}"))
                .values(value)
                .build(),
        )
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:DescribeSnapshots", "snapshots", &[], e))?;
    let mut ids: Vec<String> = out
        .snapshots()
        .iter()
        .filter_map(|s| s.snapshot_id().map(str::to_owned))
        .collect();
    ids.sort();
    Ok(ids)
}

/// Why `EC2.4` cannot be undone, and what is left of the instance.
fn terminated_note(id: &str, snapshots: Result<Vec<String>, FixError>) -> String {
    let kept = match snapshots {
        Ok(ids) if !ids.is_empty() => {
            format!("hubfix kept its volumes as snapshots {}", ids.join(", "))
        }
        Ok(_) => "hubfix found no snapshot of its volumes".to_owned(),
        Err(e) => format!("the snapshots of its volumes could not be listed ({e})"),
    };
    format!(
        "hubfix terminated instance {id}, and a terminated instance cannot be brought back; {kept} (tag {FINAL_SNAPSHOT_TAG}={id}): create volumes from them to launch a replacement"
    )
}

// ----------------------------------------------------------------------- EC2.15

/// `EC2.15`: subnets do not give instances public IPv4 addresses on launch.
#[derive(Debug)]
pub struct NoPublicIpOnLaunch;

/// The before-state: the subnet's setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetBefore {
    /// `MapPublicIpOnLaunch` before the fix.
    pub map_public_ip_on_launch: bool,
}

impl Remediation for NoPublicIpOnLaunch {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        ec2_resource_id(resource_id, "subnet", "subnet-", "a subnet")
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let resource = format!("subnet {}", fix.target.name);
            let out = fix
                .clients
                .ec2
                .describe_subnets()
                .subnet_ids(&fix.target.name)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "ec2:DescribeSubnets",
                        &resource,
                        &["InvalidSubnetID.NotFound"],
                        e,
                    )
                })?;
            let subnet = out.subnets().first().ok_or_else(|| FixError::NotFound {
                resource: resource.clone(),
                code: "InvalidSubnetID.NotFound".into(),
            })?;
            let on = subnet.map_public_ip_on_launch().unwrap_or(false);
            let changes = if on {
                vec![Change::new(
                    "turned off auto-assign public IPv4 on launch",
                    &(),
                )]
            } else {
                Vec::new()
            };
            Ok(Inspection {
                tags: Some(ec2_tags(subnet.tags())),
                plan: plan(
                    resource,
                    &SubnetBefore {
                        map_public_ip_on_launch: on,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { map_public_ip_on_launch(&fix, false).await })
    }

    /// Turns auto-assign public IPv4 on launch back on.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let SubnetBefore {
                map_public_ip_on_launch: on,
            } = before.recorded()?;
            map_public_ip_on_launch(&fix, on).await?;
            let state = if on { "on" } else { "off" };
            Ok(vec![format!(
                "turned auto-assign public IPv4 on launch of subnet {} back {state}",
                fix.target.name
            )])
        })
    }
}

async fn map_public_ip_on_launch(fix: &Fix<'_>, on: bool) -> Result<(), FixError> {
    fix.clients
        .ec2
        .modify_subnet_attribute()
        .subnet_id(&fix.target.name)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(on).build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:ModifySubnetAttribute",
                &format!("subnet {}", fix.target.name),
                &["InvalidSubnetID.NotFound"],
                e,
            )
        })
}

// ------------------------------------------------------------------------ EC2.6

/// `EC2.6`: the VPC logs rejected traffic to the configured destination.
#[derive(Debug)]
pub struct VpcFlowLogs;

/// The flow log hubfix creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLogTarget {
    /// S3 bucket ARN or log group ARN.
    pub destination: String,
    /// The delivery role, for CloudWatch Logs.
    pub role_arn: Option<String>,
}

/// The before-state: the VPC's flow logs (none, or none active).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLogsBefore {
    /// Active flow log ids, sorted.
    pub flow_log_ids: Vec<String>,
}

/// Tag on the flow log hubfix creates for `EC2.6`, naming the VPC; an undo finds the
/// flow log to delete by it.
pub const FLOW_LOG_TAG: &str = "hubfix:flow-log-of";

impl Remediation for VpcFlowLogs {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        ec2_resource_id(resource_id, "vpc", "vpc-", "a VPC")
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let ec2 = &fix.clients.ec2;
            let vpc = &fix.target.name;
            let resource = format!("vpc {vpc}");
            let (described, logs) = tokio::join!(
                ec2.describe_vpcs().vpc_ids(vpc).send(),
                ec2.describe_flow_logs()
                    .filter(Filter::builder().name("resource-id").values(vpc).build())
                    .send()
            );
            let described = described.map_err(|e| {
                FixError::from_sdk("ec2:DescribeVpcs", &resource, &["InvalidVpcID.NotFound"], e)
            })?;
            let tags = described.vpcs().first().map(|v| ec2_tags(v.tags()));
            let logs =
                logs.map_err(|e| FixError::from_sdk("ec2:DescribeFlowLogs", &resource, &[], e))?;
            let mut ids: Vec<String> = logs
                .flow_logs()
                .iter()
                .filter(|l| l.flow_log_status() == Some("ACTIVE"))
                .filter_map(|l| l.flow_log_id().map(str::to_owned))
                .collect();
            ids.sort();
            let before = FlowLogsBefore {
                flow_log_ids: ids.clone(),
            };
            if !ids.is_empty() {
                return Ok(Inspection {
                    tags,
                    plan: plan(resource, &before, Vec::new()),
                });
            }
            let destination = fix.settings.flow_log_destination.clone().ok_or_else(|| {
                FixError::Unconfigured(
                    "EC2.6 needs a destination: set HUBFIX_FLOW_LOG_DESTINATION to an S3 bucket ARN or a CloudWatch Logs log group ARN".into(),
                )
            })?;
            let to_logs = Arn::parse(&destination).is_some_and(|a| a.service == "logs");
            if to_logs && fix.settings.flow_log_role_arn.is_none() {
                return Err(FixError::Unconfigured(
                    "flow logs to CloudWatch Logs need a delivery role: set HUBFIX_FLOW_LOG_ROLE_ARN".into(),
                ));
            }
            let target = FlowLogTarget {
                destination,
                role_arn: fix.settings.flow_log_role_arn.clone().filter(|_| to_logs),
            };
            let change = Change::new(
                format!(
                    "turned on flow logs of rejected traffic to {}",
                    target.destination
                ),
                &target,
            );
            Ok(Inspection {
                tags,
                plan: plan(resource, &before, vec![change]),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let target: FlowLogTarget = change.detail()?;
            let destination_type = if target.role_arn.is_some() {
                LogDestinationType::CloudWatchLogs
            } else {
                LogDestinationType::S3
            };
            let out = fix
                .clients
                .ec2
                .create_flow_logs()
                .resource_ids(&fix.target.name)
                .resource_type(FlowLogsResourceType::Vpc)
                .traffic_type(TrafficType::Reject)
                .log_destination_type(destination_type)
                .log_destination(&target.destination)
                .set_deliver_logs_permission_arn(target.role_arn.clone())
                .tag_specifications(
                    TagSpecification::builder()
                        .resource_type(ResourceType::VpcFlowLog)
                        .tags(
                            Tag::builder()
                                .key(FLOW_LOG_TAG)
                                .value(&fix.target.name)
                                .build(),
                        )
                        .build(),
                )
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "ec2:CreateFlowLogs",
                        &format!("vpc {}", fix.target.name),
                        &[],
                        e,
                    )
                })?;
            match out.unsuccessful().first() {
                Some(failure) => Err(FixError::Api {
                    operation: "ec2:CreateFlowLogs",
                    code: failure
                        .error()
                        .and_then(|e| e.code())
                        .unwrap_or("Unsuccessful")
                        .to_owned(),
                    message: failure
                        .error()
                        .and_then(|e| e.message())
                        .unwrap_or_default()
                        .to_owned(),
                }),
                None => Ok(()),
            }
        })
    }

    /// Deletes the flow log hubfix created (found by its tag [`FLOW_LOG_TAG`]); the
    /// logs already delivered stay at the destination.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let FlowLogsBefore { flow_log_ids } = before.recorded()?;
            let ec2 = &fix.clients.ec2;
            let vpc = &fix.target.name;
            let resource = format!("vpc {vpc}");
            let out = ec2
                .describe_flow_logs()
                .filter(Filter::builder().name("resource-id").values(vpc).build())
                .filter(
                    Filter::builder()
                        .name(format!("tag:{FLOW_LOG_TAG}"))
                        .values(vpc)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| FixError::from_sdk("ec2:DescribeFlowLogs", &resource, &[], e))?;
            let ours: Vec<String> = out
                .flow_logs()
                .iter()
                .filter_map(|l| l.flow_log_id().map(str::to_owned))
                .filter(|id| !flow_log_ids.contains(id))
                .collect();
            if ours.is_empty() {
                return Ok(vec![format!(
                    "hubfix's flow log of {resource} is already gone"
                )]);
            }
            ec2.delete_flow_logs()
                .set_flow_log_ids(Some(ours.clone()))
                .send()
                .await
                .map_err(|e| FixError::from_sdk("ec2:DeleteFlowLogs", &resource, &[], e))?;
            Ok(vec![format!(
                "deleted flow log {} of {resource} (the logs delivered stay at their destination)",
                ours.join(", ")
            )])
        })
    }
}

// ----------------------------------------------------------------------- EC2.21

/// `EC2.21`: network ACLs do not allow ingress from the world to SSH or RDP.
#[derive(Debug)]
pub struct NaclAdminPorts;

/// A network ACL entry hubfix removes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NaclEntry {
    /// The rule number.
    pub rule_number: i32,
    /// Protocol number (`6` TCP, `17` UDP, `-1` all).
    pub protocol: String,
    /// `0.0.0.0/0` or `::/0`.
    pub cidr: String,
    /// First port.
    pub from_port: Option<i32>,
    /// Last port.
    pub to_port: Option<i32>,
}

/// The before-state: the entries removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NaclBefore {
    /// The world-open allow entries on admin ports, by rule number.
    pub entries: Vec<NaclEntry>,
}

/// Whether an inbound allow entry opens SSH or RDP to the world.
pub fn nacl_entry_open_to_admin(entry: &NaclEntry) -> bool {
    if entry.cidr != "0.0.0.0/0" && entry.cidr != "::/0" {
        return false;
    }
    match entry.protocol.as_str() {
        "-1" => true,
        "6" | "17" => match (entry.from_port, entry.to_port) {
            (Some(from), Some(to)) => ADMIN_PORTS
                .iter()
                .any(|&p| (from..=to).contains(&i32::from(p))),
            _ => true,
        },
        _ => false,
    }
}

impl Remediation for NaclAdminPorts {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        ec2_resource_id(resource_id, "network-acl", "acl-", "a network ACL")
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let resource = format!("network ACL {}", fix.target.name);
            let out = fix
                .clients
                .ec2
                .describe_network_acls()
                .network_acl_ids(&fix.target.name)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "ec2:DescribeNetworkAcls",
                        &resource,
                        &["InvalidNetworkAclID.NotFound"],
                        e,
                    )
                })?;
            let acl = out
                .network_acls()
                .first()
                .ok_or_else(|| FixError::NotFound {
                    resource: resource.clone(),
                    code: "InvalidNetworkAclID.NotFound".into(),
                })?;
            let mut entries: Vec<NaclEntry> = acl
                .entries()
                .iter()
                .filter(|e| {
                    e.egress() == Some(false)
                        && e.rule_action().map(|a| a.as_str()) == Some("allow")
                })
                .filter(|e| e.rule_number() != Some(32767))
                .map(|e| NaclEntry {
                    rule_number: e.rule_number().unwrap_or_default(),
                    protocol: e.protocol().unwrap_or("-1").to_owned(),
                    cidr: e
                        .cidr_block()
                        .or(e.ipv6_cidr_block())
                        .unwrap_or_default()
                        .to_owned(),
                    from_port: e.port_range().and_then(|r| r.from()),
                    to_port: e.port_range().and_then(|r| r.to()),
                })
                .filter(nacl_entry_open_to_admin)
                .collect();
            entries.sort();
            let changes = entries
                .iter()
                .map(|e| {
                    Change::new(
                        format!(
                            "removed inbound rule {} allowing {} from {}",
                            e.rule_number,
                            protocol_name(&e.protocol),
                            e.cidr
                        ),
                        e,
                    )
                })
                .collect();
            Ok(Inspection {
                tags: Some(ec2_tags(acl.tags())),
                plan: plan(resource, &NaclBefore { entries }, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let entry: NaclEntry = change.detail()?;
            let result = fix
                .clients
                .ec2
                .delete_network_acl_entry()
                .network_acl_id(&fix.target.name)
                .rule_number(entry.rule_number)
                .egress(false)
                .send()
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(e) if service_code(&e) == Some("InvalidNetworkAclEntry.NotFound") => Ok(()),
                Err(e) => Err(FixError::from_sdk(
                    "ec2:DeleteNetworkAclEntry",
                    &format!("network ACL {}", fix.target.name),
                    &["InvalidNetworkAclID.NotFound"],
                    e,
                )),
            }
        })
    }

    /// Creates the deleted entries again, with their rule numbers; an entry that is
    /// already back is left as it is.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut steps = Vec::new();
            for change in changes {
                let entry: NaclEntry = change.detail()?;
                create_nacl_entry(&fix, &entry).await?;
                steps.push(format!(
                    "put back inbound rule {} of network ACL {} allowing {} from {}",
                    entry.rule_number,
                    fix.target.name,
                    protocol_name(&entry.protocol),
                    entry.cidr
                ));
            }
            Ok(steps)
        })
    }
}

async fn create_nacl_entry(fix: &Fix<'_>, entry: &NaclEntry) -> Result<(), FixError> {
    let (v4, v6) = if entry.cidr.contains(':') {
        (None, Some(entry.cidr.clone()))
    } else {
        (Some(entry.cidr.clone()), None)
    };
    let ports = match (entry.from_port, entry.to_port) {
        (Some(from), Some(to)) => Some(PortRange::builder().from(from).to(to).build()),
        _ => None,
    };
    let result = fix
        .clients
        .ec2
        .create_network_acl_entry()
        .network_acl_id(&fix.target.name)
        .rule_number(entry.rule_number)
        .protocol(&entry.protocol)
        .rule_action(RuleAction::Allow)
        .egress(false)
        .set_cidr_block(v4)
        .set_ipv6_cidr_block(v6)
        .set_port_range(ports)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if service_code(&e) == Some("NetworkAclEntryAlreadyExists") => Ok(()),
        Err(e) => Err(FixError::from_sdk(
            "ec2:CreateNetworkAclEntry",
            &format!("network ACL {}", fix.target.name),
            &["InvalidNetworkAclID.NotFound"],
            e,
        )),
    }
}

fn protocol_name(protocol: &str) -> &str {
    match protocol {
        "-1" => "all traffic",
        "6" => "TCP",
        "17" => "UDP",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(protocol: &str, cidr: &str, ports: Option<(i32, i32)>) -> NaclEntry {
        NaclEntry {
            rule_number: 100,
            protocol: protocol.into(),
            cidr: cidr.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        }
    }

    #[test]
    fn nacl_entries_open_to_admin_ports() {
        assert!(nacl_entry_open_to_admin(&entry(
            "6",
            "0.0.0.0/0",
            Some((22, 22))
        )));
        assert!(nacl_entry_open_to_admin(&entry(
            "6",
            "::/0",
            Some((3000, 4000))
        )));
        assert!(nacl_entry_open_to_admin(&entry("-1", "0.0.0.0/0", None)));
        assert!(!nacl_entry_open_to_admin(&entry(
            "6",
            "0.0.0.0/0",
            Some((443, 443))
        )));
        assert!(!nacl_entry_open_to_admin(&entry(
            "6",
            "10.0.0.0/8",
            Some((22, 22))
        )));
        assert!(!nacl_entry_open_to_admin(&entry("1", "0.0.0.0/0", None)));
    }

    #[test]
    fn an_undo_of_ec2_4_names_the_snapshots_kept() {
        let note = terminated_note("i-0abc", Ok(vec!["snap-1".into(), "snap-2".into()]));
        assert!(note.contains("cannot be brought back"), "{note}");
        assert!(note.contains("snapshots snap-1, snap-2"), "{note}");
        assert!(terminated_note("i-0abc", Ok(Vec::new())).contains("no snapshot"));
        let denied = FixError::AccessDenied {
            operation: "ec2:DescribeSnapshots",
            code: "UnauthorizedOperation".into(),
        };
        let note = terminated_note("i-0abc", Err(denied));
        assert!(note.contains("could not be listed"), "{note}");
        assert!(note.contains("hubfix:final-snapshot-of=i-0abc"), "{note}");
    }

    #[test]
    fn resource_ids() {
        assert_eq!(
            ec2_resource_id(
                "arn:aws:ec2:us-east-1:1:subnet/subnet-0abc",
                "subnet",
                "subnet-",
                "a subnet"
            )
            .unwrap(),
            "subnet-0abc"
        );
        assert_eq!(
            ec2_resource_id("arn:aws:ec2:us-east-1:1:vpc/vpc-12", "vpc", "vpc-", "a VPC").unwrap(),
            "vpc-12"
        );
        assert_eq!(
            ec2_resource_id("acl-0f", "network-acl", "acl-", "a network ACL").unwrap(),
            "acl-0f"
        );
        assert!(
            ec2_resource_id("arn:aws:ec2:us-east-1:1:vpc/vpc-zz", "vpc", "vpc-", "a VPC").is_err()
        );
        assert!(ec2_resource_id("subnet-1;x", "subnet", "subnet-", "a subnet").is_err());
        assert!(crate::remediate::account_resource_name(
            "AWS::::Account:123456789012",
            "123456789012"
        )
        .is_ok());
        assert!(crate::remediate::account_resource_name(
            "AWS::::Account:999999999999",
            "123456789012"
        )
        .is_err());
    }
}
