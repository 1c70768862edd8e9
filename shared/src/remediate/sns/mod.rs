//! SNS: encryption at rest of topics.

pub mod encryption;
