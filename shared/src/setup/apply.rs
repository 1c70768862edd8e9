//! Applying a plan: phase by phase, each from a fresh read of AWS (what one phase did,
//! such as Security Hub enabling default standards in a new member, shapes the next),
//! every step recorded in the audit trail. Running it again changes nothing once the
//! foundation is as the file says. The first phase with a failed step is the last one
//! applied: later phases depend on earlier ones.

use std::future::Future;
use std::time::SystemTime;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::access::{Access, Via};
use super::file::Foundation;
use super::observe::observe;
use super::plan::{plan, AccountRole, Action, Phase, Plan, PlanError, Step};
use super::state::{Observed, Scope};
use crate::audit::{rfc3339, AuditRecord, AuditTrail, Stage, SCHEMA_VERSION};
use crate::aws::Clients;
use crate::error::FixError;
use crate::model::{Change, Target};
use crate::outcome::OutcomeKind;
use crate::remediate::Fix;
use crate::settings::FixSettings;

mod organizations;
mod securityhub;

/// The control id and rule of setup records in the audit trail (`hubfix audit --control setup`).
pub const AUDIT_CONTROL: &str = "setup";

/// Awaits a step's SDK call; its error becomes the step's failure, naming the
/// operation and the step's scope.
async fn call<T, E, R>(
    operation: &'static str,
    scope: &Scope,
    request: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, String>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    request
        .await
        .map_err(|e| failure(operation, scope, &scope.account, e))
}

/// Like [`call`], for a call whose `ResourceConflictException` says it is already done.
async fn call_unless_done<T, E, R>(
    operation: &'static str,
    scope: &Scope,
    resource: &str,
    request: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<(), String>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match request.await {
        Ok(_) => Ok(()),
        Err(e) if crate::error::service_code(&e) == Some("ResourceConflictException") => Ok(()),
        Err(e) => Err(failure(operation, scope, resource, e)),
    }
}

fn failure<E, R>(
    operation: &'static str,
    scope: &Scope,
    resource: &str,
    err: SdkError<E, R>,
) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    format!(
        "{operation} in {scope}: {}",
        FixError::from_sdk(operation, resource, &[], err)
    )
}

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

    /// Makes a step's calls, with the client of its service in its account and region.
    async fn execute(&self, step: &Step, plan: &Plan) -> Result<(), String> {
        let scope = &step.scope;
        match &step.action {
            Action::EnableTrustedAccess => {
                organizations::enable_trusted_access(&self.organizations(scope).await?, scope).await
            }
            Action::EnableServiceControlPolicies { root_id } => {
                let orgs = self.organizations(scope).await?;
                organizations::enable_service_control_policies(&orgs, scope, root_id).await
            }
            Action::PutTamperPolicy {
                policy_id,
                name,
                content,
            } => {
                let orgs = self.organizations(scope).await?;
                organizations::put_tamper_policy(&orgs, scope, policy_id.as_deref(), name, content)
                    .await
            }
            Action::AttachTamperPolicy { target } => {
                let orgs = self.organizations(scope).await?;
                let name = self
                    .foundation
                    .tamper_protection
                    .as_ref()
                    .map(|t| t.policy_name.as_str())
                    .unwrap_or_default();
                organizations::attach_tamper_policy(&orgs, scope, name, target).await
            }
            Action::StartConfigRecording => self.config_fix(step, plan).await,
            hub_step => {
                securityhub::execute(&self.securityhub(step, plan).await?, scope, hub_step).await
            }
        }
    }

    /// The Organizations client of the management account.
    async fn organizations(&self, scope: &Scope) -> Result<aws_sdk_organizations::Client, String> {
        self.access
            .organizations(&scope.account, self.foundation.partition())
            .await
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
            finding_id: None,
            principal: None,
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
        reports: Vec::new(),
    }
}
