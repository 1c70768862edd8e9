//! EC2.4 / EC2.8.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "EC2.4",
        title: "Stopped EC2 instances should be removed after a specified time period",
        resource_type: "AwsEc2Instance",
        fix: "On approval only, never automatically: snapshots the instance's volumes, then terminates it.",
        iam_actions: &[
            "ec2:DescribeInstances",
            "ec2:CreateSnapshot",
            "ec2:CreateTags",
            "ec2:TerminateInstances",
            "ec2:DescribeSnapshots",
        ],
        impact: Impact::Destructive,
        remediation: &TerminateStoppedInstance,
    },
    Rule {
        control_id: "EC2.8",
        title: "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
        resource_type: "AwsEc2Instance",
        fix: "Requires IMDSv2 session tokens on the instance (software still on IMDSv1 loses metadata access).",
        iam_actions: &["ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"],
        impact: Impact::Disruptive,
        remediation: &RequireImdsV2,
    },
];

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
pub(super) fn terminated_note(id: &str, snapshots: Result<Vec<String>, FixError>) -> String {
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
