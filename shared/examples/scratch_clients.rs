fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}
#[tokio::main]
async fn main() {
    let config = hubfix::aws::config_loader()
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .credentials_provider(aws_credential_types::Credentials::new(
            "a", "b", None, None, "t",
        ))
        .load()
        .await;
    let before = rss_kb();
    let mut v = Vec::new();
    for _ in 0..1000 {
        v.push(hubfix::aws::Clients::new(&config));
    }
    let after = rss_kb();
    println!(
        "1000 Clients: {} KB, {} KB each",
        after - before,
        (after - before) / 1000
    );
    let before = rss_kb();
    let mut w = Vec::new();
    for _ in 0..1000 {
        w.push(aws_sdk_s3::Client::new(&config));
    }
    println!("1000 s3 clients: {} KB", rss_kb() - before);
}
