//! The data services catalogue against the emulator: SNS.1, SNS.2, SQS.1, DynamoDB.1, DynamoDB.2,
//! DynamoDB.5, DynamoDB.6, ECR.1, ECR.2, SecretsManager.1, SecretsManager.3,
//! SecretsManager.4 and the tagging controls (DynamoDB.5, GuardDuty.2, GuardDuty.4), each fixed,
//! verified and undone from its record.

use aws_sdk_dynamodb::types::PointInTimeRecoveryStatus;
use aws_sdk_sqs::types::QueueAttributeName;
use hubfix::aws::Clients;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{
    auto, run_event, run_remediate_action, undo_outcome, undo_outcome_with, unique, Emulator,
};

async fn topic_key(clients: &Clients, topic: &str) -> Option<String> {
    clients
        .sns
        .get_topic_attributes()
        .topic_arn(topic)
        .send()
        .await
        .unwrap()
        .attributes()
        .and_then(|a| a.get("KmsMasterKeyId").cloned())
        .filter(|k| !k.is_empty())
}

#[tokio::test]
async fn sns_1_needs_the_key_setting_then_encrypts_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let topic = seeds::data::topic(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "sns-1-imported.json",
        &topic,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("set HUBFIX_SNS_KMS_KEY"), "{note}");

    let settings = FixSettings {
        sns_kms_key: Some("alias/order-events".into()),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "sns-1-imported.json",
        &topic,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(
        topic_key(&clients, &topic).await.as_deref(),
        Some("alias/order-events")
    );
    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert!(steps[0].contains("off again"), "{steps:?}");
    assert_eq!(topic_key(&clients, &topic).await, None);
}

async fn queue_encryption(clients: &Clients, url: &str) -> (String, Option<String>) {
    let out = clients
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attributes = out.attributes().unwrap();
    (
        attributes
            .get(&QueueAttributeName::SqsManagedSseEnabled)
            .cloned()
            .unwrap_or_default(),
        attributes
            .get(&QueueAttributeName::KmsMasterKeyId)
            .cloned()
            .filter(|k| !k.is_empty()),
    )
}

#[tokio::test]
async fn sqs_1_uses_sse_sqs_or_the_configured_key_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (arn, url) = seeds::data::plain_queue(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "sqs-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("SSE-SQS"), "{note}");
    assert_eq!(
        queue_encryption(&clients, &url).await,
        ("true".into(), None)
    );
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        queue_encryption(&clients, &url).await,
        ("false".into(), None)
    );

    let (arn, url) = seeds::data::plain_queue(&clients).await;
    let settings = FixSettings {
        sqs_kms_key: Some("alias/queues".into()),
        ..FixSettings::default()
    };
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "sqs-1-imported.json",
        &arn,
        Policy {
            settings,
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(
        queue_encryption(&clients, &url).await.1.as_deref(),
        Some("alias/queues")
    );
}

#[tokio::test]
async fn dynamodb_2_point_in_time_recovery_on_once_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (table, arn) = seeds::data::table(&clients).await;
    let status_of = |clients: Clients, table: String| async move {
        clients
            .dynamodb
            .describe_continuous_backups()
            .table_name(table)
            .send()
            .await
            .unwrap()
            .continuous_backups_description()
            .unwrap()
            .point_in_time_recovery_description()
            .unwrap()
            .point_in_time_recovery_status()
            .cloned()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "dynamodb-2-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(
        status_of(clients.clone(), table.clone()).await,
        Some(PointInTimeRecoveryStatus::Enabled)
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "dynamodb-2-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        status_of(clients.clone(), table.clone()).await,
        Some(PointInTimeRecoveryStatus::Disabled)
    );
}

#[tokio::test]
async fn dynamodb_6_deletion_protection_on_once_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (table, arn) = seeds::data::table(&clients).await;
    let protected = |clients: Clients, table: String| async move {
        clients
            .dynamodb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .unwrap()
            .table()
            .and_then(|t| t.deletion_protection_enabled())
            .unwrap_or(false)
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "dynamodb-6-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(protected(clients.clone(), table.clone()).await);
    let deleted = clients
        .dynamodb
        .delete_table()
        .table_name(&table)
        .send()
        .await;
    assert!(deleted.is_err(), "a protected table cannot be deleted");
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "dynamodb-6-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
    undo_outcome(&clients, &outcome).await.unwrap();
    assert!(!protected(clients.clone(), table.clone()).await);
}

async fn repository_settings(clients: &Clients, name: &str) -> (bool, String) {
    let out = clients
        .ecr
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .unwrap();
    let repo = &out.repositories()[0];
    (
        repo.image_scanning_configuration()
            .is_some_and(|c| c.scan_on_push()),
        repo.image_tag_mutability()
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
    )
}

#[tokio::test]
async fn ecr_1_scan_on_push_and_ecr_2_immutable_tags_on_approval_then_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (name, arn) = seeds::data::repository(&clients).await;
    let (scan, _, note) = run_event(
        &emulator,
        &clients,
        "ecr-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(scan.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(
        repository_settings(&clients, &name).await,
        (true, "MUTABLE".into())
    );

    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "ecr-2-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    let (immutable, status, note) = run_event(
        &emulator,
        &clients,
        "ecr-2-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(immutable.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(
        repository_settings(&clients, &name).await,
        (true, "IMMUTABLE".into())
    );

    undo_outcome(&clients, &immutable).await.unwrap();
    undo_outcome(&clients, &scan).await.unwrap();
    assert_eq!(
        repository_settings(&clients, &name).await,
        (false, "MUTABLE".into())
    );
}

#[tokio::test]
async fn secretsmanager_1_rotation_needs_a_function_turns_on_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let secret = seeds::data::secret(&clients).await;
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "secretsmanager-1-imported.json",
        &secret,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert!(
        note.contains("set HUBFIX_SECRETS_ROTATION_LAMBDA_ARN"),
        "{note}"
    );

    let rotator = seeds::compute::function(&clients, &unique("rotate")).await;
    let settings = FixSettings {
        secrets_rotation_lambda_arn: Some(rotator.clone()),
        ..FixSettings::default()
    };
    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "secretsmanager-1-imported.json",
        &secret,
        Policy {
            settings: settings.clone(),
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "secretsmanager-1-imported.json",
        &secret,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("every 30 days"), "{note}");
    let described = clients
        .secretsmanager
        .describe_secret()
        .secret_id(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(described.rotation_enabled(), Some(true));
    assert_eq!(described.rotation_lambda_arn(), Some(rotator.as_str()));
    assert_eq!(
        described
            .rotation_rules()
            .and_then(|r| r.automatically_after_days()),
        Some(30)
    );
    let value = clients
        .secretsmanager
        .get_secret_value()
        .secret_id(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(value.secret_string(), Some("hunter2"), "no rotation yet");

    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert!(steps[0].contains("off again"), "{steps:?}");
    let described = clients
        .secretsmanager
        .describe_secret()
        .secret_id(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(described.rotation_enabled(), Some(false));
}

fn days_ahead(days: u64) -> FixSettings {
    FixSettings {
        now: Some(std::time::SystemTime::now() + std::time::Duration::from_secs(days * 86_400)),
        ..FixSettings::default()
    }
}

/// `(deletion scheduled, value readable)` of a secret.
async fn secret_state(clients: &Clients, secret: &str) -> (bool, Option<String>) {
    let described = clients
        .secretsmanager
        .describe_secret()
        .secret_id(secret)
        .send()
        .await
        .unwrap();
    let value = clients
        .secretsmanager
        .get_secret_value()
        .secret_id(secret)
        .send()
        .await
        .ok()
        .and_then(|v| v.secret_string().map(str::to_owned));
    (described.deleted_date().is_some(), value)
}

#[tokio::test]
async fn secretsmanager_3_schedules_an_unused_secret_s_deletion_only_on_request_and_undo_restores_it(
) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let secret = seeds::data::secret(&clients).await;
    let other = seeds::data::secret(&clients).await;
    let intact = (false, Some("hunter2".to_owned()));

    let (automatic, status, note) = run_event(
        &emulator,
        &clients,
        "secretsmanager-3-imported.json",
        &secret,
        auto(days_ahead(100)),
    )
    .await;
    assert_eq!(
        automatic.kind,
        OutcomeKind::Refused,
        "never automatic: {note}"
    );
    assert_eq!(status, "NOTIFIED");
    assert_eq!(secret_state(&clients, &secret).await, intact);

    let (recent, _, note) = run_remediate_action(
        &emulator,
        &clients,
        "secretsmanager-3-imported.json",
        &secret,
        Policy {
            settings: days_ahead(30),
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(
        recent.kind,
        OutcomeKind::AlreadyCompliant,
        "read within 90 days: {note}"
    );
    assert_eq!(secret_state(&clients, &secret).await, intact);

    let (outcome, status, note) = run_remediate_action(
        &emulator,
        &clients,
        "secretsmanager-3-imported.json",
        &secret,
        Policy {
            settings: days_ahead(100),
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("in 30 days (the longest recovery window)"),
        "{note}"
    );
    assert_eq!(secret_state(&clients, &secret).await, (true, None));
    assert_eq!(
        secret_state(&clients, &other).await,
        intact,
        "other secrets untouched"
    );

    let steps = undo_outcome_with(&clients, &outcome, &days_ahead(100))
        .await
        .unwrap();
    assert!(
        steps.iter().any(|s| s.contains("restored secret")),
        "{steps:?}"
    );
    assert_eq!(secret_state(&clients, &secret).await, intact);
}

/// The delivery status logging attributes a topic reads back with, sorted.
async fn delivery_logging(clients: &Clients, topic: &str) -> Vec<(String, String)> {
    let out = clients
        .sns
        .get_topic_attributes()
        .topic_arn(topic)
        .send()
        .await
        .unwrap();
    let mut found: Vec<(String, String)> = out
        .attributes()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.contains("Feedback"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn sns_2_logs_delivery_status_of_every_endpoint_type_keeps_what_logs_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let topic = seeds::data::topic(&clients).await;
    let other = seeds::data::topic(&clients).await;
    let own = "arn:aws:iam::123456789012:role/orders-lambda-delivery";
    for (name, value) in [
        ("LambdaFailureFeedbackRoleArn", own),
        ("LambdaSuccessFeedbackRoleArn", own),
        ("LambdaSuccessFeedbackSampleRate", "50"),
    ] {
        clients
            .sns
            .set_topic_attributes()
            .topic_arn(&topic)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .unwrap();
    }
    let seeded = delivery_logging(&clients, &topic).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "sns-2-imported.json",
        &topic,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(
        note.contains("set HUBFIX_SNS_DELIVERY_LOG_ROLE_ARN"),
        "{note}"
    );

    let role = "arn:aws:iam::123456789012:role/sns-delivery-status";
    let settings = FixSettings {
        sns_delivery_log_role_arn: Some(role.into()),
        sns_success_sample_rate: 5,
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "sns-2-imported.json",
        &topic,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("for HTTP, Firehose, Application, SQS with role"),
        "{note}"
    );
    let logging = delivery_logging(&clients, &topic).await;
    for kind in ["HTTP", "Firehose", "Application", "SQS"] {
        for (suffix, value) in [
            ("FailureFeedbackRoleArn", role),
            ("SuccessFeedbackRoleArn", role),
            ("SuccessFeedbackSampleRate", "5"),
        ] {
            let name = format!("{kind}{suffix}");
            assert!(
                logging.contains(&(name.clone(), value.to_owned())),
                "{name}: {logging:?}"
            );
        }
    }
    for kept in &seeded {
        assert!(
            logging.contains(kept),
            "Lambda's own logging kept: {kept:?}"
        );
    }
    assert_eq!(logging.len(), 15);
    assert_eq!(
        topic_key(&clients, &topic).await,
        None,
        "nothing else changed"
    );
    assert!(delivery_logging(&clients, &other).await.is_empty());

    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert!(steps[0].contains("put 12 attributes"), "{steps:?}");
    assert_eq!(delivery_logging(&clients, &topic).await, seeded);
}

/// `(rotation on, days between rotations, last rotated)` of a secret.
async fn secret_rotation(clients: &Clients, secret: &str) -> (bool, Option<i64>, Option<i64>) {
    let out = clients
        .secretsmanager
        .describe_secret()
        .secret_id(secret)
        .send()
        .await
        .unwrap();
    (
        out.rotation_enabled().unwrap_or(false),
        out.rotation_rules()
            .and_then(|r| r.automatically_after_days()),
        out.last_rotated_date().map(|d| d.secs()),
    )
}

#[tokio::test]
async fn secretsmanager_4_rotates_a_stale_secret_now_on_approval_and_undo_restores_only_the_schedule(
) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let secret = seeds::data::secret(&clients).await;
    let other = seeds::data::secret(&clients).await;
    let rotator = seeds::compute::function(&clients, &unique("rotate")).await;
    let (fresh, status, note) = run_event(
        &emulator,
        &clients,
        "secretsmanager-4-imported.json",
        &secret,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(fresh.kind, OutcomeKind::AlreadyCompliant, "{note}");
    assert_eq!(status, "RESOLVED");

    let later = FixSettings {
        secrets_rotation_lambda_arn: Some(rotator.clone()),
        ..days_ahead(100)
    };
    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "secretsmanager-4-imported.json",
        &secret,
        Policy {
            settings: later.clone(),
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(
        secret_rotation(&clients, &secret).await,
        (false, None, None)
    );

    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "secretsmanager-4-imported.json",
        &secret,
        auto(later.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("its value is 100 days old, more than 90"),
        "{note}"
    );
    assert!(
        note.contains("rotation every 30 days from now on"),
        "{note}"
    );
    let (enabled, every, rotated) = secret_rotation(&clients, &secret).await;
    assert!(enabled);
    assert_eq!(every, Some(30));
    assert!(
        rotated.is_some_and(|r| r >= started - 5),
        "rotated now: {rotated:?}"
    );
    assert_eq!(secret_rotation(&clients, &other).await, (false, None, None));

    let err = undo_outcome_with(&clients, &outcome, &later)
        .await
        .unwrap_err();
    assert!(
        matches!(err, hubfix::error::FixError::Irreversible(_)),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("cannot be undone"), "{text}");
    assert!(
        text.contains("the rest was undone: turned automatic rotation"),
        "{text}"
    );
    assert!(
        !secret_rotation(&clients, &secret).await.0,
        "schedule off again"
    );
}

/// A DynamoDB table's tags, sorted.
async fn table_tags(clients: &Clients, arn: &str) -> Vec<(String, String)> {
    let out = clients
        .dynamodb
        .list_tags_of_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    let mut tags: Vec<(String, String)> = out
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    tags.sort();
    tags
}

/// A GuardDuty resource's tags (a detector's or a filter's, by ARN), sorted.
async fn guardduty_tags(clients: &Clients, arn: &str) -> Vec<(String, String)> {
    let out = clients
        .guardduty
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    let mut tags: Vec<(String, String)> = out
        .tags()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    tags.sort();
    tags
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn dynamodb_5_and_guardduty_4_add_only_the_missing_required_tags_and_undo_removes_them() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (_, table) = seeds::data::table(&clients).await;
    let (_, other) = seeds::data::table(&clients).await;
    let (detector_arn, _) = seeds::logging::detector_without_protection_plans(&clients).await;
    let (tagged, _, note) = run_event(
        &emulator,
        &clients,
        "dynamodb-5-imported.json",
        &table,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(
        tagged.kind,
        OutcomeKind::AlreadyCompliant,
        "tagged, and no key required: {note}"
    );

    let settings = FixSettings {
        required_tags: pairs(&[("owner", "platform"), ("team", "unassigned")]),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "dynamodb-5-imported.json",
        &table,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("with owner=platform;"), "{note}");
    assert_eq!(
        table_tags(&clients, &table).await,
        pairs(&[("owner", "platform"), ("team", "payments")]),
        "team keeps its value"
    );
    assert_eq!(
        table_tags(&clients, &other).await,
        pairs(&[("team", "payments")])
    );
    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert!(
        steps[0].contains("removed the tags hubfix added"),
        "{steps:?}"
    );
    assert_eq!(
        table_tags(&clients, &table).await,
        pairs(&[("team", "payments")])
    );

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "guardduty-4-imported.json",
        &detector_arn,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(
        guardduty_tags(&clients, &detector_arn).await,
        pairs(&[("owner", "platform"), ("team", "payments")])
    );
    clients
        .guardduty
        .tag_resource()
        .resource_arn(&detector_arn)
        .tags("owner", "security")
        .send()
        .await
        .unwrap();
    let err = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("owner of GuardDuty detector") && err.contains("was given another value"),
        "a value someone set since stays: {err}"
    );
    assert_eq!(
        guardduty_tags(&clients, &detector_arn).await,
        pairs(&[("owner", "security"), ("team", "payments")])
    );
}

#[tokio::test]
async fn guardduty_2_tags_a_filter_named_by_its_arn() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let filter = seeds::logging::guardduty_filter(&clients).await;
    let settings = FixSettings {
        required_tags: pairs(&[("owner", "platform")]),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "guardduty-2-imported.json",
        &filter,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(
        guardduty_tags(&clients, &filter).await,
        pairs(&[("owner", "platform"), ("team", "payments")])
    );
    let detector_arn = filter.split("/filter/").next().unwrap().to_owned();
    assert_eq!(
        guardduty_tags(&clients, &detector_arn).await,
        pairs(&[("team", "payments")]),
        "the filter's detector is not the filter"
    );
    undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(
        guardduty_tags(&clients, &filter).await,
        pairs(&[("team", "payments")])
    );
}

/// The scalable targets of a table's capacities: `(resource id, dimension, min, max)`.
async fn scalable_targets(clients: &Clients, table: &str) -> Vec<(String, String, i32, i32)> {
    let ids = [
        format!("table/{table}"),
        format!("table/{table}/index/by-sku"),
    ];
    let out = clients
        .applicationautoscaling
        .describe_scalable_targets()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Dynamodb)
        .set_resource_ids(Some(ids.to_vec()))
        .send()
        .await
        .unwrap();
    let mut targets: Vec<_> = out
        .scalable_targets()
        .iter()
        .map(|t| {
            (
                t.resource_id().to_owned(),
                t.scalable_dimension().as_str().to_owned(),
                t.min_capacity(),
                t.max_capacity(),
            )
        })
        .collect();
    targets.sort();
    targets
}

#[tokio::test]
async fn dynamodb_1_scales_every_provisioned_capacity_on_approval_and_undo_removes_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (table, arn) = seeds::data::provisioned_table(&clients).await;
    let (refused, status, note) = run_event(
        &emulator,
        &clients,
        "dynamodb-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(
        refused.kind,
        OutcomeKind::Refused,
        "approval-only (cost): {note}"
    );
    assert_eq!(status, "NOTIFIED");
    assert!(scalable_targets(&clients, &table).await.is_empty());

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "dynamodb-1-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let index = format!("table/{table}/index/by-sku");
    let main = format!("table/{table}");
    assert_eq!(
        scalable_targets(&clients, &table).await,
        [
            (
                main.clone(),
                "dynamodb:table:ReadCapacityUnits".into(),
                5,
                20
            ),
            (
                main.clone(),
                "dynamodb:table:WriteCapacityUnits".into(),
                10,
                40
            ),
            (
                index.clone(),
                "dynamodb:index:ReadCapacityUnits".into(),
                2,
                8
            ),
            (
                index.clone(),
                "dynamodb:index:WriteCapacityUnits".into(),
                2,
                8
            ),
        ]
    );
    let policies = clients
        .applicationautoscaling
        .describe_scaling_policies()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Dynamodb)
        .resource_id(&main)
        .send()
        .await
        .unwrap();
    let tracked: Vec<(String, Option<f64>)> = policies
        .scaling_policies()
        .iter()
        .map(|p| {
            (
                p.policy_name().to_owned(),
                p.target_tracking_scaling_policy_configuration()
                    .map(|c| c.target_value()),
            )
        })
        .collect();
    assert_eq!(
        tracked,
        [
            ("hubfix-target-tracking".into(), Some(70.0)),
            ("hubfix-target-tracking".into(), Some(70.0))
        ]
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "dynamodb-1-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(scalable_targets(&clients, &table).await.is_empty());
}
