//! Systems Manager: Automation runbooks mapped to controls, and documents shared with
//! everyone (`SSM.4`).

pub mod public_documents;
pub mod runbook;

/// Every rule of this service, family by family (the registry indexes them; runbook
/// rules are built from the configuration, see [`runbook`]).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[public_documents::RULES];
