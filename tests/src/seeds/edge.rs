//! Edge, API and analytics resources as a misconfigured account holds them: Macie,
//! Athena workgroups, API Gateway stages, CloudFront distributions, CloudFormation
//! stacks and ECS task definitions.

use hubfix::aws::Clients;

use crate::{unique, ACCOUNT, REGION};

/// Macie disabled in the test Region (moto starts every account with it enabled);
/// `Macie.1` fails.
pub async fn macie_disabled(clients: &Clients) {
    clients
        .macie2
        .disable_macie()
        .send()
        .await
        .expect("disable Macie");
}

/// Macie enabled and paused; `Macie.1` fails.
pub async fn macie_paused(clients: &Clients) {
    use aws_sdk_macie2::types::MacieStatus;
    clients
        .macie2
        .update_macie_session()
        .status(MacieStatus::Paused)
        .send()
        .await
        .expect("pause Macie");
}

/// An Athena workgroup `analysts-…` that publishes no CloudWatch metrics, tagged
/// `team=payments`; `Athena.4` fails. Returns its name and ARN.
pub async fn athena_workgroup(clients: &Clients) -> (String, String) {
    use aws_sdk_athena::types::{Tag, WorkGroupConfiguration};
    let name = unique("analysts");
    clients
        .athena
        .create_work_group()
        .name(&name)
        .configuration(
            WorkGroupConfiguration::builder()
                .publish_cloud_watch_metrics_enabled(false)
                .requester_pays_enabled(true)
                .build(),
        )
        .tags(Tag::builder().key("team").value("payments").build())
        .send()
        .await
        .expect("create an Athena workgroup");
    let arn = format!("arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{name}");
    (name, arn)
}

/// API Gateway's CloudWatch Logs role set in the account's settings, as execution
/// logging needs.
pub async fn api_gateway_log_role(clients: &Clients) {
    use aws_sdk_apigateway::types::{Op, PatchOperation};
    clients
        .apigateway
        .update_account()
        .patch_operations(
            PatchOperation::builder()
                .op(Op::Replace)
                .path("/cloudwatchRoleArn")
                .value(format!(
                    "arn:aws:iam::{ACCOUNT}:role/apigateway-cloudwatch-logs"
                ))
                .build(),
        )
        .send()
        .await
        .expect("set API Gateway's CloudWatch Logs role");
}

/// A REST API with `GET /pets` and its stage `prod`, tagged `team=payments`: execution
/// logging off for every method and for `GET /pets`, responses of every method cached
/// unencrypted, so `APIGateway.1` and `APIGateway.5` fail. Returns the API id and the
/// stage's ARN.
pub async fn rest_api_stage(clients: &Clients) -> (String, String) {
    use aws_sdk_apigateway::types::{IntegrationType, Op, PatchOperation};
    let apigw = &clients.apigateway;
    let api = apigw
        .create_rest_api()
        .name(unique("pets"))
        .send()
        .await
        .expect("create a REST API");
    let api_id = api.id().expect("api id").to_owned();
    let root = apigw
        .get_resources()
        .rest_api_id(&api_id)
        .send()
        .await
        .expect("get resources")
        .items()[0]
        .id()
        .expect("root id")
        .to_owned();
    let pets = apigw
        .create_resource()
        .rest_api_id(&api_id)
        .parent_id(root)
        .path_part("pets")
        .send()
        .await
        .expect("create /pets");
    let pets = pets.id().expect("resource id");
    apigw
        .put_method()
        .rest_api_id(&api_id)
        .resource_id(pets)
        .http_method("GET")
        .authorization_type("NONE")
        .send()
        .await
        .expect("put GET /pets");
    apigw
        .put_integration()
        .rest_api_id(&api_id)
        .resource_id(pets)
        .http_method("GET")
        .r#type(IntegrationType::Mock)
        .send()
        .await
        .expect("put the mock integration");
    let deployment = apigw
        .create_deployment()
        .rest_api_id(&api_id)
        .send()
        .await
        .expect("deploy");
    apigw
        .create_stage()
        .rest_api_id(&api_id)
        .stage_name("prod")
        .deployment_id(deployment.id().expect("deployment id"))
        .tags("team", "payments")
        .send()
        .await
        .expect("create stage prod");
    let replace = |path: &str, value: &str| {
        PatchOperation::builder()
            .op(Op::Replace)
            .path(path)
            .value(value)
            .build()
    };
    apigw
        .update_stage()
        .rest_api_id(&api_id)
        .stage_name("prod")
        .patch_operations(replace("/*/*/logging/loglevel", "OFF"))
        .patch_operations(replace("/*/*/caching/enabled", "true"))
        .patch_operations(replace("/*/*/caching/dataEncrypted", "false"))
        .patch_operations(replace("/~1pets/GET/logging/loglevel", "OFF"))
        .send()
        .await
        .expect("turn logging off and caching on");
    let arn = format!("arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/prod");
    (api_id, arn)
}

/// An API of `protocol` (`WEBSOCKET` or `HTTP`) with a stage `prod` whose default
/// route settings log nothing, throttled at 50 requests a second, and (WebSocket) a
/// route `sendMessage` that logs nothing; `APIGateway.1` fails. Returns the API id and
/// the stage's ARN.
pub async fn v2_api_stage(clients: &Clients, protocol: &str) -> (String, String) {
    use aws_sdk_apigatewayv2::types::{LoggingLevel, ProtocolType, RouteSettings};
    let apigw = &clients.apigatewayv2;
    let api = apigw
        .create_api()
        .name(unique("chat"))
        .protocol_type(ProtocolType::from(protocol))
        .route_selection_expression("$request.body.action")
        .send()
        .await
        .expect("create an API");
    let api_id = api.api_id().expect("api id").to_owned();
    let quiet = RouteSettings::builder()
        .logging_level(LoggingLevel::Off)
        .throttling_rate_limit(50.0)
        .build();
    let mut stage = apigw
        .create_stage()
        .api_id(&api_id)
        .stage_name("prod")
        .default_route_settings(quiet.clone())
        .tags("team", "payments");
    if protocol == "WEBSOCKET" {
        stage = stage.route_settings("sendMessage", quiet);
    }
    stage.send().await.expect("create stage prod");
    let arn = format!("arn:aws:apigateway:{REGION}::/apis/{api_id}/stages/prod");
    (api_id, arn)
}

/// A CloudFront distribution tagged `team=payments` whose one origin `site` is the S3
/// bucket `bucket` (which need not exist), with `root_object` as its default root
/// object (`""`: none, so `CloudFront.1` fails). Returns its id and ARN.
pub async fn distribution(clients: &Clients, bucket: &str, root_object: &str) -> (String, String) {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, DistributionConfigWithTags, Origin, Origins,
        S3OriginConfig, Tag, Tags, ViewerProtocolPolicy,
    };
    let origin = Origin::builder()
        .id("site")
        .domain_name(format!("{bucket}.s3.{REGION}.amazonaws.com"))
        .origin_path("/public")
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .expect("origin");
    let config = DistributionConfig::builder()
        .caller_reference(unique("ref"))
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id("site")
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .expect("cache behaviour"),
        )
        .comment("site")
        .enabled(true)
        .default_root_object(root_object)
        .build()
        .expect("distribution config");
    let out = clients
        .cloudfront
        .create_distribution_with_tags()
        .distribution_config_with_tags(
            DistributionConfigWithTags::builder()
                .distribution_config(config)
                .tags(
                    Tags::builder()
                        .items(
                            Tag::builder()
                                .key("team")
                                .value("payments")
                                .build()
                                .expect("tag"),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("create a distribution");
    let distribution = out.distribution().expect("distribution");
    (distribution.id().to_owned(), distribution.arn().to_owned())
}

/// A CloudFormation stack `web-…` with one parameter, notifying no SNS topic;
/// `CloudFormation.1` fails. Returns its ARN (its unique id).
pub async fn stack_without_notifications(clients: &Clients) -> String {
    use aws_sdk_cloudformation::types::{Parameter, Tag};
    let template = r#"{"Parameters": {"Env": {"Type": "String"}}, "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}"#;
    let out = clients
        .cloudformation
        .create_stack()
        .stack_name(unique("web"))
        .template_body(template)
        .parameters(
            Parameter::builder()
                .parameter_key("Env")
                .parameter_value("prod")
                .build(),
        )
        .tags(Tag::builder().key("team").value("payments").build())
        .send()
        .await
        .expect("create a stack");
    out.stack_id().expect("stack id").to_owned()
}

/// A Fargate task definition `web-app-…` of two containers, `app` (root filesystem
/// writable, unset) and `sidecar` (read-only), tagged `team=payments`; `ECS.5` fails.
/// Returns its ARN.
pub async fn writable_task_definition(clients: &Clients) -> String {
    use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode, PortMapping, Tag};
    let out = clients
        .ecs
        .register_task_definition()
        .family(unique("web-app"))
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("public.ecr.aws/nginx/nginx:1.27")
                .essential(true)
                .port_mappings(PortMapping::builder().container_port(80).build())
                .build(),
        )
        .container_definitions(
            ContainerDefinition::builder()
                .name("sidecar")
                .image("public.ecr.aws/aws-observability/aws-otel-collector:latest")
                .essential(false)
                .readonly_root_filesystem(true)
                .build(),
        )
        .tags(Tag::builder().key("team").value("payments").build())
        .send()
        .await
        .expect("register a task definition");
    out.task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition ARN")
        .to_owned()
}
