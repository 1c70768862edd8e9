//! CodeBuild: projects.

pub mod credentials;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[credentials::RULES];
