//! GuardDuty: the region's detector (`GuardDuty.1`), its required tags (`GuardDuty.4`)
//! and its protection plans (`GuardDuty.9`, `GuardDuty.10`).

pub mod detector;
pub mod protection_plans;
pub mod tags;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[detector::RULES, protection_plans::RULES, tags::RULES];
