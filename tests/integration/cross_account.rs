//! Findings of member accounts are fixed there, through the member role; the
//! administrator account's resources are untouched.

use hubfix::settings::MemberRole;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::faults::{FaultProxy, Schedule};
use hubfix_tests::{event, finding_state, import, retarget, unique, Emulator};
use serde_json::Value;

const MEMBER: &str = "222222222222";
const ROLE: &str = "hubfix-remediation";

async fn blocked(clients: &hubfix::aws::Clients, bucket: &str) -> bool {
    clients
        .s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .ok()
        .and_then(|o| {
            o.public_access_block_configuration()
                .and_then(|c| c.block_public_policy())
        })
        == Some(true)
}

fn member_finding(bucket: &str) -> Value {
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), bucket);
    ev["detail"]["findings"][0]["AwsAccountId"] = Value::from(MEMBER);
    ev
}

#[tokio::test]
async fn a_member_bucket_is_fixed_through_the_member_role_and_the_admin_account_is_untouched() {
    let emulator = Emulator::start().await;
    let admin = emulator.clients().await;
    let member = emulator.clients_in(MEMBER, ROLE).await;
    let member_bucket = unique("member");
    let admin_bucket = unique("admin");
    member
        .s3
        .create_bucket()
        .bucket(&member_bucket)
        .send()
        .await
        .unwrap();
    admin
        .s3
        .create_bucket()
        .bucket(&admin_bucket)
        .send()
        .await
        .unwrap();

    assert!(
        admin
            .s3
            .get_bucket_tagging()
            .bucket(&member_bucket)
            .send()
            .await
            .is_err()
            && admin
                .s3
                .list_buckets()
                .send()
                .await
                .unwrap()
                .buckets()
                .iter()
                .all(|b| b.name() != Some(member_bucket.as_str())),
        "the emulator isolates accounts: the admin account cannot reach the member's bucket"
    );
    // The administrator account aggregates the member's finding.
    let ev = member_finding(&member_bucket);
    import(&admin, &ev).await;
    let policy = Policy {
        member_role: Some(MemberRole {
            name: ROLE.into(),
            external_id: Some("hubfix-external-id".into()),
        }),
        ..Policy::default()
    };
    let report = emulator
        .engine(policy)
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    assert_eq!(
        report.outcomes[0].kind,
        OutcomeKind::Remediated,
        "{}",
        report.outcomes[0].note
    );
    assert!(
        blocked(&member, &member_bucket).await,
        "fixed in the member account"
    );
    assert!(
        !blocked(&admin, &admin_bucket).await,
        "the admin account's bucket is untouched"
    );
    let (status, note) =
        finding_state(&admin, ev["detail"]["findings"][0]["Id"].as_str().unwrap()).await;
    assert_eq!(status, "RESOLVED");
    assert!(note.unwrap().contains("turned on"));
}

#[tokio::test]
async fn without_a_member_role_a_member_finding_is_refused_with_a_clear_note() {
    let emulator = Emulator::start().await;
    let admin = emulator.clients().await;
    let member = emulator.clients_in(MEMBER, ROLE).await;
    let bucket = unique("member");
    member
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let ev = member_finding(&bucket);
    import(&admin, &ev).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Refused);
    assert!(
        report.outcomes[0]
            .note
            .contains("set HUBFIX_MEMBER_ROLE_NAME"),
        "{}",
        report.outcomes[0].note
    );
    assert!(!blocked(&member, &bucket).await);
}

/// A member account's role is assumed once for all of its regions: one session, whose
/// credentials the SDK caches for every region's clients (an organisation's storm spans
/// hundreds of account-regions, and each `AssumeRole` is a round trip and STS quota).
#[tokio::test]
async fn a_member_role_is_assumed_once_for_all_the_regions_of_its_account() {
    let emulator = Emulator::start().await;
    let proxy = FaultProxy::start(&emulator.endpoint, Schedule::none()).await;
    let policy = Policy {
        member_role: Some(MemberRole {
            name: ROLE.into(),
            external_id: Some("hubfix-external-id".into()),
        }),
        ..Policy::default()
    };
    let engine = emulator.engine_via(&proxy.endpoint, policy).await;
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
        let clients = engine.aws().clients_for(MEMBER, region).await.unwrap();
        clients.s3.client().list_buckets().send().await.unwrap();
    }
    let assumed: usize = proxy
        .stats()
        .delivered
        .iter()
        .filter(|(operation, _)| operation.ends_with(" AssumeRole"))
        .map(|(_, n)| n)
        .sum();
    assert!(
        (1..=2).contains(&assumed),
        "one session for three regions (checked once, then resolved once by the SDK's cache): {assumed} AssumeRole calls"
    );
}
