//! CodeBuild: AWS credentials in plain-text environment variables (`CodeBuild.2`).
//!
//! Notes, logs, plans and before-states name the variables, never their values: hubfix
//! reads the values only to send the project's other variables back unchanged.

use aws_sdk_codebuild::types::{EnvironmentVariable, EnvironmentVariableType};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

use super::{environment, project, project_tags, update_environment};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "CodeBuild.2",
        title: "CodeBuild project environment variables should not contain clear text credentials",
        resource_type: "AwsCodeBuildProject",
        fix: "Removes the plain-text AWS credential variables (named in the note, never their values) from the project; builds then use its service role. Cannot be undone: hubfix never keeps the values.",
        iam_actions: &["codebuild:BatchGetProjects", "codebuild:UpdateProject"],
        impact: Impact::Disruptive,
        remediation: &PlaintextCredentials,
    },
];

/// The variables the control looks for (and the session token that goes with them).
pub const CREDENTIAL_VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// `CodeBuild.2`: removes the plain-text AWS credential variables from the project's
/// environment; builds then use the project's service role. Approval-only: a build that
/// needed those credentials stops working until it is given them another way.
#[derive(Debug)]
pub struct PlaintextCredentials;

/// The before-state of `CodeBuild.2`: the names of the plain-text credential variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsBefore {
    /// Variable names, sorted; never their values.
    pub plaintext: Vec<String>,
}

fn is_plaintext_credential(v: &EnvironmentVariable) -> bool {
    CREDENTIAL_VARIABLES.contains(&v.name())
        && v.r#type()
            .is_none_or(|t| *t == EnvironmentVariableType::Plaintext)
}

/// The names of a project's plain-text credential variables, sorted.
pub fn plaintext_credentials(variables: &[EnvironmentVariable]) -> Vec<String> {
    let mut names: Vec<String> = variables
        .iter()
        .filter(|v| is_plaintext_credential(v))
        .map(|v| v.name().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The plan for `CodeBuild.2`.
pub fn credentials_plan(project: &str, plaintext: Vec<String>) -> Plan {
    let changes = if plaintext.is_empty() {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "removed the plain-text credential variables {} from CodeBuild project {project}; builds now use its service role. Deactivate and replace the access key they held: anyone allowed to read the project could read it",
                plaintext.join(", ")
            ),
            &plaintext,
        )]
    };
    Plan {
        before: BeforeState::new(
            format!("CodeBuild project {project}"),
            &CredentialsBefore { plaintext },
        ),
        changes,
    }
}

impl Remediation for PlaintextCredentials {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let p = project(fix).await?;
            let variables = p
                .environment()
                .map(|e| e.environment_variables())
                .unwrap_or_default();
            Ok(Inspection {
                tags: Some(project_tags(&p)),
                plan: credentials_plan(&fix.target.name, plaintext_credentials(variables)),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let names: Vec<String> = change.detail()?;
            let mut environment = environment(fix).await?;
            let kept: Vec<EnvironmentVariable> = environment
                .environment_variables
                .take()
                .unwrap_or_default()
                .into_iter()
                .filter(|v| !(is_plaintext_credential(v) && names.iter().any(|n| n == v.name())))
                .collect();
            environment.environment_variables = Some(kept);
            update_environment(fix, environment).await
        })
    }

    fn undo<'a>(
        &'a self,
        _fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let CredentialsBefore { plaintext } = before.recorded()?;
            Err(FixError::Irreversible(format!(
                "hubfix never keeps credential values, so it cannot put {} back on {}; if a build needs credentials, add them by hand as SECRETS_MANAGER or PARAMETER_STORE variables, not PLAINTEXT",
                plaintext.join(", "),
                before.resource
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: &str, kind: Option<EnvironmentVariableType>) -> EnvironmentVariable {
        EnvironmentVariable::builder()
            .name(name)
            .value(value)
            .set_type(kind)
            .build()
            .unwrap()
    }

    #[test]
    fn only_plaintext_credentials_are_named_and_no_value_is_kept() {
        let vars = [
            var("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG", None),
            var(
                "AWS_ACCESS_KEY_ID",
                "AKIAIOSFODNN7EXAMPLE",
                Some(EnvironmentVariableType::Plaintext),
            ),
            var(
                "AWS_SESSION_TOKEN",
                "prod/ci/token",
                Some(EnvironmentVariableType::SecretsManager),
            ),
            var("STAGE", "prod", None),
        ];
        let names = plaintext_credentials(&vars);
        assert_eq!(names, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
        let plan = credentials_plan("build", names);
        let recorded = format!(
            "{} {} {}",
            plan.describe(),
            plan.before.state,
            plan.changes[0].detail
        );
        assert!(recorded.contains("AWS_SECRET_ACCESS_KEY"));
        for value in ["wJalrXUtnFEMI/K7MDENG", "AKIAIOSFODNN7EXAMPLE"] {
            assert!(!recorded.contains(value), "{recorded}");
        }
        assert!(credentials_plan("build", Vec::new()).is_compliant());
    }
}
