//! Undo beyond the round trip (`round_trip.rs` puts every reversible rule back as it
//! was): the fixes that cannot be fully undone say what is left, a partial undo is still
//! recorded and noted, and the IsolateInstance custom action is undone.

use std::time::{Duration, SystemTime};

use aws_sdk_ec2::types::Filter;
use hubfix::audit::{AuditTrail, Stage, DEFAULT_PREFIX};
use hubfix::error::FixError;
use hubfix::policy::Mode;
use hubfix::remediate::ec2::isolate::{ISOLATED_TAG, ORIGINAL_GROUPS_TAG, SNAPSHOT_SOURCE_TAG};
use hubfix::remediate::ec2::FINAL_SNAPSHOT_TAG;
use hubfix::settings::FixSettings;
use hubfix::undo::{last_fix, undo_fix, UndoError};
use hubfix::{Outcome, OutcomeKind, Policy};
use hubfix_tests::seeds::{self, account, ec2_arn, user_arn};
use hubfix_tests::{
    event, finding_state, import, retarget, run_event, undo_outcome, unique, Emulator, ACCOUNT,
    REGION,
};
use serde_json::json;

use crate::isolate::{instance_arn, running_instance};

/// Every control automatic, with hubfix's clock `days` ahead (the emulator cannot
/// backdate keys).
fn approved_in(days: u64) -> Policy {
    Policy {
        settings: FixSettings {
            now: Some(SystemTime::now() + Duration::from_secs(days * 86_400)),
            ..FixSettings::default()
        },
        default_mode: Some(Mode::Auto),
        ..Policy::default()
    }
}

/// Fixes a resource with `policy`, asserting the fix was applied.
async fn fixed(emulator: &Emulator, event_file: &str, resource: &str, policy: Policy) -> Outcome {
    let clients = emulator.clients().await;
    let (outcome, _, note) = run_event(emulator, &clients, event_file, resource, policy).await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Remediated,
        "{event_file}: {note}"
    );
    outcome
}

fn irreversible(result: Result<Vec<String>, FixError>) -> String {
    match result {
        Err(e @ FixError::Irreversible(_)) => e.to_string(),
        other => panic!("expected an irreversible undo, got {other:?}"),
    }
}

#[tokio::test]
async fn s3_14_a_never_versioned_bucket_stays_suspended() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let never = seeds::s3::bucket(&clients, "never-versioned").await;
    let outcome = fixed(
        &emulator,
        "s3-14-imported.json",
        &format!("arn:aws:s3:::{never}"),
        approved_in(0),
    )
    .await;
    let message = irreversible(undo_outcome(&clients, &outcome).await);
    assert!(message.contains("stays Suspended"), "{message}");
    let status = clients
        .s3
        .get_bucket_versioning()
        .bucket(&never)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status().map(|s| s.as_str()), Some("Suspended"));
}

#[tokio::test]
async fn ec2_4_termination_is_irreversible_and_names_the_snapshots() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let id = seeds::ec2::instance(&clients).await;
    clients
        .ec2
        .stop_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    // EC2.4 is never automatic: an analyst's Remediate custom action fixes it.
    let mut action = event("ec2-4-imported.json");
    action["detail-type"] = "Security Hub Findings - Custom Action".into();
    action["detail"]["actionName"] = "Remediate".into();
    action["resources"] = json!([format!(
        "arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Remediate"
    )]);
    retarget(&mut action, &ec2_arn("instance", &id), &unique("approved"));
    import(&clients, &action).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&action)
        .await
        .unwrap();
    let outcome = &report.outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
    let snapshots = clients
        .ec2
        .describe_snapshots()
        .filters(
            Filter::builder()
                .name(format!("tag:{FINAL_SNAPSHOT_TAG}"))
                .values(&id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = snapshots
        .snapshots()
        .iter()
        .filter_map(|s| s.snapshot_id())
        .collect();
    assert!(!ids.is_empty());

    let message = irreversible(undo_outcome(&clients, outcome).await);
    assert!(
        message.contains(&format!("hubfix terminated instance {id}")),
        "{message}"
    );
    for snapshot in ids {
        assert!(message.contains(snapshot), "{message}");
    }
}

/// A partial undo, as `hubfix undo` runs it: the keys come back first, the deleted
/// console password cannot, and the undo is recorded and noted all the same.
#[tokio::test]
async fn iam_22_keys_are_reactivated_but_a_deleted_console_password_is_irreversible() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, keys) = seeds::iam::user_with_keys(&clients, 1).await;
    seeds::iam::console_password(&clients, &user).await;
    let trail = AuditTrail::new(
        clients.s3.client().clone(),
        seeds::s3::bucket(&clients, "audit").await,
        DEFAULT_PREFIX,
    );
    let policy = approved_in(50);
    let settings = policy.settings.clone();
    let engine = emulator
        .engine(policy)
        .await
        .with_audit(Some(trail.clone()));
    let mut ev = event("iam-22-imported.json");
    retarget(&mut ev, &user_arn(&user), &unique("partial"));
    import(&clients, &ev).await;
    let report = engine.handle_json(&ev).await.unwrap();
    let finding = &report.outcomes[0].finding_id;
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Remediated);

    let record = last_fix(&trail, finding).await.unwrap();
    let err = undo_fix(engine.aws(), &trail, &settings, &record, "analyst")
        .await
        .unwrap_err();
    let message = match err {
        UndoError::Fix(e @ FixError::Irreversible(_)) => e.to_string(),
        other => panic!("expected a partial undo, got {other:?}"),
    };
    assert!(
        message.contains(&format!(
            "the console password hubfix deleted from user {user} cannot be restored"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "the rest was undone: reactivated access key {} of user {user}",
            keys[0]
        )),
        "{message}"
    );
    let listed = clients
        .iam
        .list_access_keys()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    let statuses: Vec<_> = listed
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.status().map(|s| s.as_str().to_owned()))
        .collect();
    assert_eq!(statuses, ["Active"], "the keys are reactivated first");
    assert!(clients
        .iam
        .get_login_profile()
        .user_name(&user)
        .send()
        .await
        .is_err());
    let history = trail.history(finding).await.unwrap();
    assert_eq!(history.last().map(|r| r.stage), Some(Stage::Undone));
    let (status, note) = finding_state(&clients, finding).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("partly undone"));
    assert!(
        matches!(
            last_fix(&trail, finding).await,
            Err(UndoError::AlreadyUndone { .. })
        ),
        "a partial undo is not tried again"
    );
}

/// The emulator reports every server certificate as expired (moto fixes the expiry in
/// 2012), which is what this needs.
#[tokio::test]
async fn iam_26_deleted_certificates_are_irreversible() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    seeds::iam::server_certificate(&clients, "old-site").await;
    let outcome = fixed(
        &emulator,
        "iam-26-imported.json",
        &account(),
        approved_in(0),
    )
    .await;
    let message = irreversible(undo_outcome(&clients, &outcome).await);
    assert!(
        message.contains("expired server certificates old-site"),
        "{message}"
    );
    assert!(message.contains("upload them again"), "{message}");
}

#[tokio::test]
async fn isolate_instance_groups_come_back_tags_go_snapshots_stay() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (id, groups) = running_instance(&clients).await;
    let mut ev = event("custom-action-isolate-instance.json");
    retarget(&mut ev, &instance_arn(&id), &unique("isolate"));
    import(&clients, &ev).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    let outcome = report.outcomes[0].clone();
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps[0],
        format!(
            "moved instance {id} back to {} and removed the tags {ORIGINAL_GROUPS_TAG} and {ISOLATED_TAG}",
            groups.join(", ")
        )
    );
    assert!(
        steps[1].starts_with("kept the forensic snapshots snap-"),
        "{steps:?}"
    );
    let described = clients
        .ec2
        .describe_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    let instance = &described.reservations()[0].instances()[0];
    let now: Vec<_> = instance
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    assert_eq!(now, groups);
    assert!(instance
        .tags()
        .iter()
        .all(|t| t.key() != Some(ORIGINAL_GROUPS_TAG) && t.key() != Some(ISOLATED_TAG)));
    let snapshots = clients
        .ec2
        .describe_snapshots()
        .filters(
            Filter::builder()
                .name(format!("tag:{SNAPSHOT_SOURCE_TAG}"))
                .values(&id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(!snapshots.snapshots().is_empty(), "the snapshots stay");
}
