//! Secrets Manager: secrets.

pub mod rotation;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[rotation::RULES];
