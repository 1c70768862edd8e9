//! CloudWatch: the CIS monitoring alarms.

pub mod cis_alarms;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[cis_alarms::RULES];
