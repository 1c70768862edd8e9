//! The IAM catalogue against the emulator. The emulator cannot backdate credentials,
//! so the age-based rules run with hubfix's clock moved forward (`FixSettings::now`).

use std::time::{Duration, SystemTime};

use hubfix::aws::Clients;
use hubfix::policy::Mode;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::{self, account, iam::user_with_keys, user_arn};
use hubfix_tests::{run_event, run_event_on_type, Emulator};

const DAY: u64 = 86_400;

fn auto_in(days_from_now: u64) -> Policy {
    Policy {
        settings: FixSettings {
            now: Some(SystemTime::now() + Duration::from_secs(days_from_now * DAY)),
            ..FixSettings::default()
        },
        default_mode: Some(Mode::Auto),
        ..Policy::default()
    }
}

async fn key_statuses(clients: &Clients, user: &str) -> Vec<(String, String)> {
    let out = clients
        .iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap();
    out.access_key_metadata()
        .iter()
        .map(|k| {
            (
                k.access_key_id().unwrap().to_owned(),
                k.status().unwrap().as_str().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn password_policy_controls_share_one_strong_policy() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    clients
        .iam
        .update_account_password_policy()
        .minimum_password_length(20)
        .require_symbols(true)
        .send()
        .await
        .unwrap();
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-15-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let policy = clients
        .iam
        .get_account_password_policy()
        .send()
        .await
        .unwrap();
    let p = policy.password_policy().unwrap();
    assert_eq!(
        p.minimum_password_length(),
        Some(20),
        "a stronger setting is kept"
    );
    assert!(
        p.require_uppercase_characters() && p.require_lowercase_characters() && p.require_numbers()
    );
    assert_eq!(p.max_password_age(), Some(90));
    assert_eq!(p.password_reuse_prevention(), Some(24));
    // Every password control's finding now finds the one policy compliant.
    for file in [
        "iam-7-imported.json",
        "iam-10-imported.json",
        "iam-11-imported.json",
        "iam-12-imported.json",
        "iam-13-imported.json",
        "iam-14-imported.json",
        "iam-15-imported.json",
        "iam-16-imported.json",
        "iam-17-imported.json",
    ] {
        let (outcome, status, _) =
            run_event(&emulator, &clients, file, &account(), Policy::default()).await;
        assert_eq!(outcome.kind, OutcomeKind::AlreadyCompliant, "{file}");
        assert_eq!(status, "RESOLVED");
    }
}

#[tokio::test]
async fn iam_3_deactivates_keys_older_than_90_days_only() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, keys) = user_with_keys(&clients, 1).await;
    let (outcome, _, _) = run_event(
        &emulator,
        &clients,
        "iam-3-imported.json",
        &user_arn(&user),
        auto_in(30),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::AlreadyCompliant,
        "30 days old is fine"
    );
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-3-imported.json",
        &user_arn(&user),
        auto_in(100),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!("deactivated access key {}", keys[0])),
        "{note}"
    );
    assert_eq!(
        key_statuses(&clients, &user).await,
        [(keys[0].clone(), "Inactive".to_owned())]
    );
}

#[tokio::test]
async fn unused_credentials_follow_their_control_s_age() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, _) = user_with_keys(&clients, 1).await;
    seeds::iam::console_password(&clients, &user).await;
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "iam-8-imported.json",
        &user_arn(&user),
        auto_in(50),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::AlreadyCompliant,
        "IAM.8 waits 90 days: {note}"
    );
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-22-imported.json",
        &user_arn(&user),
        auto_in(50),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("deleted the console password"), "{note}");
    assert!(key_statuses(&clients, &user)
        .await
        .iter()
        .all(|(_, s)| s == "Inactive"));
    assert!(clients
        .iam
        .get_login_profile()
        .user_name(&user)
        .send()
        .await
        .is_err());
    let before = outcome.before.unwrap().state;
    assert_eq!(before["console_password"], true);
}

#[tokio::test]
async fn cis_1_13_keeps_one_active_key_on_approval() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, _) = user_with_keys(&clients, 2).await;
    let (outcome, status, _) = run_event(
        &emulator,
        &clients,
        "cis-1-13-imported.json",
        &user_arn(&user),
        Policy::default(),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Refused,
        "approval-only by default"
    );
    assert_eq!(status, "NOTIFIED");
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cis-1-13-imported.json",
        &user_arn(&user),
        auto_in(0),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let active = key_statuses(&clients, &user)
        .await
        .into_iter()
        .filter(|(_, s)| s == "Active")
        .count();
    assert_eq!(active, 1);
}

#[tokio::test]
async fn user_policies_move_to_a_group_with_the_same_permissions() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, managed) = seeds::iam::user_with_policies(&clients).await;

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-2-imported.json",
        &user_arn(&user),
        auto_in(0),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let group = format!("hubfix-{user}");
    assert!(clients
        .iam
        .list_attached_user_policies()
        .user_name(&user)
        .send()
        .await
        .unwrap()
        .attached_policies()
        .is_empty());
    assert!(clients
        .iam
        .list_user_policies()
        .user_name(&user)
        .send()
        .await
        .unwrap()
        .policy_names()
        .is_empty());
    let attached = clients
        .iam
        .list_attached_group_policies()
        .group_name(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_arn(),
        Some(managed.as_str())
    );
    let inline = clients
        .iam
        .get_group_policy()
        .group_name(&group)
        .policy_name("inline-read")
        .send()
        .await
        .unwrap();
    assert!(inline.policy_document().contains("ListAllMyBuckets"));
    let groups = clients
        .iam
        .list_groups_for_user()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups()[0].group_name(), group);

    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "cis-1-15-imported.json",
        &user_arn(&user),
        auto_in(0),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
}

#[tokio::test]
async fn iam_18_creates_the_support_role_once() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-18-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let attached = clients
        .iam
        .list_attached_role_policies()
        .role_name("hubfix-aws-support")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_name(),
        Some("AWSSupportAccess")
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "iam-18-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
}

#[tokio::test]
async fn iam_28_creates_an_account_analyzer_per_region_once() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-28-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let analyzers = clients
        .accessanalyzer
        .list_analyzers()
        .send()
        .await
        .unwrap();
    let names: Vec<_> = analyzers.analyzers().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["hubfix-account-analyzer"]);
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "iam-28-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);
}

/// The emulator reports every server certificate as expired (moto fixes the expiry in
/// 2012), so this checks the deletion path; `iam::tests::only_expired_certificates_are_selected`
/// checks that valid certificates are kept.
#[tokio::test]
async fn iam_26_deletes_expired_certificates_on_approval() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    seeds::iam::server_certificate(&clients, "old-site").await;
    let (outcome, _, _) = run_event(
        &emulator,
        &clients,
        "iam-26-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Refused,
        "approval-only by default"
    );
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-26-imported.json",
        &account(),
        auto_in(0),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("deleted server certificate old-site"),
        "{note}"
    );
    let left = clients.iam.list_server_certificates().send().await.unwrap();
    assert!(left.server_certificate_metadata_list().is_empty());
}

#[tokio::test]
async fn root_user_controls_are_manual_with_steps() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    for (file, words) in [
        ("iam-4-imported.json", "delete every access key"),
        ("iam-6-imported.json", "hardware MFA device"),
        ("iam-9-imported.json", "assign an MFA device"),
    ] {
        let (outcome, status, note) =
            run_event(&emulator, &clients, file, &account(), Policy::default()).await;
        assert_eq!(outcome.kind, OutcomeKind::Manual, "{file}");
        assert_eq!(status, "NOTIFIED");
        assert!(note.contains(words), "{note}");
    }
}

#[tokio::test]
async fn iam_5_takes_the_console_password_of_a_user_without_mfa_on_approval_only() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, keys) = user_with_keys(&clients, 1).await;
    seeds::iam::console_password(&clients, &user).await;
    let (waiting, status, note) = run_event(
        &emulator,
        &clients,
        "iam-5-imported.json",
        &user_arn(&user),
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(status, "NOTIFIED");
    let has_password = |user: String| {
        let iam = clients.iam.clone();
        async move { iam.get_login_profile().user_name(user).send().await.is_ok() }
    };
    assert!(has_password(user.clone()).await);

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "iam-5-imported.json",
        &user_arn(&user),
        auto_in(0),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("create-login-profile"), "{note}");
    assert!(!has_password(user.clone()).await);
    assert_eq!(
        key_statuses(&clients, &user).await,
        [(keys[0].clone(), "Active".to_owned())],
        "access keys are kept"
    );
    let err = hubfix_tests::undo_outcome(&clients, &outcome)
        .await
        .unwrap_err();
    assert!(
        matches!(err, hubfix::error::FixError::Irreversible(_)),
        "{err}"
    );
}

#[tokio::test]
async fn iam_5_leaves_a_console_user_with_an_mfa_device_alone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, _) = user_with_keys(&clients, 0).await;
    seeds::iam::console_password(&clients, &user).await;
    let device = clients
        .iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(&user)
        .send()
        .await
        .unwrap();
    let serial = device
        .virtual_mfa_device()
        .unwrap()
        .serial_number()
        .to_owned();
    clients
        .iam
        .enable_mfa_device()
        .user_name(&user)
        .serial_number(serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "iam-5-imported.json",
        &user_arn(&user),
        auto_in(0),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::AlreadyCompliant, "{note}");
}

#[tokio::test]
async fn iam_27_detaches_cloudshell_full_access_from_users_groups_and_roles_on_approval() {
    use seeds::iam::{
        attached_policies, identity_with_cloudshell, CLOUDSHELL_POLICY, READ_ONLY_POLICY,
    };
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let both = [CLOUDSHELL_POLICY.to_owned(), READ_ONLY_POLICY.to_owned()];
    let mut identities = Vec::new();
    for (asff, kind) in [
        ("AwsIamRole", "role"),
        ("AwsIamUser", "user"),
        ("AwsIamGroup", "group"),
    ] {
        let (arn, name) = identity_with_cloudshell(&clients, kind).await;
        identities.push((asff, kind, arn, name));
    }
    for (i, (asff, kind, arn, name)) in identities.iter().enumerate() {
        let (waiting, status, note) = run_event_on_type(
            &emulator,
            &clients,
            "iam-27-imported.json",
            asff,
            arn,
            Policy::default(),
        )
        .await;
        assert_eq!(waiting.kind, OutcomeKind::Refused, "approval-only: {note}");
        assert_eq!(status, "NOTIFIED");
        assert_eq!(attached_policies(&clients, kind, name).await, both);

        let (outcome, status, note) = run_event_on_type(
            &emulator,
            &clients,
            "iam-27-imported.json",
            asff,
            arn,
            auto_in(0),
        )
        .await;
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{kind}: {note}");
        assert_eq!(status, "RESOLVED");
        assert!(
            note.contains(&format!(
                "detached AWSCloudShellFullAccess from {kind} {name}"
            )),
            "{note}"
        );
        assert_eq!(
            attached_policies(&clients, kind, name).await,
            [READ_ONLY_POLICY],
            "only the CloudShell policy goes"
        );
        for (_, other_kind, _, other) in &identities[i + 1..] {
            assert_eq!(
                attached_policies(&clients, other_kind, other).await,
                both,
                "the other identities are untouched"
            );
        }

        let steps = hubfix_tests::undo_outcome(&clients, &outcome)
            .await
            .unwrap();
        assert!(
            steps
                .iter()
                .any(|s| s.contains("attached AWSCloudShellFullAccess")),
            "{steps:?}"
        );
        assert_eq!(attached_policies(&clients, kind, name).await, both);
    }

    let (gone, status, note) = run_event_on_type(
        &emulator,
        &clients,
        "iam-27-imported.json",
        "AwsIamRole",
        "arn:aws:iam::123456789012:role/hubfix-no-such-role",
        auto_in(0),
    )
    .await;
    assert_eq!(gone.kind, OutcomeKind::Failed, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("no longer exists"), "{note}");
}
