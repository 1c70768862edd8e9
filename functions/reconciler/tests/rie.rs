//! The reconciler binary as Lambda runs it: under the Runtime Interface Emulator, on
//! its scheduled event, against the AWS emulator.

use std::path::Path;

use hubfix_tests::queue::FindingsQueue;
use hubfix_tests::{event, unique, Emulator, Rie};

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_reconciler");

#[tokio::test]
async fn a_scheduled_run_reports_what_it_put_back() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let queue = FindingsQueue::create(&clients.sqs, &unique("rie-reconcile"), 5).await;
    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[("HUBFIX_QUEUE_URL", queue.url.as_str())],
    )
    .await;
    let response = function.invoke(&event("scheduled-reconciler.json")).await;
    assert_eq!(response["requeued"], 0, "{response}");
    assert_eq!(response["new_sweep"]["sweep"], "ran", "{response}");
    assert!(
        response["errors"].as_array().unwrap().is_empty(),
        "{response}"
    );
}

#[tokio::test]
async fn it_refuses_other_events_and_a_missing_queue() {
    let emulator = Emulator::start().await;
    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[("HUBFIX_QUEUE_URL", "http://127.0.0.1:9/123456789012/q")],
    )
    .await;
    let response = function.invoke(&event("s3-8-imported.json")).await;
    assert!(
        response["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("scheduled events"),
        "{response}"
    );
    let unconfigured = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let (status, _) = unconfigured
        .invoke_raw(&event("scheduled-reconciler.json"))
        .await;
    assert_ne!(status, 200);
    let refusal = unconfigured.log_line("ERROR").await;
    assert!(
        refusal["error"]
            .as_str()
            .unwrap_or_default()
            .contains("HUBFIX_QUEUE_URL"),
        "{refusal}"
    );
}
