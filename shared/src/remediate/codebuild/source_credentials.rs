//! CodeBuild.1: source repository URLs with credentials in them
//! (`https://user:token@bitbucket.org/...`).
//!
//! Notes, logs, plans and before-states show a URL only without its user information:
//! hubfix never writes the secret part anywhere, so the fix cannot be undone.

use aws_sdk_codebuild::types::ProjectSource;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

use super::{project, project_tags, resource, NOT_FOUND};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "CodeBuild.1",
    title: "CodeBuild Bitbucket source repository URLs should not contain sensitive credentials",
    resource_type: "AwsCodeBuildProject",
    fix: "Removes the user name and token or password from the project's source URLs (primary and secondary); the project then needs a source credential or connection to reach the repository. The secret is never logged or kept, so the fix cannot be undone.",
    iam_actions: &["codebuild:BatchGetProjects", "codebuild:UpdateProject"],
    impact: Impact::Disruptive,
    remediation: &SourceUrlCredentials,
}];

/// `CodeBuild.1`: source URLs without credentials.
#[derive(Debug)]
pub struct SourceUrlCredentials;

/// How the before-state and notes name the primary source.
const PRIMARY: &str = "primary";

/// The before-state: each source whose URL carried credentials, by identifier, with
/// its URL as it is without them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCredentialsBefore {
    /// `(source, URL without credentials)`, the primary source first.
    pub sources: Vec<(String, String)>,
}

/// The URL without its user information (`https://user:token@host/path` becomes
/// `https://host/path`); `None` when it has none.
pub fn without_credentials(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    Some(format!("{scheme}://{}", &rest[at + 1..]))
}

/// The sources whose URLs carry credentials: `(identifier, URL without them)`.
pub fn sources_with_credentials(
    primary: Option<&ProjectSource>,
    secondary: &[ProjectSource],
) -> Vec<(String, String)> {
    let primary = primary.map(|s| (PRIMARY.to_owned(), s));
    let secondary = secondary
        .iter()
        .map(|s| (s.source_identifier().unwrap_or_default().to_owned(), s));
    primary
        .into_iter()
        .chain(secondary)
        .filter_map(|(id, s)| {
            s.location()
                .and_then(without_credentials)
                .map(|clean| (id, clean))
        })
        .collect()
}

/// The plan: one change removing the credentials of every such source.
pub fn source_credentials_plan(project: &str, sources: Vec<(String, String)>) -> Plan {
    let changes = if sources.is_empty() {
        Vec::new()
    } else {
        let urls: Vec<String> = sources
            .iter()
            .map(|(id, url)| format!("{id} {url}"))
            .collect();
        vec![Change::new(
            format!(
                "removed the credentials from the source URLs of CodeBuild project {project} ({}); give it a source credential or connection to reach the repository",
                urls.join(", ")
            ),
            &sources.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        )]
    };
    Plan {
        before: BeforeState::new(
            format!("CodeBuild project {project}"),
            &SourceCredentialsBefore { sources },
        ),
        changes,
    }
}

/// The source with its URL's credentials removed, when it is one of `ids`.
fn cleaned(mut source: ProjectSource, id: &str, ids: &[String]) -> ProjectSource {
    if ids.iter().any(|i| i == id) {
        if let Some(clean) = source.location().and_then(without_credentials) {
            source.location = Some(clean);
        }
    }
    source
}

impl Remediation for SourceUrlCredentials {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let p = project(fix).await?;
            let sources = sources_with_credentials(p.source(), p.secondary_sources());
            Ok(Inspection {
                tags: with_tags.then(|| project_tags(&p)),
                plan: source_credentials_plan(&fix.target.name, sources),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let ids: Vec<String> = change.detail()?;
            let p = project(fix).await?;
            let mut update = fix
                .clients
                .codebuild
                .update_project()
                .name(&fix.target.name);
            if let Some(source) = p.source.clone() {
                update = update.source(cleaned(source, PRIMARY, &ids));
            }
            if ids.iter().any(|id| id != PRIMARY) {
                let secondary = p.secondary_sources.clone().unwrap_or_default();
                update = update.set_secondary_sources(Some(
                    secondary
                        .into_iter()
                        .map(|s| {
                            let id = s.source_identifier().unwrap_or_default().to_owned();
                            cleaned(s, &id, &ids)
                        })
                        .collect(),
                ));
            }
            update.send().await.map(|_| ()).map_err(|e| {
                FixError::from_sdk("codebuild:UpdateProject", &resource(fix), NOT_FOUND, e)
            })
        })
    }

    fn undo<'a>(
        &'a self,
        _fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let SourceCredentialsBefore { sources } = before.recorded()?;
            let ids: Vec<&str> = sources.iter().map(|(id, _)| id.as_str()).collect();
            Err(FixError::Irreversible(format!(
                "hubfix never keeps the credentials it removed from the {} source URLs of {}; connect the repository with a CodeBuild source credential (ImportSourceCredentials) or a connection instead",
                ids.join(", "),
                before.resource
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_codebuild::types::SourceType;

    use super::*;

    fn source(id: Option<&str>, location: &str) -> ProjectSource {
        ProjectSource::builder()
            .r#type(SourceType::Bitbucket)
            .location(location)
            .set_source_identifier(id.map(str::to_owned))
            .build()
            .unwrap()
    }

    #[test]
    fn user_information_is_removed_and_nothing_else() {
        assert_eq!(
            without_credentials("https://ci-bot:s3cr3t@bitbucket.org/acme/app.git").as_deref(),
            Some("https://bitbucket.org/acme/app.git")
        );
        assert_eq!(
            without_credentials("https://x-token-auth:tok@bitbucket.org/acme/app.git").as_deref(),
            Some("https://bitbucket.org/acme/app.git")
        );
        assert_eq!(
            without_credentials("https://bitbucket.org/acme/app.git"),
            None
        );
        assert_eq!(
            without_credentials("https://bitbucket.org/acme/app@v2.git"),
            None,
            "an @ in the path is not user information"
        );
        assert_eq!(without_credentials("codebuild-bucket/app.zip"), None);
    }

    #[test]
    fn secondary_sources_are_named_and_no_secret_reaches_the_plan() {
        let primary = source(None, "https://bot:hunter2@bitbucket.org/acme/app.git");
        let secondary = [
            source(Some("lib"), "https://bitbucket.org/acme/lib.git"),
            source(
                Some("tools"),
                "https://bot:hunter2@bitbucket.org/acme/tools.git",
            ),
        ];
        let sources = sources_with_credentials(Some(&primary), &secondary);
        let plan = source_credentials_plan("app", sources);
        let text = format!("{} {}", plan.describe(), plan.before.state);
        assert!(
            !text.contains("hunter2") && !text.contains("bot:"),
            "{text}"
        );
        assert!(text.contains("primary https://bitbucket.org/acme/app.git"));
        assert_eq!(
            plan.changes[0].detail::<Vec<String>>().unwrap(),
            ["primary", "tools"]
        );
        let kept = cleaned(secondary[0].clone(), "lib", &["tools".into()]);
        assert_eq!(kept.location(), Some("https://bitbucket.org/acme/lib.git"));
        let fixed = cleaned(secondary[1].clone(), "tools", &["tools".into()]);
        assert_eq!(
            fixed.location(),
            Some("https://bitbucket.org/acme/tools.git")
        );
    }
}
