//! CloudWatch: the CIS monitoring alarms, and log groups' retention (`CloudWatch.16`).

pub mod cis_alarms;
pub mod log_retention;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[cis_alarms::RULES, log_retention::RULES];
