//! The real-world corpus (`tests/realworld/`, each file's source cited in its README):
//! findings and events shaped as AWS documents them and as public projects keep them
//! as fixtures. Each finding must be trusted or refused for the right reason, resolve
//! to the control AWS's own mapping gives, and name the resource a rule would act on
//! (or be refused with a precise note) — `expected.json` says which. The end-to-end
//! tests run some of them through the engine against the emulator.

use std::collections::BTreeSet;

use hubfix::aws::Clients;
use hubfix::finding::{
    parse_finding, ComplianceStatus, RecordState, SecurityHubEvent, Trigger, WorkflowStatus,
};
use hubfix::policy::Policy;
use hubfix::remediate::Rule;
use hubfix::trust::{self, Home, TrustSettings, Trusted};
use hubfix::{control, registry, remediate, OutcomeKind};
use hubfix_tests::{finding_state, workspace, Emulator, ACCOUNT, REGION};
use serde_json::{json, Map, Value};

/// hubfix's own account and Region in the corpus (the scanner's findings are of it).
const HOME: Home<'static> = Home {
    account: Some(ACCOUNT),
    region: Some(REGION),
};

fn read(name: &str) -> Value {
    let path = workspace().join("tests/realworld").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The corpus's events by file name, sorted.
fn corpus() -> Vec<(String, Value)> {
    let mut names: Vec<String> = std::fs::read_dir(workspace().join("tests/realworld"))
        .expect("tests/realworld exists")
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".json") && n != "expected.json")
        .collect();
    names.sort();
    names.into_iter().map(|n| (n.clone(), read(&n))).collect()
}

/// What hubfix decides about one finding before any AWS call, as `expected.json`
/// writes it; for an imported finding, also whether the automatic path takes it.
fn decision(raw: &Value, imported: bool) -> Value {
    let f = match parse_finding(0, raw) {
        Ok(f) => f,
        Err(e) => return json!({ "malformed": e.error }),
    };
    let mut out = Map::new();
    if imported {
        let automatic = f.workflow_status() == WorkflowStatus::New
            && f.record_state() == RecordState::Active
            && f.compliance_status() == Some(ComplianceStatus::Failed);
        out.insert("automatic".into(), json!(automatic));
    }
    let rule = match trust::check(&f, &TrustSettings::default(), &HOME) {
        Ok(Trusted::Integration(integration)) => {
            out.insert(
                "trust".into(),
                json!(format!("Integration({integration:?})")),
            );
            match hubfix::threat::classify(&f, integration) {
                Ok(threat) => {
                    out.insert("playbook".into(), json!(threat.playbook.rule.control_id));
                    &threat.playbook.rule
                }
                Err(note) => {
                    out.insert("no_playbook".into(), json!(note));
                    return Value::Object(out);
                }
            }
        }
        Ok(t) => {
            out.insert("trust".into(), json!(format!("{t:?}")));
            match control_rule(&f, &mut out) {
                Some(rule) => rule,
                None => return Value::Object(out),
            }
        }
        Err(why) => {
            out.insert("refused".into(), json!(why.note()));
            return Value::Object(out);
        }
    };
    match remediate::target(&f, rule) {
        Ok(t) => {
            out.insert("target".into(), json!(t.name));
            out.insert("region".into(), json!(t.region));
            out.insert("partition".into(), json!(t.partition));
        }
        Err(e) => {
            out.insert("target_error".into(), json!(e.to_string()));
        }
    }
    Value::Object(out)
}

/// The rule of a control finding's control, noting the control (or why it has none).
fn control_rule(f: &hubfix::Finding, out: &mut Map<String, Value>) -> Option<&'static Rule> {
    let control = match control::resolve(f) {
        Ok(c) => c,
        Err(e) => {
            out.insert("unresolved".into(), json!(e.to_string()));
            return None;
        }
    };
    out.insert("control".into(), json!(control.control_id));
    let rule = registry::rule(&control.control_id);
    if rule.is_none() {
        out.insert("rule".into(), Value::Null);
    }
    rule
}

/// Whether `actual` meets `want`: the same keys; strings of the messages (`refused`,
/// `unresolved`, `target_error`, `malformed`) contain the expected text, others equal.
fn meets(actual: &Value, want: &Value) -> Result<(), String> {
    let (Some(actual), Some(want)) = (actual.as_object(), want.as_object()) else {
        return Err("not objects".into());
    };
    let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<BTreeSet<_>>();
    if keys(actual) != keys(want) {
        return Err(format!("keys {:?} != {:?}", keys(actual), keys(want)));
    }
    for (k, w) in want {
        let a = &actual[k];
        let ok = match k.as_str() {
            "refused" | "unresolved" | "target_error" | "malformed" | "no_playbook" => a
                .as_str()
                .zip(w.as_str())
                .is_some_and(|(a, w)| a.contains(w)),
            _ => a == w,
        };
        if !ok {
            return Err(format!("{k}: {a} does not meet {w}"));
        }
    }
    Ok(())
}

#[test]
fn every_real_world_finding_resolves_as_aws_maps_it_or_is_refused_for_its_reason() {
    let expected = read("expected.json");
    let events = corpus();
    let files: BTreeSet<_> = events.iter().map(|(n, _)| n.clone()).collect();
    let listed: BTreeSet<_> = expected.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        files, listed,
        "every file has an expectation and every expectation a file"
    );
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, event) in &events {
        let parsed =
            SecurityHubEvent::parse(event).unwrap_or_else(|e| panic!("{file}: refused: {e}"));
        let imported = parsed.trigger == Trigger::Imported;
        let raw = event["detail"]["findings"].as_array().unwrap();
        let want = expected[file]["findings"].as_array().unwrap();
        assert_eq!(
            raw.len(),
            want.len(),
            "{file}: expected.json lists every finding"
        );
        assert_eq!(
            parsed.findings.len(),
            raw.len(),
            "{file}: a finding was dropped"
        );
        for (i, (f, w)) in raw.iter().zip(want).enumerate() {
            count += 1;
            let actual = decision(f, imported);
            if let Err(why) = meets(&actual, w) {
                failures.push(format!("{file}[{i}]: {why}\n  actual: {actual}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 50, "only {count} findings in the corpus");
}

/// A corpus file with each `(from, to)` of `swaps` replaced (the emulator's account,
/// the ids of the resources a test creates), and each finding's `Id` made unique.
fn rehomed(name: &str, swaps: &[(&str, &str)]) -> Value {
    let text = swaps.iter().fold(
        serde_json::to_string(&read(name)).unwrap(),
        |text, (from, to)| text.replace(from, to),
    );
    let mut event: Value = serde_json::from_str(&text).unwrap();
    let tag = hubfix_tests::unique("rw");
    for f in event["detail"]["findings"].as_array_mut().unwrap() {
        if let Some(id) = f["Id"].as_str() {
            f["Id"] = json!(format!("{id}-{tag}"));
        }
    }
    event
}

/// The event with only the findings at `keep`.
fn only(mut event: Value, keep: &[usize]) -> Value {
    let all = event["detail"]["findings"].as_array().unwrap().clone();
    event["detail"]["findings"] = json!(keep.iter().map(|i| all[*i].clone()).collect::<Vec<_>>());
    event
}

/// Imports the findings the emulator's Security Hub accepts; returns their ids.
async fn import_each(clients: &Clients, event: &Value) -> BTreeSet<String> {
    let mut imported = BTreeSet::new();
    for (i, raw) in event["detail"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        if let Ok(f) = parse_finding(i, raw) {
            let failed =
                hubfix::securityhub::import(&clients.securityhub, std::slice::from_ref(&f)).await;
            if failed.is_empty() {
                imported.insert(f.id);
            }
        }
    }
    imported
}

async fn is_blocked(clients: &Clients, bucket: &str) -> bool {
    clients
        .s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn findings_of_products_hubfix_does_not_trust_reach_no_rule_and_are_noted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    // The bucket the GuardDuty, Macie, Prowler and custom-integration findings name,
    // public as a website's bucket is: Macie's finding (a policy finding of a public
    // bucket) runs the BlockPublicBucket playbook on it; the others change nothing.
    clients
        .s3
        .create_bucket()
        .bucket("acme-website-assets")
        .send()
        .await
        .unwrap();
    // The user the scanner's findings name, with two active keys (CIS 1.4.0 1.13 fails).
    clients
        .iam
        .create_user()
        .user_name("ci-deployer")
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        clients
            .iam
            .create_access_key()
            .user_name("ci-deployer")
            .send()
            .await
            .unwrap();
    }
    let expected = read("expected.json");
    for file in [
        "other-products.json",
        "scanner-findings-genuine-and-forged.json",
    ] {
        let event = rehomed(file, &[]);
        let imported = import_each(&clients, &event).await;
        let report = emulator
            .engine(Policy::default())
            .await
            .handle_json(&event)
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let want = expected[file]["findings"].as_array().unwrap();
        assert_eq!(report.outcomes.len(), want.len(), "{file}");
        for (i, (o, w)) in report.outcomes.iter().zip(want).enumerate() {
            if let Some(why) = w["refused"].as_str() {
                assert_eq!(o.kind, OutcomeKind::Refused, "{file}[{i}]: {}", o.note);
                assert!(o.note.contains(why), "{file}[{i}]: {}", o.note);
                assert!(o.control_id.is_none() && o.rule.is_none(), "{file}[{i}]");
            } else if let Some(why) = w["no_playbook"].as_str() {
                assert_eq!(o.kind, OutcomeKind::Unsupported, "{file}[{i}]: {}", o.note);
                assert!(o.note.contains(why), "{file}[{i}]: {}", o.note);
                assert!(o.rule.is_none(), "{file}[{i}]");
            } else if let Some(playbook) = w["playbook"].as_str() {
                // Inspector's instance does not exist in the emulator: its playbook runs
                // and finds it gone.
                let gone = o.kind == OutcomeKind::Failed && o.note.contains("no longer exists");
                assert!(
                    o.kind == OutcomeKind::Remediated || gone,
                    "{file}[{i}]: {}",
                    o.note
                );
                assert_eq!(o.rule.as_deref(), Some(playbook), "{file}[{i}]");
            } else {
                assert_eq!(o.kind, OutcomeKind::Remediated, "{file}[{i}]: {}", o.note);
                assert_eq!(o.control_id.as_deref(), w["control"].as_str());
            }
            if imported.contains(&o.finding_id) {
                let (status, note) = finding_state(&clients, &o.finding_id).await;
                let resolved = o.kind == OutcomeKind::Remediated;
                assert_eq!(status, if resolved { "RESOLVED" } else { "NOTIFIED" });
                assert_eq!(
                    note.as_deref(),
                    Some(hubfix::outcome::fit_note(&o.note).as_str())
                );
            }
        }
    }
    assert!(
        is_blocked(&clients, "acme-website-assets").await,
        "Macie's public-bucket finding blocked the bucket"
    );
    let keys = clients
        .iam
        .list_access_keys()
        .user_name("ci-deployer")
        .send()
        .await
        .unwrap();
    let active = keys
        .access_key_metadata()
        .iter()
        .filter(|k| k.status().map(|s| s.as_str()) == Some("Active"))
        .count();
    assert_eq!(active, 1, "the genuine scanner finding was fixed once");
}

#[tokio::test]
async fn an_iam_user_named_by_unique_id_is_fixed_through_its_details_or_refused_precisely() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    clients
        .iam
        .create_user()
        .user_name("sharrtest")
        .send()
        .await
        .unwrap();
    clients
        .iam
        .create_access_key()
        .user_name("sharrtest")
        .send()
        .await
        .unwrap();
    // hubfix reads the user's name from the finding's details about that very unique
    // id; it never guesses which user an id is.
    let event = rehomed(
        "iam-users-by-name-and-by-id.json",
        &[("111122223333", ACCOUNT)],
    );
    // IAM.8 waits 90 days of disuse; the emulator cannot backdate a key.
    let later = Policy {
        settings: hubfix::settings::FixSettings {
            now: Some(std::time::SystemTime::now() + std::time::Duration::from_secs(200 * 86_400)),
            ..hubfix::settings::FixSettings::default()
        },
        ..Policy::default()
    };
    let engine = emulator.engine(later).await;
    let refused = engine
        .handle_json(&only(event.clone(), &[0]))
        .await
        .unwrap();
    let o = &refused.outcomes[0];
    assert_eq!(o.kind, OutcomeKind::Failed, "{}", o.note);
    assert!(
        o.note.contains("by its unique id and gives no user name"),
        "{}",
        o.note
    );
    let fixed = engine.handle_json(&only(event, &[1])).await.unwrap();
    let o = &fixed.outcomes[0];
    assert_eq!(o.kind, OutcomeKind::Remediated, "{}", o.note);
    assert_eq!(o.target.as_ref().unwrap().name, "sharrtest");
    let keys = clients
        .iam
        .list_access_keys()
        .user_name("sharrtest")
        .send()
        .await
        .unwrap();
    assert_eq!(
        keys.access_key_metadata()[0].status().map(|s| s.as_str()),
        Some("Inactive")
    );
}

#[tokio::test]
async fn an_account_written_as_the_root_users_arn_is_fixed_and_another_account_is_not() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let event = rehomed("account-resource-forms.json", &[]);
    let engine = emulator.engine(Policy::default()).await;
    let account_block = || async {
        clients
            .s3control
            .get_public_access_block()
            .account_id(ACCOUNT)
            .send()
            .await
            .is_ok()
    };
    let other = engine
        .handle_json(&only(event.clone(), &[3]))
        .await
        .unwrap();
    assert_eq!(other.outcomes[0].kind, OutcomeKind::Failed);
    assert!(
        !account_block().await,
        "another account's finding changed this one"
    );
    let root = engine.handle_json(&only(event, &[1])).await.unwrap();
    let o = &root.outcomes[0];
    assert_eq!(o.kind, OutcomeKind::Remediated, "{}", o.note);
    assert!(account_block().await);
}

#[tokio::test]
async fn a_custom_action_in_the_aggregation_region_fixes_each_finding_in_its_own_region() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let engine = emulator.engine(Policy::default()).await;
    let oregon = engine
        .aws()
        .clients_for(ACCOUNT, "us-west-2")
        .await
        .unwrap();
    let sydney = engine
        .aws()
        .clients_for(ACCOUNT, "ap-southeast-2")
        .await
        .unwrap();
    let group = hubfix_tests::open_ssh_group(&oregon, "realworld-ssh").await;
    sydney
        .s3
        .create_bucket()
        .bucket("acme-sydney-reports")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::ApSoutheast2)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let event = rehomed(
        "custom-action-in-the-aggregation-region.json",
        &[("sg-0123456789abcdef0", &group)],
    );
    // Findings of every linked Region are held in the aggregation Region, where the
    // analyst chose the action: that is where hubfix records its notes.
    let imported = import_each(&clients, &event).await;
    assert_eq!(imported.len(), 2);
    let report = engine.handle_json(&event).await.unwrap();
    for o in &report.outcomes {
        assert_eq!(o.kind, OutcomeKind::Remediated, "{}", o.note);
        let (status, _) = finding_state(&clients, &o.finding_id).await;
        assert_eq!(status, "RESOLVED");
    }
    let regions: Vec<&str> = report
        .outcomes
        .iter()
        .map(|o| o.target.as_ref().unwrap().region.as_str())
        .collect();
    assert_eq!(regions, ["us-west-2", "ap-southeast-2"]);
    let rules = oregon
        .ec2
        .describe_security_groups()
        .group_ids(&group)
        .send()
        .await
        .unwrap();
    assert!(
        !rules.security_groups()[0]
            .ip_permissions()
            .iter()
            .any(|p| p.from_port() == Some(22)),
        "the SSH rule in us-west-2 is still open"
    );
    assert!(is_blocked(&sydney, "acme-sydney-reports").await);
}
