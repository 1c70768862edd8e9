//! Security group ingress open to the world (`EC2.13`, `EC2.14`, `EC2.19`, `EC2.53`,
//! `EC2.54`): revoke exactly the world-open entries that reach a forbidden port; every
//! other rule, and every other CIDR of the same rule, stays.

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range};
use serde::{Deserialize, Serialize};

use super::default_group::{authorize, Direction};
use super::security_groups::*;
use crate::aws::Clients;
use crate::error::{service_code, FixError};
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

const INGRESS_ACTIONS: &[&str] = &[
    "ec2:DescribeSecurityGroups",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupIngress",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "EC2.13",
        title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        impact: Impact::Safe,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(&[22]),
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.14",
        title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 3389 to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        impact: Impact::Safe,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(&[3389]),
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.18",
        title: "Security groups should only allow unrestricted incoming traffic for authorized ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open ports other than the configured public ones (HUBFIX_EC2_PUBLIC_PORTS, default 80,443) to 0.0.0.0/0 or ::/0.",
        iam_actions: INGRESS_ACTIONS,
        impact: Impact::Safe,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::AllButPublic,
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.19",
        title: "Security groups should not allow unrestricted access to ports with high risk",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open a high-risk port to 0.0.0.0/0 or ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        impact: Impact::Safe,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(HIGH_RISK_PORTS),
            ipv4: true,
            ipv6: true,
        }),
    },
    Rule {
        control_id: "EC2.53",
        title: "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 or 3389 to 0.0.0.0/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        impact: Impact::Safe,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(ADMIN_PORTS),
            ipv4: true,
            ipv6: false,
        }),
    },
    Rule {
        control_id: "EC2.54",
        title: "EC2 security groups should not allow ingress from ::/0 to remote server administration ports",
        resource_type: "AwsEc2SecurityGroup",
        fix: "Revokes the ingress rules that open port 22 or 3389 to ::/0; other rules stay.",
        iam_actions: INGRESS_ACTIONS,
        impact: Impact::Safe,
        remediation: &RevokeOpenIngress(IngressScope {
            ports: Ports::Only(ADMIN_PORTS),
            ipv4: false,
            ipv6: true,
        }),
    },
];

/// Remote server administration ports (SSH, RDP).
pub const ADMIN_PORTS: &[u16] = &[22, 3389];

/// The ports Security Hub's `EC2.19` treats as high risk.
pub const HIGH_RISK_PORTS: &[u16] = &[
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
    5601, 8080, 8088, 8888, 9200, 9300,
];

const IPV4_WORLD: &str = "0.0.0.0/0";
const IPV6_WORLD: &str = "::/0";

/// The ports a control forbids opening to the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// These ports.
    Only(&'static [u16]),
    /// Every port but the configured public ones (`EC2.18`, `HUBFIX_EC2_PUBLIC_PORTS`).
    AllButPublic,
}

/// Which world-open ingress a control forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngressScope {
    /// The forbidden ports.
    pub ports: Ports,
    /// Whether `0.0.0.0/0` is forbidden.
    pub ipv4: bool,
    /// Whether `::/0` is forbidden.
    pub ipv6: bool,
}

/// Revoke the world-open ingress a control forbids (`EC2.13`, `EC2.14`, `EC2.19`,
/// `EC2.53`, `EC2.54`, each with its scope).
#[derive(Debug)]
pub struct RevokeOpenIngress(pub IngressScope);

/// The before-state: the world-open entries the group had that the control forbids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngressBefore {
    /// The entries (revoked by the fix, authorized again by an undo), sorted, so that
    /// the order EC2 lists rules in does not matter.
    pub open: Vec<OpenIngress>,
}

impl Remediation for RevokeOpenIngress {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(inspect_group(
            fix.clients,
            &fix.target.name,
            self.0,
            &fix.settings.public_ports,
        ))
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { revoke(&fix.clients.ec2, &fix.target.name, &change.detail()?).await })
    }

    /// Authorizes exactly the revoked entries again (with their descriptions); an entry
    /// that is already back is left as it is.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let group_id = &fix.target.name;
            let mut steps = Vec::new();
            for change in changes {
                let entry: OpenIngress = change.detail()?;
                authorize(
                    &fix.clients.ec2,
                    group_id,
                    Direction::Inbound,
                    to_permission(&entry),
                )
                .await?;
                steps.push(format!(
                    "authorized {} on security group {group_id} again",
                    entry.describe()
                ));
            }
            Ok(steps)
        })
    }
}

/// One ingress rule of a security group, as the decision logic sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp`, `-1` (all) or a protocol number.
    pub protocol: String,
    /// First port (`None` or -1: all).
    pub from_port: Option<i32>,
    /// Last port.
    pub to_port: Option<i32>,
    /// IPv4 CIDRs with their descriptions.
    pub ipv4: Vec<(String, Option<String>)>,
    /// IPv6 CIDRs with their descriptions.
    pub ipv6: Vec<(String, Option<String>)>,
}

/// A world-open entry to revoke (and, on undo, to authorize again).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpenIngress {
    /// The rule's protocol.
    pub protocol: String,
    /// The rule's first port.
    pub from_port: Option<i32>,
    /// The rule's last port.
    pub to_port: Option<i32>,
    /// `0.0.0.0/0` or `::/0`.
    pub cidr: String,
    /// The entry's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl OpenIngress {
    /// e.g. `tcp 22 from 0.0.0.0/0`.
    pub fn describe(&self) -> String {
        let ports = match (self.protocol.as_str(), self.from_port, self.to_port) {
            ("-1", _, _) => "all traffic".to_owned(),
            (p, Some(f), Some(t)) if f == t => format!("{p} {f}"),
            (p, Some(f), Some(t)) if f >= 0 => format!("{p} {f}-{t}"),
            (p, _, _) => format!("{p} all ports"),
        };
        format!("{ports} from {}", self.cidr)
    }
}

impl IngressRule {
    /// Whether the rule opens a port the scope forbids (TCP, UDP or all protocols).
    fn reaches_forbidden(&self, ports: Ports, public: &[u16]) -> bool {
        let (from, to) = match self.protocol.as_str() {
            "-1" | "all" => return true,
            "tcp" | "6" | "udp" | "17" => {
                (self.from_port.unwrap_or(-1), self.to_port.unwrap_or(-1))
            }
            _ => return false,
        };
        if from < 0 || to < 0 {
            return true;
        }
        match ports {
            Ports::Only(list) => list.iter().any(|&p| (from..=to).contains(&i32::from(p))),
            Ports::AllButPublic => (from..=to).any(|p| !public.iter().any(|&o| i32::from(o) == p)),
        }
    }
}

/// The world-open entries of `rules` that `scope` forbids; `public` lists the ports
/// that may stay open (used by [`Ports::AllButPublic`]).
pub fn offending(scope: IngressScope, public: &[u16], rules: &[IngressRule]) -> Vec<OpenIngress> {
    let mut out = Vec::new();
    for rule in rules
        .iter()
        .filter(|r| r.reaches_forbidden(scope.ports, public))
    {
        let v4 = rule.ipv4.iter().filter(|_| scope.ipv4);
        let v6 = rule.ipv6.iter().filter(|_| scope.ipv6);
        for (cidr, description) in v4.chain(v6) {
            if cidr == IPV4_WORLD || cidr == IPV6_WORLD {
                out.push(OpenIngress {
                    protocol: rule.protocol.clone(),
                    from_port: rule.from_port,
                    to_port: rule.to_port,
                    cidr: cidr.clone(),
                    description: description.clone(),
                });
            }
        }
    }
    out
}

/// Reads a security group (its tags and ingress) and plans the revocations.
async fn inspect_group(
    clients: &Clients,
    group_id: &str,
    scope: IngressScope,
    public: &[u16],
) -> Result<Inspection, FixError> {
    let group = describe_group(clients, group_id).await?;
    let tags = ec2_tags(group.tags());
    let rules: Vec<IngressRule> = group.ip_permissions().iter().map(to_rule).collect();
    let mut open = offending(scope, public, &rules);
    let changes = open
        .iter()
        .map(|entry| Change::new(format!("revoked {}", entry.describe()), entry))
        .collect();
    open.sort();
    Ok(Inspection {
        tags: Some(tags),
        plan: Plan {
            before: BeforeState::new(
                format!("security group {group_id}"),
                &IngressBefore { open },
            ),
            changes,
        },
    })
}

/// Revokes one world-open entry. An entry already gone is not an error: at-least-once
/// delivery may run the same fix twice, and the verify step reads the result back.
async fn revoke(
    ec2: &aws_sdk_ec2::Client,
    group_id: &str,
    entry: &OpenIngress,
) -> Result<(), FixError> {
    let result = ec2
        .revoke_security_group_ingress()
        .group_id(group_id)
        .ip_permissions(to_permission(entry))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if service_code(&e) == Some("InvalidPermission.NotFound") => Ok(()),
        Err(e) => Err(FixError::from_sdk(
            "ec2:RevokeSecurityGroupIngress",
            &format!("security group {group_id}"),
            GROUP_NOT_FOUND,
            e,
        )),
    }
}

fn to_rule(p: &IpPermission) -> IngressRule {
    IngressRule {
        protocol: p.ip_protocol().unwrap_or("-1").to_owned(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4: p
            .ip_ranges()
            .iter()
            .filter_map(|r| Some((r.cidr_ip()?.to_owned(), r.description().map(str::to_owned))))
            .collect(),
        ipv6: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| {
                Some((
                    r.cidr_ipv6()?.to_owned(),
                    r.description().map(str::to_owned),
                ))
            })
            .collect(),
    }
}

/// The SDK permission that names exactly one entry (used to revoke and to restore it).
pub fn to_permission(entry: &OpenIngress) -> IpPermission {
    let mut p = IpPermission::builder().ip_protocol(&entry.protocol);
    if entry.protocol != "-1" {
        p = p.set_from_port(entry.from_port).set_to_port(entry.to_port);
    }
    if entry.cidr.contains(':') {
        p.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(&entry.cidr)
                .set_description(entry.description.clone())
                .build(),
        )
        .build()
    } else {
        p.ip_ranges(
            IpRange::builder()
                .cidr_ip(&entry.cidr)
                .set_description(entry.description.clone())
                .build(),
        )
        .build()
    }
}
