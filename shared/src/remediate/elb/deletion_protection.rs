//! ELB.6.

use super::*;
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
    remediation: &DeletionProtection,
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

impl Remediation for DeletionProtection {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
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
            let enabled = out
                .attributes()
                .iter()
                .any(|a| a.key() == Some(DELETION_PROTECTION) && a.value() == Some("true"));
            Ok(Inspection {
                tags,
                plan: toggle_plan(
                    resource(&fix),
                    DELETION_PROTECTION,
                    enabled,
                    true,
                    format!("turned on deletion protection of {}", resource(&fix)),
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_protection(fix, change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let enabled = recorded_setting(before, DELETION_PROTECTION)?;
            set_protection(fix, enabled).await?;
            Ok(vec![undo_line(
                "deletion protection",
                &before.resource,
                enabled,
            )])
        })
    }
}
