//! EC2.25: launch templates do not give network interfaces public IP addresses.
//!
//! A launch template version cannot be changed. The fix creates a new version from the
//! default one (`SourceVersion`, so that every other launch parameter is inherited) in
//! which no network interface asks for a public IPv4 address, and makes it the default.
//! Instances already running keep their addresses; instances launched from `$Default`
//! from then on (an Auto Scaling group's, say) get none, which is why it waits for a
//! person's approval. Undo makes the former version the default again; the version
//! hubfix made stays, no longer used.

use aws_sdk_ec2::types::{
    ConnectionTrackingSpecificationRequest, EnaSrdSpecificationRequest,
    EnaSrdUdpSpecificationRequest, InstanceIpv6AddressRequest, Ipv4PrefixSpecificationRequest,
    Ipv6PrefixSpecificationRequest, LaunchTemplateInstanceNetworkInterfaceSpecification,
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest, LaunchTemplateVersion,
    RequestLaunchTemplateData,
};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::ec2::security_groups::ec2_tags;
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "EC2.25",
    title: "Amazon EC2 launch templates should not assign public IPs to network interfaces",
    resource_type: "AwsEc2LaunchTemplate",
    fix: "Creates a version of the launch template from its default one in which no network interface asks for a public IPv4 address, and makes it the default: instances launched from it then get none (running ones keep theirs). Undo makes the former version the default again.",
    iam_actions: &[
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:CreateLaunchTemplateVersion",
        "ec2:ModifyLaunchTemplate",
    ],
    impact: Impact::Disruptive,
    remediation: &NoPublicIpTemplate,
}];

/// `EC2.25`: the default version of a launch template asks for no public IP.
#[derive(Debug)]
pub struct NoPublicIpTemplate;

const NOT_FOUND: &[&str] = &[
    "InvalidLaunchTemplateId.NotFound",
    "InvalidLaunchTemplateId.Malformed",
    "InvalidLaunchTemplateName.NotFoundException",
];

/// The before-state: the default version, and which of its interfaces (by device
/// index) asked for a public IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateBefore {
    /// The default version's number.
    pub default_version: i64,
    /// The device indexes of its interfaces with `AssociatePublicIpAddress` true.
    pub public_interfaces: Vec<i32>,
}

/// The plan for `EC2.25`, from the default version's number and its interfaces'
/// `(device index, associates a public IP)`.
pub fn template_plan(template: &str, default_version: i64, interfaces: &[(i32, bool)]) -> Plan {
    let mut public: Vec<i32> = interfaces
        .iter()
        .filter(|(_, public)| *public)
        .map(|(index, _)| *index)
        .collect();
    public.sort_unstable();
    let before = TemplateBefore {
        default_version,
        public_interfaces: public.clone(),
    };
    let changes = if public.is_empty() {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "made a version of launch template {template} from version {default_version} without public IPs (network interfaces {}) and made it the default",
                public
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &default_version,
        )]
    };
    Plan {
        before: BeforeState::new(format!("launch template {template}"), &before),
        changes,
    }
}

/// An interface of a launch template as a request gives it, with no public IP.
pub fn without_public_ip(
    i: &LaunchTemplateInstanceNetworkInterfaceSpecification,
) -> LaunchTemplateInstanceNetworkInterfaceSpecificationRequest {
    let public = i.associate_public_ip_address().map(|_| false);
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
        .set_associate_carrier_ip_address(i.associate_carrier_ip_address())
        .set_associate_public_ip_address(public)
        .set_delete_on_termination(i.delete_on_termination())
        .set_description(i.description().map(str::to_owned))
        .set_device_index(i.device_index())
        .set_groups(Some(i.groups().to_vec()).filter(|g| !g.is_empty()))
        .set_interface_type(i.interface_type().map(str::to_owned))
        .set_ipv6_address_count(i.ipv6_address_count())
        .set_ipv6_addresses(nonempty(i.ipv6_addresses().iter().map(|a| {
            InstanceIpv6AddressRequest::builder()
                .set_ipv6_address(a.ipv6_address().map(str::to_owned))
                .build()
        })))
        .set_network_interface_id(i.network_interface_id().map(str::to_owned))
        .set_private_ip_address(i.private_ip_address().map(str::to_owned))
        .set_private_ip_addresses(Some(i.private_ip_addresses().to_vec()).filter(|p| !p.is_empty()))
        .set_secondary_private_ip_address_count(i.secondary_private_ip_address_count())
        .set_subnet_id(i.subnet_id().map(str::to_owned))
        .set_network_card_index(i.network_card_index())
        .set_ipv4_prefixes(nonempty(i.ipv4_prefixes().iter().map(|p| {
            Ipv4PrefixSpecificationRequest::builder()
                .set_ipv4_prefix(p.ipv4_prefix().map(str::to_owned))
                .build()
        })))
        .set_ipv4_prefix_count(i.ipv4_prefix_count())
        .set_ipv6_prefixes(nonempty(i.ipv6_prefixes().iter().map(|p| {
            Ipv6PrefixSpecificationRequest::builder()
                .set_ipv6_prefix(p.ipv6_prefix().map(str::to_owned))
                .build()
        })))
        .set_ipv6_prefix_count(i.ipv6_prefix_count())
        .set_primary_ipv6(i.primary_ipv6())
        .set_ena_srd_specification(i.ena_srd_specification().map(|s| {
            EnaSrdSpecificationRequest::builder()
                .set_ena_srd_enabled(s.ena_srd_enabled())
                .set_ena_srd_udp_specification(s.ena_srd_udp_specification().map(|u| {
                    EnaSrdUdpSpecificationRequest::builder()
                        .set_ena_srd_udp_enabled(u.ena_srd_udp_enabled())
                        .build()
                }))
                .build()
        }))
        .set_connection_tracking_specification(i.connection_tracking_specification().map(|c| {
            ConnectionTrackingSpecificationRequest::builder()
                .set_tcp_established_timeout(c.tcp_established_timeout())
                .set_udp_stream_timeout(c.udp_stream_timeout())
                .set_udp_timeout(c.udp_timeout())
                .build()
        }))
        .set_ena_queue_count(i.ena_queue_count())
        .build()
}

fn nonempty<T>(items: impl Iterator<Item = T>) -> Option<Vec<T>> {
    Some(items.collect::<Vec<T>>()).filter(|v| !v.is_empty())
}

/// The template's version `version` (`$Default`, or a number).
async fn template_version(fix: Fix<'_>, version: &str) -> Result<LaunchTemplateVersion, FixError> {
    let id = &fix.target.name;
    let resource = format!("launch template {id}");
    let out = fix
        .clients
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(id)
        .versions(version)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:DescribeLaunchTemplateVersions",
                &resource,
                NOT_FOUND,
                e,
            )
        })?;
    out.launch_template_versions()
        .first()
        .cloned()
        .ok_or(FixError::NotFound {
            resource,
            code: NOT_FOUND[0].into(),
        })
}

fn interfaces(
    version: &LaunchTemplateVersion,
) -> &[LaunchTemplateInstanceNetworkInterfaceSpecification] {
    version
        .launch_template_data()
        .map(|d| d.network_interfaces())
        .unwrap_or_default()
}

async fn set_default(fix: Fix<'_>, version: &str) -> Result<(), FixError> {
    let id = &fix.target.name;
    fix.clients
        .ec2
        .modify_launch_template()
        .launch_template_id(id)
        .default_version(version)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:ModifyLaunchTemplate",
                &format!("launch template {id}"),
                NOT_FOUND,
                e,
            )
        })
}

impl Remediation for NoPublicIpTemplate {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let tags = if with_tags {
                let out = fix
                    .clients
                    .ec2
                    .describe_launch_templates()
                    .launch_template_ids(id)
                    .send()
                    .await
                    .map_err(|e| {
                        FixError::from_sdk(
                            "ec2:DescribeLaunchTemplates",
                            &format!("launch template {id}"),
                            NOT_FOUND,
                            e,
                        )
                    })?;
                Some(
                    out.launch_templates()
                        .first()
                        .map(|t| ec2_tags(t.tags()))
                        .unwrap_or_default(),
                )
            } else {
                None
            };
            let default = template_version(fix, "$Default").await?;
            let found: Vec<(i32, bool)> = interfaces(&default)
                .iter()
                .map(|i| {
                    (
                        i.device_index().unwrap_or_default(),
                        i.associate_public_ip_address() == Some(true),
                    )
                })
                .collect();
            Ok(Inspection {
                tags,
                plan: template_plan(id, default.version_number().unwrap_or_default(), &found),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let source: i64 = change.detail()?;
            let id = &fix.target.name;
            let version = template_version(fix, &source.to_string()).await?;
            let data = RequestLaunchTemplateData::builder()
                .set_network_interfaces(Some(
                    interfaces(&version).iter().map(without_public_ip).collect(),
                ))
                .build();
            let created = fix
                .clients
                .ec2
                .create_launch_template_version()
                .launch_template_id(id)
                .source_version(source.to_string())
                .version_description(format!(
                    "hubfix EC2.25: version {source} without public IPs"
                ))
                .launch_template_data(data)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "ec2:CreateLaunchTemplateVersion",
                        &format!("launch template {id}"),
                        NOT_FOUND,
                        e,
                    )
                })?;
            let number = created
                .launch_template_version()
                .and_then(|v| v.version_number())
                .ok_or_else(|| {
                    FixError::Verification("CreateLaunchTemplateVersion named no version".into())
                })?;
            set_default(fix, &number.to_string()).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let recorded: TemplateBefore = before.recorded()?;
            set_default(fix, &recorded.default_version.to_string()).await?;
            Ok(vec![format!(
                "made version {} of {} the default again (the version hubfix made stays, unused)",
                recorded.default_version, before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_interfaces_are_named_and_a_template_without_is_compliant() {
        let plan = template_plan("lt-0abc", 3, &[(1, true), (0, false)]);
        assert_eq!(plan.changes[0].detail::<i64>().unwrap(), 3);
        assert!(plan
            .describe()
            .contains("from version 3 without public IPs (network interfaces 1)"));
        let before: TemplateBefore = plan.before.recorded().unwrap();
        assert_eq!(before.public_interfaces, [1]);
        assert!(template_plan("lt-0abc", 1, &[(0, false)]).is_compliant());
        assert!(template_plan("lt-0abc", 1, &[]).is_compliant());
    }

    #[test]
    fn an_interface_keeps_everything_but_its_public_ip() {
        let i = LaunchTemplateInstanceNetworkInterfaceSpecification::builder()
            .device_index(0)
            .associate_public_ip_address(true)
            .subnet_id("subnet-1")
            .groups("sg-1")
            .delete_on_termination(true)
            .build();
        let r = without_public_ip(&i);
        assert_eq!(r.associate_public_ip_address(), Some(false));
        assert_eq!(r.subnet_id(), Some("subnet-1"));
        assert_eq!(r.groups(), ["sg-1"]);
        assert_eq!(r.delete_on_termination(), Some(true));
        assert_eq!(r.device_index(), Some(0));
        let unset = LaunchTemplateInstanceNetworkInterfaceSpecification::builder()
            .device_index(1)
            .build();
        assert_eq!(
            without_public_ip(&unset).associate_public_ip_address(),
            None
        );
    }
}
