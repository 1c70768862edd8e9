//! ELB.6.

use super::*;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "ELB.6",
    title:
        "Application, Gateway, and Network Load Balancers should have deletion protection enabled",
    resource_type: "AwsElbv2LoadBalancer",
    fix: "Turns on deletion protection of the load balancer.",
    iam_actions: &[
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
    ],
    impact: Impact::Safe,
    remediation: &SingleSetting(DeletionProtection),
}];

/// `ELB.6`: deletion protection of an Application, Network or Gateway Load Balancer.
#[derive(Debug)]
pub struct DeletionProtection;

async fn set_protection(fix: Fix<'_>, enabled: bool) -> Result<(), FixError> {
    fix.clients
        .elbv2
        .modify_load_balancer_attributes()
        .load_balancer_arn(&fix.target.name)
        .attributes(
            LoadBalancerAttribute::builder()
                .key(DELETION_PROTECTION)
                .value(enabled.to_string())
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                &resource(&fix),
                NOT_FOUND,
                e,
            )
        })
}

impl Setting for DeletionProtection {
    fn name(&self) -> &'static str {
        DELETION_PROTECTION
    }

    fn label(&self) -> &'static str {
        "deletion protection"
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let tags = lb_tags(fix, with_tags).await?;
            let out = fix
                .clients
                .elbv2
                .describe_load_balancer_attributes()
                .load_balancer_arn(&fix.target.name)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "elasticloadbalancing:DescribeLoadBalancerAttributes",
                        &resource(&fix),
                        NOT_FOUND,
                        e,
                    )
                })?;
            Ok(SettingState {
                tags,
                resource: resource(&fix),
                enabled: out
                    .attributes()
                    .iter()
                    .any(|a| a.key() == Some(DELETION_PROTECTION) && a.value() == Some("true")),
                change: format!("turned on deletion protection of {}", resource(&fix)),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(set_protection(fix, enabled))
    }
}
