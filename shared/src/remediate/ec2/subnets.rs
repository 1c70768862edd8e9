//! EC2.15.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "EC2.15",
        title: "Amazon EC2 subnets should not automatically assign public IP addresses",
        resource_type: "AwsEc2Subnet",
        fix: "Turns off auto-assign public IPv4 on launch for the subnet (running instances keep theirs).",
        iam_actions: &["ec2:DescribeSubnets", "ec2:ModifySubnetAttribute"],
        impact: Impact::Safe,
        remediation: &NoPublicIpOnLaunch,
    },
];

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
