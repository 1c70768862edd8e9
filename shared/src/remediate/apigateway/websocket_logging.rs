//! APIGateway.1 (WebSocket): execution logging of a WebSocket API stage.
//!
//! A WebSocket stage logs by its default route settings and by each route's own
//! settings. The fix sets `ERROR` on the default route settings and on every route that
//! logs less, in one `UpdateStage` call, keeping every other route setting. HTTP APIs
//! have no execution logging (their stages log access only), so a finding on an HTTP
//! API stage goes to a person. Undo puts the recorded levels back.

use std::collections::BTreeMap;

use aws_sdk_apigatewayv2::types::{LoggingLevel, ProtocolType, RouteSettings};
use serde::{Deserialize, Serialize};

use super::{api_and_stage, LOGGING_LEVEL, LOGGING_LEVELS, NOT_FOUND};
use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

/// `APIGateway.1` on an `AwsApiGatewayV2Stage`.
#[derive(Debug)]
pub struct WebSocketLogging;

/// The logging levels of a stage: its default route settings' and each route's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageLogging {
    /// The default route settings' level (`OFF` when unset).
    pub default: String,
    /// Route key to level.
    pub routes: BTreeMap<String, String>,
}

fn logs(level: &str) -> bool {
    LOGGING_LEVELS.contains(&level)
}

/// The plan: `ERROR` wherever the stage logs less. The change records the levels to
/// set, the before-state the levels they replace.
pub fn websocket_logging_plan(stage: &str, levels: &StageLogging) -> Plan {
    let quiet: BTreeMap<String, String> = levels
        .routes
        .iter()
        .filter(|(_, level)| !logs(level))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let former = StageLogging {
        default: levels.default.clone(),
        routes: quiet.clone(),
    };
    let changes = if logs(&levels.default) && quiet.is_empty() {
        Vec::new()
    } else {
        let wanted = StageLogging {
            default: LOGGING_LEVEL.to_owned(),
            routes: quiet
                .keys()
                .map(|k| (k.clone(), LOGGING_LEVEL.to_owned()))
                .collect(),
        };
        let mut parts = vec![format!("default route settings (was {})", levels.default)];
        parts.extend(quiet.iter().map(|(k, v)| format!("route {k} (was {v})")));
        vec![Change::new(
            format!(
                "set execution logging of {stage} to {LOGGING_LEVEL} for {}",
                parts.join(", ")
            ),
            &wanted,
        )]
    };
    Plan {
        before: BeforeState::new(stage.to_owned(), &former),
        changes,
    }
}

fn stage_words(name: &str) -> String {
    let (api, stage) = api_and_stage(name);
    format!("stage {stage} of WebSocket API {api}")
}

fn level_of(settings: Option<&RouteSettings>) -> String {
    settings
        .and_then(|s| s.logging_level())
        .map(|l| l.as_str().to_owned())
        .unwrap_or_else(|| "OFF".to_owned())
}

/// A stage as read: its default route settings, each route's settings, its tags.
struct StageRead {
    default: Option<RouteSettings>,
    routes: BTreeMap<String, RouteSettings>,
    tags: Vec<(String, String)>,
}

impl StageRead {
    fn levels(&self) -> StageLogging {
        StageLogging {
            default: level_of(self.default.as_ref()),
            routes: self
                .routes
                .iter()
                .map(|(k, v)| (k.clone(), level_of(Some(v))))
                .collect(),
        }
    }
}

/// Refuses a stage of an HTTP API: HTTP APIs have no execution logging.
async fn require_websocket(fix: Fix<'_>) -> Result<(), FixError> {
    let (api, stage) = api_and_stage(&fix.target.name);
    let described = fix
        .clients
        .apigatewayv2
        .get_api()
        .api_id(api)
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
    if described.protocol_type() == Some(&ProtocolType::Http) {
        return Err(FixError::Manual(format!(
            "API {api} is an HTTP API, which has no execution logging: turn on access logging of stage {stage} instead (`aws apigatewayv2 update-stage --api-id {api} --stage-name {stage} --access-log-settings DestinationArn=<log group ARN>,Format=<format>`)"
        )));
    }
    Ok(())
}

/// The stage's route settings and tags.
async fn read_stage(fix: Fix<'_>) -> Result<StageRead, FixError> {
    let (api, stage) = api_and_stage(&fix.target.name);
    let resource = stage_words(&fix.target.name);
    let out = fix
        .clients
        .apigatewayv2
        .get_stage()
        .api_id(api)
        .stage_name(stage)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("apigateway:GET", &resource, NOT_FOUND, e))?;
    Ok(StageRead {
        default: out.default_route_settings().cloned(),
        routes: out
            .route_settings()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        tags: out
            .tags()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

/// The settings with only the logging level changed.
fn with_level(settings: Option<&RouteSettings>, level: &str) -> RouteSettings {
    let level = LoggingLevel::from(level);
    match settings {
        Some(s) => {
            let mut s = s.clone();
            s.logging_level = Some(level);
            s
        }
        None => RouteSettings::builder().logging_level(level).build(),
    }
}

/// Sets the levels of `levels` on the stage, keeping every other route setting.
async fn write(fix: Fix<'_>, levels: &StageLogging) -> Result<(), FixError> {
    let read = read_stage(fix).await?;
    let (api, stage) = api_and_stage(&fix.target.name);
    let mut request = fix
        .clients
        .apigatewayv2
        .update_stage()
        .api_id(api)
        .stage_name(stage)
        .default_route_settings(with_level(read.default.as_ref(), &levels.default));
    for (route, level) in &levels.routes {
        request = request.route_settings(route, with_level(read.routes.get(route), level));
    }
    request.send().await.map(drop).map_err(|e| {
        FixError::from_sdk(
            "apigateway:PATCH",
            &stage_words(&fix.target.name),
            NOT_FOUND,
            e,
        )
    })
}

impl Remediation for WebSocketLogging {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            require_websocket(fix).await?;
            let read = read_stage(fix).await?;
            Ok(Inspection {
                tags: Some(read.tags.clone()),
                plan: websocket_logging_plan(&stage_words(&fix.target.name), &read.levels()),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { write(fix, &change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let former: StageLogging = before.recorded()?;
            write(fix, &former).await?;
            let mut lines = vec![format!(
                "put execution logging of {}'s default route settings back to {}",
                before.resource, former.default
            )];
            lines.extend(former.routes.iter().map(|(route, level)| {
                format!(
                    "put execution logging of route {route} of {} back to {level}",
                    before.resource
                )
            }));
            Ok(lines)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_and_every_quieter_route_log_errors() {
        let levels = StageLogging {
            default: "OFF".into(),
            routes: BTreeMap::from([
                ("$connect".to_owned(), "INFO".to_owned()),
                ("sendMessage".to_owned(), "OFF".to_owned()),
            ]),
        };
        let plan = websocket_logging_plan("stage prod", &levels);
        assert_eq!(
            plan.changes[0].description,
            "set execution logging of stage prod to ERROR for default route settings (was OFF), route sendMessage (was OFF)"
        );
        let wanted: StageLogging = plan.changes[0].detail().unwrap();
        assert_eq!(wanted.default, "ERROR");
        assert_eq!(wanted.routes.keys().collect::<Vec<_>>(), ["sendMessage"]);
        let former: StageLogging = plan.before.recorded().unwrap();
        assert_eq!(former.routes["sendMessage"], "OFF");
        assert!(websocket_logging_plan(
            "s",
            &StageLogging {
                default: "INFO".into(),
                routes: BTreeMap::new()
            }
        )
        .is_compliant());
    }

    #[test]
    fn only_the_level_changes() {
        let settings = RouteSettings::builder()
            .logging_level(LoggingLevel::Off)
            .throttling_rate_limit(50.0)
            .data_trace_enabled(true)
            .build();
        let changed = with_level(Some(&settings), "ERROR");
        assert_eq!(changed.logging_level(), Some(&LoggingLevel::Error));
        assert_eq!(changed.throttling_rate_limit(), Some(50.0));
        assert_eq!(changed.data_trace_enabled(), Some(true));
    }
}
