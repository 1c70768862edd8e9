//! Systems Manager: Automation runbooks mapped to controls.

pub mod runbook;
