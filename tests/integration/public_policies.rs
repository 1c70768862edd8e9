//! Resource policies that allow public access (SNS.4, SQS.3, KMS.5) against the
//! emulator: approval first, then only the public statements removed (every other
//! statement read back as it was), the finding resolved, and the policy put back by
//! an undo. And SSM documents shared with everyone (SSM.4), and the Region's block of
//! public sharing (SSM.7).

use aws_sdk_sqs::types::QueueAttributeName;
use hubfix::aws::Clients;
use hubfix::remediate::resource_policy::statements;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::policies;
use hubfix_tests::{run_event, run_event_on_type, undo_outcome, Emulator};
use serde_json::Value;

use crate::logging_catalogue::remediated;
use hubfix_tests::auto;

/// The `Sid`s of a policy's statements, in order.
fn sids(policy: &Value) -> Vec<String> {
    statements(policy)
        .iter()
        .map(|s| s["Sid"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The policy without the statement `sid`: what the fix must leave.
fn without(policy: &Value, sid: &str) -> Value {
    let mut doc = policy.clone();
    doc["Statement"] = Value::Array(
        statements(policy)
            .into_iter()
            .filter(|s| s["Sid"] != sid)
            .cloned()
            .collect(),
    );
    doc
}

fn parse(text: Option<String>) -> Option<Value> {
    text.map(|t| serde_json::from_str(&t).expect("a JSON policy"))
}

async fn topic_policy(clients: &Clients, topic: &str) -> Option<Value> {
    let out = clients
        .sns
        .get_topic_attributes()
        .topic_arn(topic)
        .send()
        .await
        .expect("topic attributes");
    parse(out.attributes().and_then(|a| a.get("Policy")).cloned())
}

async fn queue_policy(clients: &Clients, url: &str) -> Option<Value> {
    let out = clients
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .expect("queue attributes");
    parse(
        out.attributes()
            .and_then(|a| a.get(&QueueAttributeName::Policy))
            .filter(|p| !p.is_empty())
            .cloned(),
    )
}

async fn key_policy(clients: &Clients, key: &str) -> Value {
    let out = clients
        .kms
        .get_key_policy()
        .key_id(key)
        .policy_name("default")
        .send()
        .await
        .expect("the key policy");
    parse(out.policy().map(str::to_owned)).expect("a key policy")
}

#[tokio::test]
async fn sns_4_removes_only_the_public_statement_on_approval_and_undo_puts_it_back() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (topic, policy) = policies::public_topic(&clients).await;
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "sns-4-imported.json",
        &topic,
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(topic_policy(&clients, &topic).await.as_ref(), Some(&policy));

    let outcome = remediated(
        &emulator,
        &clients,
        "sns-4-imported.json",
        &topic,
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome.note.contains("AnyonePublishes"), "{}", outcome.note);
    let fixed = topic_policy(&clients, &topic).await.expect("a policy");
    assert_eq!(fixed, without(&policy, "AnyonePublishes"));
    assert_eq!(sids(&fixed), ["__default_statement_ID", "OrgSubscribes"]);
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "sns-4-imported.json",
        &topic,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(topic_policy(&clients, &topic).await, Some(policy));
}

#[tokio::test]
async fn sqs_3_keeps_the_partner_and_a_policy_left_empty_is_removed() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (queue, url, policy) = policies::public_queue(&clients).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "sqs-3-imported.json",
        &queue,
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome.note.contains("AnyoneSends"), "{}", outcome.note);
    let fixed = queue_policy(&clients, &url).await.expect("a policy");
    assert_eq!(fixed, without(&policy, "AnyoneSends"));
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(queue_policy(&clients, &url).await, Some(policy.clone()));

    let only_public = without(&policy, "PartnerSends");
    clients
        .sqs
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::Policy, only_public.to_string())
        .send()
        .await
        .unwrap();
    let outcome = remediated(
        &emulator,
        &clients,
        "sqs-3-imported.json",
        &queue,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(queue_policy(&clients, &url).await, None, "{}", outcome.note);
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(queue_policy(&clients, &url).await, Some(only_public));
}

#[tokio::test]
async fn kms_5_removes_the_public_grant_and_leaves_an_all_public_policy_to_a_person() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (arn, id, policy) = policies::public_key(&clients).await;
    let outcome = remediated(
        &emulator,
        &clients,
        "kms-5-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(
        key_policy(&clients, &id).await,
        without(&policy, "AnyoneDecrypts")
    );
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(key_policy(&clients, &id).await, policy);

    let all_public = without(&policy, "Enable IAM User Permissions");
    clients
        .kms
        .put_key_policy()
        .key_id(&id)
        .policy_name("default")
        .policy(all_public.to_string())
        .send()
        .await
        .unwrap();
    let (manual, status, note) = run_event(
        &emulator,
        &clients,
        "kms-5-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(manual.kind, OutcomeKind::Manual, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("every statement"), "{note}");
    assert_eq!(key_policy(&clients, &id).await, all_public);
}

/// Who an SSM document is shared with: `(account ids, version shared with everyone)`.
async fn document_sharing(clients: &Clients, name: &str) -> (Vec<String>, Option<String>) {
    let out = clients
        .ssm
        .describe_document_permission()
        .name(name)
        .permission_type(aws_sdk_ssm::types::DocumentPermissionType::Share)
        .send()
        .await
        .expect("document permission");
    let public = out
        .account_sharing_info_list()
        .iter()
        .find(|i| i.account_id() == Some("all"))
        .and_then(|i| i.shared_document_version().map(str::to_owned));
    (out.account_ids().to_vec(), public)
}

#[tokio::test]
async fn ssm_4_makes_a_public_document_private_on_approval_and_undo_shares_it_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let public = policies::ssm_document(&clients, "patch-fleet", &["all"]).await;
    let partner = policies::ssm_document(&clients, "partner-runbook", &["111122223333"]).await;
    let public_before = document_sharing(&clients, &public).await;
    assert_eq!(public_before.0, ["all"]);
    let partner_before = document_sharing(&clients, &partner).await;
    let arn = policies::ssm_document_arn(&public);

    let (waiting, status, note) = run_event(
        &emulator,
        &clients,
        "ssm-4-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(status, "NOTIFIED");
    assert_eq!(document_sharing(&clients, &public).await, public_before);

    let outcome = remediated(
        &emulator,
        &clients,
        "ssm-4-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert!(outcome.note.contains("with everyone"), "{}", outcome.note);
    assert_eq!(
        document_sharing(&clients, &public).await,
        (Vec::new(), None)
    );
    assert_eq!(
        document_sharing(&clients, &partner).await,
        partner_before,
        "a document shared with named accounts is not public and is left alone"
    );

    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(document_sharing(&clients, &public).await, public_before);

    let (partner_outcome, status, note) = run_event_on_type(
        &emulator,
        &clients,
        "ssm-4-imported.json",
        "Other",
        &policies::ssm_document_arn(&partner),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(
        partner_outcome.kind,
        OutcomeKind::AlreadyCompliant,
        "{note}"
    );
    assert_eq!(status, "RESOLVED");
}

/// The Region's public sharing setting of SSM documents: `Enable` or `Disable`.
async fn public_sharing(clients: &Clients) -> String {
    clients
        .ssm
        .get_service_setting()
        .setting_id("/ssm/documents/console/public-sharing-permission")
        .send()
        .await
        .expect("the service setting")
        .service_setting()
        .and_then(|s| s.setting_value())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn ssm_7_blocks_public_sharing_and_leaves_public_documents_to_ssm_4() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let public = policies::ssm_document(&clients, "patch-fleet", &["all"]).await;
    let sharing_before = document_sharing(&clients, &public).await;
    assert_eq!(public_sharing(&clients).await, "Enable");

    let outcome = remediated(
        &emulator,
        &clients,
        "ssm-7-imported.json",
        &hubfix_tests::seeds::account(),
        Policy::default(),
    )
    .await;
    assert!(
        outcome.note.contains("blocked public sharing"),
        "{}",
        outcome.note
    );
    assert_eq!(public_sharing(&clients).await, "Disable");
    assert_eq!(
        document_sharing(&clients, &public).await,
        sharing_before,
        "a document already public is SSM.4's"
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "ssm-7-imported.json",
        &hubfix_tests::seeds::account(),
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(public_sharing(&clients).await, "Enable");
}
