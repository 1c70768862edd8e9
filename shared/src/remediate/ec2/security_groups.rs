//! Security group ingress open to the world (`EC2.13`, `EC2.14`, `EC2.19`, `EC2.53`,
//! `EC2.54`): revoke exactly the world-open entries that reach a forbidden port; every
//! other rule, and every other CIDR of the same rule, stays.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup, Tag, UserIdGroupPair,
};
use serde::{Deserialize, Serialize};

use crate::aws::Clients;
use crate::coalesce::{BatchFuture, Coalescer, Merged};
use crate::error::{service_code, FixError};
use crate::remediate::{Arn, BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation};

/// Remote server administration ports (SSH, RDP).
pub const ADMIN_PORTS: &[u16] = &[22, 3389];

/// The ports Security Hub's `EC2.19` treats as high risk.
pub const HIGH_RISK_PORTS: &[u16] = &[
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
    5601, 8080, 8088, 8888, 9200, 9300,
];

const IPV4_WORLD: &str = "0.0.0.0/0";
const IPV6_WORLD: &str = "::/0";
const GROUP_NOT_FOUND: &[&str] = &["InvalidGroup.NotFound", "InvalidGroupId.NotFound"];
const DUPLICATE: &str = "InvalidPermission.Duplicate";

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
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        security_group_id(resource_id)
    }

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

/// The id of an EC2 resource from its ARN (`arn:…:ec2:…:<arn_kind>/<id>`) or bare id:
/// `prefix` followed by hex digits, at most 40 characters, so hostile ids never reach
/// an API call. `what` names the resource in the error.
pub fn ec2_resource_id(
    resource_id: &str,
    arn_kind: &str,
    prefix: &str,
    what: &str,
) -> Result<String, FixError> {
    let id = match Arn::parse(resource_id) {
        Some(arn) if arn.service == "ec2" => arn
            .resource
            .strip_prefix(arn_kind)
            .and_then(|r| r.strip_prefix('/')),
        Some(_) => None,
        None => Some(resource_id),
    };
    match id {
        Some(id)
            if id.len() > prefix.len()
                && id.len() <= 40
                && id.starts_with(prefix)
                && id[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(id.to_owned())
        }
        _ => Err(FixError::Target(format!(
            "`{resource_id}` is not {what} hubfix can act on"
        ))),
    }
}

/// The group id of an `AwsEc2SecurityGroup` resource id.
pub fn security_group_id(resource_id: &str) -> Result<String, FixError> {
    ec2_resource_id(resource_id, "security-group", "sg-", "a security group")
}

/// EC2 tags as key/value pairs.
pub(crate) fn ec2_tags(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
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

/// Security groups per `DescribeSecurityGroups` call of [`security_group_reader`]
/// (values of its `group-id` filter).
pub const GROUPS_PER_READ: usize = 100;

/// `DescribeSecurityGroups` calls of [`security_group_reader`] in flight at once. One
/// makes the fewest calls; with a 20 ms round trip it made a 100-finding event wait
/// longest (BENCHMARKS.md: 1 in flight, 1.60 calls a finding, 1.71 s; 2: 1.83, 1.44 s;
/// 4: 2.32, 1.29 s; 8: 2.36, 1.18 s). Two keep most of the merging, which spares the
/// account's EC2 `Describe*` request rate that other tools share.
pub const GROUP_READS_IN_FLIGHT: usize = 2;

/// The reader of [`Clients::security_groups`](crate::aws::Clients): concurrent reads of
/// security groups by id, merged into `DescribeSecurityGroups` calls filtered on
/// `group-id` (a filter, not `GroupIds`, so that a deleted group is missing from the
/// answer instead of failing the call for every group in it).
pub fn security_group_reader(ec2: aws_sdk_ec2::Client) -> Coalescer<SecurityGroup> {
    Coalescer::new(
        GROUPS_PER_READ,
        GROUP_READS_IN_FLIGHT,
        move |ids: Vec<String>| {
            let ec2 = ec2.clone();
            Box::pin(async move {
                let pages = ec2
                    .describe_security_groups()
                    .filters(
                        Filter::builder()
                            .name("group-id")
                            .set_values(Some(ids))
                            .build(),
                    )
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await
                    .map_err(|e| {
                        aws_smithy_types::error::display::DisplayErrorContext(e).to_string()
                    })?;
                Ok(pages
                    .into_iter()
                    .filter_map(|g| Some((g.group_id()?.to_owned(), g)))
                    .collect())
            }) as BatchFuture<SecurityGroup>
        },
    )
}

/// Reads one security group, in a call shared with concurrent reads of other groups
/// ([`security_group_reader`]); alone when that call failed, for this group's own error.
pub(crate) async fn describe_group(
    clients: &Clients,
    group_id: &str,
) -> Result<SecurityGroup, FixError> {
    match clients.security_groups.read(group_id).await {
        Merged::Found(group) => return Ok(group),
        Merged::Missing => {
            return Err(FixError::NotFound {
                resource: format!("security group {group_id}"),
                code: "InvalidGroup.NotFound".into(),
            })
        }
        Merged::Failed => {}
    }
    let out = clients
        .ec2
        .describe_security_groups()
        .group_ids(group_id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:DescribeSecurityGroups",
                &format!("security group {group_id}"),
                GROUP_NOT_FOUND,
                e,
            )
        })?;
    out.security_groups()
        .iter()
        .find(|g| g.group_id() == Some(group_id))
        .cloned()
        .ok_or_else(|| FixError::NotFound {
            resource: format!("security group {group_id}"),
            code: "InvalidGroup.NotFound".into(),
        })
}

/// `EC2.2`: a VPC's default security group has no rules (resources that need traffic
/// get groups of their own). Approval-only: members of the default group lose traffic.
#[derive(Debug)]
pub struct RestrictDefaultGroup;

/// Inbound or outbound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Ingress rules.
    Inbound,
    /// Egress rules.
    Outbound,
}

/// A rule of the default group, as kept in the before-state.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleSummary {
    /// Inbound or outbound.
    pub direction: Direction,
    /// The protocol.
    pub protocol: String,
    /// First port.
    pub from_port: Option<i32>,
    /// Last port.
    pub to_port: Option<i32>,
    /// CIDRs, prefix lists (`pl-…`) and groups (`sg-…`, or `<account>/sg-…` for a
    /// group of another account) the rule names, sorted.
    pub peers: Vec<String>,
    /// The peers' descriptions, by peer (only those that have one).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub descriptions: BTreeMap<String, String>,
}

/// The before-state of `EC2.2`: every rule the default group had, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultGroupBefore {
    /// The rules.
    pub rules: Vec<RuleSummary>,
}

/// A security group rule's peer as the before-state names it, with its description.
fn peers_of(p: &IpPermission, account: &str) -> Vec<(String, Option<String>)> {
    let v4 = p
        .ip_ranges()
        .iter()
        .filter_map(|r| Some((r.cidr_ip()?.to_owned(), r.description())));
    let v6 = p
        .ipv6_ranges()
        .iter()
        .filter_map(|r| Some((r.cidr_ipv6()?.to_owned(), r.description())));
    let lists = p
        .prefix_list_ids()
        .iter()
        .filter_map(|r| Some((r.prefix_list_id()?.to_owned(), r.description())));
    let groups = p.user_id_group_pairs().iter().filter_map(|r| {
        let id = r.group_id()?;
        let name = match r.user_id() {
            Some(user) if user != account => format!("{user}/{id}"),
            _ => id.to_owned(),
        };
        Some((name, r.description()))
    });
    v4.chain(v6)
        .chain(lists)
        .chain(groups)
        .map(|(peer, d)| (peer, d.map(str::to_owned)))
        .collect()
}

fn summarise(direction: Direction, p: &IpPermission, account: &str) -> RuleSummary {
    let mut peers = Vec::new();
    let mut descriptions = BTreeMap::new();
    for (peer, description) in peers_of(p, account) {
        if let Some(d) = description {
            descriptions.insert(peer.clone(), d);
        }
        peers.push(peer);
    }
    peers.sort();
    RuleSummary {
        direction,
        protocol: p.ip_protocol().unwrap_or("-1").to_owned(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        peers,
        descriptions,
    }
}

/// The SDK permission of a recorded rule, to authorize it again.
pub fn rule_permission(rule: &RuleSummary) -> IpPermission {
    let mut p = IpPermission::builder().ip_protocol(&rule.protocol);
    if rule.protocol != "-1" {
        p = p.set_from_port(rule.from_port).set_to_port(rule.to_port);
    }
    for peer in &rule.peers {
        let description = rule.descriptions.get(peer).cloned();
        p = if peer.starts_with("pl-") {
            p.prefix_list_ids(
                PrefixListId::builder()
                    .prefix_list_id(peer)
                    .set_description(description)
                    .build(),
            )
        } else if let Some((user, group)) = peer.split_once("/sg-") {
            p.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .user_id(user)
                    .group_id(format!("sg-{group}"))
                    .set_description(description)
                    .build(),
            )
        } else if peer.starts_with("sg-") {
            p.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(peer)
                    .set_description(description)
                    .build(),
            )
        } else if peer.contains(':') {
            p.ipv6_ranges(
                Ipv6Range::builder()
                    .cidr_ipv6(peer)
                    .set_description(description)
                    .build(),
            )
        } else {
            p.ip_ranges(
                IpRange::builder()
                    .cidr_ip(peer)
                    .set_description(description)
                    .build(),
            )
        };
    }
    p.build()
}

/// Authorizes one inbound or outbound permission; one that exists already is left.
async fn authorize(
    ec2: &aws_sdk_ec2::Client,
    group_id: &str,
    direction: Direction,
    permission: IpPermission,
) -> Result<(), FixError> {
    let resource = format!("security group {group_id}");
    match direction {
        Direction::Inbound => match ec2
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if service_code(&e) == Some(DUPLICATE) => Ok(()),
            Err(e) => Err(FixError::from_sdk(
                "ec2:AuthorizeSecurityGroupIngress",
                &resource,
                GROUP_NOT_FOUND,
                e,
            )),
        },
        Direction::Outbound => match ec2
            .authorize_security_group_egress()
            .group_id(group_id)
            .ip_permissions(permission)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if service_code(&e) == Some(DUPLICATE) => Ok(()),
            Err(e) => Err(FixError::from_sdk(
                "ec2:AuthorizeSecurityGroupEgress",
                &resource,
                GROUP_NOT_FOUND,
                e,
            )),
        },
    }
}

impl Remediation for RestrictDefaultGroup {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        security_group_id(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let group = describe_group(fix.clients, &fix.target.name).await?;
            if group.group_name() != Some("default") {
                return Err(FixError::Target(format!(
                    "security group {} is `{}`, not a VPC's default group",
                    fix.target.name,
                    group.group_name().unwrap_or_default()
                )));
            }
            let account = &fix.target.account;
            let mut rules: Vec<RuleSummary> = group
                .ip_permissions()
                .iter()
                .map(|p| summarise(Direction::Inbound, p, account))
                .chain(
                    group
                        .ip_permissions_egress()
                        .iter()
                        .map(|p| summarise(Direction::Outbound, p, account)),
                )
                .collect();
            rules.sort();
            let changes = [Direction::Inbound, Direction::Outbound]
                .into_iter()
                .filter_map(|d| {
                    let n = rules.iter().filter(|r| r.direction == d).count();
                    let word = if d == Direction::Inbound {
                        "inbound"
                    } else {
                        "outbound"
                    };
                    (n > 0).then(|| Change::new(format!("revoked all {n} {word} rule(s)"), &d))
                })
                .collect();
            Ok(Inspection {
                tags: Some(ec2_tags(group.tags())),
                plan: Plan {
                    before: BeforeState::new(
                        format!("security group {}", fix.target.name),
                        &DefaultGroupBefore { rules },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let ec2 = &fix.clients.ec2;
            let group_id = &fix.target.name;
            let group = describe_group(fix.clients, group_id).await?;
            let resource = format!("security group {group_id}");
            match change.detail::<Direction>()? {
                Direction::Inbound if !group.ip_permissions().is_empty() => ec2
                    .revoke_security_group_ingress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(group.ip_permissions().to_vec()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        FixError::from_sdk(
                            "ec2:RevokeSecurityGroupIngress",
                            &resource,
                            GROUP_NOT_FOUND,
                            e,
                        )
                    }),
                Direction::Outbound if !group.ip_permissions_egress().is_empty() => ec2
                    .revoke_security_group_egress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(group.ip_permissions_egress().to_vec()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        FixError::from_sdk(
                            "ec2:RevokeSecurityGroupEgress",
                            &resource,
                            GROUP_NOT_FOUND,
                            e,
                        )
                    }),
                _ => Ok(()),
            }
        })
    }

    /// Authorizes every recorded rule again, inbound and outbound, with its peers'
    /// descriptions; a rule that is already back is left as it is.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let DefaultGroupBefore { rules } = before.recorded()?;
            let group_id = &fix.target.name;
            let mut steps = Vec::new();
            for change in changes {
                let direction: Direction = change.detail()?;
                let revoked: Vec<&RuleSummary> =
                    rules.iter().filter(|r| r.direction == direction).collect();
                for rule in &revoked {
                    authorize(&fix.clients.ec2, group_id, direction, rule_permission(rule)).await?;
                }
                let word = match direction {
                    Direction::Inbound => "inbound",
                    Direction::Outbound => "outbound",
                };
                steps.push(format!(
                    "authorized the {} {word} rule(s) of default security group {group_id} again",
                    revoked.len()
                ));
            }
            Ok(steps)
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, from: i32, to: i32, v4: &[&str], v6: &[&str]) -> IngressRule {
        IngressRule {
            protocol: protocol.into(),
            from_port: Some(from),
            to_port: Some(to),
            ipv4: v4.iter().map(|c| (c.to_string(), None)).collect(),
            ipv6: v6.iter().map(|c| (c.to_string(), None)).collect(),
        }
    }

    const SSH_BOTH: IngressScope = IngressScope {
        ports: Ports::Only(&[22]),
        ipv4: true,
        ipv6: true,
    };

    #[test]
    fn revokes_only_world_cidrs_on_forbidden_ports() {
        let rules = vec![
            rule("tcp", 22, 22, &["0.0.0.0/0", "10.0.0.0/8"], &["::/0"]),
            rule("tcp", 443, 443, &["0.0.0.0/0"], &[]),
            rule("tcp", 22, 22, &["192.168.0.0/16"], &[]),
        ];
        let open = offending(SSH_BOTH, &[], &rules);
        let described: Vec<_> = open.iter().map(OpenIngress::describe).collect();
        assert_eq!(described, ["tcp 22 from 0.0.0.0/0", "tcp 22 from ::/0"]);
    }

    #[test]
    fn ranges_and_all_traffic_reach_the_port() {
        let rules = vec![
            rule("tcp", 0, 65535, &["0.0.0.0/0"], &[]),
            rule("-1", -1, -1, &["0.0.0.0/0"], &[]),
            rule("udp", 20, 25, &["0.0.0.0/0"], &[]),
            rule("icmp", -1, -1, &["0.0.0.0/0"], &[]),
            rule("tcp", 23, 3388, &["0.0.0.0/0"], &[]),
        ];
        let open = offending(SSH_BOTH, &[], &rules);
        let described: Vec<_> = open.iter().map(OpenIngress::describe).collect();
        assert_eq!(
            described,
            [
                "tcp 0-65535 from 0.0.0.0/0",
                "all traffic from 0.0.0.0/0",
                "udp 20-25 from 0.0.0.0/0"
            ]
        );
    }

    #[test]
    fn address_family_follows_the_control() {
        let rules = vec![rule("tcp", 3389, 3389, &["0.0.0.0/0"], &["::/0"])];
        let v4_only = IngressScope {
            ports: Ports::Only(ADMIN_PORTS),
            ipv4: true,
            ipv6: false,
        };
        let v6_only = IngressScope {
            ports: Ports::Only(ADMIN_PORTS),
            ipv4: false,
            ipv6: true,
        };
        assert_eq!(offending(v4_only, &[], &rules)[0].cidr, "0.0.0.0/0");
        assert_eq!(offending(v4_only, &[], &rules).len(), 1);
        assert_eq!(offending(v6_only, &[], &rules)[0].cidr, "::/0");
        assert_eq!(offending(v6_only, &[], &rules).len(), 1);
    }

    #[test]
    fn high_risk_ports_cover_databases() {
        let rules = vec![rule("tcp", 5432, 5432, &["0.0.0.0/0"], &[])];
        let scope = IngressScope {
            ports: Ports::Only(HIGH_RISK_PORTS),
            ipv4: true,
            ipv6: true,
        };
        assert_eq!(offending(scope, &[], &rules).len(), 1);
        assert!(offending(SSH_BOTH, &[], &rules).is_empty());
    }

    #[test]
    fn all_but_public_ports_keeps_only_the_configured_ones_open() {
        let rules = vec![
            rule("tcp", 443, 443, &["0.0.0.0/0"], &[]),
            rule("tcp", 80, 80, &["::/0"], &[]),
            rule("tcp", 8080, 8080, &["0.0.0.0/0"], &[]),
            rule("tcp", 80, 443, &["0.0.0.0/0"], &[]),
            rule("udp", 53, 53, &["10.0.0.0/8"], &[]),
        ];
        let scope = IngressScope {
            ports: Ports::AllButPublic,
            ipv4: true,
            ipv6: true,
        };
        let described: Vec<_> = offending(scope, &[80, 443], &rules)
            .iter()
            .map(OpenIngress::describe)
            .collect();
        assert_eq!(
            described,
            ["tcp 8080 from 0.0.0.0/0", "tcp 80-443 from 0.0.0.0/0"]
        );
    }

    #[test]
    fn security_group_ids_from_arns() {
        assert_eq!(
            security_group_id("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc123")
                .unwrap(),
            "sg-0abc123"
        );
        assert_eq!(security_group_id("sg-0abc123").unwrap(), "sg-0abc123");
        for bad in [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
            "sg-",
            "sg-xyz",
            "arn:aws:s3:::sg-0abc",
            "sg-0abc; DROP TABLE",
        ] {
            assert!(security_group_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recorded_default_group_rules_become_permissions_again() {
        let rule = RuleSummary {
            direction: Direction::Inbound,
            protocol: "tcp".into(),
            from_port: Some(443),
            to_port: Some(443),
            peers: vec![
                "10.0.0.0/8".into(),
                "2001:db8::/32".into(),
                "999999999999/sg-0abc".into(),
                "pl-12ab".into(),
                "sg-0def".into(),
            ],
            descriptions: [("10.0.0.0/8".to_owned(), "office".to_owned())].into(),
        };
        let p = rule_permission(&rule);
        assert_eq!(p.ip_ranges()[0].cidr_ip(), Some("10.0.0.0/8"));
        assert_eq!(p.ip_ranges()[0].description(), Some("office"));
        assert_eq!(p.ipv6_ranges()[0].cidr_ipv6(), Some("2001:db8::/32"));
        assert_eq!(p.prefix_list_ids()[0].prefix_list_id(), Some("pl-12ab"));
        let pairs: Vec<_> = p
            .user_id_group_pairs()
            .iter()
            .map(|g| (g.user_id(), g.group_id()))
            .collect();
        assert_eq!(
            pairs,
            [
                (Some("999999999999"), Some("sg-0abc")),
                (None, Some("sg-0def"))
            ]
        );
        assert_eq!(p.from_port(), Some(443));
        let all = RuleSummary {
            protocol: "-1".into(),
            from_port: Some(-1),
            ..rule
        };
        assert_eq!(rule_permission(&all).from_port(), None);
    }

    #[test]
    fn summaries_name_other_accounts_groups_and_keep_descriptions() {
        let p = IpPermission::builder()
            .ip_protocol("-1")
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .user_id("123456789012")
                    .group_id("sg-self")
                    .description("members")
                    .build(),
            )
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .user_id("999999999999")
                    .group_id("sg-peer")
                    .build(),
            )
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build();
        let s = summarise(Direction::Outbound, &p, "123456789012");
        assert_eq!(s.peers, ["0.0.0.0/0", "999999999999/sg-peer", "sg-self"]);
        assert_eq!(s.descriptions["sg-self"], "members");
        assert_eq!(s.descriptions.len(), 1);
    }

    #[test]
    fn permission_for_one_entry() {
        let entry = OpenIngress {
            protocol: "tcp".into(),
            from_port: Some(22),
            to_port: Some(22),
            cidr: "::/0".into(),
            description: Some("ssh".into()),
        };
        let p = to_permission(&entry);
        assert_eq!(p.ipv6_ranges()[0].cidr_ipv6(), Some("::/0"));
        assert!(p.ip_ranges().is_empty());
        assert_eq!(p.from_port(), Some(22));
    }
}
