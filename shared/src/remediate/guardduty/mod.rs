//! GuardDuty: the region's detector.

pub mod detector;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[detector::RULES];
