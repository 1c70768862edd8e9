//! GuardDuty: a detector enabled in the region (`GuardDuty.1`).

use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "GuardDuty.1",
        title: "GuardDuty should be enabled",
        resource_type: "AwsAccount",
        fix: "Enables the region's GuardDuty detector, or creates an enabled one (tagged `hubfix:created`) when there is none.",
        iam_actions: &[
            "guardduty:ListDetectors",
            "guardduty:GetDetector",
            "guardduty:CreateDetector",
            "guardduty:UpdateDetector",
            "guardduty:DeleteDetector",
            "guardduty:TagResource",
            "iam:CreateServiceLinkedRole",
        ],
        impact: Impact::Disruptive,
        remediation: &GuardDutyDetector,
    },
];

/// `GuardDuty.1`: enables the region's detector, or creates one when there is none.
#[derive(Debug)]
pub struct GuardDutyDetector;

/// One detector as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorState {
    /// The detector id.
    pub id: String,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
}

/// The before-state: the region's detectors (at most one), sorted by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorsBefore {
    /// The detectors.
    pub detectors: Vec<DetectorState>,
}

/// The change: enable an existing detector, or create one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DetectorChange {
    /// Enable this detector.
    Enable(String),
    /// Create an enabled detector.
    Create,
}

const NOT_FOUND: &[&str] = &["BadRequestException", "ResourceNotFoundException"];

impl Remediation for GuardDutyDetector {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let detectors = detectors(&fix.clients.guardduty).await?;
            let region = &fix.target.region;
            let changes = if detectors.iter().any(|d| d.status == "ENABLED") {
                Vec::new()
            } else if let Some(d) = detectors.first() {
                vec![Change::new(
                    format!("enabled GuardDuty detector {} in {region}", d.id),
                    &DetectorChange::Enable(d.id.clone()),
                )]
            } else {
                vec![Change::new(
                    format!("created an enabled GuardDuty detector in {region}"),
                    &DetectorChange::Create,
                )]
            };
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("GuardDuty of account {} in {region}", fix.target.name),
                        &DetectorsBefore { detectors },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let gd = &fix.clients.guardduty;
            match change.detail::<DetectorChange>()? {
                DetectorChange::Enable(id) => gd
                    .update_detector()
                    .detector_id(&id)
                    .enable(true)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        FixError::from_sdk(
                            "guardduty:UpdateDetector",
                            &format!("detector {id}"),
                            NOT_FOUND,
                            e,
                        )
                    }),
                DetectorChange::Create => gd
                    .create_detector()
                    .enable(true)
                    .tags(crate::remediate::CREATED_BY_TAG, "true")
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        FixError::from_sdk("guardduty:CreateDetector", "detector", &[], e)
                    }),
            }
        })
    }

    /// Disables the detector hubfix enabled, or deletes the one it created (GuardDuty
    /// allows one detector per region, so the one there is hubfix's).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let _: DetectorsBefore = before.recorded()?;
            let gd = &fix.clients.guardduty;
            let region = &fix.target.region;
            let mut steps = Vec::new();
            for change in changes {
                match change.detail::<DetectorChange>()? {
                    DetectorChange::Enable(id) => {
                        gd.update_detector()
                            .detector_id(&id)
                            .enable(false)
                            .send()
                            .await
                            .map_err(|e| {
                                FixError::from_sdk(
                                    "guardduty:UpdateDetector",
                                    &format!("detector {id}"),
                                    NOT_FOUND,
                                    e,
                                )
                            })?;
                        steps.push(format!(
                            "disabled GuardDuty detector {id} in {region} again"
                        ));
                    }
                    DetectorChange::Create => {
                        for d in detectors(gd).await? {
                            match gd.delete_detector().detector_id(&d.id).send().await {
                                Ok(_) => steps.push(format!(
                                    "deleted GuardDuty detector {} in {region}, which hubfix created",
                                    d.id
                                )),
                                Err(e) if service_code(&e) == Some("BadRequestException") => {}
                                Err(e) => {
                                    return Err(FixError::from_sdk(
                                        "guardduty:DeleteDetector",
                                        &format!("detector {}", d.id),
                                        &[],
                                        e,
                                    ))
                                }
                            }
                        }
                    }
                }
            }
            Ok(steps)
        })
    }
}

async fn detectors(gd: &aws_sdk_guardduty::Client) -> Result<Vec<DetectorState>, FixError> {
    let mut ids = Vec::new();
    let mut pages = gd.list_detectors().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| FixError::from_sdk("guardduty:ListDetectors", "detectors", &[], e))?;
        ids.extend(page.detector_ids().iter().cloned());
    }
    let mut detectors = Vec::new();
    for id in ids {
        let out = gd
            .get_detector()
            .detector_id(&id)
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "guardduty:GetDetector",
                    &format!("detector {id}"),
                    NOT_FOUND,
                    e,
                )
            })?;
        let status = out
            .status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        detectors.push(DetectorState { id, status });
    }
    detectors.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(detectors)
}
