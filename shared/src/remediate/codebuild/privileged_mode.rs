//! CodeBuild.5: privileged mode on a project's build environment.

use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

use super::{environment, project, project_tags, resource, update_environment};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "CodeBuild.5",
    title: "CodeBuild project environments should not have privileged mode enabled",
    resource_type: "AwsCodeBuildProject",
    fix: "Turns privileged mode off in the project's build environment; builds that run Docker daemons inside the build then fail until they are changed. Undo turns it on again.",
    iam_actions: &["codebuild:BatchGetProjects", "codebuild:UpdateProject"],
    impact: Impact::Disruptive,
    remediation: &SingleSetting(PrivilegedMode),
}];

/// `CodeBuild.5`: the build environment's privileged mode, wanted off.
#[derive(Debug)]
pub struct PrivilegedMode;

impl Setting for PrivilegedMode {
    fn name(&self) -> &'static str {
        "PrivilegedMode"
    }

    fn label(&self) -> &'static str {
        "privileged mode"
    }

    fn wanted(&self) -> bool {
        false
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let project = project(fix).await?;
            Ok(SettingState {
                tags: with_tags.then(|| project_tags(&project)),
                resource: resource(fix),
                enabled: project
                    .environment()
                    .and_then(|e| e.privileged_mode())
                    .unwrap_or(false),
                change: format!("turned privileged mode off for {}", resource(fix)),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let mut environment = environment(fix).await?;
            environment.privileged_mode = Some(enabled);
            update_environment(fix, environment).await
        })
    }
}
