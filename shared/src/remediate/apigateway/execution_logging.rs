//! APIGateway.1: execution logging of a REST API stage or of a WebSocket API stage.
//!
//! Security Hub evaluates the control on both kinds of stage; the finding's resource
//! says which (`AwsApiGatewayStage`, `/restapis/...`, or `AwsApiGatewayV2Stage`,
//! `/apis/...`), and the fix is the REST stages' method settings
//! ([`super::rest_stages`]) or the WebSocket stages' route settings
//! ([`super::websocket_logging`]).

use super::rest_stages::{MethodSettingKind, RestStageSettings};
use super::websocket_logging::WebSocketLogging;
use crate::error::FixError;
use crate::model::{BeforeState, Change};
use crate::remediate::names::{rest_api_stage, v2_api_stage};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "APIGateway.1",
    title: "API Gateway REST and WebSocket API execution logging should be enabled",
    resource_type: "AwsApiGatewayStage",
    fix: "Sets execution logging to ERROR: on a REST API stage for every method (`*/*`) and each method override that logs less, which needs API Gateway's CloudWatch Logs role in the account settings (else the note says how to set it); on a WebSocket API stage in its default route settings and each route that logs less (HTTP APIs have no execution logging: the note says so). Undo puts the former levels back.",
    iam_actions: &["apigateway:GET", "apigateway:PATCH"],
    impact: Impact::Safe,
    remediation: &ExecutionLogging,
}];

/// `APIGateway.1`, on either kind of stage.
#[derive(Debug)]
pub struct ExecutionLogging;

/// The REST stages' half of the fix.
const REST: RestStageSettings = RestStageSettings(MethodSettingKind::LoggingLevel);

/// Whether a stage ARN is an HTTP or WebSocket API's (`.../apis/<id>/stages/...`).
fn is_v2_stage(resource_id: &str) -> bool {
    resource_id.contains("::/apis/")
}

/// The fix for the finding's kind of stage.
fn fix_for(fix: Fix<'_>) -> &'static dyn Remediation {
    if is_v2_stage(&fix.target.resource_id) {
        &WebSocketLogging
    } else {
        &REST
    }
}

impl Remediation for ExecutionLogging {
    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        Some(if is_v2_stage(resource_id) {
            v2_api_stage(resource_id, account)
        } else {
            rest_api_stage(resource_id, account)
        })
    }

    fn other_resource_types(&self) -> &'static [&'static str] {
        &["AwsApiGatewayV2Stage"]
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        fix_for(fix).inspect(fix, with_tags)
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        fix_for(fix).apply(fix, change)
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        fix_for(fix).undo(fix, before, changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_arn_says_which_fix_applies() {
        let rest = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod";
        let v2 = "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5/stages/prod";
        assert!(!is_v2_stage(rest));
        assert!(is_v2_stage(v2));
        let name = |id| {
            ExecutionLogging
                .resource_name(id, "123456789012")
                .unwrap()
                .unwrap()
        };
        assert_eq!(name(rest), "a1b2c3d4e5/prod");
        assert_eq!(name(v2), "a1b2c3d4e5/prod");
    }
}
