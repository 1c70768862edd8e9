//! One module per command.

pub mod audit;
pub mod fix;
pub mod invoke;
pub mod redrive;
pub mod report;
pub mod rules;
pub mod scan;
pub mod setup;
pub mod undo;
