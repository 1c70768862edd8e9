//! hubfix: auto-remediation for AWS Security Hub findings.
//!
//! The core library the Lambda functions and the CLI are built on:
//! - [`finding`]: the ASFF model and the EventBridge envelopes;
//! - [`control`]: which security control a finding is about;
//! - [`registry`]: the rules, one per supported control;
//! - [`policy`]: what hubfix may do (modes, scope, exemptions, dry-run);
//! - [`trust`]: which findings' products hubfix acts on;
//! - [`remediate`]: per-service plan/apply/verify with before-state;
//! - [`engine`]: the flow from event to recorded outcomes;
//! - [`queue`], [`pacing`], [`deferral`], [`reconcile`]: the automatic path's delivery at
//!   organisation scale (SQS batches, Security Hub's write quota, deferred fixes);
//! - [`undo`]: putting a fixed resource back as it was;
//! - [`audit`]: the trail of every decision, with before-states;
//! - [`report`]: the compliance report (scores, failed controls, finding counts);
//! - [`scan`]: the CIS gap scanner (requirements Security Hub does not evaluate);
//! - [`setup`]: the Security Hub foundation of an organisation (`hubfix setup`, the
//!   drift guard);
//! - [`aws`], [`securityhub`], [`securityhub_read`], [`metrics`]: the adapters.

pub mod audit;
pub mod aws;
pub mod catalogue_settings;
pub mod coalesce;
pub mod control;
pub mod deferral;
pub mod engine;
pub mod error;
pub mod finding;
pub mod lambda;
pub mod metrics;
pub mod outcome;
pub mod pacing;
pub mod policy;
pub mod queue;
pub mod reconcile;
pub mod registry;
pub mod remediate;
pub mod report;
pub mod scan;
pub mod securityhub;
pub mod securityhub_read;
pub mod setup;
pub mod trust;
pub mod undo;

pub use engine::{Engine, Report, Request};
pub use finding::{Finding, SecurityHubEvent};
pub use outcome::{Outcome, OutcomeKind};
pub use policy::Policy;
