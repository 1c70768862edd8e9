//! A bare organisation on the emulator, for `hubfix setup` (`make sandbox`, the
//! foundation tests and docs/foundation.md's walkthrough): a management account, the
//! account that is to be the Security Hub administrator (the one the sandbox's
//! credentials act in, where hubfix runs), two more members, and an account outside
//! the organisation that is to be invited from a CSV. Nothing of Security Hub is set up.

use serde_json::json;

use crate::{Emulator, ACCOUNT};

/// The organisation's management account.
pub const MANAGEMENT: &str = "111111111111";
/// The account to be the delegated Security Hub administrator (hubfix's own).
pub const ADMINISTRATOR: &str = ACCOUNT;
/// The organisation's other members.
pub const MEMBERS: [&str; 2] = ["222222222222", "333333333333"];
/// The account outside the organisation, invited from the CSV.
pub const OUTSIDER: &str = "444444444444";
/// The outsider's address in the CSV.
pub const OUTSIDER_EMAIL: &str = "security@partner.example.com";
/// The role hubfix works through in every other account (the sandbox's member role).
pub const ROLE: &str = crate::sandbox::MEMBER_ROLE;
/// The break-glass role the tamper-protection policy exempts.
pub const BREAK_GLASS: &str = "hubfix-break-glass";
/// The bucket the Config.1 fix's delivery channels write to.
pub const CONFIG_BUCKET: &str = "acme-config-history";
/// The regions of the foundation: the aggregation region first.
pub const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// What the organisation is.
#[derive(Debug, Clone)]
pub struct Organization {
    /// `o-...`.
    pub id: String,
    /// `r-...`.
    pub root_id: String,
}

/// Creates the organisation: the management account creates it and the others join
/// (the emulator's admin endpoint stands for the invitation handshake); the
/// administrator gets the bucket Config's delivery channels write to.
pub async fn seed_organization(emulator: &Emulator) -> Organization {
    let management = emulator
        .assumed_config(MANAGEMENT, "OrganizationAccountAccessRole")
        .await;
    let orgs = aws_sdk_organizations::Client::new(&management);
    let org = orgs
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("CreateOrganization");
    let id = org
        .organization()
        .and_then(|o| o.id())
        .unwrap_or_default()
        .to_owned();
    let names = [
        (ADMINISTRATOR, "security"),
        (MEMBERS[0], "payments-prod"),
        (MEMBERS[1], "data-platform"),
    ];
    for (account, name) in names {
        emulator
            .admin(
                "POST",
                "/_hubfix/organizations/accounts",
                &json!({
                    "management_account": MANAGEMENT,
                    "account": account,
                    "name": name,
                    "email": format!("aws+{name}@acme.example.com"),
                }),
            )
            .await;
    }
    let roots = orgs.list_roots().send().await.expect("ListRoots");
    let root_id = roots.roots()[0].id().unwrap_or_default().to_owned();
    let admin = emulator.clients().await;
    admin
        .s3
        .create_bucket()
        .bucket(CONFIG_BUCKET)
        .send()
        .await
        .expect("create the Config bucket");
    Organization { id, root_id }
}

/// Attaches to `target` (an account, OU or root id) a service control policy named
/// `name` that denies `action` to everyone: a permission the organisation withholds.
/// Service control policies are enabled on the root first when they are not.
pub async fn deny(emulator: &Emulator, name: &str, action: &str, target: &str) {
    use aws_sdk_organizations::types::PolicyType;
    let management = emulator
        .assumed_config(MANAGEMENT, "OrganizationAccountAccessRole")
        .await;
    let orgs = aws_sdk_organizations::Client::new(&management);
    let roots = orgs.list_roots().send().await.expect("ListRoots");
    let root = &roots.roots()[0];
    let enabled = root
        .policy_types()
        .iter()
        .any(|p| p.r#type() == Some(&PolicyType::ServiceControlPolicy));
    if !enabled {
        orgs.enable_policy_type()
            .root_id(root.id().unwrap_or_default())
            .policy_type(PolicyType::ServiceControlPolicy)
            .send()
            .await
            .expect("EnablePolicyType");
    }
    let content = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}],
    });
    let created = orgs
        .create_policy()
        .name(name)
        .description(format!("deny {action}"))
        .r#type(PolicyType::ServiceControlPolicy)
        .content(content.to_string())
        .send()
        .await
        .expect("CreatePolicy");
    let id = created
        .policy()
        .and_then(|p| p.policy_summary())
        .and_then(|s| s.id())
        .unwrap_or_default();
    orgs.attach_policy()
        .policy_id(id)
        .target_id(target)
        .send()
        .await
        .expect("AttachPolicy");
}

/// The setup file of the sandbox's organisation, as docs/foundation.md writes it.
pub fn setup_file() -> String {
    format!(
        r#"[organization]
management_account = "{MANAGEMENT}"
administrator = "{ADMINISTRATOR}"
role = "{ROLE}"

[hub]
regions = ["us-east-1", "eu-west-1"]
standards = ["fsbp", "cis-5.0", "pci-dss-3.2.1", "nist-800-53"]

[aggregator]
region = "us-east-1"

[products]
enable = ["guardduty", "inspector", "macie", "config"]

[invited]
csv = "members.csv"

[tamper_protection]
attach_to = ["root"]
exempt_roles = ["{BREAK_GLASS}"]

[config_recording]
fix = true
"#
    )
}

/// The members CSV of the sandbox (seed 002's format).
pub fn members_csv() -> String {
    format!("Account ID,Email\n{OUTSIDER},{OUTSIDER_EMAIL}\n")
}

/// The environment `hubfix setup` needs beyond the sandbox's.
pub fn environment() -> Vec<(&'static str, String)> {
    vec![("HUBFIX_CONFIG_BUCKET", CONFIG_BUCKET.into())]
}

/// The sandbox's setup file and CSV written to a scratch directory, read back.
///
/// Each call has a directory of its own: the tests of one binary run in parallel and
/// each builds its sandbox, so a shared directory would be read half-written.
pub fn foundation(name: &str) -> hubfix::setup::Foundation {
    let dir = std::env::temp_dir().join(crate::unique(&format!("hubfix-org-{name}")));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    std::fs::write(dir.join("hubfix-setup.toml"), setup_file()).expect("write the setup file");
    std::fs::write(dir.join("members.csv"), members_csv()).expect("write the CSV");
    let f = hubfix::setup::Foundation::load(&dir.join("hubfix-setup.toml"))
        .expect("a valid setup file");
    std::fs::remove_dir_all(&dir).ok();
    f
}

/// The accounts as `hubfix setup` reaches them from the administrator (the emulator's
/// default credentials), through the sandbox's member role.
pub async fn access(emulator: &Emulator) -> hubfix::setup::access::Access {
    let role = hubfix::settings::MemberRole {
        name: ROLE.to_owned(),
        external_id: None,
    };
    hubfix::setup::access::Access::new(
        emulator.config().await,
        ADMINISTRATOR,
        Some(role.clone()),
        Some(role),
    )
}

/// The sandbox's bare organisation taken to its foundation, as `hubfix setup apply`
/// does (the foundation stored in the audit bucket for the drift guard).
pub async fn applied(
    emulator: &Emulator,
    f: &hubfix::setup::Foundation,
) -> hubfix::setup::apply::ApplyReport {
    let access = access(emulator).await;
    let clients = emulator.clients().await;
    let trail = hubfix::audit::AuditTrail::new(
        clients.s3.client().clone(),
        crate::sandbox::AUDIT_BUCKET,
        hubfix::audit::DEFAULT_PREFIX,
    );
    hubfix::setup::drift::save_foundation(
        clients.s3.client(),
        crate::sandbox::AUDIT_BUCKET,
        hubfix::audit::DEFAULT_PREFIX,
        f,
    )
    .await
    .expect("store the foundation");
    let mut settings = hubfix::Policy::default().settings;
    settings.catalogue.config_bucket = Some(CONFIG_BUCKET.to_owned());
    let applier = hubfix::setup::apply::Applier {
        foundation: f,
        access: &access,
        audit: Some(&trail),
        actor: "hubfix tests",
        settings: &settings,
    };
    let report = applier.apply(&|_| {}).await.expect("a plan");
    assert!(!report.failed(), "{:#?}", report.results);
    assert!(report.remaining.is_clean(), "{:#?}", report.remaining);
    report
}
