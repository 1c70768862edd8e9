//! The IsolateInstance custom action: isolation group with no rules, created once per
//! VPC and reused; original groups kept in a tag; volumes snapshotted; instance tagged.

use aws_sdk_ec2::types::Filter;
use hubfix::remediate::ec2::isolate::{
    ISOLATED_TAG, ISOLATION_GROUP_NAME, ORIGINAL_GROUPS_TAG, SNAPSHOT_SOURCE_TAG,
};
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::{event, finding_state, import, retarget, unique, Emulator, ACCOUNT, REGION};

/// An instance in the default VPC with two security groups; returns (instance, groups).
pub(crate) async fn running_instance(clients: &hubfix::aws::Clients) -> (String, Vec<String>) {
    let mut groups = Vec::new();
    for _ in 0..2 {
        let out = clients
            .ec2
            .create_security_group()
            .group_name(unique("web"))
            .description("web tier")
            .send()
            .await
            .unwrap();
        groups.push(out.group_id().unwrap().to_owned());
    }
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
    let out = clients
        .ec2
        .run_instances()
        .image_id(image)
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .set_security_group_ids(Some(groups.clone()))
        .send()
        .await
        .unwrap();
    (out.instances()[0].instance_id().unwrap().to_owned(), groups)
}

pub(crate) fn instance_arn(instance_id: &str) -> String {
    format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}")
}

async fn isolation_groups(
    clients: &hubfix::aws::Clients,
) -> Vec<aws_sdk_ec2::types::SecurityGroup> {
    clients
        .ec2
        .describe_security_groups()
        .filters(
            Filter::builder()
                .name("group-name")
                .values(ISOLATION_GROUP_NAME)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .security_groups()
        .to_vec()
}

#[tokio::test]
async fn isolates_an_instance_and_reuses_the_isolation_group() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let engine = emulator.engine(Policy::default()).await;
    let (first, original_groups) = running_instance(&clients).await;
    let (second, _) = running_instance(&clients).await;

    let mut outcomes = Vec::new();
    for instance in [&first, &second] {
        let mut ev = event("custom-action-isolate-instance.json");
        retarget(&mut ev, &instance_arn(instance), instance);
        import(&clients, &ev).await;
        let report = engine.handle_json(&ev).await.unwrap();
        let outcome = report.outcomes[0].clone();
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
        let (status, note) = finding_state(&clients, &outcome.finding_id).await;
        assert_eq!(status, "RESOLVED");
        assert!(note.unwrap().contains("isolation group hubfix-isolation"));
        outcomes.push(outcome);
    }

    let groups = isolation_groups(&clients).await;
    assert_eq!(groups.len(), 1, "one isolation group per VPC, reused");
    let iso = &groups[0];
    assert!(iso.ip_permissions().is_empty(), "no inbound rules");
    assert!(iso.ip_permissions_egress().is_empty(), "no outbound rules");

    let described = clients
        .ec2
        .describe_instances()
        .instance_ids(&first)
        .send()
        .await
        .unwrap();
    let instance = &described.reservations()[0].instances()[0];
    let now: Vec<_> = instance
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    assert_eq!(now, [iso.group_id().unwrap()]);
    let tag = |key: &str| {
        instance
            .tags()
            .iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value())
            .map(str::to_owned)
    };
    assert_eq!(tag(ORIGINAL_GROUPS_TAG), Some(original_groups.join(",")));
    assert_eq!(tag(ISOLATED_TAG).as_deref(), Some("true"));

    let volumes: Vec<_> = instance
        .block_device_mappings()
        .iter()
        .filter_map(|b| b.ebs().and_then(|e| e.volume_id()))
        .collect();
    assert!(!volumes.is_empty());
    let snapshots = clients
        .ec2
        .describe_snapshots()
        .filters(
            Filter::builder()
                .name(format!("tag:{SNAPSHOT_SOURCE_TAG}"))
                .values(&first)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let snapshotted: Vec<_> = snapshots
        .snapshots()
        .iter()
        .filter_map(|s| s.volume_id())
        .collect();
    assert_eq!(snapshotted, volumes);

    let mut again = event("custom-action-isolate-instance.json");
    retarget(&mut again, &instance_arn(&first), &unique("again"));
    import(&clients, &again).await;
    let report = engine.handle_json(&again).await.unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::AlreadyCompliant);
}

#[tokio::test]
async fn a_finding_without_an_instance_cannot_be_isolated() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let mut ev = event("custom-action-isolate-instance.json");
    retarget(
        &mut ev,
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
        &unique("gone"),
    );
    ev["detail"]["findings"][0]["Resources"][0]["Type"] = "AwsS3Bucket".into();
    import(&clients, &ev).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Failed);
    let (status, note) = finding_state(&clients, &report.outcomes[0].finding_id).await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("names no AwsEc2Instance resource"));

    let mut gone = event("custom-action-isolate-instance.json");
    retarget(
        &mut gone,
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
        &unique("gone"),
    );
    import(&clients, &gone).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&gone)
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Failed);
    assert!(
        report.outcomes[0].note.contains("no longer exists"),
        "{}",
        report.outcomes[0].note
    );
}
