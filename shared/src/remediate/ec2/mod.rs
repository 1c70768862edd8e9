//! EC2 and VPC: security groups, instance, snapshot, subnet, flow log and network ACL
//! settings, and the `IsolateInstance` custom action.
//!
//! EC2 and VPC configuration fixes: public EBS snapshots (`EC2.1`), stopped instances
//! (`EC2.4`, approval-only and never automatic), VPC flow logs (`EC2.6`), EBS encryption
//! by default (`EC2.7`), IMDSv2 (`EC2.8`), public IPs on launch (`EC2.15`), network ACL
//! entries open to the world on SSH/RDP (`EC2.21`), Transit Gateways that accept shared
//! attachments by themselves (`EC2.23`), an endpoint for the EC2 API (`EC2.10`) and launch
//! templates without public IPs (`EC2.25`).

pub mod contain;
pub mod default_group;
pub mod isolate;
pub mod launch_templates;
pub mod open_ingress;
pub mod security_groups;
pub mod transit_gateways;
pub mod vpc_endpoints;
pub mod vulnerable;

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, FlowLogsResourceType, HttpTokensState,
    InstanceMetadataEndpointState, LogDestinationType, OperationType, PortRange, ResourceType,
    RuleAction, SnapshotAttributeName, Tag, TagSpecification, TrafficType,
};
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::ids::Arn;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::ec2::isolate::{describe_instance, INSTANCE_NOT_FOUND};
use crate::remediate::ec2::open_ingress::ADMIN_PORTS;
use crate::remediate::ec2::security_groups::ec2_tags;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

mod ebs_encryption;
mod flow_logs;
mod instances;
mod network_acls;
mod snapshots;
mod subnets;

pub use ebs_encryption::*;
pub use flow_logs::*;
pub use instances::*;
pub use network_acls::*;
pub use snapshots::*;
pub use subnets::*;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    default_group::RULES,
    ebs_encryption::RULES,
    flow_logs::RULES,
    instances::RULES,
    launch_templates::RULES,
    network_acls::RULES,
    open_ingress::RULES,
    snapshots::RULES,
    subnets::RULES,
    transit_gateways::RULES,
    vpc_endpoints::RULES,
];

fn plan<T: Serialize>(resource: String, before: &T, changes: Vec<Change>) -> Plan {
    Plan {
        before: BeforeState::new(resource, before),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::ec2::instances::terminated_note;
    use crate::remediate::ec2::security_groups::ec2_resource_id;

    fn entry(protocol: &str, cidr: &str, ports: Option<(i32, i32)>) -> NaclEntry {
        NaclEntry {
            rule_number: 100,
            protocol: protocol.into(),
            cidr: cidr.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        }
    }

    #[test]
    fn nacl_entries_open_to_admin_ports() {
        assert!(nacl_entry_open_to_admin(&entry(
            "6",
            "0.0.0.0/0",
            Some((22, 22))
        )));
        assert!(nacl_entry_open_to_admin(&entry(
            "6",
            "::/0",
            Some((3000, 4000))
        )));
        assert!(nacl_entry_open_to_admin(&entry("-1", "0.0.0.0/0", None)));
        assert!(!nacl_entry_open_to_admin(&entry(
            "6",
            "0.0.0.0/0",
            Some((443, 443))
        )));
        assert!(!nacl_entry_open_to_admin(&entry(
            "6",
            "10.0.0.0/8",
            Some((22, 22))
        )));
        assert!(!nacl_entry_open_to_admin(&entry("1", "0.0.0.0/0", None)));
    }

    #[test]
    fn an_undo_of_ec2_4_names_the_snapshots_kept() {
        let note = terminated_note("i-0abc", Ok(vec!["snap-1".into(), "snap-2".into()]));
        assert!(note.contains("cannot be brought back"), "{note}");
        assert!(note.contains("snapshots snap-1, snap-2"), "{note}");
        assert!(terminated_note("i-0abc", Ok(Vec::new())).contains("no snapshot"));
        let denied = FixError::AccessDenied {
            operation: "ec2:DescribeSnapshots",
            code: "UnauthorizedOperation".into(),
        };
        let note = terminated_note("i-0abc", Err(denied));
        assert!(note.contains("could not be listed"), "{note}");
        assert!(note.contains("hubfix:final-snapshot-of=i-0abc"), "{note}");
    }

    #[test]
    fn resource_ids() {
        assert_eq!(
            ec2_resource_id(
                "arn:aws:ec2:us-east-1:1:subnet/subnet-0abc",
                "subnet",
                "subnet-",
                "a subnet"
            )
            .unwrap(),
            "subnet-0abc"
        );
        assert_eq!(
            ec2_resource_id("arn:aws:ec2:us-east-1:1:vpc/vpc-12", "vpc", "vpc-", "a VPC").unwrap(),
            "vpc-12"
        );
        assert_eq!(
            ec2_resource_id("acl-0f", "network-acl", "acl-", "a network ACL").unwrap(),
            "acl-0f"
        );
        assert!(
            ec2_resource_id("arn:aws:ec2:us-east-1:1:vpc/vpc-zz", "vpc", "vpc-", "a VPC").is_err()
        );
        assert!(ec2_resource_id("subnet-1;x", "subnet", "subnet-", "a subnet").is_err());
        assert!(crate::remediate::account_resource_name(
            "AWS::::Account:123456789012",
            "123456789012"
        )
        .is_ok());
        assert!(crate::remediate::account_resource_name(
            "AWS::::Account:999999999999",
            "123456789012"
        )
        .is_err());
    }
}
