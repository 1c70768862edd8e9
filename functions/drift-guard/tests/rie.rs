//! The drift guard binary as Lambda runs it: under the Runtime Interface Emulator, on
//! CloudTrail's events, against an organisation whose foundation `hubfix setup apply`
//! put in place.

use std::path::Path;

use hubfix_tests::organization::{
    self, applied, deny, foundation, seed_organization, ADMINISTRATOR, BREAK_GLASS, MEMBERS, ROLE,
};
use hubfix_tests::sandbox::{seed, AUDIT_BUCKET};
use hubfix_tests::{event, Emulator, Rie};
use serde_json::Value;

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_drift-guard");

async fn member_hub(emulator: &Emulator, role: &str) -> aws_sdk_securityhub::Client {
    aws_sdk_securityhub::Client::new(&emulator.assumed_config(MEMBERS[0], role).await)
}

async fn guard(emulator: &Emulator, repair: &str) -> Rie {
    let env = [
        ("HUBFIX_AUDIT_BUCKET", AUDIT_BUCKET),
        ("HUBFIX_MEMBER_ROLE_NAME", ROLE),
        ("HUBFIX_CONFIG_BUCKET", organization::CONFIG_BUCKET),
        ("HUBFIX_DRIFT_REPAIR", repair),
    ];
    Rie::start(Path::new(BOOTSTRAP), emulator, &env).await
}

async fn set_up() -> Emulator {
    let emulator = Emulator::start().await;
    seed(&emulator).await;
    seed_organization(&emulator).await;
    applied(&emulator, &foundation("rie")).await;
    emulator
}

#[tokio::test]
async fn security_hub_switched_off_in_a_member_is_put_back_and_who_did_it_noted() {
    let emulator = set_up().await;
    member_hub(&emulator, BREAK_GLASS)
        .await
        .disable_security_hub()
        .send()
        .await
        .unwrap();
    let member = member_hub(&emulator, "Developer").await;
    assert!(member.describe_hub().send().await.is_err(), "switched off");

    let function = guard(&emulator, "all").await;
    let response = function
        .invoke(&event("drift-disable-security-hub.json"))
        .await;
    assert_eq!(response["outcome"], "repaired", "{response}");
    let note = response["note"].as_str().unwrap();
    assert!(note.contains("DisableSecurityHub by arn:aws:sts::222222222222:assumed-role/hubfix-break-glass/oncall at 2026-12-06T09:13:58Z"), "{note}");
    assert!(note.contains("add members 222222222222"), "{note}");
    assert!(member.describe_hub().send().await.is_ok(), "back on");
    let standards = member.get_enabled_standards().send().await.unwrap();
    assert_eq!(
        standards.standards_subscriptions().len(),
        4,
        "the file's standards, and only them"
    );
    let admin = emulator.clients().await.securityhub;
    let members = admin
        .get_members()
        .account_ids(MEMBERS[0])
        .send()
        .await
        .unwrap();
    assert_eq!(members.members()[0].member_status(), Some("ENABLED"));

    let again = function
        .invoke(&event("drift-disable-security-hub.json"))
        .await;
    assert_eq!(
        again["outcome"], "recorded",
        "a repeated event finds nothing to put back: {again}"
    );
    assert!(
        again["note"]
            .as_str()
            .unwrap()
            .contains("already as the setup file says"),
        "{again}"
    );
    let line = function.log_line("WARN").await;
    assert_eq!(
        line["actor"], "arn:aws:sts::222222222222:assumed-role/hubfix-break-glass/oncall",
        "{line}"
    );
}

#[tokio::test]
async fn attempts_policy_and_other_events() {
    let emulator = set_up().await;
    let mut refused = event("drift-disable-security-hub.json");
    refused["detail"]["errorCode"] = Value::from("AccessDenied");
    refused["detail"]["userIdentity"]["arn"] =
        Value::from("arn:aws:sts::222222222222:assumed-role/Developer/mallory");
    let function = guard(&emulator, "all").await;
    let response = function.invoke(&refused).await;
    assert_eq!(response["outcome"], "refused_attempt", "{response}");
    assert!(
        response["note"]
            .as_str()
            .unwrap()
            .contains("Developer/mallory"),
        "{response}"
    );

    let ignored = function.invoke(&event("s3-8-imported.json")).await;
    assert_eq!(ignored["outcome"], "ignored", "{ignored}");

    member_hub(&emulator, BREAK_GLASS)
        .await
        .disable_security_hub()
        .send()
        .await
        .unwrap();
    let record_only = guard(&emulator, "standards,config").await;
    let response = record_only
        .invoke(&event("drift-disable-security-hub.json"))
        .await;
    assert_eq!(response["outcome"], "recorded", "{response}");
    assert!(
        response["note"]
            .as_str()
            .unwrap()
            .contains("HUBFIX_DRIFT_REPAIR does not allow"),
        "{response}"
    );
    assert!(
        member_hub(&emulator, "Developer")
            .await
            .describe_hub()
            .send()
            .await
            .is_err(),
        "left off"
    );

    let misconfigured = guard(&emulator, "everything").await;
    let (status, _) = misconfigured
        .invoke_raw(&event("drift-disable-security-hub.json"))
        .await;
    assert_ne!(status, 200);
    let refusal = misconfigured.log_line("ERROR").await;
    assert!(
        refusal["error"]
            .as_str()
            .unwrap_or_default()
            .contains("HUBFIX_DRIFT_REPAIR"),
        "{refusal}"
    );
}

#[tokio::test]
async fn a_repair_that_fails_is_recorded_and_reported_as_an_error() {
    let emulator = set_up().await;
    member_hub(&emulator, BREAK_GLASS)
        .await
        .disable_security_hub()
        .send()
        .await
        .unwrap();
    // The organisation withholds from the administrator what re-enrolling the member needs.
    deny(
        &emulator,
        "no-members",
        "securityhub:CreateMembers",
        ADMINISTRATOR,
    )
    .await;

    let function = guard(&emulator, "all").await;
    let (_, body) = function
        .invoke_raw(&event("drift-disable-security-hub.json"))
        .await;
    let answer: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let message = answer["errorMessage"].as_str().unwrap_or_default();
    assert!(
        message.contains("could not put the foundation back"),
        "{answer}"
    );
    assert!(
        message.contains("access denied calling securityhub:CreateMembers"),
        "{answer}"
    );
    let line = function.log_line("ERROR").await;
    assert!(line["note"].as_str().unwrap_or_default().contains("DisableSecurityHub by arn:aws:sts::222222222222:assumed-role/hubfix-break-glass/oncall"), "{line}");

    let s3 = emulator.clients().await.s3.client().clone();
    let trail = hubfix::audit::AuditTrail::new(s3, AUDIT_BUCKET, hubfix::audit::DEFAULT_PREFIX);
    let filter = hubfix::audit::AuditFilter {
        control: Some("setup:drift".into()),
        ..Default::default()
    };
    let records = trail.list(&filter).await.unwrap();
    let failed_records = records
        .iter()
        .filter(|r| r.outcome == Some(hubfix::outcome::OutcomeKind::Failed))
        .count();
    assert!(
        failed_records >= 1,
        "the failed repair is in the audit trail"
    );
}
