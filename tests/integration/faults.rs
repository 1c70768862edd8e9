//! hubfix under faults: a proxy between hubfix and the emulator throttles (each
//! protocol's own error), resets connections before and after the emulator saw a
//! request, and delays responses on a seeded schedule.

use std::sync::Arc;
use std::time::Duration;

use hubfix::audit::{AuditFilter, AuditTrail, Stage, DEFAULT_PREFIX};
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::faults::{Fault, FaultProxy, Schedule};
use hubfix_tests::seeds;
use hubfix_tests::{finding_state, public_buckets, remediate_buckets_event, Emulator};

#[tokio::test]
async fn retries_win_over_throttling_and_resets_and_nothing_is_applied_twice() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let trail_bucket = seeds::s3::bucket(&clients, "fault-trail").await;
    let buckets = public_buckets(&clients, "faulty", 12).await;
    let ev = remediate_buckets_event(&clients, &buckets).await;
    let proxy = FaultProxy::start(
        &emulator.endpoint,
        Schedule {
            seed: 20261123,
            rate: 0.35,
            faults: vec![
                Fault::Throttle,
                Fault::ResetBefore,
                Fault::ResetAfter,
                Fault::Delay(Duration::from_millis(150)),
            ],
            max_in_a_row: Some(2),
            eligible: Arc::new(|_| true),
        },
    )
    .await;
    let trail = AuditTrail::new(
        emulator.clients().await.s3.client().clone(),
        &trail_bucket,
        DEFAULT_PREFIX,
    );
    let engine = emulator
        .engine_via(&proxy.endpoint, Policy::default())
        .await
        .with_audit(Some(trail.clone()));

    let report = engine.handle_json(&ev).await.unwrap();
    let stats = proxy.stats();
    for fault in [Fault::Throttle, Fault::ResetBefore, Fault::ResetAfter] {
        assert!(
            stats.faults.get(&fault).copied().unwrap_or(0) > 0,
            "the schedule injected {fault:?}: {stats:?}"
        );
    }
    assert_eq!(report.outcomes.len(), buckets.len(), "no finding dropped");
    for o in &report.outcomes {
        assert_eq!(o.kind, OutcomeKind::Remediated, "{}", o.note);
    }
    assert!(
        report.update_failures.is_empty(),
        "{:?}",
        report.update_failures
    );
    for (o, bucket) in report.outcomes.iter().zip(&buckets) {
        let (status, note) = finding_state(&clients, &o.finding_id).await;
        assert_eq!(status, "RESOLVED", "{bucket}");
        assert!(note.unwrap().contains("hubfix fixed S3.8"));
    }
    // Each fix was planned and applied once: one `planned` record per finding (a
    // retried call is the same application, never a second fix).
    let records = trail.list(&AuditFilter::default()).await.unwrap();
    for o in &report.outcomes {
        let planned = records
            .iter()
            .filter(|r| r.finding_id == o.finding_id && r.stage == Stage::Planned)
            .count();
        assert_eq!(planned, 1, "{}", o.finding_id);
    }
    let puts: usize = stats
        .forwarded
        .iter()
        .filter(|(op, _)| op.starts_with("PUT ") && op.contains("publicAccessBlock"))
        .map(|(_, n)| n)
        .sum();
    let lost = stats.faults.get(&Fault::ResetAfter).copied().unwrap_or(0);
    assert!(
        puts >= buckets.len() && puts <= buckets.len() + lost,
        "{puts} PutPublicAccessBlock calls reached the emulator for {} buckets; only a call whose answer was lost may repeat ({lost} lost)",
        buckets.len()
    );
}

#[tokio::test]
async fn a_fix_throttled_past_its_retries_is_reported_not_dropped() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "faulty", 2).await;
    let ev = remediate_buckets_event(&clients, &buckets).await;
    let target = format!("/{}/?publicAccessBlock", buckets[0]);
    let proxy = FaultProxy::start(
        &emulator.endpoint,
        Schedule {
            seed: 1,
            rate: 1.0,
            faults: vec![Fault::Throttle],
            max_in_a_row: None,
            eligible: Arc::new(move |r| r.method == "PUT" && r.target.starts_with(&target)),
        },
    )
    .await;
    let engine = emulator
        .engine_via(&proxy.endpoint, Policy::default())
        .await;
    let report = engine.handle_json(&ev).await.unwrap();
    let throttled = &report.outcomes[0];
    assert_eq!(throttled.kind, OutcomeKind::Failed);
    assert!(
        throttled
            .note
            .contains("was throttled (SlowDown) and the SDK's retries ran out"),
        "{}",
        throttled.note
    );
    assert_eq!(
        proxy.stats().faults[&Fault::Throttle],
        hubfix::aws::MAX_ATTEMPTS as usize,
        "every attempt the SDK made was throttled"
    );
    assert_eq!(
        report.outcomes[1].kind,
        OutcomeKind::Remediated,
        "the other finding is unaffected"
    );
    let (status, note) = finding_state(&clients, &throttled.finding_id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("retries ran out"));
}

#[tokio::test]
async fn security_hub_throttling_does_not_lose_an_outcome() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "faulty", 3).await;
    let ev = remediate_buckets_event(&clients, &buckets).await;
    let proxy = FaultProxy::start(
        &emulator.endpoint,
        Schedule {
            seed: 99,
            rate: 0.6,
            faults: vec![Fault::Throttle, Fault::ResetAfter],
            max_in_a_row: Some(3),
            eligible: Arc::new(|r| r.service == "securityhub"),
        },
    )
    .await;
    let engine = emulator
        .engine_via(&proxy.endpoint, Policy::default())
        .await;
    let report = engine.handle_json(&ev).await.unwrap();
    assert!(proxy.stats().faults.values().sum::<usize>() > 0);
    assert!(
        report.update_failures.is_empty(),
        "{:?}",
        report.update_failures
    );
    for o in &report.outcomes {
        assert_eq!(o.kind, OutcomeKind::Remediated);
        assert_eq!(finding_state(&clients, &o.finding_id).await.0, "RESOLVED");
    }
}

#[tokio::test]
async fn on_the_automatic_path_a_fix_throttled_past_its_retries_is_deferred_and_marked() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "faulty", 1).await;
    let mut ev = hubfix_tests::event("s3-8-imported.json");
    hubfix_tests::retarget(
        &mut ev,
        &format!("arn:aws:s3:::{}", buckets[0]),
        &buckets[0],
    );
    hubfix_tests::import(&clients, &ev).await;
    let target = format!("/{}/?publicAccessBlock", buckets[0]);
    let proxy = FaultProxy::start(
        &emulator.endpoint,
        Schedule::always_throttle(move |r| r.method == "PUT" && r.target.starts_with(&target)),
    )
    .await;
    let engine = emulator
        .engine_via(&proxy.endpoint, Policy::default())
        .await;
    let report = engine.handle_json(&ev).await.unwrap();
    let deferred = &report.outcomes[0];
    assert_eq!(deferred.kind, OutcomeKind::Deferred, "{}", deferred.note);
    assert!(
        deferred.note.contains("the resource's API kept throttling")
            && deferred.note.contains("hubfix tries again by itself after"),
        "{}",
        deferred.note
    );
    let (status, _) = finding_state(&clients, &deferred.finding_id).await;
    assert_eq!(status, "NOTIFIED");
    let marker = deferred.deferral.expect("a deferral");
    assert_eq!(marker.reason, hubfix::deferral::DeferReason::Throttled);
}
