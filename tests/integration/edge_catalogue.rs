//! Catalogue V's edge, API and analytics controls against the emulator: Macie.1,
//! Athena.4, APIGateway.1 (REST and WebSocket stages), APIGateway.5, CloudFront.1,
//! CloudFront.12, ECS.5 and CloudFormation.1. Each fix changes only what its control is
//! about, is verified by reading it back, and is undone from the outcome's record.

use std::collections::BTreeMap;

use hubfix::aws::Clients;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::{self, account};
use hubfix_tests::{auto, run_event, undo_outcome, unique, Emulator, ACCOUNT, REGION};

async fn macie_status(clients: &Clients) -> Option<String> {
    clients
        .macie2
        .get_macie_session()
        .send()
        .await
        .ok()
        .and_then(|s| s.status().map(|s| s.as_str().to_owned()))
}

#[tokio::test]
async fn macie_1_waits_for_approval_then_enables_or_resumes_macie_and_undo_restores_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    seeds::edge::macie_disabled(&clients).await;
    let (refused, status, note) = run_event(
        &emulator,
        &clients,
        "macie-1-imported.json",
        &account(),
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "billable: {note}");
    assert_eq!(status, "NOTIFIED");
    assert_eq!(macie_status(&clients).await, None);

    let (enabled, status, note) = run_event(
        &emulator,
        &clients,
        "macie-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(enabled.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!("enabled Amazon Macie in {REGION}")),
        "{note}"
    );
    assert_eq!(macie_status(&clients).await.as_deref(), Some("ENABLED"));
    let steps = undo_outcome(&clients, &enabled).await.unwrap();
    assert!(
        steps[0].starts_with(&format!("disabled Amazon Macie in account {ACCOUNT}")),
        "{steps:?}"
    );
    assert_eq!(macie_status(&clients).await, None);

    clients.macie2.enable_macie().send().await.unwrap();
    seeds::edge::macie_paused(&clients).await;
    let (resumed, _, note) = run_event(
        &emulator,
        &clients,
        "macie-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(resumed.kind, OutcomeKind::Remediated, "{note}");
    assert!(note.contains("resumed Amazon Macie"), "{note}");
    assert_eq!(macie_status(&clients).await.as_deref(), Some("ENABLED"));
    undo_outcome(&clients, &resumed).await.unwrap();
    assert_eq!(macie_status(&clients).await.as_deref(), Some("PAUSED"));
}

#[tokio::test]
async fn athena_4_publishes_metrics_automatically_keeps_the_rest_and_undo_stops_them() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (name, arn) = seeds::edge::athena_workgroup(&clients).await;
    let flags = || async {
        let out = clients
            .athena
            .get_work_group()
            .work_group(&name)
            .send()
            .await
            .unwrap();
        let config = out.work_group().unwrap().configuration().unwrap().clone();
        (
            config.publish_cloud_watch_metrics_enabled(),
            config.requester_pays_enabled(),
        )
    };
    assert_eq!(flags().await, (Some(false), Some(true)));
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "athena-4-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "turned on CloudWatch metrics publishing of Athena workgroup {name}"
        )),
        "{note}"
    );
    assert_eq!(
        flags().await,
        (Some(true), Some(true)),
        "only Athena.4's flag"
    );
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned CloudWatch metrics publishing of Athena workgroup {name} off again"
        )]
    );
    assert_eq!(flags().await, (Some(false), Some(true)));

    let missing = format!(
        "arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{}",
        unique("gone")
    );
    let (gone, _, note) = run_event(
        &emulator,
        &clients,
        "athena-4-imported.json",
        &missing,
        Policy::default(),
    )
    .await;
    assert_eq!(gone.kind, OutcomeKind::Failed, "{note}");
    assert!(note.contains("no longer exists"), "{note}");
}

/// A REST stage's method settings: key to (logging level, caching, cache encrypted).
async fn method_settings(
    clients: &Clients,
    api: &str,
) -> BTreeMap<String, (Option<String>, bool, bool)> {
    let stage = clients
        .apigateway
        .get_stage()
        .rest_api_id(api)
        .stage_name("prod")
        .send()
        .await
        .unwrap();
    stage
        .method_settings()
        .into_iter()
        .flatten()
        .map(|(k, s)| {
            (
                k.clone(),
                (
                    s.logging_level().map(str::to_owned),
                    s.caching_enabled(),
                    s.cache_data_encrypted(),
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn apigateway_1_on_a_rest_stage_needs_the_log_role_then_logs_errors_and_undo_restores() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (api, arn) = seeds::edge::rest_api_stage(&clients).await;
    let seeded = method_settings(&clients, &api).await;
    assert_eq!(seeded["*/*"].0.as_deref(), Some("OFF"));
    assert_eq!(seeded["~1pets/GET"].0.as_deref(), Some("OFF"));

    let (manual, status, note) = run_event(
        &emulator,
        &clients,
        "apigateway-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(manual.kind, OutcomeKind::Manual, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("has no CloudWatch Logs role"), "{note}");
    assert!(note.contains("path=/cloudwatchRoleArn"), "{note}");
    assert_eq!(method_settings(&clients, &api).await, seeded);

    seeds::edge::api_gateway_log_role(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "apigateway-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "set execution logging of stage prod of REST API {api} to ERROR for every method (*/*) (was OFF), GET /pets (was OFF)"
        )),
        "{note}"
    );
    let fixed = method_settings(&clients, &api).await;
    assert_eq!(fixed["*/*"].0.as_deref(), Some("ERROR"));
    assert_eq!(fixed["~1pets/GET"].0.as_deref(), Some("ERROR"));
    assert_eq!(
        (fixed["*/*"].1, fixed["*/*"].2),
        (seeded["*/*"].1, seeded["*/*"].2),
        "caching untouched"
    );
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(method_settings(&clients, &api).await, seeded);
}

#[tokio::test]
async fn apigateway_1_on_websocket_stages_logs_errors_and_http_apis_go_to_a_person() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (api, arn) = seeds::edge::v2_api_stage(&clients, "WEBSOCKET").await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "apigateway-1-websocket-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("to ERROR for default route settings (was OFF), route sendMessage (was OFF)"),
        "{note}"
    );
    let levels = || async {
        let stage = clients
            .apigatewayv2
            .get_stage()
            .api_id(&api)
            .stage_name("prod")
            .send()
            .await
            .unwrap();
        let default = stage.default_route_settings().unwrap().clone();
        let route = stage.route_settings().unwrap()["sendMessage"].clone();
        (
            default.logging_level().map(|l| l.as_str().to_owned()),
            default.throttling_rate_limit(),
            route.logging_level().map(|l| l.as_str().to_owned()),
        )
    };
    assert_eq!(
        levels().await,
        (Some("ERROR".into()), Some(50.0), Some("ERROR".into()))
    );
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(
        levels().await,
        (Some("OFF".into()), Some(50.0), Some("OFF".into()))
    );

    let (_, http) = seeds::edge::v2_api_stage(&clients, "HTTP").await;
    let (manual, _, note) = run_event(
        &emulator,
        &clients,
        "apigateway-1-websocket-imported.json",
        &http,
        Policy::default(),
    )
    .await;
    assert_eq!(manual.kind, OutcomeKind::Manual, "{note}");
    assert!(
        note.contains("is an HTTP API, which has no execution logging"),
        "{note}"
    );
}

#[tokio::test]
async fn apigateway_5_encrypts_only_the_cached_methods_and_undo_restores() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (api, arn) = seeds::edge::rest_api_stage(&clients).await;
    let seeded = method_settings(&clients, &api).await;
    assert_eq!((seeded["*/*"].1, seeded["*/*"].2), (true, false));
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "apigateway-5-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "turned on cache data encryption of stage prod of REST API {api} for every method (*/*)"
        )),
        "{note}"
    );
    let fixed = method_settings(&clients, &api).await;
    assert!(fixed["*/*"].2);
    assert_eq!(
        fixed["~1pets/GET"], seeded["~1pets/GET"],
        "GET /pets does not cache"
    );
    assert_eq!(fixed["*/*"].0, seeded["*/*"].0, "logging untouched");
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(method_settings(&clients, &api).await, seeded);
}

async fn root_object(clients: &Clients, id: &str) -> String {
    let out = clients
        .cloudfront
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .unwrap();
    out.distribution_config()
        .unwrap()
        .default_root_object()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn cloudfront_1_waits_for_approval_then_sets_the_configured_root_object_and_undo_removes_it()
{
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (id, arn) = seeds::edge::distribution(&clients, "site-assets", "").await;
    let (refused, status, note) = run_event(
        &emulator,
        &clients,
        "cloudfront-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    let home = FixSettings {
        cloudfront_default_root_object: "home.html".into(),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cloudfront-1-imported.json",
        &arn,
        auto(home),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "set the default root object of CloudFront distribution {id} to home.html"
        )),
        "{note}"
    );
    assert_eq!(root_object(&clients, &id).await, "home.html");
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "removed the default root object of CloudFront distribution {id} again"
        )]
    );
    assert_eq!(root_object(&clients, &id).await, "");
}

/// The origin `site`: its domain, whether it is an S3 origin, its path.
async fn site_origin(clients: &Clients, id: &str) -> (String, bool, Option<String>) {
    let out = clients
        .cloudfront
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .unwrap();
    let config = out.distribution_config().unwrap();
    let origin = config
        .origins()
        .unwrap()
        .items()
        .iter()
        .find(|o| o.id() == "site")
        .unwrap()
        .clone();
    (
        origin.domain_name().to_owned(),
        origin.s3_origin_config().is_some(),
        origin.origin_path().map(str::to_owned),
    )
}

#[tokio::test]
async fn cloudfront_12_points_origins_of_deleted_buckets_away_and_leaves_live_ones() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let live = seeds::s3::bucket(&clients, "site-assets").await;
    let (kept, kept_arn) = seeds::edge::distribution(&clients, &live, "index.html").await;
    let (compliant, _, note) = run_event(
        &emulator,
        &clients,
        "cloudfront-12-imported.json",
        &kept_arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(compliant.kind, OutcomeKind::AlreadyCompliant, "{note}");
    assert_eq!(
        site_origin(&clients, &kept).await.0,
        format!("{live}.s3.{REGION}.amazonaws.com")
    );

    let gone = unique("retired-assets");
    let (id, arn) = seeds::edge::distribution(&clients, &gone, "index.html").await;
    let seeded = site_origin(&clients, &id).await;
    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "cloudfront-12-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "{note}");
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cloudfront-12-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains(&format!("site ({gone})")), "{note}");
    assert_eq!(
        site_origin(&clients, &id).await,
        (
            "hubfix-removed-origin.example".into(),
            false,
            Some("/public".into())
        )
    );
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(site_origin(&clients, &id).await, seeded);
}

/// The task definition's containers: name and read-only root filesystem.
async fn containers(clients: &Clients, task_definition: &str) -> Vec<(String, Option<bool>)> {
    let out = clients
        .ecs
        .describe_task_definition()
        .task_definition(task_definition)
        .send()
        .await
        .unwrap();
    out.task_definition()
        .unwrap()
        .container_definitions()
        .iter()
        .map(|c| (c.name().unwrap().to_owned(), c.readonly_root_filesystem()))
        .collect()
}

#[tokio::test]
async fn ecs_5_registers_a_read_only_revision_leaves_the_redeploy_to_a_person_and_undo_deregisters_it(
) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let arn = seeds::edge::writable_task_definition(&clients).await;
    let seeded = containers(&clients, &arn).await;
    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "ecs-5-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "{note}");

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ecs-5-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "NOTIFIED", "the old revision still fails: {note}");
    let family_revision = arn.rsplit_once('/').unwrap().1.to_owned();
    let (family, revision) = family_revision.rsplit_once(':').unwrap();
    let copy = format!("{family}:{}", revision.parse::<u32>().unwrap() + 1);
    assert!(
        note.contains("with a read-only root filesystem for containers app"),
        "{note}"
    );
    assert!(
        note.contains(&format!(
            "Left for a person: redeploy each service running {family_revision} onto {copy}"
        )),
        "{note}"
    );
    assert_eq!(
        containers(&clients, &copy).await,
        [
            ("app".to_owned(), Some(true)),
            ("sidecar".to_owned(), Some(true))
        ]
    );
    assert_eq!(
        containers(&clients, &arn).await,
        seeded,
        "the old revision is kept"
    );
    let (again, _, note) = run_event(
        &emulator,
        &clients,
        "ecs-5-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(
        again.kind,
        OutcomeKind::AlreadyCompliant,
        "one copy only: {note}"
    );

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps[0].starts_with(&format!("deregistered {copy}")),
        "{steps:?}"
    );
    let status = clients
        .ecs
        .describe_task_definition()
        .task_definition(&copy)
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .status()
        .map(|s| s.as_str().to_owned());
    assert_eq!(status.as_deref(), Some("INACTIVE"));
}

async fn stack_topics(clients: &Clients, stack: &str) -> Vec<String> {
    clients
        .cloudformation
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap()
        .stacks()[0]
        .notification_arns()
        .to_vec()
}

#[tokio::test]
async fn cloudformation_1_notifies_a_created_or_configured_topic_and_undo_removes_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let stack = seeds::edge::stack_without_notifications(&clients).await;
    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "cloudformation-1-imported.json",
        &stack,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "{note}");
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cloudformation-1-imported.json",
        &stack,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let created = format!("arn:aws:sns:{REGION}:{ACCOUNT}:hubfix-stack-notifications");
    assert_eq!(stack_topics(&clients, &stack).await, [created]);
    let parameters = clients
        .cloudformation
        .describe_stacks()
        .stack_name(&stack)
        .send()
        .await
        .unwrap()
        .stacks()[0]
        .parameters()
        .iter()
        .map(|p| {
            (
                p.parameter_key().unwrap().to_owned(),
                p.parameter_value().unwrap().to_owned(),
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(
        parameters,
        [("Env".to_owned(), "prod".to_owned())],
        "parameters kept"
    );
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps[0].contains("back to the notification topics it had: none"),
        "{steps:?}"
    );
    assert!(stack_topics(&clients, &stack).await.is_empty());

    let ops = clients
        .sns
        .create_topic()
        .name("ops-stack-events")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    let configured = FixSettings {
        cloudformation_notification_topic: ops.clone(),
        ..FixSettings::default()
    };
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "cloudformation-1-imported.json",
        &stack,
        auto(configured),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(stack_topics(&clients, &stack).await, [ops]);
}
