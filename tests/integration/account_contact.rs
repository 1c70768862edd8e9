//! `Account.1` against the emulator: the account's security contact (AWS Account
//! Management's alternate contacts, which moto keeps per account).

use aws_sdk_account::types::AlternateContactType;
use hubfix::aws::Clients;
use hubfix::settings::{FixSettings, SecurityContact};
use hubfix::OutcomeKind;
use hubfix_tests::seeds::account;
use hubfix_tests::{auto, run_event, undo_outcome_with, Emulator};

fn configured() -> FixSettings {
    FixSettings {
        security_contact: Some(SecurityContact {
            name: "Cloud Security Team".into(),
            title: "Security".into(),
            email: "security@example.com".into(),
            phone: "+1 206 555 0100".into(),
        }),
        ..FixSettings::default()
    }
}

/// The account's contact of `kind`: `(name, title, e-mail, phone)`, `None` when unset.
async fn contact(
    clients: &Clients,
    kind: AlternateContactType,
) -> Option<(String, String, String, String)> {
    let out = clients
        .account
        .get_alternate_contact()
        .alternate_contact_type(kind)
        .send()
        .await
        .ok()?;
    let c = out.alternate_contact()?;
    let text = |s: Option<&str>| s.unwrap_or_default().to_owned();
    Some((
        text(c.name()),
        text(c.title()),
        text(c.email_address()),
        text(c.phone_number()),
    ))
}

async fn put_contact(clients: &Clients, kind: AlternateContactType, name: &str) {
    clients
        .account
        .put_alternate_contact()
        .alternate_contact_type(kind)
        .name(name)
        .title("Owner")
        .email_address(format!("{}@example.com", name.to_lowercase()))
        .phone_number("+1 206 555 0199")
        .send()
        .await
        .expect("put an alternate contact");
}

#[tokio::test]
async fn account_1_sets_the_configured_security_contact_and_undo_removes_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    put_contact(&clients, AlternateContactType::Billing, "Finance").await;
    let billing = contact(&clients, AlternateContactType::Billing).await;

    let (unset, status, note) = run_event(
        &emulator,
        &clients,
        "account-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(unset.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("HUBFIX_SECURITY_CONTACT_EMAIL"), "{note}");
    assert_eq!(
        contact(&clients, AlternateContactType::Security).await,
        None
    );

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "account-1-imported.json",
        &account(),
        auto(configured()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("Cloud Security Team (Security) <security@example.com>"),
        "{note}"
    );
    assert!(!note.contains("555"), "no phone number in the note: {note}");
    assert_eq!(
        contact(&clients, AlternateContactType::Security).await,
        Some((
            "Cloud Security Team".into(),
            "Security".into(),
            "security@example.com".into(),
            "+1 206 555 0100".into()
        ))
    );
    assert_eq!(
        contact(&clients, AlternateContactType::Billing).await,
        billing,
        "the other contacts are untouched"
    );

    let steps = undo_outcome_with(&clients, &outcome, &configured())
        .await
        .unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("deleted the security contact")),
        "{steps:?}"
    );
    assert_eq!(
        contact(&clients, AlternateContactType::Security).await,
        None
    );
    assert_eq!(
        contact(&clients, AlternateContactType::Billing).await,
        billing
    );
}

#[tokio::test]
async fn account_1_never_replaces_a_security_contact_the_account_has() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    put_contact(&clients, AlternateContactType::Security, "Incident").await;
    let before = contact(&clients, AlternateContactType::Security).await;
    for settings in [configured(), FixSettings::default()] {
        let (outcome, status, note) = run_event(
            &emulator,
            &clients,
            "account-1-imported.json",
            &account(),
            auto(settings),
        )
        .await;
        assert_eq!(outcome.kind, OutcomeKind::AlreadyCompliant, "{note}");
        assert_eq!(status, "RESOLVED");
    }
    assert_eq!(
        contact(&clients, AlternateContactType::Security).await,
        before
    );
}
