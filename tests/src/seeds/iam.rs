//! IAM users, keys, policies and certificates as misconfigured accounts hold them.

use hubfix::aws::Clients;
use serde_json::json;

use crate::unique;

/// A new user with `keys` active access keys (the emulator dates them now: age-based
/// rules run with `FixSettings::now` moved forward); returns its name and key ids.
pub async fn user_with_keys(clients: &Clients, keys: usize) -> (String, Vec<String>) {
    let name = unique("user");
    clients
        .iam
        .create_user()
        .user_name(&name)
        .send()
        .await
        .expect("create a user");
    let mut ids = Vec::new();
    for _ in 0..keys {
        let key = clients
            .iam
            .create_access_key()
            .user_name(&name)
            .send()
            .await
            .expect("create an access key");
        ids.push(key.access_key().expect("a key").access_key_id().to_owned());
    }
    (name, ids)
}

/// Gives a user a console password.
pub async fn console_password(clients: &Clients, user: &str) {
    clients
        .iam
        .create_login_profile()
        .user_name(user)
        .password("Sup3r-Secret-Passw0rd!")
        .send()
        .await
        .expect("create a login profile");
}

/// A user with a customer managed policy attached and an inline policy `inline-read`,
/// both allowing `s3:ListAllMyBuckets`: IAM.2 (and CIS 1.15) fail. Returns the user's
/// name and the managed policy's ARN.
pub async fn user_with_policies(clients: &Clients) -> (String, String) {
    let (user, _) = user_with_keys(clients, 0).await;
    let document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]});
    let managed = clients
        .iam
        .create_policy()
        .policy_name(unique("list"))
        .policy_document(document.to_string())
        .send()
        .await
        .expect("create a policy")
        .policy()
        .and_then(|p| p.arn())
        .expect("a policy ARN")
        .to_owned();
    clients
        .iam
        .attach_user_policy()
        .user_name(&user)
        .policy_arn(&managed)
        .send()
        .await
        .expect("attach the policy");
    clients
        .iam
        .put_user_policy()
        .user_name(&user)
        .policy_name("inline-read")
        .policy_document(document.to_string())
        .send()
        .await
        .expect("put the inline policy");
    (user, managed)
}

/// An account password policy weaker than every password control asks (length 10, no
/// character classes, 180 days, 3 remembered, hard expiry): IAM.7 and IAM.10 to IAM.17
/// fail, and an undo must put back each setting, not a default.
pub async fn weak_password_policy(clients: &Clients) {
    clients
        .iam
        .update_account_password_policy()
        .minimum_password_length(10)
        .allow_users_to_change_password(true)
        .max_password_age(180)
        .password_reuse_prevention(3)
        .hard_expiry(true)
        .send()
        .await
        .expect("update the password policy");
}

/// Uploads a server certificate (the emulator dates every one as expired in 2012);
/// returns its ARN.
pub async fn server_certificate(clients: &Clients, name: &str) -> String {
    clients
        .iam
        .upload_server_certificate()
        .server_certificate_name(name)
        .certificate_body("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
        .private_key("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----")
        .send()
        .await
        .expect("upload a server certificate")
        .server_certificate_metadata()
        .expect("certificate metadata")
        .arn()
        .to_owned()
}

/// The AWS managed policy `IAM.27` looks for.
pub const CLOUDSHELL_POLICY: &str = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess";
/// An AWS managed policy an operator keeps beside it, which `IAM.27`'s fix must keep.
pub const READ_ONLY_POLICY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// A new IAM identity of `kind` (`user`, `group` or `role`) with `AWSCloudShellFullAccess`
/// and `ReadOnlyAccess` attached: `IAM.27` fails. Returns its ARN and name.
pub async fn identity_with_cloudshell(clients: &Clients, kind: &str) -> (String, String) {
    let iam = &clients.iam;
    let name = unique(&format!("ops-{kind}"));
    for policy in [CLOUDSHELL_POLICY, READ_ONLY_POLICY] {
        match kind {
            "user" => {
                if policy == CLOUDSHELL_POLICY {
                    iam.create_user()
                        .user_name(&name)
                        .send()
                        .await
                        .expect("user");
                }
                iam.attach_user_policy()
                    .user_name(&name)
                    .policy_arn(policy)
                    .send()
                    .await
                    .expect("attach to the user");
            }
            "group" => {
                if policy == CLOUDSHELL_POLICY {
                    iam.create_group()
                        .group_name(&name)
                        .send()
                        .await
                        .expect("group");
                }
                iam.attach_group_policy()
                    .group_name(&name)
                    .policy_arn(policy)
                    .send()
                    .await
                    .expect("attach to the group");
            }
            "role" => {
                if policy == CLOUDSHELL_POLICY {
                    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"AWS": format!("arn:aws:iam::{}:root", crate::ACCOUNT)},
                        "Action": "sts:AssumeRole"}]});
                    iam.create_role()
                        .role_name(&name)
                        .assume_role_policy_document(trust.to_string())
                        .send()
                        .await
                        .expect("role");
                }
                iam.attach_role_policy()
                    .role_name(&name)
                    .policy_arn(policy)
                    .send()
                    .await
                    .expect("attach to the role");
            }
            other => panic!("no IAM identity kind {other}"),
        }
    }
    (
        format!("arn:aws:iam::{}:{kind}/{name}", crate::ACCOUNT),
        name,
    )
}

/// The managed policies attached to an identity of `kind`, sorted.
pub async fn attached_policies(clients: &Clients, kind: &str, name: &str) -> Vec<String> {
    let iam = &clients.iam;
    let mut arns: Vec<String> = match kind {
        "user" => iam
            .list_attached_user_policies()
            .user_name(name)
            .send()
            .await
            .expect("user policies")
            .attached_policies()
            .to_vec(),
        "group" => iam
            .list_attached_group_policies()
            .group_name(name)
            .send()
            .await
            .expect("group policies")
            .attached_policies()
            .to_vec(),
        _ => iam
            .list_attached_role_policies()
            .role_name(name)
            .send()
            .await
            .expect("role policies")
            .attached_policies()
            .to_vec(),
    }
    .iter()
    .filter_map(|p| p.policy_arn().map(str::to_owned))
    .collect();
    arns.sort();
    arns
}
