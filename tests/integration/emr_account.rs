//! `EMR.2` against the emulator: the Region's EMR block public access configuration
//! (moto keeps one per account and Region).

use hubfix::aws::Clients;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::{self, account};
use hubfix_tests::{run_event, undo_outcome, Emulator};

/// The configuration as `(blocking, [(from, to)])`.
async fn block_public_access(clients: &Clients) -> (Option<bool>, Vec<(Option<i32>, Option<i32>)>) {
    let out = clients
        .emr
        .get_block_public_access_configuration()
        .send()
        .await
        .unwrap();
    let config = out.block_public_access_configuration().unwrap();
    (
        config.block_public_security_group_rules(),
        config
            .permitted_public_security_group_rule_ranges()
            .iter()
            .map(|r| (r.min_range(), r.max_range()))
            .collect(),
    )
}

#[tokio::test]
async fn emr_2_blocks_public_access_with_port_22_only_and_undo_restores_the_former_ranges() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    seeds::compute::emr_block_public_access_off(&clients).await;
    let seeded = block_public_access(&clients).await;
    assert_eq!(
        seeded,
        (
            Some(false),
            vec![(Some(22), Some(22)), (Some(8080), Some(8081))]
        )
    );

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "emr-2-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("with port 22 only (was blocking off, ports permitted: 22, 8080-8081)"),
        "{note}"
    );
    assert_eq!(
        block_public_access(&clients).await,
        (Some(true), vec![(Some(22), Some(22))])
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "emr-2-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert!(
        steps[0].contains("ports permitted: 22, 8080-8081"),
        "{steps:?}"
    );
    assert_eq!(block_public_access(&clients).await, seeded);
}
