//! EC2 Auto Scaling: groups behind a load balancer use its health checks
//! (`AutoScaling.1`); launch configurations require IMDSv2 (`AutoScaling.3`) and give no
//! public IP addresses (`AutoScaling.5`).

use aws_sdk_autoscaling::types::AutoScalingGroup;

use crate::error::FixError;
use crate::remediate::Fix;

pub mod health_checks;
pub mod launch_configurations;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[health_checks::RULES, launch_configurations::RULES];

/// The codes Auto Scaling answers for a group that does not exist (`DescribeAutoScalingGroups`
/// answers an empty list; an update answers `ValidationError`).
const GROUP_NOT_FOUND: &[&str] = &["ResourceNotFound"];

/// How a note names a group.
pub(crate) fn group_words(name: &str) -> String {
    format!("Auto Scaling group {name}")
}

/// The group the finding names, as `DescribeAutoScalingGroups` reads it.
pub(crate) async fn describe_group(fix: Fix<'_>) -> Result<AutoScalingGroup, FixError> {
    let name = &fix.target.name;
    let resource = group_words(name);
    let out = fix
        .clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "autoscaling:DescribeAutoScalingGroups",
                &resource,
                GROUP_NOT_FOUND,
                e,
            )
        })?;
    out.auto_scaling_groups()
        .first()
        .cloned()
        .ok_or(FixError::NotFound {
            resource,
            code: "ValidationError".into(),
        })
}

/// The group's tags, as exemption tags are read.
pub(crate) fn group_tags(group: &AutoScalingGroup) -> Vec<(String, String)> {
    group
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
