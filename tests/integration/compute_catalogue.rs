//! The compute services catalogue against the emulator: Lambda.1, CodeBuild.1,
//! CodeBuild.2, CodeBuild.5, ELB.1, ELB.6, AutoScaling.1, AutoScaling.3, AutoScaling.5, and the encryption controls that are manual
//! (EFS.1, EC2.3).

use aws_sdk_elasticloadbalancingv2::types::{Action, LoadBalancerAttribute};
use hubfix::aws::Clients;
use hubfix::error::FixError;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds;
use hubfix_tests::{
    auto, codebuild_project_with_credentials, run_event, undo_outcome, unique, Emulator, ACCOUNT,
    PLAINTEXT_KEY_ID, PLAINTEXT_SECRET_KEY, REGION,
};
use serde_json::Value;

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
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "lambda-1-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
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
        ..auto(FixSettings::default())
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
        auto(FixSettings::default()),
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
    let (manual, status, note) = run_event(
        &emulator,
        &clients,
        "elb-1-imported.json",
        &lb,
        auto(FixSettings::default()),
    )
    .await;
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
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "elb-1-imported.json",
        &lb,
        auto(FixSettings::default()),
    )
    .await;
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
        auto(FixSettings::default()),
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
        auto(FixSettings::default()),
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

async fn health_check_type(clients: &Clients, group: &str) -> Option<String> {
    clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(group)
        .send()
        .await
        .unwrap()
        .auto_scaling_groups()[0]
        .health_check_type()
        .map(str::to_owned)
}

#[tokio::test]
async fn autoscaling_1_adds_elb_health_checks_on_approval_and_undo_restores_ec2_only() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (group, arn) = seeds::compute::balanced_group_without_elb_checks(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "autoscaling-1-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(status, "NOTIFIED");
    assert_eq!(
        health_check_type(&clients, &group).await.as_deref(),
        Some("EC2")
    );

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "autoscaling-1-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!(
            "set the health check types of Auto Scaling group {group} to EC2,ELB (was EC2; grace period 300 s)"
        )),
        "{note}"
    );
    assert_eq!(
        health_check_type(&clients, &group).await.as_deref(),
        Some("EC2,ELB")
    );
    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "autoscaling-1-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "set the health check types of Auto Scaling group {group} back to EC2"
        )]
    );
    assert_eq!(
        health_check_type(&clients, &group).await.as_deref(),
        Some("EC2")
    );
}

/// A group's launch configuration.
async fn launch_configuration_of(clients: &Clients, group: &str) -> String {
    clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(group)
        .send()
        .await
        .unwrap()
        .auto_scaling_groups()[0]
        .launch_configuration_name()
        .unwrap_or_default()
        .to_owned()
}

/// A launch configuration's IMDS tokens setting, hop limit and public IP setting, `None`
/// when it does not exist.
async fn launch_settings(
    clients: &Clients,
    name: &str,
) -> Option<(Option<String>, Option<i32>, Option<bool>)> {
    let out = clients
        .autoscaling
        .describe_launch_configurations()
        .launch_configuration_names(name)
        .send()
        .await
        .unwrap();
    out.launch_configurations().first().map(|lc| {
        let options = lc.metadata_options();
        (
            options
                .and_then(|o| o.http_tokens())
                .map(|t| t.as_str().to_owned()),
            options.and_then(|o| o.http_put_response_hop_limit()),
            lc.associate_public_ip_address(),
        )
    })
}

#[tokio::test]
async fn autoscaling_3_and_5_move_the_group_to_corrected_copies_leave_the_original_and_undo() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (lc, arn, group) = seeds::compute::imdsv1_public_launch_configuration(&clients).await;
    let seeded = launch_settings(&clients, &lc).await;
    assert_eq!(seeded, Some((Some("optional".into()), Some(2), Some(true))));

    let (refused, status, note) = run_event(
        &emulator,
        &clients,
        "autoscaling-3-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(refused.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(status, "NOTIFIED");

    let (imds, status, note) = run_event(
        &emulator,
        &clients,
        "autoscaling-3-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    let copy = format!("{lc}-imdsv2");
    assert_eq!(imds.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "NOTIFIED", "the original still fails: {note}");
    assert!(
        note.contains(&format!(
            "moved Auto Scaling group {group} to {copy}; verified by reading it back"
        )),
        "{note}"
    );
    assert!(
        note.contains(&format!(
            "Left for a person: once the groups' instances are replaced (they launch from {copy}), delete the original"
        )),
        "{note}"
    );
    assert_eq!(launch_configuration_of(&clients, &group).await, copy);
    assert_eq!(
        launch_settings(&clients, &copy).await,
        Some((Some("required".into()), Some(2), Some(true))),
        "IMDSv2 required, the rest copied"
    );
    assert_eq!(
        launch_settings(&clients, &lc).await,
        seeded,
        "original kept"
    );

    // The group's new launch configuration still gives public IPs: AutoScaling.5 on it
    // makes a copy of the copy, keeping IMDSv2.
    let copy_arn = seeds::compute::launch_configuration_arn(&clients, &copy).await;
    let (public, _, note) = run_event(
        &emulator,
        &clients,
        "autoscaling-5-imported.json",
        &copy_arn,
        auto(FixSettings::default()),
    )
    .await;
    let second = format!("{copy}-no-public-ip");
    assert_eq!(public.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(launch_configuration_of(&clients, &group).await, second);
    assert_eq!(
        launch_settings(&clients, &second).await,
        Some((Some("required".into()), Some(2), Some(false)))
    );

    // The original, now used by no group, gets no copy: only its deletion is left.
    let (unused, status, note) = run_event(
        &emulator,
        &clients,
        "autoscaling-5-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(unused.kind, OutcomeKind::AlreadyCompliant, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("no group launches from it"), "{note}");
    assert_eq!(
        launch_settings(&clients, &format!("{lc}-no-public-ip")).await,
        None
    );

    let steps = undo_outcome(&clients, &public).await.unwrap();
    assert_eq!(
        steps,
        [
            format!("moved Auto Scaling group {group} back to launch configuration {copy} from {second}"),
            format!("deleted launch configuration {second}, which hubfix had created"),
        ]
    );
    undo_outcome(&clients, &imds).await.unwrap();
    assert_eq!(launch_configuration_of(&clients, &group).await, lc);
    assert_eq!(launch_settings(&clients, &copy).await, None);
    assert_eq!(launch_settings(&clients, &lc).await, seeded);
}
