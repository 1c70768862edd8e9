//! The auto-remediate binary as Lambda runs it: under the Runtime Interface Emulator,
//! with sample events from `events/`, against the AWS emulator.

use std::path::Path;

use hubfix_tests::{event, finding_state, import, retarget, unique, Emulator, Rie};
use serde_json::Value;

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_auto-remediate");

#[tokio::test]
async fn fixes_a_public_bucket_from_an_imported_event() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = unique("rie");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), &bucket);
    import(&clients, &ev).await;

    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let response = function.invoke(&ev).await;
    assert_eq!(response["summary"]["remediated"], 1, "{response}");
    let pab = clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pab.public_access_block_configuration()
            .unwrap()
            .block_public_policy(),
        Some(true)
    );
    let id = ev["detail"]["findings"][0]["Id"].as_str().unwrap();
    assert_eq!(finding_state(&clients, id).await.0, "RESOLVED");

    // Security Hub echoes hubfix's own update as a new Imported event: it is ignored.
    let mut echo = ev.clone();
    echo["detail"]["findings"][0]["Workflow"]["Status"] = Value::from("RESOLVED");
    let response = function.invoke(&echo).await;
    assert_eq!(response["summary"]["ignored"], 1, "{response}");
}

/// The RIE's `START RequestId: <id> ...` lines, in order.
fn request_ids(logs: &[String]) -> Vec<String> {
    logs.iter()
        .filter_map(|l| l.split("START RequestId: ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_outcome_line_carries_the_request_id_and_lambda_log_settings_hold() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = unique("rie-log");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), &bucket);
    import(&clients, &ev).await;
    let dry = ("HUBFIX_DRY_RUN", "true");

    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[dry]).await;
    function.invoke(&ev).await;
    let logs = function.logs();
    let started = request_ids(&logs);
    let outcome: Value = logs
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "finding outcome")
        .unwrap_or_else(|| panic!("no outcome line in {logs:#?}"));
    // lambda_runtime opens the invocation's span, with the request id.
    let invocation = &outcome["spans"][0];
    assert_eq!(
        invocation["requestId"].as_str(),
        started.last().map(String::as_str),
        "{outcome} / {started:?}"
    );
    assert_eq!(outcome["control"], "S3.8", "{outcome}");

    // Lambda's advanced logging controls: a WARN application level hides the info
    // outcome line; the Text format logs plain lines that still name the request.
    let quiet = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[dry, ("AWS_LAMBDA_LOG_LEVEL", "WARN")],
    )
    .await;
    quiet.invoke(&ev).await;
    let logs = quiet.logs();
    assert!(!request_ids(&logs).is_empty(), "{logs:#?}");
    assert!(
        !logs.iter().any(|l| l.contains("finding outcome")),
        "{logs:#?}"
    );
    let text = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[dry, ("AWS_LAMBDA_LOG_FORMAT", "Text")],
    )
    .await;
    text.invoke(&ev).await;
    let logs = text.logs();
    let id = request_ids(&logs).pop().expect("a START line");
    let line = logs
        .iter()
        .find(|l| l.contains("finding outcome"))
        .unwrap_or_else(|| panic!("no outcome line in {logs:#?}"));
    assert!(serde_json::from_str::<Value>(line).is_err(), "{line}");
    assert!(line.contains(&format!("requestId=\"{id}\"")), "{line}");
}

#[tokio::test]
async fn dry_run_from_the_environment_changes_nothing() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = unique("rie-dry");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), &bucket);
    import(&clients, &ev).await;
    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[("HUBFIX_DRY_RUN", "true")],
    )
    .await;
    let response = function.invoke(&ev).await;
    assert_eq!(response["summary"]["dry_run"], 1, "{response}");
    assert!(clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn refuses_events_it_does_not_handle() {
    let emulator = Emulator::start().await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let response = function
        .invoke(&event("custom-action-remediate.json"))
        .await;
    let message = response["errorMessage"].as_str().unwrap_or_default();
    assert!(
        message.contains("this function handles Security Hub Findings - Imported events"),
        "{response}"
    );
    let response = function
        .invoke(&serde_json::json!({"source": "aws.ec2", "detail-type": "x"}))
        .await;
    assert!(
        response["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("event source is `aws.ec2`"),
        "{response}"
    );
}

#[tokio::test]
async fn a_bad_configuration_stops_the_function_with_a_clear_error() {
    let emulator = Emulator::start().await;
    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[("HUBFIX_MODES", "S3.8=sometimes")],
    )
    .await;
    let (status, _) = function.invoke_raw(&event("s3-8-imported.json")).await;
    assert_ne!(
        status, 200,
        "the function must not start with a bad configuration"
    );
    let refusal = function.log_line("ERROR").await;
    assert_eq!(
        refusal["error"],
        "invalid HUBFIX_MODES: S3.8: `sometimes` is not a mode (expected auto, approval or off)"
    );
}

#[tokio::test]
async fn fixes_a_batch_from_the_findings_queue_and_answers_with_partial_failures() {
    use hubfix_tests::queue::{EventSource, FindingsQueue};
    use std::time::Duration;
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("rie-findings"), 5).await;
    let mut events = Vec::new();
    let mut buckets = Vec::new();
    for _ in 0..3 {
        let bucket = unique("rie-batch");
        clients
            .s3
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let mut ev = event("s3-8-imported.json");
        retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), &bucket);
        import(&clients, &ev).await;
        events.push(ev);
        buckets.push(bucket);
    }
    events.push(serde_json::json!({"source": "aws.s3", "detail-type": "Object Created"}));
    queue.send(&events).await;
    let source = EventSource {
        queue: queue.clone(),
        batch_size: 10,
        window: Duration::from_millis(300),
    };
    let batch = source.poll(Duration::from_secs(5)).await.unwrap();
    assert_eq!(batch.handles.len(), 4);

    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[(
            "HUBFIX_DEAD_LETTER_QUEUE_URL",
            queue.dead_letter_url.as_str(),
        )],
    )
    .await;
    let response = function.invoke(&batch.payload).await;
    assert_eq!(response, serde_json::json!({"batchItemFailures": []}));
    for (b, ev) in buckets.iter().zip(&events) {
        assert!(clients
            .s3
            .get_public_access_block()
            .bucket(b)
            .send()
            .await
            .is_ok());
        let id = ev["detail"]["findings"][0]["Id"].as_str().unwrap();
        assert_eq!(finding_state(&clients, id).await.0, "RESOLVED");
    }
    assert_eq!(
        queue.depth(&queue.dead_letter_url).await.0,
        1,
        "the unreadable message is dead-lettered at once"
    );
    let summary = function.log_line("INFO").await;
    assert!(summary.is_object());
}
