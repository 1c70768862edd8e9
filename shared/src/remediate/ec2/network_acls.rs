//! EC2.21.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "EC2.21",
        title: "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
        resource_type: "AwsEc2NetworkAcl",
        fix: "Deletes the inbound allow entries that open port 22 or 3389 to 0.0.0.0/0 or ::/0; other entries stay.",
        iam_actions: &[
            "ec2:DescribeNetworkAcls",
            "ec2:DeleteNetworkAclEntry",
            "ec2:CreateNetworkAclEntry",
        ],
        impact: Impact::Safe,
        remediation: &NaclAdminPorts,
    },
];

/// `EC2.21`: network ACLs do not allow ingress from the world to SSH or RDP.
#[derive(Debug)]
pub struct NaclAdminPorts;

/// A network ACL entry hubfix removes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NaclEntry {
    /// The rule number.
    pub rule_number: i32,
    /// Protocol number (`6` TCP, `17` UDP, `-1` all).
    pub protocol: String,
    /// `0.0.0.0/0` or `::/0`.
    pub cidr: String,
    /// First port.
    pub from_port: Option<i32>,
    /// Last port.
    pub to_port: Option<i32>,
}

/// The before-state: the entries removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NaclBefore {
    /// The world-open allow entries on admin ports, by rule number.
    pub entries: Vec<NaclEntry>,
}

/// Whether an inbound allow entry opens SSH or RDP to the world.
pub fn nacl_entry_open_to_admin(entry: &NaclEntry) -> bool {
    if entry.cidr != "0.0.0.0/0" && entry.cidr != "::/0" {
        return false;
    }
    match entry.protocol.as_str() {
        "-1" => true,
        "6" | "17" => match (entry.from_port, entry.to_port) {
            (Some(from), Some(to)) => ADMIN_PORTS
                .iter()
                .any(|&p| (from..=to).contains(&i32::from(p))),
            _ => true,
        },
        _ => false,
    }
}

impl Remediation for NaclAdminPorts {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let resource = format!("network ACL {}", fix.target.name);
            let out = fix
                .clients
                .ec2
                .describe_network_acls()
                .network_acl_ids(&fix.target.name)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "ec2:DescribeNetworkAcls",
                        &resource,
                        &["InvalidNetworkAclID.NotFound"],
                        e,
                    )
                })?;
            let acl = out
                .network_acls()
                .first()
                .ok_or_else(|| FixError::NotFound {
                    resource: resource.clone(),
                    code: "InvalidNetworkAclID.NotFound".into(),
                })?;
            let mut entries: Vec<NaclEntry> = acl
                .entries()
                .iter()
                .filter(|e| {
                    e.egress() == Some(false)
                        && e.rule_action().map(|a| a.as_str()) == Some("allow")
                })
                .filter(|e| e.rule_number() != Some(32767))
                .map(|e| NaclEntry {
                    rule_number: e.rule_number().unwrap_or_default(),
                    protocol: e.protocol().unwrap_or("-1").to_owned(),
                    cidr: e
                        .cidr_block()
                        .or(e.ipv6_cidr_block())
                        .unwrap_or_default()
                        .to_owned(),
                    from_port: e.port_range().and_then(|r| r.from()),
                    to_port: e.port_range().and_then(|r| r.to()),
                })
                .filter(nacl_entry_open_to_admin)
                .collect();
            entries.sort();
            let changes = entries
                .iter()
                .map(|e| {
                    Change::new(
                        format!(
                            "removed inbound rule {} allowing {} from {}",
                            e.rule_number,
                            protocol_name(&e.protocol),
                            e.cidr
                        ),
                        e,
                    )
                })
                .collect();
            Ok(Inspection {
                tags: Some(ec2_tags(acl.tags())),
                plan: plan(resource, &NaclBefore { entries }, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let entry: NaclEntry = change.detail()?;
            let result = fix
                .clients
                .ec2
                .delete_network_acl_entry()
                .network_acl_id(&fix.target.name)
                .rule_number(entry.rule_number)
                .egress(false)
                .send()
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(e) if service_code(&e) == Some("InvalidNetworkAclEntry.NotFound") => Ok(()),
                Err(e) => Err(FixError::from_sdk(
                    "ec2:DeleteNetworkAclEntry",
                    &format!("network ACL {}", fix.target.name),
                    &["InvalidNetworkAclID.NotFound"],
                    e,
                )),
            }
        })
    }

    /// Creates the deleted entries again, with their rule numbers; an entry that is
    /// already back is left as it is.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut steps = Vec::new();
            for change in changes {
                let entry: NaclEntry = change.detail()?;
                create_nacl_entry(&fix, &entry).await?;
                steps.push(format!(
                    "put back inbound rule {} of network ACL {} allowing {} from {}",
                    entry.rule_number,
                    fix.target.name,
                    protocol_name(&entry.protocol),
                    entry.cidr
                ));
            }
            Ok(steps)
        })
    }
}

async fn create_nacl_entry(fix: &Fix<'_>, entry: &NaclEntry) -> Result<(), FixError> {
    let (v4, v6) = if entry.cidr.contains(':') {
        (None, Some(entry.cidr.clone()))
    } else {
        (Some(entry.cidr.clone()), None)
    };
    let ports = match (entry.from_port, entry.to_port) {
        (Some(from), Some(to)) => Some(PortRange::builder().from(from).to(to).build()),
        _ => None,
    };
    let result = fix
        .clients
        .ec2
        .create_network_acl_entry()
        .network_acl_id(&fix.target.name)
        .rule_number(entry.rule_number)
        .protocol(&entry.protocol)
        .rule_action(RuleAction::Allow)
        .egress(false)
        .set_cidr_block(v4)
        .set_ipv6_cidr_block(v6)
        .set_port_range(ports)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if service_code(&e) == Some("NetworkAclEntryAlreadyExists") => Ok(()),
        Err(e) => Err(FixError::from_sdk(
            "ec2:CreateNetworkAclEntry",
            &format!("network ACL {}", fix.target.name),
            &["InvalidNetworkAclID.NotFound"],
            e,
        )),
    }
}

fn protocol_name(protocol: &str) -> &str {
    match protocol {
        "-1" => "all traffic",
        "6" => "TCP",
        "17" => "UDP",
        other => other,
    }
}
