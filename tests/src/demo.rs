//! The demo account: what `make demo` sets up (a public bucket, a security group open
//! to the world on SSH, an instance), the findings Security Hub raises about it, and
//! Security Hub's next check of the fixed resources. The demo binary runs the real
//! functions on them; the compliance report's test makes the same account and checks
//! the report of it before and after that check.

use aws_sdk_ec2::types::{IpPermission, IpRange};
use hubfix::aws::Clients;
use serde_json::Value;

use crate::{event, retarget, Emulator, ACCOUNT, REGION};

/// The demo's public bucket.
pub const BUCKET: &str = "acme-public-assets";

/// The demo account's misconfigured resources.
pub struct Account {
    /// A bucket without Block Public Access.
    pub bucket: String,
    /// A security group open to the world on SSH (and 443).
    pub open_group: String,
    /// An instance in that group.
    pub instance: String,
}

/// The findings Security Hub raises about the demo account: the imported events the
/// auto-remediate function gets, then the `Remediate` and `IsolateInstance` custom
/// actions an analyst runs.
pub struct Findings {
    /// S3.8 (the bucket), CIS 4.1 (the group) and FSBP S3.1 (the account).
    pub imported: Vec<Value>,
    /// `Remediate` on the account's consolidated S3.1 finding.
    pub remediate: Value,
    /// `IsolateInstance` on a GuardDuty finding about the instance.
    pub isolate: Value,
}

impl Findings {
    /// The events, retargeted at the account's resources.
    pub fn of(account: &Account) -> Findings {
        let at = |file: &str, resource: &str| {
            let mut ev = event(file);
            retarget(&mut ev, resource, "demo");
            ev
        };
        let account_arn = format!("AWS::::Account:{ACCOUNT}");
        Findings {
            imported: vec![
                at(
                    "s3-8-imported.json",
                    &format!("arn:aws:s3:::{}", account.bucket),
                ),
                at(
                    "ec2-13-imported.json",
                    &format!(
                        "arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{}",
                        account.open_group
                    ),
                ),
                at("s3-1-imported.json", &account_arn),
            ],
            remediate: at("custom-action-remediate.json", &account_arn),
            isolate: at(
                "custom-action-isolate-instance.json",
                &format!(
                    "arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{}",
                    account.instance
                ),
            ),
        }
    }

    /// Every event, imported ones first.
    pub fn all(&self) -> impl Iterator<Item = &Value> {
        self.imported.iter().chain([&self.remediate, &self.isolate])
    }
}

/// Creates the misconfigured resources.
pub async fn misconfigure(clients: &Clients) -> Account {
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

/// Security Hub's next check of the demo account's hub: the emulator checks the
/// resources of the controls it knows again and updates their findings as Security Hub
/// does (`POST /_hubfix/securityhub/evaluate`, tests/emulator/README.md). Returns its
/// answer: `{"evaluated": [{"ControlId", "PreviousComplianceStatus", "Compliance",
/// "Workflow", ...}], "not_evaluated": n}`.
pub async fn next_check(emulator: &Emulator) -> Value {
    emulator
        .admin(
            "POST",
            "/_hubfix/securityhub/evaluate",
            &serde_json::json!({"account": ACCOUNT, "region": REGION}),
        )
        .await
}
