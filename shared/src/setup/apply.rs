//! Applying a plan: phase by phase, each from a fresh read of AWS (what one phase did,
//! such as Security Hub enabling default standards in a new member, shapes the next),
//! every step recorded in the audit trail. Running it again changes nothing once the
//! foundation is as the file says. The first phase with a failed step is the last one
//! applied: later phases depend on earlier ones.

use std::time::SystemTime;

use aws_sdk_securityhub::types::{
    AccountDetails, AutoEnableStandards, ControlFindingGenerator, OrganizationConfiguration,
    OrganizationConfigurationConfigurationType, Policy, SecurityControlsConfiguration,
    SecurityHubPolicy, StandardsSubscriptionRequest, Target as PolicyTarget,
};

use super::access::{Access, Via};
use super::file::Foundation;
use super::observe::observe;
use super::plan::{
    plan, AccountRole, Action, Phase, Plan, PlanError, Step, CONFIGURATION_POLICY_NAME,
    SECURITY_HUB_PRINCIPAL,
};
use super::state::Observed;
use crate::audit::{rfc3339, AuditRecord, AuditTrail, Stage, SCHEMA_VERSION};
use crate::aws::Clients;
use crate::error::FixError;
use crate::model::{Change, Target};
use crate::outcome::OutcomeKind;
use crate::remediate::Fix;
use crate::settings::FixSettings;

/// The control id and rule of setup records in the audit trail (`hubfix audit --control setup`).
pub const AUDIT_CONTROL: &str = "setup";
/// Requests in one `BatchEnableStandards` call.
const STANDARDS_PER_CALL: usize = 25;
/// Accounts in one `CreateMembers` or `InviteMembers` call.
const MEMBERS_PER_CALL: usize = 50;

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepResult {
    /// The step.
    pub step: Step,
    /// What was done, or why it failed.
    pub outcome: Result<String, String>,
}

/// What `apply` did, and what is left.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApplyReport {
    /// Every step taken, in order.
    pub results: Vec<StepResult>,
    /// The plan after the last phase applied: empty when the foundation is complete.
    pub remaining: Plan,
}

impl ApplyReport {
    /// Whether a step failed.
    pub fn failed(&self) -> bool {
        self.results.iter().any(|r| r.outcome.is_err())
    }
}

/// Who applies, and where the record goes.
pub struct Applier<'a> {
    /// The file.
    pub foundation: &'a Foundation,
    /// The accounts.
    pub access: &'a Access,
    /// The audit trail, when configured.
    pub audit: Option<&'a AuditTrail>,
    /// Who asked (`hubfix CLI as ...`, the drift guard).
    pub actor: &'a str,
    /// The settings of hubfix's fixes (the `Config.1` fix).
    pub settings: &'a FixSettings,
}

impl Applier<'_> {
    /// Applies the plan phase by phase; `progress` is told of each step done.
    pub async fn apply(
        &self,
        progress: &(dyn Fn(&StepResult) + Sync),
    ) -> Result<ApplyReport, PlanError> {
        let read = || observe(self.foundation, self.access, &|_, _| {});
        self.apply_where(read, &|_| true, progress).await
    }

    /// Applies, phase by phase, the steps `keep` admits of the plans made from what
    /// `read` reports before each phase (the drift guard reads and keeps only the
    /// accounts and regions an event touched).
    pub async fn apply_where<F, Fut>(
        &self,
        read: F,
        keep: &(dyn Fn(&Step) -> bool + Sync),
        progress: &(dyn Fn(&StepResult) + Sync),
    ) -> Result<ApplyReport, PlanError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Observed>,
    {
        let mut results = Vec::new();
        let mut current = plan(self.foundation, &read().await)?;
        for phase in Phase::ALL {
            let steps: Vec<Step> = current.phase(phase).filter(|s| keep(s)).cloned().collect();
            if steps.is_empty() {
                continue;
            }
            let mut failed = false;
            for step in steps {
                let result = self.run(&step, &current).await;
                failed |= result.outcome.is_err();
                progress(&result);
                results.push(result);
            }
            current = plan(self.foundation, &read().await)?;
            if failed {
                break;
            }
        }
        current.steps.retain(|s| keep(s));
        Ok(ApplyReport {
            results,
            remaining: current,
        })
    }

    async fn run(&self, step: &Step, plan: &Plan) -> StepResult {
        let outcome = self.execute(step, plan).await;
        let result = StepResult {
            step: step.clone(),
            outcome: outcome.map(|()| step.action.describe()),
        };
        if let Some(audit) = self.audit {
            if let Err(e) = audit
                .write(&record(&result, self.actor, SystemTime::now()))
                .await
            {
                tracing::warn!(error = %e, "could not write the setup step's audit record");
            }
        }
        match &result.outcome {
            Ok(done) => {
                tracing::info!(account = %step.scope.account, region = step.scope.region_label(), done, "setup step applied")
            }
            Err(e) => {
                tracing::warn!(account = %step.scope.account, region = step.scope.region_label(), error = e, "setup step failed")
            }
        }
        result
    }

    fn via(&self, account: &str, plan: &Plan) -> Via {
        if plan.accounts.get(account) == Some(&AccountRole::Invited) {
            Via::Invited
        } else {
            Via::Organization
        }
    }

    async fn securityhub(
        &self,
        step: &Step,
        plan: &Plan,
    ) -> Result<aws_sdk_securityhub::Client, String> {
        let region = step.scope.region.as_deref().unwrap_or_default();
        self.access
            .securityhub(
                &step.scope.account,
                region,
                self.via(&step.scope.account, plan),
            )
            .await
    }

    async fn execute(&self, step: &Step, plan: &Plan) -> Result<(), String> {
        let scope = &step.scope;
        let fail = |op: &'static str| move |e: FixError| format!("{op} in {scope}: {e}");
        macro_rules! sdk {
            ($op:literal, $call:expr) => {
                $call
                    .await
                    .map_err(|e| fail($op)(FixError::from_sdk($op, &scope.account, &[], e)))
            };
        }
        match &step.action {
            Action::EnableTrustedAccess => {
                let orgs = self
                    .access
                    .organizations(&scope.account, self.foundation.partition())
                    .await?;
                sdk!(
                    "organizations:EnableAWSServiceAccess",
                    orgs.enable_aws_service_access()
                        .service_principal(SECURITY_HUB_PRINCIPAL)
                        .send()
                )?;
            }
            Action::DesignateAdministrator { administrator } => {
                let sh = self.securityhub(step, plan).await?;
                sdk!(
                    "securityhub:EnableOrganizationAdminAccount",
                    sh.enable_organization_admin_account()
                        .admin_account_id(administrator)
                        .send()
                )?;
            }
            Action::EnableHub { consolidated } => {
                let sh = self.securityhub(step, plan).await?;
                let done = sh
                    .enable_security_hub()
                    .enable_default_standards(false)
                    .control_finding_generator(generator(*consolidated))
                    .send()
                    .await;
                match done {
                    Ok(_) => {}
                    Err(e)
                        if crate::error::service_code(&e) == Some("ResourceConflictException") => {}
                    Err(e) => {
                        return Err(fail("securityhub:EnableSecurityHub")(FixError::from_sdk(
                            "securityhub:EnableSecurityHub",
                            &scope.account,
                            &[],
                            e,
                        )))
                    }
                }
            }
            Action::ConfigureHub {
                consolidated,
                auto_enable_controls,
            } => {
                let sh = self.securityhub(step, plan).await?;
                sdk!(
                    "securityhub:UpdateSecurityHubConfiguration",
                    sh.update_security_hub_configuration()
                        .control_finding_generator(generator(*consolidated))
                        .auto_enable_controls(*auto_enable_controls)
                        .send()
                )?;
            }
            Action::EnableStandards { standards } => {
                let sh = self.securityhub(step, plan).await?;
                for chunk in standards.chunks(STANDARDS_PER_CALL) {
                    let requests: Vec<StandardsSubscriptionRequest> = chunk
                        .iter()
                        .map(|arn| {
                            StandardsSubscriptionRequest::builder()
                                .standards_arn(arn)
                                .build()
                        })
                        .collect();
                    sdk!(
                        "securityhub:BatchEnableStandards",
                        sh.batch_enable_standards()
                            .set_standards_subscription_requests(Some(requests))
                            .send()
                    )?;
                }
            }
            Action::DisableStandards { subscriptions } => {
                let sh = self.securityhub(step, plan).await?;
                let arns: Vec<String> = subscriptions
                    .iter()
                    .filter(|s| s.contains(":subscription/"))
                    .cloned()
                    .collect();
                for chunk in arns.chunks(STANDARDS_PER_CALL) {
                    sdk!(
                        "securityhub:BatchDisableStandards",
                        sh.batch_disable_standards()
                            .set_standards_subscription_arns(Some(chunk.to_vec()))
                            .send()
                    )?;
                }
            }
            Action::EnableProducts { products } => {
                let sh = self.securityhub(step, plan).await?;
                for product in products {
                    match sh
                        .enable_import_findings_for_product()
                        .product_arn(product)
                        .send()
                        .await
                    {
                        Ok(_) => {}
                        Err(e)
                            if crate::error::service_code(&e)
                                == Some("ResourceConflictException") => {}
                        Err(e) => {
                            return Err(fail("securityhub:EnableImportFindingsForProduct")(
                                FixError::from_sdk(
                                    "securityhub:EnableImportFindingsForProduct",
                                    product,
                                    &[],
                                    e,
                                ),
                            ))
                        }
                    }
                }
            }
            Action::ConfigureOrganization {
                auto_enable,
                auto_enable_standards,
                configuration_type,
            } => {
                let sh = self.securityhub(step, plan).await?;
                let configuration = OrganizationConfiguration::builder()
                    .configuration_type(OrganizationConfigurationConfigurationType::from(
                        configuration_type.as_str(),
                    ))
                    .build();
                sdk!(
                    "securityhub:UpdateOrganizationConfiguration",
                    sh.update_organization_configuration()
                        .auto_enable(*auto_enable)
                        .auto_enable_standards(AutoEnableStandards::from(
                            auto_enable_standards.as_str()
                        ))
                        .organization_configuration(configuration)
                        .send()
                )?;
            }
            Action::PutConfigurationPolicy {
                policy_id,
                standards,
            } => {
                let sh = self.securityhub(step, plan).await?;
                let policy = Policy::SecurityHub(
                    SecurityHubPolicy::builder()
                        .service_enabled(true)
                        .set_enabled_standard_identifiers(Some(standards.clone()))
                        .security_controls_configuration(
                            SecurityControlsConfiguration::builder()
                                .set_disabled_security_control_identifiers(Some(Vec::new()))
                                .build(),
                        )
                        .build(),
                );
                match policy_id {
                    Some(id) => {
                        sdk!(
                            "securityhub:UpdateConfigurationPolicy",
                            sh.update_configuration_policy()
                                .identifier(id)
                                .configuration_policy(policy)
                                .send()
                        )?;
                    }
                    None => {
                        sdk!(
                            "securityhub:CreateConfigurationPolicy",
                            sh.create_configuration_policy()
                                .name(CONFIGURATION_POLICY_NAME)
                                .description("Security Hub and the standards of hubfix's setup file, in every account")
                                .configuration_policy(policy)
                                .send()
                        )?;
                    }
                }
            }
            Action::AssociatePolicyWithRoot { root_id } => {
                let sh = self.securityhub(step, plan).await?;
                let listed = sdk!(
                    "securityhub:ListConfigurationPolicies",
                    sh.list_configuration_policies().send()
                )?;
                let id = listed
                    .configuration_policy_summaries()
                    .iter()
                    .find(|p| p.name() == Some(CONFIGURATION_POLICY_NAME))
                    .and_then(|p| p.id())
                    .ok_or_else(|| format!("{scope}: the configuration policy {CONFIGURATION_POLICY_NAME} is missing"))?
                    .to_owned();
                sdk!(
                    "securityhub:StartConfigurationPolicyAssociation",
                    sh.start_configuration_policy_association()
                        .configuration_policy_identifier(id)
                        .target(PolicyTarget::RootId(root_id.clone()))
                        .send()
                )?;
            }
            Action::CreateAggregator {
                linking_mode,
                regions,
            } => {
                let sh = self.securityhub(step, plan).await?;
                let mut call = sh
                    .create_finding_aggregator()
                    .region_linking_mode(linking_mode);
                if !regions.is_empty() {
                    call = call.set_regions(Some(regions.clone()));
                }
                sdk!("securityhub:CreateFindingAggregator", call.send())?;
            }
            Action::UpdateAggregator {
                arn,
                linking_mode,
                regions,
            } => {
                let sh = self.securityhub(step, plan).await?;
                let mut call = sh
                    .update_finding_aggregator()
                    .finding_aggregator_arn(arn)
                    .region_linking_mode(linking_mode);
                if !regions.is_empty() {
                    call = call.set_regions(Some(regions.clone()));
                }
                sdk!("securityhub:UpdateFindingAggregator", call.send())?;
            }
            Action::AddMembers { accounts } => {
                let sh = self.securityhub(step, plan).await?;
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
                    let out = sdk!(
                        "securityhub:CreateMembers",
                        sh.create_members()
                            .set_account_details(Some(details))
                            .send()
                    )?;
                    unprocessed(
                        "securityhub:CreateMembers",
                        scope,
                        out.unprocessed_accounts(),
                    )?;
                }
            }
            Action::InviteMembers { accounts } => {
                let sh = self.securityhub(step, plan).await?;
                for chunk in accounts.chunks(MEMBERS_PER_CALL) {
                    let out = sdk!(
                        "securityhub:InviteMembers",
                        sh.invite_members()
                            .set_account_ids(Some(chunk.to_vec()))
                            .send()
                    )?;
                    unprocessed(
                        "securityhub:InviteMembers",
                        scope,
                        out.unprocessed_accounts(),
                    )?;
                }
            }
            Action::AcceptInvitation { administrator } => {
                let sh = self.securityhub(step, plan).await?;
                let listed = sdk!("securityhub:ListInvitations", sh.list_invitations().send())?;
                let invitation = listed
                    .invitations()
                    .iter()
                    .find(|i| i.account_id() == Some(administrator.as_str()))
                    .and_then(|i| i.invitation_id())
                    .ok_or_else(|| format!("{scope}: no invitation from {administrator} to accept (ListInvitations)"))?
                    .to_owned();
                sdk!(
                    "securityhub:AcceptAdministratorInvitation",
                    sh.accept_administrator_invitation()
                        .administrator_id(administrator)
                        .invitation_id(invitation)
                        .send()
                )?;
            }
            Action::StartConfigRecording => self.config_fix(step, plan).await?,
            Action::EnableServiceControlPolicies { root_id } => {
                let orgs = self
                    .access
                    .organizations(&scope.account, self.foundation.partition())
                    .await?;
                sdk!(
                    "organizations:EnablePolicyType",
                    orgs.enable_policy_type()
                        .root_id(root_id)
                        .policy_type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
                        .send()
                )?;
            }
            Action::PutTamperPolicy {
                policy_id,
                name,
                content,
            } => {
                let orgs = self
                    .access
                    .organizations(&scope.account, self.foundation.partition())
                    .await?;
                match policy_id {
                    Some(id) => {
                        sdk!(
                            "organizations:UpdatePolicy",
                            orgs.update_policy().policy_id(id).content(content).send()
                        )?;
                    }
                    None => {
                        sdk!(
                            "organizations:CreatePolicy",
                            orgs.create_policy()
                                .name(name)
                                .description("hubfix: nobody switches off the Security Hub foundation but the break-glass roles")
                                .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
                                .content(content)
                                .send()
                        )?;
                    }
                }
            }
            Action::AttachTamperPolicy { target } => {
                let orgs = self
                    .access
                    .organizations(&scope.account, self.foundation.partition())
                    .await?;
                let name = self
                    .foundation
                    .tamper_protection
                    .as_ref()
                    .map(|t| t.policy_name.clone())
                    .unwrap_or_default();
                let policies = sdk!(
                    "organizations:ListPolicies",
                    orgs.list_policies()
                        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
                        .send()
                )?;
                let id = policies
                    .policies()
                    .iter()
                    .find(|p| p.name() == Some(name.as_str()))
                    .and_then(|p| p.id())
                    .ok_or_else(|| format!("{scope}: the policy {name} is missing"))?
                    .to_owned();
                sdk!(
                    "organizations:AttachPolicy",
                    orgs.attach_policy().policy_id(id).target_id(target).send()
                )?;
            }
        }
        Ok(())
    }

    /// hubfix's `Config.1` fix in the step's account and region, read back after.
    async fn config_fix(&self, step: &Step, plan: &Plan) -> Result<(), String> {
        let scope = &step.scope;
        let region = scope.region.as_deref().unwrap_or_default();
        let rule = crate::registry::find("Config.1").ok_or("the Config.1 rule is missing")?;
        let config = self
            .access
            .config(&scope.account, region, self.via(&scope.account, plan))
            .await?;
        let clients = Clients::new(&config);
        let resource_id = format!("AWS::::Account:{}", scope.account);
        let name = rule
            .resource_name(&resource_id, &scope.account)
            .map_err(|e| e.to_string())?;
        let target = Target {
            account: scope.account.clone(),
            region: region.to_owned(),
            partition: self.foundation.partition().to_owned(),
            resource_id,
            name,
            candidates: 1,
        };
        let fix = Fix {
            clients: &clients,
            target: &target,
            settings: self.settings,
        };
        let fail = |e: FixError| format!("the Config.1 fix in {scope}: {e}");
        let inspection = rule.remediation.inspect(fix, false).await.map_err(fail)?;
        for change in &inspection.plan.changes {
            rule.remediation.apply(fix, change).await.map_err(fail)?;
        }
        let after = rule.remediation.inspect(fix, false).await.map_err(fail)?;
        if !after.plan.is_compliant() {
            return Err(format!(
                "the Config.1 fix in {scope} did not hold: {}",
                after.plan.describe()
            ));
        }
        Ok(())
    }
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
    scope: &super::state::Scope,
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

/// The audit record of a step: the finding id names the step's place
/// (`hubfix-setup/<account>/<region>/<action>`), control and rule are `setup`.
pub fn record(result: &StepResult, actor: &str, now: SystemTime) -> AuditRecord {
    let step = &result.step;
    let action = serde_json::to_value(&step.action)
        .ok()
        .and_then(|v| v["action"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let (outcome, note) = match &result.outcome {
        Ok(done) => (OutcomeKind::Remediated, format!("hubfix setup: {done}")),
        Err(e) => (
            OutcomeKind::Failed,
            format!("hubfix setup could not {}: {e}", step.action.describe()),
        ),
    };
    AuditRecord {
        schema: SCHEMA_VERSION,
        time: rfc3339(now),
        stage: Stage::Decided,
        actor: actor.to_owned(),
        finding_id: format!(
            "hubfix-setup/{}/{}/{action}",
            step.scope.account,
            step.scope.region_label()
        ),
        product_arn: None,
        account: Some(step.scope.account.clone()),
        region: step.scope.region.clone(),
        control_id: Some(AUDIT_CONTROL.to_owned()),
        rule: Some(format!("{AUDIT_CONTROL}:{action}")),
        target: None,
        outcome: Some(outcome),
        note,
        plan: vec![Change::new(step.action.describe(), step)],
        before: None,
        after: None,
    }
}
