//! The Redshift catalogue (Redshift.1, Redshift.3, Redshift.4, Redshift.6, Redshift.7)
//! against the emulator: each fix changes only its own setting of the cluster, is
//! verified by reading it back, and is undone from the outcome's record.

use aws_sdk_redshift::types::Cluster;
use hubfix::aws::Clients;
use hubfix::settings::{FixSettings, RedshiftLogDestination};
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{auto, run_event, undo_outcome, Emulator};

async fn describe(clients: &Clients, id: &str) -> Cluster {
    clients
        .redshift
        .describe_clusters()
        .cluster_identifier(id)
        .send()
        .await
        .unwrap()
        .clusters()[0]
        .clone()
}

/// The settings the catalogue fixes: public access, retention, major version upgrades,
/// enhanced VPC routing.
fn settings(c: &Cluster) -> (Option<bool>, Option<i32>, Option<bool>, Option<bool>) {
    (
        c.publicly_accessible(),
        c.automated_snapshot_retention_period(),
        c.allow_version_upgrade(),
        c.enhanced_vpc_routing(),
    )
}

#[tokio::test]
async fn redshift_1_and_7_wait_for_approval_then_change_one_setting_each_and_undo() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (id, arn) = seeds::data::redshift_cluster(&clients).await;
    let seeded = settings(&describe(&clients, &id).await);
    assert_eq!(seeded, (Some(true), Some(1), Some(false), Some(false)));
    for file in ["redshift-1-imported.json", "redshift-7-imported.json"] {
        let (outcome, status, note) =
            run_event(&emulator, &clients, file, &arn, Policy::default()).await;
        assert_eq!(outcome.kind, OutcomeKind::Refused, "{file}: {note}");
        assert_eq!(status, "NOTIFIED");
    }
    assert_eq!(settings(&describe(&clients, &id).await), seeded);

    let (public, status, note) = run_event(
        &emulator,
        &clients,
        "redshift-1-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(public.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "turned public accessibility of Redshift cluster {id} off"
        )),
        "{note}"
    );
    assert_eq!(
        settings(&describe(&clients, &id).await),
        (Some(false), Some(1), Some(false), Some(false)),
        "only Redshift.1's setting"
    );
    let (routing, _, note) = run_event(
        &emulator,
        &clients,
        "redshift-7-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(routing.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(
        settings(&describe(&clients, &id).await),
        (Some(false), Some(1), Some(false), Some(true))
    );
    assert_eq!(describe(&clients, &id).await.tags().len(), 1);

    let steps = undo_outcome(&clients, &routing).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned EnhancedVpcRouting of Redshift cluster {id} off again"
        )]
    );
    let steps = undo_outcome(&clients, &public).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned PubliclyAccessible of Redshift cluster {id} on again"
        )]
    );
    assert_eq!(settings(&describe(&clients, &id).await), seeded);
}

#[tokio::test]
async fn redshift_3_and_6_fix_automatically_once_and_undo() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (id, arn) = seeds::data::redshift_cluster(&clients).await;
    let fourteen = FixSettings {
        redshift_snapshot_retention_days: 14,
        ..FixSettings::default()
    };
    let policy = || Policy {
        settings: fourteen.clone(),
        ..Policy::default()
    };
    let (retention, status, note) = run_event(
        &emulator,
        &clients,
        "redshift-3-imported.json",
        &arn,
        policy(),
    )
    .await;
    assert_eq!(retention.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("to 14 days (was 1)"), "{note}");
    let (upgrades, _, note) = run_event(
        &emulator,
        &clients,
        "redshift-6-imported.json",
        &arn,
        policy(),
    )
    .await;
    assert_eq!(upgrades.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(
        settings(&describe(&clients, &id).await),
        (Some(true), Some(14), Some(true), Some(false)),
        "their own settings only"
    );
    for file in ["redshift-3-imported.json", "redshift-6-imported.json"] {
        let (again, _, note) = run_event(&emulator, &clients, file, &arn, policy()).await;
        assert_eq!(again.kind, OutcomeKind::AlreadyCompliant, "{file}: {note}");
    }

    let steps = undo_outcome(&clients, &retention).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "set the automated snapshot retention of Redshift cluster {id} back to 1 days"
        )]
    );
    undo_outcome(&clients, &upgrades).await.unwrap();
    assert_eq!(
        settings(&describe(&clients, &id).await),
        (Some(true), Some(1), Some(false), Some(false))
    );
}

async fn logging(clients: &Clients, id: &str) -> (bool, Option<String>, Option<String>) {
    let out = clients
        .redshift
        .describe_logging_status()
        .cluster_identifier(id)
        .send()
        .await
        .unwrap();
    (
        out.logging_enabled().unwrap_or(false),
        out.log_destination_type().map(|t| t.as_str().to_owned()),
        out.bucket_name().map(str::to_owned),
    )
}

#[tokio::test]
async fn redshift_4_logs_to_cloudwatch_by_default_or_to_the_configured_bucket_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (id, arn) = seeds::data::redshift_cluster(&clients).await;
    assert!(!logging(&clients, &id).await.0);
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "redshift-4-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "turned on audit logging of Redshift cluster {id} to CloudWatch Logs"
        )),
        "{note}"
    );
    assert_eq!(
        logging(&clients, &id).await,
        (true, Some("cloudwatch".into()), None)
    );
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned audit logging of Redshift cluster {id} off again (the logs written meanwhile are kept)"
        )]
    );
    assert!(!logging(&clients, &id).await.0);

    let to_bucket = Policy {
        settings: FixSettings {
            redshift_log_destination: RedshiftLogDestination::S3 {
                bucket: "audit-logs".into(),
                prefix: Some("redshift/".into()),
            },
            ..FixSettings::default()
        },
        ..Policy::default()
    };
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "redshift-4-imported.json",
        &arn,
        to_bucket,
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert!(note.contains("to s3://audit-logs/redshift/"), "{note}");
    assert_eq!(
        logging(&clients, &id).await,
        (true, Some("s3".into()), Some("audit-logs".into()))
    );
    assert_eq!(
        settings(&describe(&clients, &id).await),
        (Some(true), Some(1), Some(false), Some(false)),
        "nothing but logging"
    );
}
