//! EC2 networks, groups, instances and snapshots as misconfigured accounts hold them.

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, IpPermission, IpRange, Ipv6Range, OperationType, PortRange,
    ResourceType, RuleAction, SnapshotAttributeName, Tag, TagSpecification,
};
use hubfix::aws::Clients;

use crate::{unique, REGION};

/// The default VPC's id.
pub async fn default_vpc(clients: &Clients) -> String {
    let out = clients
        .ec2
        .describe_vpcs()
        .filters(Filter::builder().name("isDefault").values("true").build())
        .send()
        .await
        .expect("describe VPCs");
    out.vpcs()[0].vpc_id().expect("a VPC id").to_owned()
}

/// A running instance of an Amazon image, with EC2's defaults (IMDSv1 allowed); returns
/// its id.
pub async fn instance(clients: &Clients) -> String {
    let image = clients
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("describe images")
        .images()[0]
        .image_id()
        .expect("an image id")
        .to_owned();
    clients
        .ec2
        .run_instances()
        .image_id(image)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .expect("run an instance")
        .instances()[0]
        .instance_id()
        .expect("an instance id")
        .to_owned()
}

/// A snapshot of a new 8 GiB volume; returns its id.
pub async fn snapshot(clients: &Clients) -> String {
    let volume = clients
        .ec2
        .create_volume()
        .availability_zone(format!("{REGION}a"))
        .size(8)
        .send()
        .await
        .expect("create a volume")
        .volume_id()
        .expect("a volume id")
        .to_owned();
    clients
        .ec2
        .create_snapshot()
        .volume_id(&volume)
        .send()
        .await
        .expect("create a snapshot")
        .snapshot_id()
        .expect("a snapshot id")
        .to_owned()
}

/// A snapshot every AWS account may create volumes from: EC2.1 fails. Returns its id.
pub async fn public_snapshot(clients: &Clients) -> String {
    let snapshot = snapshot(clients).await;
    clients
        .ec2
        .modify_snapshot_attribute()
        .snapshot_id(&snapshot)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(OperationType::Add)
        .group_names("all")
        .send()
        .await
        .expect("make the snapshot public");
    snapshot
}

/// The default VPC's default security group, with an HTTPS rule from `10.0.0.0/8`
/// (described `office`) beside EC2's own rules: EC2.2 fails. Returns its id.
pub async fn default_group_with_rules(clients: &Clients) -> String {
    let vpc = default_vpc(clients).await;
    let group = clients
        .ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .expect("describe the default group")
        .security_groups()[0]
        .group_id()
        .expect("a group id")
        .to_owned();
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip("10.0.0.0/8")
                        .description("office")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("authorize ingress");
    group
}

/// The ingress of [`world_open_group`], `(protocol, port, CIDR)`: SSH and RDP open to
/// the world over both address families, SSH from a private range in the same rule,
/// HTTPS and PostgreSQL open to the world, and a private 8443. It fails EC2.13, EC2.14,
/// EC2.18, EC2.19, EC2.53 and EC2.54, each for its own entries.
pub const WORLD_OPEN_INGRESS: &[(&str, i32, &str)] = &[
    ("tcp", 22, "0.0.0.0/0"),
    ("tcp", 22, "10.0.0.0/8"),
    ("tcp", 22, "::/0"),
    ("tcp", 3389, "0.0.0.0/0"),
    ("tcp", 3389, "::/0"),
    ("tcp", 443, "0.0.0.0/0"),
    ("tcp", 5432, "0.0.0.0/0"),
    ("tcp", 8443, "192.168.0.0/16"),
];

/// A security group with the ingress of [`WORLD_OPEN_INGRESS`], one permission per
/// port with every CIDR of that port (as the console makes them), IPv4 ranges described
/// `kept as is`, tagged with `tags`; returns its id.
pub async fn world_open_group(clients: &Clients, tags: &[(&str, &str)]) -> String {
    let mut create = clients
        .ec2
        .create_security_group()
        .group_name(unique("open"))
        .description("hubfix test group");
    if !tags.is_empty() {
        let mut spec = TagSpecification::builder().resource_type(ResourceType::SecurityGroup);
        for (k, v) in tags {
            spec = spec.tags(Tag::builder().key(*k).value(*v).build());
        }
        create = create.tag_specifications(spec.build());
    }
    let group = create
        .send()
        .await
        .expect("create a security group")
        .group_id()
        .expect("a group id")
        .to_owned();
    let mut ports: Vec<i32> = WORLD_OPEN_INGRESS.iter().map(|(_, p, _)| *p).collect();
    ports.dedup();
    let permissions = ports
        .iter()
        .map(|port| {
            let mut p = IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(*port)
                .to_port(*port);
            for (_, _, cidr) in WORLD_OPEN_INGRESS.iter().filter(|(_, p, _)| p == port) {
                p = if cidr.contains(':') {
                    p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(*cidr).build())
                } else {
                    p.ip_ranges(
                        IpRange::builder()
                            .cidr_ip(*cidr)
                            .description("kept as is")
                            .build(),
                    )
                };
            }
            p.build()
        })
        .collect();
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .set_ip_permissions(Some(permissions))
        .send()
        .await
        .expect("authorize ingress");
    group
}

/// A subnet of the default VPC that gives instances a public IPv4 address on launch:
/// EC2.15 fails. Returns its id.
pub async fn public_ip_subnet(clients: &Clients) -> String {
    let vpc = default_vpc(clients).await;
    let subnet = clients
        .ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("172.31.201.0/24")
        .send()
        .await
        .expect("create a subnet")
        .subnet()
        .and_then(|s| s.subnet_id())
        .expect("a subnet id")
        .to_owned();
    clients
        .ec2
        .modify_subnet_attribute()
        .subnet_id(&subnet)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .expect("map public IPs on launch");
    subnet
}

/// A launch template `web-…` (tagged `team=payments`) whose one version gives its
/// network interface a public IPv4 address: EC2.25 fails. Returns its id.
pub async fn public_ip_launch_template(clients: &Clients) -> String {
    use aws_sdk_ec2::types::{
        LaunchTemplateInstanceNetworkInterfaceSpecificationRequest, RequestLaunchTemplateData,
        ResourceType, Tag, TagSpecification,
    };
    let data = RequestLaunchTemplateData::builder()
        .image_id("ami-12c6146b")
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .network_interfaces(
            LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                .device_index(0)
                .associate_public_ip_address(true)
                .delete_on_termination(true)
                .build(),
        )
        .build();
    clients
        .ec2
        .create_launch_template()
        .launch_template_name(unique("web"))
        .launch_template_data(data)
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::LaunchTemplate)
                .tags(Tag::builder().key("team").value("payments").build())
                .build(),
        )
        .send()
        .await
        .expect("create a launch template")
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .expect("a launch template id")
        .to_owned()
}

/// A network ACL of the default VPC allowing TCP from anywhere on SSH (rule 100), HTTPS
/// (110) and RDP (120): EC2.21 fails for rules 100 and 120. Returns its id.
pub async fn open_admin_network_acl(clients: &Clients) -> String {
    let vpc = default_vpc(clients).await;
    let acl = clients
        .ec2
        .create_network_acl()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("create a network ACL")
        .network_acl()
        .and_then(|a| a.network_acl_id())
        .expect("a network ACL id")
        .to_owned();
    for (rule, port) in [(100, 22), (110, 443), (120, 3389)] {
        clients
            .ec2
            .create_network_acl_entry()
            .network_acl_id(&acl)
            .rule_number(rule)
            .protocol("6")
            .rule_action(RuleAction::Allow)
            .egress(false)
            .cidr_block("0.0.0.0/0")
            .port_range(PortRange::builder().from(port).to(port).build())
            .send()
            .await
            .expect("create a network ACL entry");
    }
    acl
}

/// A Transit Gateway with auto-accept of shared attachments `auto_accept` (on: EC2.23
/// fails) and its other options as the console creates them; returns its id.
pub async fn transit_gateway(clients: &Clients, auto_accept: bool) -> String {
    use aws_sdk_ec2::types::{AutoAcceptSharedAttachmentsValue, TransitGatewayRequestOptions};
    let value = if auto_accept {
        AutoAcceptSharedAttachmentsValue::Enable
    } else {
        AutoAcceptSharedAttachmentsValue::Disable
    };
    clients
        .ec2
        .create_transit_gateway()
        .description("network hub")
        .options(
            TransitGatewayRequestOptions::builder()
                .amazon_side_asn(64512)
                .auto_accept_shared_attachments(value)
                .build(),
        )
        .send()
        .await
        .expect("create a transit gateway")
        .transit_gateway()
        .and_then(|g| g.transit_gateway_id())
        .expect("a transit gateway id")
        .to_owned()
}

/// An instance profile `prefix-<unique>` with a role of the same name that EC2 may
/// assume, with `AmazonSSMManagedInstanceCore` attached when `ssm_core`; returns the
/// profile's name (the role's too).
pub async fn instance_profile(clients: &Clients, prefix: &str, ssm_core: bool) -> String {
    let iam = &clients.iam;
    let name = crate::unique(prefix);
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    iam.create_role()
        .role_name(&name)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("create a role");
    if ssm_core {
        iam.attach_role_policy()
            .role_name(&name)
            .policy_arn("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
            .send()
            .await
            .expect("attach the SSM core policy");
    }
    iam.create_instance_profile()
        .instance_profile_name(&name)
        .send()
        .await
        .expect("create an instance profile");
    iam.add_role_to_instance_profile()
        .instance_profile_name(&name)
        .role_name(&name)
        .send()
        .await
        .expect("add the role to the profile");
    name
}

/// Associates an instance profile with an instance.
pub async fn associate_profile(clients: &Clients, instance: &str, profile: &str) {
    clients
        .ec2
        .associate_iam_instance_profile()
        .instance_id(instance)
        .iam_instance_profile(
            aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                .name(profile)
                .build(),
        )
        .send()
        .await
        .expect("associate the instance profile");
}
