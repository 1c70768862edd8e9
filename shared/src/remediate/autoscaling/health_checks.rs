//! AutoScaling.1: a group behind a load balancer replaces the instances its load
//! balancer finds unhealthy, not only those EC2 finds impaired.

use aws_sdk_autoscaling::types::AutoScalingGroup;
use serde::{Deserialize, Serialize};

use super::{describe_group, group_tags, group_words, GROUP_NOT_FOUND};
use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "AutoScaling.1",
    title: "Auto Scaling groups associated with a load balancer should use ELB health checks",
    resource_type: "AwsAutoScalingAutoScalingGroup",
    fix: "Adds ELB to the group's health check types (those it has are kept): the group then replaces instances its load balancer's health checks fail.",
    iam_actions: &[
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:UpdateAutoScalingGroup",
    ],
    impact: Impact::Disruptive,
    remediation: &ElbHealthChecks,
}];

/// The health check type the control asks for.
const ELB: &str = "ELB";

/// `AutoScaling.1`: ELB among the group's health check types.
#[derive(Debug)]
pub struct ElbHealthChecks;

/// The before-state of `AutoScaling.1`: the group's health check types as they were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthChecksBefore {
    /// `HealthCheckType` as read (`EC2`, or a comma-separated list such as `EC2,EBS`).
    pub health_check_type: String,
}

/// The health check types a group's `HealthCheckType` names.
fn types_of(health_check_type: &str) -> impl Iterator<Item = &str> {
    health_check_type
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `health_check_type` with ELB added, its other types kept in order.
pub fn with_elb(health_check_type: &str) -> String {
    let mut types: Vec<&str> = types_of(health_check_type).collect();
    if !types.contains(&ELB) {
        types.push(ELB);
    }
    types.join(",")
}

/// The plan for `AutoScaling.1`: add ELB to the health check types of a group with a
/// load balancer or target group. A group without one is not the control's: a person
/// looks at it.
pub fn health_check_plan(name: &str, group: &AutoScalingGroup) -> Result<Plan, FixError> {
    let current = group.health_check_type().unwrap_or("EC2");
    let balanced = !group.load_balancer_names().is_empty()
        || !group.target_group_arns().is_empty()
        || !group.traffic_sources().is_empty();
    let has_elb = types_of(current).any(|t| t == ELB);
    if !has_elb && !balanced {
        return Err(FixError::Manual(format!(
            "{} has no load balancer or target group, so ELB health checks would report nothing: attach its load balancer first, or archive the finding.",
            group_words(name)
        )));
    }
    let changes = if has_elb {
        Vec::new()
    } else {
        let wanted = with_elb(current);
        vec![Change::new(
            format!(
                "set the health check types of {} to {wanted} (was {current}; grace period {} s)",
                group_words(name),
                group.health_check_grace_period().unwrap_or(0)
            ),
            &wanted,
        )]
    };
    Ok(Plan {
        before: BeforeState::new(
            group_words(name),
            &HealthChecksBefore {
                health_check_type: current.to_owned(),
            },
        ),
        changes,
    })
}

async fn set_health_check_type(fix: Fix<'_>, value: &str) -> Result<(), FixError> {
    let name = &fix.target.name;
    fix.clients
        .autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(name)
        .health_check_type(value)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "autoscaling:UpdateAutoScalingGroup",
                &group_words(name),
                GROUP_NOT_FOUND,
                e,
            )
        })
}

impl Remediation for ElbHealthChecks {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let group = describe_group(fix).await?;
            Ok(Inspection {
                tags: Some(group_tags(&group)),
                plan: health_check_plan(&fix.target.name, &group)?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let value: String = change.detail()?;
            set_health_check_type(fix, &value).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: HealthChecksBefore = before.recorded()?;
            set_health_check_type(fix, &recorded.health_check_type).await?;
            Ok(vec![format!(
                "set the health check types of {} back to {}",
                before.resource, recorded.health_check_type
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_autoscaling::types::AutoScalingGroup;

    use super::*;

    fn group(health: &str, target_groups: &[&str]) -> AutoScalingGroup {
        let mut g = AutoScalingGroup::builder()
            .auto_scaling_group_name("web")
            .health_check_type(health)
            .health_check_grace_period(300);
        for t in target_groups {
            g = g.target_group_arns(*t);
        }
        g.build()
    }

    #[test]
    fn elb_is_added_and_other_types_kept() {
        assert_eq!(with_elb("EC2"), "EC2,ELB");
        assert_eq!(with_elb("EC2,EBS"), "EC2,EBS,ELB");
        assert_eq!(with_elb("EC2, ELB"), "EC2,ELB");
        assert_eq!(with_elb(""), "ELB");
    }

    #[test]
    fn a_balanced_group_without_elb_checks_gets_them() {
        let tg =
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
        let plan = health_check_plan("web", &group("EC2", &[tg])).unwrap();
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].detail::<String>().unwrap(), "EC2,ELB");
        assert!(plan.changes[0]
            .description
            .contains("(was EC2; grace period 300 s)"));
        let before: HealthChecksBefore = plan.before.recorded().unwrap();
        assert_eq!(before.health_check_type, "EC2");
        assert!(health_check_plan("web", &group("EC2,ELB", &[tg]))
            .unwrap()
            .changes
            .is_empty());
    }

    #[test]
    fn a_group_without_a_load_balancer_goes_to_a_person() {
        let err = health_check_plan("batch", &group("EC2", &[])).unwrap_err();
        assert!(matches!(err, FixError::Manual(m) if m.contains("no load balancer")));
        assert!(health_check_plan("batch", &group("ELB", &[]))
            .unwrap()
            .changes
            .is_empty());
    }
}
