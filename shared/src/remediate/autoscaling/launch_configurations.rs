//! AutoScaling.3, AutoScaling.5: launch configurations that require IMDSv2 and give
//! instances no public IP address.
//!
//! A launch configuration cannot be changed. The fix creates a copy with the one
//! setting corrected (`<name>-imdsv2`, `<name>-no-public-ip`) and moves every group
//! that launches from the original to the copy: instances launched from then on get
//! the setting, running ones keep theirs until they are replaced. The original is kept
//! for a person to delete (hubfix never deletes what it did not create), so the finding
//! stays NOTIFIED with that step. Undo moves the groups back and deletes the copy.

use aws_sdk_autoscaling::types::{
    InstanceMetadataEndpointState, InstanceMetadataHttpTokensState, InstanceMetadataOptions,
    LaunchConfiguration,
};
use serde::{Deserialize, Serialize};

use super::{group_words, GROUP_NOT_FOUND};
use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The IAM actions of both rules: read, copy and delete launch configurations, move
/// groups.
const ACTIONS: &[&str] = &[
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:CreateLaunchConfiguration",
    "autoscaling:UpdateAutoScalingGroup",
    "autoscaling:DeleteLaunchConfiguration",
    "iam:PassRole",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "AutoScaling.3",
        title: "Auto Scaling group launch configurations should configure EC2 instances to require Instance Metadata Service Version 2 (IMDSv2)",
        resource_type: "AwsAutoScalingLaunchConfiguration",
        fix: "Copies the launch configuration to `<name>-imdsv2` with IMDSv2 required and moves the groups that use it to the copy (new instances get it; running ones keep theirs). The original is left for a person to delete; the finding stays NOTIFIED until then. Undo moves the groups back and deletes the copy.",
        iam_actions: ACTIONS,
        impact: Impact::Disruptive,
        remediation: &CorrectedCopy(LaunchSetting::RequireImdsv2),
    },
    Rule {
        control_id: "AutoScaling.5",
        title: "Amazon EC2 instances launched using Auto Scaling group launch configurations should not have Public IP addresses",
        resource_type: "AwsAutoScalingLaunchConfiguration",
        fix: "Copies the launch configuration to `<name>-no-public-ip` without public IP addresses and moves the groups that use it to the copy (new instances get none; running ones keep theirs). The original is left for a person to delete; the finding stays NOTIFIED until then. Undo moves the groups back and deletes the copy.",
        iam_actions: ACTIONS,
        impact: Impact::Disruptive,
        remediation: &CorrectedCopy(LaunchSetting::NoPublicIp),
    },
];

/// The setting of a launch configuration one rule corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchSetting {
    /// `MetadataOptions.HttpTokens` `required` (`AutoScaling.3`).
    RequireImdsv2,
    /// `AssociatePublicIpAddress` false (`AutoScaling.5`).
    NoPublicIp,
}

impl LaunchSetting {
    /// Whether `lc` already has the setting the control asks for.
    pub fn holds(self, lc: &LaunchConfiguration) -> bool {
        match self {
            LaunchSetting::RequireImdsv2 => {
                let options = lc.metadata_options();
                options.and_then(|o| o.http_tokens())
                    == Some(&InstanceMetadataHttpTokensState::Required)
                    || options.and_then(|o| o.http_endpoint())
                        == Some(&InstanceMetadataEndpointState::Disabled)
            }
            LaunchSetting::NoPublicIp => lc.associate_public_ip_address() != Some(true),
        }
    }

    /// The suffix of the copy's name.
    fn suffix(self) -> &'static str {
        match self {
            LaunchSetting::RequireImdsv2 => "-imdsv2",
            LaunchSetting::NoPublicIp => "-no-public-ip",
        }
    }

    /// What the copy changes, for a note.
    fn words(self) -> &'static str {
        match self {
            LaunchSetting::RequireImdsv2 => "IMDSv2 required",
            LaunchSetting::NoPublicIp => "no public IP address",
        }
    }

    /// The name of the corrected copy of launch configuration `name`, within Auto
    /// Scaling's 255 characters.
    pub fn copy_name(self, name: &str) -> String {
        let keep = 255 - self.suffix().len();
        let base: String = name.chars().take(keep).collect();
        format!("{base}{}", self.suffix())
    }
}

/// `AutoScaling.3`, `AutoScaling.5`: a corrected copy of the launch configuration, with
/// its groups moved to it.
#[derive(Debug)]
pub struct CorrectedCopy(pub LaunchSetting);

/// What the rules read: the launch configuration, its corrected copy and the groups
/// launching from it. It is also the before-state: an undo leaves it as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchConfigurationState {
    /// The launch configuration's name.
    pub launch_configuration: String,
    /// It has the setting the control asks for.
    pub compliant: bool,
    /// Its corrected copy, when one exists (and has the setting).
    pub copy: Option<String>,
    /// The groups that launch from it.
    pub groups: Vec<String>,
}

/// One step of the fix, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchStep {
    /// Create the corrected copy named so.
    CreateCopy(String),
    /// Move a group from one launch configuration to another.
    MoveGroup {
        /// The group.
        group: String,
        /// The launch configuration it used.
        from: String,
        /// The one it is moved to.
        to: String,
    },
}

/// The plan: create the copy unless it exists, and move every group to it. A launch
/// configuration no group uses gets no copy: what is left is its deletion.
pub fn copy_plan(setting: LaunchSetting, state: &LaunchConfigurationState) -> Plan {
    let name = &state.launch_configuration;
    let copy = setting.copy_name(name);
    let mut changes = Vec::new();
    if !state.compliant && !state.groups.is_empty() {
        if state.copy.is_none() {
            changes.push(Change::new(
                format!(
                    "copied launch configuration {name} to {copy} with {}",
                    setting.words()
                ),
                &LaunchStep::CreateCopy(copy.clone()),
            ));
        }
        for group in &state.groups {
            changes.push(Change::new(
                format!("moved {} to {copy}", group_words(group)),
                &LaunchStep::MoveGroup {
                    group: group.clone(),
                    from: name.clone(),
                    to: copy.clone(),
                },
            ));
        }
    }
    Plan {
        before: BeforeState::new(format!("launch configuration {name}"), state),
        changes,
    }
}

/// The step left once no group uses the original: its deletion.
pub fn left_after_copy(state: &LaunchConfigurationState) -> Option<String> {
    if state.compliant || !state.groups.is_empty() {
        return None;
    }
    let delete = format!(
        "aws autoscaling delete-launch-configuration --launch-configuration-name {}",
        state.launch_configuration
    );
    Some(match state.copy.as_deref() {
        Some(copy) => format!(
            "once the groups' instances are replaced (they launch from {copy}), delete the original ({delete})."
        ),
        None => format!("no group launches from it: delete it ({delete})."),
    })
}

const LC_ERROR: &[&str] = &[];

async fn describe_launch_configuration(
    fix: Fix<'_>,
    name: &str,
) -> Result<Option<LaunchConfiguration>, FixError> {
    let out = fix
        .clients
        .autoscaling
        .describe_launch_configurations()
        .launch_configuration_names(name)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "autoscaling:DescribeLaunchConfigurations",
                &format!("launch configuration {name}"),
                LC_ERROR,
                e,
            )
        })?;
    Ok(out.launch_configurations().first().cloned())
}

/// The groups whose launch configuration is `name`, across every page.
async fn groups_using(fix: Fix<'_>, name: &str) -> Result<Vec<String>, FixError> {
    let mut groups = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = fix
            .clients
            .autoscaling
            .describe_auto_scaling_groups()
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "autoscaling:DescribeAutoScalingGroups",
                    &format!("the groups using launch configuration {name}"),
                    GROUP_NOT_FOUND,
                    e,
                )
            })?;
        groups.extend(
            out.auto_scaling_groups()
                .iter()
                .filter(|g| g.launch_configuration_name() == Some(name))
                .filter_map(|g| g.auto_scaling_group_name().map(str::to_owned)),
        );
        match out.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => {
                groups.sort();
                return Ok(groups);
            }
        }
    }
}

/// The original's settings, with the one the control asks for corrected.
async fn create_copy(
    fix: Fix<'_>,
    setting: LaunchSetting,
    original: &LaunchConfiguration,
    copy: &str,
) -> Result<(), FixError> {
    let metadata = match setting {
        LaunchSetting::RequireImdsv2 => {
            let current = original.metadata_options();
            Some(
                InstanceMetadataOptions::builder()
                    .http_tokens(InstanceMetadataHttpTokensState::Required)
                    .http_endpoint(InstanceMetadataEndpointState::Enabled)
                    .set_http_put_response_hop_limit(
                        current.and_then(|o| o.http_put_response_hop_limit()),
                    )
                    .build(),
            )
        }
        LaunchSetting::NoPublicIp => original.metadata_options().cloned(),
    };
    let public_ip = match setting {
        LaunchSetting::NoPublicIp => Some(false),
        LaunchSetting::RequireImdsv2 => original.associate_public_ip_address(),
    };
    let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    fix.clients
        .autoscaling
        .create_launch_configuration()
        .launch_configuration_name(copy)
        .set_image_id(nonempty(original.image_id()))
        .set_key_name(nonempty(original.key_name()))
        .set_security_groups(Some(original.security_groups().to_vec()).filter(|v| !v.is_empty()))
        .set_user_data(nonempty(original.user_data()))
        .set_instance_type(nonempty(original.instance_type()))
        .set_kernel_id(nonempty(original.kernel_id()))
        .set_ramdisk_id(nonempty(original.ramdisk_id()))
        .set_block_device_mappings(
            Some(original.block_device_mappings().to_vec()).filter(|v| !v.is_empty()),
        )
        .set_instance_monitoring(original.instance_monitoring().cloned())
        .set_spot_price(nonempty(original.spot_price()))
        .set_iam_instance_profile(nonempty(original.iam_instance_profile()))
        .set_ebs_optimized(original.ebs_optimized())
        .set_associate_public_ip_address(public_ip)
        .set_placement_tenancy(nonempty(original.placement_tenancy()))
        .set_metadata_options(metadata)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "autoscaling:CreateLaunchConfiguration",
                &format!("launch configuration {copy}"),
                LC_ERROR,
                e,
            )
        })
}

async fn move_group(fix: Fix<'_>, group: &str, to: &str) -> Result<(), FixError> {
    fix.clients
        .autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .launch_configuration_name(to)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "autoscaling:UpdateAutoScalingGroup",
                &group_words(group),
                GROUP_NOT_FOUND,
                e,
            )
        })
}

/// The launch configuration the finding names.
async fn original(fix: Fix<'_>) -> Result<LaunchConfiguration, FixError> {
    let name = &fix.target.name;
    describe_launch_configuration(fix, name)
        .await?
        .ok_or_else(|| FixError::NotFound {
            resource: format!("launch configuration {name}"),
            code: "ValidationError".into(),
        })
}

impl CorrectedCopy {
    async fn read(&self, fix: Fix<'_>) -> Result<LaunchConfigurationState, FixError> {
        let name = &fix.target.name;
        let original = original(fix).await?;
        let compliant = self.0.holds(&original);
        let (copy, groups) = if compliant {
            (None, Vec::new())
        } else {
            let copy_name = self.0.copy_name(name);
            let copy = describe_launch_configuration(fix, &copy_name).await?;
            if let Some(found) = copy.as_ref().filter(|c| !self.0.holds(c)) {
                return Err(FixError::Manual(format!(
                    "a launch configuration named {copy_name} already exists without {} ({}), so hubfix will not use that name: copy {name} with {} under another name and move its groups to it",
                    self.0.words(),
                    found.launch_configuration_arn().unwrap_or_default(),
                    self.0.words()
                )));
            }
            (copy.map(|_| copy_name), groups_using(fix, name).await?)
        };
        Ok(LaunchConfigurationState {
            launch_configuration: name.clone(),
            compliant,
            copy,
            groups,
        })
    }
}

impl Remediation for CorrectedCopy {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let state = self.read(fix).await?;
            Ok(Inspection {
                tags: Some(Vec::new()),
                plan: copy_plan(self.0, &state),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            match change.detail()? {
                LaunchStep::CreateCopy(copy) => {
                    let original = original(fix).await?;
                    create_copy(fix, self.0, &original, &copy).await
                }
                LaunchStep::MoveGroup { group, to, .. } => move_group(fix, &group, &to).await,
            }
        })
    }

    fn left_for_a_person(&self, read: &BeforeState) -> Option<String> {
        left_after_copy(&read.recorded().ok()?)
    }

    /// Moves the groups back, then deletes the copy hubfix created (only one it
    /// created, and only once no group uses it).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut lines = Vec::new();
            let mut created = None;
            for change in changes {
                match change.detail()? {
                    LaunchStep::MoveGroup { group, from, to } => {
                        move_group(fix, &group, &from).await?;
                        lines.push(format!(
                            "moved {} back to launch configuration {from} from {to}",
                            group_words(&group)
                        ));
                    }
                    LaunchStep::CreateCopy(copy) => created = Some(copy),
                }
            }
            if let Some(copy) = created {
                let still_used = groups_using(fix, &copy).await?;
                if !still_used.is_empty() {
                    return Err(FixError::Irreversible(format!(
                        "moved the groups back to {}, but launch configuration {copy} is still used by {}, so hubfix keeps it",
                        before.resource,
                        still_used.join(", ")
                    )));
                }
                fix.clients
                    .autoscaling
                    .delete_launch_configuration()
                    .launch_configuration_name(&copy)
                    .send()
                    .await
                    .map_err(|e| {
                        FixError::from_sdk(
                            "autoscaling:DeleteLaunchConfiguration",
                            &format!("launch configuration {copy}"),
                            LC_ERROR,
                            e,
                        )
                    })?;
                lines.push(format!(
                    "deleted launch configuration {copy}, which hubfix had created"
                ));
            }
            Ok(lines)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(compliant: bool, copy: Option<&str>, groups: &[&str]) -> LaunchConfigurationState {
        LaunchConfigurationState {
            launch_configuration: "web-lc".into(),
            compliant,
            copy: copy.map(str::to_owned),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    #[test]
    fn the_copy_is_created_once_and_every_group_moved_to_it() {
        let plan = copy_plan(
            LaunchSetting::RequireImdsv2,
            &state(false, None, &["a", "b"]),
        );
        let steps: Vec<LaunchStep> = plan.changes.iter().map(|c| c.detail().unwrap()).collect();
        assert_eq!(
            steps,
            [
                LaunchStep::CreateCopy("web-lc-imdsv2".into()),
                LaunchStep::MoveGroup {
                    group: "a".into(),
                    from: "web-lc".into(),
                    to: "web-lc-imdsv2".into()
                },
                LaunchStep::MoveGroup {
                    group: "b".into(),
                    from: "web-lc".into(),
                    to: "web-lc-imdsv2".into()
                },
            ]
        );
        let existing = state(false, Some("web-lc-no-public-ip"), &["a"]);
        assert_eq!(
            copy_plan(LaunchSetting::NoPublicIp, &existing)
                .changes
                .len(),
            1
        );
        assert!(
            copy_plan(LaunchSetting::NoPublicIp, &state(true, None, &[]))
                .changes
                .is_empty()
        );
        assert!(
            copy_plan(LaunchSetting::NoPublicIp, &state(false, None, &[]))
                .changes
                .is_empty(),
            "no copy nobody would use"
        );
    }

    #[test]
    fn the_original_is_left_for_a_person_once_no_group_uses_it() {
        let done = state(false, Some("web-lc-imdsv2"), &[]);
        assert!(left_after_copy(&done)
            .unwrap()
            .contains("--launch-configuration-name web-lc"));
        assert!(left_after_copy(&state(false, Some("web-lc-imdsv2"), &["a"])).is_none());
        assert!(left_after_copy(&state(false, None, &[]))
            .unwrap()
            .starts_with("no group launches from it"));
        assert!(left_after_copy(&state(true, None, &[])).is_none());
    }

    #[test]
    fn copies_keep_within_the_name_limit_and_settings_are_read() {
        let long = "l".repeat(255);
        assert_eq!(LaunchSetting::NoPublicIp.copy_name(&long).len(), 255);
        let imds_optional = LaunchConfiguration::builder()
            .associate_public_ip_address(true)
            .metadata_options(
                InstanceMetadataOptions::builder()
                    .http_tokens(InstanceMetadataHttpTokensState::Optional)
                    .build(),
            )
            .build();
        assert!(!LaunchSetting::RequireImdsv2.holds(&imds_optional));
        assert!(!LaunchSetting::NoPublicIp.holds(&imds_optional));
        let bare = LaunchConfiguration::builder().build();
        assert!(LaunchSetting::NoPublicIp.holds(&bare));
        assert!(!LaunchSetting::RequireImdsv2.holds(&bare));
    }
}
