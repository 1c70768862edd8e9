//! KMS: customer managed keys.

pub mod rotation;
