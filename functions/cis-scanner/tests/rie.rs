//! The cis-scanner binary as Lambda runs it: under the Runtime Interface Emulator, with
//! the sample scheduled event, against the AWS emulator.

use std::path::Path;

use aws_sdk_securityhub::types::{AwsSecurityFindingFilters, StringFilter, StringFilterComparison};
use hubfix_tests::{event, open_ssh_group, unique, Emulator, Rie, ACCOUNT, REGION};

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_cis-scanner");

#[tokio::test]
async fn the_scheduled_scan_imports_a_failed_finding_per_open_group() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = open_ssh_group(&clients, &unique("ssh")).await;
    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[("HUBFIX_SCAN_REQUIREMENTS", "5.2,1.13")],
    )
    .await;
    let response = function.invoke(&event("scheduled-cis-scanner.json")).await;
    assert_eq!(response["errors"], serde_json::json!([]), "{response}");
    assert_eq!(response["summary"]["failed"], 1, "{response}");
    let arn = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}");
    assert_eq!(response["failed"][0]["resource"]["id"], arn.as_str());
    assert_eq!(response["failed"][0]["control"], "EC2.53");

    let found = clients
        .securityhub
        .get_findings()
        .filters(
            AwsSecurityFindingFilters::builder()
                .resource_id(
                    StringFilter::builder()
                        .value(&arn)
                        .comparison(StringFilterComparison::Equals)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(found.findings().len(), 1);
    let f = &found.findings()[0];
    assert_eq!(
        f.compliance().and_then(|c| c.status()).map(|s| s.as_str()),
        Some("FAILED")
    );
    assert_eq!(
        f.generator_id(),
        Some("hubfix/cis-aws-foundations-benchmark/v/1.4.0/5.2")
    );

    // The next run updates the same finding.
    let again = function.invoke(&event("scheduled-cis-scanner.json")).await;
    assert_eq!(
        again["summary"]["imported"],
        response["summary"]["imported"]
    );
    let all = clients.securityhub.get_findings().send().await.unwrap();
    assert_eq!(
        all.findings()
            .iter()
            .filter(|f| f.resources()[0].id() == Some(arn.as_str()))
            .count(),
        1
    );
}

#[tokio::test]
async fn refuses_events_that_are_not_scheduled() {
    let emulator = Emulator::start().await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let response = function.invoke(&event("s3-8-imported.json")).await;
    assert_eq!(response["errorType"], "hubfix.WrongEventKind", "{response}");
    assert!(
        response["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("got source aws.securityhub"),
        "{response}"
    );
}

#[tokio::test]
async fn a_bad_region_list_stops_the_function_with_a_clear_error() {
    let emulator = Emulator::start().await;
    let function = Rie::start(
        Path::new(BOOTSTRAP),
        &emulator,
        &[("HUBFIX_SCAN_REGIONS", "us-east-1,mars")],
    )
    .await;
    let (status, _) = function
        .invoke_raw(&event("scheduled-cis-scanner.json"))
        .await;
    assert_ne!(status, 200, "the function must not start with a bad region");
    let refusal = function.log_line("ERROR").await;
    assert_eq!(
        refusal["error"],
        "invalid HUBFIX_SCAN_REGIONS: `mars` is not a region name"
    );
}
