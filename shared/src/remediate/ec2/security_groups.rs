//! Security groups: the resource kind, its tags, and reads merged across concurrent
//! fixes ([`crate::aws::security_group_reader`]).

use aws_sdk_ec2::types::{SecurityGroup, Tag};

use crate::aws::Clients;
use crate::coalesce::Merged;
use crate::error::FixError;
use crate::ids::Arn;

/// The error codes of a security group that is gone.
pub(crate) const GROUP_NOT_FOUND: &[&str] = &["InvalidGroup.NotFound", "InvalidGroupId.NotFound"];
/// The error code of a rule that exists already.
pub(crate) const DUPLICATE: &str = "InvalidPermission.Duplicate";

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

/// Reads one security group, in a call shared with concurrent reads of other groups
/// ([`security_group_reader`](crate::aws::security_group_reader)); alone when that call failed, for this group's own error.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::ec2::{
        default_group::{summarise, *},
        open_ingress::*,
    };
    use aws_sdk_ec2::types::{IpPermission, IpRange, UserIdGroupPair};

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
