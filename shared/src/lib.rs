//! hubfix: auto-remediation for AWS Security Hub findings.
//!
//! The core library the Lambda functions and the CLI are built on, in layers; a module
//! imports only from its own layer and those below (`tests/layers.rs` holds this):
//! 1. **foundation**: [`error`], [`ids`] (ARNs, account ids, regions, bucket names),
//!    [`date`], [`model`] (the remediation model: target, change, plan, before-state),
//!    [`settings`] (what fixes need, with their errors), [`coalesce`], [`finding`] (the
//!    ASFF model and the EventBridge envelopes);
//! 2. **services**: [`aws`] (clients) and [`remediate`] (a folder per AWS service:
//!    inspect, apply, verify, undo);
//! 3. **registry**: [`registry`], the index of rules, one per supported control;
//! 4. **policy**: [`policy`] (modes, scope, exemptions, dry-run), [`trust`], [`threat`],
//!    [`control`] (which control a finding is about), [`outcome`], [`audit`],
//!    [`queue`], [`pacing`], [`deferral`], [`securityhub`], [`securityhub_read`],
//!    [`metrics`], and the scanner's requirement table;
//! 5. **flows**: [`engine`] (event to recorded outcomes), [`undo`], [`report`] (the
//!    compliance report), [`scan`] (the CIS gap scanner), [`reconcile`] (deferred fixes),
//!    [`setup`] (an organisation's Security Hub foundation: `hubfix setup`, the drift guard);
//! 6. **functions**: [`function`] and the flows' `function` modules (and
//!    `setup::guard_function`): what each function does with an invocation's event,
//!    whatever runs it.
//!
//! The crate knows nothing of the Lambda runtime: the `hubfix-lambda` crate (`lambda/`)
//! wires the runtime, logging and each function's start-up to these handlers, and the
//! CLI (`hubfix invoke`) runs the same handlers in-process.

pub mod audit;
pub mod aws;
pub mod coalesce;
pub mod control;
pub mod date;
pub mod deferral;
pub mod engine;
pub mod error;
pub mod finding;
pub mod function;
pub mod ids;
pub mod metrics;
pub mod model;
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
pub mod settings;
pub mod setup;
pub mod threat;
pub mod trust;
pub mod undo;

pub use engine::{Engine, Report, Request};
pub use finding::{Finding, SecurityHubEvent};
pub use outcome::{Outcome, OutcomeKind};
pub use policy::Policy;
