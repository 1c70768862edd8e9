//! DynamoDB: tables.

pub mod point_in_time_recovery;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[point_in_time_recovery::RULES];
