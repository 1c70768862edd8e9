//! The corpus of bad events (`tests/corpus/`, expectations in `expected.json`): each
//! event runs through `Engine::handle_json` against the emulator and is refused with
//! the expected error, or gives every finding the expected outcome. No finding is
//! dropped, every note recorded on a finding fits Security Hub (at most 512 characters,
//! no control characters), and no resource but the ones the findings name is changed.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{IpPermission, IpRange};
use hubfix::aws::Clients;
use hubfix::finding::parse_finding;
use hubfix::outcome::{fit_note, MAX_NOTE_CHARS};
use hubfix::{Outcome, Policy, Report};
use hubfix_tests::{finding_state, workspace, Emulator};
use serde_json::Value;

/// Buckets the corpus names; all start public (no Block Public Access).
const BUCKETS: &[&str] = &[
    "corpus-good",
    "corpus-nocompliance",
    "corpus-dup",
    "corpus-text",
    "corpus-tolerant",
    "corpus-victim",
    "corpus-other",
];
/// The only buckets the corpus's valid findings ask hubfix to fix (`corpus-tolerant`: a
/// finding whose only quirk is in a field hubfix does not act on, `Severity`).
const FIXED: &[&str] = &[
    "corpus-good",
    "corpus-nocompliance",
    "corpus-dup",
    "corpus-text",
    "corpus-tolerant",
];

/// The corpus events by file name, and the expectations of `expected.json`.
fn corpus() -> (Vec<(String, Value)>, serde_json::Map<String, Value>) {
    let dir = workspace().join("tests/corpus");
    let read = |name: &str| -> Value {
        let text =
            std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let Value::Object(expected) = read("expected.json") else {
        panic!("expected.json is an object of file name -> expectation");
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".json") && n != "expected.json")
        .collect();
    names.sort();
    let listed: BTreeSet<_> = expected.keys().cloned().collect();
    assert_eq!(
        names.iter().cloned().collect::<BTreeSet<_>>(),
        listed,
        "every corpus file has an expectation and every expectation a file"
    );
    let events = names.into_iter().map(|n| (n.clone(), read(&n))).collect();
    (events, expected)
}

/// Whether a text is fit for a person: at most `max` characters, no control characters.
fn is_clear(text: &str, max: usize) -> bool {
    text.chars().count() <= max && !text.chars().any(char::is_control)
}

/// Imports each finding of an event that parses, one by one; returns the ids Security
/// Hub accepted (the emulator refuses what is not valid ASFF, as Security Hub would).
async fn import_each(clients: &Clients, event: &Value) -> BTreeSet<String> {
    let mut imported = BTreeSet::new();
    let findings = event["detail"]["findings"].as_array().into_iter().flatten();
    for (i, raw) in findings.enumerate() {
        if let Ok(f) = parse_finding(i, raw) {
            if hubfix::securityhub::import(&clients.securityhub, std::slice::from_ref(&f))
                .await
                .is_empty()
            {
                imported.insert(f.id);
            }
        }
    }
    imported
}

/// A recorded outcome is on its finding (fitted and clean), or, for a finding Security
/// Hub does not hold, reported as an update failure: never silently lost. Returns
/// whether the note was read back from Security Hub.
async fn check_recorded(
    clients: &Clients,
    file: &str,
    report: &Report,
    o: &Outcome,
    imported: &BTreeSet<String>,
) -> bool {
    if !o.is_recorded() {
        return false;
    }
    if imported.contains(&o.finding_id) {
        let (status, note) = finding_state(clients, &o.finding_id).await;
        let note = note.unwrap_or_else(|| panic!("{file}: {} has no note", o.finding_id));
        assert!(
            is_clear(&note, MAX_NOTE_CHARS),
            "{file}: note of {} does not fit: {note:?}",
            o.finding_id
        );
        assert_eq!(note, fit_note(&o.note), "{file}: {}", o.finding_id);
        assert_eq!(
            Some(status.as_str()),
            o.workflow().map(|w| w.as_str()),
            "{file}: {}",
            o.finding_id
        );
        true
    } else {
        assert!(
            report.update_failures.iter().any(|f| f.id == o.finding_id),
            "{file}: {} is neither in Security Hub nor among the update failures",
            o.finding_id
        );
        false
    }
}

async fn create_buckets(clients: &Clients) {
    for bucket in BUCKETS {
        clients
            .s3
            .create_bucket()
            .bucket(*bucket)
            .send()
            .await
            .unwrap();
    }
}

/// A security group open to the world on SSH, which no corpus finding may change.
async fn open_ssh_group(clients: &Clients) -> String {
    let group = clients
        .ec2
        .create_security_group()
        .group_name("corpus-open-ssh")
        .description("corpus")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    group
}

/// What one event did: the buckets it fixed, and how many notes were read back.
#[derive(Default)]
struct Checked {
    fixed: Vec<String>,
    notes_read_back: usize,
}

/// Checks one event against its expectation.
async fn check_event(
    emulator: &Emulator,
    clients: &Clients,
    file: &str,
    event: &Value,
    expected: &Value,
) -> Checked {
    let engine = emulator.engine(Policy::default()).await;
    if let Some(error) = expected["refused"].as_str() {
        let err = engine
            .handle_json(event)
            .await
            .err()
            .unwrap_or_else(|| panic!("{file}: the event was not refused"))
            .to_string();
        assert!(err.contains(error), "{file}: {err:?} lacks {error:?}");
        assert!(is_clear(&err, 200), "{file}: unclear error {err:?}");
        return Checked::default();
    }
    let imported = import_each(clients, event).await;
    let report = engine
        .handle_json(event)
        .await
        .unwrap_or_else(|e| panic!("{file}: refused: {e}"));
    let raw = event["detail"]["findings"].as_array().expect("findings");
    let want = expected["findings"].as_array().expect("expected findings");
    assert_eq!(
        report.outcomes.len(),
        raw.len(),
        "{file}: a finding was dropped"
    );
    assert_eq!(
        want.len(),
        raw.len(),
        "{file}: expected.json lists every finding"
    );
    let mut checked = Checked::default();
    for (i, (o, w)) in report.outcomes.iter().zip(want).enumerate() {
        let note = w["note"].as_str().expect("a note substring");
        assert_eq!(
            Some(o.kind.as_str()),
            w["kind"].as_str(),
            "{file}[{i}]: {}",
            o.note
        );
        assert!(
            o.note.contains(note),
            "{file}[{i}]: {:?} lacks {note:?}",
            o.note
        );
        if check_recorded(clients, file, &report, o, &imported).await {
            checked.notes_read_back += 1;
        }
        if o.kind == hubfix::OutcomeKind::Remediated {
            checked
                .fixed
                .push(o.target.as_ref().expect("a target").name.clone());
        }
    }
    checked
}

#[tokio::test]
async fn every_bad_event_ends_as_the_corpus_expects_and_touches_nothing_else() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    create_buckets(&clients).await;
    let group = open_ssh_group(&clients).await;
    let (events, expected) = corpus();
    let mut fixed = BTreeMap::new();
    let mut notes_read_back = 0;
    for (file, event) in &events {
        let checked = check_event(&emulator, &clients, file, event, &expected[file]).await;
        notes_read_back += checked.notes_read_back;
        for bucket in checked.fixed {
            fixed.insert(bucket, file.clone());
        }
    }
    assert!(
        notes_read_back >= 40,
        "only {notes_read_back} notes could be read back: the corpus no longer exercises recording"
    );
    assert_eq!(
        fixed.keys().map(String::as_str).collect::<Vec<_>>(),
        FIXED
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
        "fixed by: {fixed:?}"
    );
    for bucket in BUCKETS {
        let blocked = clients
            .s3
            .get_public_access_block()
            .bucket(*bucket)
            .send()
            .await
            .is_ok();
        assert_eq!(blocked, FIXED.contains(bucket), "bucket {bucket}");
    }
    let rules = clients
        .ec2
        .describe_security_groups()
        .group_ids(&group)
        .send()
        .await
        .unwrap();
    assert!(
        rules.security_groups()[0]
            .ip_permissions()
            .iter()
            .any(|p| p.from_port() == Some(22)),
        "the SSH rule of {group} is gone"
    );
    let account_block = clients
        .s3control
        .get_public_access_block()
        .account_id(hubfix_tests::ACCOUNT)
        .send()
        .await;
    assert!(
        account_block.is_err(),
        "the account's Block Public Access was changed"
    );
}
