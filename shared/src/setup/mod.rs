//! `hubfix setup`: an organisation's Security Hub foundation, declared in a file,
//! planned before it is applied, applied idempotently with audit records, and checked
//! for drift.
//!
//! - [`file`]: the setup file and its checks; [`members_csv`]: the members CSV of
//!   accounts outside the organisation; [`catalogue`]: standards and products by name;
//! - [`state`]: what AWS reports, as data; [`plan`]: the changes that bring it to the
//!   file (pure); [`status`]: the table of accounts and regions, and what drifts (pure);
//!   [`scp`]: the tamper-protection service control policy (pure);
//! - [`access`], [`observe`], [`apply`]: the AWS side (clients per account through
//!   roles, reading, changing);
//! - [`drift`]: the CloudTrail events of someone switching the foundation off, and the
//!   drift guard that records them and puts the foundation back;
//!   [`guard_function`]: the drift guard as a Lambda function;
//! - [`permissions`]: the IAM actions all of this calls, where (the templates grant them).

pub mod access;
pub mod apply;
pub mod catalogue;
pub mod drift;
pub mod file;
pub mod guard_function;
pub mod members_csv;
pub mod observe;
pub mod permissions;
pub mod plan;
pub mod scp;
pub mod state;
pub mod status;

pub use file::{FileError, Foundation};
pub use plan::{plan, Plan, PlanError};
