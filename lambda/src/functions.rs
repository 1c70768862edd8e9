//! Each function's start-up: logging, then its configuration and clients once per cold
//! start (a configuration it refuses is logged and reported as the start-up error),
//! then the runtime loop handing each invocation to the core's handler.

use std::sync::Arc;

use hubfix::aws::{load_config, AwsContext, Clients};
use hubfix::function::{deadline_of, handle, handle_batch, Accepts, QueueSettings};
use hubfix::policy::Policy;
use hubfix::settings::ConfigError;
use hubfix::Engine;

use crate::logging;
use crate::runtime::{refused, serve};
use crate::Error;

/// The `auto-remediate` function: the findings queue's SQS batches (and bare
/// `Security Hub Findings - Imported` events).
pub async fn auto_remediate() -> Result<(), Error> {
    remediation(Accepts::Imported).await
}

/// The `custom-action` function: `Security Hub Findings - Custom Action` events.
pub async fn custom_action() -> Result<(), Error> {
    remediation(Accepts::CustomAction).await
}

/// The `compliance-report` function: the report on its schedule.
pub async fn compliance_report() -> Result<(), Error> {
    use hubfix::report::function::{FunctionConfig, ReportFunction};
    logging::init();
    let config = FunctionConfig::from_env().map_err(refused)?;
    let clients = Clients::new(&load_config().await);
    let function = Arc::new(ReportFunction::new(&clients, config));
    serve(move |event| {
        let function = function.clone();
        async move { function.handle(event.payload).await }
    })
    .await
}

/// The `cis-scanner` function: the CIS scan and import on its schedule.
pub async fn cis_scanner() -> Result<(), Error> {
    use hubfix::scan::function::{options_from_lookup, ScannerFunction};
    logging::init();
    let policy = Policy::from_env().map_err(refused)?;
    let options = options_from_lookup(|name| std::env::var(name).ok(), policy.concurrency)
        .map_err(refused)?;
    let aws = AwsContext::new(load_config().await)
        .with_member_role(policy.member_role.clone())
        .with_home_account(policy.home_account.as_deref());
    let function = Arc::new(ScannerFunction::new(aws, policy, options));
    serve(move |event| {
        let function = function.clone();
        async move { function.handle(event.payload).await }
    })
    .await
}

/// The `reconciler` function: deferred and lost findings back on the queue, on its
/// schedule.
pub async fn reconciler() -> Result<(), Error> {
    use hubfix::reconcile::function::{options_from_lookup, ReconcilerFunction};
    logging::init();
    let policy = Policy::from_env().map_err(refused)?;
    let options = options_from_lookup(|name| std::env::var(name).ok()).map_err(refused)?;
    let aws =
        AwsContext::new(load_config().await).with_home_account(policy.home_account.as_deref());
    let function = Arc::new(ReconcilerFunction::new(aws, policy, options));
    serve(move |event| {
        let function = function.clone();
        async move { function.handle(event.payload).await }
    })
    .await
}

/// The `drift-guard` function: CloudTrail's record of a watched call, recorded and,
/// where `HUBFIX_DRIFT_REPAIR` allows, put back.
pub async fn drift_guard() -> Result<(), Error> {
    use hubfix::setup::drift::repair_kinds;
    use hubfix::setup::guard_function::{DriftGuardFunction, ENV_DRIFT_REPAIR};
    logging::init();
    let policy = Policy::from_env().map_err(refused)?;
    let repair =
        repair_kinds(std::env::var(ENV_DRIFT_REPAIR).ok().as_deref()).map_err(|reason| {
            refused(ConfigError {
                variable: ENV_DRIFT_REPAIR,
                reason,
            })
        })?;
    let config = Arc::new(load_config().await);
    let aws =
        AwsContext::new(config.as_ref().clone()).with_home_account(policy.home_account.as_deref());
    tracing::info!(repair = ?repair, "drift guard configured");
    let actor = actor("hubfix drift guard");
    let function = Arc::new(DriftGuardFunction::new(aws, policy, repair, actor));
    serve(move |event| {
        let function = function.clone();
        let config = config.clone();
        async move { function.handle(event.payload, &config).await }
    })
    .await
}

/// The automatic and custom-action paths: the engine once per cold start, then each
/// invocation to [`handle_batch`] (an SQS batch, on the automatic path) or [`handle`]
/// (an EventBridge event), with the invocation's deadline.
async fn remediation(accepts: Accepts) -> Result<(), Error> {
    logging::init();
    let engine = engine_from_env().await.map_err(refused)?;
    let queue = Arc::new(QueueSettings::from_env(&engine));
    let engine = Arc::new(engine);
    serve(move |event| {
        let engine = engine.clone();
        let queue = queue.clone();
        async move {
            let deadline = Some(deadline_of(event.context.deadline));
            if accepts == Accepts::Imported && hubfix::queue::is_batch(&event.payload) {
                handle_batch(&engine, &queue, event.payload, deadline).await
            } else {
                handle(&engine, accepts, event.payload, deadline).await
            }
        }
    })
    .await
}

/// The engine, configured from the environment; metrics on.
async fn engine_from_env() -> Result<Engine, ConfigError> {
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
    let audit = policy.audit.as_ref().map(|a| {
        hubfix::audit::AuditTrail::new(aws.home().s3.client().clone(), &a.bucket, &a.prefix)
    });
    let budget = Arc::new(policy.pacing.write_budget());
    tracing::info!(
        finding_updates_per_second = budget.rate(),
        "this instance's share of the Security Hub write budget"
    );
    Ok(Engine::new(policy, aws)
        .with_metrics(true)
        .with_audit(audit)
        .with_actor(actor("hubfix"))
        .with_write_budget(Some(budget)))
}

/// Who the function's records name: `function <name>` from Lambda's
/// `AWS_LAMBDA_FUNCTION_NAME`, else `fallback`.
fn actor(fallback: &str) -> String {
    std::env::var("AWS_LAMBDA_FUNCTION_NAME")
        .map(|name| format!("function {name}"))
        .unwrap_or_else(|_| fallback.to_owned())
}
