//! The Security Hub steps of a plan: one function a kind of step, each making the calls
//! the step needs in its account and region.

use aws_sdk_securityhub::types::{
    AccountDetails, AutoEnableStandards, ControlFindingGenerator, OrganizationConfiguration,
    OrganizationConfigurationConfigurationType, Policy, SecurityControlsConfiguration,
    SecurityHubPolicy, StandardsSubscriptionRequest, Target as PolicyTarget,
};
use aws_sdk_securityhub::Client;

use super::{call, call_unless_done};
use crate::setup::members_csv::InvitedAccount;
use crate::setup::plan::{Action, CONFIGURATION_POLICY_NAME};
use crate::setup::state::Scope;

/// Requests in one `BatchEnableStandards` call.
const STANDARDS_PER_CALL: usize = 25;
/// Accounts in one `CreateMembers` or `InviteMembers` call.
const MEMBERS_PER_CALL: usize = 50;

/// Runs a Security Hub step with the client of its account and region. The actions of
/// other services (Organizations, the `Config.1` fix) are not Security Hub's: they
/// are refused.
pub(super) async fn execute(sh: &Client, scope: &Scope, action: &Action) -> Result<(), String> {
    match action {
        Action::DesignateAdministrator { administrator } => {
            designate_administrator(sh, scope, administrator).await
        }
        Action::EnableHub { consolidated } => enable_hub(sh, scope, *consolidated).await,
        Action::ConfigureHub {
            consolidated,
            auto_enable_controls,
        } => configure_hub(sh, scope, *consolidated, *auto_enable_controls).await,
        Action::EnableStandards { standards } => enable_standards(sh, scope, standards).await,
        Action::DisableStandards { subscriptions } => {
            disable_standards(sh, scope, subscriptions).await
        }
        Action::EnableProducts { products } => enable_products(sh, scope, products).await,
        Action::ConfigureOrganization {
            auto_enable,
            auto_enable_standards,
            configuration_type,
        } => {
            configure_organization(
                sh,
                scope,
                *auto_enable,
                auto_enable_standards,
                configuration_type,
            )
            .await
        }
        Action::PutConfigurationPolicy {
            policy_id,
            standards,
        } => put_configuration_policy(sh, scope, policy_id.as_deref(), standards).await,
        Action::AssociatePolicyWithRoot { root_id } => {
            associate_policy_with_root(sh, scope, root_id).await
        }
        Action::CreateAggregator {
            linking_mode,
            regions,
        } => create_aggregator(sh, scope, linking_mode, regions).await,
        Action::UpdateAggregator {
            arn,
            linking_mode,
            regions,
        } => update_aggregator(sh, scope, arn, linking_mode, regions).await,
        Action::AddMembers { accounts } => add_members(sh, scope, accounts).await,
        Action::InviteMembers { accounts } => invite_members(sh, scope, accounts).await,
        Action::AcceptInvitation { administrator } => {
            accept_invitation(sh, scope, administrator).await
        }
        other => Err(format!(
            "{scope}: {} is not a Security Hub step",
            other.describe()
        )),
    }
}

async fn designate_administrator(
    sh: &Client,
    scope: &Scope,
    administrator: &str,
) -> Result<(), String> {
    call(
        "securityhub:EnableOrganizationAdminAccount",
        scope,
        sh.enable_organization_admin_account()
            .admin_account_id(administrator)
            .send(),
    )
    .await
    .map(drop)
}

/// Security Hub on, without its default standards (the plan enables the file's); on
/// already is done.
async fn enable_hub(sh: &Client, scope: &Scope, consolidated: bool) -> Result<(), String> {
    call_unless_done(
        "securityhub:EnableSecurityHub",
        scope,
        &scope.account,
        sh.enable_security_hub()
            .enable_default_standards(false)
            .control_finding_generator(generator(consolidated))
            .send(),
    )
    .await
}

async fn configure_hub(
    sh: &Client,
    scope: &Scope,
    consolidated: bool,
    auto_enable_controls: bool,
) -> Result<(), String> {
    call(
        "securityhub:UpdateSecurityHubConfiguration",
        scope,
        sh.update_security_hub_configuration()
            .control_finding_generator(generator(consolidated))
            .auto_enable_controls(auto_enable_controls)
            .send(),
    )
    .await
    .map(drop)
}

async fn enable_standards(sh: &Client, scope: &Scope, standards: &[String]) -> Result<(), String> {
    for chunk in standards.chunks(STANDARDS_PER_CALL) {
        let requests: Vec<StandardsSubscriptionRequest> = chunk
            .iter()
            .map(|arn| {
                StandardsSubscriptionRequest::builder()
                    .standards_arn(arn)
                    .build()
            })
            .collect();
        call(
            "securityhub:BatchEnableStandards",
            scope,
            sh.batch_enable_standards()
                .set_standards_subscription_requests(Some(requests))
                .send(),
        )
        .await?;
    }
    Ok(())
}

/// The subscriptions off; only subscription ARNs are sent (a standard's own ARN is not
/// one).
async fn disable_standards(
    sh: &Client,
    scope: &Scope,
    subscriptions: &[String],
) -> Result<(), String> {
    let arns: Vec<String> = subscriptions
        .iter()
        .filter(|s| s.contains(":subscription/"))
        .cloned()
        .collect();
    for chunk in arns.chunks(STANDARDS_PER_CALL) {
        call(
            "securityhub:BatchDisableStandards",
            scope,
            sh.batch_disable_standards()
                .set_standards_subscription_arns(Some(chunk.to_vec()))
                .send(),
        )
        .await?;
    }
    Ok(())
}

/// Each product's findings imported; a product already enabled is done.
async fn enable_products(sh: &Client, scope: &Scope, products: &[String]) -> Result<(), String> {
    for product in products {
        call_unless_done(
            "securityhub:EnableImportFindingsForProduct",
            scope,
            product,
            sh.enable_import_findings_for_product()
                .product_arn(product)
                .send(),
        )
        .await?;
    }
    Ok(())
}

async fn configure_organization(
    sh: &Client,
    scope: &Scope,
    auto_enable: bool,
    auto_enable_standards: &str,
    configuration_type: &str,
) -> Result<(), String> {
    let configuration = OrganizationConfiguration::builder()
        .configuration_type(OrganizationConfigurationConfigurationType::from(
            configuration_type,
        ))
        .build();
    call(
        "securityhub:UpdateOrganizationConfiguration",
        scope,
        sh.update_organization_configuration()
            .auto_enable(auto_enable)
            .auto_enable_standards(AutoEnableStandards::from(auto_enable_standards))
            .organization_configuration(configuration)
            .send(),
    )
    .await
    .map(drop)
}

/// hubfix's central configuration policy, created or (with its id) updated: Security
/// Hub on with the file's standards, every control enabled.
async fn put_configuration_policy(
    sh: &Client,
    scope: &Scope,
    policy_id: Option<&str>,
    standards: &[String],
) -> Result<(), String> {
    let policy = Policy::SecurityHub(
        SecurityHubPolicy::builder()
            .service_enabled(true)
            .set_enabled_standard_identifiers(Some(standards.to_vec()))
            .security_controls_configuration(
                SecurityControlsConfiguration::builder()
                    .set_disabled_security_control_identifiers(Some(Vec::new()))
                    .build(),
            )
            .build(),
    );
    match policy_id {
        Some(id) => call(
            "securityhub:UpdateConfigurationPolicy",
            scope,
            sh.update_configuration_policy()
                .identifier(id)
                .configuration_policy(policy)
                .send(),
        )
        .await
        .map(drop),
        None => call(
            "securityhub:CreateConfigurationPolicy",
            scope,
            sh.create_configuration_policy()
                .name(CONFIGURATION_POLICY_NAME)
                .description(
                    "Security Hub and the standards of hubfix's setup file, in every account",
                )
                .configuration_policy(policy)
                .send(),
        )
        .await
        .map(drop),
    }
}

/// hubfix's configuration policy (found by name) associated with the organisation's root.
async fn associate_policy_with_root(
    sh: &Client,
    scope: &Scope,
    root_id: &str,
) -> Result<(), String> {
    let listed = call(
        "securityhub:ListConfigurationPolicies",
        scope,
        sh.list_configuration_policies().send(),
    )
    .await?;
    let id = listed
        .configuration_policy_summaries()
        .iter()
        .find(|p| p.name() == Some(CONFIGURATION_POLICY_NAME))
        .and_then(|p| p.id())
        .ok_or_else(|| {
            format!("{scope}: the configuration policy {CONFIGURATION_POLICY_NAME} is missing")
        })?
        .to_owned();
    call(
        "securityhub:StartConfigurationPolicyAssociation",
        scope,
        sh.start_configuration_policy_association()
            .configuration_policy_identifier(id)
            .target(PolicyTarget::RootId(root_id.to_owned()))
            .send(),
    )
    .await
    .map(drop)
}

/// The finding aggregator; the regions are sent only when there are some (`ALL_REGIONS`
/// takes none).
async fn create_aggregator(
    sh: &Client,
    scope: &Scope,
    linking_mode: &str,
    regions: &[String],
) -> Result<(), String> {
    let mut request = sh
        .create_finding_aggregator()
        .region_linking_mode(linking_mode);
    if !regions.is_empty() {
        request = request.set_regions(Some(regions.to_vec()));
    }
    call("securityhub:CreateFindingAggregator", scope, request.send())
        .await
        .map(drop)
}

async fn update_aggregator(
    sh: &Client,
    scope: &Scope,
    arn: &str,
    linking_mode: &str,
    regions: &[String],
) -> Result<(), String> {
    let mut request = sh
        .update_finding_aggregator()
        .finding_aggregator_arn(arn)
        .region_linking_mode(linking_mode);
    if !regions.is_empty() {
        request = request.set_regions(Some(regions.to_vec()));
    }
    call("securityhub:UpdateFindingAggregator", scope, request.send())
        .await
        .map(drop)
}

/// The accounts made members, [`MEMBERS_PER_CALL`] a call, with their e-mail address
/// when the file gives one; an account Security Hub leaves unprocessed fails the step.
async fn add_members(
    sh: &Client,
    scope: &Scope,
    accounts: &[InvitedAccount],
) -> Result<(), String> {
    for chunk in accounts.chunks(MEMBERS_PER_CALL) {
        let details: Vec<AccountDetails> = chunk
            .iter()
            .map(|a| {
                let d = AccountDetails::builder().account_id(&a.account);
                if a.email.is_empty() {
                    d
                } else {
                    d.email(&a.email)
                }
                .build()
            })
            .collect();
        let out = call(
            "securityhub:CreateMembers",
            scope,
            sh.create_members()
                .set_account_details(Some(details))
                .send(),
        )
        .await?;
        unprocessed(
            "securityhub:CreateMembers",
            scope,
            out.unprocessed_accounts(),
        )?;
    }
    Ok(())
}

async fn invite_members(sh: &Client, scope: &Scope, accounts: &[String]) -> Result<(), String> {
    for chunk in accounts.chunks(MEMBERS_PER_CALL) {
        let out = call(
            "securityhub:InviteMembers",
            scope,
            sh.invite_members()
                .set_account_ids(Some(chunk.to_vec()))
                .send(),
        )
        .await?;
        unprocessed(
            "securityhub:InviteMembers",
            scope,
            out.unprocessed_accounts(),
        )?;
    }
    Ok(())
}

/// The administrator's invitation (found with `ListInvitations`) accepted.
async fn accept_invitation(sh: &Client, scope: &Scope, administrator: &str) -> Result<(), String> {
    let listed = call(
        "securityhub:ListInvitations",
        scope,
        sh.list_invitations().send(),
    )
    .await?;
    let invitation = listed
        .invitations()
        .iter()
        .find(|i| i.account_id() == Some(administrator))
        .and_then(|i| i.invitation_id())
        .ok_or_else(|| {
            format!("{scope}: no invitation from {administrator} to accept (ListInvitations)")
        })?
        .to_owned();
    call(
        "securityhub:AcceptAdministratorInvitation",
        scope,
        sh.accept_administrator_invitation()
            .administrator_id(administrator)
            .invitation_id(invitation)
            .send(),
    )
    .await
    .map(drop)
}

fn generator(consolidated: bool) -> ControlFindingGenerator {
    if consolidated {
        ControlFindingGenerator::SecurityControl
    } else {
        ControlFindingGenerator::StandardControl
    }
}

fn unprocessed(
    operation: &str,
    scope: &Scope,
    accounts: &[aws_sdk_securityhub::types::Result],
) -> Result<(), String> {
    if accounts.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{operation} in {scope} left accounts unprocessed: {}",
        accounts
            .iter()
            .map(|a| format!(
                "{} ({})",
                a.account_id().unwrap_or("?"),
                a.processing_result().unwrap_or("no reason given")
            ))
            .collect::<Vec<_>>()
            .join("; ")
    ))
}
