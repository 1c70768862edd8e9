//! CodeBuild: projects: credentials in plain-text variables (`CodeBuild.2`) and in
//! source URLs (`CodeBuild.1`), and privileged mode (`CodeBuild.5`).

use aws_sdk_codebuild::types::{Project, ProjectEnvironment};

use crate::error::FixError;
use crate::remediate::Fix;

pub mod credentials;
pub mod privileged_mode;
pub mod source_credentials;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    credentials::RULES,
    privileged_mode::RULES,
    source_credentials::RULES,
];

/// How a note names the target project.
pub(crate) fn resource(fix: Fix<'_>) -> String {
    format!("CodeBuild project {}", fix.target.name)
}

/// The target project; `NotFound` when it is gone.
pub(crate) async fn project(fix: Fix<'_>) -> Result<Project, FixError> {
    let name = &fix.target.name;
    let out = fix
        .clients
        .codebuild
        .batch_get_projects()
        .names(name)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("codebuild:BatchGetProjects", &resource(fix), &[], e))?;
    out.projects()
        .iter()
        .find(|p| p.name() == Some(name.as_str()))
        .cloned()
        .ok_or(FixError::NotFound {
            resource: resource(fix),
            code: "projectsNotFound".into(),
        })
}

/// A project's tags.
pub(crate) fn project_tags(project: &Project) -> Vec<(String, String)> {
    project
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

/// The target project's environment, which an update replaces whole.
pub(crate) async fn environment(fix: Fix<'_>) -> Result<ProjectEnvironment, FixError> {
    project(fix)
        .await?
        .environment
        .ok_or_else(|| FixError::Target(format!("{} has no environment", resource(fix))))
}

/// Replaces the target project's environment.
pub(crate) async fn update_environment(
    fix: Fix<'_>,
    environment: ProjectEnvironment,
) -> Result<(), FixError> {
    fix.clients
        .codebuild
        .update_project()
        .name(&fix.target.name)
        .environment(environment)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| FixError::from_sdk("codebuild:UpdateProject", &resource(fix), NOT_FOUND, e))
}

/// The codes CodeBuild answers for a project that does not exist.
pub(crate) const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];
