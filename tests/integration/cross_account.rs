//! Findings of member accounts are fixed there, through the member role; the
//! administrator account's resources are untouched.

use hubfix::settings::MemberRole;
use hubfix::{OutcomeKind, Policy};
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
