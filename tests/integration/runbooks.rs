//! SSM Automation runbooks mapped to controls in configuration: started with the
//! finding's parameters, waited for, recorded on the finding, verified by hubfix's own
//! read-back where it has one, and undone through the native rule.
//!
//! The emulator runs an organisation's own document's `aws:executeAwsApi` steps
//! against itself; AWS-managed documents are not in moto, so their executions succeed
//! without changing anything (which is what the verification test relies on).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ssm::types::{DocumentFormat, DocumentType};
use hubfix::policy::Mode;
use hubfix::settings::catalogue::{CatalogueSettings, RunbookSpec};
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{
    event, finding_state, import, retarget, run_event, undo_outcome_with, unique, Emulator,
};

const BLOCK_PUBLIC_ACCESS: &str = r#"
schemaVersion: '0.3'
parameters:
  BucketName: {type: String}
mainSteps:
  - name: BlockPublicAccess
    action: aws:executeAwsApi
    inputs:
      Service: s3
      Api: PutPublicAccessBlock
      Bucket: '{{ BucketName }}'
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: true
        RestrictPublicBuckets: true
"#;

const TAG_BUCKET: &str = r#"
schemaVersion: '0.3'
parameters:
  BucketName: {type: String}
  Owner: {type: String}
mainSteps:
  - name: TagOwner
    action: aws:executeAwsApi
    inputs:
      Service: s3
      Api: PutBucketTagging
      Bucket: '{{ BucketName }}'
      Tagging:
        TagSet:
          - {Key: owner, Value: '{{ Owner }}'}
"#;

async fn document(clients: &hubfix::aws::Clients, name: &str, content: &str) {
    clients
        .ssm
        .create_document()
        .name(name)
        .content(content)
        .document_type(DocumentType::Automation)
        .document_format(DocumentFormat::Yaml)
        .send()
        .await
        .expect("create the runbook document");
}

async fn blocks_public_access(clients: &hubfix::aws::Clients, bucket: &str) -> bool {
    match clients
        .s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(out) => out.public_access_block_configuration().is_some_and(|c| {
            c.block_public_acls() == Some(true)
                && c.ignore_public_acls() == Some(true)
                && c.block_public_policy() == Some(true)
                && c.restrict_public_buckets() == Some(true)
        }),
        Err(_) => false,
    }
}

/// Runs the S3.8 sample event on bucket `name`: (outcome, workflow status, note).
async fn s3_8(
    emulator: &Emulator,
    clients: &hubfix::aws::Clients,
    name: &str,
    policy: Policy,
) -> (hubfix::Outcome, String, String) {
    let bucket = format!("arn:aws:s3:::{name}");
    run_event(emulator, clients, "s3-8-imported.json", &bucket, policy).await
}

/// Every control automatic, with `control` mapped to `document(parameters)`.
fn policy_with(control: &str, document: &str, parameters: &[(&str, &str)]) -> Policy {
    let mut runbooks = BTreeMap::new();
    runbooks.insert(
        control.to_owned(),
        RunbookSpec {
            document: document.to_owned(),
            parameters: parameters
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        },
    );
    Policy {
        default_mode: Some(Mode::Auto),
        settings: FixSettings {
            catalogue: CatalogueSettings {
                runbooks,
                runbook_wait: Duration::from_secs(30),
                ..CatalogueSettings::default()
            },
            ..FixSettings::default()
        },
        ..Policy::default()
    }
}

#[tokio::test]
async fn a_runbook_overrides_the_native_rule_and_hubfix_verifies_and_undoes_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    document(&clients, "Org-BlockPublicAccess", BLOCK_PUBLIC_ACCESS).await;
    let name = seeds::s3::bucket(&clients, "runbook").await;
    let policy = policy_with("S3.8", "Org-BlockPublicAccess", &[("BucketName", "{name}")]);
    let settings = policy.settings.clone();
    let (outcome, status, note) = s3_8(&emulator, &clients, &name, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "started SSM Automation runbook Org-BlockPublicAccess (BucketName={name})"
        )),
        "{note}"
    );
    assert!(note.contains("SSM Automation execution "), "{note}");
    assert!(
        note.contains("of Org-BlockPublicAccess ended Success"),
        "{note}"
    );
    assert!(note.contains("verified by reading it back"), "{note}");
    assert!(blocks_public_access(&clients, &name).await);

    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .expect("the native rule undoes what the runbook did");
    assert!(!steps.is_empty());
    assert!(!blocks_public_access(&clients, &name).await);
}

#[tokio::test]
async fn a_failed_runbook_is_noted_with_its_execution_and_changes_nothing() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    document(&clients, "Org-BlockPublicAccess", BLOCK_PUBLIC_ACCESS).await;
    let name = seeds::s3::bucket(&clients, "runbook").await;
    // The mapping names a bucket that does not exist: the runbook's step fails.
    let policy = policy_with(
        "S3.8",
        "Org-BlockPublicAccess",
        &[("BucketName", "{name}-gone")],
    );
    let (outcome, status, note) = s3_8(&emulator, &clients, &name, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Failed, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(
        note.contains("SSM Automation runbook Org-BlockPublicAccess execution "),
        "{note}"
    );
    assert!(note.contains("ended Failed"), "{note}");
    assert!(note.contains("NoSuchBucket"), "the step's error: {note}");
    assert!(!blocks_public_access(&clients, &name).await);
}

#[tokio::test]
async fn a_runbook_that_reports_success_without_fixing_fails_verification() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let name = seeds::s3::bucket(&clients, "runbook").await;
    // AWS-managed documents succeed in the emulator without changing anything.
    let policy = policy_with(
        "S3.8",
        "AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock",
        &[("BucketName", "{name}")],
    );
    let (outcome, status, note) = s3_8(&emulator, &clients, &name, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Failed, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("ended Success"), "{note}");
    assert!(note.contains("not compliant yet"), "{note}");
}

#[tokio::test]
async fn a_compliant_resource_starts_no_runbook() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let name = seeds::s3::bucket(&clients, "runbook").await;
    let policy = policy_with("S3.8", "Org-DoesNotExist", &[("BucketName", "{name}")]);
    let (fixed, _, _) = s3_8(
        &emulator,
        &clients,
        &name,
        Policy {
            default_mode: Some(Mode::Auto),
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(fixed.kind, OutcomeKind::Remediated);
    let (outcome, _, note) = s3_8(&emulator, &clients, &name, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::AlreadyCompliant, "{note}");
}

#[tokio::test]
async fn a_runbook_still_running_at_the_bound_is_noted_and_left_to_ssm() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    document(&clients, "Org-BlockPublicAccess", BLOCK_PUBLIC_ACCESS).await;
    let name = seeds::s3::bucket(&clients, "runbook").await;
    let mut policy = policy_with("S3.8", "Org-BlockPublicAccess", &[("BucketName", "{name}")]);
    // The emulator's executions run for a second; hubfix waits for less.
    policy.settings.catalogue.runbook_wait = Duration::from_millis(300);
    let (outcome, status, note) = s3_8(&emulator, &clients, &name, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Failed, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("is still InProgress"), "{note}");
    assert!(note.contains("it goes on in SSM"), "{note}");
}

#[tokio::test]
async fn a_control_hubfix_has_no_rule_for_runs_its_runbook_on_approval_only() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    document(&clients, "Org-TagOwner", TAG_BUCKET).await;
    let name = seeds::s3::bucket(&clients, "runbook").await;
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{name}"), &unique("f"));
    let finding = &mut ev["detail"]["findings"][0];
    finding["Compliance"]["SecurityControlId"] = "Org.1".into();
    finding["GeneratorId"] = "security-control/Org.1".into();
    import(&clients, &ev).await;
    let mut policy = policy_with(
        "Org.1",
        "Org-TagOwner",
        &[("BucketName", "{name}"), ("Owner", "platform-{account}")],
    );
    policy.default_mode = None;

    let report = emulator
        .engine(policy.clone())
        .await
        .handle_json(&ev)
        .await
        .expect("a well-formed event");
    let refused = &report.outcomes[0];
    assert_eq!(refused.kind, OutcomeKind::Refused, "{}", refused.note);
    assert!(refused.note.contains("approval"), "{}", refused.note);

    policy.modes.insert("Org.1".to_owned(), Mode::Auto);
    let settings = policy.settings.clone();
    let report = emulator
        .engine(policy)
        .await
        .handle_json(&ev)
        .await
        .expect("a well-formed event");
    let outcome = &report.outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
    let (status, note) = finding_state(&clients, &outcome.finding_id).await;
    let note = note.unwrap_or_default();
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("ended Success"), "{note}");
    assert!(note.contains("no check of its own"), "{note}");
    let tags = clients
        .s3
        .get_bucket_tagging()
        .bucket(&name)
        .send()
        .await
        .expect("the runbook tagged the bucket");
    let owner = tags.tag_set().iter().find(|t| t.key() == "owner");
    assert_eq!(
        owner.map(|t| t.value()),
        Some(format!("platform-{}", hubfix_tests::ACCOUNT).as_str())
    );
    let undo = undo_outcome_with(&clients, outcome, &settings).await;
    let err = undo.expect_err("hubfix cannot undo what it does not know");
    assert!(err.to_string().contains("cannot be undone"), "{err}");
}

#[tokio::test]
async fn a_dry_run_names_the_runbook_and_its_parameters_and_starts_nothing() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    document(&clients, "Org-BlockPublicAccess", BLOCK_PUBLIC_ACCESS).await;
    let name = seeds::s3::bucket(&clients, "runbook").await;
    let mut policy = policy_with("S3.8", "Org-BlockPublicAccess", &[("BucketName", "{name}")]);
    policy.dry_run = true;
    let (outcome, _, note) = s3_8(&emulator, &clients, &name, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::DryRun, "{note}");
    assert!(
        note.contains(&format!(
            "would have started SSM Automation runbook Org-BlockPublicAccess (BucketName={name})"
        )),
        "{note}"
    );
    assert!(!blocks_public_access(&clients, &name).await);
}
