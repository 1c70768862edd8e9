//! AWS Config: the configuration recorder.

pub mod recorder;
