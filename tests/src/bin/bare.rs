//! The physical limit for `make bench`: the same fixes hubfix makes, done by the
//! smallest program that issues only the necessary API calls, with the same SDK, retry
//! settings and concurrency as hubfix. Reads the resources, one per line, from the file
//! given: the resource's name, and with `checked` its finding's id and product ARN,
//! separated by tabs; the endpoint and credentials from the environment, like every SDK
//! program.
//!
//! Two baselines:
//! - `fix` (the default): one call per resource, the fix alone (`PutPublicAccessBlock`,
//!   `RevokeSecurityGroupIngress`). Nothing is read, verified or recorded.
//! - `checked`: the calls hubfix makes for the same guarantees, written out by hand in
//!   hubfix's order: read the resource (and the bucket's tags, for the exemption tag),
//!   mark the findings NOTIFIED in batches of 100, fix, read back, record RESOLVED in
//!   batches of 100. hubfix over this is the cost of its own code, not of its calls.
//!
//! Usage: `bare s3|sg <resources file> [concurrency] [fix|checked]`.

use aws_sdk_securityhub::types::{
    AwsSecurityFindingIdentifier, NoteUpdate, WorkflowStatus, WorkflowUpdate,
};
use futures_util::stream::{self, StreamExt};
use hubfix::aws::{load_config, Clients};

/// One resource to fix, and its finding.
struct Resource {
    name: String,
    finding_id: String,
    product_arn: String,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(kind), Some(file)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bare s3|sg <resources file> [concurrency] [fix|checked]");
        std::process::exit(2);
    };
    let concurrency: usize = args.get(3).and_then(|c| c.parse().ok()).unwrap_or(8);
    let checked = args.get(4).is_some_and(|mode| mode == "checked");
    let resources: Vec<Resource> = std::fs::read_to_string(file)
        .expect("resources file")
        .lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut fields = line.split('\t').map(str::to_owned);
            Resource {
                name: fields.next().unwrap_or_default(),
                finding_id: fields.next().unwrap_or_default(),
                product_arn: fields.next().unwrap_or_default(),
            }
        })
        .collect();
    let clients = Clients::new(&load_config().await);
    let s3 = kind == "s3";
    if checked {
        run(&resources, concurrency, |r| {
            read_back(&clients, s3, r, true)
        })
        .await;
        record(&clients, &resources, WorkflowStatus::Notified).await;
    }
    let failures = run(&resources, concurrency, |r| async {
        let fixed = fix(&clients, s3, r).await;
        if checked {
            read_back(&clients, s3, r, false).await && fixed
        } else {
            fixed
        }
    })
    .await;
    if checked {
        record(&clients, &resources, WorkflowStatus::Resolved).await;
    }
    println!("{} fixed, {failures} failed", resources.len() - failures);
    std::process::exit(i32::from(failures > 0));
}

/// Runs `step` on every resource, `concurrency` at a time; how many failed.
async fn run<'a, F, Fut>(resources: &'a [Resource], concurrency: usize, step: F) -> usize
where
    F: Fn(&'a Resource) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    stream::iter(resources.iter())
        .map(step)
        .buffer_unordered(concurrency)
        .filter(|ok| std::future::ready(!*ok))
        .count()
        .await
}

/// The fix: one call.
async fn fix(clients: &Clients, s3: bool, r: &Resource) -> bool {
    if s3 {
        clients
            .s3
            .put_public_access_block()
            .bucket(&r.name)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .is_ok()
    } else {
        clients
            .ec2
            .revoke_security_group_ingress()
            .group_id(&r.name)
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await
            .is_ok()
    }
}

/// Reads the resource's state: before the fix, with the bucket's tags (a bucket without
/// tags or Block Public Access answers with an error, which is an answer, as it is for
/// hubfix); after it, to verify.
async fn read_back(clients: &Clients, s3: bool, r: &Resource, with_tags: bool) -> bool {
    if !s3 {
        return clients
            .ec2
            .describe_security_groups()
            .group_ids(&r.name)
            .send()
            .await
            .is_ok();
    }
    if with_tags {
        let _ = clients.s3.get_bucket_tagging().bucket(&r.name).send().await;
    }
    let state = clients
        .s3
        .get_public_access_block()
        .bucket(&r.name)
        .send()
        .await;
    with_tags || state.is_ok()
}

/// Records a workflow status and one note on the findings, 100 a call.
async fn record(clients: &Clients, resources: &[Resource], status: WorkflowStatus) {
    for batch in resources.chunks(100) {
        let mut update = clients
            .securityhub
            .batch_update_findings()
            .workflow(WorkflowUpdate::builder().status(status.clone()).build())
            .note(
                NoteUpdate::builder()
                    .text(format!("bare: {}", status.as_str()))
                    .updated_by("bare")
                    .build(),
            );
        for r in batch {
            update = update.finding_identifiers(
                AwsSecurityFindingIdentifier::builder()
                    .id(&r.finding_id)
                    .product_arn(&r.product_arn)
                    .build(),
            );
        }
        if let Err(e) = update.send().await {
            eprintln!("BatchUpdateFindings: {e}");
        }
    }
}
