//! GuardDuty: the region's detector.

pub mod detector;
