//! Reliability: the Lambda deadline, blast-radius caps, custom actions from foreign
//! action targets, and the same event delivered twice.

use std::time::{Duration, Instant};

use hubfix::audit::{AuditFilter, AuditTrail, Stage, DEFAULT_PREFIX};
use hubfix::function::{handle, Accepts, InvocationError};
use hubfix::{OutcomeKind, Policy, SecurityHubEvent};
use hubfix_tests::seeds;
use hubfix_tests::{
    event, finding_state, import, open_ssh_group, public_buckets, remediate_buckets_event,
    retarget, unique, Emulator,
};
use serde_json::Value;

async fn blocked(clients: &hubfix::aws::Clients, bucket: &str) -> bool {
    clients
        .s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .is_ok()
}

fn with(vars: &[(&str, &str)]) -> Policy {
    Policy::from_lookup(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap()
}

#[tokio::test]
async fn near_the_deadline_no_fix_starts_and_the_rest_are_noted_not_attempted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "radius", 3).await;
    let ev = remediate_buckets_event(&clients, &buckets).await;
    let parsed = SecurityHubEvent::parse(&ev).unwrap();
    let engine = emulator
        .engine(with(&[("HUBFIX_TIME_RESERVE_SECONDS", "5")]))
        .await;

    let short = engine
        .handle_until(&parsed, Some(Instant::now() + Duration::from_secs(4)))
        .await;
    assert!(short
        .outcomes
        .iter()
        .all(|o| o.kind == OutcomeKind::NotAttempted));
    for b in &buckets {
        assert!(!blocked(&clients, b).await, "{b} untouched");
    }
    let (status, note) = finding_state(&clients, &short.outcomes[0].finding_id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("time ran out before it could start"));

    let ample = engine
        .handle_until(&parsed, Some(Instant::now() + Duration::from_secs(600)))
        .await;
    assert!(ample
        .outcomes
        .iter()
        .all(|o| o.kind == OutcomeKind::Remediated));
}

#[tokio::test]
async fn the_per_invocation_cap_leaves_the_fixes_beyond_it_to_be_run_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "radius", 3).await;
    let ev = remediate_buckets_event(&clients, &buckets).await;
    let engine = emulator
        .engine(with(&[("HUBFIX_MAX_FIXES_PER_INVOCATION", "2")]))
        .await;
    let report = engine.handle_json(&ev).await.unwrap();
    let kinds: Vec<_> = report.outcomes.iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [
            OutcomeKind::Remediated,
            OutcomeKind::Remediated,
            OutcomeKind::NotAttempted
        ]
    );
    let note = &report.outcomes[2].note;
    assert!(
        note.contains(
            "the cap of 2 fixes per invocation is reached (HUBFIX_MAX_FIXES_PER_INVOCATION)"
        ) && note.contains("Run the Remediate action on it again"),
        "{note}"
    );
    assert!(!blocked(&clients, &buckets[2]).await);
}

#[tokio::test]
async fn the_per_control_hourly_cap_counts_every_invocation_in_the_audit_trail() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let trail_bucket = seeds::s3::bucket(&clients, "rate-trail").await;
    let buckets = public_buckets(&clients, "radius", 3).await;
    let policy = || with(&[("HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR", "2")]);
    let trail = AuditTrail::new(clients.s3.client().clone(), &trail_bucket, DEFAULT_PREFIX);

    // Two invocations, as two Lambda containers would run them: separate engines.
    let first = emulator
        .engine(policy())
        .await
        .with_audit(Some(trail.clone()));
    let ev = remediate_buckets_event(&clients, &buckets[..2]).await;
    let report = first.handle_json(&ev).await.unwrap();
    assert!(report
        .outcomes
        .iter()
        .all(|o| o.kind == OutcomeKind::Remediated));

    let second = emulator
        .engine(policy())
        .await
        .with_audit(Some(trail.clone()));
    let ev = remediate_buckets_event(&clients, &buckets[2..]).await;
    let report = second.handle_json(&ev).await.unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Refused);
    assert!(report.outcomes[0]
        .note
        .contains("the cap of 2 fixes of S3.8 per hour is reached"));
    assert!(!blocked(&clients, &buckets[2]).await);

    // Without an audit trail, the process counts its own fixes.
    let local = emulator
        .engine(with(&[("HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR", "1")]))
        .await;
    let more = public_buckets(&clients, "radius", 2).await;
    let ev = remediate_buckets_event(&clients, &more[..1]).await;
    assert_eq!(
        local.handle_json(&ev).await.unwrap().outcomes[0].kind,
        OutcomeKind::Remediated
    );
    let ev = remediate_buckets_event(&clients, &more[1..]).await;
    assert_eq!(
        local.handle_json(&ev).await.unwrap().outcomes[0].kind,
        OutcomeKind::Refused
    );
}

#[tokio::test]
async fn custom_actions_must_come_from_hubfixs_own_action_targets() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let buckets = public_buckets(&clients, "radius", 1).await;
    let ev = remediate_buckets_event(&clients, &buckets).await;
    let own = ev["resources"][0].as_str().unwrap().to_owned();
    let engine = emulator
        .engine(with(&[("HUBFIX_ACTION_TARGETS", own.as_str())]))
        .await;

    let mut foreign = ev.clone();
    foreign["resources"][0] =
        Value::from("arn:aws:securityhub:us-east-1:999999999999:action/custom/Remediate");
    let refused = handle(&engine, Accepts::CustomAction, foreign, None).await;
    assert!(
        matches!(refused, Err(InvocationError::ForeignActionTarget(ref arn)) if arn.contains("999999999999"))
    );
    assert!(!blocked(&clients, &buckets[0]).await);

    let accepted = handle(&engine, Accepts::CustomAction, ev, None)
        .await
        .unwrap();
    assert_eq!(accepted["summary"]["remediated"], 1);
}

#[tokio::test]
async fn the_same_event_delivered_twice_at_once_changes_each_resource_once() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let trail_bucket = seeds::s3::bucket(&clients, "dup-trail").await;
    let trail = AuditTrail::new(clients.s3.client().clone(), &trail_bucket, DEFAULT_PREFIX);
    let group = open_ssh_group(&clients, &unique("twice")).await;
    let mut ev = event("ec2-19-imported.json");
    retarget(
        &mut ev,
        &format!("arn:aws:ec2:us-east-1:123456789012:security-group/{group}"),
        &group,
    );
    import(&clients, &ev).await;
    let policy = || with(&[("HUBFIX_DEFAULT_MODE", "auto")]);
    let a = emulator
        .engine(policy())
        .await
        .with_audit(Some(trail.clone()));
    let b = emulator
        .engine(policy())
        .await
        .with_audit(Some(trail.clone()));
    let (ra, rb) = tokio::join!(a.handle_json(&ev), b.handle_json(&ev));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let kinds = [ra.outcomes[0].kind, rb.outcomes[0].kind];
    for o in [&ra.outcomes[0], &rb.outcomes[0]] {
        assert_eq!(
            o.requeue,
            o.kind == OutcomeKind::NotAttempted,
            "a delivery that found the resource busy goes back to the queue: {o:?}"
        );
    }
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == OutcomeKind::Remediated)
            .count(),
        1,
        "{kinds:?}"
    );
    assert!(
        kinds.iter().all(|k| matches!(
            k,
            OutcomeKind::Remediated | OutcomeKind::NotAttempted | OutcomeKind::AlreadyCompliant
        )),
        "never a failure from the second delivery: {kinds:?}"
    );
    let planned = trail
        .list(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.stage == Stage::Planned)
        .count();
    assert_eq!(planned, 1, "one change was planned and applied");

    // Delivered again later: already compliant, nothing changes.
    let c = emulator.engine(policy()).await.with_audit(Some(trail));
    let later = c.handle_json(&ev).await.unwrap();
    assert_eq!(later.outcomes[0].kind, OutcomeKind::AlreadyCompliant);
    assert_eq!(
        finding_state(&clients, &later.outcomes[0].finding_id)
            .await
            .0,
        "RESOLVED"
    );
}
