//! The engine on mixed and bad input: every finding gets an outcome and a note, and one
//! bad finding never stops the others.

use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{event, finding_state, import, retarget, unique, Emulator};
use serde_json::{json, Value};

fn s3_finding(bucket: &str) -> Value {
    let mut ev = event("custom-action-dryrun.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), bucket);
    ev["detail"]["findings"][0].clone()
}

fn remediate_action(findings: Vec<Value>) -> Value {
    let mut ev = event("custom-action-remediate.json");
    ev["detail"]["findings"] = Value::Array(findings);
    ev
}

fn is_blocked(
    out: &aws_sdk_s3::operation::get_public_access_block::GetPublicAccessBlockOutput,
) -> bool {
    let c = out.public_access_block_configuration().unwrap();
    c.block_public_acls() == Some(true) && c.restrict_public_buckets() == Some(true)
}

#[tokio::test]
async fn a_custom_action_with_many_findings_fixes_them_all_with_bounded_concurrency() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let mut buckets = Vec::new();
    for _ in 0..12 {
        buckets.push(seeds::s3::bucket(&clients, "many").await);
    }
    let ev = remediate_action(buckets.iter().map(|b| s3_finding(b)).collect());
    import(&clients, &ev).await;
    let policy = Policy {
        concurrency: 3,
        ..Policy::default()
    };
    let report = emulator
        .engine(policy)
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    assert_eq!(report.outcomes.len(), 12);
    for (bucket, outcome) in buckets.iter().zip(&report.outcomes) {
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
        assert_eq!(
            outcome.resource.as_deref(),
            Some(format!("arn:aws:s3:::{bucket}").as_str())
        );
        let out = clients
            .s3
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        assert!(is_blocked(&out));
        let (status, _) = finding_state(&clients, &outcome.finding_id).await;
        assert_eq!(status, "RESOLVED");
    }
}

#[tokio::test]
async fn bad_findings_are_noted_and_do_not_stop_the_good_one() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let good_bucket = seeds::s3::bucket(&clients, "many").await;
    let good = s3_finding(&good_bucket);

    let mut unknown_control = s3_finding(&unique("unknown"));
    unknown_control["Compliance"]["SecurityControlId"] = json!("Macie.2");
    let mut guardduty = s3_finding(&unique("gd"));
    guardduty["Compliance"] = Value::Null;
    guardduty["GeneratorId"] = json!("arn:aws:guardduty:us-east-1:123456789012:detector/d1");
    let mut out_of_scope = s3_finding(&unique("scope"));
    out_of_scope["AwsAccountId"] = json!("999999999999");
    let mut other_account = s3_finding(&unique("member"));
    other_account["AwsAccountId"] = json!("222222222222");
    let to_import = vec![
        good.clone(),
        unknown_control.clone(),
        guardduty.clone(),
        out_of_scope.clone(),
        other_account.clone(),
    ];
    import(&clients, &remediate_action(to_import)).await;

    let mut malformed = s3_finding(&unique("malformed"));
    malformed["Resources"] = json!("not a list");
    let event = remediate_action(vec![
        unknown_control.clone(),
        malformed.clone(),
        guardduty.clone(),
        out_of_scope.clone(),
        other_account.clone(),
        good.clone(),
    ]);
    let policy =
        Policy::from_lookup(|k| (k == "HUBFIX_ACCOUNTS_DENY").then(|| "999999999999".to_owned()))
            .unwrap();
    let report = emulator
        .engine(policy)
        .await
        .handle_json(&event)
        .await
        .unwrap();
    let kinds: Vec<_> = report.outcomes.iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [
            OutcomeKind::Unsupported,
            OutcomeKind::Unsupported,
            OutcomeKind::Unsupported,
            OutcomeKind::Refused,
            OutcomeKind::Refused,
            OutcomeKind::Remediated,
        ]
    );
    let expectations = [
        (&unknown_control, "no rule for control Macie.2"),
        (&guardduty, "names no security control"),
        (
            &out_of_scope,
            "account 999999999999 is outside hubfix's account scope",
        ),
        (
            &other_account,
            "cross-account remediation needs a member role",
        ),
        (&good, "turned on BlockPublicAcls"),
    ];
    for (finding, expected) in expectations {
        let (status, note) = finding_state(&clients, finding["Id"].as_str().unwrap()).await;
        let note = note.unwrap_or_default();
        assert!(note.contains(expected), "{expected:?} not in {note:?}");
        let want = if expected.starts_with("turned") {
            "RESOLVED"
        } else {
            "NOTIFIED"
        };
        assert_eq!(status, want, "{note}");
    }
    let malformed_outcome = &report.outcomes[1];
    assert!(
        malformed_outcome
            .note
            .contains("detail.findings[1].Resources: invalid type"),
        "{}",
        malformed_outcome.note
    );
    assert!(report
        .update_failures
        .iter()
        .any(|f| f.code == "FindingNotFound" && f.id == malformed["Id"].as_str().unwrap()));
}

#[tokio::test]
async fn an_unknown_custom_action_is_a_clear_note_not_a_crash() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = seeds::s3::bucket(&clients, "many").await;
    let mut ev = remediate_action(vec![s3_finding(&bucket)]);
    ev["detail"]["actionName"] = json!("DeleteEverything");
    ev["resources"][0] =
        json!("arn:aws:securityhub:us-east-1:123456789012:action/custom/DeleteEverything");
    import(&clients, &ev).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Unsupported);
    let (status, note) = finding_state(&clients, &report.outcomes[0].finding_id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note
        .unwrap()
        .contains("does not know the custom action `DeleteEverything`"));
    assert!(clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn a_malformed_event_is_refused_with_a_clear_error() {
    let emulator = Emulator::start().await;
    let engine = emulator.engine(Policy::default()).await;
    let mut ev = event("s3-8-imported.json");
    ev["source"] = json!("custom.attacker");
    let err = engine.handle_json(&ev).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "event source is `custom.attacker`, expected `aws.securityhub`"
    );
}
