//! What the Lambda functions share: JSON logging, the engine built once per cold start
//! from the environment, and the handler that checks the event is the function's kind.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::aws::{load_config, AwsContext};
use crate::finding::{SecurityHubEvent, Trigger};
use crate::policy::{ConfigError, Policy};
use crate::Engine;

/// Which event kind a function accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    /// `Security Hub Findings - Imported` (the auto-remediate function).
    Imported,
    /// `Security Hub Findings - Custom Action` (the custom-action function).
    CustomAction,
}

/// Why an invocation was refused; the invocation fails, so EventBridge retries it and
/// then sends it to the dead-letter queue, where it can be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The event is not a Security Hub event hubfix can read.
    #[error("event refused: {0}")]
    Malformed(#[from] crate::finding::EventError),
    /// The event is of the other function's kind.
    #[error("event refused: this function handles {expected} events, got {got}")]
    WrongKind {
        /// What the function handles.
        expected: &'static str,
        /// What arrived.
        got: &'static str,
    },
    /// A custom action that is not one of the stack's own action targets.
    #[error(
        "event refused: custom action target {0} is not one of hubfix's (HUBFIX_ACTION_TARGETS)"
    )]
    ForeignActionTarget(String),
}

impl InvocationError {
    /// The `errorType` Lambda reports for it.
    pub fn error_type(&self) -> &'static str {
        match self {
            InvocationError::Malformed(_) => "hubfix.MalformedEvent",
            InvocationError::WrongKind { .. } => "hubfix.WrongEventKind",
            InvocationError::ForeignActionTarget(_) => "hubfix.ForeignActionTarget",
        }
    }
}

impl From<InvocationError> for lambda_runtime::Diagnostic {
    fn from(err: InvocationError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: err.error_type().to_owned(),
            error_message: err.to_string(),
        }
    }
}

/// JSON logs on stdout, one object per line, fields at the top level; `RUST_LOG`
/// filters (default `info`).
pub fn init_tracing() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // The SDK's debug and trace logs print request inputs (an AssumeRole external id,
    // access key ids): they stay at info whatever RUST_LOG asks.
    for sdk in [
        "aws_config",
        "aws_smithy_runtime",
        "aws_smithy_runtime_api",
        "aws_sdk_sts",
    ] {
        if let Ok(directive) = format!("{sdk}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(true)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
}

/// The engine, configured from the environment; metrics on.
pub async fn engine_from_env() -> Result<Engine, ConfigError> {
    let policy = Policy::from_env()?;
    tracing::info!(
        dry_run = policy.dry_run,
        concurrency = policy.concurrency,
        exemption_tag = %policy.exemption_tag,
        "hubfix configured"
    );
    let aws = AwsContext::new(load_config().await)
        .with_member_role(policy.member_role.clone())
        .with_home_account(policy.home_account.as_deref());
    let audit = policy
        .audit
        .as_ref()
        .map(|a| crate::audit::AuditTrail::new(aws.home().s3.clone(), &a.bucket, &a.prefix));
    let actor = std::env::var("AWS_LAMBDA_FUNCTION_NAME")
        .map(|name| format!("function {name}"))
        .unwrap_or_else(|_| "hubfix".to_owned());
    Ok(Engine::new(policy, aws)
        .with_metrics(true)
        .with_audit(audit)
        .with_actor(actor))
}

/// Logs a configuration a function refuses to start with, and makes it the start-up
/// error Lambda reports (every function reads its configuration once per cold start).
pub fn refused(err: ConfigError) -> lambda_runtime::Error {
    tracing::error!(error = %err, "hubfix configuration refused; fix the function's environment");
    err.into()
}

/// Runs a function: logging, the engine once per cold start, then the Lambda runtime
/// loop handing each invocation to [`handle`].
pub async fn run(accepts: Accepts) -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let engine = std::sync::Arc::new(engine_from_env().await.map_err(refused)?);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Value>| {
            let engine = engine.clone();
            async move {
                let deadline = deadline_of(event.context.deadline);
                handle(&engine, accepts, event.payload, Some(deadline)).await
            }
        },
    ))
    .await
}

/// The invocation's deadline (milliseconds since the epoch) as an instant.
pub fn deadline_of(deadline_ms: u64) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Instant::now() + Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// Handles one invocation: the function's kind of event in, a summary of the outcomes
/// out. No fix starts once the deadline is within the policy's time reserve.
pub async fn handle(
    engine: &Engine,
    accepts: Accepts,
    payload: Value,
    deadline: Option<Instant>,
) -> Result<Value, InvocationError> {
    let event = SecurityHubEvent::parse(&payload).inspect_err(|e| {
        tracing::error!(error = %e, "event refused");
    })?;
    let got = match event.trigger {
        Trigger::Imported => Accepts::Imported,
        Trigger::CustomAction { .. } => Accepts::CustomAction,
    };
    if got != accepts {
        let err = InvocationError::WrongKind {
            expected: kind_name(accepts),
            got: kind_name(got),
        };
        tracing::error!(error = %err, "event refused");
        return Err(err);
    }
    if let (Trigger::CustomAction { target_arn, .. }, Some(allowed)) =
        (&event.trigger, &engine.policy().action_targets)
    {
        let arn = target_arn.as_deref().unwrap_or_default();
        if !allowed.contains(arn) {
            let err = InvocationError::ForeignActionTarget(if arn.is_empty() {
                "(none)".to_owned()
            } else {
                arn.to_owned()
            });
            tracing::error!(error = %err, "event refused");
            return Err(err);
        }
    }
    let report = engine.handle_until(&event, deadline).await;
    Ok(json!({
        "summary": report.summary(),
        "outcomes": report.outcomes,
        "updateFailures": report.update_failures,
        "auditFailures": report.audit_failures,
    }))
}

fn kind_name(kind: Accepts) -> &'static str {
    match kind {
        Accepts::Imported => crate::finding::DETAIL_TYPE_IMPORTED,
        Accepts::CustomAction => crate::finding::DETAIL_TYPE_CUSTOM_ACTION,
    }
}
