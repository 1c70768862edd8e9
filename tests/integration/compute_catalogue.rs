//! The compute services catalogue against the emulator: Lambda.1, CodeBuild.1,
//! CodeBuild.2, CodeBuild.5, ELB.1, ELB.6, and the encryption controls that are manual
//! (EFS.1, EC2.3).

use aws_sdk_elasticloadbalancingv2::types::{Action, LoadBalancerAttribute};
use hubfix::aws::Clients;
use hubfix::error::FixError;
use hubfix::policy::Mode;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{
    codebuild_project_with_credentials, run_event, undo_outcome, unique, Emulator, ACCOUNT,
    PLAINTEXT_KEY_ID, PLAINTEXT_SECRET_KEY, REGION,
};
use serde_json::Value;

fn auto() -> Policy {
    Policy {
        default_mode: Some(Mode::Auto),
        settings: FixSettings::default(),
        ..Policy::default()
    }
}

async fn statements(clients: &Clients, function: &str) -> Vec<Value> {
    let policy = clients
        .lambda
        .get_policy()
        .function_name(function)
        .send()
        .await
        .unwrap();
    let policy: Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let mut statements = policy["Statement"].as_array().unwrap().clone();
    statements.sort_by_key(|s| s["Sid"].as_str().unwrap_or_default().to_owned());
    statements
}

#[tokio::test]
async fn lambda_1_removes_public_invoke_limits_s3_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (name, arn) = seeds::compute::public_function(&clients).await;
    let before = statements(&clients, &name).await;

    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "lambda-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    let (outcome, status, note) =
        run_event(&emulator, &clients, "lambda-1-imported.json", &arn, auto()).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("removed statement public"), "{note}");
    assert!(note.contains("limited statement s3-trigger"), "{note}");
    let after = statements(&clients, &name).await;
    let sids: Vec<_> = after.iter().map(|s| s["Sid"].as_str().unwrap()).collect();
    assert_eq!(sids, ["partner", "s3-trigger"]);
    assert_eq!(
        after[1]["Condition"]["StringEquals"]["AWS:SourceAccount"],
        ACCOUNT
    );
    assert_eq!(after[0], before[0], "the partner's grant is untouched");

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(statements(&clients, &name).await, before);
}

#[tokio::test]
async fn codebuild_2_names_the_variables_never_their_values_and_cannot_be_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let name = unique("release-build");
    let arn = codebuild_project_with_credentials(&clients, &name).await;

    let dry = Policy {
        dry_run: true,
        ..auto()
    };
    let (planned, status, note) =
        run_event(&emulator, &clients, "codebuild-2-imported.json", &arn, dry).await;
    assert_eq!(planned.kind, OutcomeKind::DryRun, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(
        note.contains("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"),
        "{note}"
    );

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "codebuild-2-imported.json",
        &arn,
        auto(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let recorded = serde_json::to_string(&(
        &outcome.note,
        &outcome.before,
        &outcome.after,
        &outcome.plan,
        &outcome.changes,
        &planned.note,
        &planned.before,
    ))
    .unwrap();
    for value in [PLAINTEXT_KEY_ID, PLAINTEXT_SECRET_KEY] {
        assert!(
            !note.contains(value) && !recorded.contains(value),
            "{recorded}"
        );
    }
    let project = clients
        .codebuild
        .batch_get_projects()
        .names(&name)
        .send()
        .await
        .unwrap();
    let variables = project.projects()[0]
        .environment()
        .unwrap()
        .environment_variables();
    let names: Vec<_> = variables.iter().map(|v| (v.name(), v.value())).collect();
    assert_eq!(names, [("STAGE", "prod")]);

    let err = undo_outcome(&clients, &outcome).await.unwrap_err();
    assert!(matches!(err, FixError::Irreversible(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("AWS_SECRET_ACCESS_KEY") && !text.contains(PLAINTEXT_SECRET_KEY),
        "{text}"
    );
}

/// A fresh emulator and a [`seeds::compute::load_balancer`]; returns the load
/// balancer's and the listener's ARNs.
async fn load_balancer() -> (Emulator, Clients, String, String) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (lb, listener) = seeds::compute::load_balancer(&clients).await;
    (emulator, clients, lb, listener)
}

async fn default_actions(clients: &Clients, lb: &str, port: i32) -> Vec<Action> {
    let out = clients
        .elbv2
        .describe_listeners()
        .load_balancer_arn(lb)
        .send()
        .await
        .unwrap();
    out.listeners()
        .iter()
        .find(|l| l.port() == Some(port))
        .unwrap()
        .default_actions()
        .to_vec()
}

#[tokio::test]
async fn elb_1_needs_an_https_listener_then_redirects_and_undoes() {
    let (emulator, clients, lb, _) = load_balancer().await;
    let forwarding = default_actions(&clients, &lb, 80).await;
    let (manual, status, note) =
        run_event(&emulator, &clients, "elb-1-imported.json", &lb, auto()).await;
    assert_eq!(manual.kind, OutcomeKind::Manual, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("no HTTPS listener"), "{note}");

    let group = forwarding[0].target_group_arn().unwrap().to_owned();
    seeds::compute::https_listener(&clients, &lb, &group).await;

    let (refused, _, note) = run_event(
        &emulator,
        &clients,
        "elb-1-imported.json",
        &lb,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    let (outcome, status, note) =
        run_event(&emulator, &clients, "elb-1-imported.json", &lb, auto()).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let redirect = default_actions(&clients, &lb, 80).await;
    let config = redirect[0].redirect_config().unwrap();
    assert_eq!(
        (config.protocol(), config.port()),
        (Some("HTTPS"), Some("443"))
    );
    assert_eq!(
        default_actions(&clients, &lb, 443).await[0].target_group_arn(),
        Some(group.as_str()),
        "the HTTPS listener is untouched"
    );

    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(default_actions(&clients, &lb, 80).await, forwarding);
}

#[tokio::test]
async fn elb_6_deletion_protection_on_and_undone() {
    let (emulator, clients, lb, _) = load_balancer().await;
    let protection = |clients: Clients, lb: String| async move {
        clients
            .elbv2
            .describe_load_balancer_attributes()
            .load_balancer_arn(lb)
            .send()
            .await
            .unwrap()
            .attributes()
            .iter()
            .find(|a| a.key() == Some("deletion_protection.enabled"))
            .and_then(LoadBalancerAttribute::value)
            .map(str::to_owned)
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "elb-6-imported.json",
        &lb,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(
        protection(clients.clone(), lb.clone()).await.as_deref(),
        Some("true")
    );
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        protection(clients.clone(), lb.clone()).await.as_deref(),
        Some("false")
    );
}

#[tokio::test]
async fn efs_1_efs_8_and_ec2_3_encryption_is_manual_with_the_steps() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let cases = [
        (
            "efs-1-imported.json",
            format!(
                "arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-0123456789abcdef0"
            ),
            "EFS file system cannot be encrypted",
        ),
        (
            "efs-8-imported.json",
            format!(
                "arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-0fedcba9876543210"
            ),
            "EFS file system cannot be encrypted",
        ),
        (
            "ec2-3-imported.json",
            format!("arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-0a1b2c3d4e5f67890"),
            "EBS volume cannot be encrypted in place",
        ),
    ];
    for (file, resource, steps) in cases {
        let (outcome, status, note) =
            run_event(&emulator, &clients, file, &resource, Policy::default()).await;
        assert_eq!(outcome.kind, OutcomeKind::Manual, "{file}: {note}");
        assert_eq!(status, "NOTIFIED");
        assert!(note.contains(steps), "{note}");
    }
}

/// A project as the emulator holds it.
async fn codebuild_project(clients: &Clients, name: &str) -> aws_sdk_codebuild::types::Project {
    clients
        .codebuild
        .batch_get_projects()
        .names(name)
        .send()
        .await
        .unwrap()
        .projects()[0]
        .clone()
}

#[tokio::test]
async fn codebuild_5_privileged_mode_off_on_approval_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (arn, name) = seeds::compute::bitbucket_project(&clients).await;
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "codebuild-5-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval-only: {note}");
    let before = codebuild_project(&clients, &name).await;
    assert_eq!(before.environment().unwrap().privileged_mode(), Some(true));

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "codebuild-5-imported.json",
        &arn,
        auto(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let after = codebuild_project(&clients, &name).await;
    let environment = after.environment().unwrap();
    assert_eq!(environment.privileged_mode(), Some(false));
    assert_eq!(environment.image(), before.environment().unwrap().image());
    assert_eq!(after.source(), before.source(), "the source is not touched");

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(steps[0].contains("privileged mode"), "{steps:?}");
    let undone = codebuild_project(&clients, &name).await;
    assert_eq!(undone.environment().unwrap().privileged_mode(), Some(true));
}

#[tokio::test]
async fn codebuild_1_strips_the_source_url_credentials_never_writing_them_and_cannot_be_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (arn, name) = seeds::compute::bitbucket_project(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "codebuild-1-imported.json",
        &arn,
        auto(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("https://bitbucket.org/acme/app.git"),
        "{note}"
    );
    let recorded = serde_json::to_string(&(
        &outcome.note,
        &outcome.before,
        &outcome.after,
        &outcome.plan,
        &outcome.changes,
    ))
    .unwrap();
    let token = seeds::compute::SOURCE_URL_TOKEN;
    assert!(
        !note.contains(token) && !recorded.contains(token),
        "{recorded}"
    );
    let project = codebuild_project(&clients, &name).await;
    assert_eq!(
        project.source().unwrap().location(),
        Some("https://bitbucket.org/acme/app.git")
    );
    assert_eq!(
        project.environment().unwrap().privileged_mode(),
        Some(true),
        "nothing else changed"
    );

    let err = undo_outcome(&clients, &outcome).await.unwrap_err();
    assert!(matches!(err, FixError::Irreversible(_)), "{err}");
    assert!(!err.to_string().contains(token));
}
