//! `make sandbox`: the emulator with two accounts' misconfigured resources and their
//! findings, kept running for trying the `hubfix` command by hand. Writes the
//! environment to `.sandbox.env` (source it in another shell); Enter stops it.

use std::io::BufRead;

use hubfix_tests::organization::{self, seed_organization, MANAGEMENT, MEMBERS, OUTSIDER};
use hubfix_tests::sandbox::{environment, seed, ADMIN_BUCKET, MEMBER, MEMBER_BUCKET};
use hubfix_tests::{workspace, Emulator};

#[tokio::main]
async fn main() {
    let emulator = Emulator::start().await;
    let sandbox = seed(&emulator).await;
    let org = seed_organization(&emulator).await;
    let env: String = environment(&emulator)
        .into_iter()
        .chain(organization::environment())
        .map(|(k, v)| format!("export {k}={v}\n"))
        .collect();
    let path = workspace().join(".sandbox.env");
    std::fs::write(&path, &env).expect("write .sandbox.env");
    println!("hubfix sandbox: AWS emulator on {}", emulator.endpoint);
    println!(
        "  administrator 123456789012: public bucket {ADMIN_BUCKET}, security group {} open on SSH",
        sandbox.open_group
    );
    println!("  member {MEMBER}: public bucket {MEMBER_BUCKET}");
    println!(
        "  organisation {} (root {}): management {MANAGEMENT}, administrator-to-be 123456789012, members {}, {};",
        org.id, org.root_id, MEMBERS[0], MEMBERS[1]
    );
    println!("    {OUTSIDER} outside it, to invite from a CSV: no Security Hub anywhere yet (docs/foundation.md)");
    println!("  Security Hub findings:");
    for id in &sandbox.findings {
        println!("    {id}");
    }
    println!(
        "\nIn another shell:  source .sandbox.env  (written to {})",
        path.display()
    );
    println!("{env}");
    println!("Press Enter to stop the sandbox.");
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    let _ = std::fs::remove_file(&path);
}
