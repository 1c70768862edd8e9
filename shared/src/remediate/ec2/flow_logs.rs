//! EC2.6.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "EC2.6",
        title: "VPC flow logging should be enabled in all VPCs",
        resource_type: "AwsEc2Vpc",
        fix: "Creates a flow log of rejected traffic to the configured destination (HUBFIX_FLOW_LOG_DESTINATION: S3 bucket or CloudWatch Logs group).",
        iam_actions: &[
            "ec2:DescribeVpcs",
            "ec2:DescribeFlowLogs",
            "ec2:CreateFlowLogs",
            "ec2:CreateTags",
            "ec2:DeleteFlowLogs",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "iam:PassRole",
        ],
        impact: Impact::Safe,
        remediation: &VpcFlowLogs,
    },
];

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
