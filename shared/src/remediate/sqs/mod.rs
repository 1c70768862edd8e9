//! SQS: encryption at rest of queues.

pub mod encryption;
