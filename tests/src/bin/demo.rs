//! `make demo`: hubfix's main job, locally. Starts the AWS emulator, creates a small
//! misconfigured account, imports the findings Security Hub would raise, runs the real
//! Lambda function binaries under the Runtime Interface Emulator with the sample events,
//! and prints the resources and the findings before and after.

use std::path::PathBuf;

use aws_sdk_ec2::types::{IpPermission, IpRange};
use hubfix::aws::Clients;
use hubfix_tests::{event, finding_state, import, retarget, Emulator, Rie, ACCOUNT, REGION};
use serde_json::Value;

const BUCKET: &str = "acme-public-assets";

struct Account {
    bucket: String,
    open_group: String,
    instance: String,
}

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
    let account = misconfigure(&clients).await;

    println!("\n-- Before --");
    show_resources(&clients, &account).await;

    let findings = [
        (
            "s3-8-imported.json",
            format!("arn:aws:s3:::{}", account.bucket),
        ),
        (
            "ec2-13-imported.json",
            format!(
                "arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{}",
                account.open_group
            ),
        ),
        ("s3-1-imported.json", format!("AWS::::Account:{ACCOUNT}")),
    ];
    let mut imported = Vec::new();
    for (file, resource) in &findings {
        let mut ev = event(file);
        retarget(&mut ev, resource, "demo");
        import(&clients, &ev).await;
        imported.push(ev);
    }
    let mut remediate = event("custom-action-remediate.json");
    retarget(&mut remediate, &format!("AWS::::Account:{ACCOUNT}"), "demo");
    let mut isolate = event("custom-action-isolate-instance.json");
    retarget(
        &mut isolate,
        &format!(
            "arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{}",
            account.instance
        ),
        "demo",
    );
    import(&clients, &remediate).await;
    import(&clients, &isolate).await;
    println!(
        "\nImported {} findings into Security Hub.",
        imported.len() + 2
    );

    println!("\n-- Security Hub delivers the imported findings to the auto-remediate function --");
    let auto = Rie::start(&functions.join("auto-remediate"), &emulator, &[]).await;
    for ev in &imported {
        report(&auto.invoke(ev).await);
    }

    println!("\n-- An analyst runs the Remediate and IsolateInstance custom actions --");
    let custom = Rie::start(&functions.join("custom-action"), &emulator, &[]).await;
    report(&custom.invoke(&remediate).await);
    report(&custom.invoke(&isolate).await);

    println!("\n-- After --");
    show_resources(&clients, &account).await;

    println!("\n-- Findings in Security Hub --");
    for ev in imported.iter().chain([&remediate, &isolate]) {
        let finding = &ev["detail"]["findings"][0];
        let id = finding["Id"].as_str().unwrap_or_default();
        let (status, note) = finding_state(&clients, id).await;
        let control = finding["Compliance"]["SecurityControlId"]
            .as_str()
            .or_else(|| {
                finding["ProductFields"]["RuleId"]
                    .as_str()
                    .map(|_| "CIS 4.1")
            })
            .or_else(|| finding["ProductFields"]["ControlId"].as_str())
            .unwrap_or("GuardDuty");
        println!("{control:<10} {status:<9} {}", note.unwrap_or_default());
    }
    println!("\nDone: the emulator and the functions are stopped.");
}

/// A public bucket, a security group open to the world on SSH, and an instance.
async fn misconfigure(clients: &Clients) -> Account {
    clients
        .s3
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("create bucket");
    let open_group = clients
        .ec2
        .create_security_group()
        .group_name("acme-open-ssh")
        .description("SSH from anywhere")
        .send()
        .await
        .expect("create security group")
        .group_id()
        .unwrap_or_default()
        .to_owned();
    let permission = |port: i32, cidr: &str| {
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
            .build()
    };
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&open_group)
        .ip_permissions(permission(22, "0.0.0.0/0"))
        .ip_permissions(permission(443, "0.0.0.0/0"))
        .send()
        .await
        .expect("open the group");
    let image = clients
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("describe images")
        .images()
        .first()
        .and_then(|i| i.image_id())
        .unwrap_or("ami-12c6146b")
        .to_owned();
    let instance = clients
        .ec2
        .run_instances()
        .image_id(image)
        .min_count(1)
        .max_count(1)
        .security_group_ids(&open_group)
        .send()
        .await
        .expect("run instance")
        .instances()
        .first()
        .and_then(|i| i.instance_id())
        .unwrap_or_default()
        .to_owned();
    Account {
        bucket: BUCKET.to_owned(),
        open_group,
        instance,
    }
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
