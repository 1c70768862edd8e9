//! SNS: encryption at rest of topics.

pub mod encryption;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[encryption::RULES];
