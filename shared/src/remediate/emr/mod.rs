//! Amazon EMR: the Region's block public access setting (`EMR.2`).

pub mod block_public_access;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[block_public_access::RULES];
