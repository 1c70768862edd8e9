//! The logging catalogue, part one (KMS.3, KMS.4, GuardDuty.1, GuardDuty.9, GuardDuty.10,
//! Config.1, CloudWatch.16): each fix against the emulator, read back, recorded on the
//! finding, and undone.

use hubfix::remediate::config::recorder::CONFIG_NAME;
use hubfix::settings::FixSettings;
use hubfix::{Outcome, OutcomeKind, Policy};
use hubfix_tests::seeds::{self, account};
use hubfix_tests::{auto, run_event, undo_outcome, undo_outcome_with, unique, Emulator, ACCOUNT};

/// Runs an event and checks the fix was made and the finding resolved.
pub(crate) async fn remediated(
    emulator: &Emulator,
    clients: &hubfix::aws::Clients,
    file: &str,
    resource: &str,
    policy: Policy,
) -> Outcome {
    let (outcome, status, note) = run_event(emulator, clients, file, resource, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED", "{note}");
    outcome
}

#[tokio::test]
async fn kms_4_rotation_is_enabled_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (arn, id) = seeds::logging::kms_key(&clients).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "kms-4-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome.note.contains("enabled automatic key rotation"));
    let rotation = |c: hubfix::aws::Clients, id: String| async move {
        c.kms
            .get_key_rotation_status()
            .key_id(id)
            .send()
            .await
            .unwrap()
            .key_rotation_enabled()
    };
    assert!(rotation(clients.clone(), id.clone()).await);
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "kms-4-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert!(!rotation(clients.clone(), id).await);
}

/// The key's state and whether KMS will delete it.
async fn key_state(clients: &hubfix::aws::Clients, id: &str) -> (String, bool) {
    let out = clients.kms.describe_key().key_id(id).send().await.unwrap();
    let meta = out.key_metadata().unwrap();
    (
        meta.key_state().unwrap().as_str().to_owned(),
        meta.deletion_date().is_some(),
    )
}

#[tokio::test]
async fn kms_3_cancels_a_scheduled_deletion_on_approval_and_undo_schedules_it_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (arn, id) = seeds::logging::key_pending_deletion(&clients).await;
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "kms-3-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(
        key_state(&clients, &id).await,
        ("PendingDeletion".into(), true)
    );

    let outcome = remediated(
        &emulator,
        &clients,
        "kms-3-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome.note.contains("enable-key"), "{}", outcome.note);
    assert_eq!(key_state(&clients, &id).await, ("Disabled".into(), false));
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "kms-3-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(steps[0].contains("in 10 days"), "{steps:?}");
    assert_eq!(
        key_state(&clients, &id).await,
        ("PendingDeletion".into(), true)
    );
}

#[tokio::test]
async fn kms_4_rejects_keys_of_other_accounts() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "kms-4-imported.json",
        "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Failed);
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("not a KMS key ARN"), "{note}");
}

#[tokio::test]
async fn guardduty_1_creates_a_detector_and_undo_deletes_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "guardduty-1-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    let outcome = remediated(
        &emulator,
        &clients,
        "guardduty-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome
        .note
        .contains("created an enabled GuardDuty detector"));
    let ids = clients.guardduty.list_detectors().send().await.unwrap();
    assert_eq!(ids.detector_ids().len(), 1);
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    let ids = clients.guardduty.list_detectors().send().await.unwrap();
    assert!(ids.detector_ids().is_empty());
}

#[tokio::test]
async fn guardduty_1_enables_a_disabled_detector_and_undo_disables_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let id = seeds::logging::disabled_detector(&clients).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "guardduty-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome
        .note
        .contains(&format!("enabled GuardDuty detector {id}")));
    let status = |c: hubfix::aws::Clients, id: String| async move {
        c.guardduty
            .get_detector()
            .detector_id(id)
            .send()
            .await
            .unwrap()
            .status()
            .unwrap()
            .as_str()
            .to_owned()
    };
    assert_eq!(status(clients.clone(), id.clone()).await, "ENABLED");
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(status(clients.clone(), id).await, "DISABLED");
}

fn config_settings(bucket: &str) -> FixSettings {
    let mut settings = FixSettings::default();
    settings.catalogue.config_bucket = Some(bucket.to_owned());
    settings
}

#[tokio::test]
async fn config_1_without_a_bucket_is_refused_with_a_note() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "config-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("HUBFIX_CONFIG_BUCKET"), "{note}");
}

#[tokio::test]
async fn config_1_records_all_resources_delivers_and_starts_then_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = seeds::s3::bucket(&clients, "config-delivery").await;
    let settings = config_settings(&bucket);
    let outcome = remediated(
        &emulator,
        &clients,
        "config-1-imported.json",
        &account(),
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.changes.len(), 3, "{:?}", outcome.changes);
    let recorders = clients
        .config
        .describe_configuration_recorders()
        .send()
        .await
        .unwrap();
    let recorder = &recorders.configuration_recorders()[0];
    assert_eq!(recorder.name(), Some(CONFIG_NAME));
    assert!(recorder.recording_group().unwrap().all_supported());
    assert!(recorder
        .role_arn()
        .unwrap()
        .ends_with("AWSServiceRoleForConfig"));
    let status = clients
        .config
        .describe_configuration_recorder_status()
        .send()
        .await
        .unwrap();
    assert!(status.configuration_recorders_status()[0].recording());
    let channels = clients
        .config
        .describe_delivery_channels()
        .send()
        .await
        .unwrap();
    assert_eq!(
        channels.delivery_channels()[0].s3_bucket_name(),
        Some(bucket.as_str())
    );

    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(steps.len(), 3, "{steps:?}");
    let recorders = clients
        .config
        .describe_configuration_recorders()
        .send()
        .await
        .unwrap();
    assert!(recorders.configuration_recorders().is_empty());
}

#[tokio::test]
async fn config_1_widens_an_existing_recorder_and_starts_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let role = format!("arn:aws:iam::{ACCOUNT}:role/config-recorder");
    clients
        .config
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("org-recorder")
                .role_arn(&role)
                .recording_group(
                    aws_sdk_config::types::RecordingGroup::builder()
                        .all_supported(false)
                        .include_global_resource_types(false)
                        .resource_types(aws_sdk_config::types::ResourceType::Bucket)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let bucket = seeds::s3::bucket(&clients, "config-existing").await;
    clients
        .config
        .put_delivery_channel()
        .delivery_channel(
            aws_sdk_config::types::DeliveryChannel::builder()
                .name("org-channel")
                .s3_bucket_name(&bucket)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let outcome = remediated(
        &emulator,
        &clients,
        "config-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.changes.len(), 2, "{:?}", outcome.changes);
    let recorders = clients
        .config
        .describe_configuration_recorders()
        .send()
        .await
        .unwrap();
    let recorder = &recorders.configuration_recorders()[0];
    assert_eq!(recorder.role_arn(), Some(role.as_str()), "role kept");
    assert!(recorder.recording_group().unwrap().all_supported());
    undo_outcome(&clients, &outcome).await.unwrap();
    let recorders = clients
        .config
        .describe_configuration_recorders()
        .send()
        .await
        .unwrap();
    let group = recorders.configuration_recorders()[0]
        .recording_group()
        .unwrap();
    assert!(!group.all_supported());
    assert_eq!(group.resource_types().len(), 1);
}

/// The retention of a log group (`None`: never expires).
async fn retention(clients: &hubfix::aws::Clients, group: &str) -> Option<i32> {
    clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .unwrap()
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .unwrap()
        .retention_in_days()
}

#[tokio::test]
async fn cloudwatch_16_raises_short_retentions_only_and_undo_restores_them() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let short = format!("/aws/lambda/{}", unique("orders"));
    let long = format!("/aws/lambda/{}", unique("ledger"));
    let forever = format!("/aws/lambda/{}", unique("audit"));
    for (group, days) in [(&short, Some(30)), (&long, Some(3653)), (&forever, None)] {
        clients
            .logs
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
            .unwrap();
        if let Some(days) = days {
            clients
                .logs
                .put_retention_policy()
                .log_group_name(group)
                .retention_in_days(days)
                .send()
                .await
                .unwrap();
        }
    }
    let arn = |group: &str| {
        format!(
            "arn:aws:logs:{}:{ACCOUNT}:log-group:{group}:*",
            hubfix_tests::REGION
        )
    };
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudwatch-16-imported.json",
        &arn(&short),
        auto(FixSettings::default()),
    )
    .await;
    assert!(
        outcome.note.contains("to 365 days (was 30)"),
        "{}",
        outcome.note
    );
    assert_eq!(retention(&clients, &short).await, Some(365));
    for group in [&long, &forever] {
        let (left, _, note) = run_event(
            &emulator,
            &clients,
            "cloudwatch-16-imported.json",
            &arn(group),
            auto(FixSettings::default()),
        )
        .await;
        assert_eq!(left.kind, OutcomeKind::AlreadyCompliant, "{group}: {note}");
    }
    assert_eq!(
        retention(&clients, &long).await,
        Some(3653),
        "never shortened"
    );
    assert_eq!(retention(&clients, &forever).await, None);

    let settings = FixSettings {
        log_retention_days: 731,
        ..FixSettings::default()
    };
    let raised = remediated(
        &emulator,
        &clients,
        "cloudwatch-16-imported.json",
        &arn(&short),
        auto(settings.clone()),
    )
    .await;
    assert_eq!(retention(&clients, &short).await, Some(731));
    undo_outcome_with(&clients, &raised, &settings)
        .await
        .unwrap();
    assert_eq!(retention(&clients, &short).await, Some(365));
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(retention(&clients, &short).await, Some(30));
}

/// The detector's features by name, as `GetDetector` gives them.
async fn detector_features(
    clients: &hubfix::aws::Clients,
    id: &str,
) -> std::collections::BTreeMap<String, String> {
    let out = clients
        .guardduty
        .get_detector()
        .detector_id(id)
        .send()
        .await
        .unwrap();
    out.features()
        .iter()
        .map(|f| {
            (
                f.name().unwrap().as_str().to_owned(),
                f.status().unwrap().as_str().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn guardduty_9_and_10_turn_on_one_protection_plan_each_on_approval_and_undo() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (arn, id) = seeds::logging::detector_without_protection_plans(&clients).await;
    let seeded = detector_features(&clients, &id).await;
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "guardduty-10-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(
        waiting.kind,
        OutcomeKind::Refused,
        "billable, approval: {note}"
    );
    assert_eq!(detector_features(&clients, &id).await, seeded);

    let s3 = remediated(
        &emulator,
        &clients,
        "guardduty-10-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert!(s3.note.contains("S3 Protection"), "{}", s3.note);
    let rds = remediated(
        &emulator,
        &clients,
        "guardduty-9-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    let mut expected = seeded.clone();
    expected.insert("S3_DATA_EVENTS".into(), "ENABLED".into());
    expected.insert("RDS_LOGIN_EVENTS".into(), "ENABLED".into());
    assert_eq!(
        detector_features(&clients, &id).await,
        expected,
        "EBS malware protection kept"
    );

    undo_outcome(&clients, &s3).await.unwrap();
    expected.insert("S3_DATA_EVENTS".into(), "DISABLED".into());
    assert_eq!(detector_features(&clients, &id).await, expected);
    undo_outcome(&clients, &rds).await.unwrap();
    assert_eq!(detector_features(&clients, &id).await, seeded);
}
