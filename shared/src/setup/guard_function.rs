//! The `drift-guard` function: each `AWS API Call via CloudTrail` event of a watched
//! call, recorded and, where `HUBFIX_DRIFT_REPAIR` allows, put back ([`super::drift`]).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::drift::{parse, DriftKind, Guard, REPAIR_FAILED};
use crate::audit::AuditTrail;
use crate::aws::AwsContext;
use crate::function::InvocationFailure;
use crate::policy::Policy;

/// Which kinds of drift are put back: `all` (default), `none`, or a list of `hub`,
/// `standards`, `members`, `aggregator`, `products`, `config`.
pub const ENV_DRIFT_REPAIR: &str = "HUBFIX_DRIFT_REPAIR";

/// Why the drift guard failed an invocation: EventBridge retries it, then hands it to
/// the dead-letter queue, whose alarm tells someone.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// hubfix's own account could not be learnt, so no event could be judged.
    #[error("{0}")]
    HomeAccountUnknown(String),
    /// A repair failed; the failure is recorded in the audit trail.
    #[error("could not put the foundation back (recorded in the audit trail): {0}")]
    RepairFailed(String),
}

impl InvocationFailure for GuardError {
    fn error_type(&self) -> &'static str {
        match self {
            GuardError::HomeAccountUnknown(_) => "hubfix.HomeAccountUnknown",
            GuardError::RepairFailed(_) => "hubfix.DriftRepairFailed",
        }
    }
}

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
    ) -> Result<Value, GuardError> {
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
            .map_err(|e| GuardError::HomeAccountUnknown(e.to_string()))?;
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
            return Err(GuardError::RepairFailed(report.note));
        }
        Ok(serde_json::to_value(report).unwrap_or(Value::Null))
    }
}
