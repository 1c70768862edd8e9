//! APIGateway.1 (REST) and APIGateway.5: the method settings of a REST API stage.
//!
//! A stage's method settings are keyed `*/*` (every method) or `<resource path>/<HTTP
//! method>` (one method's override). `APIGateway.1` (AWS Config's
//! `api-gw-execution-logging-enabled`) passes when every key logs at `ERROR` or `INFO`;
//! the fix sets `ERROR` on `*/*` and on every override that logs less. `APIGateway.5`
//! passes when every key that caches encrypts its cache data; the fix turns encryption
//! on for those keys. Each is one `UpdateStage` call; undo puts the recorded values
//! back. Execution logging needs the account's CloudWatch Logs role in API Gateway's
//! settings: without it, the finding goes to a person with the command that sets it.

use std::collections::BTreeMap;

use aws_sdk_apigateway::types::{Op, PatchOperation};
use serde::{Deserialize, Serialize};

use super::{api_and_stage, LOGGING_LEVEL, LOGGING_LEVELS, NOT_FOUND};
use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
        control_id: "APIGateway.5",
        title: "API Gateway REST API cache data should be encrypted at rest",
        resource_type: "AwsApiGatewayStage",
        fix: "Turns on encryption of cache data for every method of the REST API stage that caches responses. Undo turns it off again for those methods.",
        iam_actions: &["apigateway:GET", "apigateway:PATCH"],
        impact: Impact::Safe,
        remediation: &RestStageSettings(MethodSettingKind::CacheDataEncrypted),
    },
];

/// The method setting one rule corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodSettingKind {
    /// `logging/loglevel` (`APIGateway.1`).
    LoggingLevel,
    /// `caching/dataEncrypted` (`APIGateway.5`).
    CacheDataEncrypted,
}

impl MethodSettingKind {
    fn patch_suffix(self) -> &'static str {
        match self {
            MethodSettingKind::LoggingLevel => "logging/loglevel",
            MethodSettingKind::CacheDataEncrypted => "caching/dataEncrypted",
        }
    }
}

/// One key's method settings, as the rules read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodView {
    /// `loggingLevel` (`OFF`, `ERROR`, `INFO`), when set.
    pub logging_level: Option<String>,
    /// `cachingEnabled`.
    pub caching_enabled: bool,
    /// `cacheDataEncrypted`.
    pub cache_data_encrypted: bool,
}

/// One method setting's value, by key: what a change sets and what the before-state
/// records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodValue {
    /// `*/*` or `<resource path>/<HTTP method>`.
    pub key: String,
    /// The value as the patch operation takes it (`ERROR`, `true`).
    pub value: String,
}

/// The key of every method of a stage.
const ALL_METHODS: &str = "*/*";

/// How a note names a key.
fn key_words(key: &str) -> String {
    if key == ALL_METHODS {
        "every method (*/*)".to_owned()
    } else {
        let (path, method) = key.rsplit_once('/').unwrap_or(("", key));
        format!(
            "{method} /{}",
            path.trim_start_matches('/')
                .replace("~1", "/")
                .trim_start_matches('/')
        )
    }
}

/// The patch path of a key's setting: `/<resource path>/<method>/<suffix>`, with the
/// resource path's slashes escaped as `~1` as the API requires.
pub fn patch_path(key: &str, suffix: &str) -> String {
    match key.rsplit_once('/') {
        Some((path, method)) => format!("/{}/{method}/{suffix}", path.replace('/', "~1")),
        None => format!("/{key}/{suffix}"),
    }
}

/// The plan for one stage: the keys to correct, each with the value to set (the
/// change's record) and its former value (the before-state).
pub fn rest_stage_plan(
    stage: &str,
    kind: MethodSettingKind,
    settings: &BTreeMap<String, MethodView>,
) -> Plan {
    let mut wanted = Vec::new();
    let mut former = Vec::new();
    match kind {
        MethodSettingKind::LoggingLevel => {
            let logs = |v: &MethodView| {
                v.logging_level
                    .as_deref()
                    .is_some_and(|l| LOGGING_LEVELS.contains(&l))
            };
            let all = settings.get(ALL_METHODS).cloned().unwrap_or_default();
            let keys = std::iter::once((ALL_METHODS, &all)).chain(
                settings
                    .iter()
                    .filter(|(k, _)| *k != ALL_METHODS)
                    .map(|(k, v)| (k.as_str(), v)),
            );
            for (key, view) in keys.filter(|(_, v)| !logs(v)) {
                wanted.push(MethodValue {
                    key: key.to_owned(),
                    value: LOGGING_LEVEL.to_owned(),
                });
                former.push(MethodValue {
                    key: key.to_owned(),
                    value: view
                        .logging_level
                        .clone()
                        .unwrap_or_else(|| "OFF".to_owned()),
                });
            }
        }
        MethodSettingKind::CacheDataEncrypted => {
            for (key, _) in settings
                .iter()
                .filter(|(_, v)| v.caching_enabled && !v.cache_data_encrypted)
            {
                wanted.push(MethodValue {
                    key: key.clone(),
                    value: "true".to_owned(),
                });
                former.push(MethodValue {
                    key: key.clone(),
                    value: "false".to_owned(),
                });
            }
        }
    }
    let changes = if wanted.is_empty() {
        Vec::new()
    } else {
        let keys: Vec<String> = former
            .iter()
            .map(|f| match kind {
                MethodSettingKind::LoggingLevel => {
                    format!("{} (was {})", key_words(&f.key), f.value)
                }
                MethodSettingKind::CacheDataEncrypted => key_words(&f.key),
            })
            .collect();
        let what = match kind {
            MethodSettingKind::LoggingLevel => {
                format!("set execution logging of {stage} to {LOGGING_LEVEL} for")
            }
            MethodSettingKind::CacheDataEncrypted => {
                format!("turned on cache data encryption of {stage} for")
            }
        };
        vec![Change::new(format!("{what} {}", keys.join(", ")), &wanted)]
    };
    Plan {
        before: BeforeState::new(stage.to_owned(), &former),
        changes,
    }
}

/// `APIGateway.1` (REST stages) and `APIGateway.5`: one method setting of a stage.
#[derive(Debug)]
pub struct RestStageSettings(pub MethodSettingKind);

fn stage_words(name: &str) -> String {
    let (api, stage) = api_and_stage(name);
    format!("stage {stage} of REST API {api}")
}

/// The stage's method settings and tags.
async fn read_stage(
    fix: Fix<'_>,
) -> Result<(BTreeMap<String, MethodView>, Vec<(String, String)>), FixError> {
    let (api, stage) = api_and_stage(&fix.target.name);
    let out = fix
        .clients
        .apigateway
        .get_stage()
        .rest_api_id(api)
        .stage_name(stage)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "apigateway:GET",
                &stage_words(&fix.target.name),
                NOT_FOUND,
                e,
            )
        })?;
    let settings = out
        .method_settings()
        .into_iter()
        .flatten()
        .map(|(key, s)| {
            (
                key.clone(),
                MethodView {
                    logging_level: s.logging_level().map(str::to_owned),
                    caching_enabled: s.caching_enabled(),
                    cache_data_encrypted: s.cache_data_encrypted(),
                },
            )
        })
        .collect();
    let tags = out
        .tags()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok((settings, tags))
}

/// Refuses to turn logging on when the account has no CloudWatch Logs role for API
/// Gateway: `UpdateStage` would fail, and setting the role is an account-wide choice.
async fn require_log_role(fix: Fix<'_>) -> Result<(), FixError> {
    let out = fix
        .clients
        .apigateway
        .get_account()
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "apigateway:GET",
                &format!("account {}", fix.target.account),
                &[],
                e,
            )
        })?;
    if out.cloudwatch_role_arn().is_some_and(|a| !a.is_empty()) {
        return Ok(());
    }
    Err(FixError::Manual(format!(
        "API Gateway in account {} ({}) has no CloudWatch Logs role, which execution logging needs. Create a role API Gateway can assume with the AmazonAPIGatewayPushToCloudWatchLogs policy, then run `aws apigateway update-account --region {} --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role ARN>` and remediate again",
        fix.target.account, fix.target.region, fix.target.region
    )))
}

async fn patch(
    fix: Fix<'_>,
    kind: MethodSettingKind,
    values: &[MethodValue],
) -> Result<(), FixError> {
    let (api, stage) = api_and_stage(&fix.target.name);
    let operations = values
        .iter()
        .map(|v| {
            PatchOperation::builder()
                .op(Op::Replace)
                .path(patch_path(&v.key, kind.patch_suffix()))
                .value(&v.value)
                .build()
        })
        .collect();
    fix.clients
        .apigateway
        .update_stage()
        .rest_api_id(api)
        .stage_name(stage)
        .set_patch_operations(Some(operations))
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "apigateway:PATCH",
                &stage_words(&fix.target.name),
                NOT_FOUND,
                e,
            )
        })
}

impl Remediation for RestStageSettings {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (settings, tags) = read_stage(fix).await?;
            let plan = rest_stage_plan(&stage_words(&fix.target.name), self.0, &settings);
            if self.0 == MethodSettingKind::LoggingLevel && !plan.is_compliant() {
                require_log_role(fix).await?;
            }
            Ok(Inspection {
                tags: Some(tags),
                plan,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let values: Vec<MethodValue> = change.detail()?;
            patch(fix, self.0, &values).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let former: Vec<MethodValue> = before.recorded()?;
            patch(fix, self.0, &former).await?;
            Ok(former
                .iter()
                .map(|f| {
                    format!(
                        "put {} of {} for {} back to {}",
                        self.0.patch_suffix(),
                        before.resource,
                        key_words(&f.key),
                        f.value
                    )
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(level: Option<&str>, caching: bool, encrypted: bool) -> MethodView {
        MethodView {
            logging_level: level.map(str::to_owned),
            caching_enabled: caching,
            cache_data_encrypted: encrypted,
        }
    }

    #[test]
    fn patch_paths_escape_the_resource_path() {
        assert_eq!(
            patch_path("*/*", "logging/loglevel"),
            "/*/*/logging/loglevel"
        );
        assert_eq!(
            patch_path("~1pets/GET", "logging/loglevel"),
            "/~1pets/GET/logging/loglevel"
        );
        assert_eq!(
            patch_path("/pets/{id}/DELETE", "caching/dataEncrypted"),
            "/~1pets~1{id}/DELETE/caching/dataEncrypted"
        );
        assert_eq!(key_words("~1pets~1{id}/GET"), "GET /pets/{id}");
        assert_eq!(key_words("*/*"), "every method (*/*)");
    }

    #[test]
    fn logging_is_set_on_every_method_and_each_quieter_override() {
        let settings = BTreeMap::from([
            ("~1pets/GET".to_owned(), view(Some("OFF"), false, false)),
            ("~1pets/POST".to_owned(), view(Some("INFO"), false, false)),
        ]);
        let plan = rest_stage_plan("stage prod", MethodSettingKind::LoggingLevel, &settings);
        let wanted: Vec<MethodValue> = plan.changes[0].detail().unwrap();
        assert_eq!(
            wanted
                .iter()
                .map(|v| (v.key.as_str(), v.value.as_str()))
                .collect::<Vec<_>>(),
            [("*/*", "ERROR"), ("~1pets/GET", "ERROR")]
        );
        assert_eq!(
            plan.changes[0].description,
            "set execution logging of stage prod to ERROR for every method (*/*) (was OFF), GET /pets (was OFF)"
        );
        let former: Vec<MethodValue> = plan.before.recorded().unwrap();
        assert_eq!(former[1].value, "OFF");

        let logging = BTreeMap::from([("*/*".to_owned(), view(Some("INFO"), false, false))]);
        assert!(rest_stage_plan("s", MethodSettingKind::LoggingLevel, &logging).is_compliant());
        assert!(
            !rest_stage_plan("s", MethodSettingKind::LoggingLevel, &BTreeMap::new()).is_compliant()
        );
    }

    #[test]
    fn only_methods_that_cache_unencrypted_are_changed() {
        let settings = BTreeMap::from([
            ("*/*".to_owned(), view(None, true, false)),
            ("~1a/GET".to_owned(), view(None, false, false)),
            ("~1b/GET".to_owned(), view(None, true, true)),
        ]);
        let plan = rest_stage_plan("s", MethodSettingKind::CacheDataEncrypted, &settings);
        let wanted: Vec<MethodValue> = plan.changes[0].detail().unwrap();
        assert_eq!(
            wanted,
            [MethodValue {
                key: "*/*".into(),
                value: "true".into()
            }]
        );
        assert!(
            rest_stage_plan("s", MethodSettingKind::CacheDataEncrypted, &BTreeMap::new())
                .is_compliant()
        );
    }
}
