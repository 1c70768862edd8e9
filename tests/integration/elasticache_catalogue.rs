//! The ElastiCache catalogue (ElastiCache.1, ElastiCache.2, ElastiCache.3) against the
//! emulator (moto, with the extension's ModifyCacheCluster): each fix changes only its
//! own setting, on the cluster or on the replication group that holds it, is verified by
//! reading it back, and is undone from the outcome's record.

use hubfix::aws::Clients;
use hubfix::policy::Mode;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{run_event, undo_outcome, Emulator};

/// A cluster's backup retention and minor upgrades.
async fn cluster_settings(clients: &Clients, id: &str) -> (Option<i32>, Option<bool>) {
    let out = clients
        .elasticache
        .describe_cache_clusters()
        .cache_cluster_id(id)
        .send()
        .await
        .unwrap();
    let c = &out.cache_clusters()[0];
    (c.snapshot_retention_limit(), c.auto_minor_version_upgrade())
}

/// A group's backup retention, minor upgrades and failover.
async fn group_settings(clients: &Clients, id: &str) -> (Option<i32>, Option<bool>, String) {
    let out = clients
        .elasticache
        .describe_replication_groups()
        .replication_group_id(id)
        .send()
        .await
        .unwrap();
    let g = &out.replication_groups()[0];
    (
        g.snapshot_retention_limit(),
        g.auto_minor_version_upgrade(),
        g.automatic_failover()
            .map(|f| f.as_str().to_owned())
            .unwrap_or_default(),
    )
}

#[tokio::test]
async fn elasticache_1_and_2_fix_a_cluster_automatically_each_its_own_setting_and_undo() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (id, arn) = seeds::data::cache_cluster(&clients, None).await;
    let three_days = || Policy {
        settings: FixSettings {
            elasticache_snapshot_retention_days: 3,
            ..FixSettings::default()
        },
        ..Policy::default()
    };
    let (backups, status, note) = run_event(
        &emulator,
        &clients,
        "elasticache-1-imported.json",
        &arn,
        three_days(),
    )
    .await;
    assert_eq!(backups.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "set the automatic backup retention of cache cluster {id} to 3 days (was 0)"
        )),
        "{note}"
    );
    assert_eq!(
        cluster_settings(&clients, &id).await,
        (Some(3), Some(false))
    );
    let (upgrades, _, note) = run_event(
        &emulator,
        &clients,
        "elasticache-2-imported.json",
        &arn,
        three_days(),
    )
    .await;
    assert_eq!(upgrades.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(cluster_settings(&clients, &id).await, (Some(3), Some(true)));
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "elasticache-1-imported.json",
        &arn,
        three_days(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    let steps = undo_outcome(&clients, &backups).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "set the automatic backup retention of cache cluster {id} back to 0 days"
        )]
    );
    undo_outcome(&clients, &upgrades).await.unwrap();
    assert_eq!(
        cluster_settings(&clients, &id).await,
        (Some(0), Some(false))
    );
}

#[tokio::test]
async fn a_member_cluster_s_settings_are_changed_on_its_replication_group() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (group, _) = seeds::data::replication_group(&clients, 2).await;
    let (member, arn) = seeds::data::cache_cluster(&clients, Some(&group)).await;
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "elasticache-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert!(
        note.contains(&format!("replication group {group} to 1 days (was 0)")),
        "{note}"
    );
    assert_eq!(group_settings(&clients, &group).await.0, Some(1));
    assert_eq!(
        cluster_settings(&clients, &member).await.0,
        Some(0),
        "the member itself is not changed"
    );
    let (upgrades, _, note) = run_event(
        &emulator,
        &clients,
        "elasticache-2-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(upgrades.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(group_settings(&clients, &group).await.1, Some(true));
    undo_outcome(&clients, &upgrades).await.unwrap();
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        group_settings(&clients, &group).await,
        (Some(0), Some(false), "disabled".into())
    );
}

#[tokio::test]
async fn elasticache_3_turns_failover_on_with_approval_and_needs_a_replica() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (group, arn) = seeds::data::replication_group(&clients, 2).await;
    let (refused, status, note) = run_event(
        &emulator,
        &clients,
        "elasticache-3-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(status, "NOTIFIED");
    let auto = Policy {
        default_mode: Some(Mode::Auto),
        ..Policy::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "elasticache-3-imported.json",
        &arn,
        auto.clone(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(group_settings(&clients, &group).await.2, "enabled");
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned AutomaticFailoverEnabled of replication group {group} off again"
        )]
    );
    assert_eq!(group_settings(&clients, &group).await.2, "disabled");

    let (lone, lone_arn) = seeds::data::replication_group(&clients, 1).await;
    let (manual, status, note) = run_event(
        &emulator,
        &clients,
        "elasticache-3-imported.json",
        &lone_arn,
        auto,
    )
    .await;
    assert_eq!(manual.kind, OutcomeKind::Manual, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("has no replica to fail over to"), "{note}");
    assert_eq!(group_settings(&clients, &lone).await.2, "disabled");
}
