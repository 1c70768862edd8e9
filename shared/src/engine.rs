//! The engine: for each finding of an event, resolve -> policy gate -> plan -> apply ->
//! verify -> outcome, then record the outcomes on the findings.
//!
//! Findings are processed concurrently up to the policy's bound, in four stages so that
//! Security Hub calls are batched: plan every finding; mark the ones about to change
//! NOTIFIED ("in progress") in one call, so hubfix's own updates never re-trigger the
//! automatic path; apply and verify; record every outcome.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;

use crate::audit::{AuditRecord, AuditTrail, Stage};
use crate::aws::{AwsContext, Clients};
use crate::control;
use crate::error::FixError;
use crate::finding::{
    ComplianceStatus, EventError, Finding, MalformedFinding, RecordState, SecurityHubEvent,
    Trigger, WorkflowStatus,
};
use crate::metrics;
use crate::outcome::{Outcome, OutcomeKind};
use crate::policy::Policy;
use crate::registry::{self, Rule};
use crate::remediate::{self, Fix, Plan, Target};
use crate::securityhub::{self, FindingUpdate, UpdateFailure};
use crate::trust;

/// Custom action that applies the registered fix, approval-only rules included.
pub const ACTION_REMEDIATE: &str = "Remediate";
/// Custom action that reports what `Remediate` would do and changes nothing.
pub const ACTION_DRY_RUN: &str = "DryRun";
/// Custom action that isolates the EC2 instance a finding names.
pub const ACTION_ISOLATE_INSTANCE: &str = registry::ACTION_ISOLATE_INSTANCE;

/// What the event asks hubfix to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// An imported finding: fix it if its control is in automatic mode.
    Automatic,
    /// The `Remediate` custom action.
    Remediate,
    /// The `DryRun` custom action.
    DryRun,
    /// The `IsolateInstance` custom action.
    IsolateInstance,
}

impl Request {
    /// The request an event's trigger makes, or the unknown custom action's name.
    pub fn of(trigger: &Trigger) -> Result<Request, String> {
        match trigger {
            Trigger::Imported => Ok(Request::Automatic),
            Trigger::CustomAction { name, target_arn } => {
                let id = target_arn
                    .as_deref()
                    .and_then(|arn| arn.rsplit('/').next())
                    .unwrap_or_default();
                let is = |action: &str| {
                    name.eq_ignore_ascii_case(action) || id.eq_ignore_ascii_case(action)
                };
                if is(ACTION_REMEDIATE) {
                    Ok(Request::Remediate)
                } else if is(ACTION_DRY_RUN) {
                    Ok(Request::DryRun)
                } else if is(ACTION_ISOLATE_INSTANCE) {
                    Ok(Request::IsolateInstance)
                } else {
                    Err(name.clone())
                }
            }
        }
    }
}

/// The result of handling one event.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// One outcome per finding, in event order.
    pub outcomes: Vec<Outcome>,
    /// Findings Security Hub did not accept an update for.
    pub update_failures: Vec<UpdateFailure>,
    /// Decisions that could not be written to the audit trail (they are in the logs).
    pub audit_failures: Vec<String>,
}

impl Report {
    /// How many outcomes of each kind.
    pub fn summary(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for o in &self.outcomes {
            *counts.entry(o.kind.as_str()).or_insert(0) += 1;
        }
        counts
    }
}

/// A finding whose plan is ready to apply.
struct Pending {
    outcome: Outcome,
    rule: &'static Rule,
    target: Target,
    clients: Arc<Clients>,
    plan: Plan,
}

enum Prepared {
    Done(Box<Outcome>),
    Ready(Box<Pending>),
}

/// Called with each outcome as it is reached (a CLI's progress bar).
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(&Outcome) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// The remediation engine.
#[derive(Debug)]
pub struct Engine {
    policy: Policy,
    aws: AwsContext,
    emit_metrics: bool,
    audit: Option<AuditTrail>,
    actor: String,
    notes: bool,
    progress: Option<Progress>,
    ledger: Mutex<HashMap<String, Vec<SystemTime>>>,
}

impl Engine {
    /// An engine with a policy and AWS clients; metrics are off until asked for.
    pub fn new(policy: Policy, aws: AwsContext) -> Self {
        Engine {
            policy,
            aws,
            emit_metrics: false,
            audit: None,
            actor: "hubfix".into(),
            notes: true,
            progress: None,
            ledger: Mutex::new(HashMap::new()),
        }
    }

    /// Reports each outcome as it is reached.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Keep every decision in an audit trail; a fix is applied only once its
    /// before-state is stored there.
    pub fn with_audit(mut self, trail: Option<AuditTrail>) -> Self {
        self.audit = trail;
        self
    }

    /// Who or what drives this engine, for the audit trail (a function, a CLI user).
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = actor.into();
        self
    }

    /// Whether outcomes are recorded on the findings (on by default; `hubfix plan`
    /// turns it off so that a preview changes nothing, notes included).
    pub fn with_notes(mut self, on: bool) -> Self {
        self.notes = on;
        self
    }

    /// The AWS clients and sessions.
    pub fn aws(&self) -> &AwsContext {
        &self.aws
    }

    /// The audit trail, when configured.
    pub fn audit(&self) -> Option<&AuditTrail> {
        self.audit.as_ref()
    }

    /// Emit one CloudWatch EMF metric line per outcome (on in Lambda).
    pub fn with_metrics(mut self, on: bool) -> Self {
        self.emit_metrics = on;
        self
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Parses and handles a raw EventBridge event.
    pub async fn handle_json(&self, event: &Value) -> Result<Report, EventError> {
        match SecurityHubEvent::parse(event) {
            Ok(parsed) => Ok(Box::pin(self.handle(&parsed)).await),
            Err(err) => {
                tracing::error!(error = %err, "event refused");
                Err(err)
            }
        }
    }

    /// Handles a parsed event: every finding ends with an outcome, and every outcome
    /// that is not `ignored` is recorded on its finding.
    pub async fn handle(&self, event: &SecurityHubEvent) -> Report {
        Box::pin(self.handle_until(event, None)).await
    }

    /// Handles a parsed event within a deadline (a Lambda invocation's): once less than
    /// the policy's time reserve remains, no new fix starts; the findings left are
    /// recorded as not attempted, and the outcomes are recorded in the reserve.
    pub async fn handle_until(
        &self,
        event: &SecurityHubEvent,
        deadline: Option<Instant>,
    ) -> Report {
        let reserve = self.policy.limits.time_reserve;
        let out_of_time = move || deadline.is_some_and(|d| Instant::now() + reserve >= d);
        let request = Request::of(&event.trigger);
        let mut seen = HashSet::new();
        let prepared: Vec<Prepared> = stream::iter(event.findings.iter())
            .map(|item| {
                let duplicate = item
                    .as_ref()
                    .is_ok_and(|f| !seen.insert((f.id.clone(), f.product_arn.clone())));
                let request = request.clone();
                async move {
                    match item {
                        Err(malformed) => Prepared::Done(Box::new(malformed_outcome(malformed))),
                        Ok(f) if duplicate => Prepared::Done(Box::new(with_kind(
                            base_outcome(f),
                            OutcomeKind::Ignored,
                            "the same finding appears earlier in this event".into(),
                        ))),
                        Ok(f) if out_of_time() => {
                            Prepared::Done(Box::new(not_attempted(base_outcome(f))))
                        }
                        Ok(f) => Box::pin(self.prepare(f, request)).await,
                    }
                }
            })
            .buffered(self.policy.concurrency)
            .collect()
            .await;
        let prepared = Box::pin(self.within_limits(prepared)).await;

        let in_progress: Vec<FindingUpdate> = prepared
            .iter()
            .filter(|_| self.notes)
            .filter_map(|p| match p {
                Prepared::Ready(p) => Some(FindingUpdate {
                    id: p.outcome.finding_id.clone(),
                    product_arn: p.outcome.product_arn.clone().unwrap_or_default(),
                    status: WorkflowStatus::Notified,
                    note: "hubfix: remediation in progress; the outcome follows in the next note."
                        .into(),
                }),
                Prepared::Done(_) => None,
            })
            .collect();
        let mut update_failures = Box::pin(securityhub::record(
            &self.aws.home().securityhub,
            &in_progress,
        ))
        .await;

        let actor = self.actor_of(&request);
        let outcomes: Vec<Outcome> = stream::iter(prepared)
            .map(|p| {
                let actor = &actor;
                async move {
                    let outcome = match p {
                        Prepared::Done(o) => *o,
                        Prepared::Ready(p) if out_of_time() => not_attempted(p.outcome),
                        Prepared::Ready(p) => Box::pin(self.finish(*p, actor)).await,
                    };
                    if let Some(Progress(report)) = &self.progress {
                        report(&outcome);
                    }
                    outcome
                }
            })
            .buffered(self.policy.concurrency)
            .collect()
            .await;

        let updates: Vec<FindingUpdate> = outcomes
            .iter()
            .filter(|o| self.notes && o.is_recorded())
            .filter_map(|o| {
                Some(FindingUpdate {
                    id: o.finding_id.clone(),
                    product_arn: o.product_arn.clone()?,
                    status: o.kind.workflow()?,
                    note: o.note.clone(),
                })
            })
            .collect();
        update_failures
            .extend(Box::pin(securityhub::record(&self.aws.home().securityhub, &updates)).await);
        for o in &outcomes {
            log_outcome(o);
            if self.emit_metrics {
                metrics::emit(o);
            }
        }
        let audit_failures = Box::pin(self.audit_decisions(&outcomes, &request)).await;
        Report {
            outcomes,
            update_failures,
            audit_failures,
        }
    }

    /// Writes one `decided` record per outcome that is not ignored; returns the failures.
    async fn audit_decisions(
        &self,
        outcomes: &[Outcome],
        request: &Result<Request, String>,
    ) -> Vec<String> {
        let Some(trail) = &self.audit else {
            return Vec::new();
        };
        let actor = self.actor_of(request);
        let now = std::time::SystemTime::now();
        stream::iter(outcomes.iter().filter(|o| o.kind != OutcomeKind::Ignored))
            .map(|o| {
                let record = AuditRecord::of(o, Stage::Decided, &actor, now);
                async move {
                    trail.write(&record).await.err().map(|e| {
                        tracing::warn!(finding_id = %record.finding_id, error = %e, "audit record not written");
                        format!("{}: {e}", record.finding_id)
                    })
                }
            })
            .buffer_unordered(self.policy.concurrency)
            .filter_map(|failure| async move { failure })
            .collect()
            .await
    }

    /// The actor of the audit records: the engine's driver and the request.
    fn actor_of(&self, request: &Result<Request, String>) -> String {
        let what = match request {
            Ok(Request::Automatic) => "automatic (imported finding)".to_owned(),
            Ok(Request::Remediate) => format!("custom action {ACTION_REMEDIATE}"),
            Ok(Request::DryRun) => format!("custom action {ACTION_DRY_RUN}"),
            Ok(Request::IsolateInstance) => format!("custom action {ACTION_ISOLATE_INSTANCE}"),
            Err(name) => format!("unknown custom action {name}"),
        };
        format!("{}: {what}", self.actor)
    }

    /// Applies the blast-radius caps to the findings about to be fixed, in event order:
    /// at most so many fixes per invocation, and per control per hour. The findings
    /// over a cap are refused with a note saying which cap, and a warning is logged.
    async fn within_limits(&self, prepared: Vec<Prepared>) -> Vec<Prepared> {
        let limits = self.policy.limits;
        let mut budgets: HashMap<&'static str, usize> = HashMap::new();
        for p in &prepared {
            if let Prepared::Ready(p) = p {
                if let Entry::Vacant(e) = budgets.entry(p.rule.control_id) {
                    let used = self.fixes_in_last_hour(p.rule.control_id).await;
                    e.insert(limits.fixes_per_control_hour.saturating_sub(used));
                }
            }
        }
        let mut applied = 0;
        let mut gate = |p: Box<Pending>| {
            let control = p.rule.control_id;
            let budget = budgets.entry(control).or_default();
            let over = if applied >= limits.fixes_per_invocation {
                format!(
                    "the cap of {} fixes per invocation is reached (HUBFIX_MAX_FIXES_PER_INVOCATION); run the Remediate action on it again",
                    limits.fixes_per_invocation
                )
            } else if *budget == 0 {
                format!(
                    "the cap of {} fixes of {control} per hour is reached (HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR); a person should look at why so many resources fail it",
                    limits.fixes_per_control_hour
                )
            } else {
                applied += 1;
                *budget -= 1;
                return Prepared::Ready(p);
            };
            tracing::warn!(control, resource = %p.target.resource_id, cap = %over, "blast-radius cap reached");
            let note = format!(
                "hubfix did not fix {}: {over}; nothing changed.",
                subject(control, &p.target)
            );
            Prepared::Done(Box::new(with_kind(p.outcome, OutcomeKind::Refused, note)))
        };
        prepared
            .into_iter()
            .map(|p| match p {
                Prepared::Ready(p) => gate(p),
                done => done,
            })
            .collect()
    }

    /// Fixes of a control applied in the last hour: from the audit trail when there is
    /// one (every invocation counts), else from this process's own record.
    async fn fixes_in_last_hour(&self, control: &str) -> usize {
        let now = SystemTime::now();
        if let Some(trail) = &self.audit {
            match trail.fixes_in_last_hour(control, now).await {
                Ok(n) => return n,
                Err(e) => {
                    tracing::warn!(control, error = %e, "could not count recent fixes in the audit trail; counting this process's own")
                }
            }
        }
        let ledger = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        ledger.get(control).map_or(0, |times| {
            times
                .iter()
                .filter(|t| now.duration_since(**t).is_ok_and(|age| age < HOUR))
                .count()
        })
    }

    /// Counts an applied fix of a control, in this process and in the audit trail.
    async fn count_fix(&self, control: &str) {
        let now = SystemTime::now();
        {
            let mut ledger = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
            let times = ledger.entry(control.to_owned()).or_default();
            times.retain(|t| now.duration_since(*t).is_ok_and(|age| age < HOUR));
            times.push(now);
        }
        if let Some(trail) = &self.audit {
            if let Err(e) = trail.mark_fix(control, now).await {
                tracing::warn!(control, error = %e, "could not count the fix in the audit trail");
            }
        }
    }

    /// Resolves, gates and plans one finding.
    async fn prepare(&self, finding: &Finding, request: Result<Request, String>) -> Prepared {
        let base = base_outcome(finding);
        let done = |base: Outcome, kind, note: String| {
            Prepared::Done(Box::new(with_kind(base, kind, note)))
        };
        let request = match request {
            Ok(r) => r,
            Err(name) => {
                return done(
                    base,
                    OutcomeKind::Unsupported,
                    format!(
                        "hubfix does not know the custom action `{name}` (known: {ACTION_REMEDIATE}, {ACTION_DRY_RUN}, {ACTION_ISOLATE_INSTANCE}); nothing changed."
                    ),
                )
            }
        };
        if request == Request::Automatic {
            if let Some(reason) = not_for_automatic(finding) {
                return done(base, OutcomeKind::Ignored, reason);
            }
        }
        // A control fix runs only on a product hubfix trusts; IsolateInstance acts on
        // whatever finding an analyst chose in their own hub (GuardDuty's included).
        if request != Request::IsolateInstance {
            if let Err(untrusted) = trust::gate(finding, &self.policy.trust, &self.aws).await {
                return done(base, OutcomeKind::Refused, untrusted.note());
            }
        }
        let mut base = base;
        let rule = if request == Request::IsolateInstance {
            base.control_id = control::resolve(finding).ok().map(|c| c.control_id);
            &registry::action_rules()[0]
        } else {
            let control = match control::resolve(finding) {
                Ok(c) => c,
                Err(e) => {
                    return done(
                        base,
                        OutcomeKind::Unsupported,
                        format!("hubfix skipped this finding: {e}."),
                    )
                }
            };
            base.control_id = Some(control.control_id.clone());
            let Some(rule) = self.policy.rule(&control.control_id) else {
                return done(
                    base,
                    OutcomeKind::Unsupported,
                    format!(
                        "hubfix has no rule for control {}; nothing changed.",
                        control.control_id
                    ),
                );
            };
            rule
        };
        if let Err(refusal) =
            self.policy
                .permit(rule, finding.account(), request != Request::Automatic)
        {
            return done(
                base,
                OutcomeKind::Refused,
                format!("hubfix skipped {}: {refusal}.", rule.control_id),
            );
        }
        let target = match remediate::target(finding, rule) {
            Ok(t) => t,
            Err(e) => {
                return done(
                    base,
                    OutcomeKind::Failed,
                    format!("hubfix could not fix {}: {e}.", rule.control_id),
                )
            }
        };
        base.resource = Some(target.resource_id.clone());
        base.rule = Some(rule.control_id.to_owned());
        base.target = Some(target.clone());
        let subject = subject(rule.control_id, &target);
        let finding_tags = finding
            .resources
            .iter()
            .filter(|r| r.id == target.resource_id)
            .flat_map(|r| r.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if self.policy.is_exempt(finding_tags) {
            return done(base, OutcomeKind::Exempt, self.exempt_note(&subject));
        }
        let clients = match self.aws.clients_for(&target.account, &target.region).await {
            Ok(c) => c,
            Err(e) => {
                let kind = match e {
                    FixError::Unreachable(_) => OutcomeKind::Refused,
                    _ => OutcomeKind::Failed,
                };
                return done(base, kind, format!("hubfix could not fix {subject}: {e}."));
            }
        };
        let fix = Fix {
            clients: &clients,
            target: &target,
            settings: &self.policy.settings,
        };
        let inspection = match rule.remediation.inspect(fix, true).await {
            Ok(i) => i,
            Err(FixError::Manual(steps)) => {
                return done(
                    base,
                    OutcomeKind::Manual,
                    format!("hubfix cannot fix {subject} safely by API; by hand: {steps}"),
                )
            }
            Err(e @ FixError::Unconfigured(_)) => {
                return done(
                    base,
                    OutcomeKind::Refused,
                    format!("hubfix skipped {subject}: {e}."),
                )
            }
            Err(e) => {
                return done(
                    base,
                    OutcomeKind::Failed,
                    format!("hubfix could not fix {subject}: {e}."),
                )
            }
        };
        let live_tags = inspection
            .tags
            .iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()));
        if self.policy.is_exempt(live_tags) {
            return done(base, OutcomeKind::Exempt, self.exempt_note(&subject));
        }
        base.before = Some(inspection.plan.before.clone());
        if inspection.plan.is_compliant() {
            return done(
                base,
                OutcomeKind::AlreadyCompliant,
                format!("hubfix checked {subject}: already compliant, nothing changed."),
            );
        }
        base.record_plan(&inspection.plan);
        if self.policy.dry_run || request == Request::DryRun {
            return done(
                base,
                OutcomeKind::DryRun,
                format!(
                    "hubfix dry run for {subject}: would have {}; nothing changed.",
                    inspection.plan.describe()
                ),
            );
        }
        Prepared::Ready(Box::new(Pending {
            outcome: base,
            rule,
            target,
            clients,
            plan: inspection.plan,
        }))
    }

    /// Fixes one resource: under the resource's lock and after storing the before-state
    /// when there is an audit trail, then applies the plan and verifies it.
    async fn finish(&self, p: Pending, actor: &str) -> Outcome {
        let subject = subject(p.rule.control_id, &p.target);
        let Some(trail) = &self.audit else {
            return Box::pin(self.apply_and_verify(p, &subject)).await;
        };
        let lock = format!(
            "{}|{}|{}|{}",
            p.rule.control_id, p.target.account, p.target.region, p.target.resource_id
        );
        match trail.lock(&lock, &p.outcome.finding_id).await {
            Ok(true) => {}
            Ok(false) => {
                return with_kind(
                    p.outcome,
                    OutcomeKind::Ignored,
                    format!("another hubfix invocation is fixing {subject} right now (the event was delivered twice, or another finding names the same resource); this one changed nothing"),
                )
            }
            Err(e) => {
                return with_kind(
                    p.outcome,
                    OutcomeKind::Failed,
                    format!("hubfix did not fix {subject}: it could not take the resource's lock in the audit trail ({e}); nothing changed."),
                )
            }
        }
        let outcome = match Box::pin(self.replan(p, &subject)).await {
            Ok(p) => {
                let record = AuditRecord::of(&p.outcome, Stage::Planned, actor, SystemTime::now());
                match trail.write(&record).await {
                    Ok(_) => Box::pin(self.apply_and_verify(p, &subject)).await,
                    Err(e) => with_kind(
                        p.outcome,
                        OutcomeKind::Failed,
                        format!("hubfix did not fix {subject}: its before-state could not be saved to the audit trail ({e}); nothing changed."),
                    ),
                }
            }
            Err(done) => done,
        };
        if let Err(e) = trail.unlock(&lock).await {
            tracing::warn!(resource = %lock, error = %e, "could not release the resource's lock; it is taken over once stale");
        }
        outcome
    }

    /// Reads the resource again under its lock: another invocation may have fixed it
    /// since this one planned (the same event delivered twice).
    async fn replan(&self, mut p: Pending, subject: &str) -> Result<Pending, Outcome> {
        let fix = Fix {
            clients: &p.clients,
            target: &p.target,
            settings: &self.policy.settings,
        };
        match p.rule.remediation.inspect(fix, false).await {
            Ok(now) if now.plan.is_compliant() => {
                let mut outcome = p.outcome;
                outcome.record_plan(&now.plan);
                Err(with_kind(
                    outcome,
                    OutcomeKind::AlreadyCompliant,
                    format!("hubfix checked {subject}: already compliant (fixed meanwhile), nothing changed."),
                ))
            }
            Ok(now) => {
                p.outcome.record_plan(&now.plan);
                p.plan = now.plan;
                Ok(p)
            }
            Err(e) => Err(with_kind(
                p.outcome,
                OutcomeKind::Failed,
                format!("hubfix could not fix {subject}: {e}."),
            )),
        }
    }

    /// Applies a plan and verifies it by reading the resource back.
    async fn apply_and_verify(&self, p: Pending, subject: &str) -> Outcome {
        let changes = p.plan.describe();
        let fix = Fix {
            clients: &p.clients,
            target: &p.target,
            settings: &self.policy.settings,
        };
        self.count_fix(p.rule.control_id).await;
        let mut outcome = p.outcome;
        let reports = match remediate::apply(p.rule.remediation, fix, &p.plan).await {
            Ok(reports) => reports,
            Err(e) => {
                // A call can fail after AWS made the change (a response lost on the way):
                // reading the resource back tells.
                if let Ok(after) = p.rule.remediation.inspect(fix, false).await {
                    if after.plan.is_compliant() {
                        outcome.after = Some(after.plan.before);
                        return with_kind(
                            outcome,
                            OutcomeKind::Remediated,
                            format!("hubfix fixed {subject}: {changes}; a call reported an error ({e}) but reading it back shows the fix in place."),
                        );
                    }
                }
                return with_kind(
                    outcome,
                    OutcomeKind::Failed,
                    format!("hubfix could not fix {subject}: {e}. Planned: {changes}."),
                );
            }
        };
        let changes = with_reports(&changes, &reports);
        match p.rule.remediation.inspect(fix, false).await {
            Ok(after) if after.plan.is_compliant() => {
                outcome.after = Some(after.plan.before);
                with_kind(
                    outcome,
                    OutcomeKind::Remediated,
                    format!("hubfix fixed {subject}: {changes}; verified by reading it back."),
                )
            }
            Ok(after) => {
                let still = after.plan.describe();
                outcome.after = Some(after.plan.before);
                with_kind(
                    outcome,
                    OutcomeKind::Failed,
                    format!(
                        "hubfix changed {subject} ({changes}) but {}: still to do: {still}.",
                        FixError::Verification("it is not compliant yet".into()),
                    ),
                )
            }
            Err(e) => with_kind(
                outcome,
                OutcomeKind::Failed,
                format!("hubfix changed {subject} ({changes}) but could not verify it: {e}."),
            ),
        }
    }

    fn exempt_note(&self, subject: &str) -> String {
        format!(
            "hubfix skipped {subject}: the resource has the exemption tag `{}`; nothing changed.",
            self.policy.exemption_tag
        )
    }
}

/// Why the automatic path leaves a finding alone, if it does. hubfix's own updates
/// (NOTIFIED, RESOLVED) come back as imported events and end here.
fn not_for_automatic(f: &Finding) -> Option<String> {
    if f.workflow_status() != WorkflowStatus::New {
        return Some(format!(
            "workflow status is {}; the automatic path acts on NEW findings only",
            f.workflow_status().as_str()
        ));
    }
    if f.record_state() != RecordState::Active {
        return Some("the finding is archived".into());
    }
    match f.compliance_status() {
        Some(ComplianceStatus::Failed) => None,
        Some(other) => Some(format!(
            "compliance status is {other:?}; the automatic path acts on FAILED findings only"
        )),
        None => Some("not a control finding (no compliance status)".into()),
    }
}

/// The plan's description followed by what applying it reported (a runbook's execution).
fn with_reports(changes: &str, reports: &[String]) -> String {
    if reports.is_empty() {
        changes.to_owned()
    } else {
        format!("{changes} ({})", reports.join("; "))
    }
}

/// What a note is about. The finding names its resource, so the note names it only when
/// the finding names several of the rule's type; notes of the same fix are then the same
/// text and are recorded together (one `BatchUpdateFindings` call for up to 100
/// findings, well inside Security Hub's rate limit for that call).
fn subject(control: &str, target: &Target) -> String {
    if target.candidates > 1 {
        format!(
            "{control} on {} (first of {} resources of that type in the finding)",
            target.resource_id, target.candidates
        )
    } else {
        control.to_owned()
    }
}

fn base_outcome(f: &Finding) -> Outcome {
    let mut o = Outcome::new(&f.id, OutcomeKind::Ignored, "");
    o.product_arn = Some(f.product_arn.clone());
    o.account = f.aws_account_id.clone();
    o.region = f.region.clone();
    o
}

fn with_kind(mut o: Outcome, kind: OutcomeKind, note: String) -> Outcome {
    o.kind = kind;
    o.note = note;
    o
}

/// The window of the per-control cap.
const HOUR: Duration = Duration::from_secs(3600);

fn not_attempted(o: Outcome) -> Outcome {
    with_kind(
        o,
        OutcomeKind::NotAttempted,
        "hubfix did not attempt this fix: the invocation's time ran out before it could start; nothing changed. Run the Remediate action on it again.".into(),
    )
}

fn malformed_outcome(m: &MalformedFinding) -> Outcome {
    let mut o = Outcome::new(
        m.id.clone().unwrap_or_default(),
        OutcomeKind::Unsupported,
        format!("hubfix could not read this finding: {}.", m.error),
    );
    o.product_arn = m.product_arn.clone();
    o
}

fn log_outcome(o: &Outcome) {
    let before = o
        .before
        .as_ref()
        .and_then(|b| serde_json::to_string(b).ok())
        .unwrap_or_default();
    let changes = o.changes.join("; ");
    let fields = (
        o.finding_id.as_str(),
        o.control_id.as_deref().unwrap_or(""),
        o.account.as_deref().unwrap_or(""),
        o.resource.as_deref().unwrap_or(""),
    );
    match o.kind {
        OutcomeKind::Failed | OutcomeKind::Unsupported => tracing::warn!(
            finding_id = fields.0, control = fields.1, account = fields.2, resource = fields.3,
            outcome = o.kind.as_str(), note = %o.note, changes, before, "finding outcome"
        ),
        _ => tracing::info!(
            finding_id = fields.0, control = fields.1, account = fields.2, resource = fields.3,
            outcome = o.kind.as_str(), note = %o.note, changes, before, "finding outcome"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::parse_finding;
    use serde_json::json;

    #[test]
    fn notes_name_the_resource_only_when_the_finding_names_several() {
        let mut target = Target {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            partition: "aws".into(),
            resource_id: "arn:aws:s3:::b".into(),
            name: "b".into(),
            candidates: 1,
        };
        assert_eq!(subject("S3.8", &target), "S3.8");
        target.candidates = 3;
        assert_eq!(
            subject("S3.8", &target),
            "S3.8 on arn:aws:s3:::b (first of 3 resources of that type in the finding)"
        );
    }

    fn finding(workflow: &str, record: &str, compliance: Option<&str>) -> Finding {
        let mut v = json!({
            "Id": "f", "ProductArn": "p", "Workflow": {"Status": workflow}, "RecordState": record,
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}]
        });
        if let Some(c) = compliance {
            v["Compliance"] = json!({"Status": c, "SecurityControlId": "S3.8"});
        }
        parse_finding(0, &v).unwrap()
    }

    #[test]
    fn automatic_path_acts_on_new_active_failed_findings_only() {
        assert_eq!(
            not_for_automatic(&finding("NEW", "ACTIVE", Some("FAILED"))),
            None
        );
        for (w, r, c, why) in [
            (
                "NOTIFIED",
                "ACTIVE",
                Some("FAILED"),
                "workflow status is NOTIFIED",
            ),
            (
                "RESOLVED",
                "ACTIVE",
                Some("FAILED"),
                "workflow status is RESOLVED",
            ),
            ("NEW", "ARCHIVED", Some("FAILED"), "archived"),
            (
                "NEW",
                "ACTIVE",
                Some("PASSED"),
                "compliance status is Passed",
            ),
            ("NEW", "ACTIVE", None, "not a control finding"),
        ] {
            let reason = not_for_automatic(&finding(w, r, c)).unwrap();
            assert!(reason.contains(why), "{reason}");
        }
    }

    #[test]
    fn requests_from_triggers() {
        assert_eq!(Request::of(&Trigger::Imported), Ok(Request::Automatic));
        let action = |name: &str, id: &str| Trigger::CustomAction {
            name: name.into(),
            target_arn: Some(format!(
                "arn:aws:securityhub:us-east-1:123456789012:action/custom/{id}"
            )),
        };
        assert_eq!(
            Request::of(&action("Remediate", "Remediate")),
            Ok(Request::Remediate)
        );
        assert_eq!(
            Request::of(&action("Dry run", "DryRun")),
            Ok(Request::DryRun)
        );
        assert_eq!(
            Request::of(&action("Delete", "Delete")),
            Err("Delete".into())
        );
    }
}
