//! The engine: for each finding of an event, resolve -> policy gate -> plan -> apply ->
//! verify -> outcome, then record the outcomes on the findings.
//!
//! Findings are processed concurrently up to the policy's bound, in four stages so that
//! Security Hub calls are batched: plan every finding; mark the ones about to change
//! NOTIFIED ("in progress") in one call, so hubfix's own updates never re-trigger the
//! automatic path; apply and verify; record every outcome.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;

use tracing::Instrument;

use crate::audit::{AuditRecord, AuditTrail, RecentFixes, Stage};
use crate::aws::{AwsContext, Clients};
use crate::control;
use crate::deferral::{self, DeferReason, Deferral};
use crate::error::FixError;
use crate::finding::{
    ComplianceStatus, EventError, Finding, MalformedFinding, RecordState, SecurityHubEvent,
    Trigger, WorkflowStatus,
};
use crate::metrics;
use crate::model::Plan;
use crate::model::Target;
use crate::outcome::{Outcome, OutcomeKind};
use crate::pacing::{AccountPacer, TokenBucket};
use crate::policy::Policy;
use crate::registry;
use crate::remediate::Rule;
use crate::remediate::{self, Fix};
use crate::securityhub::{self, FindingUpdate, UpdateFailure};
use crate::threat;
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
    /// A custom action that runs one rule on the finding's resource, whatever the
    /// finding is about (`IsolateInstance`, `Contain`, `Quarantine`): its name.
    Action(&'static str),
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
                } else if let Some(action) =
                    registry::custom_action(name).or_else(|| registry::custom_action(id))
                {
                    Ok(Request::Action(action.name))
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
    write_budget: Option<Arc<TokenBucket>>,
    pacer: AccountPacer,
}

/// One finding of an event, or why it could not be read.
type Item = Result<Finding, MalformedFinding>;

impl Engine {
    /// An engine with a policy and AWS clients; metrics are off until asked for.
    pub fn new(policy: Policy, aws: AwsContext) -> Self {
        let policy_account_concurrency = policy.pacing.account_concurrency;
        Engine {
            policy,
            aws,
            emit_metrics: false,
            audit: None,
            actor: "hubfix".into(),
            notes: true,
            progress: None,
            ledger: Mutex::new(HashMap::new()),
            write_budget: None,
            pacer: AccountPacer::new(policy_account_concurrency),
        }
    }

    /// Paces this engine's `BatchUpdateFindings` calls ([`TokenBucket`]): its share of
    /// Security Hub's write quota.
    pub fn with_write_budget(mut self, budget: Option<Arc<TokenBucket>>) -> Self {
        self.write_budget = budget;
        self
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
    /// recorded as not attempted (on the automatic path: sent back to the queue), and
    /// the outcomes are recorded in the reserve.
    pub async fn handle_until(
        &self,
        event: &SecurityHubEvent,
        deadline: Option<Instant>,
    ) -> Report {
        let items: Vec<&Item> = event.findings.iter().collect();
        Box::pin(self.run(Request::of(&event.trigger), &items, deadline)).await
    }

    /// Handles the Imported events of one queue batch as one set of findings on the
    /// automatic path, so that they share Security Hub writes (notes grouped across
    /// events) and reads. The outcomes follow the events' findings in order; an outcome
    /// marked `requeue` asks for its event's message to go back to the queue.
    pub async fn handle_queued(
        &self,
        events: &[&SecurityHubEvent],
        deadline: Option<Instant>,
    ) -> Report {
        let items: Vec<&Item> = events.iter().flat_map(|e| e.findings.iter()).collect();
        Box::pin(self.run(Ok(Request::Automatic), &items, deadline)).await
    }

    /// The pipeline: plan every finding (bounded concurrency, paced per account and
    /// region), apply the blast-radius caps, apply and verify, then record every
    /// outcome with as few `BatchUpdateFindings` calls as the notes allow.
    async fn run(
        &self,
        request: Result<Request, String>,
        items: &[&Item],
        deadline: Option<Instant>,
    ) -> Report {
        let reserve = self.policy.limits.time_reserve;
        let out_of_time = move || deadline.is_some_and(|d| Instant::now() + reserve >= d);
        let automatic = matches!(request, Ok(Request::Automatic));
        let budgets = ControlBudgets::default();
        let mut seen = HashSet::new();
        let prepared: Vec<Prepared> = stream::iter(items.iter())
            .map(|item| {
                let duplicate = item
                    .as_ref()
                    .is_ok_and(|f| !seen.insert((f.id.clone(), f.product_arn.clone())));
                let request = request.clone();
                let budgets = &budgets;
                async move {
                    match item {
                        Err(malformed) => Prepared::Done(Box::new(malformed_outcome(malformed))),
                        Ok(f) if duplicate => Prepared::Done(Box::new(with_kind(
                            base_outcome(f),
                            OutcomeKind::Ignored,
                            "the same finding appears earlier in this event".into(),
                        ))),
                        Ok(f) if out_of_time() => Prepared::Done(Box::new(not_attempted(
                            base_outcome(f),
                            automatic,
                            Postponed::Deadline,
                        ))),
                        Ok(f) => Box::pin(self.prepare(f, request, budgets)).await,
                    }
                }
            })
            .buffered(self.policy.concurrency)
            .collect()
            .await;
        let prepared = Box::pin(self.within_limits(prepared, automatic, &budgets)).await;

        let actor = self.actor_of(&request);
        let mut outcomes: Vec<Outcome> = stream::iter(prepared)
            .map(|p| {
                let actor = &actor;
                let span = finding_span(match &p {
                    Prepared::Done(o) => o,
                    Prepared::Ready(p) => &p.outcome,
                });
                async move {
                    let outcome = match p {
                        Prepared::Done(o) => *o,
                        Prepared::Ready(p) if out_of_time() => {
                            not_attempted(p.outcome, automatic, Postponed::Deadline)
                        }
                        Prepared::Ready(p) => Box::pin(self.finish(*p, actor, automatic)).await,
                    };
                    if let Some(Progress(report)) = &self.progress {
                        report(&outcome);
                    }
                    outcome
                }
                .instrument(span)
            })
            .buffered(self.policy.concurrency)
            .collect()
            .await;

        let update_failures = Box::pin(self.record(&mut outcomes, items, automatic)).await;
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

    /// Records the outcomes on their findings: workflow status, note, and hubfix's
    /// deferral marker (set on deferred findings, replaced once a deferred finding has
    /// its final outcome). On the automatic path a finding Security Hub did not update
    /// for a transient reason (throttling, a failed call) goes back to the queue, so that
    /// no outcome is lost; its failure is still reported.
    async fn record(
        &self,
        outcomes: &mut [Outcome],
        items: &[&Item],
        automatic: bool,
    ) -> Vec<UpdateFailure> {
        if !self.notes {
            return Vec::new();
        }
        let updates: Vec<FindingUpdate> = outcomes
            .iter()
            .zip(items)
            .filter(|(o, _)| o.is_recorded())
            .filter_map(|(o, item)| {
                let was_deferred = item.as_ref().is_ok_and(deferral::is_deferred);
                let fields = match (&o.deferral, was_deferred) {
                    (Some(d), _) => d.fields(),
                    (None, true) => deferral::done_fields(),
                    (None, false) => BTreeMap::new(),
                };
                Some(FindingUpdate {
                    id: o.finding_id.clone(),
                    product_arn: o.product_arn.clone()?,
                    status: o.workflow()?,
                    note: o.note.clone(),
                    fields,
                })
            })
            .collect();
        let failures = Box::pin(securityhub::record(
            &self.aws.home().securityhub,
            self.write_budget.as_deref(),
            &updates,
        ))
        .await;
        if automatic {
            let retry: HashSet<&str> = failures
                .iter()
                .filter(|f| f.is_transient())
                .map(|f| f.id.as_str())
                .collect();
            for o in outcomes.iter_mut() {
                if o.is_recorded() && retry.contains(o.finding_id.as_str()) {
                    o.requeue = true;
                }
            }
        }
        failures
    }

    /// Writes one `decided` record per outcome that is not ignored or sent back to the
    /// queue; returns the failures.
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
        stream::iter(
            outcomes
                .iter()
                .filter(|o| o.kind != OutcomeKind::Ignored && !o.requeue),
        )
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
            Ok(Request::Action(name)) => format!("custom action {name}"),
            Err(name) => format!("unknown custom action {name}"),
        };
        format!("{}: {what}", self.actor)
    }

    /// Applies the blast-radius caps to the findings about to be fixed, in event order:
    /// at most so many fixes per invocation, and per control per hour, reserved in the
    /// audit trail so that the cap holds across concurrent invocations. On the automatic
    /// path a finding over the per-invocation cap goes back to the queue, and one over a
    /// control's hourly cap is deferred until the hour's window frees a slot; on a
    /// custom action both are noted. A warning is logged.
    async fn within_limits(
        &self,
        prepared: Vec<Prepared>,
        automatic: bool,
        budgets: &ControlBudgets,
    ) -> Vec<Prepared> {
        let limits = self.policy.limits;
        let mut applied = 0;
        let prepared: Vec<Prepared> = prepared
            .into_iter()
            .map(|p| match p {
                Prepared::Ready(p) if applied >= limits.fixes_per_invocation => {
                    tracing::warn!(control = p.rule.control_id, resource = %p.target.resource_id, cap = limits.fixes_per_invocation, "per-invocation cap reached");
                    Prepared::Done(Box::new(not_attempted(
                        p.outcome,
                        automatic,
                        Postponed::InvocationCap(limits.fixes_per_invocation),
                    )))
                }
                Prepared::Ready(p) => {
                    applied += 1;
                    Prepared::Ready(p)
                }
                done => done,
            })
            .collect();
        let mut wanted: BTreeMap<&'static str, usize> = BTreeMap::new();
        for p in &prepared {
            if let Prepared::Ready(p) = p {
                *wanted.entry(p.rule.control_id).or_default() += 1;
            }
        }
        for (control, n) in wanted {
            budgets.reserve(self, control, n).await;
        }
        prepared
            .into_iter()
            .map(|p| match p {
                Prepared::Ready(p) if budgets.take(p.rule.control_id) => Prepared::Ready(p),
                Prepared::Ready(p) => {
                    Prepared::Done(Box::new(self.over_cap(*p, automatic, budgets)))
                }
                done => done,
            })
            .collect()
    }

    /// The most fixes of one control that other invocations may be reserving while this
    /// one does: every writer instance's per-invocation cap.
    fn reservation_headroom(&self) -> usize {
        let writers = usize::try_from(self.policy.pacing.concurrent_writers).unwrap_or(usize::MAX);
        writers.saturating_mul(self.policy.limits.fixes_per_invocation)
    }

    /// A fix over its control's hourly cap: deferred on the automatic path, noted on a
    /// custom action.
    fn over_cap(&self, p: Pending, automatic: bool, budgets: &ControlBudgets) -> Outcome {
        let control = p.rule.control_id;
        let cap = self.policy.limits.fixes_per_control_hour;
        tracing::warn!(control, resource = %p.target.resource_id, cap, "per-control hourly cap reached");
        let subject = subject(control, &p.target);
        if let Some(e) = budgets.lasting_error(control) {
            return uncountable(p.outcome, &subject, &e);
        }
        let why = budgets.why_none(control);
        if automatic {
            return self.deferred(p.outcome, &subject, why, budgets.frees_at(control));
        }
        if why == DeferReason::Uncounted {
            let note = format!(
                "hubfix did not fix {subject}: its fixes of the last hour could not be counted in the audit trail, so the hourly cap (HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR) cannot be checked; nothing changed. Run the Remediate action on it again."
            );
            return with_kind(p.outcome, OutcomeKind::NotAttempted, note);
        }
        let note = format!(
            "hubfix did not fix {subject}: the cap of {cap} fixes of {control} per hour is reached (HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR); a person should look at why so many resources fail it; nothing changed."
        );
        with_kind(p.outcome, OutcomeKind::Refused, note)
    }

    /// A deferred outcome: nothing changed now; the finding is marked with the time
    /// hubfix tries again, by itself.
    fn deferred(
        &self,
        outcome: Outcome,
        subject: &str,
        reason: DeferReason,
        not_before: SystemTime,
    ) -> Outcome {
        let deferral = Deferral::until(reason, not_before);
        let why = match reason {
            DeferReason::ControlCap => format!(
                "the cap of {} fixes of this control per hour is reached (HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR)",
                self.policy.limits.fixes_per_control_hour
            ),
            DeferReason::Throttled => "the resource's API kept throttling".to_owned(),
            DeferReason::Uncounted => "its fixes of the last hour could not be counted in the audit trail, so the hourly cap (HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR) cannot be checked".to_owned(),
        };
        let mut outcome = with_kind(
            outcome,
            OutcomeKind::Deferred,
            format!(
                "hubfix deferred {subject}: {why}; nothing changed. hubfix tries again by itself after {} (UserDefinedFields {}).",
                deferral.retry_after_text(),
                deferral::FIELD_RETRY_AFTER,
            ),
        );
        outcome.deferral = Some(deferral);
        outcome
    }

    /// Fixes of a control applied in the last hour: from the audit trail when there is
    /// one (every invocation counts), else from this process's own record. An audit
    /// trail that cannot be read is an error: the cap is then not known, and nothing is
    /// fixed on a guess.
    async fn fixes_in_last_hour(&self, control: &str) -> Result<RecentFixes, FixError> {
        let now = SystemTime::now();
        if let Some(trail) = &self.audit {
            return trail.fixes_in_last_hour(control, now).await.inspect_err(|e| {
                tracing::warn!(control, error = %e, "could not count recent fixes in the audit trail; the control's fixes wait");
            });
        }
        let ledger = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let recent: Vec<SystemTime> = ledger.get(control).map_or(Vec::new(), |times| {
            times
                .iter()
                .filter(|t| now.duration_since(**t).is_ok_and(|age| age < HOUR))
                .copied()
                .collect()
        });
        Ok(RecentFixes {
            count: recent.len(),
            oldest: recent.iter().min().copied(),
        })
    }

    /// Resolves, gates and plans one finding.
    async fn prepare(
        &self,
        finding: &Finding,
        request: Result<Request, String>,
        budgets: &ControlBudgets,
    ) -> Prepared {
        let steps = async {
            let mut base = base_outcome(finding);
            let request = self.admit(finding, request, &base).await?;
            let rule = self.rule_for(finding, request, &mut base)?;
            let target = self.target_for(finding, rule, &mut base)?;
            let subject = subject(rule.control_id, &target);
            let automatic = request == Request::Automatic;
            if automatic {
                self.within_budget(rule, budgets, &base, &subject).await?;
            }
            let _slot = self.pacer.slot(&target.account, &target.region).await;
            let clients = self.clients_for(&target, &base, &subject).await?;
            let fix = Fix {
                clients: &clients,
                target: &target,
                settings: &self.policy.settings,
            };
            let plan = self.plan(rule, fix, automatic, &mut base, &subject).await?;
            if self.policy.dry_run || request == Request::DryRun {
                return Err(stop(
                    &base,
                    OutcomeKind::DryRun,
                    format!(
                        "hubfix dry run for {subject}: would have {}; nothing changed.",
                        plan.describe()
                    ),
                ));
            }
            Ok(Prepared::Ready(Box::new(Pending {
                outcome: base,
                rule,
                target,
                clients,
                plan,
            })))
        };
        steps.await.unwrap_or_else(|done| done)
    }

    /// The first gates: a known action, a finding the automatic path takes, a product
    /// hubfix trusts.
    async fn admit(
        &self,
        finding: &Finding,
        request: Result<Request, String>,
        base: &Outcome,
    ) -> Result<Request, Prepared> {
        let request = request.map_err(|name| {
            let known: Vec<&str> = [ACTION_REMEDIATE, ACTION_DRY_RUN]
                .into_iter()
                .chain(registry::custom_actions().iter().map(|a| a.name))
                .collect();
            stop(
                base,
                OutcomeKind::Unsupported,
                format!(
                    "hubfix does not know the custom action `{}` (known: {}); nothing changed.",
                    crate::finding::quoted(&name, crate::finding::MAX_QUOTED_CHARS),
                    known.join(", ")
                ),
            )
        })?;
        if request == Request::Automatic {
            if let Some(reason) = not_for_automatic(finding) {
                return Err(stop(base, OutcomeKind::Ignored, reason));
            }
        }
        // A rule runs only on a product hubfix trusts; an action that runs one rule on
        // the finding's resource acts on whatever finding an analyst chose in their own
        // hub.
        if !matches!(request, Request::Action(_)) {
            if let Err(untrusted) = trust::gate(finding, &self.policy.trust, &self.aws).await {
                return Err(stop(base, OutcomeKind::Refused, untrusted.note()));
            }
        }
        if finding.is_sample() {
            return Err(stop(
                base,
                OutcomeKind::Refused,
                "hubfix did not act on this finding: it is a sample (`Sample` is true), whose resources are placeholders; nothing changed.".into(),
            ));
        }
        Ok(request)
    }

    /// The rule of the finding's control (or of the action), if the policy permits it.
    fn rule_for(
        &self,
        finding: &Finding,
        request: Request,
        base: &mut Outcome,
    ) -> Result<&'static Rule, Prepared> {
        let rule = if let Request::Action(name) = request {
            base.control_id = control::resolve(finding).ok().map(|c| c.control_id);
            registry::custom_action(name)
                .map(|a| a.rule)
                .ok_or_else(|| {
                    stop(
                        base,
                        OutcomeKind::Unsupported,
                        format!(
                            "hubfix does not know the custom action `{name}`; nothing changed."
                        ),
                    )
                })?
        } else if let Some(integration) = threat::integration_of(finding) {
            return self.playbook_for(finding, integration, request, base);
        } else {
            let control = control::resolve(finding).map_err(|e| {
                stop(
                    base,
                    OutcomeKind::Unsupported,
                    format!("hubfix skipped this finding: {e}."),
                )
            })?;
            base.control_id = Some(control.control_id.clone());
            self.policy.rule(&control.control_id).ok_or_else(|| {
                stop(
                    base,
                    OutcomeKind::Unsupported,
                    format!(
                        "hubfix has no rule for control {}; nothing changed.",
                        control.control_id
                    ),
                )
            })?
        };
        self.policy
            .permit(rule, finding.account(), request != Request::Automatic)
            .map_err(|refusal| {
                stop(
                    base,
                    OutcomeKind::Refused,
                    format!("hubfix skipped {}: {refusal}.", rule.control_id),
                )
            })?;
        Ok(rule)
    }

    /// The playbook that answers a threat finding, if the policy lets it run: its
    /// mode, the account scope, and on the automatic path its least severity and
    /// confidence.
    fn playbook_for(
        &self,
        finding: &Finding,
        integration: crate::remediate::playbook::Integration,
        request: Request,
        base: &mut Outcome,
    ) -> Result<&'static Rule, Prepared> {
        let threat = threat::classify(finding, integration)
            .map_err(|note| stop(base, OutcomeKind::Unsupported, note))?;
        let playbook = threat.playbook;
        let id = playbook.rule.control_id;
        base.control_id = Some(id.to_owned());
        let what = match threat::vulnerability_summary(finding) {
            Some(summary) => format!("this {} finding ({summary})", integration.display_name()),
            None => format!(
                "this {} finding ({})",
                integration.display_name(),
                threat.finding_type.native_name()
            ),
        };
        let by_hand = playbook.action.unwrap_or(ACTION_REMEDIATE);
        let automatic = request == Request::Automatic;
        self.policy
            .permit(&playbook.rule, finding.account(), !automatic)
            .map_err(|refusal| {
                let why = match refusal {
                    crate::policy::Refusal::ApprovalRequired => format!(
                        "{id} is approval-only (HUBFIX_MODES); an analyst runs it with the {by_hand} custom action"
                    ),
                    crate::policy::Refusal::ModeOff => format!("{id}'s mode is off"),
                    other => other.to_string(),
                };
                stop(
                    base,
                    OutcomeKind::Refused,
                    format!("hubfix did not run {id} on {what}: {why}; nothing changed."),
                )
            })?;
        if automatic {
            if let Some(why) = self.policy.threat.refusal(playbook, finding) {
                return Err(stop(
                    base,
                    OutcomeKind::Refused,
                    format!("hubfix did not run {id} on {what}: {why}; nothing changed. An analyst can run it with the {by_hand} custom action."),
                ));
            }
        }
        Ok(&playbook.rule)
    }

    /// The resource the rule acts on, unless the finding's tags exempt it.
    fn target_for(
        &self,
        finding: &Finding,
        rule: &'static Rule,
        base: &mut Outcome,
    ) -> Result<Target, Prepared> {
        let target = remediate::target(finding, rule).map_err(|e| {
            stop(
                base,
                OutcomeKind::Failed,
                format!("hubfix could not fix {}: {e}.", rule.control_id),
            )
        })?;
        base.resource = Some(target.resource_id.clone());
        base.rule = Some(rule.control_id.to_owned());
        base.target = Some(target.clone());
        let finding_tags = finding
            .resources
            .iter()
            .filter(|r| r.id == target.resource_id)
            .flat_map(|r| r.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if self.policy.is_exempt(finding_tags) {
            let subject = subject(rule.control_id, &target);
            return Err(stop(base, OutcomeKind::Exempt, self.exempt_note(&subject)));
        }
        Ok(target)
    }

    /// An automatic fix waits while its control's hourly budget is spent.
    async fn within_budget(
        &self,
        rule: &'static Rule,
        budgets: &ControlBudgets,
        base: &Outcome,
        subject: &str,
    ) -> Result<(), Prepared> {
        if budgets.load(self, rule.control_id).await != 0 {
            return Ok(());
        }
        if let Some(e) = budgets.lasting_error(rule.control_id) {
            return Err(Prepared::Done(Box::new(uncountable(
                base.clone(),
                subject,
                &e,
            ))));
        }
        let frees_at = budgets.frees_at(rule.control_id);
        Err(Prepared::Done(Box::new(self.deferred(
            base.clone(),
            subject,
            budgets.why_none(rule.control_id),
            frees_at,
        ))))
    }

    /// The clients of the resource's account and region.
    async fn clients_for(
        &self,
        target: &Target,
        base: &Outcome,
        subject: &str,
    ) -> Result<Arc<Clients>, Prepared> {
        self.aws
            .clients_for(&target.account, &target.region)
            .await
            .map_err(|e| {
                let kind = match e {
                    FixError::Unreachable(_) => OutcomeKind::Refused,
                    _ => OutcomeKind::Failed,
                };
                stop(base, kind, format!("hubfix could not fix {subject}: {e}."))
            })
    }

    /// Reads the resource and plans the fix; stops at a manual or unconfigured fix, a
    /// resource its live tags exempt, or one already compliant.
    async fn plan(
        &self,
        rule: &'static Rule,
        fix: Fix<'_>,
        automatic: bool,
        base: &mut Outcome,
        subject: &str,
    ) -> Result<Plan, Prepared> {
        let inspection = match rule.remediation.inspect(fix, true).await {
            Ok(i) => i,
            Err(FixError::Manual(steps)) => {
                return Err(stop(
                    base,
                    OutcomeKind::Manual,
                    format!("hubfix cannot fix {subject} safely by API; by hand: {steps}"),
                ))
            }
            Err(e @ FixError::Unconfigured(_)) => {
                return Err(stop(
                    base,
                    OutcomeKind::Refused,
                    format!("hubfix skipped {subject}: {e}."),
                ))
            }
            Err(FixError::Throttled { .. }) if automatic => {
                return Err(Prepared::Done(Box::new(self.deferred(
                    base.clone(),
                    subject,
                    DeferReason::Throttled,
                    SystemTime::now() + THROTTLE_DEFERRAL,
                ))))
            }
            Err(e) => {
                return Err(stop(
                    base,
                    OutcomeKind::Failed,
                    format!("hubfix could not fix {subject}: {e}."),
                ))
            }
        };
        let live_tags = inspection
            .tags
            .iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()));
        if self.policy.is_exempt(live_tags) {
            return Err(stop(base, OutcomeKind::Exempt, self.exempt_note(subject)));
        }
        base.before = Some(inspection.plan.before.clone());
        if inspection.plan.is_compliant() {
            let done = with_kind(
                base.clone(),
                OutcomeKind::AlreadyCompliant,
                format!("hubfix checked {subject}: already compliant, nothing changed."),
            );
            return Err(Prepared::Done(Box::new(handed_over(
                rule,
                done,
                &inspection.plan.before,
            ))));
        }
        base.record_plan(&inspection.plan);
        Ok(inspection.plan)
    }

    /// Fixes one resource: under the resource's lock and after storing the before-state
    /// when there is an audit trail, then applies the plan and verifies it.
    async fn finish(&self, p: Pending, actor: &str, automatic: bool) -> Outcome {
        let subject = subject(p.rule.control_id, &p.target);
        let _slot = self.pacer.slot(&p.target.account, &p.target.region).await;
        let Some(trail) = &self.audit else {
            return Box::pin(self.apply_and_verify(p, &subject, automatic)).await;
        };
        let lock = format!(
            "{}|{}|{}|{}",
            p.rule.control_id, p.target.account, p.target.region, p.target.resource_id
        );
        match trail
            .lock(&lock, &crate::audit::holder(&p.outcome.finding_id))
            .await
        {
            Ok(true) => {}
            Ok(false) if automatic => {
                return not_attempted(p.outcome, true, Postponed::Busy(subject));
            }
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
                    Ok(_) => Box::pin(self.apply_and_verify(p, &subject, automatic)).await,
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
                let done = with_kind(
                    outcome,
                    OutcomeKind::AlreadyCompliant,
                    format!("hubfix checked {subject}: already compliant (fixed meanwhile), nothing changed."),
                );
                Err(handed_over(p.rule, done, &now.plan.before))
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
    async fn apply_and_verify(&self, p: Pending, subject: &str, automatic: bool) -> Outcome {
        let changes = p.plan.describe();
        let fix = Fix {
            clients: &p.clients,
            target: &p.target,
            settings: &self.policy.settings,
        };
        let mut outcome = p.outcome;
        let reports = match remediate::apply(p.rule.remediation, fix, &p.plan).await {
            Ok(reports) => reports,
            Err(e) => {
                // A call can fail after AWS made the change (a response lost on the way):
                // reading the resource back tells.
                if let Ok(after) = p.rule.remediation.inspect(fix, false).await {
                    if after.plan.is_compliant() {
                        outcome.after = Some(after.plan.before.clone());
                        let done = with_kind(
                            outcome,
                            OutcomeKind::Remediated,
                            format!("hubfix fixed {subject}: {changes}; a call reported an error ({e}) but reading it back shows the fix in place."),
                        );
                        return handed_over(p.rule, done, &after.plan.before);
                    }
                }
                if automatic && matches!(e, FixError::Throttled { .. }) {
                    return self.deferred(
                        outcome,
                        subject,
                        DeferReason::Throttled,
                        SystemTime::now() + THROTTLE_DEFERRAL,
                    );
                }
                return with_kind(
                    outcome,
                    OutcomeKind::Failed,
                    format!("hubfix could not fix {subject}: {e}. Planned: {changes}."),
                );
            }
        };
        outcome.reports.clone_from(&reports);
        let changes = with_reports(&changes, &reports);
        match p.rule.remediation.inspect(fix, false).await {
            Ok(after) if after.plan.is_compliant() => {
                outcome.after = Some(after.plan.before.clone());
                let done = with_kind(
                    outcome,
                    OutcomeKind::Remediated,
                    format!("hubfix fixed {subject}: {changes}; verified by reading it back."),
                );
                handed_over(p.rule, done, &after.plan.before)
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
    let picked_up_again =
        f.workflow_status() == WorkflowStatus::Notified && deferral::is_deferred(f);
    if f.workflow_status() != WorkflowStatus::New && !picked_up_again {
        return Some(format!(
            "workflow status is {}; the automatic path acts on NEW findings (and on the ones it deferred) only",
            f.workflow_status().as_str()
        ));
    }
    if f.record_state() != RecordState::Active {
        return Some("the finding is archived".into());
    }
    if threat::integration_of(f).is_some() {
        return None;
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

/// Ends a finding's way through the gates with this outcome.
fn stop(base: &Outcome, kind: OutcomeKind, note: String) -> Prepared {
    Prepared::Done(Box::new(with_kind(base.clone(), kind, note)))
}

fn with_kind(mut o: Outcome, kind: OutcomeKind, note: String) -> Outcome {
    o.kind = kind;
    o.note = note;
    o
}

/// A fixed or compliant outcome, with what the rule's fix leaves for a person (read
/// from the resource as `read`), if anything.
fn handed_over(rule: &Rule, mut o: Outcome, read: &crate::model::BeforeState) -> Outcome {
    if let Some(step) = rule.remediation.left_for_a_person(read) {
        o.leave_for_a_person(step);
    }
    o
}

/// The window of the per-control cap.
const HOUR: Duration = Duration::from_secs(3600);
/// The least a fix is deferred by.
const MIN_DEFERRAL: Duration = Duration::from_secs(300);
/// How long a fix whose resource's API kept throttling is deferred.
const THROTTLE_DEFERRAL: Duration = Duration::from_secs(600);

/// Why a fix was not started in this invocation.
enum Postponed {
    /// The invocation's time ran out.
    Deadline,
    /// The per-invocation cap of fixes was reached.
    InvocationCap(usize),
    /// Another invocation holds the resource's lock.
    Busy(String),
}

/// A fix not started now. On the automatic path the finding's message goes back to the
/// queue (nothing is noted; the note is only logged); on a custom action the note asks
/// the analyst to run it again.
fn not_attempted(o: Outcome, automatic: bool, why: Postponed) -> Outcome {
    let why = match why {
        Postponed::Deadline => "the invocation's time ran out before it could start".to_owned(),
        Postponed::InvocationCap(cap) => format!(
            "the cap of {cap} fixes per invocation is reached (HUBFIX_MAX_FIXES_PER_INVOCATION)"
        ),
        Postponed::Busy(subject) => {
            format!("another hubfix invocation is fixing {subject} right now")
        }
    };
    let mut o = if automatic {
        with_kind(
            o,
            OutcomeKind::NotAttempted,
            format!("hubfix postponed this fix: {why}; its message goes back to the queue and it is tried again shortly; nothing changed."),
        )
    } else {
        with_kind(
            o,
            OutcomeKind::NotAttempted,
            format!("hubfix did not attempt this fix: {why}; nothing changed. Run the Remediate action on it again."),
        )
    };
    o.requeue = automatic;
    o
}

/// A fix not made because the audit trail, where the control's hourly cap is kept,
/// cannot be read for a reason waiting will not cure (it is missing, or hubfix may not
/// read it).
fn uncountable(o: Outcome, subject: &str, e: &FixError) -> Outcome {
    with_kind(
        o,
        OutcomeKind::Failed,
        format!("hubfix did not fix {subject}: it could not count the control's fixes of the last hour in the audit trail ({e}), so the hourly cap cannot be checked; nothing changed."),
    )
}

/// What is left of each control's hourly cap in one run, read once per control.
#[derive(Default)]
struct ControlBudgets {
    loading: tokio::sync::Mutex<()>,
    budgets: Mutex<HashMap<&'static str, ControlBudget>>,
}

#[derive(Clone)]
struct ControlBudget {
    left: usize,
    frees_at: SystemTime,
    /// Why the hour's fixes could not be counted, when they could not.
    uncounted: Option<FixError>,
    /// The hour's fixes as counted for this run, before any reservation.
    counted: Option<RecentFixes>,
}

impl ControlBudgets {
    fn get(&self, control: &str) -> Option<ControlBudget> {
        self.budgets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(control)
            .cloned()
    }

    /// Fixes of `control` left this hour, counted once per run.
    async fn load(&self, engine: &Engine, control: &'static str) -> usize {
        if let Some(b) = self.get(control) {
            return b.left;
        }
        let _loading = self.loading.lock().await;
        if let Some(b) = self.get(control) {
            return b.left;
        }
        let now = SystemTime::now();
        let budget = match engine.fixes_in_last_hour(control).await {
            Ok(recent) => ControlBudget {
                left: engine
                    .policy
                    .limits
                    .fixes_per_control_hour
                    .saturating_sub(recent.count),
                frees_at: recent
                    .oldest
                    .map_or(now + HOUR, |t| t + HOUR)
                    .max(now + MIN_DEFERRAL),
                uncounted: None,
                counted: Some(recent),
            },
            Err(e) => ControlBudget {
                left: 0,
                frees_at: now + MIN_DEFERRAL,
                uncounted: Some(e),
                counted: None,
            },
        };
        let left = budget.left;
        self.budgets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(control, budget);
        left
    }

    /// Reserves up to `wanted` fixes of `control` for this run: in the audit trail when
    /// there is one (the cap holds across invocations), else in this process's record.
    async fn reserve(&self, engine: &Engine, control: &'static str, wanted: usize) {
        let now = SystemTime::now();
        let cap = engine.policy.limits.fixes_per_control_hour;
        let frees = |oldest: Option<SystemTime>| {
            oldest
                .map_or(now + HOUR, |t| t + HOUR)
                .max(now + MIN_DEFERRAL)
        };
        let counted = self.get(control).and_then(|b| b.counted);
        let budget = match &engine.audit {
            Some(trail) => match trail
                .reserve_fixes(
                    control,
                    wanted,
                    cap,
                    engine.reservation_headroom(),
                    counted,
                    now,
                )
                .await
            {
                Ok((granted, recent)) => ControlBudget {
                    left: granted,
                    frees_at: frees(recent.oldest),
                    uncounted: None,
                    counted: None,
                },
                Err(e) => {
                    tracing::warn!(control, error = %e, "could not reserve fixes in the audit trail; the control's fixes wait");
                    ControlBudget {
                        left: 0,
                        frees_at: now + MIN_DEFERRAL,
                        uncounted: Some(e),
                        counted: None,
                    }
                }
            },
            None => {
                let mut ledger = engine.ledger.lock().unwrap_or_else(|e| e.into_inner());
                let times = ledger.entry(control.to_owned()).or_default();
                times.retain(|t| now.duration_since(*t).is_ok_and(|age| age < HOUR));
                let granted = wanted.min(cap.saturating_sub(times.len()));
                times.extend(std::iter::repeat_n(now, granted));
                ControlBudget {
                    left: granted,
                    frees_at: frees(times.iter().min().copied()),
                    uncounted: None,
                    counted: None,
                }
            }
        };
        self.budgets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(control, budget);
    }

    /// Takes one fix of `control`'s budget; `false` when none is left.
    fn take(&self, control: &str) -> bool {
        let mut budgets = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
        match budgets.get_mut(control) {
            Some(b) if b.left > 0 => {
                b.left -= 1;
                true
            }
            Some(_) => false,
            None => true,
        }
    }

    /// When the hour's window frees a slot of `control`'s cap.
    fn frees_at(&self, control: &str) -> SystemTime {
        self.get(control)
            .map_or_else(|| SystemTime::now() + HOUR, |b| b.frees_at)
    }

    /// Why `control` has no budget left: its cap, or a count that could not be made.
    fn why_none(&self, control: &str) -> DeferReason {
        if self.get(control).is_some_and(|b| b.uncounted.is_some()) {
            DeferReason::Uncounted
        } else {
            DeferReason::ControlCap
        }
    }

    /// The error that kept `control`'s fixes from being counted, when it will not go
    /// away by waiting (a missing audit bucket, a refused permission).
    fn lasting_error(&self, control: &str) -> Option<FixError> {
        self.get(control)
            .and_then(|b| b.uncounted)
            .filter(|e| !e.is_transient())
    }
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

/// The span of one finding's fix: what is logged while it is fixed carries the finding,
/// its control, account and region.
fn finding_span(o: &Outcome) -> tracing::Span {
    tracing::info_span!(
        "finding",
        finding_id = %o.finding_id,
        control = o.control_id.as_deref().unwrap_or_default(),
        account = o.account.as_deref().unwrap_or_default(),
        region = o.region.as_deref().unwrap_or_default(),
    )
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
        o.region.as_deref().unwrap_or(""),
    );
    match o.kind {
        OutcomeKind::Failed | OutcomeKind::Unsupported => tracing::warn!(
            finding_id = fields.0, control = fields.1, account = fields.2, region = fields.4,
            resource = fields.3,
            outcome = o.kind.as_str(), note = %o.note, changes, before, "finding outcome"
        ),
        _ => tracing::info!(
            finding_id = fields.0, control = fields.1, account = fields.2, region = fields.4,
            resource = fields.3,
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
            finding_id: None,
            principal: None,
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
