//! Secrets Manager: secrets' rotation (`SecretsManager.1`) and unused secrets
//! (`SecretsManager.3`).

pub mod rotation;
pub mod unused;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[rotation::RULES, unused::RULES];

/// The codes Secrets Manager answers for a secret that does not exist.
pub(crate) const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];
