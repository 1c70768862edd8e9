//! The automatic path at organisation scale: Imported events through the findings queue
//! in batches (Lambda's SQS event source, partial batch responses), notes shared across
//! events, postponed fixes back on the queue, deferred fixes marked on the finding and
//! picked up again by the reconciler, unreadable messages dead-lettered at once, and the
//! redrive of a dead-letter queue.

use std::time::{Duration, Instant, SystemTime};

use hubfix::deferral::{FIELD_REASON, FIELD_RETRY_AFTER, FIELD_STATE};
use hubfix::function::{handle_batch, QueueSettings};
use hubfix::reconcile::{reconcile, NewSweep, ReconcileOptions};
use hubfix::Policy;
use hubfix_tests::faults::{FaultProxy, Schedule};
use hubfix_tests::queue::{EventSource, FindingsQueue};
use hubfix_tests::{event, findings_of, import, public_buckets, retarget, unique, Emulator};
use serde_json::{json, Value};

fn with(vars: &[(&str, &str)]) -> Policy {
    Policy::from_lookup(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap()
}

/// One Imported `S3.8` event per bucket, its finding imported into Security Hub.
async fn imported_events(clients: &hubfix::aws::Clients, buckets: &[String]) -> Vec<Value> {
    let mut events = Vec::new();
    for b in buckets {
        let mut ev = event("s3-8-imported.json");
        retarget(&mut ev, &format!("arn:aws:s3:::{b}"), b);
        import(clients, &ev).await;
        events.push(ev);
    }
    events
}

async fn blocked(clients: &hubfix::aws::Clients, bucket: &str) -> bool {
    clients
        .s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .is_ok()
}

/// The finding as Security Hub holds it: workflow status, note, user-defined fields.
async fn finding(clients: &hubfix::aws::Clients, id: &str) -> hubfix::Finding {
    let found = hubfix::securityhub_read::get_findings(
        &clients.securityhub,
        &hubfix::securityhub_read::Selection {
            finding_ids: vec![id.to_owned()],
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    found.into_iter().next().unwrap().unwrap()
}

fn deadline() -> Option<Instant> {
    Some(Instant::now() + Duration::from_secs(120))
}

fn batch_updates(proxy: &FaultProxy) -> usize {
    proxy
        .stats()
        .forwarded
        .iter()
        .filter(|(op, _)| op.contains("/findings/batchupdate"))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn a_batch_of_imported_events_is_fixed_with_one_write_for_their_shared_note() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "batch", 12).await;
    let events = imported_events(&clients, &buckets).await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("findings"), 5).await;
    queue.send(&events).await;
    let source = EventSource {
        queue: queue.clone(),
        batch_size: 50,
        window: Duration::from_millis(300),
    };
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    assert_eq!(batch.handles.len(), 12, "one batch of every event");

    let proxy = FaultProxy::start(&emulator.endpoint, Schedule::none()).await;
    let engine = emulator
        .engine_via(&proxy.endpoint, Policy::default())
        .await;
    let settings = QueueSettings::new(
        clients.sqs.client().clone(),
        Some(queue.dead_letter_url.clone()),
    );
    let response = handle_batch(&engine, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert_eq!(source.settle(&batch, Some(&response)).await, 12);
    assert_eq!(queue.depth(&queue.url).await, (0, 0, 0));

    for (b, ev) in buckets.iter().zip(&events) {
        assert!(blocked(&clients, b).await, "{b} fixed");
        let id = ev["detail"]["findings"][0]["Id"].as_str().unwrap();
        let f = finding(&clients, id).await;
        assert_eq!(f.workflow_status().as_str(), "RESOLVED");
        assert!(f.note.unwrap().text.starts_with("hubfix fixed S3.8"));
    }
    assert_eq!(
        batch_updates(&proxy),
        1,
        "twelve events' findings share one note, recorded in one BatchUpdateFindings call (no 'in progress' mark)"
    );
}

#[tokio::test]
async fn postponed_fixes_go_back_to_the_queue_and_nothing_is_noted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "later", 3).await;
    let events = imported_events(&clients, &buckets).await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("findings"), 5).await;
    queue.send(&events).await;
    let source = EventSource {
        queue: queue.clone(),
        batch_size: 10,
        window: Duration::from_millis(300),
    };
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    // Two fixes per invocation, and the rest past the deadline's reserve.
    let engine = emulator
        .engine(with(&[("HUBFIX_MAX_FIXES_PER_INVOCATION", "2")]))
        .await;
    let settings = QueueSettings::new(
        clients.sqs.client().clone(),
        Some(queue.dead_letter_url.clone()),
    );
    let response = handle_batch(&engine, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    let failures = response["batchItemFailures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{response}");
    let back = failures[0]["itemIdentifier"].as_str().unwrap();
    let (index, _) = batch
        .handles
        .iter()
        .enumerate()
        .find(|(_, (id, _))| id == back)
        .unwrap();
    assert!(!blocked(&clients, &buckets[index]).await, "not fixed yet");
    let id = events[index]["detail"]["findings"][0]["Id"]
        .as_str()
        .unwrap();
    assert_eq!(
        finding(&clients, id).await.workflow_status().as_str(),
        "NEW",
        "nothing noted: no promise the queue does not keep"
    );
    assert_eq!(source.settle(&batch, Some(&response)).await, 2);
    // It waits its back-off (30 s), not the queue's visibility timeout, then comes back.
    assert_eq!(queue.depth(&queue.url).await, (0, 1, 0));

    let short = emulator
        .engine(with(&[("HUBFIX_TIME_RESERVE_SECONDS", "600")]))
        .await;
    let again = source.queue.clone();
    again.send(&events[index..=index]).await;
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    let response = handle_batch(&short, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(
        response["batchItemFailures"][0]["itemIdentifier"],
        batch.handles[0].0.as_str(),
        "past the deadline's reserve: back to the queue"
    );
}

#[tokio::test]
async fn unreadable_messages_go_to_the_dead_letter_queue_at_once_with_the_reason() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("findings"), 5).await;
    let custom = event("custom-action-remediate.json");
    queue
        .send(&[
            json!({"source": "aws.s3", "detail-type": "Object Created"}),
            custom,
        ])
        .await;
    let source = EventSource {
        queue: queue.clone(),
        batch_size: 10,
        window: Duration::from_millis(300),
    };
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    let engine = emulator.engine(Policy::default()).await;
    let settings = QueueSettings::new(
        clients.sqs.client().clone(),
        Some(queue.dead_letter_url.clone()),
    );
    let response = handle_batch(&engine, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));
    source.settle(&batch, Some(&response)).await;
    let dead = clients
        .sqs
        .receive_message()
        .queue_url(&queue.dead_letter_url)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    let mut reasons: Vec<String> = dead
        .messages()
        .iter()
        .map(|m| {
            m.message_attributes().unwrap()[hubfix::queue::REASON_ATTRIBUTE]
                .string_value()
                .unwrap()
                .to_owned()
        })
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("custom action"), "{reasons:?}");
    assert!(reasons[1].contains("source is `aws.s3`"), "{reasons:?}");

    // Without a dead-letter queue, they go back until the redrive policy moves them.
    queue.send(&[json!({"source": "aws.s3"})]).await;
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    let no_dlq = QueueSettings::new(clients.sqs.client().clone(), None);
    let response = handle_batch(&engine, &no_dlq, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(response["batchItemFailures"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_fix_over_the_hourly_cap_is_deferred_and_the_reconciler_picks_it_up_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "capped", 3).await;
    let events = imported_events(&clients, &buckets).await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("findings"), 5).await;
    queue.send(&events).await;
    let source = EventSource {
        queue: queue.clone(),
        batch_size: 10,
        window: Duration::from_millis(300),
    };
    let settings = QueueSettings::new(
        clients.sqs.client().clone(),
        Some(queue.dead_letter_url.clone()),
    );
    let capped = emulator
        .engine(with(&[("HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR", "2")]))
        .await;
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    let response = handle_batch(&capped, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(
        response,
        json!({"batchItemFailures": []}),
        "a deferral is an outcome"
    );
    source.settle(&batch, Some(&response)).await;

    let ids: Vec<String> = events
        .iter()
        .map(|e| findings_of(e)[0].id.clone())
        .collect();
    let mut deferred = Vec::new();
    for id in &ids {
        let f = finding(&clients, id).await;
        if f.workflow_status().as_str() == "NOTIFIED" {
            deferred.push(f);
        }
    }
    assert_eq!(deferred.len(), 1, "two fixed, one deferred");
    let marked = &deferred[0];
    assert_eq!(marked.user_defined_fields[FIELD_STATE], "deferred");
    assert_eq!(marked.user_defined_fields[FIELD_REASON], "control-cap");
    let note = &marked.note.as_ref().unwrap().text;
    assert!(note.contains("hubfix deferred S3.8"), "{note}");
    assert!(
        note.contains(&marked.user_defined_fields[FIELD_RETRY_AFTER]),
        "the note says when: {note}"
    );

    // Not due yet: the reconciler leaves it.
    let policy = Policy::default();
    let options = ReconcileOptions::new(queue.url.clone());
    let now = SystemTime::now();
    let early = reconcile(&policy, &clients.securityhub, &clients.sqs, &options, now).await;
    assert_eq!(early.deferred_due, 0, "{early:?}");
    // Once the hour's window frees a slot (rounded up to five minutes), it is due and
    // goes back on the queue.
    let later = now + Duration::from_secs(3600 + 600);
    let due = reconcile(&policy, &clients.securityhub, &clients.sqs, &options, later).await;
    assert_eq!((due.deferred_due, due.requeued), (1, 1), "{due:?}");
    assert!(due.errors.is_empty(), "{due:?}");

    // The next invocation (the hour has passed: a fresh budget) fixes it and marks the
    // finding done.
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    let fresh = emulator.engine(Policy::default()).await;
    let response = handle_batch(&fresh, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));
    let f = finding(&clients, &marked.id).await;
    assert_eq!(f.workflow_status().as_str(), "RESOLVED");
    assert_eq!(f.user_defined_fields[FIELD_STATE], "done");
    for b in &buckets {
        assert!(blocked(&clients, b).await, "{b}");
    }
}

#[tokio::test]
async fn the_reconciler_puts_back_stale_new_findings_only_once_the_queue_is_drained() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "stale", 1).await;
    let events = imported_events(&clients, &buckets).await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("findings"), 5).await;
    let policy = Policy::default();
    let mut options = ReconcileOptions::new(queue.url.clone());
    options.new_after = Duration::from_secs(60);
    let later = SystemTime::now() + Duration::from_secs(600);

    // Something still waits in the queue: the finding's event may be among it.
    queue.send(&[json!({"source": "aws.s3"})]).await;
    let busy = reconcile(&policy, &clients.securityhub, &clients.sqs, &options, later).await;
    assert_eq!(busy.new_sweep, NewSweep::QueueBusy { messages: 1 });
    assert_eq!(busy.requeued, 0);
    let source = EventSource {
        queue: queue.clone(),
        batch_size: 10,
        window: Duration::from_millis(100),
    };
    let drained = source.poll(Duration::from_secs(5)).await.unwrap();
    source.settle(&drained, Some(&json!({}))).await;

    // Drained: the finding (NEW ten minutes after Security Hub last touched it, as far
    // as the run's clock says) goes back on the queue, in an Imported-shaped event.
    let swept = reconcile(&policy, &clients.securityhub, &clients.sqs, &options, later).await;
    assert_eq!(swept.new_sweep, NewSweep::Ran);
    assert_eq!((swept.stale_new, swept.requeued), (1, 1), "{swept:?}");
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    let body: Value =
        serde_json::from_str(batch.payload["Records"][0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["source"], "hubfix.reconciler");
    assert_eq!(
        body["detail"]["findings"][0]["Id"],
        events[0]["detail"]["findings"][0]["Id"]
    );
    let engine = emulator.engine(Policy::default()).await;
    let settings = QueueSettings::new(
        clients.sqs.client().clone(),
        Some(queue.dead_letter_url.clone()),
    );
    let response = handle_batch(&engine, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert!(blocked(&clients, &buckets[0]).await);
}

#[tokio::test]
async fn an_outcome_security_hub_would_not_take_sends_the_message_back() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "unnoted", 1).await;
    let events = imported_events(&clients, &buckets).await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("findings"), 5).await;
    queue.send(&events).await;
    let source = EventSource {
        queue: queue.clone(),
        batch_size: 10,
        window: Duration::from_millis(100),
    };
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    // Security Hub throttles every BatchUpdateFindings call, past the SDK's retries.
    let throttled = FaultProxy::start(
        &emulator.endpoint,
        Schedule::always_throttle(|r| r.target.contains("/findings/batchupdate")),
    )
    .await;
    let engine = emulator
        .engine_via(&throttled.endpoint, Policy::default())
        .await;
    let settings = QueueSettings::new(
        clients.sqs.client().clone(),
        Some(queue.dead_letter_url.clone()),
    );
    let response = handle_batch(&engine, &settings, batch.payload.clone(), deadline())
        .await
        .unwrap();
    assert_eq!(
        response["batchItemFailures"][0]["itemIdentifier"],
        batch.handles[0].0.as_str()
    );
    assert!(blocked(&clients, &buckets[0]).await, "the fix itself held");
    let id = findings_of(&events[0])[0].id.clone();
    assert_eq!(
        finding(&clients, &id).await.workflow_status().as_str(),
        "NEW"
    );
}

#[tokio::test]
async fn redrive_moves_a_dead_letter_queue_back_to_the_findings_queue() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("findings"), 5).await;
    let events: Vec<Value> = (0..23).map(|i| json!({"n": i})).collect();
    let dead = FindingsQueue {
        url: queue.dead_letter_url.clone(),
        ..queue.clone()
    };
    dead.send(&events).await;
    let moved = hubfix::queue::redrive(
        &clients.sqs,
        &queue.dead_letter_url,
        &queue.url,
        100,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(moved.moved, 23);
    assert!(moved.failed.is_empty());
    assert_eq!(queue.depth(&queue.dead_letter_url).await.0, 0);
    assert_eq!(queue.depth(&queue.url).await.0, 23);
}
