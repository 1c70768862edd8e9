//! The CIS gap scanner against the emulator: a non-compliant account gets the expected
//! FAILED findings, fixing it turns them PASSED, re-runs update rather than duplicate,
//! a deleted resource's finding is archived, and a scanner finding flows through the
//! engine's automatic remediation and back to PASSED.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, StringFilter, StringFilterComparison,
};
use hubfix::aws::Clients;
use hubfix::finding::{SecurityHubEvent, Trigger};
use hubfix::scan::findings::{product_arn, GENERATOR_PREFIX};
use hubfix::scan::{scan, ScanOptions, ScanReport, REQUIREMENTS};
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::faults::{Fault, FaultProxy, Schedule};
use hubfix_tests::seeds;
use hubfix_tests::{open_ssh_group, unique, Emulator, ACCOUNT, REGION};

/// Every requirement whose rule this build has (CIS.3.10 and CIS.3.11 come with the
/// CloudTrail event selectors of branch `trail`).
fn available() -> Vec<String> {
    REQUIREMENTS
        .iter()
        .filter(|r| r.rule().is_some())
        .map(|r| r.cis_140.to_owned())
        .collect()
}

fn options(requirements: &[String]) -> ScanOptions {
    ScanOptions {
        requirements: requirements.to_vec(),
        import: true,
        concurrency: 4,
        ..ScanOptions::default()
    }
}

async fn run_scan(emulator: &Emulator, requirements: &[String]) -> ScanReport {
    let engine = emulator.engine(Policy::default()).await;
    Box::pin(scan(
        engine.aws(),
        &FixSettings::default(),
        &options(requirements),
    ))
    .await
}

/// The scanner's findings in Security Hub, by id.
async fn scanner_findings(clients: &Clients) -> BTreeMap<String, AwsSecurityFinding> {
    let filter =
        |v: &str, c: StringFilterComparison| StringFilter::builder().value(v).comparison(c).build();
    let mut out = BTreeMap::new();
    let mut pages = clients
        .securityhub
        .get_findings()
        .filters(
            AwsSecurityFindingFilters::builder()
                .generator_id(filter(GENERATOR_PREFIX, StringFilterComparison::Prefix))
                .build(),
        )
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for f in page.expect("GetFindings").findings() {
            let id = f.id().unwrap_or_default().to_owned();
            assert!(
                out.insert(id.clone(), f.clone()).is_none(),
                "duplicate {id}"
            );
        }
    }
    out
}

fn status(f: &AwsSecurityFinding) -> &str {
    f.compliance()
        .and_then(|c| c.status())
        .map_or("", |s| s.as_str())
}

/// `(requirement, resource id) -> compliance status` of the scanner's active findings.
async fn statuses(clients: &Clients) -> BTreeMap<(String, String), String> {
    scanner_findings(clients)
        .await
        .values()
        .filter(|f| f.record_state().map(|s| s.as_str()) == Some("ACTIVE"))
        .map(|f| {
            let req = f
                .generator_id()
                .unwrap_or_default()
                .trim_start_matches(GENERATOR_PREFIX)
                .to_owned();
            (
                (req, f.resources()[0].id().unwrap_or_default().to_owned()),
                status(f).to_owned(),
            )
        })
        .collect()
}

async fn user_with_keys(clients: &Clients, keys: usize) -> String {
    let name = unique("user");
    let arn = clients
        .iam
        .create_user()
        .user_name(&name)
        .send()
        .await
        .unwrap()
        .user()
        .unwrap()
        .arn()
        .to_owned();
    for _ in 0..keys {
        clients
            .iam
            .create_access_key()
            .user_name(&name)
            .send()
            .await
            .unwrap();
    }
    arn
}

fn user_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap()
}

fn group_arn(id: &str) -> String {
    format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{id}")
}

fn account() -> String {
    format!("AWS::::Account:{ACCOUNT}")
}

#[tokio::test]
async fn a_non_compliant_account_fails_then_passes_once_fixed_without_duplicates() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let two_keys = user_with_keys(&clients, 2).await;
    let inline = user_with_keys(&clients, 0).await;
    clients
        .iam
        .put_user_policy()
        .user_name(user_name(&inline))
        .policy_name("direct")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let group = open_ssh_group(&clients, &unique("ssh")).await;
    let bucket = seeds::s3::bucket(&clients, "no-mfa-delete").await;

    let report = run_scan(&emulator, &available()).await;
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let found = statuses(&clients).await;
    let expect = |req: &str, resource: &str, want: &str| {
        assert_eq!(
            found
                .get(&(req.to_owned(), resource.to_owned()))
                .map(String::as_str),
            Some(want),
            "{req} {resource}: {found:#?}"
        );
    };
    expect("1.13", &two_keys, "FAILED");
    expect("1.13", &inline, "PASSED");
    expect("1.15", &inline, "FAILED");
    expect("1.15", &two_keys, "PASSED");
    expect("1.19", &account(), "PASSED");
    expect("1.20", &account(), "FAILED");
    expect("2.1.3", &format!("arn:aws:s3:::{bucket}"), "FAILED");
    for req in ["4.1", "4.2", "4.3", "4.15"] {
        expect(req, &account(), "FAILED");
    }
    expect("5.2", &group_arn(&group), "FAILED");
    assert_eq!(report.imported, found.len());
    assert_eq!(
        report.summary()["failed"],
        report.results.iter().filter(|r| !r.compliant).count()
    );

    // The findings are well-formed and resolve to the rules that fix them.
    let all = scanner_findings(&clients).await;
    let ssh = all
        .values()
        .find(|f| f.resources()[0].id() == Some(group_arn(&group).as_str()))
        .unwrap();
    assert_eq!(
        ssh.product_arn(),
        Some(product_arn("aws", REGION, ACCOUNT).as_str())
    );
    assert_eq!(
        ssh.compliance().unwrap().security_control_id(),
        Some("EC2.53")
    );
    assert_eq!(ssh.severity().unwrap().label().unwrap().as_str(), "HIGH");
    assert!(ssh.description().unwrap().contains("tcp 22"), "{ssh:?}");
    assert!(ssh
        .remediation()
        .and_then(|r| r.recommendation())
        .and_then(|r| r.text())
        .is_some());
    let no_trail = all
        .values()
        .find(|f| f.generator_id().unwrap_or_default().ends_with("/4.1"))
        .unwrap();
    assert!(
        no_trail
            .description()
            .unwrap()
            .contains("no multi-region trail delivers to CloudWatch Logs"),
        "{no_trail:?}"
    );
    let created = ssh.created_at().unwrap().to_owned();

    // Fix four of them by hand and scan again: PASSED, same ids, nothing new.
    let keys = clients
        .iam
        .list_access_keys()
        .user_name(user_name(&two_keys))
        .send()
        .await
        .unwrap();
    clients
        .iam
        .delete_access_key()
        .user_name(user_name(&two_keys))
        .access_key_id(keys.access_key_metadata()[0].access_key_id().unwrap())
        .send()
        .await
        .unwrap();
    clients
        .iam
        .delete_user_policy()
        .user_name(user_name(&inline))
        .policy_name("direct")
        .send()
        .await
        .unwrap();
    clients
        .ec2
        .revoke_security_group_ingress()
        .group_id(&group)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    clients
        .accessanalyzer
        .create_analyzer()
        .analyzer_name("account")
        .r#type(aws_sdk_accessanalyzer::types::Type::Account)
        .send()
        .await
        .unwrap();
    let again = run_scan(&emulator, &available()).await;
    assert!(again.errors.is_empty(), "{:#?}", again.errors);
    let after = statuses(&clients).await;
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        found.keys().collect::<Vec<_>>(),
        "a re-run updates the same findings"
    );
    for (req, resource) in [
        ("1.13", two_keys.as_str()),
        ("1.15", inline.as_str()),
        ("1.20", account().as_str()),
        ("5.2", group_arn(&group).as_str()),
    ] {
        assert_eq!(
            after[&(req.to_owned(), resource.to_owned())],
            "PASSED",
            "{req} {resource}"
        );
    }
    assert_eq!(
        after[&("2.1.3".to_owned(), format!("arn:aws:s3:::{bucket}"))],
        "FAILED"
    );
    let all = scanner_findings(&clients).await;
    let ssh = all
        .values()
        .find(|f| f.resources()[0].id() == Some(group_arn(&group).as_str()))
        .unwrap();
    assert_eq!(
        ssh.created_at(),
        Some(created.as_str()),
        "CreatedAt is kept"
    );
    assert_eq!(
        ssh.severity().unwrap().label().unwrap().as_str(),
        "INFORMATIONAL"
    );
    assert_eq!(
        ssh.workflow().and_then(|w| w.status()).map(|s| s.as_str()),
        Some("RESOLVED"),
        "Security Hub resolves a control finding that passes"
    );
}

#[tokio::test]
async fn a_deleted_resource_is_archived_and_others_are_not() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let gone = open_ssh_group(&clients, &unique("gone")).await;
    let kept = open_ssh_group(&clients, &unique("kept")).await;
    let only = ["5.2".to_owned(), "1.13".to_owned()];
    let user = user_with_keys(&clients, 2).await;
    run_scan(&emulator, &only).await;
    clients
        .ec2
        .delete_security_group()
        .group_id(&gone)
        .send()
        .await
        .unwrap();
    let report = run_scan(&emulator, &only).await;
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.archived, 1);
    let all = scanner_findings(&clients).await;
    let state = |resource: &str| {
        all.values()
            .find(|f| f.resources()[0].id() == Some(resource))
            .and_then(|f| f.record_state())
            .map(|s| s.as_str().to_owned())
    };
    assert_eq!(state(&group_arn(&gone)).as_deref(), Some("ARCHIVED"));
    assert_eq!(state(&group_arn(&kept)).as_deref(), Some("ACTIVE"));
    assert_eq!(state(user.as_str()).as_deref(), Some("ACTIVE"));
    // A third run archives nothing more.
    assert_eq!(run_scan(&emulator, &only).await.archived, 0);
}

#[tokio::test]
async fn round_trip_scan_finding_auto_remediation_rescan_passes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = open_ssh_group(&clients, &unique("ssh")).await;
    hubfix_tests::seeds::logging::trail_with_log_group(&clients).await;
    let reqs = ["5.2".to_owned(), "1.20".to_owned(), "4.1".to_owned()];
    let report = run_scan(&emulator, &reqs).await;
    assert!(report.errors.is_empty(), "{:#?}", report.errors);

    // The FAILED findings, as Security Hub holds them, go to the engine as an
    // imported-findings event would deliver them; the rules are automatic by default.
    let failed: Vec<_> = scanner_findings(&clients)
        .await
        .into_values()
        .filter(|f| status(f) == "FAILED")
        .collect();
    let controls: HashSet<_> = failed
        .iter()
        .filter_map(|f| f.compliance()?.security_control_id().map(str::to_owned))
        .collect();
    assert_eq!(
        controls,
        HashSet::from(["EC2.53", "IAM.28", "CIS.4.1"].map(str::to_owned))
    );
    let event = SecurityHubEvent {
        event_id: None,
        account: Some(ACCOUNT.into()),
        region: Some(REGION.into()),
        trigger: Trigger::Imported,
        findings: failed
            .iter()
            .enumerate()
            .map(|(i, f)| hubfix::securityhub_read::from_sdk_finding(i, f))
            .collect(),
    };
    let engine = emulator.engine(Policy::default()).await;
    let outcome = engine.handle(&event).await;
    for o in &outcome.outcomes {
        assert_eq!(o.kind, OutcomeKind::Remediated, "{o:?}");
    }

    // EC2.53 and IAM.28 pass; the CIS 4.1 alarm notifies a topic nobody subscribed to.
    let report = run_scan(&emulator, &reqs).await;
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let found = statuses(&clients).await;
    assert_eq!(found[&("5.2".to_owned(), group_arn(&group))], "PASSED");
    assert_eq!(found[&("1.20".to_owned(), account())], "PASSED");
    assert_eq!(found[&("4.1".to_owned(), account())], "FAILED");
    let alarm = report
        .results
        .iter()
        .find(|r| r.requirement == "4.1")
        .unwrap();
    assert!(
        alarm.reason.contains("no confirmed subscription"),
        "{}",
        alarm.reason
    );
    let topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:hubfix-cis-alarms");
    clients
        .sqs
        .create_queue()
        .queue_name("responders")
        .send()
        .await
        .unwrap();
    clients
        .sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:{REGION}:{ACCOUNT}:responders"))
        .send()
        .await
        .unwrap();
    run_scan(&emulator, &reqs).await;
    assert_eq!(
        statuses(&clients).await[&("4.1".to_owned(), account())],
        "PASSED"
    );
}

#[tokio::test]
async fn throttling_past_the_retries_is_a_per_requirement_error_and_archives_nothing() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let user = user_with_keys(&clients, 2).await;
    let group = open_ssh_group(&clients, &unique("ssh")).await;
    let reqs = ["1.13".to_owned(), "5.2".to_owned()];
    run_scan(&emulator, &reqs).await;
    let proxy = FaultProxy::start(
        &emulator.endpoint,
        Schedule {
            seed: 7,
            rate: 1.0,
            faults: vec![Fault::Throttle],
            max_in_a_row: None,
            eligible: Arc::new(|r| r.service == "iam"),
        },
    )
    .await;
    let engine = emulator
        .engine_via(&proxy.endpoint, Policy::default())
        .await;
    let report = Box::pin(scan(engine.aws(), &FixSettings::default(), &options(&reqs))).await;
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    let error = &report.errors[0];
    assert_eq!(error.requirement, "1.13");
    assert!(
        error.message.contains("iam:ListUsers was throttled"),
        "{}",
        error.message
    );
    assert_eq!(report.archived, 0, "an unread scope archives nothing");
    assert!(report.results.iter().any(|r| r.requirement == "5.2"));
    let found = statuses(&clients).await;
    assert_eq!(found[&("1.13".to_owned(), user)], "FAILED");
    assert_eq!(found[&("5.2".to_owned(), group_arn(&group))], "FAILED");
}

#[tokio::test]
async fn object_level_logging_requirements_fail_without_data_event_selectors() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    hubfix_tests::seeds::logging::trail_with_log_group(&clients).await;
    let reqs = ["3.10".to_owned(), "3.11".to_owned()];
    let report = run_scan(&emulator, &reqs).await;
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.results.len(), 2);
    assert!(report.results.iter().all(|r| !r.compliant));
}
