//! The physical limit for `make bench`: the same fixes hubfix makes, done by the
//! smallest program that issues only the necessary API calls (one per resource), with
//! the same SDK, retry settings and concurrency as hubfix. Reads the resource names,
//! one per line, from the file given; the endpoint and credentials from the
//! environment, like every SDK program.
//!
//! Usage: `bare s3|sg <names file> [concurrency]`.

use futures_util::stream::{self, StreamExt};
use hubfix::aws::{load_config, Clients};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(kind), Some(file)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bare s3|sg <names file> [concurrency]");
        std::process::exit(2);
    };
    let concurrency: usize = args.get(3).and_then(|c| c.parse().ok()).unwrap_or(8);
    let names: Vec<String> = std::fs::read_to_string(file)
        .expect("names file")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let clients = Clients::new(&load_config().await);
    let failures = stream::iter(names.iter())
        .map(|name| {
            let clients = &clients;
            async move {
                match kind.as_str() {
                    "s3" => clients
                        .s3
                        .put_public_access_block()
                        .bucket(name)
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
                        .is_err(),
                    _ => clients
                        .ec2
                        .revoke_security_group_ingress()
                        .group_id(name)
                        .ip_protocol("tcp")
                        .from_port(22)
                        .to_port(22)
                        .cidr_ip("0.0.0.0/0")
                        .send()
                        .await
                        .is_err(),
                }
            }
        })
        .buffer_unordered(concurrency)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    println!("{} fixed, {failures} failed", names.len() - failures);
    std::process::exit(i32::from(failures > 0));
}
