//! IAM.28.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "IAM.28",
        title: "IAM Access Analyzer external access analyzer should be enabled",
        resource_type: "AwsAccount",
        fix: "Creates an account external access analyzer (`hubfix-account-analyzer`) in the region when none is active.",
        iam_actions: &[
            "access-analyzer:ListAnalyzers",
            "access-analyzer:CreateAnalyzer",
            "access-analyzer:DeleteAnalyzer",
            "iam:CreateServiceLinkedRole",
        ],
        impact: Impact::Safe,
        remediation: &ExternalAccessAnalyzer,
    },
];

/// `IAM.28`: an external access analyzer is active in the region; if none is, hubfix
/// creates an account analyzer `hubfix-account-analyzer`.
#[derive(Debug)]
pub struct ExternalAccessAnalyzer;

/// Name of the analyzer hubfix creates.
pub const ANALYZER_NAME: &str = "hubfix-account-analyzer";

/// The before-state: the region's analyzers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerBefore {
    /// `name (type, status)` of each analyzer, sorted.
    pub analyzers: Vec<String>,
}

impl AnalyzerBefore {
    /// Whether hubfix's analyzer existed (in any status) before the fix.
    pub fn had_hubfix_analyzer(&self) -> bool {
        let prefix = format!("{ANALYZER_NAME} (");
        self.analyzers.iter().any(|a| a.starts_with(&prefix))
    }
}

impl Remediation for ExternalAccessAnalyzer {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let mut analyzers = Vec::new();
            let mut active_external = false;
            let mut pages = fix
                .clients
                .accessanalyzer
                .list_analyzers()
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    FixError::from_sdk("access-analyzer:ListAnalyzers", "analyzers", &[], e)
                })?;
                for a in page.analyzers() {
                    let kind = a.r#type().as_str();
                    let status = a.status().as_str();
                    active_external |=
                        matches!(kind, "ACCOUNT" | "ORGANIZATION") && status == "ACTIVE";
                    analyzers.push(format!("{} ({kind}, {status})", a.name()));
                }
            }
            analyzers.sort();
            let changes = if active_external {
                Vec::new()
            } else {
                vec![Change::new(
                    format!(
                        "created external access analyzer {ANALYZER_NAME} in {}",
                        fix.target.region
                    ),
                    &(),
                )]
            };
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("account {}", fix.target.name),
                        &AnalyzerBefore { analyzers },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            match fix
                .clients
                .accessanalyzer
                .create_analyzer()
                .analyzer_name(ANALYZER_NAME)
                .r#type(aws_sdk_accessanalyzer::types::Type::Account)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if service_code(&e) == Some("ConflictException") => Ok(()),
                Err(e) => Err(FixError::from_sdk(
                    "access-analyzer:CreateAnalyzer",
                    ANALYZER_NAME,
                    &[],
                    e,
                )),
            }
        })
    }

    /// Deletes the analyzer hubfix created; one of that name that existed before the
    /// fix is kept.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let before: AnalyzerBefore = before.recorded()?;
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let region = &fix.target.region;
            if before.had_hubfix_analyzer() {
                return Ok(vec![format!(
                    "kept analyzer {ANALYZER_NAME} in {region}: it existed before the fix"
                )]);
            }
            match fix
                .clients
                .accessanalyzer
                .delete_analyzer()
                .analyzer_name(ANALYZER_NAME)
                .send()
                .await
            {
                Ok(_) => Ok(vec![format!(
                    "deleted external access analyzer {ANALYZER_NAME} in {region}"
                )]),
                Err(e) if service_code(&e) == Some("ResourceNotFoundException") => {
                    Ok(vec![format!(
                        "analyzer {ANALYZER_NAME} in {region} is already gone"
                    )])
                }
                Err(e) => Err(FixError::from_sdk(
                    "access-analyzer:DeleteAnalyzer",
                    ANALYZER_NAME,
                    &[],
                    e,
                )),
            }
        })
    }
}
