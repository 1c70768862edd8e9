//! Athena: workgroups' query metrics (`Athena.4`).

pub mod workgroup_metrics;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[workgroup_metrics::RULES];
