//! EC2.10: the VPC reaches the Amazon EC2 API through an interface VPC endpoint.
//!
//! The fix creates an interface endpoint for `com.amazonaws.<region>.ec2` in one subnet
//! of each Availability Zone the VPC has subnets in, with a security group of its own
//! that admits HTTPS from the VPC's IPv4 ranges. When the VPC resolves private DNS
//! names (DNS support and DNS hostnames both on), the endpoint's private DNS is turned
//! on: from then on the EC2 API's public name resolves to the endpoint inside the VPC,
//! which is why the fix waits for a person's approval (and an interface endpoint is
//! billed by the hour in each zone). Undo deletes the endpoint and its group.

use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, ResourceType, Tag, TagSpecification, VpcAttributeName,
    VpcEndpointType,
};
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::ec2::security_groups::ec2_tags;
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "EC2.10",
    title: "Amazon EC2 should be configured to use VPC endpoints that are created for the Amazon EC2 service",
    resource_type: "AwsEc2Vpc",
    fix: "Creates an interface VPC endpoint for the EC2 API in one subnet of each Availability Zone of the VPC, with a security group `hubfix-ec2-endpoint` admitting HTTPS from the VPC's IPv4 ranges, and private DNS on when the VPC resolves it (the EC2 API's name then resolves inside the VPC). Billed hourly per zone. Undo deletes the endpoint and the group.",
    iam_actions: &[
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcAttribute",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeSecurityGroups",
        "ec2:CreateSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateVpcEndpoint",
        "ec2:CreateTags",
        "ec2:DeleteVpcEndpoints",
        "ec2:DeleteSecurityGroup",
        "route53:AssociateVPCWithHostedZone",
    ],
    impact: Impact::Disruptive,
    remediation: &Ec2ApiEndpoint,
}];

/// `EC2.10`: an interface endpoint for the EC2 API in the VPC.
#[derive(Debug)]
pub struct Ec2ApiEndpoint;

/// Tag on the endpoint and security group hubfix creates, naming the VPC; undo finds
/// them by it.
pub const ENDPOINT_TAG: &str = "hubfix:ec2-endpoint-of";

/// The name of the security group hubfix gives the endpoint (unique within a VPC).
pub const ENDPOINT_GROUP: &str = "hubfix-ec2-endpoint";

const VPC_NOT_FOUND: &[&str] = &["InvalidVpcID.NotFound"];

/// Endpoint states that no longer serve (or never will).
const GONE: &[&str] = &["deleting", "deleted", "failed", "rejected", "expired"];

/// What the VPC is, as the plan needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VpcFacts {
    /// The VPC's associated IPv4 ranges.
    pub cidrs: Vec<String>,
    /// `(Availability Zone, subnet id)` of each of its subnets.
    pub subnets: Vec<(String, String)>,
    /// DNS support and DNS hostnames are both on.
    pub resolves_private_dns: bool,
    /// Its endpoints for the EC2 API that serve, by id.
    pub ec2_endpoints: Vec<String>,
}

/// The endpoint `EC2.10` creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointPlan {
    /// The service name, `com.amazonaws.<region>.ec2`.
    pub service: String,
    /// One subnet per Availability Zone.
    pub subnets: Vec<String>,
    /// Private DNS on.
    pub private_dns: bool,
    /// The IPv4 ranges the security group admits HTTPS from.
    pub cidrs: Vec<String>,
}

/// The before-state: the VPC's endpoints for the EC2 API (none, when fixed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointsBefore {
    /// Endpoint ids, sorted.
    pub endpoint_ids: Vec<String>,
}

/// The EC2 API's endpoint service name in a region of a partition.
pub fn ec2_service_name(partition: &str, region: &str) -> String {
    let prefix = if partition == "aws-cn" { "cn." } else { "" };
    format!("{prefix}com.amazonaws.{region}.ec2")
}

/// The plan for `EC2.10`.
pub fn endpoint_plan(vpc: &str, service: &str, mut facts: VpcFacts) -> Result<Plan, FixError> {
    facts.ec2_endpoints.sort();
    let before = BeforeState::new(
        format!("vpc {vpc}"),
        &EndpointsBefore {
            endpoint_ids: facts.ec2_endpoints.clone(),
        },
    );
    if !facts.ec2_endpoints.is_empty() {
        return Ok(Plan {
            before,
            changes: Vec::new(),
        });
    }
    facts.subnets.sort();
    let mut subnets: Vec<String> = Vec::new();
    let mut zones: Vec<&str> = Vec::new();
    for (zone, subnet) in &facts.subnets {
        if !zones.contains(&zone.as_str()) {
            zones.push(zone);
            subnets.push(subnet.clone());
        }
    }
    if subnets.is_empty() {
        return Err(FixError::Manual(format!(
            "vpc {vpc} has no subnets, so nothing in it could reach an endpoint: once it has, create one (aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id {vpc} --service-name {service} --subnet-ids <one per zone> --private-dns-enabled), or delete the VPC if it is unused"
        )));
    }
    let dns = if facts.resolves_private_dns {
        "private DNS on, so the EC2 API's name resolves to it inside the VPC"
    } else {
        "private DNS off because the VPC has DNS support or DNS hostnames off: clients must use the endpoint's own DNS names"
    };
    let endpoint = EndpointPlan {
        service: service.to_owned(),
        subnets,
        private_dns: facts.resolves_private_dns,
        cidrs: facts.cidrs,
    };
    let change = Change::new(
        format!(
            "created an interface endpoint for {service} in vpc {vpc} (zones {}; {dns}; security group {ENDPOINT_GROUP} admitting HTTPS from {})",
            zones.join(", "),
            endpoint.cidrs.join(", ")
        ),
        &endpoint,
    );
    Ok(Plan {
        before,
        changes: vec![change],
    })
}

fn tagged(resource_type: ResourceType, vpc: &str) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource_type)
        .tags(Tag::builder().key(ENDPOINT_TAG).value(vpc).build())
        .build()
}

fn by_tag(vpc: &str) -> Filter {
    Filter::builder()
        .name(format!("tag:{ENDPOINT_TAG}"))
        .values(vpc)
        .build()
}

fn vpc_filter(vpc: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc).build()
}

/// Endpoints of the VPC that serve, filtered further by `filter`.
async fn serving_endpoints(fix: Fix<'_>, filter: Filter) -> Result<Vec<String>, FixError> {
    let vpc = &fix.target.name;
    let out = fix
        .clients
        .ec2
        .describe_vpc_endpoints()
        .filters(vpc_filter(vpc))
        .filters(filter)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("ec2:DescribeVpcEndpoints", &format!("vpc {vpc}"), &[], e)
        })?;
    Ok(out
        .vpc_endpoints()
        .iter()
        .filter(|e| !e.state().is_some_and(|s| GONE.contains(&s.as_str())))
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_owned))
        .collect())
}

async fn dns_attribute(fix: Fix<'_>, attribute: VpcAttributeName) -> Result<bool, FixError> {
    let vpc = &fix.target.name;
    let out = fix
        .clients
        .ec2
        .describe_vpc_attribute()
        .vpc_id(vpc)
        .attribute(attribute.clone())
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:DescribeVpcAttribute",
                &format!("vpc {vpc}"),
                VPC_NOT_FOUND,
                e,
            )
        })?;
    let value = match attribute {
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        _ => out.enable_dns_support(),
    };
    Ok(value.and_then(|v| v.value()).unwrap_or(false))
}

async fn vpc_facts(fix: Fix<'_>) -> Result<(Vec<(String, String)>, VpcFacts), FixError> {
    let ec2 = &fix.clients.ec2;
    let vpc = &fix.target.name;
    let resource = format!("vpc {vpc}");
    let described = ec2
        .describe_vpcs()
        .vpc_ids(vpc)
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:DescribeVpcs", &resource, VPC_NOT_FOUND, e))?;
    let Some(found) = described.vpcs().first() else {
        return Err(FixError::NotFound {
            resource,
            code: "InvalidVpcID.NotFound".into(),
        });
    };
    let tags = ec2_tags(found.tags());
    let mut cidrs: Vec<String> = found
        .cidr_block_association_set()
        .iter()
        .filter(|a| {
            a.cidr_block_state()
                .and_then(|s| s.state())
                .is_none_or(|s| s.as_str() == "associated")
        })
        .filter_map(|a| a.cidr_block().map(str::to_owned))
        .collect();
    if cidrs.is_empty() {
        cidrs.extend(found.cidr_block().map(str::to_owned));
    }
    let service = ec2_service_name(&fix.target.partition, &fix.target.region);
    let ec2_endpoints = serving_endpoints(
        fix,
        Filter::builder()
            .name("service-name")
            .values(&service)
            .build(),
    )
    .await?;
    let mut subnets = Vec::new();
    let mut pages = ec2
        .describe_subnets()
        .filters(vpc_filter(vpc))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| FixError::from_sdk("ec2:DescribeSubnets", &resource, &[], e))?;
        subnets.extend(
            page.subnets().iter().filter_map(|s| {
                Some((s.availability_zone()?.to_owned(), s.subnet_id()?.to_owned()))
            }),
        );
    }
    let resolves_private_dns = dns_attribute(fix, VpcAttributeName::EnableDnsSupport).await?
        && dns_attribute(fix, VpcAttributeName::EnableDnsHostnames).await?;
    Ok((
        tags,
        VpcFacts {
            cidrs,
            subnets,
            resolves_private_dns,
            ec2_endpoints,
        },
    ))
}

/// The endpoint's security group: hubfix's group in the VPC, created (admitting HTTPS
/// from `cidrs`) when missing.
async fn endpoint_group(fix: Fix<'_>, cidrs: &[String]) -> Result<String, FixError> {
    let ec2 = &fix.clients.ec2;
    let vpc = &fix.target.name;
    let resource = format!("security group {ENDPOINT_GROUP} of vpc {vpc}");
    let existing = ec2
        .describe_security_groups()
        .filters(vpc_filter(vpc))
        .filters(
            Filter::builder()
                .name("group-name")
                .values(ENDPOINT_GROUP)
                .build(),
        )
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:DescribeSecurityGroups", &resource, &[], e))?;
    if let Some(id) = existing
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
    {
        return Ok(id.to_owned());
    }
    let created = ec2
        .create_security_group()
        .group_name(ENDPOINT_GROUP)
        .description("hubfix EC2.10: HTTPS from the VPC to its EC2 API endpoint")
        .vpc_id(vpc)
        .tag_specifications(tagged(ResourceType::SecurityGroup, vpc))
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:CreateSecurityGroup", &resource, VPC_NOT_FOUND, e))?;
    let id = created.group_id().unwrap_or_default().to_owned();
    let mut https = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443);
    for cidr in cidrs {
        https = https.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .description("the VPC, to its EC2 API endpoint")
                .build(),
        );
    }
    ec2.authorize_security_group_ingress()
        .group_id(&id)
        .ip_permissions(https.build())
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:AuthorizeSecurityGroupIngress", &resource, &[], e))?;
    Ok(id)
}

/// Deletes hubfix's security group of the VPC, waiting for the endpoint's network
/// interfaces to go (a group in use cannot be deleted). `Ok(None)`: there was none.
async fn delete_endpoint_group(fix: Fix<'_>) -> Result<Option<String>, FixError> {
    let ec2 = &fix.clients.ec2;
    let vpc = &fix.target.name;
    let resource = format!("security group {ENDPOINT_GROUP} of vpc {vpc}");
    let groups = ec2
        .describe_security_groups()
        .filters(vpc_filter(vpc))
        .filters(by_tag(vpc))
        .send()
        .await
        .map_err(|e| FixError::from_sdk("ec2:DescribeSecurityGroups", &resource, &[], e))?;
    let Some(id) = groups.security_groups().first().and_then(|g| g.group_id()) else {
        return Ok(None);
    };
    let mut attempt = 0;
    loop {
        match ec2.delete_security_group().group_id(id).send().await {
            Ok(_) => return Ok(Some(id.to_owned())),
            Err(e) if service_code(&e) == Some("DependencyViolation") && attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
            Err(e) => {
                return Err(FixError::from_sdk(
                    "ec2:DeleteSecurityGroup",
                    &format!(
                    "security group {id} (the endpoint's network interfaces may still be going)"
                ),
                    &[],
                    e,
                ))
            }
        }
    }
}

impl Remediation for Ec2ApiEndpoint {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (tags, facts) = vpc_facts(fix).await?;
            let service = ec2_service_name(&fix.target.partition, &fix.target.region);
            Ok(Inspection {
                tags: Some(tags),
                plan: endpoint_plan(&fix.target.name, &service, facts)?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let endpoint: EndpointPlan = change.detail()?;
            let vpc = &fix.target.name;
            let group = endpoint_group(fix, &endpoint.cidrs).await?;
            fix.clients
                .ec2
                .create_vpc_endpoint()
                .vpc_endpoint_type(VpcEndpointType::Interface)
                .vpc_id(vpc)
                .service_name(&endpoint.service)
                .set_subnet_ids(Some(endpoint.subnets.clone()))
                .security_group_ids(group)
                .private_dns_enabled(endpoint.private_dns)
                .tag_specifications(tagged(ResourceType::VpcEndpoint, vpc))
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk(
                        "ec2:CreateVpcEndpoint",
                        &format!("vpc {vpc}"),
                        VPC_NOT_FOUND,
                        e,
                    )
                })
        })
    }

    /// Deletes the endpoint hubfix created (found by its tag [`ENDPOINT_TAG`]), then its
    /// security group.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let vpc = &fix.target.name;
            let ours = serving_endpoints(fix, by_tag(vpc)).await?;
            let mut steps = Vec::new();
            if !ours.is_empty() {
                let out = fix
                    .clients
                    .ec2
                    .delete_vpc_endpoints()
                    .set_vpc_endpoint_ids(Some(ours.clone()))
                    .send()
                    .await
                    .map_err(|e| {
                        FixError::from_sdk("ec2:DeleteVpcEndpoints", &before.resource, &[], e)
                    })?;
                if let Some(failed) = out.unsuccessful().first() {
                    return Err(FixError::Api {
                        operation: "ec2:DeleteVpcEndpoints",
                        code: failed
                            .error()
                            .and_then(|e| e.code())
                            .unwrap_or("Unsuccessful")
                            .to_owned(),
                        message: failed
                            .error()
                            .and_then(|e| e.message())
                            .unwrap_or_default()
                            .to_owned(),
                    });
                }
                steps.push(format!(
                    "deleted the EC2 API endpoint {} of {}",
                    ours.join(", "),
                    before.resource
                ));
            }
            if let Some(group) = delete_endpoint_group(fix).await? {
                steps.push(format!("deleted its security group {group}"));
            }
            Ok(steps)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> VpcFacts {
        VpcFacts {
            cidrs: vec!["10.0.0.0/16".into()],
            subnets: vec![
                ("eu-west-1b".into(), "subnet-b2".into()),
                ("eu-west-1a".into(), "subnet-a1".into()),
                ("eu-west-1b".into(), "subnet-b1".into()),
            ],
            resolves_private_dns: true,
            ec2_endpoints: Vec::new(),
        }
    }

    #[test]
    fn one_subnet_per_zone_and_private_dns_when_the_vpc_resolves_it() {
        let plan = endpoint_plan("vpc-1", "com.amazonaws.eu-west-1.ec2", facts()).unwrap();
        let endpoint: EndpointPlan = plan.changes[0].detail().unwrap();
        assert_eq!(endpoint.subnets, ["subnet-a1", "subnet-b1"]);
        assert!(endpoint.private_dns);
        assert!(plan.describe().contains("zones eu-west-1a, eu-west-1b"));
        let no_dns = VpcFacts {
            resolves_private_dns: false,
            ..facts()
        };
        let plan = endpoint_plan("vpc-1", "com.amazonaws.eu-west-1.ec2", no_dns).unwrap();
        assert!(
            !plan.changes[0]
                .detail::<EndpointPlan>()
                .unwrap()
                .private_dns
        );
        assert!(plan.describe().contains("private DNS off"));
    }

    #[test]
    fn an_endpoint_is_compliant_and_a_vpc_without_subnets_is_manual() {
        let served = VpcFacts {
            ec2_endpoints: vec!["vpce-1".into()],
            ..facts()
        };
        assert!(endpoint_plan("vpc-1", "s", served).unwrap().is_compliant());
        let empty = VpcFacts {
            subnets: Vec::new(),
            ..facts()
        };
        assert!(matches!(
            endpoint_plan("vpc-1", "s", empty),
            Err(FixError::Manual(_))
        ));
    }

    #[test]
    fn service_names_follow_the_partition() {
        assert_eq!(
            ec2_service_name("aws", "eu-west-1"),
            "com.amazonaws.eu-west-1.ec2"
        );
        assert_eq!(
            ec2_service_name("aws-cn", "cn-north-1"),
            "cn.com.amazonaws.cn-north-1.ec2"
        );
    }
}
