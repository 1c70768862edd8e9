//! The automatic path's delivery. EventBridge puts each `Security Hub Findings -
//! Imported` event on hubfix's SQS queue, and Lambda's SQS event source hands the
//! auto-remediate function batches of them (batching window, batch size, maximum
//! concurrency), so that the findings of many events share Security Hub writes.
//!
//! This module reads such a batch ([`read_batch`]), answers Lambda with the messages
//! that go back to the queue ([`batch_response`]: partial batch failures), and holds
//! the queue calls hubfix makes itself: backing off a message that goes back
//! ([`back_off`]), moving a message it cannot read to the dead-letter queue at once
//! ([`dead_letter`]), and putting findings back on the queue ([`requeue`], for the
//! reconciler).

use std::time::Duration;

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageAttributeValue, SendMessageBatchRequestEntry,
};
use aws_sdk_sqs::Client;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::FixError;
use crate::finding::{
    quoted, EventError, SecurityHubEvent, Trigger, DETAIL_TYPE_IMPORTED, MAX_QUOTED_CHARS,
    REQUEUED_SOURCE,
};

/// The `eventSource` of Lambda's SQS records.
pub const SQS_EVENT_SOURCE: &str = "aws:sqs";
/// Most entries of one `SendMessageBatch` or `ChangeMessageVisibilityBatch` call.
pub const MAX_BATCH_ENTRIES: usize = 10;
/// Message attribute that says why hubfix moved a message to the dead-letter queue.
pub const REASON_ATTRIBUTE: &str = "hubfix-reason";
/// First back-off of a message that goes back to the queue; it doubles with every
/// receive, up to [`MAX_BACK_OFF`].
pub const FIRST_BACK_OFF: Duration = Duration::from_secs(30);
/// Longest back-off (SQS allows up to 12 hours; the queue's redrive policy moves a
/// message to the dead-letter queue after its receive count anyway).
pub const MAX_BACK_OFF: Duration = Duration::from_secs(900);

/// One SQS message of a batch, as Lambda's SQS event source delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The message id (what a partial batch failure names).
    pub message_id: String,
    /// The handle that changes the message's visibility.
    #[serde(default)]
    pub receipt_handle: Option<String>,
    /// The message body: an EventBridge event.
    #[serde(default)]
    pub body: String,
    /// SQS's attributes (`ApproximateReceiveCount`, ...).
    #[serde(default)]
    pub attributes: Attributes,
    /// The queue's ARN.
    #[serde(default, rename = "eventSourceARN")]
    pub event_source_arn: Option<String>,
}

/// The SQS attributes of a message hubfix reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attributes {
    /// How many times the message was received, this time included.
    #[serde(default)]
    pub approximate_receive_count: Option<String>,
}

impl Message {
    /// How many times the message was received (1 when SQS did not say).
    pub fn receive_count(&self) -> u32 {
        self.attributes
            .approximate_receive_count
            .as_deref()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1)
    }
}

/// What a message carries.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// An Imported event (from Security Hub, or put back by the reconciler).
    Event(Box<SecurityHubEvent>),
    /// Something the automatic path cannot act on, and why; it goes to the
    /// dead-letter queue, never back to the queue.
    Unreadable(String),
}

/// Why a payload is not an SQS batch at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// No `Records` array of SQS messages.
    #[error("the payload is not an SQS batch: {0}")]
    NotABatch(String),
}

#[derive(Deserialize)]
struct Batch {
    #[serde(rename = "Records")]
    records: Vec<Value>,
}

/// Whether a payload is an SQS batch (rather than a bare EventBridge event).
pub fn is_batch(payload: &Value) -> bool {
    payload.get("Records").is_some_and(Value::is_array)
}

/// Reads a batch: each message with what it carries, in batch order.
pub fn read_batch(payload: &Value) -> Result<Vec<(Message, Delivery)>, BatchError> {
    let batch = Batch::deserialize(payload)
        .map_err(|e| BatchError::NotABatch(quoted(&e.to_string(), MAX_QUOTED_CHARS)))?;
    batch
        .records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let message = Message::deserialize(record).map_err(|e| {
                BatchError::NotABatch(quoted(&format!("Records[{i}]: {e}"), MAX_QUOTED_CHARS))
            })?;
            let delivery = deliver(&message.body);
            Ok((message, delivery))
        })
        .collect()
}

/// What a message body carries.
fn deliver(body: &str) -> Delivery {
    let event: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return Delivery::Unreadable(format!("the body is not JSON ({e})")),
    };
    match SecurityHubEvent::parse(&event) {
        Ok(parsed) if parsed.trigger == Trigger::Imported => Delivery::Event(Box::new(parsed)),
        Ok(_) => Delivery::Unreadable(
            "a custom action event on the automatic path's queue (custom actions go to the custom-action function)".into(),
        ),
        Err(e) => Delivery::Unreadable(event_error(&e)),
    }
}

fn event_error(e: &EventError) -> String {
    format!("the event is refused: {e}")
}

/// Lambda's partial batch response: the messages that go back to the queue.
pub fn batch_response<'a>(retry: impl IntoIterator<Item = &'a str>) -> Value {
    let failures: Vec<Value> = retry
        .into_iter()
        .map(|id| json!({ "itemIdentifier": id }))
        .collect();
    json!({ "batchItemFailures": failures })
}

/// How long a message that goes back waits before it is received again: 30 seconds,
/// doubled with every receive, at most 15 minutes.
pub fn back_off_for(receive_count: u32) -> Duration {
    let doublings = receive_count.saturating_sub(1).min(10);
    FIRST_BACK_OFF
        .saturating_mul(1 << doublings)
        .min(MAX_BACK_OFF)
}

/// An Imported-shaped event carrying one finding read from Security Hub, for the queue.
pub fn requeue_event(finding: &Value, account: &str, region: &str) -> Value {
    let id = finding.get("Id").cloned().unwrap_or(Value::Null);
    json!({
        "version": "0",
        "source": REQUEUED_SOURCE,
        "detail-type": DETAIL_TYPE_IMPORTED,
        "account": account,
        "region": region,
        "resources": [id],
        "detail": { "findings": [finding] },
    })
}

/// A queue's URL from its ARN (`arn:<partition>:sqs:<region>:<account>:<name>`), asked
/// of SQS so that it is right for any endpoint.
pub async fn queue_url(client: &Client, queue_arn: &str) -> Result<String, FixError> {
    let mut parts = queue_arn.splitn(6, ':');
    let (account, name) = match (parts.nth(4), parts.next()) {
        (Some(account), Some(name)) if !name.is_empty() => (account, name),
        _ => {
            return Err(FixError::Api {
                operation: "sqs:GetQueueUrl",
                code: "InvalidQueueArn".into(),
                message: quoted(queue_arn, MAX_QUOTED_CHARS),
            })
        }
    };
    client
        .get_queue_url()
        .queue_name(name)
        .queue_owner_aws_account_id(account)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("sqs:GetQueueUrl", queue_arn, &[], e))?
        .queue_url
        .ok_or_else(|| FixError::Api {
            operation: "sqs:GetQueueUrl",
            code: "NoQueueUrl".into(),
            message: queue_arn.to_owned(),
        })
}

/// Makes messages that go back to the queue wait their back-off ([`back_off_for`])
/// instead of the queue's whole visibility timeout. Best effort: a message whose
/// visibility cannot be changed comes back after the visibility timeout anyway.
pub async fn back_off(client: &Client, queue_url: &str, messages: &[&Message]) {
    let entries: Vec<ChangeMessageVisibilityBatchRequestEntry> = messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let timeout = i32::try_from(back_off_for(m.receive_count()).as_secs()).ok()?;
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(m.receipt_handle.clone()?)
                .visibility_timeout(timeout)
                .build()
                .ok()
        })
        .collect();
    for chunk in entries.chunks(MAX_BATCH_ENTRIES) {
        let sent = client
            .change_message_visibility_batch()
            .queue_url(queue_url)
            .set_entries(Some(chunk.to_vec()))
            .send()
            .await;
        if let Err(e) = sent {
            let err = FixError::from_sdk("sqs:ChangeMessageVisibilityBatch", queue_url, &[], e);
            tracing::warn!(error = %err, "could not back off messages; they come back after the queue's visibility timeout");
        }
    }
}

/// Moves a message hubfix cannot act on to the dead-letter queue, with the reason in
/// the [`REASON_ATTRIBUTE`] attribute. The caller acknowledges it only when this
/// succeeded.
pub async fn dead_letter(
    client: &Client,
    dead_letter_url: &str,
    message: &Message,
    reason: &str,
) -> Result<(), FixError> {
    let reason = MessageAttributeValue::builder()
        .data_type("String")
        .string_value(reason)
        .build()
        .map_err(|e| FixError::Api {
            operation: "sqs:SendMessage",
            code: "InvalidAttribute".into(),
            message: e.to_string(),
        })?;
    client
        .send_message()
        .queue_url(dead_letter_url)
        .message_body(&message.body)
        .message_attributes(REASON_ATTRIBUTE, reason)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| FixError::from_sdk("sqs:SendMessage", dead_letter_url, &[], e))
}

/// Puts events on a queue in batches of ten; returns how many were sent, and the
/// failures.
pub async fn requeue(client: &Client, queue_url: &str, events: &[Value]) -> (usize, Vec<String>) {
    let mut sent = 0;
    let mut failures = Vec::new();
    for chunk in events.chunks(MAX_BATCH_ENTRIES) {
        let entries: Vec<SendMessageBatchRequestEntry> = chunk
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(e.to_string())
                    .build()
                    .ok()
            })
            .collect();
        match client
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(out) => {
                sent += out.successful().len();
                failures.extend(
                    out.failed()
                        .iter()
                        .map(|f| format!("{}: {}", f.code(), f.message().unwrap_or_default())),
                );
            }
            Err(e) => failures
                .push(FixError::from_sdk("sqs:SendMessageBatch", queue_url, &[], e).to_string()),
        }
    }
    (sent, failures)
}

/// What a redrive moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Redriven {
    /// Messages now on the target queue and gone from the source.
    pub moved: usize,
    /// Messages that could not be sent (they stay on the source queue), with why.
    pub failed: Vec<String>,
}

/// Moves messages from one queue to another (a dead-letter queue back to the findings
/// queue), ten at a time: each is sent to `to` and only then deleted from `from`, so a
/// failure leaves it where it was. Stops when `from` is empty or after `limit`; calls
/// `progress` with the count so far.
pub async fn redrive(
    client: &Client,
    from: &str,
    to: &str,
    limit: usize,
    progress: impl Fn(usize),
) -> Result<Redriven, FixError> {
    let mut done = Redriven::default();
    while done.moved + done.failed.len() < limit {
        let want = (limit - done.moved - done.failed.len()).min(MAX_BATCH_ENTRIES);
        let received = client
            .receive_message()
            .queue_url(from)
            .max_number_of_messages(i32::try_from(want).unwrap_or(10))
            .wait_time_seconds(1)
            .visibility_timeout(60)
            .send()
            .await
            .map_err(|e| FixError::from_sdk("sqs:ReceiveMessage", from, &[], e))?;
        let messages = received.messages();
        if messages.is_empty() {
            break;
        }
        let entries: Vec<SendMessageBatchRequestEntry> = messages
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(m.body().unwrap_or_default())
                    .build()
                    .ok()
            })
            .collect();
        let sent = client
            .send_message_batch()
            .queue_url(to)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| FixError::from_sdk("sqs:SendMessageBatch", to, &[], e))?;
        done.failed.extend(
            sent.failed()
                .iter()
                .map(|f| format!("{}: {}", f.code(), f.message().unwrap_or_default())),
        );
        let delete: Vec<DeleteMessageBatchRequestEntry> = sent
            .successful()
            .iter()
            .filter_map(|ok| {
                let index: usize = ok.id().parse().ok()?;
                DeleteMessageBatchRequestEntry::builder()
                    .id(ok.id())
                    .receipt_handle(messages.get(index)?.receipt_handle()?)
                    .build()
                    .ok()
            })
            .collect();
        if !delete.is_empty() {
            client
                .delete_message_batch()
                .queue_url(from)
                .set_entries(Some(delete))
                .send()
                .await
                .map_err(|e| FixError::from_sdk("sqs:DeleteMessageBatch", from, &[], e))?;
        }
        done.moved += sent.successful().len();
        progress(done.moved);
        if !sent.failed().is_empty() {
            break;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, body: &str, receives: &str) -> Value {
        json!({
            "messageId": id,
            "receiptHandle": format!("handle-{id}"),
            "body": body,
            "attributes": {"ApproximateReceiveCount": receives, "SentTimestamp": "1700000000000",
                "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1700000000100"},
            "messageAttributes": {},
            "md5OfBody": "x",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:hubfix-findings",
            "awsRegion": "us-east-1"
        })
    }

    fn imported() -> String {
        json!({
            "version": "0", "id": "e-1", "detail-type": DETAIL_TYPE_IMPORTED,
            "source": "aws.securityhub", "account": "123456789012", "region": "us-east-1",
            "time": "2026-12-06T06:00:00Z", "resources": ["f-1"],
            "detail": {"findings": [{"Id": "f-1", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub"}]}
        })
        .to_string()
    }

    #[test]
    fn reads_each_message_with_what_it_carries() {
        let mut custom: Value = serde_json::from_str(&imported()).unwrap();
        custom["detail-type"] = json!(crate::finding::DETAIL_TYPE_CUSTOM_ACTION);
        custom["detail"]["actionName"] = json!("Remediate");
        let custom = custom.to_string();
        let payload = json!({"Records": [
            record("m1", &imported(), "1"),
            record("m2", "not json", "3"),
            record("m3", &custom, "1"),
            record("m4", r#"{"source": "aws.s3"}"#, "1"),
        ]});
        assert!(is_batch(&payload));
        let batch = read_batch(&payload).unwrap();
        assert_eq!(batch.len(), 4);
        assert_eq!(batch[0].0.message_id, "m1");
        assert!(matches!(batch[0].1, Delivery::Event(_)));
        assert_eq!(batch[1].0.receive_count(), 3);
        for (i, why) in [
            (1, "not JSON"),
            (2, "custom action"),
            (3, "source is `aws.s3`"),
        ] {
            match &batch[i].1 {
                Delivery::Unreadable(reason) => assert!(reason.contains(why), "{reason}"),
                Delivery::Event(_) => panic!("message {i} should be unreadable"),
            }
        }
    }

    #[test]
    fn a_payload_without_records_is_not_a_batch() {
        assert!(!is_batch(&json!({"source": "aws.securityhub"})));
        assert!(read_batch(&json!({"Records": "x"})).is_err());
        assert!(read_batch(&json!({"Records": [{"body": "x"}]}))
            .unwrap_err()
            .to_string()
            .contains("messageId"));
    }

    #[test]
    fn requeued_events_read_as_imported_events() {
        let finding = json!({"Id": "f-9", "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub"});
        let event = requeue_event(&finding, "123456789012", "eu-west-1");
        let parsed = SecurityHubEvent::parse(&event).unwrap();
        assert_eq!(parsed.trigger, Trigger::Imported);
        assert_eq!(parsed.findings[0].as_ref().unwrap().id, "f-9");
        let mut custom = event.clone();
        custom["detail-type"] = json!(crate::finding::DETAIL_TYPE_CUSTOM_ACTION);
        assert!(SecurityHubEvent::parse(&custom).is_err());
    }

    #[test]
    fn back_off_doubles_up_to_fifteen_minutes() {
        let secs: Vec<u64> = (1..=7).map(|n| back_off_for(n).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(back_off_for(0).as_secs(), 30);
        assert_eq!(back_off_for(u32::MAX).as_secs(), 900);
    }

    #[test]
    fn the_response_names_the_messages_that_go_back() {
        assert_eq!(
            batch_response(["m2", "m5"]),
            json!({"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m5"}]})
        );
        assert_eq!(batch_response([]), json!({"batchItemFailures": []}));
    }
}
