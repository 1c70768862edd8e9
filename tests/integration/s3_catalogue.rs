//! The S3 catalogue (S3.2-S3.19): each fix against the emulator, that it changes only
//! what the control is about, and that the finding is updated.

use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration,
    LifecycleRule, LifecycleRuleFilter, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
};
use hubfix::aws::Clients;
use hubfix::policy::Mode;
use hubfix::settings::FixSettings;
use hubfix::{Outcome, OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{event, import, retarget, run_event, unique, Emulator};
use serde_json::{json, Value};

/// A fresh emulator and a bucket tagged `team=payments`.
async fn bucket() -> (Emulator, Clients, String) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = seeds::s3::bucket(&clients, "catalogue").await;
    let tagging = Tagging::builder()
        .tag_set(
            Tag::builder()
                .key("team")
                .value("payments")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    clients
        .s3
        .put_bucket_tagging()
        .bucket(&bucket)
        .tagging(tagging)
        .send()
        .await
        .unwrap();
    (emulator, clients, bucket)
}

/// Runs a control's sample event on the bucket; returns the outcome and the finding's
/// (workflow status, note).
/// Runs a control's sample event. These tests are about each fix, not the policy:
/// every control runs in auto mode but S3.6, whose default (approval-only) a test checks.
async fn run(
    emulator: &Emulator,
    clients: &Clients,
    event_file: &str,
    resource: &str,
    settings: FixSettings,
) -> (Outcome, String, String) {
    let mut policy = Policy {
        settings,
        ..Policy::default()
    };
    if !event_file.starts_with("s3-6") {
        policy.default_mode = Some(Mode::Auto);
    }
    run_event(emulator, clients, event_file, resource, policy).await
}

async fn run_bucket(
    emulator: &Emulator,
    clients: &Clients,
    file: &str,
    bucket: &str,
    settings: FixSettings,
) -> (Outcome, String, String) {
    run(
        emulator,
        clients,
        file,
        &format!("arn:aws:s3:::{bucket}"),
        settings,
    )
    .await
}

async fn assert_tags_untouched(clients: &Clients, bucket: &str) {
    let tags = clients
        .s3
        .get_bucket_tagging()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_set().len(), 1);
    assert_eq!(tags.tag_set()[0].value(), "payments");
}

async fn public_grantees(clients: &Clients, bucket: &str) -> Vec<String> {
    let acl = clients
        .s3
        .get_bucket_acl()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    acl.grants()
        .iter()
        .filter_map(|g| g.grantee().and_then(|e| e.uri()).map(str::to_owned))
        .collect()
}

async fn public_read_write(acl: BucketCannedAcl, file: &str) {
    let (emulator, clients, bucket) = bucket().await;
    clients
        .s3
        .put_bucket_acl()
        .bucket(&bucket)
        .acl(acl)
        .send()
        .await
        .unwrap();
    assert!(!public_grantees(&clients, &bucket).await.is_empty());
    let (outcome, status, note) =
        run_bucket(&emulator, &clients, file, &bucket, FixSettings::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("removed public ACL grants"), "{note}");
    assert!(public_grantees(&clients, &bucket).await.is_empty());
    let acl = clients
        .s3
        .get_bucket_acl()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert!(
        acl.grants()
            .iter()
            .any(|g| g.permission().map(|p| p.as_str()) == Some("FULL_CONTROL")),
        "owner keeps control"
    );
    let pab = clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pab.public_access_block_configuration()
            .unwrap()
            .block_public_acls(),
        Some(true)
    );
    assert_tags_untouched(&clients, &bucket).await;
}

#[tokio::test]
async fn s3_2_public_read_is_blocked_and_grants_removed() {
    public_read_write(BucketCannedAcl::PublicRead, "s3-2-imported.json").await;
}

#[tokio::test]
async fn s3_3_public_write_is_blocked_and_grants_removed() {
    public_read_write(BucketCannedAcl::PublicReadWrite, "s3-3-imported.json").await;
}

async fn encryption(clients: &Clients, bucket: &str) -> Option<(String, Option<String>)> {
    let out = clients
        .s3
        .get_bucket_encryption()
        .bucket(bucket)
        .send()
        .await
        .ok()?;
    let d = out.server_side_encryption_configuration()?.rules()[0]
        .apply_server_side_encryption_by_default()?
        .clone();
    Some((
        d.sse_algorithm().as_str().to_owned(),
        d.kms_master_key_id().map(str::to_owned),
    ))
}

#[tokio::test]
async fn s3_4_sets_sse_s3_when_no_key_is_configured() {
    let (emulator, clients, bucket) = bucket().await;
    let _ = clients
        .s3
        .delete_bucket_encryption()
        .bucket(&bucket)
        .send()
        .await;
    let before = encryption(&clients, &bucket).await;
    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-4-imported.json",
        &bucket,
        FixSettings::default(),
    )
    .await;
    if before.is_some() {
        assert_eq!(outcome.kind, OutcomeKind::AlreadyCompliant, "{note}");
    } else {
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
        assert_eq!(status, "RESOLVED");
        assert_eq!(
            encryption(&clients, &bucket).await,
            Some(("AES256".into(), None))
        );
    }
    assert_tags_untouched(&clients, &bucket).await;
}

#[tokio::test]
async fn s3_17_moves_sse_s3_to_the_configured_kms_key() {
    let (emulator, clients, bucket) = bucket().await;
    let sse_s3 = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::Aes256)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
        .unwrap();
    clients
        .s3
        .put_bucket_encryption()
        .bucket(&bucket)
        .server_side_encryption_configuration(sse_s3)
        .send()
        .await
        .unwrap();
    let settings = FixSettings {
        s3_kms_key: Some("alias/hubfix-test".into()),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-17-imported.json",
        &bucket,
        settings,
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("aws:kms with alias/hubfix-test"), "{note}");
    assert_eq!(
        encryption(&clients, &bucket).await,
        Some(("aws:kms".into(), Some("alias/hubfix-test".into())))
    );
    let before: Value = outcome.before.unwrap().state;
    assert_eq!(before["encryption"]["algorithm"], "AES256");
}

async fn policy(clients: &Clients, bucket: &str) -> Option<Value> {
    let out = clients
        .s3
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .ok()?;
    serde_json::from_str(out.policy()?).ok()
}

#[tokio::test]
async fn s3_5_tls_deny_is_merged_into_the_existing_policy() {
    let (emulator, clients, bucket) = bucket().await;
    let readers = json!({"Sid": "Readers", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{bucket}/*")});
    let existing = json!({"Version": "2012-10-17", "Statement": [readers.clone()]});
    clients
        .s3
        .put_bucket_policy()
        .bucket(&bucket)
        .policy(existing.to_string())
        .send()
        .await
        .unwrap();
    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-5-imported.json",
        &bucket,
        FixSettings::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let after = policy(&clients, &bucket).await.unwrap();
    let statements = after["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(
        statements[0], readers,
        "the existing statement is kept as it was"
    );
    assert_eq!(statements[1]["Sid"], "HubfixDenyInsecureTransport");
    assert_eq!(
        statements[1]["Condition"]["Bool"]["aws:SecureTransport"],
        "false"
    );
    let before: Value = outcome.before.unwrap().state;
    assert_eq!(
        serde_json::from_str::<Value>(before["policy"].as_str().unwrap()).unwrap(),
        existing
    );
}

#[tokio::test]
async fn s3_6_removes_only_the_cross_account_grants_on_approval() {
    let (emulator, clients, bucket) = bucket().await;
    let arn = format!("arn:aws:s3:::{bucket}");
    let existing = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
         "Action": ["s3:GetObject", "s3:PutObjectAcl"], "Resource": format!("{arn}/*")},
        {"Sid": "PartnerAdmin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::888888888888:root"},
         "Action": "s3:PutBucketPolicy", "Resource": arn},
        {"Sid": "Own", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "s3:PutBucketAcl", "Resource": arn}
    ]});
    clients
        .s3
        .put_bucket_policy()
        .bucket(&bucket)
        .policy(existing.to_string())
        .send()
        .await
        .unwrap();

    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-6-imported.json",
        &bucket,
        FixSettings::default(),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Refused,
        "approval-only by default: {note}"
    );
    assert_eq!(status, "NOTIFIED");
    assert_eq!(policy(&clients, &bucket).await.unwrap(), existing);

    let mut action = event("s3-6-imported.json");
    action["detail-type"] = "Security Hub Findings - Custom Action".into();
    action["detail"]["actionName"] = "Remediate".into();
    action["resources"] =
        json!(["arn:aws:securityhub:us-east-1:123456789012:action/custom/Remediate"]);
    retarget(&mut action, &arn, &unique("approved"));
    import(&clients, &action).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&action)
        .await
        .unwrap();
    assert_eq!(
        report.outcomes[0].kind,
        OutcomeKind::Remediated,
        "{}",
        report.outcomes[0].note
    );
    let after = policy(&clients, &bucket).await.unwrap();
    let sids: Vec<_> = after["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].clone())
        .collect();
    assert_eq!(sids, [json!("PartnerRead"), json!("Own")]);
    assert_eq!(after["Statement"][0]["Action"], json!(["s3:GetObject"]));
}

#[tokio::test]
async fn s3_9_logs_to_the_configured_bucket_and_says_when_unconfigured() {
    let (emulator, clients, bucket) = bucket().await;
    let log_bucket = seeds::s3::log_delivery_bucket(&clients).await;

    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-9-imported.json",
        &bucket,
        FixSettings::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("set HUBFIX_S3_ACCESS_LOG_BUCKET"), "{note}");

    let settings = FixSettings {
        s3_access_log_bucket: Some(log_bucket.clone()),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-9-imported.json",
        &bucket,
        settings.clone(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let logging = clients
        .s3
        .get_bucket_logging()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let enabled = logging.logging_enabled().unwrap();
    assert_eq!(enabled.target_bucket(), log_bucket);
    assert_eq!(enabled.target_prefix(), format!("{bucket}/"));
    assert_tags_untouched(&clients, &bucket).await;

    let (outcome, _, note) = run_bucket(
        &emulator,
        &clients,
        "s3-9-imported.json",
        &log_bucket,
        settings,
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Manual, "{note}");
    assert!(note.contains("must not log to itself"), "{note}");
}

#[tokio::test]
async fn s3_13_adds_a_lifecycle_rule_and_keeps_the_disabled_ones() {
    let (emulator, clients, bucket) = bucket().await;
    let disabled = LifecycleRule::builder()
        .id("old-rule")
        .status(ExpirationStatus::Disabled)
        .filter(LifecycleRuleFilter::builder().prefix("tmp/").build())
        .expiration(LifecycleExpiration::builder().days(30).build())
        .build()
        .unwrap();
    clients
        .s3
        .put_bucket_lifecycle_configuration()
        .bucket(&bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(disabled)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let settings = FixSettings {
        s3_noncurrent_version_days: 90,
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-13-imported.json",
        &bucket,
        settings,
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("after 90 days"), "{note}");
    let rules = clients
        .s3
        .get_bucket_lifecycle_configuration()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = rules.rules().iter().filter_map(|r| r.id()).collect();
    assert_eq!(ids, ["old-rule", "hubfix-default"]);
    let ours = &rules.rules()[1];
    assert_eq!(ours.status(), &ExpirationStatus::Enabled);
    assert_eq!(
        ours.noncurrent_version_expiration()
            .unwrap()
            .noncurrent_days(),
        Some(90)
    );
    assert_eq!(rules.rules()[0].status(), &ExpirationStatus::Disabled);
}

#[tokio::test]
async fn s3_14_enables_versioning_once() {
    let (emulator, clients, bucket) = bucket().await;
    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-14-imported.json",
        &bucket,
        FixSettings::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let v = clients
        .s3
        .get_bucket_versioning()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(v.status().map(|s| s.as_str()), Some("Enabled"));
    assert_tags_untouched(&clients, &bucket).await;
    let (again, _, _) = run_bucket(
        &emulator,
        &clients,
        "s3-14-imported.json",
        &bucket,
        FixSettings::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
}

#[tokio::test]
async fn s3_19_is_a_manual_control_with_steps_in_the_note() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, status, note) = run(
        &emulator,
        &clients,
        "s3-19-imported.json",
        "arn:aws:s3:us-east-1:123456789012:accesspoint/open-ap",
        FixSettings::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Manual);
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("cannot be changed after creation"), "{note}");
}

/// `(id, destination ARN, events)` of each of a bucket's notifications, sorted.
async fn notifications(clients: &Clients, bucket: &str) -> Vec<(String, String, Vec<String>)> {
    let out = clients
        .s3
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    let events = |e: &[aws_sdk_s3::types::Event]| e.iter().map(|e| e.as_str().to_owned()).collect();
    let mut found: Vec<(String, String, Vec<String>)> = out
        .topic_configurations()
        .iter()
        .map(|c| {
            (
                c.id().unwrap_or_default().to_owned(),
                c.topic_arn().to_owned(),
                events(c.events()),
            )
        })
        .chain(out.queue_configurations().iter().map(|c| {
            (
                c.id().unwrap_or_default().to_owned(),
                c.queue_arn().to_owned(),
                events(c.events()),
            )
        }))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn s3_11_adds_one_notification_on_approval_and_undo_removes_only_it() {
    let (emulator, clients, bucket) = bucket().await;
    let (refused, _, note) = run_bucket(
        &emulator,
        &clients,
        "s3-11-imported.json",
        &bucket,
        FixSettings::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "{note}");
    assert!(note.contains("set HUBFIX_S3_EVENT_DESTINATION"), "{note}");

    let topic = seeds::data::topic(&clients).await;
    let settings = FixSettings {
        s3_event_destination: Some(topic.clone()),
        ..FixSettings::default()
    };
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "s3-11-imported.json",
        &format!("arn:aws:s3:::{bucket}"),
        Policy {
            settings: settings.clone(),
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(
        waiting.kind,
        OutcomeKind::Refused,
        "billed, approval: {note}"
    );
    assert!(notifications(&clients, &bucket).await.is_empty());

    let (outcome, status, note) = run_bucket(
        &emulator,
        &clients,
        "s3-11-imported.json",
        &bucket,
        settings.clone(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let ours = (
        "hubfix-s3-11".to_owned(),
        topic.clone(),
        vec!["s3:ObjectRemoved:*".to_owned()],
    );
    assert_eq!(notifications(&clients, &bucket).await, [ours]);
    assert_tags_untouched(&clients, &bucket).await;

    // Someone adds a notification of their own afterwards; undo keeps it.
    let (queue, _) = seeds::data::plain_queue(&clients).await;
    let theirs = aws_sdk_s3::types::QueueConfiguration::builder()
        .id("audit")
        .queue_arn(&queue)
        .events(aws_sdk_s3::types::Event::from("s3:ObjectCreated:*"))
        .build()
        .unwrap();
    let current = clients
        .s3
        .get_bucket_notification_configuration()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    clients
        .s3
        .put_bucket_notification_configuration()
        .bucket(&bucket)
        .notification_configuration(
            aws_sdk_s3::types::NotificationConfiguration::builder()
                .set_topic_configurations(Some(current.topic_configurations().to_vec()))
                .queue_configurations(theirs)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let steps = hubfix_tests::undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap_err();
    let text = steps.to_string();
    assert!(text.contains("reads"), "the read-back differs: {text}");
    let left = notifications(&clients, &bucket).await;
    assert_eq!(
        left,
        [(
            "audit".to_owned(),
            queue,
            vec!["s3:ObjectCreated:*".to_owned()]
        )],
        "only hubfix's notification went"
    );
}
