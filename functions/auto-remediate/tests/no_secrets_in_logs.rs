//! The function never writes its credentials or the member role's external id to its
//! logs or its responses: run under the Runtime Interface Emulator with distinctive
//! secrets, on good and bad events and on a configuration it refuses. (At `trace` the
//! AWS SDK itself logs the access key id and the AssumeRole input, external id
//! included; the template runs at `info`.)

use std::path::Path;

use hubfix_tests::{event, import, retarget, unique, Emulator, Rie};
use serde_json::{json, Value};

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_auto-remediate");

const ACCESS_KEY: &str = "AKIAHUBFIXLEAKCHECK7";
const SECRET_KEY: &str = "hubfixSecretKeyLeakCheck0123456789abcdEFGH";
const SESSION_TOKEN: &str = "hubfixSessionTokenLeakCheck/IQoJb3JpZ2luX2VjEHubfix+Leak==";
const EXTERNAL_ID: &str = "hubfix-external-id-LeakCheck-7f3a91";

/// The secret values, and parts long enough to identify them.
const SECRETS: &[&str] = &[
    SECRET_KEY,
    SESSION_TOKEN,
    EXTERNAL_ID,
    "hubfixSecretKey",
    "hubfixSessionToken",
    "external-id-LeakCheck",
];

/// What must not appear at a log level: at `info` (the template's), not even the
/// access key id; at `debug` the SDK logs the access key id (an identifier, not a
/// secret) in its endpoint resolution, but never a secret.
fn forbidden(level: &str) -> Vec<&'static str> {
    let mut all = SECRETS.to_vec();
    if level == "info" {
        all.extend([ACCESS_KEY, "LeakCheck"]);
    }
    all
}

fn environment<'a>(external_id: &'a str, level: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
        ("HUBFIX_MEMBER_ROLE_NAME", "hubfix-remediation"),
        ("HUBFIX_MEMBER_ROLE_EXTERNAL_ID", external_id),
        ("RUST_LOG", level),
    ]
}

fn assert_absent(forbidden: &[&str], what: &str, text: &str) {
    for secret in forbidden {
        assert!(!text.contains(secret), "{what} contains `{secret}`: {text}");
    }
}

fn assert_logs_clean(forbidden: &[&str], function: &Rie) {
    let logs = function.logs();
    assert!(!logs.is_empty(), "the function logged nothing");
    for line in &logs {
        assert_absent(forbidden, "a log line", line);
    }
}

/// Runs the function at a log level on a good event, a member account's finding (the
/// member role is assumed with the external id), a malformed finding, an event from
/// another source and an event of the other function's kind.
async fn run_at(level: &str) {
    let forbidden = forbidden(level);
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = unique("secrets");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let mut good = event("s3-8-imported.json");
    retarget(&mut good, &format!("arn:aws:s3:::{bucket}"), &bucket);
    import(&clients, &good).await;
    let mut member = event("s3-8-imported.json");
    retarget(&mut member, "arn:aws:s3:::member-bucket", &unique("member"));
    member["detail"]["findings"][0]["AwsAccountId"] = json!("222222222222");
    let mut malformed = good.clone();
    malformed["detail"]["findings"][0]["Resources"] = json!("not a list");
    let mut wrong_source = good.clone();
    wrong_source["source"] = json!("aws.guardduty");

    let env = environment(EXTERNAL_ID, level);
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &env).await;
    let response = function.invoke(&good).await;
    assert_eq!(response["summary"]["remediated"], 1, "{response}");
    assert_absent(&forbidden, "a response", &response.to_string());
    for ev in [
        &member,
        &malformed,
        &wrong_source,
        &event("custom-action-remediate.json"),
    ] {
        let (_, body) = function.invoke_raw(ev).await;
        assert_absent(&forbidden, "a response", &body);
    }
    function
        .logs_containing(&["finding outcome", "event refused", "222222222222"])
        .await;
    assert_logs_clean(&forbidden, &function);
}

#[tokio::test]
async fn at_info_no_credential_or_external_id_reaches_logs_or_responses() {
    run_at("info").await;
}

#[tokio::test]
async fn at_debug_no_secret_reaches_logs_or_responses() {
    run_at("debug").await;
}

#[tokio::test]
async fn a_refused_external_id_is_not_echoed() {
    let emulator = Emulator::start().await;
    let too_long = format!("{EXTERNAL_ID}{}", "x".repeat(1300));
    let env = environment(&too_long, "info");
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &env).await;
    let (status, body) = function.invoke_raw(&event("s3-8-imported.json")).await;
    assert_ne!(status, 200, "the configuration must be refused: {body}");
    let forbidden = forbidden("info");
    assert_absent(&forbidden, "the response", &body);
    assert_logs_clean(&forbidden, &function);
    let refusal = function
        .logs()
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["level"] == "ERROR")
        .map(|l| l["error"].to_string());
    assert_eq!(
        refusal.as_deref(),
        Some("\"invalid HUBFIX_MEMBER_ROLE_EXTERNAL_ID: must be 2 to 1224 characters\"")
    );
}
