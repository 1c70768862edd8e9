//! One module per command.

pub(crate) mod audit;
pub(crate) mod fix;
pub(crate) mod invoke;
pub(crate) mod redrive;
pub(crate) mod report;
pub(crate) mod rules;
pub(crate) mod scan;
pub(crate) mod setup;
pub(crate) mod undo;
