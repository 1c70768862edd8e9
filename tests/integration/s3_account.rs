//! S3.1: account-level Block Public Access through S3 Control (whose account-id host
//! name hubfix routes to the emulator).

use hubfix::{OutcomeKind, Policy};
use hubfix_tests::{event, finding_state, import, retarget, unique, Emulator, ACCOUNT};

async fn account_settings(clients: &hubfix::aws::Clients) -> Option<[bool; 4]> {
    let out = clients
        .s3control
        .get_public_access_block()
        .account_id(ACCOUNT)
        .send()
        .await
        .ok()?;
    let c = out.public_access_block_configuration()?;
    Some([
        c.block_public_acls().unwrap_or(false),
        c.ignore_public_acls().unwrap_or(false),
        c.block_public_policy().unwrap_or(false),
        c.restrict_public_buckets().unwrap_or(false),
    ])
}

#[tokio::test]
async fn approval_only_by_default_then_fixed_by_the_remediate_action() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let engine = emulator.engine(Policy::default()).await;
    let account_resource = format!("AWS::::Account:{ACCOUNT}");

    let mut imported = event("s3-1-imported.json");
    retarget(&mut imported, &account_resource, &unique("auto"));
    import(&clients, &imported).await;
    let report = engine.handle_json(&imported).await.unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Refused);
    assert_eq!(account_settings(&clients).await, None);
    let id = imported["detail"]["findings"][0]["Id"].as_str().unwrap();
    let (status, note) = finding_state(&clients, id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note
        .unwrap()
        .contains("approval-only; run the Remediate custom action"));

    let mut action = event("custom-action-remediate.json");
    retarget(&mut action, &account_resource, &unique("approved"));
    import(&clients, &action).await;
    let report = engine.handle_json(&action).await.unwrap();
    assert_eq!(
        report.outcomes[0].kind,
        OutcomeKind::Remediated,
        "{}",
        report.outcomes[0].note
    );
    assert_eq!(account_settings(&clients).await, Some([true; 4]));
    let id = action["detail"]["findings"][0]["Id"].as_str().unwrap();
    let (status, note) = finding_state(&clients, id).await;
    assert_eq!(status, "RESOLVED");
    assert!(note.unwrap().contains(
        "turned on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets"
    ));
}

#[tokio::test]
async fn auto_mode_by_configuration_and_dry_run_action() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let account_resource = format!("AWS::::Account:{ACCOUNT}");
    let mut dry = event("custom-action-remediate.json");
    dry["detail"]["actionName"] = "DryRun".into();
    dry["resources"][0] =
        format!("arn:aws:securityhub:us-east-1:{ACCOUNT}:action/custom/DryRun").into();
    retarget(&mut dry, &account_resource, &unique("dry"));
    import(&clients, &dry).await;
    let engine = emulator
        .engine(
            Policy::from_lookup(|k| (k == "HUBFIX_MODES").then(|| "S3.1=auto".to_owned())).unwrap(),
        )
        .await;
    let report = engine.handle_json(&dry).await.unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::DryRun);
    assert_eq!(account_settings(&clients).await, None);

    let mut imported = event("s3-1-imported.json");
    retarget(&mut imported, &account_resource, &unique("auto"));
    import(&clients, &imported).await;
    let report = engine.handle_json(&imported).await.unwrap();
    assert_eq!(
        report.outcomes[0].kind,
        OutcomeKind::Remediated,
        "{}",
        report.outcomes[0].note
    );
    assert_eq!(account_settings(&clients).await, Some([true; 4]));
}
