//! Amazon Macie: Macie on in the account's Region (`Macie.1`).

pub mod session;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[session::RULES];
