//! Undo, per rule family: fix a resource through the engine, undo the fix from the
//! outcome's record (before-state and applied changes), and read the resource back as
//! it was. `undo_outcome` fails unless `inspect` then records the same before-state.

use hubfix::{OutcomeKind, Policy};
use hubfix_tests::{run_event, undo_outcome, unique, Emulator, ACCOUNT};

fn approved() -> Policy {
    Policy::from_lookup(|k| (k == "HUBFIX_DEFAULT_MODE").then(|| "auto".to_owned())).unwrap()
}

#[tokio::test]
async fn bucket_block_public_access_partly_on_is_put_back_as_it_was() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = unique("undo-pab");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    clients
        .s3
        .put_public_access_block()
        .bucket(&bucket)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(false)
                .block_public_policy(true)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (outcome, _, _) = run_event(
        &emulator,
        &clients,
        "s3-8-imported.json",
        &format!("arn:aws:s3:::{bucket}"),
        approved(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned off IgnorePublicAcls, RestrictPublicBuckets on bucket {bucket} again"
        )]
    );
    let c = clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap()
        .public_access_block_configuration
        .unwrap();
    assert_eq!(
        (
            c.block_public_acls,
            c.ignore_public_acls,
            c.block_public_policy,
            c.restrict_public_buckets
        ),
        (Some(true), Some(false), Some(true), Some(false))
    );
}

#[tokio::test]
async fn account_block_public_access_that_was_absent_is_removed_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, _, _) = run_event(
        &emulator,
        &clients,
        "s3-1-imported.json",
        &format!("AWS::::Account:{ACCOUNT}"),
        approved(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(steps[0].contains("which had none"), "{steps:?}");
    let after = clients
        .s3control
        .get_public_access_block()
        .account_id(ACCOUNT)
        .send()
        .await;
    assert!(after.is_err(), "the account has no configuration again");
}
