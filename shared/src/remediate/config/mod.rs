//! AWS Config: the configuration recorder.

pub mod recorder;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[recorder::RULES];
