//! `hubfix setup status`: one row per account and region saying what is on, and what
//! drifts from the setup file. Drift is exactly what the plan would change (so status
//! and apply can never disagree), plus what the plan only warns about and what could
//! not be read.

use serde::Serialize;

use super::catalogue::Standard;
use super::file::Foundation;
use super::plan::{policy_covers, AccountRole, Action, Plan};
use super::state::{Observed, Scope};

/// One account in one region (or the organisation's global settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    /// The account.
    pub account: String,
    /// What it is to the foundation.
    pub role: AccountRole,
    /// The region, or `global`.
    pub region: String,
    /// Security Hub: `on`, `off`, or `?` when unread.
    pub hub: String,
    /// Wanted standards enabled, as `enabled/wanted`.
    pub standards: String,
    /// Consolidated control findings: `yes`, `no`.
    pub consolidated: String,
    /// AWS Config recording: `all`, `partial`, `stopped`, `none`.
    pub config: String,
    /// The administrator's record of the account (`ENABLED`, `INVITED`, ...), or
    /// `self` for the administrator.
    pub member: String,
    /// The aggregator: `here` (its region), `linked`, `not linked`, `missing`.
    pub aggregator: String,
    /// The tamper-protection policy: `attached`, `missing`, `n/a` (management account).
    pub scp: String,
    /// What differs from the file; empty when nothing does.
    pub drift: Vec<String>,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Rows, by account then region; global rows first for each account.
    pub rows: Vec<StatusRow>,
    /// Whether anything drifts (the command's exit code 1).
    pub drifted: bool,
}

/// The status of every enrolled account and region.
pub fn status(f: &Foundation, observed: &Observed, plan: &Plan) -> Status {
    let mut rows = Vec::new();
    let global = Scope::global(&f.management_account);
    let global_drift = drift_at(plan, &global, &f.management_account);
    if !global_drift.is_empty() || f.tamper_protection.is_some() {
        rows.push(StatusRow {
            account: f.management_account.clone(),
            role: AccountRole::Management,
            region: "global".into(),
            hub: "-".into(),
            standards: "-".into(),
            consolidated: "-".into(),
            config: "-".into(),
            member: "-".into(),
            aggregator: "-".into(),
            scp: if f.tamper_protection.is_none() {
                "-".into()
            } else if global_drift.is_empty() {
                "in force".into()
            } else {
                "drift".into()
            },
            drift: global_drift,
        });
    }
    let wanted = f.standards();
    for (account, role) in &plan.accounts {
        for region in &f.regions {
            let scope = Scope::regional(account, region);
            let hub = observed.hubs.get(&scope);
            let read = hub.and_then(|h| h.as_ref().ok());
            let state = observed.regions.get(region);
            let enabled = read.map(|h| {
                wanted
                    .iter()
                    .filter(|s| h.standards.contains_key(&s.arn(region)))
                    .count()
            });
            let member = if *role == AccountRole::Administrator {
                "self".to_owned()
            } else {
                state
                    .and_then(|s| s.members.get(account).cloned())
                    .unwrap_or_else(|| "-".into())
            };
            let aggregator = match &f.aggregator {
                None => "-".to_owned(),
                Some(a) if *role == AccountRole::Administrator && a.region == *region => {
                    if state.and_then(|s| s.aggregator.as_ref()).is_some() {
                        "here".into()
                    } else {
                        "missing".into()
                    }
                }
                Some(_) if f.linked_regions().contains(region) => "linked".into(),
                Some(a) if a.region == *region => "here".into(),
                Some(_) => "not linked".into(),
            };
            let scp = match (&f.tamper_protection, &observed.organization) {
                (None, _) => "-".to_owned(),
                _ if *role == AccountRole::Management => "n/a".into(),
                _ if *role == AccountRole::Invited => "n/a".into(),
                (Some(_), Some(org)) if policy_covers(org, account) => "attached".into(),
                (Some(_), _) => "missing".into(),
            };
            rows.push(StatusRow {
                account: account.clone(),
                role: *role,
                region: region.clone(),
                hub: match read {
                    Some(h) if h.enabled => "on".into(),
                    Some(_) => "off".into(),
                    None => "?".into(),
                },
                standards: match enabled {
                    Some(n) => format!("{n}/{}", wanted.len()),
                    None => "?".into(),
                },
                consolidated: match read {
                    Some(h) if h.enabled && h.consolidated => "yes".into(),
                    Some(h) if h.enabled => "no".into(),
                    _ => "-".into(),
                },
                config: read
                    .and_then(|h| h.recording.as_ref())
                    .map_or("-", |r| r.label())
                    .to_owned(),
                member,
                aggregator,
                scp,
                drift: drift_at(plan, &scope, account),
            });
        }
    }
    let drifted = !plan.is_clean();
    Status { rows, drifted }
}

/// What the plan would change at `scope`, or about `account` from the administrator's
/// side, and what it warns about or could not read there.
fn drift_at(plan: &Plan, scope: &Scope, account: &str) -> Vec<String> {
    let mut out = Vec::new();
    for step in &plan.steps {
        let about_account = match &step.action {
            Action::AddMembers { accounts } => {
                step.scope.region == scope.region && accounts.iter().any(|a| a.account == account)
            }
            Action::InviteMembers { accounts } => {
                step.scope.region == scope.region && accounts.iter().any(|a| a == account)
            }
            _ => false,
        };
        if about_account {
            out.push(match &step.action {
                Action::AddMembers { .. } => "not a member of the administrator".to_owned(),
                _ => "not invited yet".to_owned(),
            });
        } else if step.scope == *scope
            && !matches!(
                step.action,
                Action::AddMembers { .. } | Action::InviteMembers { .. }
            )
        {
            out.push(step.action.describe());
        }
    }
    for notice in plan.warnings.iter().chain(&plan.blocked) {
        if notice.scope == *scope {
            out.push(notice.message.clone());
        }
    }
    out
}

/// The standards' names, for a row's detail.
pub fn standard_names(arns: &[String]) -> Vec<String> {
    arns.iter()
        .map(|a| Standard::of_arn(a).map_or(a.clone(), |s| s.name.to_owned()))
        .collect()
}
