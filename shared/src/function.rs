//! What the functions do with an invocation's event, whatever runs them (the Lambda
//! adapter, `hubfix invoke`, the tests): the automatic path's SQS batches
//! ([`handle_batch`]), the EventBridge events of both remediation functions
//! ([`handle`]), the check of the scheduled functions' events ([`scheduled`]), and the
//! `errorType` each failure is reported with ([`InvocationFailure`]).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::finding::{SecurityHubEvent, Trigger};
use crate::queue::Delivery;
use crate::Engine;

/// The SDK crates whose debug and trace logs print request inputs (an AssumeRole
/// external id, access key ids): every log set-up (the Lambda adapter's, the CLI's)
/// keeps them at `info`, whatever level is asked for.
pub const QUIET_SDK_CRATES: &[&str] = &[
    "aws_config",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_sdk_sts",
];

/// A failed invocation as Lambda reports it: a stable `errorType` (`hubfix.<Kind>`)
/// beside the message.
pub trait InvocationFailure: std::error::Error {
    /// The `errorType` Lambda reports for it.
    fn error_type(&self) -> &'static str;
}

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
    /// The payload is not an SQS batch the automatic path can read.
    #[error("batch refused: {0}")]
    Batch(#[from] crate::queue::BatchError),
    /// A bare event (no queue) whose fixes were postponed: the invoker should retry it.
    #[error("{0} of the event's findings were postponed (time or fix cap reached, or the resource busy); invoke it again")]
    Postponed(usize),
}

impl InvocationFailure for InvocationError {
    fn error_type(&self) -> &'static str {
        match self {
            InvocationError::Malformed(_) => "hubfix.MalformedEvent",
            InvocationError::WrongKind { .. } => "hubfix.WrongEventKind",
            InvocationError::ForeignActionTarget(_) => "hubfix.ForeignActionTarget",
            InvocationError::Batch(_) => "hubfix.MalformedBatch",
            InvocationError::Postponed(_) => "hubfix.Postponed",
        }
    }
}

/// Why a scheduled function refused an invocation.
#[derive(Debug, thiserror::Error)]
#[error("event refused: this function handles EventBridge scheduled events (source aws.events, detail-type Scheduled Event): got source {got_source} and detail-type {got_detail_type}")]
pub struct NotScheduled {
    got_source: String,
    got_detail_type: String,
}

impl InvocationFailure for NotScheduled {
    fn error_type(&self) -> &'static str {
        "hubfix.WrongEventKind"
    }
}

/// EventBridge's `source` of scheduled events.
pub const SCHEDULED_SOURCE: &str = "aws.events";
/// EventBridge's `detail-type` of scheduled events.
pub const SCHEDULED_DETAIL_TYPE: &str = "Scheduled Event";

/// Checks that an event is an EventBridge scheduled event (what the scheduled functions
/// run on); logs and refuses anything else.
pub fn scheduled(event: &Value) -> Result<(), NotScheduled> {
    let field = |name: &str| event.get(name).and_then(Value::as_str);
    if (field("source"), field("detail-type"))
        == (Some(SCHEDULED_SOURCE), Some(SCHEDULED_DETAIL_TYPE))
    {
        return Ok(());
    }
    let shown = |v: Option<&str>| crate::finding::quoted(v.unwrap_or("(none)"), 64);
    let err = NotScheduled {
        got_source: shown(field("source")),
        got_detail_type: shown(field("detail-type")),
    };
    tracing::error!(error = %err, "event refused");
    Err(err)
}

/// Environment variable: the dead-letter queue a message hubfix cannot act on is moved
/// to at once (the template sets the findings queue's own).
pub const ENV_DEAD_LETTER_QUEUE_URL: &str = "HUBFIX_DEAD_LETTER_QUEUE_URL";

/// What the automatic path needs of its queue: where unreadable messages go, and the
/// queue URLs of the batches it receives (asked of SQS once).
#[derive(Debug)]
pub struct QueueSettings {
    sqs: aws_sdk_sqs::Client,
    dead_letter_url: Option<String>,
    queue_urls: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl QueueSettings {
    /// With the engine's home SQS client and [`ENV_DEAD_LETTER_QUEUE_URL`].
    pub fn from_env(engine: &Engine) -> Self {
        let dead_letter_url = std::env::var(ENV_DEAD_LETTER_QUEUE_URL)
            .ok()
            .filter(|u| !u.trim().is_empty());
        QueueSettings::new(engine.aws().home().sqs.client().clone(), dead_letter_url)
    }

    /// With an SQS client and the dead-letter queue's URL, if any.
    pub fn new(sqs: aws_sdk_sqs::Client, dead_letter_url: Option<String>) -> Self {
        QueueSettings {
            sqs,
            dead_letter_url,
            queue_urls: tokio::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    async fn url_of(&self, queue_arn: &str) -> Option<String> {
        let mut urls = self.queue_urls.lock().await;
        if let Some(url) = urls.get(queue_arn) {
            return Some(url.clone());
        }
        match crate::queue::queue_url(&self.sqs, queue_arn).await {
            Ok(url) => {
                urls.insert(queue_arn.to_owned(), url.clone());
                Some(url)
            }
            Err(e) => {
                tracing::warn!(queue = queue_arn, error = %e, "could not find the queue's URL");
                None
            }
        }
    }
}

/// Handles one SQS batch of the automatic path: every message's findings as one set
/// ([`Engine::handle_queued`]), then Lambda's partial batch response. A message goes
/// back to the queue, after a back-off, when one of its findings was postponed or its
/// outcome could not be recorded; a message hubfix cannot act on (not an Imported
/// event) is moved to the dead-letter queue at once, or, without one, goes back until
/// the queue's redrive policy moves it there.
pub async fn handle_batch(
    engine: &Engine,
    queue: &QueueSettings,
    payload: Value,
    deadline: Option<Instant>,
) -> Result<Value, InvocationError> {
    let batch = crate::queue::read_batch(&payload).inspect_err(|e| {
        tracing::error!(error = %e, "batch refused");
    })?;
    let events: Vec<(usize, &SecurityHubEvent)> = batch
        .iter()
        .enumerate()
        .filter_map(|(i, (_, d))| match d {
            Delivery::Event(e) => Some((i, e.as_ref())),
            Delivery::Unreadable(_) => None,
        })
        .collect();
    let parsed: Vec<&SecurityHubEvent> = events.iter().map(|(_, e)| *e).collect();
    let report = engine.handle_queued(&parsed, deadline).await;
    let mut retry = std::collections::BTreeSet::new();
    let mut outcomes = report.outcomes.iter();
    for (i, event) in &events {
        if outcomes
            .by_ref()
            .take(event.findings.len())
            .fold(false, |any, o| any | o.requeue)
        {
            retry.insert(*i);
        }
    }
    let mut dead_lettered = 0;
    for (i, (message, delivery)) in batch.iter().enumerate() {
        let Delivery::Unreadable(reason) = delivery else {
            continue;
        };
        tracing::error!(message_id = %message.message_id, reason = %reason, "message refused");
        let moved = match &queue.dead_letter_url {
            Some(url) => crate::queue::dead_letter(&queue.sqs, url, message, reason)
                .await
                .inspect_err(|e| tracing::error!(message_id = %message.message_id, error = %e, "could not move the message to the dead-letter queue; it goes back to the queue"))
                .is_ok(),
            None => false,
        };
        if moved {
            dead_lettered += 1;
        } else {
            retry.insert(i);
        }
    }
    let back: Vec<&crate::queue::Message> = retry.iter().map(|i| &batch[*i].0).collect();
    if let Some(arn) = back.first().and_then(|m| m.event_source_arn.as_deref()) {
        if let Some(url) = queue.url_of(arn).await {
            crate::queue::back_off(&queue.sqs, &url, &back).await;
        }
    }
    tracing::info!(
        messages = batch.len(),
        findings = report.outcomes.len(),
        retried = back.len(),
        dead_lettered,
        update_failures = report.update_failures.len(),
        audit_failures = report.audit_failures.len(),
        summary = ?report.summary(),
        "batch handled"
    );
    Ok(crate::queue::batch_response(
        back.iter().map(|m| m.message_id.as_str()),
    ))
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
    let postponed = report.outcomes.iter().filter(|o| o.requeue).count();
    if postponed > 0 {
        let err = InvocationError::Postponed(postponed);
        tracing::warn!(error = %err, "event postponed");
        return Err(err);
    }
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
