//! The `hubfix` command as an operator runs it: the real binary against the emulator's
//! two-account sandbox (`make sandbox`), following the README's walkthrough.

mod common;

use std::process::Output;

use common::{run_hubfix, run_walkthrough, text, walkthrough, walkthrough_dir};

use hubfix_tests::sandbox::{
    environment, seed, ADMIN_BUCKET, AUDIT_BUCKET, MEMBER, MEMBER_BUCKET, MEMBER_ROLE,
};
use hubfix_tests::{event, finding_state, retarget, Emulator, ACCOUNT};
use serde_json::Value;

/// Runs `hubfix` with the sandbox's environment, `stdin` piped in.
fn hubfix(env: &[(&str, String)], args: &[&str], stdin: &str) -> Output {
    run_hubfix(None, env, args, stdin)
}

fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

async fn bucket_blocked(clients: &hubfix::aws::Clients, bucket: &str) -> bool {
    clients
        .s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .ok()
        .and_then(|o| o.public_access_block_configuration().cloned())
        .is_some_and(|c| c.block_public_acls() == Some(true))
}

#[tokio::test]
async fn plan_apply_audit_and_undo_across_two_accounts() {
    let emulator = Emulator::start().await;
    let sandbox = seed(&emulator).await;
    let env = environment(&emulator);
    let admin = emulator.clients().await;
    let member = emulator.clients_in(MEMBER, MEMBER_ROLE).await;
    let [admin_finding, member_finding, _] = &sandbox.findings;

    let plan = hubfix(&env, &["plan", "--control", "S3.8"], "");
    assert!(plan.status.success(), "{}", stderr(&plan));
    let table = stdout(&plan);
    assert!(table.starts_with("FINDING"), "{table}");
    for (bucket, account) in [(ADMIN_BUCKET, ACCOUNT), (MEMBER_BUCKET, MEMBER)] {
        let line = table
            .lines()
            .find(|l| l.contains(bucket))
            .unwrap_or_else(|| panic!("{bucket} in {table}"));
        assert!(
            line.contains("S3.8") && line.contains(account) && line.contains("dry_run"),
            "{line}"
        );
    }
    assert!(
        !bucket_blocked(&admin, ADMIN_BUCKET).await
            && !bucket_blocked(&member, MEMBER_BUCKET).await
    );
    assert_eq!(
        finding_state(&admin, admin_finding).await,
        ("NEW".to_owned(), None),
        "a plan leaves the findings alone, notes included"
    );

    let apply = hubfix(
        &env,
        &["apply", "--control", "S3.8", "--yes", "--output", "json"],
        "",
    );
    assert!(apply.status.success(), "{}", stderr(&apply));
    let outcomes = json(&apply);
    assert_eq!(outcomes.as_array().unwrap().len(), 2);
    assert!(
        outcomes
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["kind"] == "remediated"),
        "{outcomes}"
    );
    assert!(
        bucket_blocked(&admin, ADMIN_BUCKET).await,
        "fixed in the administrator account"
    );
    assert!(
        bucket_blocked(&member, MEMBER_BUCKET).await,
        "fixed in the member account, through the member role"
    );
    for id in [admin_finding, member_finding] {
        assert_eq!(finding_state(&admin, id).await.0, "RESOLVED");
    }

    let audit = hubfix(&env, &["audit", "--output", "json"], "");
    assert!(audit.status.success(), "{}", stderr(&audit));
    let records = json(&audit);
    let records = records.as_array().unwrap();
    assert_eq!(
        records.len(),
        4,
        "a planned and a decided record per fix: {records:?}"
    );
    for id in [admin_finding, member_finding] {
        let stages: Vec<&str> = records
            .iter()
            .filter(|r| r["finding_id"] == id.as_str())
            .map(|r| r["stage"].as_str().unwrap())
            .collect();
        assert_eq!(stages, ["planned", "decided"]);
    }
    let decided = records
        .iter()
        .find(|r| r["finding_id"] == member_finding.as_str() && r["stage"] == "decided")
        .unwrap();
    assert_eq!(decided["outcome"], "remediated");
    assert_eq!(decided["account"], MEMBER);
    assert_eq!(decided["target"]["name"], MEMBER_BUCKET);
    assert_eq!(decided["before"]["state"]["config"], Value::Null);
    assert!(
        decided["actor"]
            .as_str()
            .unwrap()
            .starts_with("hubfix CLI as arn:aws:"),
        "{decided}"
    );
    assert_eq!(decided["after"]["state"]["config"]["BlockPublicAcls"], true);

    let undo = hubfix(&env, &["undo", member_finding, "--yes"], "");
    assert!(undo.status.success(), "{}", stderr(&undo));
    assert!(
        stdout(&undo).contains(&format!(
            "removed the Block Public Access configuration of bucket {MEMBER_BUCKET}"
        )),
        "{}",
        stdout(&undo)
    );
    assert!(
        !bucket_blocked(&member, MEMBER_BUCKET).await,
        "the member bucket is as it was"
    );
    assert!(
        bucket_blocked(&admin, ADMIN_BUCKET).await,
        "the other fix stays"
    );
    let (status, note) = finding_state(&admin, member_finding).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("hubfix undid its fix of S3.8"));

    let again = hubfix(&env, &["undo", member_finding, "--yes"], "");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("was already undone"),
        "{}",
        stderr(&again)
    );

    let trail = hubfix(
        &env,
        &["audit", "--finding-id", member_finding, "--output", "text"],
        "",
    );
    let lines: Vec<String> = stdout(&trail).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let last: Vec<&str> = lines[2].split('\t').collect();
    assert_eq!((last[1], last[3], last[4]), ("undone", "S3.8", MEMBER));
    assert_eq!(last[7], member_finding.as_str());
}

#[tokio::test]
async fn apply_asks_first_and_changes_nothing_without_a_yes() {
    let emulator = Emulator::start().await;
    let sandbox = seed(&emulator).await;
    let env = environment(&emulator);
    let admin = emulator.clients().await;
    let group_finding = &sandbox.findings[2];
    let open = || async {
        admin
            .ec2
            .describe_security_groups()
            .group_ids(&sandbox.open_group)
            .send()
            .await
            .unwrap()
            .security_groups()[0]
            .ip_permissions()
            .len()
    };
    let args = ["apply", "--finding-id", group_finding.as_str()];

    let unanswered = hubfix(&env, &args, "");
    assert_eq!(unanswered.status.code(), Some(2));
    assert!(
        stderr(&unanswered).contains("pass --yes"),
        "{}",
        stderr(&unanswered)
    );
    let mut traced = env.clone();
    traced.push(("RUST_LOG", "trace".to_owned()));
    let verbose = ["--verbose", "apply", "--finding-id", group_finding.as_str()];
    let declined = hubfix(&traced, &verbose, "n\n");
    assert_eq!(declined.status.code(), Some(2));
    assert!(stderr(&declined).contains("Apply 1 fix(es) in 1 account(s)? [y/N]"));
    assert!(stderr(&declined).contains("declined; nothing changed"));
    let logs: Vec<Value> = stderr(&declined)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        logs.iter()
            .any(|l| l["level"] == "TRACE" || l["level"] == "DEBUG"),
        "RUST_LOG=trace took effect: {}",
        stderr(&declined).chars().take(3000).collect::<String>()
    );
    for line in &logs {
        let target = line["target"].as_str().unwrap_or_default();
        if hubfix::function::QUIET_SDK_CRATES
            .iter()
            .any(|quiet| target.starts_with(quiet))
        {
            assert!(
                !matches!(line["level"].as_str(), Some("DEBUG" | "TRACE")),
                "the SDK's request logs stay quiet: {line}"
            );
        }
    }
    assert_eq!(open().await, 1, "nothing changed");

    let accepted = hubfix(&env, &args, "y\n");
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    assert!(
        stderr(&accepted).contains("revoked tcp 22 from 0.0.0.0/0"),
        "the plan is shown before the question"
    );
    assert_eq!(open().await, 0);
    assert_eq!(finding_state(&admin, group_finding).await.0, "RESOLVED");

    let nothing = hubfix(&env, &args, "");
    assert!(nothing.status.success());
    assert!(stderr(&nothing).contains("Nothing to change"));
}

#[tokio::test]
async fn invoke_runs_a_function_handler_in_process() {
    let emulator = Emulator::start().await;
    let sandbox = seed(&emulator).await;
    let env = environment(&emulator);
    let admin = emulator.clients().await;
    let mut ev = event("s3-8-imported.json");
    retarget(&mut ev, &format!("arn:aws:s3:::{ADMIN_BUCKET}"), "invoked");
    hubfix_tests::import(&admin, &ev).await;
    let dir = std::env::temp_dir().join(format!("hubfix-invoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("event.json");
    std::fs::write(&file, ev.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let bad = dir.join("truncated.json");
    std::fs::write(&bad, "{\"detail\": {").unwrap();

    // Every file is checked before any event is handled: nothing changes.
    let refused = hubfix(
        &env,
        &[
            "invoke",
            "auto-remediate",
            "--event",
            path,
            "--event",
            bad.to_str().unwrap(),
        ],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("truncated.json is not JSON"),
        "{}",
        stderr(&refused)
    );
    assert!(!bucket_blocked(&admin, ADMIN_BUCKET).await);

    let out = hubfix(&env, &["invoke", "auto-remediate", "--event", path], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let response = json(&out);
    assert_eq!(response["summary"]["remediated"], 1, "{response}");
    assert!(bucket_blocked(&admin, ADMIN_BUCKET).await);
    let audit = hubfix(
        &env,
        &["audit", "--control", "S3.8", "--output", "json"],
        "",
    );
    let records = json(&audit);
    assert!(records
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["stage"] == "decided"
            && r["actor"]
                .as_str()
                .unwrap()
                .ends_with("automatic (imported finding)")));

    // The findings queue's batch shape: the sample's two events (an S3.8 and an EC2.19
    // finding the sandbox does not hold) are handled as one batch.
    let batch = hubfix_tests::workspace().join("events/sqs-batch-imported.json");
    let out = hubfix(
        &env,
        &[
            "invoke",
            "auto-remediate",
            "--event",
            batch.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        json(&out)["batchItemFailures"].is_array(),
        "{}",
        stdout(&out)
    );

    let wrong = hubfix(&env, &["invoke", "custom-action", "--event", path], "");
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(json(&wrong)["errorType"], "hubfix.WrongEventKind");
    assert!(!sandbox.findings.is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn errors_say_what_to_do() {
    let emulator = Emulator::start().await;
    let env = environment(&emulator);
    let without = |key: &str| -> Vec<(&'static str, String)> {
        env.iter().filter(|(k, _)| *k != key).cloned().collect()
    };

    let no_region = hubfix(&without("AWS_REGION"), &["plan", "--control", "S3.8"], "");
    assert_eq!(no_region.status.code(), Some(2));
    assert!(
        stderr(&no_region).contains("no AWS region: pass --region"),
        "{}",
        stderr(&no_region)
    );

    let mut unreachable = env.clone();
    unreachable[0].1 = "http://127.0.0.1:9".into();
    let down = hubfix(&unreachable, &["plan", "--control", "S3.8"], "");
    assert_eq!(down.status.code(), Some(1));
    assert!(
        stderr(&down).contains("cannot reach http://127.0.0.1:9"),
        "{}",
        stderr(&down)
    );

    let bad_flag = hubfix(&env, &["plan", "--severity", "urgent"], "");
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(
        stderr(&bad_flag).contains("possible values: critical, high, medium, low, informational"),
        "{}",
        stderr(&bad_flag)
    );

    let missing = hubfix(&env, &["plan", "--event", "/nonexistent/event.json"], "");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read /nonexistent/event.json"));

    let no_trail = hubfix(
        &without("HUBFIX_AUDIT_BUCKET"),
        &["undo", "some-finding", "--yes"],
        "",
    );
    assert_eq!(no_trail.status.code(), Some(2));
    assert!(stderr(&no_trail).contains("pass --audit-bucket or set HUBFIX_AUDIT_BUCKET"));

    let no_bucket = hubfix(&env, &["undo", "never-fixed", "--yes"], "");
    assert_eq!(no_bucket.status.code(), Some(1));
    assert!(
        stderr(&no_bucket).contains(&format!("the audit bucket {AUDIT_BUCKET} does not exist (NoSuchBucket); check HUBFIX_AUDIT_BUCKET")),
        "{}",
        stderr(&no_bucket)
    );

    seed(&emulator).await;
    let nothing = hubfix(&env, &["undo", "never-fixed", "--yes"], "");
    assert_eq!(nothing.status.code(), Some(1));
    assert!(
        stderr(&nothing).contains("no applied fix for finding never-fixed"),
        "{}",
        stderr(&nothing)
    );
    assert!(!AUDIT_BUCKET.is_empty());

    let bad_policy = hubfix(
        &[
            env.clone(),
            vec![("HUBFIX_MODES", "S3.8=sometimes".to_owned())],
        ]
        .concat(),
        &["rules"],
        "",
    );
    assert_eq!(bad_policy.status.code(), Some(2));
    assert!(
        stderr(&bad_policy).contains("HUBFIX_MODES"),
        "{}",
        stderr(&bad_policy)
    );
}

#[test]
fn rules_lists_the_registry_with_modes() {
    let out = hubfix(
        &[("HUBFIX_MODES", "S3.1=auto,ContainInstance=auto".to_owned())],
        &["rules", "--output", "json"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rules = json(&out);
    let rules = rules.as_array().unwrap();
    assert_eq!(
        rules.len(),
        hubfix::registry::rules().len()
            + hubfix::registry::playbooks().count()
            + hubfix::registry::action_rules().len()
    );
    let contain = rules
        .iter()
        .find(|r| r["control"] == "ContainInstance")
        .unwrap();
    assert_eq!(contain["mode"], "auto");
    assert_eq!(contain["customAction"], "Contain");
    assert_eq!(contain["minSeverity"], "HIGH");
    assert!(contain["findingTypes"]
        .as_array()
        .unwrap()
        .contains(&"GuardDuty Backdoor:EC2/C&CActivity.B".into()));
    let s3_1 = rules.iter().find(|r| r["control"] == "S3.1").unwrap();
    assert_eq!(
        (s3_1["mode"].as_str(), s3_1["disruptive"].as_bool()),
        (Some("auto"), Some(true))
    );
    let ec2_4 = rules.iter().find(|r| r["control"] == "EC2.4").unwrap();
    assert_eq!(ec2_4["mode"], "approval");
    assert!(rules.iter().all(|r| r["iamActions"].is_array()));
    let table = stdout(&hubfix(&[], &["rules"], ""));
    assert!(table.starts_with("CONTROL"), "{table}");
}

#[tokio::test]
async fn the_readme_walkthrough_runs_as_written() {
    let script = walkthrough("README.md", "cli-walkthrough");
    assert!(script.contains("hubfix undo"), "{script}");

    let emulator = Emulator::start().await;
    let sandbox = seed(&emulator).await;
    let dir = walkthrough_dir("walkthrough", &environment(&emulator));
    let run = run_walkthrough(&dir, &script);
    assert!(run.status.success(), "{}\n{}", stdout(&run), stderr(&run));
    let printed = stdout(&run);
    assert!(printed.contains("undone"), "{printed}");

    let admin = emulator.clients().await;
    let member = emulator.clients_in(MEMBER, MEMBER_ROLE).await;
    assert!(bucket_blocked(&admin, ADMIN_BUCKET).await);
    assert!(!bucket_blocked(&member, MEMBER_BUCKET).await, "undone");
    let rules = admin
        .ec2
        .describe_security_groups()
        .group_ids(&sandbox.open_group)
        .send()
        .await
        .unwrap();
    assert!(rules.security_groups()[0].ip_permissions().is_empty());
    assert_eq!(
        finding_state(&admin, &sandbox.findings[1]).await.0,
        "NOTIFIED"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn report_prints_the_demo_accounts_report_in_each_format() {
    use hubfix::report::{build, Date, Format, ReportOptions};
    use hubfix_tests::demo::{misconfigure, Findings};

    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    clients
        .securityhub
        .enable_security_hub()
        .send()
        .await
        .unwrap();
    let account = misconfigure(&clients).await;
    let findings = Findings::of(&account);
    for ev in findings.all() {
        hubfix_tests::import(&clients, ev).await;
    }
    let engine = emulator.engine(hubfix::Policy::default()).await;
    for ev in findings.all() {
        engine.handle_json(ev).await.unwrap();
    }
    let env = environment(&emulator);
    let date = Date::today().to_string();

    let text = hubfix(
        &env,
        &["report", "--organization", "acme-corp", "--date", &date],
        "",
    );
    assert!(text.status.success(), "{}", stderr(&text));
    let expected = build(
        &clients.securityhub,
        &ReportOptions {
            organization: Some("acme-corp".into()),
            date: Some(date.parse().unwrap()),
            ..ReportOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(stdout(&text), expected.render(Format::Text));
    for line in [
        "Organization: acme-corp",
        "Standards Enabled: AWS FSBP v1.0, CIS v1.2",
        "  AWS Foundational Security Best Practices: 0%",
        "  Total Active Findings: 1",
        "  Critical: 0 | High: 0 | Medium: 1 | Low: 0",
        "  Auto-Remediated This Month: 4",
    ] {
        assert!(stdout(&text).contains(line), "{line}\n{}", stdout(&text));
    }

    let json_out = hubfix(&env, &["report", "--format", "json", "--date", &date], "");
    let report = json(&json_out);
    assert_eq!(report["schema"], "hubfix-compliance-report/1");
    assert_eq!(report["findings"]["remediated_by_hubfix"], 4);
    let html = hubfix(&env, &["report", "--format", "html", "--date", &date], "");
    assert!(
        stdout(&html).starts_with("<!DOCTYPE html>"),
        "{}",
        &stdout(&html)[..80]
    );

    let bad = hubfix(&env, &["report", "--format", "pdf"], "");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--format"), "{}", stderr(&bad));
    let unsaved = hubfix(&env, &["report", "--save"], "");
    assert_eq!(unsaved.status.code(), Some(2));
    assert!(stderr(&unsaved).contains("--save needs --bucket"));
}

#[test]
fn scan_manual_prints_the_checklist_without_aws() {
    let out = hubfix(&[], &["scan", "--manual"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.starts_with("REQUIREMENT"), "{table}");
    assert!(table.contains("CIS 1.4.0 1.3"), "{table}");
    assert!(
        table.contains("Ensure security questions are registered"),
        "{table}"
    );
    assert!(table.contains("CIS 1.2.0 4.4"), "{table}");
    let listed = hubfix(&[], &["scan", "--manual", "--output", "json"], "");
    assert_eq!(json(&listed).as_array().unwrap().len(), 14);
}

#[tokio::test]
async fn scan_imports_the_failed_checks_and_reports_bad_input() {
    let emulator = Emulator::start().await;
    let env = environment(&emulator);
    let clients = emulator.clients().await;
    let group = hubfix_tests::open_ssh_group(&clients, "cli-open-ssh").await;
    let out = hubfix(
        &env,
        &["scan", "--requirement", "5.2", "--output", "json"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["errors"], serde_json::json!([]));
    let arn = format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{group}");
    let failed: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["compliant"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{report}");
    assert_eq!(failed[0]["resource"]["id"], arn.as_str());
    assert!(report["imported"].as_u64().unwrap() >= 1);

    let table = hubfix(&env, &["scan", "--requirement", "5.2", "--no-import"], "");
    assert!(table.status.success(), "{}", stderr(&table));
    assert!(stdout(&table).contains("FAILED"), "{}", stdout(&table));
    assert!(!stderr(&table).contains("Imported"), "{}", stderr(&table));

    let bad = hubfix(&env, &["scan", "--requirement", "1.1"], "");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--requirement: `1.1` is not an automated CIS 1.4.0 requirement"),
        "{}",
        stderr(&bad)
    );
    let bad = hubfix(&env, &["scan", "--scan-region", "moon"], "");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("`moon` is not a region name"),
        "{}",
        stderr(&bad)
    );
}

#[tokio::test]
async fn redrive_moves_the_dead_letter_queue_back_after_asking() {
    let emulator = Emulator::start().await;
    let env = environment(&emulator);
    let clients = emulator.clients().await;
    let queue = hubfix_tests::queue::FindingsQueue::create(&clients.sqs, "cli-findings", 5).await;
    let dead = hubfix_tests::queue::FindingsQueue {
        url: queue.dead_letter_url.clone(),
        ..queue.clone()
    };
    dead.send(&[event("s3-8-imported.json"), event("ec2-19-imported.json")])
        .await;
    let args = [
        "redrive",
        "--from",
        queue.dead_letter_url.as_str(),
        "--to",
        queue.url.as_str(),
    ];
    let declined = hubfix(&env, &args, "n\n");
    assert_eq!(declined.status.code(), Some(2), "{}", stderr(&declined));
    assert!(
        stderr(&declined).contains("2 message(s) in"),
        "{}",
        stderr(&declined)
    );
    assert_eq!(queue.depth(&queue.url).await.0, 0, "nothing moved");
    let mut yes = args.to_vec();
    yes.extend(["--yes", "--output", "json"]);
    let moved = hubfix(&env, &yes, "");
    assert!(moved.status.success(), "{}", stderr(&moved));
    assert_eq!(json(&moved)["moved"], 2);
    assert_eq!(queue.depth(&queue.url).await.0, 2);
    assert_eq!(queue.depth(&queue.dead_letter_url).await.0, 0);
}
