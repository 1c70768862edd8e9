//! The `drift-guard` function: each `AWS API Call via CloudTrail` event of a watched
//! call, recorded and, where `HUBFIX_DRIFT_REPAIR` allows, put back ([`super::drift`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};

use super::drift::{parse, repair_kinds, DriftKind, Guard, REPAIR_FAILED};
use crate::audit::AuditTrail;
use crate::aws::{load_config, AwsContext};
use crate::policy::Policy;
use crate::settings::ConfigError;

/// Which kinds of drift are put back: `all` (default), `none`, or a list of `hub`,
/// `standards`, `members`, `aggregator`, `products`, `config`.
pub const ENV_DRIFT_REPAIR: &str = "HUBFIX_DRIFT_REPAIR";

/// The function, made once per cold start.
pub struct DriftGuardFunction {
    aws: AwsContext,
    policy: Policy,
    repair: BTreeSet<DriftKind>,
    audit: Option<AuditTrail>,
    actor: String,
}

impl DriftGuardFunction {
    /// From clients, the policy, and which kinds of drift to put back.
    pub fn new(
        aws: AwsContext,
        policy: Policy,
        repair: BTreeSet<DriftKind>,
        actor: String,
    ) -> Self {
        let audit = policy
            .audit
            .as_ref()
            .map(|a| AuditTrail::new(aws.home().s3.client().clone(), &a.bucket, &a.prefix));
        DriftGuardFunction {
            aws,
            policy,
            repair,
            audit,
            actor,
        }
    }

    /// Handles one event: an event that is not a watched call is logged and answered
    /// `ignored` (nothing to retry); a watched one gets the guard's report, recorded
    /// in the audit trail. A repair that failed is an error once recorded, so that
    /// EventBridge's asynchronous invocation retries it and then hands it to the
    /// dead-letter queue, whose alarm tells someone.
    pub async fn handle(
        &self,
        event: Value,
        config: &aws_config::SdkConfig,
    ) -> Result<Value, lambda_runtime::Error> {
        let drift = match parse(&event) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "event ignored");
                return Ok(json!({"outcome": "ignored", "reason": e.to_string()}));
            }
        };
        let caller = self
            .aws
            .home_account()
            .await
            .map_err(|e| lambda_runtime::Error::from(e.to_string()))?;
        let store = self.policy.audit.as_ref().map(|a| {
            (
                self.aws.home().s3.client(),
                a.bucket.as_str(),
                a.prefix.as_str(),
            )
        });
        let guard = Guard {
            config,
            caller,
            member_role: self.policy.member_role.as_ref(),
            audit: self.audit.as_ref(),
            store,
            repair: &self.repair,
            settings: &self.policy.settings,
            actor: &self.actor,
        };
        let report = guard.handle(drift).await;
        if report.outcome == REPAIR_FAILED {
            tracing::error!(note = %report.note, "the drift guard could not put the foundation back");
            return Err(lambda_runtime::Error::from(format!(
                "could not put the foundation back (recorded in the audit trail): {}",
                report.note
            )));
        }
        Ok(serde_json::to_value(report).unwrap_or(Value::Null))
    }
}

/// Runs the function: logging, configuration and clients once per cold start, then
/// the Lambda runtime loop.
pub async fn run() -> Result<(), lambda_runtime::Error> {
    crate::function::init_tracing();
    let policy = Policy::from_env().map_err(crate::function::refused)?;
    let repair =
        repair_kinds(std::env::var(ENV_DRIFT_REPAIR).ok().as_deref()).map_err(|reason| {
            crate::function::refused(ConfigError {
                variable: ENV_DRIFT_REPAIR,
                reason,
            })
        })?;
    let config = load_config().await;
    let aws = AwsContext::new(config.clone()).with_home_account(policy.home_account.as_deref());
    let actor = std::env::var("AWS_LAMBDA_FUNCTION_NAME")
        .map(|name| format!("function {name}"))
        .unwrap_or_else(|_| "hubfix drift guard".to_owned());
    tracing::info!(repair = ?repair, "drift guard configured");
    let function = Arc::new(DriftGuardFunction::new(aws, policy, repair, actor));
    let config = Arc::new(config);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Value>| {
            let function = function.clone();
            let config = config.clone();
            async move { function.handle(event.payload, &config).await }
        },
    ))
    .await
}
