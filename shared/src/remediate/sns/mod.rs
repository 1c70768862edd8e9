//! SNS (and, for now, SQS): encryption at rest.

pub mod encryption;
