//! A two-account sandbox on the emulator for trying the `hubfix` command by hand
//! (`make sandbox`) and for the CLI's tests: the administrator account
//! (123456789012) and a member (222222222222) each have a public bucket, the
//! administrator has a security group open to the world on SSH, and the administrator's
//! Security Hub holds the findings for all three.

use serde_json::Value;

use crate::{event, import, open_ssh_group, retarget, Emulator, ACCOUNT, REGION};

/// The member account.
pub const MEMBER: &str = "222222222222";
/// The role hubfix assumes in the member account.
pub const MEMBER_ROLE: &str = "hubfix-remediation";
/// The audit trail's bucket, in the administrator account.
pub const AUDIT_BUCKET: &str = "hubfix-audit-trail";
/// The administrator's public bucket.
pub const ADMIN_BUCKET: &str = "acme-web-assets";
/// The member's public bucket.
pub const MEMBER_BUCKET: &str = "acme-member-reports";

/// What the sandbox holds.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The administrator's security group open to the world on SSH.
    pub open_group: String,
    /// The finding ids: administrator bucket (S3.8), member bucket (S3.8), open group (EC2.13).
    pub findings: [String; 3],
}

/// Creates the sandbox's resources and findings.
pub async fn seed(emulator: &Emulator) -> Sandbox {
    let admin = emulator.clients().await;
    let member = emulator.clients_in(MEMBER, MEMBER_ROLE).await;
    for (clients, bucket) in [
        (&admin, AUDIT_BUCKET),
        (&admin, ADMIN_BUCKET),
        (&member, MEMBER_BUCKET),
    ] {
        clients
            .s3
            .create_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("create bucket");
    }
    let open_group = open_ssh_group(&admin, "acme-open-ssh").await;

    let bucket_finding = |bucket: &str, account: &str, tag: &str| {
        let mut ev = event("s3-8-imported.json");
        retarget(&mut ev, &format!("arn:aws:s3:::{bucket}"), tag);
        ev["detail"]["findings"][0]["AwsAccountId"] = Value::from(account);
        ev
    };
    let mut group_finding = event("ec2-13-imported.json");
    retarget(
        &mut group_finding,
        &format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{open_group}"),
        "sandbox-ssh",
    );
    // Consolidated control findings, as Security Hub has produced by default since 2023.
    let consolidated = &mut group_finding["detail"]["findings"][0];
    consolidated["Compliance"]["SecurityControlId"] = Value::from("EC2.13");
    consolidated["GeneratorId"] = Value::from("security-control/EC2.13");
    let events = [
        bucket_finding(ADMIN_BUCKET, ACCOUNT, "sandbox-admin"),
        bucket_finding(MEMBER_BUCKET, MEMBER, "sandbox-member"),
        group_finding,
    ];
    for ev in &events {
        import(&admin, ev).await;
    }
    let id = |ev: &Value| {
        ev["detail"]["findings"][0]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    Sandbox {
        open_group,
        findings: [id(&events[0]), id(&events[1]), id(&events[2])],
    }
}

/// The environment the `hubfix` command needs to work with the sandbox.
pub fn environment(emulator: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", emulator.endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", REGION.into()),
        ("HUBFIX_AUDIT_BUCKET", AUDIT_BUCKET.into()),
        ("HUBFIX_MEMBER_ROLE_NAME", MEMBER_ROLE.into()),
    ]
}
