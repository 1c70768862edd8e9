//! GuardDuty protection plans on a detector: RDS Protection (`GuardDuty.9`) and S3
//! Protection (`GuardDuty.10`). GuardDuty bills each plan by what it analyses, so both
//! are approval-only.

use aws_sdk_guardduty::operation::get_detector::GetDetectorOutput;
use aws_sdk_guardduty::types::{DetectorFeature, DetectorFeatureConfiguration, FeatureStatus};

use crate::error::FixError;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

/// The IAM actions both rules need.
const ACTIONS: &[&str] = &["guardduty:GetDetector", "guardduty:UpdateDetector"];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "GuardDuty.9",
        title: "GuardDuty RDS Protection should be enabled",
        resource_type: "AwsGuardDutyDetector",
        fix: "Turns on RDS Protection (the RDS_LOGIN_EVENTS feature) on the detector; GuardDuty bills it by the login events it analyses. Undo turns it off again.",
        iam_actions: ACTIONS,
        impact: Impact::Disruptive,
        remediation: &SingleSetting(ProtectionPlan {
            feature: "RDS_LOGIN_EVENTS",
            label: "RDS Protection",
        }),
    },
    Rule {
        control_id: "GuardDuty.10",
        title: "GuardDuty S3 Protection should be enabled",
        resource_type: "AwsGuardDutyDetector",
        fix: "Turns on S3 Protection (the S3_DATA_EVENTS feature) on the detector; GuardDuty bills it by the S3 data events it analyses. Undo turns it off again.",
        iam_actions: ACTIONS,
        impact: Impact::Disruptive,
        remediation: &SingleSetting(ProtectionPlan {
            feature: "S3_DATA_EVENTS",
            label: "S3 Protection",
        }),
    },
];

const NOT_FOUND: &[&str] = &["BadRequestException", "ResourceNotFoundException"];

/// One protection plan of a detector, by its feature name.
#[derive(Debug)]
pub struct ProtectionPlan {
    /// The feature as UpdateDetector names it (`S3_DATA_EVENTS`).
    pub feature: &'static str,
    /// What a note calls it (`S3 Protection`).
    pub label: &'static str,
}

impl ProtectionPlan {
    /// Whether the detector has the plan on (GuardDuty reports every plan of every
    /// detector among its `features`; the older `dataSources` are deprecated).
    pub fn enabled_in(&self, detector: &GetDetectorOutput) -> bool {
        detector
            .features()
            .iter()
            .find(|f| f.name().map(|n| n.as_str()) == Some(self.feature))
            .is_some_and(|f| f.status() == Some(&FeatureStatus::Enabled))
    }
}

fn resource(fix: Fix<'_>) -> String {
    format!(
        "GuardDuty detector {} in {}",
        fix.target.name, fix.target.region
    )
}

impl Setting for ProtectionPlan {
    fn name(&self) -> &'static str {
        self.feature
    }

    fn label(&self) -> &'static str {
        self.label
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let detector = fix
                .clients
                .guardduty
                .get_detector()
                .detector_id(&fix.target.name)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("guardduty:GetDetector", &resource(fix), NOT_FOUND, e)
                })?;
            let tags = with_tags.then(|| {
                let mut tags: Vec<(String, String)> = detector
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                tags.sort();
                tags
            });
            Ok(SettingState {
                tags,
                resource: resource(fix),
                enabled: self.enabled_in(&detector),
                change: format!("turned on {} for {}", self.label, resource(fix)),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let status = if enabled {
                FeatureStatus::Enabled
            } else {
                FeatureStatus::Disabled
            };
            fix.clients
                .guardduty
                .update_detector()
                .detector_id(&fix.target.name)
                .features(
                    DetectorFeatureConfiguration::builder()
                        .name(DetectorFeature::from(self.feature))
                        .status(status)
                        .build(),
                )
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk("guardduty:UpdateDetector", &resource(fix), NOT_FOUND, e)
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_guardduty::types::{DetectorFeatureConfigurationResult, DetectorFeatureResult};

    use super::*;

    fn plan(feature: &'static str) -> ProtectionPlan {
        ProtectionPlan {
            feature,
            label: feature,
        }
    }

    #[test]
    fn a_plan_is_on_by_its_own_feature_only() {
        let detector = GetDetectorOutput::builder()
            .features(
                DetectorFeatureConfigurationResult::builder()
                    .name(DetectorFeatureResult::RdsLoginEvents)
                    .status(FeatureStatus::Enabled)
                    .build(),
            )
            .features(
                DetectorFeatureConfigurationResult::builder()
                    .name(DetectorFeatureResult::S3DataEvents)
                    .status(FeatureStatus::Disabled)
                    .build(),
            )
            .build();
        assert!(plan("RDS_LOGIN_EVENTS").enabled_in(&detector));
        assert!(!plan("S3_DATA_EVENTS").enabled_in(&detector));
        assert!(
            !plan("EKS_AUDIT_LOGS").enabled_in(&detector),
            "absent is off"
        );
    }
}
