//! CloudWatch: the CIS monitoring alarms.

pub mod cis_alarms;
