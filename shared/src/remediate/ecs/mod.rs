//! Amazon ECS: task definitions whose containers have read-only root filesystems
//! (`ECS.5`).

pub mod read_only_root;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[read_only_root::RULES];
