//! `hubfix setup` as an operator runs it: the real binary against the sandbox's bare
//! organisation, from a plan that changes nothing to a foundation a second apply
//! leaves alone, drift and its repair, each bad input, and docs/foundation.md's
//! walkthrough as written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{run_hubfix, run_walkthrough, text, walkthrough, walkthrough_dir};

use hubfix_tests::organization::{
    deny, environment as org_environment, members_csv, seed_organization, setup_file,
    ADMINISTRATOR, BREAK_GLASS, MANAGEMENT, MEMBERS, OUTSIDER, REGIONS,
};
use hubfix_tests::sandbox::{environment, seed};
use hubfix_tests::{workspace, Emulator};
use serde_json::Value;

/// Runs `hubfix` in `dir` with the sandbox's environment.
fn hubfix(dir: &Path, env: &[(&str, String)], args: &[&str], stdin: &str) -> Output {
    run_hubfix(Some(dir), env, args, stdin)
}

/// A scratch directory with the sandbox's setup file and members CSV.
fn scratch(name: &str, file: &str, csv: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hubfix-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hubfix-setup.toml"), file).unwrap();
    std::fs::write(dir.join("members.csv"), csv).unwrap();
    dir
}

async fn sandbox() -> (Emulator, Vec<(&'static str, String)>) {
    let emulator = Emulator::start().await;
    seed(&emulator).await;
    seed_organization(&emulator).await;
    let env = environment(&emulator)
        .into_iter()
        .chain(org_environment())
        .collect();
    (emulator, env)
}

async fn securityhub_in(
    emulator: &Emulator,
    account: &str,
    role: &str,
    region: &str,
) -> aws_sdk_securityhub::Client {
    let config = emulator.assumed_config(account, role).await;
    let config = config
        .to_builder()
        .region(aws_config::Region::new(region.to_owned()))
        .build();
    aws_sdk_securityhub::Client::new(&config)
}

fn status_rows(out: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stdout)));
    v["rows"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn setup_takes_a_bare_organisation_to_its_hub_and_notices_drift() {
    let (emulator, env) = sandbox().await;
    let dir = scratch("setup", &setup_file(), &members_csv());

    let status = hubfix(&dir, &env, &["setup", "status"], "");
    assert_eq!(
        status.status.code(),
        Some(1),
        "a bare organisation drifts: {}",
        text(&status.stderr)
    );

    let plan = hubfix(&dir, &env, &["setup", "plan"], "");
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    let table = text(&plan.stdout);
    assert!(table.starts_with("PHASE"), "{table}");
    for expected in [
        "designate 123456789012 as the delegated Security Hub administrator",
        "create the finding aggregator (SPECIFIED_REGIONS eu-west-1)",
        "invite 444444444444",
        "accept the invitation of 123456789012",
        "attach the tamper-protection policy to r-",
        "enable standards fsbp, cis-5.0, pci-dss-3.2.1, nist-800-53",
        "Config.1 fix",
    ] {
        assert!(table.contains(expected), "{expected} in\n{table}");
    }
    let admin = securityhub_in(&emulator, ADMINISTRATOR, "x", REGIONS[0]).await;
    assert!(
        admin.describe_hub().send().await.is_err(),
        "a plan changes nothing"
    );

    let declined = hubfix(&dir, &env, &["setup", "apply"], "n\n");
    assert_eq!(declined.status.code(), Some(2));
    assert!(text(&declined.stderr).contains("declined; nothing changed"));
    assert!(admin.describe_hub().send().await.is_err());

    let apply = hubfix(
        &dir,
        &env,
        &["setup", "apply", "--yes", "--output", "json"],
        "",
    );
    assert!(
        apply.status.success(),
        "{}\n{}",
        text(&apply.stdout),
        text(&apply.stderr)
    );
    let report: Value = serde_json::from_slice(&apply.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    assert!(
        results.iter().all(|r| r["outcome"]["Ok"].is_string()),
        "{report}"
    );
    assert!(
        report["remaining"]["steps"].as_array().unwrap().is_empty(),
        "{report}"
    );

    // Every account enrolled, in both regions, with the standards.
    for region in REGIONS {
        let admin = securityhub_in(&emulator, ADMINISTRATOR, "x", region).await;
        let members = admin.list_members().send().await.unwrap();
        let mut enrolled: Vec<&str> = members
            .members()
            .iter()
            .filter_map(|m| m.account_id())
            .collect();
        enrolled.sort();
        assert_eq!(
            enrolled,
            [MANAGEMENT, MEMBERS[0], MEMBERS[1], OUTSIDER],
            "{region}"
        );
        for account in [ADMINISTRATOR, MEMBERS[0], OUTSIDER] {
            let hub = securityhub_in(&emulator, account, "x", region).await;
            let standards = hub.get_enabled_standards().send().await.unwrap();
            assert_eq!(
                standards.standards_subscriptions().len(),
                4,
                "{account} {region}"
            );
        }
    }
    let aggregators = admin.list_finding_aggregators().send().await.unwrap();
    assert_eq!(aggregators.finding_aggregators().len(), 1);

    let again = hubfix(&dir, &env, &["setup", "apply", "--yes"], "");
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains("Nothing to change"),
        "{}",
        text(&again.stderr)
    );

    let status = hubfix(&dir, &env, &["setup", "status", "--output", "json"], "");
    assert!(
        status.status.success(),
        "{}\n{}",
        text(&status.stdout),
        text(&status.stderr)
    );
    let rows = status_rows(&status);
    assert_eq!(
        rows.len(),
        1 + 5 * 2,
        "a global row and 5 accounts x 2 regions"
    );
    for row in &rows[1..] {
        assert_eq!(row["hub"], "on", "{row}");
        assert_eq!(row["standards"], "4/4", "{row}");
        assert_eq!(row["config"], "all", "{row}");
        assert!(row["drift"].as_array().unwrap().is_empty(), "{row}");
    }
    let member_row = rows.iter().find(|r| r["account"] == MEMBERS[0]).unwrap();
    assert_eq!(
        (member_row["member"].as_str(), member_row["scp"].as_str()),
        (Some("ENABLED"), Some("attached"))
    );

    // A member's ordinary role cannot switch Security Hub off: the policy denies it.
    let developer = securityhub_in(&emulator, MEMBERS[0], "Developer", REGIONS[0]).await;
    let denied = developer.disable_security_hub().send().await.unwrap_err();
    assert_eq!(
        hubfix::error::service_code(&denied),
        Some("AccessDeniedException")
    );
    // The break-glass role can; status then drifts for that member.
    let glass = securityhub_in(&emulator, MEMBERS[0], BREAK_GLASS, REGIONS[0]).await;
    glass.disable_security_hub().send().await.unwrap();
    let drifted = hubfix(&dir, &env, &["setup", "status", "--output", "json"], "");
    assert_eq!(drifted.status.code(), Some(1), "{}", text(&drifted.stderr));
    let rows = status_rows(&drifted);
    let off = rows
        .iter()
        .find(|r| r["account"] == MEMBERS[0] && r["region"] == REGIONS[0])
        .unwrap();
    assert_eq!(off["hub"], "off", "{off}");
    assert!(!off["drift"].as_array().unwrap().is_empty(), "{off}");
    let others_fine = rows
        .iter()
        .filter(|r| !(r["account"] == MEMBERS[0] && r["region"] == REGIONS[0]))
        .all(|r| r["drift"].as_array().is_none_or(|d| d.is_empty()));
    assert!(
        others_fine,
        "only that account and region drifts: {rows:#?}"
    );

    // The drift guard, as Lambda runs its handler, puts it back and says who did it.
    let event = workspace().join("events/drift-disable-security-hub.json");
    let guard = hubfix(
        &dir,
        &env,
        &["invoke", "drift-guard", "--event", event.to_str().unwrap()],
        "",
    );
    assert!(
        guard.status.success(),
        "{}\n{}",
        text(&guard.stdout),
        text(&guard.stderr)
    );
    let answer: Value = serde_json::from_slice(&guard.stdout).unwrap();
    assert_eq!(answer["outcome"], "repaired", "{answer}");
    assert!(answer["note"].as_str().unwrap().contains("DisableSecurityHub by arn:aws:sts::222222222222:assumed-role/hubfix-break-glass/oncall"), "{answer}");
    let healed = hubfix(&dir, &env, &["setup", "status"], "");
    assert!(
        healed.status.success(),
        "{}\n{}",
        text(&healed.stdout),
        text(&healed.stderr)
    );

    let audit = hubfix(
        &dir,
        &env,
        &["audit", "--control", "setup", "--output", "json"],
        "",
    );
    let records: Value = serde_json::from_slice(&audit.stdout).unwrap();
    let records = records.as_array().unwrap();
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "setup:drift" && r["outcome"] == "remediated"),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .filter(|r| r["rule"] == "setup:add_members")
            .count()
            >= 2
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn bad_setup_files_are_refused_with_the_line_at_fault() {
    let (_emulator, env) = sandbox().await;
    let cases = [
        (
            setup_file().replace("\"cis-5.0\"", "\"cis-9.9\""),
            members_csv(),
            "hubfix-setup.toml:8: hub.standards: `cis-9.9` is not a standard Security Hub offers",
        ),
        (
            setup_file(),
            format!("{}55555,owner@example.com\n", members_csv()),
            "members.csv:3: row: `55555` is not a 12-digit AWS account id",
        ),
        (
            setup_file(),
            format!("{}555555555555\n", members_csv()),
            "members.csv:3: row: expected two fields",
        ),
        (
            setup_file().replace(
                "administrator = \"123456789012\"",
                "administrator = \"999999999999\"",
            ),
            members_csv(),
            "organization.administrator 999999999999 is not an account of the organisation o-",
        ),
        (
            setup_file(),
            "Account ID,Email\n222222222222,payments@example.com\n".to_owned(),
            "the members CSV lists 222222222222, which is an account of the organisation",
        ),
    ];
    for (i, (file, csv, says)) in cases.into_iter().enumerate() {
        let dir = scratch(&format!("bad-{i}"), &file, &csv);
        for command in ["plan", "apply", "status"] {
            let out = hubfix(
                &dir,
                &env,
                &["setup", command, "--yes"]
                    .into_iter()
                    .filter(|a| command == "apply" || *a != "--yes")
                    .collect::<Vec<_>>(),
                "",
            );
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command}: {}",
                text(&out.stderr)
            );
            assert!(
                text(&out.stderr).contains(says),
                "{command}: {says} in {}",
                text(&out.stderr)
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[tokio::test]
async fn missing_permissions_stop_the_apply_with_what_to_grant() {
    let (emulator, env) = sandbox().await;
    let dir = scratch("denied", &setup_file(), &members_csv());
    // An SCP of the organisation denies the administrator adding members.
    deny(
        &emulator,
        "no-members",
        "securityhub:CreateMembers",
        ADMINISTRATOR,
    )
    .await;
    let management = emulator
        .assumed_config(MANAGEMENT, "OrganizationAccountAccessRole")
        .await;
    let orgs = aws_sdk_organizations::Client::new(&management);
    let root = orgs.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();

    let apply = hubfix(&dir, &env, &["setup", "apply", "--yes"], "");
    assert_eq!(apply.status.code(), Some(1), "{}", text(&apply.stderr));
    let printed = text(&apply.stdout);
    assert!(printed.contains("FAILED"), "{printed}");
    assert!(
        printed.contains("access denied calling securityhub:CreateMembers (AccessDeniedException)"),
        "{printed}"
    );
    assert!(
        text(&apply.stderr).contains("run `hubfix setup apply` again"),
        "{}",
        text(&apply.stderr)
    );
    let admin = securityhub_in(&emulator, ADMINISTRATOR, "x", REGIONS[0]).await;
    assert!(
        admin.describe_hub().send().await.is_ok(),
        "the phases before members were applied"
    );
    let attached = orgs
        .list_policies_for_target()
        .target_id(&root)
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    assert!(
        !attached
            .policies()
            .iter()
            .any(|p| p.name() == Some("hubfix-security-hub-tamper-protection")),
        "a failed phase stops the later ones: no tamper protection yet"
    );
    let audit = hubfix(
        &dir,
        &env,
        &["audit", "--control", "setup", "--output", "json"],
        "",
    );
    let records: Value = serde_json::from_slice(&audit.stdout).unwrap();
    assert!(
        records
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "setup:add_members" && r["outcome"] == "failed"),
        "{records}"
    );

    // Without the management account's role, the organisation cannot be read at all.
    let no_role = setup_file().replace("role = \"hubfix-remediation\"\n", "");
    let dir2 = scratch("norole", &no_role, &members_csv());
    let env2: Vec<(&str, String)> = env
        .iter()
        .filter(|(k, _)| *k != "HUBFIX_MEMBER_ROLE_NAME")
        .cloned()
        .collect();
    let plan = hubfix(&dir2, &env2, &["setup", "plan"], "");
    assert_eq!(plan.status.code(), Some(1), "{}", text(&plan.stderr));
    assert!(
        text(&plan.stderr).contains("name the role hubfix assumes there (organization.role"),
        "{}",
        text(&plan.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&dir2).ok();
}

#[tokio::test]
async fn the_foundation_walkthrough_runs_as_written() {
    let script = walkthrough("docs/foundation.md", "foundation-walkthrough");
    assert!(script.contains("hubfix setup apply"), "{script}");
    let (emulator, env) = sandbox().await;
    let dir = walkthrough_dir("foundation-walkthrough", &env);
    let events = dir.join("events");
    if !events.exists() {
        std::os::unix::fs::symlink(workspace().join("events"), &events).unwrap();
    }
    let run = run_walkthrough(&dir, &script);
    assert!(
        run.status.success(),
        "{}\n{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let printed = text(&run.stdout);
    assert!(printed.contains("ENABLED"), "{printed}");
    let admin = securityhub_in(&emulator, ADMINISTRATOR, "x", REGIONS[0]).await;
    let members = admin.list_members().send().await.unwrap();
    assert_eq!(members.members().len(), 4, "every member enrolled");
    std::fs::remove_dir_all(&dir).ok();
}
