//! `make demo`: hubfix's main job, locally. Starts the AWS emulator, creates a small
//! misconfigured account, imports the findings Security Hub would raise, runs the real
//! Lambda function binaries under the Runtime Interface Emulator with the sample events,
//! lets Security Hub check the fixed resources again, and prints the resources before
//! and after, the findings as Security Hub then shows them, and the compliance report
//! of the account.

use std::path::PathBuf;

use hubfix::aws::Clients;
use hubfix::report::{Format, ReportOptions};
use hubfix_tests::demo::{misconfigure, next_check, Account, Findings};
use hubfix_tests::{finding_state, import, Emulator, Rie, ACCOUNT};
use serde_json::Value;

#[tokio::main]
async fn main() {
    let functions = PathBuf::from(
        std::env::var("HUBFIX_FUNCTIONS_DIR").unwrap_or_else(|_| "target/debug".into()),
    );
    for name in ["auto-remediate", "custom-action"] {
        if !functions.join(name).exists() {
            eprintln!(
                "{} is missing: run `make demo` (it builds the functions first)",
                functions.join(name).display()
            );
            std::process::exit(2);
        }
    }
    println!("== hubfix demo ==");
    let emulator = Emulator::start().await;
    println!(
        "Local AWS emulator (moto) listening on {}",
        emulator.endpoint
    );
    let clients = emulator.clients().await;
    clients
        .securityhub
        .enable_security_hub()
        .send()
        .await
        .expect("enable Security Hub with its default standards");
    let account = misconfigure(&clients).await;

    println!("\n-- Before --");
    show_resources(&clients, &account).await;

    let findings = Findings::of(&account);
    for ev in findings.all() {
        import(&clients, ev).await;
    }
    println!(
        "\nImported {} findings into Security Hub.",
        findings.all().count()
    );

    println!("\n-- Security Hub delivers the imported findings to the auto-remediate function --");
    let auto = Rie::start(&functions.join("auto-remediate"), &emulator, &[]).await;
    for ev in &findings.imported {
        report(&auto.invoke(ev).await);
    }

    println!("\n-- An analyst runs the Remediate and IsolateInstance custom actions --");
    let custom = Rie::start(&functions.join("custom-action"), &emulator, &[]).await;
    report(&custom.invoke(&findings.remediate).await);
    report(&custom.invoke(&findings.isolate).await);

    println!("\n-- After --");
    show_resources(&clients, &account).await;

    println!("\n-- Security Hub checks the resources again (its next periodic check) --");
    let checked = next_check(&emulator).await;
    for entry in checked["evaluated"].as_array().into_iter().flatten() {
        println!(
            "  {:<10} {:<6} -> {:<13} workflow {}",
            entry["ControlId"].as_str().unwrap_or("?"),
            entry["PreviousComplianceStatus"].as_str().unwrap_or("?"),
            entry["Compliance"]["Status"].as_str().unwrap_or("?"),
            entry["Workflow"]["Status"].as_str().unwrap_or("?")
        );
    }

    println!("\n-- Findings in Security Hub --");
    println!(
        "{:<10} {:<10} {:<9} NOTE (hubfix's)",
        "CONTROL", "COMPLIANCE", "WORKFLOW"
    );
    for ev in findings.all() {
        let finding = &ev["detail"]["findings"][0];
        let id = finding["Id"].as_str().unwrap_or_default();
        let (status, note) = finding_state(&clients, id).await;
        let compliance = compliance_status(&clients, id).await;
        let control = finding["Compliance"]["SecurityControlId"]
            .as_str()
            .or_else(|| {
                finding["ProductFields"]["RuleId"]
                    .as_str()
                    .map(|_| "CIS 4.1")
            })
            .or_else(|| finding["ProductFields"]["ControlId"].as_str())
            .unwrap_or("GuardDuty");
        println!(
            "{control:<10} {compliance:<10} {status:<9} {}",
            note.unwrap_or_default()
        );
    }
    println!("\n-- The compliance report (`hubfix report`) --\n");
    let report = hubfix::report::build(
        &clients.securityhub,
        &ReportOptions {
            organization: Some("acme-corp".into()),
            ..ReportOptions::default()
        },
    )
    .await
    .expect("the compliance report");
    print!("{}", report.render(Format::Text));
    println!("\nDone: the emulator and the functions are stopped.");
}

async fn show_resources(clients: &Clients, account: &Account) {
    let bucket_pab = match clients
        .s3
        .get_public_access_block()
        .bucket(&account.bucket)
        .send()
        .await
    {
        Ok(out) => out
            .public_access_block_configuration()
            .map(|c| {
                format!(
                    "BlockPublicAcls={} IgnorePublicAcls={} BlockPublicPolicy={} RestrictPublicBuckets={}",
                    c.block_public_acls().unwrap_or(false),
                    c.ignore_public_acls().unwrap_or(false),
                    c.block_public_policy().unwrap_or(false),
                    c.restrict_public_buckets().unwrap_or(false)
                )
            })
            .unwrap_or_default(),
        Err(_) => "no Block Public Access (public)".into(),
    };
    println!("bucket {:<28} {bucket_pab}", account.bucket);
    let account_pab = match clients
        .s3control
        .get_public_access_block()
        .account_id(ACCOUNT)
        .send()
        .await
    {
        Ok(_) => "Block Public Access on".to_owned(),
        Err(_) => "no Block Public Access".to_owned(),
    };
    println!("account {ACCOUNT:<27} {account_pab}");
    if let Ok(out) = clients
        .ec2
        .describe_security_groups()
        .group_ids(&account.open_group)
        .send()
        .await
    {
        let rules: Vec<String> = out
            .security_groups()
            .iter()
            .flat_map(|g| g.ip_permissions())
            .flat_map(|p| {
                p.ip_ranges().iter().map(move |r| {
                    format!(
                        "tcp/{} from {}",
                        p.from_port().unwrap_or_default(),
                        r.cidr_ip().unwrap_or_default()
                    )
                })
            })
            .collect();
        println!(
            "group {:<29} ingress: {}",
            account.open_group,
            rules.join(", ")
        );
    }
    if let Ok(out) = clients
        .ec2
        .describe_instances()
        .instance_ids(&account.instance)
        .send()
        .await
    {
        let groups: Vec<String> = out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .flat_map(|i| i.security_groups())
            .filter_map(|g| g.group_name().map(str::to_owned))
            .collect();
        println!(
            "instance {:<26} security groups: {}",
            account.instance,
            groups.join(", ")
        );
    }
}

/// A finding's `Compliance.Status` (`-` for a finding that is not a control finding).
async fn compliance_status(clients: &Clients, id: &str) -> String {
    use aws_sdk_securityhub::types::{
        AwsSecurityFindingFilters, StringFilter, StringFilterComparison,
    };
    let filter = StringFilter::builder()
        .value(id)
        .comparison(StringFilterComparison::Equals)
        .build();
    let out = clients
        .securityhub
        .get_findings()
        .filters(AwsSecurityFindingFilters::builder().id(filter).build())
        .send()
        .await
        .expect("GetFindings");
    out.findings()
        .first()
        .and_then(|f| f.compliance())
        .and_then(|c| c.status())
        .map_or_else(|| "-".to_owned(), |s| s.as_str().to_owned())
}

fn report(response: &Value) {
    for outcome in response["outcomes"].as_array().into_iter().flatten() {
        println!(
            "  {:<10} {:<18} {}",
            outcome["control_id"].as_str().unwrap_or("(action)"),
            outcome["kind"].as_str().unwrap_or("?"),
            outcome["resource"].as_str().unwrap_or("-")
        );
    }
    if let Some(error) = response["errorMessage"].as_str() {
        println!("  invocation failed: {error}");
    }
}
