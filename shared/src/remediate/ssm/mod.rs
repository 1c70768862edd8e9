//! Systems Manager: Automation runbooks mapped to controls, instances it manages
//! (`SSM.1`), documents shared with everyone (`SSM.4`) and the block of public sharing
//! (`SSM.7`).

pub mod managed_instances;
pub mod public_documents;
pub mod public_sharing;
pub mod runbook;

/// Every rule of this service, family by family (the registry indexes them; runbook
/// rules are built from the configuration, see [`runbook`]).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    managed_instances::RULES,
    public_documents::RULES,
    public_sharing::RULES,
];
