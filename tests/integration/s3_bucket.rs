//! S3.8: bucket-level Block Public Access.

use aws_sdk_s3::types::{PublicAccessBlockConfiguration, Tag, Tagging};
use hubfix::remediate::s3::block_public_access::BlockBefore;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{event, finding_state, import, retarget, Emulator};
use serde_json::Value;

struct Case {
    emulator: Emulator,
    clients: hubfix::aws::Clients,
    bucket: String,
    event: Value,
    finding_id: String,
}

/// A bucket with only BlockPublicAcls on and an unrelated tag, and its imported finding.
async fn public_bucket(tags: &[(&str, &str)]) -> Case {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = seeds::s3::bucket(&clients, "public").await;
    clients
        .s3
        .put_public_access_block()
        .bucket(&bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    if !tags.is_empty() {
        let mut tagging = Tagging::builder();
        for (k, v) in tags {
            tagging = tagging.tag_set(Tag::builder().key(*k).value(*v).build().unwrap());
        }
        clients
            .s3
            .put_bucket_tagging()
            .bucket(&bucket)
            .tagging(tagging.build().unwrap())
            .send()
            .await
            .unwrap();
    }
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), &bucket);
    import(&clients, &ev).await;
    let finding_id = ev["detail"]["findings"][0]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    Case {
        emulator,
        clients,
        bucket,
        event: ev,
        finding_id,
    }
}

async fn block_settings(case: &Case) -> Option<[bool; 4]> {
    match case
        .clients
        .s3
        .get_public_access_block()
        .bucket(&case.bucket)
        .send()
        .await
    {
        Ok(out) => {
            let c = out.public_access_block_configuration().unwrap();
            Some([
                c.block_public_acls().unwrap_or(false),
                c.ignore_public_acls().unwrap_or(false),
                c.block_public_policy().unwrap_or(false),
                c.restrict_public_buckets().unwrap_or(false),
            ])
        }
        Err(_) => None,
    }
}

async fn tags(case: &Case) -> Vec<(String, String)> {
    let Ok(out) = case
        .clients
        .s3
        .get_bucket_tagging()
        .bucket(&case.bucket)
        .send()
        .await
    else {
        return Vec::new();
    };
    out.tag_set()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

#[tokio::test]
async fn fixes_a_public_bucket_and_resolves_the_finding() {
    let case = public_bucket(&[("team", "payments")]).await;
    let engine = case.emulator.engine(Policy::default()).await;
    let report = engine.handle_json(&case.event).await.unwrap();

    let outcome = &report.outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
    assert_eq!(block_settings(&case).await, Some([true; 4]));
    assert_eq!(
        tags(&case).await,
        [("team".to_owned(), "payments".to_owned())]
    );
    let before = outcome.before.as_ref().unwrap();
    assert_eq!(before.resource, format!("bucket {}", case.bucket));
    let config = before.state_as::<BlockBefore>().unwrap().config.unwrap();
    assert!(config.block_public_acls && !config.ignore_public_acls);
    let (status, note) = finding_state(&case.clients, &case.finding_id).await;
    assert_eq!(status, "RESOLVED");
    let note = note.unwrap();
    assert!(
        note.contains("turned on IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets"),
        "{note}"
    );
    assert!(
        report.update_failures.is_empty(),
        "{:?}",
        report.update_failures
    );
}

#[tokio::test]
async fn dry_run_changes_nothing_and_says_what_it_would_do() {
    let case = public_bucket(&[]).await;
    let policy = Policy {
        dry_run: true,
        ..Policy::default()
    };
    let report = case
        .emulator
        .engine(policy)
        .await
        .handle_json(&case.event)
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::DryRun);
    assert_eq!(
        block_settings(&case).await,
        Some([true, false, false, false])
    );
    let (status, note) = finding_state(&case.clients, &case.finding_id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("dry run"));
}

#[tokio::test]
async fn an_exempt_bucket_is_skipped_with_a_note() {
    let case = public_bucket(&[("hubfix:exempt", "public website, SEC-42")]).await;
    let report = case
        .emulator
        .engine(Policy::default())
        .await
        .handle_json(&case.event)
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Exempt);
    assert_eq!(
        block_settings(&case).await,
        Some([true, false, false, false])
    );
    let (status, note) = finding_state(&case.clients, &case.finding_id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("exemption tag `hubfix:exempt`"));
}

#[tokio::test]
async fn a_deleted_bucket_gives_a_notified_finding_with_a_clear_note() {
    let case = public_bucket(&[]).await;
    case.clients
        .s3
        .delete_bucket()
        .bucket(&case.bucket)
        .send()
        .await
        .unwrap();
    let report = case
        .emulator
        .engine(Policy::default())
        .await
        .handle_json(&case.event)
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Failed);
    let (status, note) = finding_state(&case.clients, &case.finding_id).await;
    assert_eq!(status, "NOTIFIED");
    let note = note.unwrap();
    assert!(
        note.contains(&format!(
            "bucket {} no longer exists (NoSuchBucket)",
            case.bucket
        )),
        "{note}"
    );
}

#[tokio::test]
async fn running_an_event_twice_changes_nothing_the_second_time() {
    let case = public_bucket(&[]).await;
    let engine = case.emulator.engine(Policy::default()).await;
    let first = engine.handle_json(&case.event).await.unwrap();
    assert_eq!(first.outcomes[0].kind, OutcomeKind::Remediated);
    let second = engine.handle_json(&case.event).await.unwrap();
    assert_eq!(second.outcomes[0].kind, OutcomeKind::AlreadyCompliant);
    assert!(second.outcomes[0].changes.is_empty());
    assert_eq!(block_settings(&case).await, Some([true; 4]));
    let (status, note) = finding_state(&case.clients, &case.finding_id).await;
    assert_eq!(status, "RESOLVED");
    assert!(note.unwrap().contains("already compliant"));
}

#[tokio::test]
async fn hubfix_own_updates_do_not_retrigger_it() {
    let case = public_bucket(&[]).await;
    let engine = case.emulator.engine(Policy::default()).await;
    engine.handle_json(&case.event).await.unwrap();
    let (_, note_after_fix) = finding_state(&case.clients, &case.finding_id).await;

    // Security Hub emits an Imported event for hubfix's own BatchUpdateFindings: replay
    // the finding as it is now, RESOLVED, and as it was in between, NOTIFIED.
    for status in ["RESOLVED", "NOTIFIED"] {
        let mut echo = case.event.clone();
        echo["detail"]["findings"][0]["Workflow"]["Status"] = Value::from(status);
        let report = engine.handle_json(&echo).await.unwrap();
        assert_eq!(report.outcomes[0].kind, OutcomeKind::Ignored, "{status}");
    }
    let (status, note) = finding_state(&case.clients, &case.finding_id).await;
    assert_eq!(status, "RESOLVED");
    assert_eq!(note, note_after_fix, "no new note was written");
}
