//! Lambda functions and load balancers as misconfigured accounts hold them.

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, ProtocolEnum, Tag,
};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use hubfix::aws::Clients;

use crate::seeds::iam::server_certificate;
use crate::unique;

/// A zip archive with no entries: enough code for a function that is never run.
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// A Lambda function `name` (with its execution role) the emulator can hold without
/// running it, tagged `team=payments`; returns its ARN.
pub async fn function(clients: &Clients, name: &str) -> String {
    let role = clients
        .iam
        .create_role()
        .role_name(format!("{name}-role"))
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .expect("create the function's role")
        .role()
        .expect("a role")
        .arn()
        .to_owned();
    clients
        .lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::from("python3.12"))
        .role(role)
        .handler("index.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(EMPTY_ZIP.to_vec()))
                .build(),
        )
        .tags("team", "payments")
        .send()
        .await
        .expect("create a function")
        .function_arn()
        .expect("a function ARN")
        .to_owned()
}

/// A [`function`] that anyone may invoke (statement `public`), that S3 may invoke from
/// bucket `uploads` of any account (`s3-trigger`), and that account 111122223333 may
/// invoke (`partner`): Lambda.1 fails. Returns its name and ARN.
pub async fn public_function(clients: &Clients) -> (String, String) {
    let name = unique("thumbnailer");
    let arn = function(clients, &name).await;
    let grants = [
        ("public", "*", None),
        (
            "s3-trigger",
            "s3.amazonaws.com",
            Some("arn:aws:s3:::uploads"),
        ),
        ("partner", "111122223333", None),
    ];
    for (sid, principal, source_arn) in grants {
        clients
            .lambda
            .add_permission()
            .function_name(&name)
            .statement_id(sid)
            .action("lambda:InvokeFunction")
            .principal(principal)
            .set_source_arn(source_arn.map(str::to_owned))
            .send()
            .await
            .expect("add a permission");
    }
    (name, arn)
}

/// A listener action forwarding to a target group.
pub fn forward(target_group: &str) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(target_group)
        .build()
}

/// An HTTP target group `web-…` on port 80 in `vpc`; returns its ARN.
pub async fn http_target_group(clients: &Clients, vpc: &str) -> String {
    clients
        .elbv2
        .create_target_group()
        .name(unique("web"))
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc)
        .send()
        .await
        .expect("create a target group")
        .target_groups()[0]
        .target_group_arn()
        .expect("a target group ARN")
        .to_owned()
}

/// An Application Load Balancer `shop-…` in a new VPC, without deletion protection
/// (ELB.6 fails), tagged `team=payments`, with an HTTP listener on port 80 forwarding to
/// a target group. Returns the load balancer's and the listener's ARNs.
pub async fn load_balancer(clients: &Clients) -> (String, String) {
    let vpc = clients
        .ec2
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .expect("create a VPC")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("a VPC id")
        .to_owned();
    let mut subnets = Vec::new();
    for (cidr, zone) in [
        ("10.20.1.0/24", "us-east-1a"),
        ("10.20.2.0/24", "us-east-1b"),
    ] {
        let subnet = clients
            .ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(cidr)
            .availability_zone(zone)
            .send()
            .await
            .expect("create a subnet");
        subnets.push(
            subnet
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("a subnet id")
                .to_owned(),
        );
    }
    let lb = clients
        .elbv2
        .create_load_balancer()
        .name(unique("shop"))
        .set_subnets(Some(subnets))
        .tags(Tag::builder().key("team").value("payments").build())
        .send()
        .await
        .expect("create a load balancer")
        .load_balancers()[0]
        .load_balancer_arn()
        .expect("a load balancer ARN")
        .to_owned();
    let group = http_target_group(clients, &vpc).await;
    let listener = clients
        .elbv2
        .create_listener()
        .load_balancer_arn(&lb)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(forward(&group))
        .send()
        .await
        .expect("create the HTTP listener")
        .listeners()[0]
        .listener_arn()
        .expect("a listener ARN")
        .to_owned();
    (lb, listener)
}

/// Adds an HTTPS listener on port 443 (with a new server certificate) forwarding to
/// `target_group`, so that an HTTP listener can be redirected to it.
pub async fn https_listener(clients: &Clients, lb: &str, target_group: &str) {
    let certificate = server_certificate(clients, &unique("shop-cert")).await;
    clients
        .elbv2
        .create_listener()
        .load_balancer_arn(lb)
        .protocol(ProtocolEnum::Https)
        .port(443)
        .certificates(Certificate::builder().certificate_arn(certificate).build())
        .default_actions(forward(target_group))
        .send()
        .await
        .expect("create the HTTPS listener");
}

/// A [`load_balancer`] whose HTTP listener forwards plain HTTP although an HTTPS
/// listener is there to redirect to: ELB.1 fails. Returns the load balancer's ARN.
pub async fn http_forwarding_load_balancer(clients: &Clients) -> String {
    let (lb, listener) = load_balancer(clients).await;
    let listeners = clients
        .elbv2
        .describe_listeners()
        .listener_arns(&listener)
        .send()
        .await
        .expect("describe the listener");
    let group = listeners.listeners()[0].default_actions()[0]
        .target_group_arn()
        .expect("a forward action")
        .to_owned();
    https_listener(clients, &lb, &group).await;
    lb
}

/// The token [`bitbucket_project`]'s source URL carries; no note or record may hold it.
pub const SOURCE_URL_TOKEN: &str = "ATBBk9Zq4hGx7mYpR2vWc8";

/// A CodeBuild project building a Bitbucket repository through a URL with a user name
/// and app password in it, in privileged mode, tagged `team=payments` (the shape of
/// the CodeBuild User Guide's Bitbucket source and Docker-in-Docker examples):
/// CodeBuild.1 and CodeBuild.5 fail. Returns its ARN and name.
pub async fn bitbucket_project(clients: &Clients) -> (String, String) {
    use aws_sdk_codebuild::types::{
        ArtifactsType, ComputeType, EnvironmentType, ProjectArtifacts, ProjectEnvironment,
        ProjectSource, SourceType,
    };
    let name = unique("image-build");
    let project = clients
        .codebuild
        .create_project()
        .name(&name)
        .source(
            ProjectSource::builder()
                .r#type(SourceType::Bitbucket)
                .location(format!(
                    "https://ci-bot:{SOURCE_URL_TOKEN}@bitbucket.org/acme/app.git"
                ))
                .build()
                .expect("a source"),
        )
        .artifacts(
            ProjectArtifacts::builder()
                .r#type(ArtifactsType::NoArtifacts)
                .build()
                .expect("artifacts"),
        )
        .environment(
            ProjectEnvironment::builder()
                .r#type(EnvironmentType::LinuxContainer)
                .image("aws/codebuild/standard:7.0")
                .compute_type(ComputeType::BuildGeneral1Small)
                .privileged_mode(true)
                .build()
                .expect("an environment"),
        )
        .service_role(format!(
            "arn:aws:iam::{}:role/service-role/codebuild",
            crate::ACCOUNT
        ))
        .tags(
            aws_sdk_codebuild::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .expect("create a project");
    let arn = project
        .project()
        .and_then(|p| p.arn())
        .expect("a project ARN")
        .to_owned();
    (arn, name)
}

/// An Auto Scaling group `web-tier-…` (no instances) in the default VPC, registered
/// with a target group and checking only EC2 health, tagged `team=payments`:
/// AutoScaling.1 fails. Returns its name and ARN.
pub async fn balanced_group_without_elb_checks(clients: &Clients) -> (String, String) {
    let vpc = crate::seeds::ec2::default_vpc(clients).await;
    let subnet = clients
        .ec2
        .describe_subnets()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(&vpc)
                .build(),
        )
        .send()
        .await
        .expect("describe subnets")
        .subnets()[0]
        .subnet_id()
        .expect("a subnet id")
        .to_owned();
    let target_group = http_target_group(clients, &vpc).await;
    let template = crate::seeds::ec2::public_ip_launch_template(clients).await;
    let name = unique("web-tier");
    clients
        .autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_id(&template)
                .version("$Default")
                .build(),
        )
        .min_size(0)
        .max_size(1)
        .desired_capacity(0)
        .vpc_zone_identifier(&subnet)
        .target_group_arns(&target_group)
        .health_check_type("EC2")
        .health_check_grace_period(300)
        .tags(
            aws_sdk_autoscaling::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .expect("create an Auto Scaling group");
    let arn = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(&name)
        .send()
        .await
        .expect("describe the group")
        .auto_scaling_groups()[0]
        .auto_scaling_group_arn()
        .expect("a group ARN")
        .to_owned();
    (name, arn)
}

/// The ARN of launch configuration `name`.
pub async fn launch_configuration_arn(clients: &Clients, name: &str) -> String {
    clients
        .autoscaling
        .describe_launch_configurations()
        .launch_configuration_names(name)
        .send()
        .await
        .expect("describe launch configurations")
        .launch_configurations()[0]
        .launch_configuration_arn()
        .expect("a launch configuration ARN")
        .to_owned()
}

/// A launch configuration `web-lc-…` that allows IMDSv1 (hop limit 2) and gives
/// instances a public IP address, and a group `web-tier-…` (no instances) launching
/// from it: AutoScaling.3 and AutoScaling.5 fail. Returns the launch configuration's
/// name and ARN, and the group's name.
pub async fn imdsv1_public_launch_configuration(clients: &Clients) -> (String, String, String) {
    use aws_sdk_autoscaling::types::{
        InstanceMetadataEndpointState, InstanceMetadataHttpTokensState, InstanceMetadataOptions,
        InstanceMonitoring,
    };
    let name = unique("web-lc");
    clients
        .autoscaling
        .create_launch_configuration()
        .launch_configuration_name(&name)
        .image_id("ami-12c6146b")
        .instance_type("t3.micro")
        .security_groups("sg-0123456789abcdef0")
        .instance_monitoring(InstanceMonitoring::builder().enabled(true).build())
        .associate_public_ip_address(true)
        .metadata_options(
            InstanceMetadataOptions::builder()
                .http_tokens(InstanceMetadataHttpTokensState::Optional)
                .http_endpoint(InstanceMetadataEndpointState::Enabled)
                .http_put_response_hop_limit(2)
                .build(),
        )
        .send()
        .await
        .expect("create a launch configuration");
    let group = unique("web-tier");
    clients
        .autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(&group)
        .launch_configuration_name(&name)
        .min_size(0)
        .max_size(1)
        .desired_capacity(0)
        .availability_zones("us-east-1a")
        .send()
        .await
        .expect("create an Auto Scaling group");
    let arn = launch_configuration_arn(clients, &name).await;
    (name, arn, group)
}

/// EMR block public access off in the Region, with ports 22 and 8080-8081 permitted:
/// EMR.2 fails.
pub async fn emr_block_public_access_off(clients: &Clients) {
    use aws_sdk_emr::types::{BlockPublicAccessConfiguration, PortRange};
    let range = |min, max| PortRange::builder().min_range(min).max_range(max).build();
    clients
        .emr
        .put_block_public_access_configuration()
        .block_public_access_configuration(
            BlockPublicAccessConfiguration::builder()
                .block_public_security_group_rules(false)
                .permitted_public_security_group_rule_ranges(range(22, 22))
                .permitted_public_security_group_rule_ranges(range(8080, 8081))
                .build(),
        )
        .send()
        .await
        .expect("turn EMR block public access off");
}
