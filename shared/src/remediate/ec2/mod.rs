//! EC2 and VPC: security groups, instance, snapshot, subnet, flow log and network ACL
//! settings, and the `IsolateInstance` custom action.

pub mod config;
pub mod isolate;
pub mod security_groups;
