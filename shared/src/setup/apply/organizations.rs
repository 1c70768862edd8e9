//! The Organizations steps of a plan, made in the management account: Security Hub's
//! trusted access, and the service control policy that keeps the foundation on.

use aws_sdk_organizations::types::PolicyType;
use aws_sdk_organizations::Client;

use super::call;
use crate::setup::state::Scope;

/// Security Hub trusted by the organisation (`EnableAWSServiceAccess`).
pub(super) async fn enable_trusted_access(orgs: &Client, scope: &Scope) -> Result<(), String> {
    call(
        "organizations:EnableAWSServiceAccess",
        scope,
        orgs.enable_aws_service_access()
            .service_principal(crate::setup::plan::SECURITY_HUB_PRINCIPAL)
            .send(),
    )
    .await
    .map(drop)
}

/// Service control policies usable in the organisation's root.
pub(super) async fn enable_service_control_policies(
    orgs: &Client,
    scope: &Scope,
    root_id: &str,
) -> Result<(), String> {
    call(
        "organizations:EnablePolicyType",
        scope,
        orgs.enable_policy_type()
            .root_id(root_id)
            .policy_type(PolicyType::ServiceControlPolicy)
            .send(),
    )
    .await
    .map(drop)
}

/// The tamper-protection policy created, or (with its id) given the content the file asks.
pub(super) async fn put_tamper_policy(
    orgs: &Client,
    scope: &Scope,
    policy_id: Option<&str>,
    name: &str,
    content: &str,
) -> Result<(), String> {
    match policy_id {
        Some(id) => call(
            "organizations:UpdatePolicy",
            scope,
            orgs.update_policy().policy_id(id).content(content).send(),
        )
        .await
        .map(drop),
        None => call(
            "organizations:CreatePolicy",
            scope,
            orgs.create_policy()
                .name(name)
                .description(
                    "hubfix: nobody switches off the Security Hub foundation but the break-glass roles",
                )
                .r#type(PolicyType::ServiceControlPolicy)
                .content(content)
                .send(),
        )
        .await
        .map(drop),
    }
}

/// The tamper-protection policy (found by its name) attached to a target.
pub(super) async fn attach_tamper_policy(
    orgs: &Client,
    scope: &Scope,
    policy_name: &str,
    target: &str,
) -> Result<(), String> {
    let policies = call(
        "organizations:ListPolicies",
        scope,
        orgs.list_policies()
            .filter(PolicyType::ServiceControlPolicy)
            .send(),
    )
    .await?;
    let id = policies
        .policies()
        .iter()
        .find(|p| p.name() == Some(policy_name))
        .and_then(|p| p.id())
        .ok_or_else(|| format!("{scope}: the policy {policy_name} is missing"))?
        .to_owned();
    call(
        "organizations:AttachPolicy",
        scope,
        orgs.attach_policy().policy_id(id).target_id(target).send(),
    )
    .await
    .map(drop)
}
