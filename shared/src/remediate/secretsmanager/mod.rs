//! Secrets Manager: secrets.

pub mod rotation;
