//! The CloudTrail catalogue (CloudTrail.1, .2, .4, .5, .6, .7 and CIS 3.10/3.11): each
//! fix against the emulator, read back, recorded on the finding, already compliant the
//! second time, and undone; plus a missing resource and a bad setting.

use hubfix::error::FixError;
use hubfix::remediate::cloudtrail::model::{key_policy_allows_cloudtrail, logs_role_trust_policy};
use hubfix::remediate::cloudtrail::{
    trail_bucket_name, LOGS_ROLE_NAME, TRAIL_KEY_ALIAS, TRAIL_NAME,
};
use hubfix::remediate::CREATED_BY_TAG;
use hubfix::settings::FixSettings;
use hubfix::OutcomeKind;
use hubfix_tests::seeds::{self, logging::user_trail};
use hubfix_tests::{run_event, undo_outcome, undo_outcome_with, unique, Emulator, ACCOUNT, REGION};

use crate::logging_catalogue::remediated;
use hubfix_tests::auto;
use hubfix_tests::seeds::account;

type Clients = hubfix::aws::Clients;

async fn trail(clients: &Clients, arn: &str) -> aws_sdk_cloudtrail::types::Trail {
    clients
        .cloudtrail
        .get_trail()
        .name(arn)
        .send()
        .await
        .unwrap()
        .trail()
        .unwrap()
        .clone()
}

async fn logging(clients: &Clients, arn: &str) -> bool {
    clients
        .cloudtrail
        .get_trail_status()
        .name(arn)
        .send()
        .await
        .unwrap()
        .is_logging()
        .unwrap_or(false)
}

async fn trail_names(clients: &Clients) -> Vec<String> {
    clients
        .cloudtrail
        .describe_trails()
        .send()
        .await
        .unwrap()
        .trail_list()
        .iter()
        .filter_map(|t| t.name().map(str::to_owned))
        .collect()
}

async fn bucket_exists(clients: &Clients, bucket: &str) -> bool {
    clients.s3.head_bucket().bucket(bucket).send().await.is_ok()
}

#[tokio::test]
async fn cloudtrail_1_creates_a_trail_with_a_private_bucket_and_undo_deletes_both() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.plan.len(), 3, "{:?}", outcome.plan);
    let arn = format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL_NAME}");
    let created = trail(&clients, &arn).await;
    assert_eq!(created.is_multi_region_trail(), Some(true));
    assert_eq!(created.log_file_validation_enabled(), Some(true));
    assert!(logging(&clients, &arn).await);
    let bucket = trail_bucket_name(ACCOUNT, REGION);
    assert_eq!(created.s3_bucket_name(), Some(bucket.as_str()));
    let block = clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let block = block.public_access_block_configuration().unwrap();
    assert_eq!(block.block_public_acls(), Some(true));
    assert_eq!(block.restrict_public_buckets(), Some(true));
    let encryption = clients
        .s3
        .get_bucket_encryption()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert!(encryption.server_side_encryption_configuration().is_some());
    let policy = clients
        .s3
        .get_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert!(
        policy.policy().unwrap().contains(&arn),
        "scoped to the trail"
    );

    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "cloudtrail-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(trail_names(&clients).await.is_empty());
    assert!(!bucket_exists(&clients, &bucket).await);
}

/// `CloudTrail.3` fails only when no trail logs at all: the CloudTrail.1 fix gives the
/// account a multi-region trail, which a CloudTrail.1 finding then finds compliant.
#[tokio::test]
async fn cloudtrail_3_gives_an_account_without_a_trail_one_that_also_passes_cloudtrail_1() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    assert!(trail_names(&clients).await.is_empty());
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-3-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    let arn = format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL_NAME}");
    assert!(logging(&clients, &arn).await);
    assert_eq!(trail_names(&clients).await, [TRAIL_NAME]);
    for file in ["cloudtrail-3-imported.json", "cloudtrail-1-imported.json"] {
        let (again, _, note) = run_event(
            &emulator,
            &clients,
            file,
            &account(),
            auto(FixSettings::default()),
        )
        .await;
        assert_eq!(again.kind, OutcomeKind::AlreadyCompliant, "{file}: {note}");
    }
    undo_outcome(&clients, &outcome).await.unwrap();
    assert!(trail_names(&clients).await.is_empty());
}

#[tokio::test]
async fn cloudtrail_1_undo_keeps_a_log_bucket_that_holds_logs() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    let bucket = trail_bucket_name(ACCOUNT, REGION);
    // A log file as CloudTrail delivers it. The emulator speaks plain HTTP, which the
    // bucket's TLS-only policy refuses (as S3 would): the policy goes first.
    clients
        .s3
        .delete_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    clients
        .s3
        .put_object()
        .bucket(&bucket)
        .key(format!("AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/log.json.gz"))
        .body(b"{}".to_vec().into())
        .send()
        .await
        .unwrap();
    let err = undo_outcome(&clients, &outcome).await.unwrap_err();
    let FixError::Irreversible(what) = err else {
        panic!("{err}")
    };
    assert!(what.contains("deleted the trail hubfix-trail"), "{what}");
    assert!(what.contains("it holds CloudTrail log files"), "{what}");
    assert!(trail_names(&clients).await.is_empty());
    assert!(bucket_exists(&clients, &bucket).await);
}

#[tokio::test]
async fn cloudtrail_1_starts_the_users_stopped_trail_rather_than_creating_one() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let single = user_trail(&clients, "single-region", false).await;
    clients
        .cloudtrail
        .start_logging()
        .name(&single)
        .send()
        .await
        .unwrap();
    let arn = user_trail(&clients, "org-trail", true).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.plan.len(), 1, "{:?}", outcome.plan);
    assert!(outcome
        .note
        .contains("started logging of the multi-region trail org-trail"));
    assert!(logging(&clients, &arn).await);
    assert_eq!(trail_names(&clients).await.len(), 2, "no trail created");
    undo_outcome(&clients, &outcome).await.unwrap();
    assert!(!logging(&clients, &arn).await);
}

#[tokio::test]
async fn cloudtrail_2_encrypts_with_a_key_for_cloudtrail_which_undo_keeps() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-2-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.plan.len(), 2, "{:?}", outcome.plan);
    let key = clients
        .kms
        .describe_key()
        .key_id(TRAIL_KEY_ALIAS)
        .send()
        .await
        .unwrap();
    let key = key.key_metadata().unwrap();
    assert_eq!(trail(&clients, &arn).await.kms_key_id(), key.arn());
    let policy = clients
        .kms
        .get_key_policy()
        .key_id(key.key_id())
        .policy_name("default")
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    assert!(key_policy_allows_cloudtrail(&policy));
    let rotation = clients
        .kms
        .get_key_rotation_status()
        .key_id(key.key_id())
        .send()
        .await
        .unwrap();
    assert!(rotation.key_rotation_enabled());
    let tags = clients
        .kms
        .list_resource_tags()
        .key_id(key.key_id())
        .send()
        .await
        .unwrap();
    assert!(tags.tags().iter().any(|t| t.tag_key() == CREATED_BY_TAG));

    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "cloudtrail-2-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps.iter().any(|s| s.contains("kept the KMS key")),
        "{steps:?}"
    );
    assert_eq!(trail(&clients, &arn).await.kms_key_id(), None);
    let state = clients
        .kms
        .describe_key()
        .key_id(TRAIL_KEY_ALIAS)
        .send()
        .await
        .unwrap();
    assert_eq!(
        state
            .key_metadata()
            .unwrap()
            .key_state()
            .map(|s| s.as_str()),
        Some("Enabled"),
        "the logs need it"
    );

    // A second fix reuses the key rather than creating another.
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-2-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.plan.len(), 1, "{:?}", outcome.plan);
}

#[tokio::test]
async fn cloudtrail_2_refuses_a_configured_key_cloudtrail_cannot_use_and_uses_a_good_one() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let plain = clients.kms.create_key().send().await.unwrap();
    let plain = plain.key_metadata().unwrap().arn().unwrap().to_owned();
    let mut settings = FixSettings::default();
    settings.catalogue.trail_kms_key = Some(plain.clone());
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cloudtrail-2-imported.json",
        &arn,
        auto(settings),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("does not let CloudTrail use it"), "{note}");
    assert_eq!(trail(&clients, &arn).await.kms_key_id(), None);

    let good = clients
        .kms
        .create_key()
        .policy(
            hubfix::remediate::cloudtrail::model::cloudtrail_key_policy("aws", ACCOUNT).to_string(),
        )
        .send()
        .await
        .unwrap();
    let good = good.key_metadata().unwrap().arn().unwrap().to_owned();
    let mut settings = FixSettings::default();
    settings.catalogue.trail_kms_key = Some(good.clone());
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-2-imported.json",
        &arn,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.plan.len(), 1, "no key created: {:?}", outcome.plan);
    assert_eq!(
        trail(&clients, &arn).await.kms_key_id(),
        Some(good.as_str())
    );
    undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(trail(&clients, &arn).await.kms_key_id(), None);
}

#[tokio::test]
async fn cloudtrail_4_turns_on_log_file_validation_and_a_missing_trail_fails_clearly() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-4-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(
        trail(&clients, &arn).await.log_file_validation_enabled(),
        Some(true)
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "cloudtrail-4-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        trail(&clients, &arn).await.log_file_validation_enabled(),
        Some(false)
    );

    let gone = format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/deleted-trail");
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cloudtrail-4-imported.json",
        &gone,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Failed, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("no longer exists"), "{note}");
}

#[tokio::test]
async fn cloudtrail_5_delivers_to_a_created_log_group_with_a_created_role_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-5-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.plan.len(), 3, "{:?}", outcome.plan);
    let t = trail(&clients, &arn).await;
    assert_eq!(
        t.cloud_watch_logs_log_group_arn(),
        Some(format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:hubfix-cloudtrail:*").as_str())
    );
    assert_eq!(
        t.cloud_watch_logs_role_arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/{LOGS_ROLE_NAME}").as_str())
    );
    let groups = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix("hubfix-cloudtrail")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(365));

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert_eq!(
        trail(&clients, &arn).await.cloud_watch_logs_log_group_arn(),
        None
    );
    assert!(clients
        .iam
        .get_role()
        .role_name(LOGS_ROLE_NAME)
        .send()
        .await
        .is_err());
    let groups = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix("hubfix-cloudtrail")
        .send()
        .await
        .unwrap();
    assert!(groups.log_groups().is_empty());
}

#[tokio::test]
async fn cloudtrail_5_uses_a_configured_role_and_refuses_one_that_does_not_exist() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let mut settings = FixSettings::default();
    settings.catalogue.trail_logs_role_arn =
        Some(format!("arn:aws:iam::{ACCOUNT}:role/no-such-role"));
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "cloudtrail-5-imported.json",
        &arn,
        auto(settings),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert!(note.contains("HUBFIX_TRAIL_LOGS_ROLE_ARN"), "{note}");

    let role = clients
        .iam
        .create_role()
        .role_name("org-trail-logs")
        .assume_role_policy_document(logs_role_trust_policy(ACCOUNT).to_string())
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_owned();
    let group = unique("org-group");
    let mut settings = FixSettings::default();
    settings.catalogue.trail_logs_role_arn = Some(role.clone());
    settings.catalogue.trail_log_group = group.clone();
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-5-imported.json",
        &arn,
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.plan.len(), 2, "no role created: {:?}", outcome.plan);
    assert_eq!(
        trail(&clients, &arn).await.cloud_watch_logs_role_arn(),
        Some(role.as_str())
    );
    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(clients
        .iam
        .get_role()
        .role_name("org-trail-logs")
        .send()
        .await
        .is_ok());
}

/// The bucket a trail delivers to, as Security Hub's CloudTrail.6 and CloudTrail.7
/// findings name it (`AwsS3Bucket`).
async fn trail_bucket_arn(clients: &Clients, trail_arn: &str) -> (String, String) {
    let bucket = seeds::logging::bucket_of_trail(clients, trail_arn).await;
    (format!("arn:aws:s3:::{bucket}"), bucket)
}

#[tokio::test]
async fn cloudtrail_6_makes_the_trail_bucket_private_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let (bucket_arn, bucket) = trail_bucket_arn(&clients, &arn).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-6-imported.json",
        &bucket_arn,
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome
        .note
        .contains(&format!("CloudTrail log bucket {bucket}")));
    let block = clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(
        block
            .public_access_block_configuration()
            .unwrap()
            .block_public_policy(),
        Some(true)
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "cloudtrail-6-imported.json",
        &bucket_arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
    undo_outcome(&clients, &outcome).await.unwrap();
    assert!(clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn cloudtrail_7_access_logs_the_trail_bucket_once_a_log_bucket_is_configured() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let (bucket_arn, bucket) = trail_bucket_arn(&clients, &arn).await;
    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "cloudtrail-7-imported.json",
        &bucket_arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "{note}");
    assert!(note.contains("CloudTrail.7 needs"), "{note}");

    let log_bucket = seeds::s3::log_delivery_bucket(&clients).await;
    let settings = FixSettings {
        s3_access_log_bucket: Some(log_bucket.clone()),
        ..FixSettings::default()
    };
    let outcome = remediated(
        &emulator,
        &clients,
        "cloudtrail-7-imported.json",
        &bucket_arn,
        auto(settings.clone()),
    )
    .await;
    let logging = clients
        .s3
        .get_bucket_logging()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(
        logging.logging_enabled().map(|l| l.target_bucket()),
        Some(log_bucket.as_str())
    );
    undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    let logging = clients
        .s3
        .get_bucket_logging()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert!(logging.logging_enabled().is_none());
}

async fn selectors(
    clients: &Clients,
    arn: &str,
) -> aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput {
    clients
        .cloudtrail
        .get_event_selectors()
        .trail_name(arn)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cis_3_10_and_3_11_add_selectors_keeping_the_users_and_undo_removes_only_theirs() {
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    clients
        .cloudtrail
        .start_logging()
        .name(&arn)
        .send()
        .await
        .unwrap();
    let users = vec![
        EventSelector::builder()
            .read_write_type(ReadWriteType::All)
            .include_management_events(true)
            .build(),
        EventSelector::builder()
            .read_write_type(ReadWriteType::All)
            .include_management_events(false)
            .data_resources(
                DataResource::builder()
                    .r#type("AWS::Lambda::Function")
                    .values("arn:aws:lambda")
                    .build(),
            )
            .build(),
    ];
    clients
        .cloudtrail
        .put_event_selectors()
        .trail_name(&arn)
        .set_event_selectors(Some(users))
        .send()
        .await
        .unwrap();

    let write = remediated(
        &emulator,
        &clients,
        "cis-3-10-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    let read = remediated(
        &emulator,
        &clients,
        "cis-3-11-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    let now = selectors(&clients, &arn).await;
    let kinds: Vec<_> = now
        .event_selectors()
        .iter()
        .map(|s| s.read_write_type().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(kinds, ["All", "All", "WriteOnly", "ReadOnly"]);
    assert_eq!(
        now.event_selectors()[1].data_resources()[0].r#type(),
        Some("AWS::Lambda::Function"),
        "the user's data events stay"
    );
    assert_eq!(
        now.event_selectors()[2].data_resources()[0].values(),
        ["arn:aws:s3"]
    );
    for file in ["cis-3-10-imported.json", "cis-3-11-imported.json"] {
        let (again, _, _) = run_event(
            &emulator,
            &clients,
            file,
            &account(),
            auto(FixSettings::default()),
        )
        .await;
        assert_eq!(again.kind, OutcomeKind::AlreadyCompliant, "{file}");
    }

    // Undone in the order they were made or not, each undo removes only its selector.
    undo_outcome(&clients, &write).await.unwrap();
    let kinds: Vec<_> = selectors(&clients, &arn)
        .await
        .event_selectors()
        .iter()
        .map(|s| s.read_write_type().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(kinds, ["All", "All", "ReadOnly"]);
    undo_outcome(&clients, &read).await.unwrap();
    assert_eq!(selectors(&clients, &arn).await.event_selectors().len(), 2);
}

#[tokio::test]
async fn cis_3_10_adds_an_advanced_selector_to_an_advanced_trail() {
    use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = user_trail(&clients, "org-trail", true).await;
    let management = AdvancedEventSelector::builder()
        .name("management")
        .field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("Management")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    clients
        .cloudtrail
        .put_event_selectors()
        .trail_name(&arn)
        .advanced_event_selectors(management)
        .send()
        .await
        .unwrap();
    let outcome = remediated(
        &emulator,
        &clients,
        "cis-3-10-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    let now = selectors(&clients, &arn).await;
    assert_eq!(now.advanced_event_selectors().len(), 2);
    assert_eq!(now.advanced_event_selectors()[0].name(), Some("management"));
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        selectors(&clients, &arn)
            .await
            .advanced_event_selectors()
            .len(),
        1
    );
}

#[tokio::test]
async fn cis_3_11_without_a_multi_region_trail_is_refused_with_a_note() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    user_trail(&clients, "single-region", false).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cis-3-11-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("fix CloudTrail.1 first"), "{note}");
}
