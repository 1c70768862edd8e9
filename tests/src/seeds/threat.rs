//! What threat playbooks act on: an instance serving behind a load balancer in an Auto
//! Scaling group with an instance profile, and credentials (a user's key, a role).

use aws_sdk_ec2::types::Filter;
use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
use hubfix::aws::Clients;

use crate::seeds::compute::http_target_group;
use crate::seeds::ec2::{associate_profile, default_vpc, instance_profile};
use crate::unique;

/// An instance at work, as GuardDuty finds a compromised one.
#[derive(Debug, Clone)]
pub struct ServingInstance {
    /// The instance.
    pub instance: String,
    /// Its two security groups.
    pub groups: Vec<String>,
    /// Its Auto Scaling group.
    pub auto_scaling_group: String,
    /// The group's target group (port 80).
    pub group_target_group: String,
    /// Another target group it is registered in directly, on port 8080.
    pub direct_target_group: String,
    /// Its instance profile's name.
    pub profile: String,
}

/// An instance launched by an Auto Scaling group (so registered in the group's target
/// group), also registered on port 8080 in a second target group, with two security
/// groups and an instance profile.
pub async fn serving_instance(clients: &Clients) -> ServingInstance {
    let vpc = default_vpc(clients).await;
    let subnet = clients
        .ec2
        .describe_subnets()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .send()
        .await
        .expect("describe subnets")
        .subnets()[0]
        .subnet_id()
        .expect("a subnet id")
        .to_owned();
    let mut groups = Vec::new();
    for _ in 0..2 {
        let out = clients
            .ec2
            .create_security_group()
            .group_name(unique("web"))
            .description("web tier")
            .vpc_id(&vpc)
            .send()
            .await
            .expect("create a security group");
        groups.push(out.group_id().expect("a group id").to_owned());
    }
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
    let template = clients
        .ec2
        .create_launch_template()
        .launch_template_name(unique("web"))
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .image_id(image)
                .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                .set_security_group_ids(Some(groups.clone()))
                .build(),
        )
        .send()
        .await
        .expect("create a launch template")
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .expect("a launch template id")
        .to_owned();
    let group_target_group = http_target_group(clients, &vpc).await;
    let direct_target_group = http_target_group(clients, &vpc).await;
    let auto_scaling_group = unique("web-asg");
    clients
        .autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(&auto_scaling_group)
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_id(&template)
                .version("$Default")
                .build(),
        )
        .min_size(0)
        .max_size(3)
        .desired_capacity(1)
        .vpc_zone_identifier(&subnet)
        .target_group_arns(&group_target_group)
        .send()
        .await
        .expect("create an Auto Scaling group");
    let instance = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(&auto_scaling_group)
        .send()
        .await
        .expect("describe the group")
        .auto_scaling_groups()[0]
        .instances()[0]
        .instance_id()
        .expect("an instance")
        .to_owned();
    clients
        .elbv2
        .register_targets()
        .target_group_arn(&direct_target_group)
        .targets(
            TargetDescription::builder()
                .id(&instance)
                .port(8080)
                .build(),
        )
        .send()
        .await
        .expect("register the instance");
    let profile = instance_profile(clients, "web", false).await;
    associate_profile(clients, &instance, &profile).await;
    ServingInstance {
        instance,
        groups,
        auto_scaling_group,
        group_target_group,
        direct_target_group,
        profile,
    }
}

/// A role (`prefix-…`) with the given path; returns its name.
pub async fn role(clients: &Clients, prefix: &str, path: &str) -> String {
    let name = unique(prefix);
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    clients
        .iam
        .create_role()
        .role_name(&name)
        .path(path)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("create a role");
    name
}
