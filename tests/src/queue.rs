//! The automatic path's queue in the emulator (SQS, with its dead-letter queue), and
//! Lambda's SQS event source as it drives a function: batches gathered within a
//! batching window, handed over in the shape Lambda uses, and settled with the
//! function's partial batch response (the messages it names come back; the rest are
//! deleted).
//!
//! The record shape follows the Lambda Developer Guide's "Using Lambda with Amazon SQS"
//! example event (`messageId`, `receiptHandle`, `body`, `attributes` with
//! `ApproximateReceiveCount`, `SentTimestamp`, `SenderId`,
//! `ApproximateFirstReceiveTimestamp`, `messageAttributes`, `md5OfBody`, `eventSource`
//! `aws:sqs`, `eventSourceARN`, `awsRegion`).

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use serde_json::{json, Value};

use crate::{ACCOUNT, REGION};

/// A queue and its dead-letter queue, as the template makes them.
#[derive(Debug, Clone)]
pub struct FindingsQueue {
    /// The SQS client that made them.
    pub sqs: aws_sdk_sqs::Client,
    /// The queue's URL.
    pub url: String,
    /// The queue's ARN.
    pub arn: String,
    /// The dead-letter queue's URL.
    pub dead_letter_url: String,
}

impl FindingsQueue {
    /// Creates `<name>` and `<name>-dlq`: a redrive policy after `max_receives`, and
    /// the template's visibility timeout (720 s).
    pub async fn create(sqs: &aws_sdk_sqs::Client, name: &str, max_receives: u32) -> Self {
        let dlq = sqs
            .create_queue()
            .queue_name(format!("{name}-dlq"))
            .send()
            .await
            .expect("create the dead-letter queue");
        let dead_letter_url = dlq.queue_url().expect("queue url").to_owned();
        let dlq_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}-dlq");
        let queue = sqs
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::VisibilityTimeout, "720")
            .attributes(
                QueueAttributeName::RedrivePolicy,
                json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives})
                    .to_string(),
            )
            .send()
            .await
            .expect("create the queue");
        FindingsQueue {
            sqs: sqs.clone(),
            url: queue.queue_url().expect("queue url").to_owned(),
            arn: format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"),
            dead_letter_url,
        }
    }

    /// Puts events on the queue as EventBridge's SQS target does: one message each,
    /// the event's JSON as the body.
    pub async fn send(&self, events: &[Value]) {
        for chunk in events.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(e.to_string())
                        .build()
                        .expect("entry")
                })
                .collect();
            let out = self
                .sqs
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .expect("SendMessageBatch");
            assert!(out.failed().is_empty(), "{:?}", out.failed());
        }
    }

    /// Messages in a queue: visible, in flight, delayed.
    pub async fn depth(&self, url: &str) -> (u64, u64, u64) {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .expect("GetQueueAttributes");
        let get = |name: QueueAttributeName| {
            out.attributes()
                .and_then(|a| a.get(&name))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (
            get(QueueAttributeName::ApproximateNumberOfMessages),
            get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
            get(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        )
    }
}

/// One batch as Lambda hands it to the function, with the receipt handles to settle it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The invocation's payload: `{"Records": [...]}`.
    pub payload: Value,
    /// `(messageId, receiptHandle)` of each record.
    pub handles: Vec<(String, String)>,
}

/// Lambda's SQS event source for one queue: batch size and batching window.
#[derive(Debug, Clone)]
pub struct EventSource {
    /// The queue.
    pub queue: FindingsQueue,
    /// Most records a batch.
    pub batch_size: usize,
    /// How long a batch is gathered once its first message arrived.
    pub window: Duration,
}

impl EventSource {
    /// Gathers a batch: long-polls for a first message (up to `wait`), then keeps
    /// receiving until the batch is full or the window has passed. `None` when nothing
    /// arrived.
    pub async fn poll(&self, wait: Duration) -> Option<Batch> {
        let mut records = Vec::new();
        let mut handles = Vec::new();
        let mut first: Option<Instant> = None;
        let start = Instant::now();
        loop {
            let left = self.batch_size - records.len();
            // Before the first message: long polls, as the event source's pollers make.
            // After it: short receives until the window closes, so that the window is
            // kept to the millisecond rather than to a long poll's second.
            let long_poll = match first {
                None if start.elapsed() >= wait => break,
                None => true,
                Some(t) if t.elapsed() >= self.window => break,
                Some(_) => false,
            };
            let out = self
                .queue
                .sqs
                .receive_message()
                .queue_url(&self.queue.url)
                .max_number_of_messages(i32::try_from(left.min(10)).unwrap_or(10))
                .wait_time_seconds(i32::from(long_poll))
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .expect("ReceiveMessage");
            for m in out.messages() {
                first.get_or_insert_with(Instant::now);
                let id = m.message_id().unwrap_or_default().to_owned();
                let handle = m.receipt_handle().unwrap_or_default().to_owned();
                let attributes: serde_json::Map<String, Value> = m
                    .attributes()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str().to_owned(), Value::from(v.as_str())))
                    .collect();
                records.push(json!({
                    "messageId": id,
                    "receiptHandle": handle,
                    "body": m.body().unwrap_or_default(),
                    "attributes": attributes,
                    "messageAttributes": {},
                    "md5OfBody": m.md5_of_body().unwrap_or_default(),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue.arn,
                    "awsRegion": REGION,
                }));
                handles.push((id, handle));
            }
            if records.len() >= self.batch_size {
                break;
            }
            if out.messages().is_empty() {
                if let Some(t) = first {
                    let left = self.window.saturating_sub(t.elapsed());
                    tokio::time::sleep(left.min(Duration::from_millis(50))).await;
                }
            }
        }
        (!records.is_empty()).then(|| Batch {
            payload: json!({ "Records": records }),
            handles,
        })
    }

    /// Settles a batch as Lambda does with `ReportBatchItemFailures`: a successful
    /// response deletes every message it does not name; an error deletes none.
    /// Returns how many were deleted.
    pub async fn settle(&self, batch: &Batch, response: Option<&Value>) -> usize {
        let Some(response) = response else {
            return 0;
        };
        let failed: Vec<&str> = response["batchItemFailures"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["itemIdentifier"].as_str())
            .collect();
        let done: Vec<DeleteMessageBatchRequestEntry> = batch
            .handles
            .iter()
            .filter(|(id, _)| !failed.contains(&id.as_str()))
            .enumerate()
            .map(|(i, (_, handle))| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(handle)
                    .build()
                    .expect("entry")
            })
            .collect();
        let deleted = done.len();
        for chunk in done.chunks(10) {
            self.queue
                .sqs
                .delete_message_batch()
                .queue_url(&self.queue.url)
                .set_entries(Some(chunk.to_vec()))
                .send()
                .await
                .expect("DeleteMessageBatch");
        }
        deleted
    }
}
