//! The compliance-report binary as Lambda runs it: under the Runtime Interface
//! Emulator, with the sample scheduled event, against the AWS emulator.

use std::path::Path;

use hubfix::report::ComplianceReport;
use hubfix_tests::{event, import, retarget, unique, Emulator, Rie, ACCOUNT};
use serde_json::{json, Value};

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_compliance-report");
const FSBP: &str = "standards/aws-foundational-security-best-practices/v/1.0.0";
const CIS: &str = "ruleset/cis-aws-foundations-benchmark/v/1.2.0";

#[tokio::test]
async fn writes_the_report_to_the_bucket_and_reads_earlier_ones_for_the_trend() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    clients
        .securityhub
        .enable_security_hub()
        .send()
        .await
        .unwrap();
    let bucket = unique("reports");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    // FSBP: S3.8 fails, S3.1 passes: 1 of 2 controls, 50%. CIS 1.2: no data.
    let mut failed = event("s3-8-imported.json");
    retarget(&mut failed, "arn:aws:s3:::some-bucket", "rie");
    import(&clients, &failed).await;
    let mut passed = event("custom-action-remediate.json");
    retarget(&mut passed, &format!("AWS::::Account:{ACCOUNT}"), "rie");
    passed["detail"]["findings"][0]["Compliance"]["Status"] = Value::from("PASSED");
    import(&clients, &passed).await;

    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[
            ("HUBFIX_REPORT_BUCKET", bucket.as_str()),
            ("HUBFIX_REPORT_ORGANIZATION", "acme-corp"),
        ],
    )
    .await;
    let mut scheduled = event("scheduled-compliance-report.json");
    let response = function.invoke(&scheduled).await;
    assert_eq!(response["date"], "2026-11-23", "{response}");
    assert_eq!(
        response["keys"],
        json!([
            "reports/2026/11/23/report.json",
            "reports/2026/11/23/report.html",
            "reports/2026/11/23/report.txt"
        ])
    );
    assert_eq!(response["scores"][FSBP], 50, "{response}");
    assert_eq!(response["scores"][CIS], Value::Null);
    assert_eq!(response["findings"]["active"], 1);
    assert_eq!(response["trend_points"], 1);

    let stored = clients
        .s3
        .get_object()
        .bucket(&bucket)
        .key("reports/2026/11/23/report.json")
        .send()
        .await
        .unwrap();
    assert_eq!(stored.content_type(), Some("application/json"));
    let body = stored.body.collect().await.unwrap().into_bytes();
    let report: ComplianceReport = serde_json::from_slice(&body).unwrap();
    assert_eq!(report.organization.as_deref(), Some("acme-corp"));
    assert_eq!(report.administrator_account.as_deref(), Some(ACCOUNT));
    assert_eq!(report.standards[0].score.percent, Some(50));
    let html = clients
        .s3
        .head_object()
        .bucket(&bucket)
        .key("reports/2026/11/23/report.html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.content_type(), Some("text/html; charset=utf-8"));

    // The next day's report reads the first back for its trend.
    scheduled["time"] = Value::from("2026-11-24T06:00:00Z");
    let response = function.invoke(&scheduled).await;
    assert_eq!(response["keys"][0], "reports/2026/11/24/report.json");
    assert_eq!(response["trend_points"], 2, "{response}");
}

#[tokio::test]
async fn refuses_events_that_are_not_scheduled() {
    let emulator = Emulator::start().await;
    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[("HUBFIX_REPORT_BUCKET", "unused")],
    )
    .await;
    let response = function.invoke(&event("s3-8-imported.json")).await;
    assert_eq!(response["errorType"], "hubfix.WrongEventKind", "{response}");
    assert!(
        response["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("this function handles EventBridge scheduled events"),
        "{response}"
    );
}

#[tokio::test]
async fn a_missing_bucket_stops_the_function_with_a_clear_error() {
    let emulator = Emulator::start().await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let (status, _) = function
        .invoke_raw(&event("scheduled-compliance-report.json"))
        .await;
    assert_ne!(
        status, 200,
        "the function must not start without its bucket"
    );
    let refusal = function.log_line("ERROR").await;
    assert_eq!(
        refusal["error"],
        "invalid HUBFIX_REPORT_BUCKET: the bucket the reports are written to is required"
    );
}
