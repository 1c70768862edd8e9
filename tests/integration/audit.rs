//! The audit trail: every decision is recorded with who asked, a fix is applied only
//! once its before-state is stored, and the records read back per finding and by filter.

use hubfix::audit::{AuditFilter, AuditTrail, Stage, DEFAULT_PREFIX};
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{event, finding_state, import, retarget, unique, Emulator};
use serde_json::Value;

fn bucket_event(bucket: &str) -> Value {
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), bucket);
    ev
}

#[tokio::test]
async fn every_decision_is_recorded_and_a_fix_waits_for_its_before_state() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let trail_bucket = unique("trail");
    let fixed = unique("fixed");
    let exempt = unique("exempt");
    for b in [&trail_bucket, &fixed, &exempt] {
        clients
            .s3
            .create_bucket()
            .bucket(b.as_str())
            .send()
            .await
            .unwrap();
    }
    clients
        .s3
        .put_bucket_tagging()
        .bucket(&exempt)
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(
                    aws_sdk_s3::types::Tag::builder()
                        .key("hubfix:exempt")
                        .value("true")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let trail = AuditTrail::new(clients.s3.client().clone(), &trail_bucket, DEFAULT_PREFIX);
    let engine = emulator
        .engine(Policy::default())
        .await
        .with_audit(Some(trail.clone()))
        .with_actor("function hubfix-auto-remediate");

    let mut ev = bucket_event(&fixed);
    let second = bucket_event(&exempt)["detail"]["findings"][0].clone();
    ev["detail"]["findings"]
        .as_array_mut()
        .unwrap()
        .push(second);
    import(&clients, &ev).await;
    let report = engine.handle_json(&ev).await.unwrap();
    assert_eq!(report.audit_failures, Vec::<String>::new());
    let kinds: Vec<_> = report.outcomes.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [OutcomeKind::Remediated, OutcomeKind::Exempt]);

    let fixed_id = &report.outcomes[0].finding_id;
    let history = trail.history(fixed_id).await.unwrap();
    let stages: Vec<Stage> = history.iter().map(|r| r.stage).collect();
    assert_eq!(stages, [Stage::Planned, Stage::Decided]);
    assert_eq!(history[0].outcome, None);
    assert_eq!(history[0].before, history[1].before);
    assert_eq!(history[1].outcome, Some(OutcomeKind::Remediated));
    assert_eq!(
        history[1].actor,
        "function hubfix-auto-remediate: automatic (imported finding)"
    );
    assert_eq!(history[1].plan.len(), 1);
    assert!(history[1].after.is_some());

    let exempt_id = &report.outcomes[1].finding_id;
    let exempt_history = trail.history(exempt_id).await.unwrap();
    assert_eq!(exempt_history.len(), 1, "refusals are decisions too");
    assert_eq!(exempt_history[0].outcome, Some(OutcomeKind::Exempt));

    let all = trail.list(&AuditFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3);
    let s3_8 = trail
        .list(&AuditFilter {
            control: Some("S3.8".into()),
            since: Some("2000-01-01".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(s3_8.len(), 3);
    let future = trail
        .list(&AuditFilter {
            since: Some("2999-01-01".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(future.is_empty());
}

#[tokio::test]
async fn without_a_place_for_the_before_state_nothing_changes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = seeds::s3::bucket(&clients, "unsaved").await;
    let missing = AuditTrail::new(
        clients.s3.client().clone(),
        unique("no-such-trail"),
        DEFAULT_PREFIX,
    );
    let engine = emulator
        .engine(Policy::default())
        .await
        .with_audit(Some(missing));
    let ev = bucket_event(&bucket);
    import(&clients, &ev).await;
    let report = engine.handle_json(&ev).await.unwrap();
    let outcome = &report.outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Failed);
    assert!(
        outcome.note.contains("in the audit trail (")
            && outcome.note.contains("does not exist (NoSuchBucket)")
            && outcome.note.ends_with("nothing changed."),
        "{}",
        outcome.note
    );
    assert!(
        clients
            .s3
            .get_public_access_block()
            .bucket(&bucket)
            .send()
            .await
            .is_err(),
        "the bucket was not touched"
    );
    assert_eq!(
        report.audit_failures.len(),
        1,
        "the decision itself could not be recorded either"
    );
    let (status, note) = finding_state(&clients, &outcome.finding_id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("nothing changed"));
}
