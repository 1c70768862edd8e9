//! The RDS catalogue (RDS.1, RDS.2, RDS.3, RDS.4, RDS.5, RDS.6, RDS.7, RDS.8, RDS.11, RDS.13,
//! RDS.15, RDS.16, RDS.17) against the emulator: each fix changes only what its control is
//! about, is verified, and is undone from the outcome's record.

use aws_sdk_rds::types::DbInstance;
use hubfix::aws::Clients;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::{
    self,
    data::{db_instance_arn, db_snapshot_arn},
};
use hubfix_tests::{auto, run_event, run_event_on_type, undo_outcome, undo_outcome_with, Emulator};

/// A fresh emulator and a [`seeds::data::db_instance`] with every setting the catalogue
/// fixes off.
async fn instance() -> (Emulator, Clients, String) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let id = seeds::data::db_instance(&clients).await;
    (emulator, clients, id)
}

async fn describe(clients: &Clients, id: &str) -> DbInstance {
    clients
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .unwrap()
        .db_instances()[0]
        .clone()
}

#[tokio::test]
async fn rds_2_public_instance_is_approval_only_then_private_and_undone() {
    let (emulator, clients, id) = instance().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-2-imported.json",
        &db_instance_arn(&id),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(status, "NOTIFIED");
    assert_eq!(
        describe(&clients, &id).await.publicly_accessible(),
        Some(true)
    );

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-2-imported.json",
        &db_instance_arn(&id),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("turned PubliclyAccessible off"), "{note}");
    let db = describe(&clients, &id).await;
    assert_eq!(db.publicly_accessible(), Some(false));
    assert_eq!(
        db.deletion_protection(),
        Some(false),
        "only RDS.2's setting"
    );
    assert_eq!(db.tag_list().len(), 1);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned PubliclyAccessible of DB instance {id} on again"
        )]
    );
    assert_eq!(
        describe(&clients, &id).await.publicly_accessible(),
        Some(true)
    );
}

#[tokio::test]
async fn rds_8_13_17_turn_on_their_own_setting_only() {
    let (emulator, clients, id) = instance().await;
    let read = |db: &DbInstance| {
        (
            db.deletion_protection(),
            db.auto_minor_version_upgrade(),
            db.copy_tags_to_snapshot(),
        )
    };
    let steps = [
        (
            "rds-8-imported.json",
            (Some(true), Some(false), Some(false)),
        ),
        (
            "rds-13-imported.json",
            (Some(true), Some(true), Some(false)),
        ),
        ("rds-17-imported.json", (Some(true), Some(true), Some(true))),
    ];
    for (file, expected) in steps {
        let (outcome, status, note) = run_event(
            &emulator,
            &clients,
            file,
            &db_instance_arn(&id),
            Policy::default(),
        )
        .await;
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{file}: {note}");
        assert_eq!(status, "RESOLVED");
        let db = describe(&clients, &id).await;
        assert_eq!(read(&db), expected, "{file}");
        assert_eq!(
            db.publicly_accessible(),
            Some(true),
            "{file} leaves RDS.2 alone"
        );
    }
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "rds-8-imported.json",
        &db_instance_arn(&id),
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
}

#[tokio::test]
async fn rds_11_raises_backup_retention_to_the_setting_and_undo_turns_it_off() {
    let (emulator, clients, id) = instance().await;
    let settings = FixSettings {
        rds_backup_retention_days: 14,
        ..FixSettings::default()
    };
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "rds-11-imported.json",
        &db_instance_arn(&id),
        Policy {
            settings: settings.clone(),
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "approval-only: {note}");

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-11-imported.json",
        &db_instance_arn(&id),
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("to 14 days (was 0"), "{note}");
    assert!(note.contains("brief outage"), "{note}");
    assert_eq!(
        describe(&clients, &id).await.backup_retention_period(),
        Some(14)
    );

    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert!(steps[0].contains("back to 0 days"), "{steps:?}");
    assert_eq!(
        describe(&clients, &id).await.backup_retention_period(),
        Some(0)
    );
}

#[tokio::test]
async fn rds_7_cluster_deletion_protection_on_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let cluster = seeds::data::db_cluster(&clients).await;
    let id = cluster.rsplit(':').next().unwrap().to_owned();
    let protection = |clients: Clients, id: String| async move {
        clients
            .rds
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .unwrap()
            .db_clusters()[0]
            .deletion_protection()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-7-imported.json",
        &cluster,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(protection(clients.clone(), id.clone()).await, Some(true));
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(protection(clients.clone(), id.clone()).await, Some(false));
}

#[tokio::test]
async fn rds_16_cluster_copies_tags_to_snapshots_once_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = seeds::data::db_cluster(&clients).await;
    let id = arn.rsplit(':').next().unwrap().to_owned();
    let settings = |clients: Clients, id: String| async move {
        let out = clients
            .rds
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .unwrap();
        let cluster = &out.db_clusters()[0];
        (
            cluster.copy_tags_to_snapshot(),
            cluster.deletion_protection(),
        )
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-16-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("CopyTagsToSnapshot"), "{note}");
    assert_eq!(
        settings(clients.clone(), id.clone()).await,
        (Some(true), Some(false)),
        "copies tags; deletion protection untouched"
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "rds-16-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        settings(clients.clone(), id.clone()).await,
        (Some(false), Some(false))
    );
}

async fn restore_shares(clients: &Clients, snapshot: &str) -> Vec<String> {
    let out = clients
        .rds
        .describe_db_snapshot_attributes()
        .db_snapshot_identifier(snapshot)
        .send()
        .await
        .unwrap();
    let mut values: Vec<String> = out
        .db_snapshot_attributes_result()
        .unwrap()
        .db_snapshot_attributes()
        .iter()
        .flat_map(|a| a.attribute_values().to_vec())
        .collect();
    values.sort();
    values
}

#[tokio::test]
async fn rds_1_public_snapshot_is_made_private_sharing_kept_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let snapshot = seeds::data::public_db_snapshot(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-1-imported.json",
        &db_snapshot_arn(&snapshot),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(restore_shares(&clients, &snapshot).await, ["111122223333"]);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps[0].contains("restorable by every AWS account again"),
        "{steps:?}"
    );
    assert_eq!(
        restore_shares(&clients, &snapshot).await,
        ["111122223333", "all"]
    );
}

#[tokio::test]
async fn rds_3_encryption_of_an_instance_is_manual_with_the_steps() {
    let (emulator, clients, id) = instance().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-3-imported.json",
        &db_instance_arn(&id),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Manual, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("cannot be encrypted in place"), "{note}");
}

/// `(encrypted, KMS key, tags)` of a DB snapshot, `None` when there is none.
async fn snapshot_encryption(
    clients: &Clients,
    id: &str,
) -> Option<(bool, Option<String>, Vec<(String, String)>)> {
    let out = clients
        .rds
        .describe_db_snapshots()
        .db_snapshot_identifier(id)
        .send()
        .await
        .ok()?;
    let s = out.db_snapshots().first()?;
    let mut tags: Vec<(String, String)> = s
        .tag_list()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    tags.sort();
    Some((
        s.encrypted().unwrap_or(false),
        s.kms_key_id().map(str::to_owned),
        tags,
    ))
}

#[tokio::test]
async fn rds_4_copies_a_snapshot_encrypted_keeps_the_original_and_leaves_its_deletion_to_a_person()
{
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let snapshot = seeds::data::public_db_snapshot(&clients).await;
    clients
        .rds
        .add_tags_to_resource()
        .resource_name(db_snapshot_arn(&snapshot))
        .tags(
            aws_sdk_rds::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let copy = format!("{snapshot}-encrypted");
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "rds-4-imported.json",
        &db_snapshot_arn(&snapshot),
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval: {note}");
    assert_eq!(snapshot_encryption(&clients, &copy).await, None);

    let (key, _) = seeds::logging::kms_key(&clients).await;
    let settings = FixSettings {
        rds_snapshot_kms_key: Some(key.clone()),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-4-imported.json",
        &db_snapshot_arn(&snapshot),
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "NOTIFIED", "the original still fails the control");
    assert!(note.contains(&format!("to {copy} (KMS key")), "{note}");
    assert!(
        note.contains(&format!(
            "Left for a person: restore from the encrypted copy {copy}, then delete"
        )),
        "{note}"
    );
    assert!(
        note.contains(&format!("--db-snapshot-identifier {snapshot}")),
        "{note}"
    );
    let (encrypted, kms_key, tags) = snapshot_encryption(&clients, &copy).await.unwrap();
    assert!(encrypted);
    assert_eq!(kms_key.as_deref(), Some(key.as_str()));
    assert_eq!(
        tags,
        [
            ("hubfix:encrypted-copy-of".to_owned(), snapshot.clone()),
            ("team".to_owned(), "payments".to_owned())
        ]
    );
    let original = snapshot_encryption(&clients, &snapshot).await.unwrap();
    assert_eq!(
        (original.0, original.2),
        (false, vec![("team".to_owned(), "payments".to_owned())]),
        "the original is kept as it was"
    );
    assert_eq!(
        restore_shares(&clients, &snapshot).await,
        ["111122223333", "all"],
        "RDS.1's matter, untouched"
    );

    let (again, status, note) = run_event(
        &emulator,
        &clients,
        "rds-4-imported.json",
        &db_snapshot_arn(&snapshot),
        auto(settings.clone()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant, "{note}");
    assert_eq!(status, "NOTIFIED", "still the person's step: {note}");
    assert!(note.contains("Left for a person"), "{note}");

    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert!(steps[0].contains("deleted the encrypted copy"), "{steps:?}");
    assert_eq!(snapshot_encryption(&clients, &copy).await, None);
    assert!(snapshot_encryption(&clients, &snapshot).await.is_some());

    let cluster_snapshot = seeds::data::public_cluster_snapshot(&clients, "aurora-mysql").await;
    let (outcome, status, note) = run_event_on_type(
        &emulator,
        &clients,
        "rds-4-imported.json",
        "AwsRdsDbClusterSnapshot",
        &seeds::data::db_cluster_snapshot_arn(&cluster_snapshot),
        auto(settings),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("delete-db-cluster-snapshot"), "{note}");
    let copied = clients
        .rds
        .describe_db_cluster_snapshots()
        .db_cluster_snapshot_identifier(format!("{cluster_snapshot}-encrypted"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        copied.db_cluster_snapshots()[0].storage_encrypted(),
        Some(true)
    );
}

#[tokio::test]
async fn rds_5_multi_az_on_approval_only_and_undone() {
    let (emulator, clients, id) = instance().await;
    let arn = db_instance_arn(&id);
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "rds-5-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "cost, approval: {note}");
    assert_eq!(describe(&clients, &id).await.multi_az(), Some(false));

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-5-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let db = describe(&clients, &id).await;
    assert_eq!(db.multi_az(), Some(true));
    assert_eq!(db.publicly_accessible(), Some(true), "only RDS.5's setting");
    assert_eq!(db.deletion_protection(), Some(false));

    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(describe(&clients, &id).await.multi_az(), Some(false));
}

#[tokio::test]
async fn rds_15_a_cluster_in_one_zone_is_manual_with_the_steps() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = seeds::data::db_cluster(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-15-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Manual, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(
        note.contains("reader instance in another Availability Zone"),
        "{note}"
    );
}

/// Who may restore a DB cluster snapshot, sorted.
async fn cluster_restore_shares(clients: &hubfix::aws::Clients, snapshot: &str) -> Vec<String> {
    let out = clients
        .rds
        .describe_db_cluster_snapshot_attributes()
        .db_cluster_snapshot_identifier(snapshot)
        .send()
        .await
        .unwrap();
    let mut values: Vec<String> = out
        .db_cluster_snapshot_attributes_result()
        .map(|r| r.db_cluster_snapshot_attributes())
        .unwrap_or_default()
        .iter()
        .filter(|a| a.attribute_name() == Some("restore"))
        .flat_map(|a| a.attribute_values().iter().cloned())
        .collect();
    values.sort();
    values
}

#[tokio::test]
async fn public_cluster_snapshots_of_aurora_documentdb_and_neptune_are_made_private() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let mut snapshots = Vec::new();
    // moto's RDS API refuses the engine `docdb` (its DocumentDB backend is one the RDS
    // endpoint does not reach). DocumentDB's management API is RDS's own (the same
    // DescribeDBClusterSnapshotAttributes and ModifyDBClusterSnapshotAttribute calls,
    // signed for `rds`), so the DocumentDB.3 case runs on an Aurora MySQL cluster's
    // snapshot: what hubfix sends is the same.
    for (engine, file) in [
        ("aurora-postgresql", "rds-1-imported.json"),
        ("aurora-mysql", "documentdb-3-imported.json"),
        ("neptune", "neptune-3-imported.json"),
    ] {
        let snapshot = seeds::data::public_cluster_snapshot(&clients, engine).await;
        snapshots.push((engine, file, snapshot));
    }
    for (i, (engine, file, snapshot)) in snapshots.iter().enumerate() {
        let (outcome, status, note) = run_event_on_type(
            &emulator,
            &clients,
            file,
            "AwsRdsDbClusterSnapshot",
            &seeds::data::db_cluster_snapshot_arn(snapshot),
            Policy::default(),
        )
        .await;
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{engine}: {note}");
        assert_eq!(status, "RESOLVED");
        assert!(
            note.contains(&format!("made DB cluster snapshot {snapshot} private")),
            "{note}"
        );
        assert_eq!(
            cluster_restore_shares(&clients, snapshot).await,
            ["111122223333"]
        );
        for (_, _, other) in &snapshots[i + 1..] {
            assert_eq!(
                cluster_restore_shares(&clients, other).await,
                ["111122223333", "all"],
                "the other snapshots are untouched"
            );
        }
        undo_outcome(&clients, &outcome).await.unwrap();
        assert_eq!(
            cluster_restore_shares(&clients, snapshot).await,
            ["111122223333", "all"]
        );
    }

    let db_snapshot = seeds::data::public_db_snapshot(&clients).await;
    let (refused, status, note) = run_event_on_type(
        &emulator,
        &clients,
        "documentdb-3-imported.json",
        "AwsRdsDbClusterSnapshot",
        &db_snapshot_arn(&db_snapshot),
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Failed, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("cluster snapshot ARN"), "{note}");
}

#[tokio::test]
async fn rds_6_turns_on_enhanced_monitoring_with_a_role_it_creates_once_on_approval() {
    let (emulator, clients, id) = instance().await;
    let other = seeds::data::db_instance(&clients).await;
    let arn = db_instance_arn(&id);
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "rds-6-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(
        waiting.kind,
        OutcomeKind::Refused,
        "billable, approval: {note}"
    );
    assert_eq!(describe(&clients, &id).await.monitoring_interval(), Some(0));
    let before = describe(&clients, &id).await;

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "rds-6-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("every 60 seconds"), "{note}");
    assert!(note.contains("created hubfix-rds-monitoring"), "{note}");
    let after = describe(&clients, &id).await;
    assert_eq!(after.monitoring_interval(), Some(60));
    assert_eq!(
        after.monitoring_role_arn(),
        Some("arn:aws:iam::123456789012:role/hubfix-rds-monitoring")
    );
    assert_eq!(
        (
            after.multi_az(),
            after.publicly_accessible(),
            after.deletion_protection()
        ),
        (
            before.multi_az(),
            before.publicly_accessible(),
            before.deletion_protection()
        ),
        "nothing else changes"
    );
    let role = clients
        .iam
        .get_role()
        .role_name("hubfix-rds-monitoring")
        .send()
        .await
        .unwrap();
    let trust = role
        .role()
        .unwrap()
        .assume_role_policy_document()
        .unwrap_or_default();
    assert!(trust.contains("monitoring.rds.amazonaws.com"), "{trust}");
    let policies = clients
        .iam
        .list_attached_role_policies()
        .role_name("hubfix-rds-monitoring")
        .send()
        .await
        .unwrap();
    assert_eq!(
        policies.attached_policies()[0].policy_name(),
        Some("AmazonRDSEnhancedMonitoringRole")
    );
    assert_eq!(
        describe(&clients, &other).await.monitoring_interval(),
        Some(0)
    );

    let (second, _, note) = run_event(
        &emulator,
        &clients,
        "rds-6-imported.json",
        &db_instance_arn(&other),
        auto(FixSettings {
            rds_monitoring_interval: 15,
            ..FixSettings::default()
        }),
    )
    .await;
    assert_eq!(second.kind, OutcomeKind::Remediated, "{note}");
    assert!(
        !note.contains("created hubfix-rds-monitoring"),
        "the role is made once: {note}"
    );
    assert_eq!(
        describe(&clients, &other).await.monitoring_interval(),
        Some(15)
    );

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps[0].contains("turned off Enhanced Monitoring"),
        "{steps:?}"
    );
    assert_eq!(describe(&clients, &id).await.monitoring_interval(), Some(0));
    assert_eq!(
        describe(&clients, &other).await.monitoring_interval(),
        Some(15)
    );
}
