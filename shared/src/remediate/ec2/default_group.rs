//! The VPC default security group without rules (`EC2.2`).

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use serde::{Deserialize, Serialize};

use super::security_groups::*;
use crate::error::{service_code, FixError};
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "EC2.2",
    title: "VPC default security groups should not allow inbound or outbound traffic",
    resource_type: "AwsEc2SecurityGroup",
    fix: "Revokes every inbound and outbound rule of the VPC's default security group.",
    iam_actions: &[
        "ec2:DescribeSecurityGroups",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
    ],
    impact: Impact::Disruptive,
    remediation: &RestrictDefaultGroup,
}];

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

pub(super) fn summarise(direction: Direction, p: &IpPermission, account: &str) -> RuleSummary {
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
pub(crate) async fn authorize(
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
