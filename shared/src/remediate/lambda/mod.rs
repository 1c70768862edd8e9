//! Lambda: function policies.

pub mod public_invoke;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[public_invoke::RULES];
