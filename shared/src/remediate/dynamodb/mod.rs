//! DynamoDB: tables.

pub mod point_in_time_recovery;
