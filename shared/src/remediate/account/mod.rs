//! AWS Account Management: the account's security contact (`Account.1`).

pub mod security_contact;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[security_contact::RULES];
