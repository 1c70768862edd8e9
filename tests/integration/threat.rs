//! Threat playbooks on GuardDuty's and Macie's findings, against the emulator: contain
//! an instance, quarantine credentials, block a public bucket; each verified, undone,
//! and held back by its mode, its least severity, dry run and the exemption tag.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;
use hubfix::policy::Mode;
use hubfix::remediate::ec2::contain::CONTAINED_TAG;
use hubfix::remediate::ec2::isolate::{ISOLATION_GROUP_NAME, SNAPSHOT_SOURCE_TAG};
use hubfix::remediate::iam::quarantine::REVOKE_POLICY_NAME;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::threat::{role, serving_instance, ServingInstance};
use hubfix_tests::seeds::{ec2_arn, iam::user_with_keys, s3};
use hubfix_tests::{
    as_remediate_action, event, finding_state, import, undo_outcome, unique, Emulator,
};
use serde_json::{json, Value};

/// A policy with these playbooks' modes.
fn modes(pairs: &[(&str, Mode)]) -> Policy {
    Policy {
        modes: pairs
            .iter()
            .map(|(id, mode)| ((*id).to_owned(), *mode))
            .collect::<BTreeMap<_, _>>(),
        ..Policy::default()
    }
}

/// A sample event aimed at a resource: a new finding id, the first resource of
/// `resource_type` renamed to `id`, its details replaced by `details` (or removed).
fn aimed(file: &str, resource_type: &str, id: &str, details: Option<Value>) -> Value {
    let mut ev = event(file);
    let tag = unique("t");
    for f in ev["detail"]["findings"].as_array_mut().expect("findings") {
        let finding_id = f["Id"].as_str().expect("Id").to_owned();
        f["Id"] = Value::String(format!("{finding_id}-{tag}"));
        let resource = f["Resources"]
            .as_array_mut()
            .expect("resources")
            .iter_mut()
            .find(|r| r["Type"] == resource_type)
            .expect("a resource of the type");
        resource["Id"] = Value::String(id.to_owned());
        let object = resource.as_object_mut().expect("a resource object");
        object.remove("Details");
        if let Some(d) = &details {
            object.insert("Details".into(), d.clone());
        }
    }
    ev
}

async fn run(emulator: &Emulator, ev: &Value, policy: Policy) -> (hubfix::Outcome, String, String) {
    let clients = emulator.clients().await;
    import(&clients, ev).await;
    let report = emulator.engine(policy).await.handle_json(ev).await.unwrap();
    let outcome = report.outcomes[0].clone();
    let (status, note) = finding_state(&clients, &outcome.finding_id).await;
    (outcome, status, note.unwrap_or_default())
}

/// The instance as a test checks it.
#[derive(Debug, PartialEq)]
struct Seen {
    groups: Vec<String>,
    protected: bool,
    lifecycle: String,
    direct_target: String,
    profile: bool,
    contained_for: Option<String>,
}

async fn seen(clients: &hubfix::aws::Clients, s: &ServingInstance) -> Seen {
    let described = clients
        .ec2
        .describe_instances()
        .instance_ids(&s.instance)
        .send()
        .await
        .unwrap();
    let instance = &described.reservations()[0].instances()[0];
    let protected = clients
        .ec2
        .describe_instance_attribute()
        .instance_id(&s.instance)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::DisableApiTermination)
        .send()
        .await
        .unwrap()
        .disable_api_termination()
        .and_then(|v| v.value())
        .unwrap_or(false);
    let lifecycle = clients
        .autoscaling
        .describe_auto_scaling_instances()
        .instance_ids(&s.instance)
        .send()
        .await
        .unwrap()
        .auto_scaling_instances()[0]
        .lifecycle_state()
        .unwrap()
        .to_owned();
    let health = clients
        .elbv2
        .describe_target_health()
        .target_group_arn(&s.direct_target_group)
        .targets(
            aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                .id(&s.instance)
                .port(8080)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let direct_target = health.target_health_descriptions()[0]
        .target_health()
        .and_then(|h| h.state())
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let profile = !clients
        .ec2
        .describe_iam_instance_profile_associations()
        .filters(
            Filter::builder()
                .name("instance-id")
                .values(&s.instance)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .iam_instance_profile_associations()
        .is_empty();
    Seen {
        groups: instance
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect(),
        protected,
        lifecycle,
        direct_target,
        profile,
        contained_for: instance
            .tags()
            .iter()
            .find(|t| t.key() == Some(CONTAINED_TAG))
            .and_then(|t| t.value().map(str::to_owned)),
    }
}

async fn isolation_group(clients: &hubfix::aws::Clients) -> String {
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
        .security_groups()[0]
        .group_id()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn contain_keeps_the_evidence_cuts_the_instance_off_and_undo_puts_it_back() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let s = serving_instance(&clients).await;
    let before = seen(&clients, &s).await;
    assert_eq!(
        before,
        Seen {
            groups: s.groups.clone(),
            protected: false,
            lifecycle: "InService".into(),
            direct_target: "healthy".into(),
            profile: true,
            contained_for: None,
        }
    );
    let ev = aimed(
        "guardduty-backdoor-ec2-imported.json",
        "AwsEc2Instance",
        &ec2_arn("instance", &s.instance),
        None,
    );
    let policy = modes(&[("ContainInstance", Mode::Auto)]);
    let (outcome, status, note) = run(&emulator, &ev, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
    assert_eq!(outcome.rule.as_deref(), Some("ContainInstance"));
    assert_eq!(
        status, "NOTIFIED",
        "contained is not resolved: a person investigates"
    );
    assert!(note.contains("turned on termination protection"), "{note}");
    assert!(note.contains("investigate the instance"), "{note}");

    let after = seen(&clients, &s).await;
    assert_eq!(
        after,
        Seen {
            groups: vec![isolation_group(&clients).await],
            protected: true,
            lifecycle: "Standby".into(),
            direct_target: "unused".into(),
            profile: false,
            contained_for: Some(outcome.finding_id.clone()),
        }
    );
    let snapshots = clients
        .ec2
        .describe_snapshots()
        .filters(
            Filter::builder()
                .name(format!("tag:{SNAPSHOT_SOURCE_TAG}"))
                .values(&s.instance)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let snapshot = snapshots.snapshots()[0].snapshot_id().unwrap();
    assert!(
        outcome
            .reports
            .contains(&format!("forensic snapshots {snapshot}")),
        "the audit record names the evidence: {:?}",
        outcome.reports
    );
    let evidence = serde_json::to_string(&outcome.plan).unwrap();
    assert!(
        evidence.contains("RemoveProfile"),
        "the audit record names each step: {evidence}"
    );

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s.starts_with("kept the forensic snapshots")),
        "{steps:?}"
    );
    assert_eq!(seen(&clients, &s).await, before, "{steps:?}");
}

#[tokio::test]
async fn containment_waits_for_an_analyst_unless_opted_in_and_severe_enough() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let s = serving_instance(&clients).await;
    let arn = ec2_arn("instance", &s.instance);
    let before = seen(&clients, &s).await;

    let ev = aimed(
        "guardduty-backdoor-ec2-imported.json",
        "AwsEc2Instance",
        &arn,
        None,
    );
    let (outcome, status, note) = run(&emulator, &ev, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("ContainInstance is approval-only"), "{note}");
    assert!(note.contains("Contain custom action"), "{note}");

    let mut medium = aimed(
        "guardduty-backdoor-ec2-imported.json",
        "AwsEc2Instance",
        &arn,
        None,
    );
    medium["detail"]["findings"][0]["Severity"] = json!({"Label": "MEDIUM", "Normalized": 50});
    let policy = modes(&[("ContainInstance", Mode::Auto)]);
    let (outcome, _, note) = run(&emulator, &medium, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert!(note.contains("severity (MEDIUM) is below HIGH"), "{note}");
    assert_eq!(seen(&clients, &s).await, before, "nothing changed");

    let action = aimed("custom-action-contain.json", "AwsEc2Instance", &arn, None);
    let (outcome, status, note) = run(&emulator, &action, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(seen(&clients, &s).await.protected);
}

#[tokio::test]
async fn dry_run_and_the_exemption_tag_change_nothing() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let s = serving_instance(&clients).await;
    let arn = ec2_arn("instance", &s.instance);
    let before = seen(&clients, &s).await;

    let ev = aimed("custom-action-contain.json", "AwsEc2Instance", &arn, None);
    let dry = Policy {
        dry_run: true,
        ..Policy::default()
    };
    let (outcome, _, note) = run(&emulator, &ev, dry).await;
    assert_eq!(outcome.kind, OutcomeKind::DryRun, "{note}");
    assert!(note.contains("would have"), "{note}");
    assert!(
        outcome.note.contains("removed its instance profile"),
        "{}",
        outcome.note
    );

    let mut exempt = aimed("custom-action-contain.json", "AwsEc2Instance", &arn, None);
    exempt["detail"]["findings"][0]["Resources"][0]["Tags"] = json!({"hubfix:exempt": "true"});
    let (outcome, _, note) = run(&emulator, &exempt, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Exempt, "{note}");
    assert_eq!(seen(&clients, &s).await, before);
}

async fn key_status(clients: &hubfix::aws::Clients, user: &str) -> String {
    clients
        .iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .access_key_metadata()[0]
        .status()
        .unwrap()
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn quarantine_deactivates_a_users_key_denies_older_sessions_and_undoes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, keys) = user_with_keys(&clients, 1).await;
    let id = format!("AWS::IAM::AccessKey:{}", keys[0]);
    let ev = aimed(
        "custom-action-quarantine.json",
        "AwsIamAccessKey",
        &id,
        None,
    );
    let (outcome, status, note) = run(&emulator, &ev, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(
        note.contains(&format!("deactivated access key {}", keys[0])),
        "{note}"
    );
    assert_eq!(key_status(&clients, &user).await, "Inactive");
    let policy = clients
        .iam
        .get_user_policy()
        .user_name(&user)
        .policy_name(REVOKE_POLICY_NAME)
        .send()
        .await
        .unwrap();
    let document: Value = serde_json::from_str(&hubfix::remediate::iam::percent_decode(
        policy.policy_document(),
    ))
    .unwrap();
    assert_eq!(document["Statement"][0]["Effect"], "Deny");
    assert!(
        document["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"].is_string()
    );

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert_eq!(key_status(&clients, &user).await, "Active");
    assert!(clients
        .iam
        .get_user_policy()
        .user_name(&user)
        .policy_name(REVOKE_POLICY_NAME)
        .send()
        .await
        .is_err());
}

fn session_of(role: &str) -> Value {
    json!({"AwsIamAccessKey": {
        "PrincipalId": "AROAEXAMPLEROLEID1234:i-0abcdef1234567890",
        "PrincipalType": "AssumedRole",
        "PrincipalName": role
    }})
}

#[tokio::test]
async fn quarantine_revokes_a_roles_sessions_and_refuses_roles_iam_cannot_change() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let role_name = role(&clients, "web-instance-role", "/").await;
    let key = "AWS::IAM::AccessKey:ASIASR75JUREFGK6G3JJ";
    let ev = aimed(
        "guardduty-credential-exfiltration-imported.json",
        "AwsIamAccessKey",
        key,
        Some(session_of(&role_name)),
    );
    let policy = modes(&[("QuarantineCredentials", Mode::Auto)]);
    let (outcome, _, note) = run(&emulator, &ev, policy.clone()).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert!(
        note.contains(&format!("denied every session of role {role_name}")),
        "{note}"
    );
    assert!(clients
        .iam
        .get_role_policy()
        .role_name(&role_name)
        .policy_name(REVOKE_POLICY_NAME)
        .send()
        .await
        .is_ok());
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "deleted the inline policy {REVOKE_POLICY_NAME} of role {role_name}"
        )]
    );

    let linked = role(
        &clients,
        "AWSServiceRoleForTest",
        "/aws-service-role/test.amazonaws.com/",
    )
    .await;
    let ev = aimed(
        "guardduty-credential-exfiltration-imported.json",
        "AwsIamAccessKey",
        key,
        Some(session_of(&linked)),
    );
    let (outcome, _, note) = run(&emulator, &ev, policy.clone()).await;
    assert_eq!(outcome.kind, OutcomeKind::Manual, "{note}");
    assert!(note.contains("service-linked"), "{note}");

    let root = json!({"AwsIamAccessKey": {"PrincipalType": "Root", "PrincipalName": "Root"}});
    let ev = aimed(
        "guardduty-credential-exfiltration-imported.json",
        "AwsIamAccessKey",
        key,
        Some(root),
    );
    let (outcome, _, note) = run(&emulator, &ev, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Manual, "{note}");
    assert!(note.contains("root user"), "{note}");
}

#[tokio::test]
async fn an_exposed_bucket_is_blocked_automatically_and_samples_are_left_alone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    for file in [
        "guardduty-s3-public-access-imported.json",
        "macie-s3-bucket-public-imported.json",
    ] {
        let bucket = s3::bucket(&clients, "exposed").await;
        let ev = aimed(file, "AwsS3Bucket", &format!("arn:aws:s3:::{bucket}"), None);
        let (outcome, status, note) = run(&emulator, &ev, Policy::default()).await;
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{file}: {note}");
        assert_eq!(outcome.rule.as_deref(), Some("BlockPublicBucket"));
        assert_eq!(status, "RESOLVED", "{file}");
        let pab = clients
            .s3
            .get_public_access_block()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let c = pab.public_access_block_configuration().unwrap();
        assert_eq!(
            (
                c.block_public_acls(),
                c.ignore_public_acls(),
                c.block_public_policy(),
                c.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true)),
            "{file}"
        );
    }

    let bucket = s3::bucket(&clients, "sample").await;
    let mut sample = aimed(
        "macie-s3-bucket-public-imported.json",
        "AwsS3Bucket",
        &format!("arn:aws:s3:::{bucket}"),
        None,
    );
    sample["detail"]["findings"][0]["Sample"] = json!(true);
    let (outcome, _, note) = run(&emulator, &sample, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert!(note.contains("it is a sample"), "{note}");
    assert!(
        clients
            .s3
            .get_public_access_block()
            .bucket(&bucket)
            .send()
            .await
            .is_err(),
        "the sample's bucket is untouched"
    );
}

#[tokio::test]
async fn a_guardduty_type_without_a_playbook_gets_a_note() {
    let emulator = Emulator::start().await;
    let mut ev = aimed(
        "guardduty-backdoor-ec2-imported.json",
        "AwsEc2Instance",
        &ec2_arn("instance", "i-0123456789abcdef0"),
        None,
    );
    ev["detail"]["findings"][0]["Types"] =
        json!(["TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"]);
    as_remediate_action(&mut ev);
    let (outcome, status, note) = run(&emulator, &ev, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Unsupported, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(
        note.contains(
            "no playbook for this GuardDuty finding type (`UnauthorizedAccess:EC2-SSHBruteForce`)"
        ),
        "{note}"
    );
}

/// An Access Analyzer finding about a resource of another type than the sample's.
fn external_access(resource_type: &str, id: &str, principal: &str) -> Value {
    let mut ev = aimed(
        "access-analyzer-s3-cross-account-imported.json",
        "AwsS3Bucket",
        id,
        Some(
            json!({"Other": {"External Principal Type": "AWS", "Condition": "none",
            "Action Granted": "sqs:SendMessage", "External Principal": principal}}),
        ),
    );
    ev["detail"]["findings"][0]["Resources"][0]["Type"] = json!(resource_type);
    ev
}

async fn bucket_policy(clients: &hubfix::aws::Clients, bucket: &str) -> Value {
    let out = clients
        .s3
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    serde_json::from_str(out.policy().unwrap()).unwrap()
}

#[tokio::test]
async fn external_access_is_revoked_for_the_named_principal_only_and_undone() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = s3::bucket(&clients, "partner-exports").await;
    let arn = format!("arn:aws:s3:::{bucket}");
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": format!("{arn}/*")},
        {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "s3:GetObject", "Resource": format!("{arn}/*")}
    ]});
    s3::put_policy(&clients, &bucket, &policy.to_string()).await;

    let ev = aimed(
        "access-analyzer-s3-cross-account-imported.json",
        "AwsS3Bucket",
        &arn,
        Some(
            json!({"Other": {"External Principal Type": "AWS", "External Principal": "444455556666"}}),
        ),
    );
    let (outcome, _, note) = run(&emulator, &ev, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert!(
        note.contains("RevokeExternalAccess is approval-only"),
        "{note}"
    );
    assert!(note.contains("Remediate custom action"), "{note}");
    assert_eq!(bucket_policy(&clients, &bucket).await, policy);

    let mut approved = ev.clone();
    as_remediate_action(&mut approved);
    let (outcome, status, note) = run(&emulator, &approved, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("removed the grants to 444455556666 from the policy"),
        "{note}"
    );
    let now = bucket_policy(&clients, &bucket).await;
    assert_eq!(now["Statement"].as_array().unwrap().len(), 1);
    assert_eq!(now["Statement"][0]["Sid"], "Reader");
    undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(bucket_policy(&clients, &bucket).await, policy);

    let (queue, url, queue_policy) = hubfix_tests::seeds::policies::public_queue(&clients).await;
    let read_queue = || async {
        let out = clients
            .sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::Policy)
            .send()
            .await
            .unwrap();
        let text =
            out.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::Policy].clone();
        serde_json::from_str::<Value>(&text).unwrap()
    };
    for (principal, gone) in [("111122223333", "PartnerSends"), ("*", "AnyoneSends")] {
        let mut ev = external_access("AwsSqsQueue", &queue, principal);
        as_remediate_action(&mut ev);
        let (outcome, _, note) = run(&emulator, &ev, Policy::default()).await;
        assert_eq!(outcome.kind, OutcomeKind::Remediated, "{principal}: {note}");
        let sids: Vec<Value> = read_queue().await["Statement"]
            .as_array()
            .map(|s| s.iter().map(|st| st["Sid"].clone()).collect())
            .unwrap_or_default();
        assert!(!sids.contains(&json!(gone)), "{principal}: {sids:?}");
        undo_outcome(&clients, &outcome).await.unwrap();
        assert_eq!(read_queue().await, queue_policy, "{principal}");
    }

    let mut unnamed = aimed(
        "access-analyzer-s3-cross-account-imported.json",
        "AwsS3Bucket",
        &arn,
        None,
    );
    as_remediate_action(&mut unnamed);
    let (outcome, _, note) = run(&emulator, &unnamed, Policy::default()).await;
    assert_eq!(outcome.kind, OutcomeKind::Manual, "{note}");
    assert!(
        note.contains("does not name the external principal"),
        "{note}"
    );
}

#[tokio::test]
async fn an_exploitable_vulnerability_on_a_public_instance_is_contained_and_others_noted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let s = serving_instance(&clients).await;
    let before = seen(&clients, &s).await;
    let inspector_arn = format!("arn:aws:ec2:us-east-1:123456789012:{}", s.instance);
    let public = json!({"AwsEc2Instance": {"IpV4Addresses": ["172.31.18.40", "54.161.200.17"]}});
    let policy = modes(&[("ContainVulnerableInstance", Mode::Auto)]);

    let mut no_exploit = aimed(
        "inspector-ec2-cve-imported.json",
        "AwsEc2Instance",
        &inspector_arn,
        Some(public.clone()),
    );
    no_exploit["detail"]["findings"][0]["Vulnerabilities"][0]["ExploitAvailable"] = json!("NO");
    let (outcome, status, note) = run(&emulator, &no_exploit, policy.clone()).await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(
        note.contains(
            "openssh-server 8.7p1, fixed in 0:8.7p1-8.amzn2023.0.11 (dnf update openssh-server)"
        ),
        "{note}"
    );
    assert!(note.contains("no exploit is known"), "{note}");
    assert_eq!(seen(&clients, &s).await, before);

    let private = json!({"AwsEc2Instance": {"IpV4Addresses": ["172.31.18.40"]}});
    let ev = aimed(
        "inspector-ec2-cve-imported.json",
        "AwsEc2Instance",
        &inspector_arn,
        Some(private),
    );
    let (outcome, _, note) = run(&emulator, &ev, policy.clone()).await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert!(note.contains("no public IPv4 address"), "{note}");

    let ev = aimed(
        "inspector-ec2-cve-imported.json",
        "AwsEc2Instance",
        &inspector_arn,
        Some(public),
    );
    let (outcome, status, note) = run(&emulator, &ev, policy).await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(outcome.rule.as_deref(), Some("ContainVulnerableInstance"));
    assert_eq!(status, "NOTIFIED");
    let after = seen(&clients, &s).await;
    assert!(
        after.protected && !after.profile && after.lifecycle == "Standby",
        "{after:?}"
    );
}
