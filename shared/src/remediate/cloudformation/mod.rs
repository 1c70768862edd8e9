//! CloudFormation: stacks that notify an SNS topic of their events
//! (`CloudFormation.1`).

pub mod stack_notifications;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[stack_notifications::RULES];
