//! The custom-action binary as Lambda runs it: under the Runtime Interface Emulator,
//! with sample events from `events/`, against the AWS emulator.

use std::path::Path;

use hubfix_tests::{
    codebuild_project_with_credentials, event, finding_state, import, retarget, unique, Emulator,
    Rie, ACCOUNT, PLAINTEXT_KEY_ID, PLAINTEXT_SECRET_KEY, REGION,
};

const BOOTSTRAP: &str = env!("CARGO_BIN_EXE_custom-action");

#[tokio::test]
async fn remediate_fixes_an_approval_only_control() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let mut ev = event("custom-action-remediate.json");
    retarget(
        &mut ev,
        &format!("AWS::::Account:{ACCOUNT}"),
        &unique("remediate"),
    );
    import(&clients, &ev).await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let response = function.invoke(&ev).await;
    assert_eq!(response["summary"]["remediated"], 1, "{response}");
    let pab = clients
        .s3control
        .get_public_access_block()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pab.public_access_block_configuration()
            .unwrap()
            .restrict_public_buckets(),
        Some(true)
    );
    let id = ev["detail"]["findings"][0]["Id"].as_str().unwrap();
    assert_eq!(finding_state(&clients, id).await.0, "RESOLVED");
}

#[tokio::test]
async fn isolate_instance_moves_the_instance_to_the_isolation_group() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = clients
        .ec2
        .create_security_group()
        .group_name(unique("web"))
        .description("web")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    let image = clients
        .ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap()
        .images()[0]
        .image_id()
        .unwrap()
        .to_owned();
    let instance = clients
        .ec2
        .run_instances()
        .image_id(image)
        .min_count(1)
        .max_count(1)
        .security_group_ids(&group)
        .send()
        .await
        .unwrap()
        .instances()[0]
        .instance_id()
        .unwrap()
        .to_owned();
    let mut ev = event("custom-action-isolate-instance.json");
    retarget(
        &mut ev,
        &format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance}"),
        &instance,
    );
    import(&clients, &ev).await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let response = function.invoke(&ev).await;
    assert_eq!(response["summary"]["remediated"], 1, "{response}");
    let described = clients
        .ec2
        .describe_instances()
        .instance_ids(&instance)
        .send()
        .await
        .unwrap();
    let groups: Vec<_> = described.reservations()[0].instances()[0]
        .security_groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(groups, ["hubfix-isolation"]);
}

#[tokio::test]
async fn an_unknown_action_is_noted_not_crashed() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let mut ev = event("custom-action-remediate.json");
    ev["detail"]["actionName"] = "Reboot".into();
    ev["resources"][0] =
        format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Reboot").into();
    retarget(
        &mut ev,
        &format!("AWS::::Account:{ACCOUNT}"),
        &unique("unknown"),
    );
    import(&clients, &ev).await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let response = function.invoke(&ev).await;
    assert_eq!(response["summary"]["unsupported"], 1, "{response}");
    let id = ev["detail"]["findings"][0]["Id"].as_str().unwrap();
    let (status, note) = finding_state(&clients, id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note
        .unwrap()
        .contains("does not know the custom action `Reboot`"));
}

#[tokio::test]
async fn codebuild_credentials_are_removed_and_their_values_never_logged() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let name = unique("release-build");
    let arn = codebuild_project_with_credentials(&clients, &name).await;
    let mut ev = event("codebuild-2-imported.json");
    ev["detail-type"] = "Security Hub Findings - Custom Action".into();
    ev["detail"]["actionName"] = "Remediate".into();
    ev["resources"] = serde_json::json!([format!(
        "arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Remediate"
    )]);
    retarget(&mut ev, &arn, &name);
    import(&clients, &ev).await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[("RUST_LOG", "debug")]).await;
    let response = function.invoke(&ev).await;
    assert_eq!(response["summary"]["remediated"], 1, "{response}");
    let logs = function
        .logs_containing(&["AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"])
        .await;
    let id = ev["detail"]["findings"][0]["Id"].as_str().unwrap();
    let (status, note) = finding_state(&clients, id).await;
    let note = note.unwrap();
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("AWS_SECRET_ACCESS_KEY"), "{note}");
    for value in [PLAINTEXT_KEY_ID, PLAINTEXT_SECRET_KEY] {
        assert!(!logs.contains(value), "a value reached the logs");
        assert!(!note.contains(value) && !response.to_string().contains(value));
    }
}

#[tokio::test]
async fn quarantine_deactivates_the_key_through_the_lambda_runtime() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let user = unique("build-bot");
    clients
        .iam
        .create_user()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    let key = clients
        .iam
        .create_access_key()
        .user_name(&user)
        .send()
        .await
        .unwrap()
        .access_key()
        .unwrap()
        .access_key_id()
        .to_owned();
    let mut ev = event("custom-action-quarantine.json");
    retarget(&mut ev, &format!("AWS::IAM::AccessKey:{key}"), &key);
    import(&clients, &ev).await;
    let function = Rie::start(Path::new(BOOTSTRAP), &emulator, &[]).await;
    let response = function.invoke(&ev).await;
    assert_eq!(response["summary"]["remediated"], 1, "{response}");
    let status = clients
        .iam
        .list_access_keys()
        .user_name(&user)
        .send()
        .await
        .unwrap()
        .access_key_metadata()[0]
        .status()
        .unwrap()
        .as_str()
        .to_owned();
    assert_eq!(status, "Inactive");
}
