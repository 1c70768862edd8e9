//! The EC2 and VPC catalogue (EC2.1-EC2.25): each fix against the emulator, that it
//! changes only what the control is about, and that the finding is updated.

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, IpPermission, IpRange, PortRange, RuleAction,
};
use hubfix::remediate::ec2::FLOW_LOG_TAG;
use hubfix::settings::FixSettings;
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::{self, ec2_arn};
use hubfix_tests::{
    auto, event, import, retarget, run_event, undo_outcome, unique, Emulator, ACCOUNT, REGION,
};
use serde_json::json;

#[tokio::test]
async fn ec2_1_makes_public_snapshots_private_and_leaves_private_ones() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let volume = clients
        .ec2
        .create_volume()
        .availability_zone(format!("{REGION}a"))
        .size(8)
        .send()
        .await
        .unwrap()
        .volume_id()
        .unwrap()
        .to_owned();
    let mut snapshots = Vec::new();
    for _ in 0..2 {
        let s = clients
            .ec2
            .create_snapshot()
            .volume_id(&volume)
            .send()
            .await
            .unwrap();
        snapshots.push(s.snapshot_id().unwrap().to_owned());
    }
    clients
        .ec2
        .modify_snapshot_attribute()
        .snapshot_id(&snapshots[0])
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .operation_type(aws_sdk_ec2::types::OperationType::Add)
        .group_names("all")
        .send()
        .await
        .unwrap();
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-1-imported.json",
        &format!("AWS::::Account:{ACCOUNT}"),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains(&format!("made snapshot {} private", snapshots[0])),
        "{note}"
    );
    assert!(!note.contains(&snapshots[1]), "{note}");
    for snapshot in &snapshots {
        let attr = clients
            .ec2
            .describe_snapshot_attribute()
            .snapshot_id(snapshot)
            .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
            .send()
            .await
            .unwrap();
        assert!(
            attr.create_volume_permissions().is_empty(),
            "{snapshot} is private"
        );
    }
}

#[tokio::test]
async fn ec2_2_empties_the_default_group_on_approval() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = seeds::ec2::default_group_with_rules(&clients).await;
    let (outcome, status, _) = run_event(
        &emulator,
        &clients,
        "ec2-2-imported.json",
        &ec2_arn("security-group", &group),
        Policy::default(),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Refused,
        "approval-only by default"
    );
    assert_eq!(status, "NOTIFIED");

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-2-imported.json",
        &ec2_arn("security-group", &group),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let after = clients
        .ec2
        .describe_security_groups()
        .group_ids(&group)
        .send()
        .await
        .unwrap();
    assert!(after.security_groups()[0].ip_permissions().is_empty());
    assert!(after.security_groups()[0]
        .ip_permissions_egress()
        .is_empty());
    let before = outcome.before.unwrap().state;
    assert!(before["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["from_port"] == 443));

    let other = clients
        .ec2
        .create_security_group()
        .group_name(unique("app"))
        .description("app")
        .send()
        .await
        .unwrap();
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "ec2-2-imported.json",
        &ec2_arn("security-group", other.group_id().unwrap()),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Failed);
    assert!(note.contains("not a VPC's default group"), "{note}");
}

#[tokio::test]
async fn ec2_4_terminates_a_stopped_instance_only_on_approval_after_snapshots() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let id = seeds::ec2::instance(&clients).await;
    clients
        .ec2
        .stop_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-4-imported.json",
        &ec2_arn("instance", &id),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Refused,
        "never automatic, even with default mode auto: {note}"
    );
    assert_eq!(status, "NOTIFIED");

    let mut action = event("ec2-4-imported.json");
    action["detail-type"] = "Security Hub Findings - Custom Action".into();
    action["detail"]["actionName"] = "Remediate".into();
    action["resources"] = json!([format!(
        "arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Remediate"
    )]);
    retarget(&mut action, &ec2_arn("instance", &id), &unique("approved"));
    import(&clients, &action).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&action)
        .await
        .unwrap();
    assert_eq!(
        report.outcomes[0].kind,
        OutcomeKind::Remediated,
        "{}",
        report.outcomes[0].note
    );
    let state = clients
        .ec2
        .describe_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap()
        .reservations()[0]
        .instances()[0]
        .state()
        .unwrap()
        .name()
        .unwrap()
        .as_str()
        .to_owned();
    assert!(state == "terminated" || state == "shutting-down", "{state}");
    let snapshots = clients
        .ec2
        .describe_snapshots()
        .filters(
            Filter::builder()
                .name("tag:hubfix:final-snapshot-of")
                .values(&id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(
        !snapshots.snapshots().is_empty(),
        "volumes snapshotted before termination"
    );

    let running = seeds::ec2::instance(&clients).await;
    let (outcome, _, _) = run_event(
        &emulator,
        &clients,
        "ec2-4-imported.json",
        &ec2_arn("instance", &running),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused);
}

#[tokio::test]
async fn ec2_6_creates_a_flow_log_to_the_configured_destination() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let vpc = seeds::ec2::default_vpc(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-6-imported.json",
        &ec2_arn("vpc", &vpc),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("set HUBFIX_FLOW_LOG_DESTINATION"), "{note}");

    let bucket = seeds::s3::bucket(&clients, "flow-logs").await;
    let settings = FixSettings {
        flow_log_destination: Some(format!("arn:aws:s3:::{bucket}")),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-6-imported.json",
        &ec2_arn("vpc", &vpc),
        auto(settings),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let logs = clients
        .ec2
        .describe_flow_logs()
        .filter(Filter::builder().name("resource-id").values(&vpc).build())
        .send()
        .await
        .unwrap();
    assert_eq!(logs.flow_logs().len(), 1);
    assert_eq!(
        logs.flow_logs()[0].log_destination(),
        Some(format!("arn:aws:s3:::{bucket}").as_str())
    );
    assert!(
        logs.flow_logs()[0]
            .tags()
            .iter()
            .any(|t| t.key() == Some(FLOW_LOG_TAG) && t.value() == Some(vpc.as_str())),
        "hubfix tags the flow log it creates, so that an undo deletes only its own"
    );
}

#[tokio::test]
async fn ec2_7_turns_on_ebs_encryption_by_default() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-7-imported.json",
        &format!("AWS::::Account:{ACCOUNT}"),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let on = clients
        .ec2
        .get_ebs_encryption_by_default()
        .send()
        .await
        .unwrap();
    assert_eq!(on.ebs_encryption_by_default(), Some(true));
}

#[tokio::test]
async fn ec2_8_requires_imdsv2() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let id = seeds::ec2::instance(&clients).await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-8-imported.json",
        &ec2_arn("instance", &id),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let out = clients
        .ec2
        .describe_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    let options = out.reservations()[0].instances()[0]
        .metadata_options()
        .unwrap();
    assert_eq!(options.http_tokens().map(|t| t.as_str()), Some("required"));
}

#[tokio::test]
async fn ec2_15_turns_off_public_ips_on_launch() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let vpc = seeds::ec2::default_vpc(&clients).await;
    let subnet = clients
        .ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("172.31.200.0/24")
        .send()
        .await
        .unwrap()
        .subnet()
        .unwrap()
        .subnet_id()
        .unwrap()
        .to_owned();
    clients
        .ec2
        .modify_subnet_attribute()
        .subnet_id(&subnet)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-15-imported.json",
        &ec2_arn("subnet", &subnet),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let out = clients
        .ec2
        .describe_subnets()
        .subnet_ids(&subnet)
        .send()
        .await
        .unwrap();
    assert_eq!(out.subnets()[0].map_public_ip_on_launch(), Some(false));
    assert_eq!(out.subnets()[0].cidr_block(), Some("172.31.200.0/24"));
}

#[tokio::test]
async fn ec2_18_keeps_only_the_public_ports_open() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = clients
        .ec2
        .create_security_group()
        .group_name(unique("web"))
        .description("web")
        .send()
        .await
        .unwrap();
    let group = group.group_id().unwrap().to_owned();
    let open = |port: i32, cidr: &str| {
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
            .build()
    };
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(open(443, "0.0.0.0/0"))
        .ip_permissions(open(8080, "0.0.0.0/0"))
        .ip_permissions(open(22, "10.0.0.0/8"))
        .send()
        .await
        .unwrap();
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-18-imported.json",
        &ec2_arn("security-group", &group),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("revoked tcp 8080 from 0.0.0.0/0"), "{note}");
    let after = clients
        .ec2
        .describe_security_groups()
        .group_ids(&group)
        .send()
        .await
        .unwrap();
    let mut ports: Vec<_> = after.security_groups()[0]
        .ip_permissions()
        .iter()
        .filter_map(|p| p.from_port())
        .collect();
    ports.sort();
    assert_eq!(ports, [22, 443]);
}

#[tokio::test]
async fn ec2_21_removes_world_open_admin_entries_from_a_network_acl() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let vpc = seeds::ec2::default_vpc(&clients).await;
    let acl = clients
        .ec2
        .create_network_acl()
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap();
    let acl = acl
        .network_acl()
        .unwrap()
        .network_acl_id()
        .unwrap()
        .to_owned();
    for (rule, port, cidr) in [
        (100, 22, "0.0.0.0/0"),
        (110, 443, "0.0.0.0/0"),
        (120, 3389, "10.0.0.0/8"),
    ] {
        clients
            .ec2
            .create_network_acl_entry()
            .network_acl_id(&acl)
            .rule_number(rule)
            .protocol("6")
            .rule_action(RuleAction::Allow)
            .egress(false)
            .cidr_block(cidr)
            .port_range(PortRange::builder().from(port).to(port).build())
            .send()
            .await
            .unwrap();
    }
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-21-imported.json",
        &ec2_arn("network-acl", &acl),
        Policy::default(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(
        note.contains("removed inbound rule 100 allowing TCP from 0.0.0.0/0"),
        "{note}"
    );
    let out = clients
        .ec2
        .describe_network_acls()
        .network_acl_ids(&acl)
        .send()
        .await
        .unwrap();
    let mut rules: Vec<_> = out.network_acls()[0]
        .entries()
        .iter()
        .filter(|e| e.egress() == Some(false))
        .filter_map(|e| e.rule_number())
        .filter(|n| *n != 32767)
        .collect();
    rules.sort();
    assert_eq!(rules, [110, 120]);
}

/// A Transit Gateway's options as the API reads them back, as a debug string to compare.
async fn gateway_options(clients: &hubfix::aws::Clients, id: &str) -> String {
    let out = clients
        .ec2
        .describe_transit_gateways()
        .transit_gateway_ids(id)
        .send()
        .await
        .unwrap();
    format!("{:?}", out.transit_gateways()[0].options())
}

#[tokio::test]
async fn ec2_23_stops_a_transit_gateway_accepting_shared_attachments_by_itself() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let hub = seeds::ec2::transit_gateway(&clients, true).await;
    let other = seeds::ec2::transit_gateway(&clients, true).await;
    let before = gateway_options(&clients, &hub).await;
    let other_before = gateway_options(&clients, &other).await;
    assert!(before.contains("Enable"), "{before}");

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-23-imported.json",
        &ec2_arn("transit-gateway", &hub),
        Policy::default(),
    )
    .await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Remediated,
        "automatic by default: {note}"
    );
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("auto-accept of shared attachments"), "{note}");
    let after = gateway_options(&clients, &hub).await;
    assert_eq!(
        after,
        before.replace(
            "auto_accept_shared_attachments: Some(Enable)",
            "auto_accept_shared_attachments: Some(Disable)"
        ),
        "only the auto-accept option changes"
    );
    assert_eq!(gateway_options(&clients, &other).await, other_before);

    let (again, _, _) = run_event(
        &emulator,
        &clients,
        "ec2-23-imported.json",
        &ec2_arn("transit-gateway", &hub),
        Policy::default(),
    )
    .await;
    assert_eq!(again.kind, OutcomeKind::AlreadyCompliant);

    hubfix_tests::undo_outcome(&clients, &outcome)
        .await
        .unwrap();
    assert_eq!(gateway_options(&clients, &hub).await, before);
}

/// The profile of an instance, by name, as EC2 reads it back.
async fn instance_profile_of(clients: &hubfix::aws::Clients, id: &str) -> Option<String> {
    let out = clients
        .ec2
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .unwrap();
    out.reservations()[0].instances()[0]
        .iam_instance_profile()
        .and_then(|p| p.arn())
        .map(|arn| arn.rsplit('/').next().unwrap_or_default().to_owned())
}

/// The managed policies attached to a role, by name.
async fn role_policies(clients: &hubfix::aws::Clients, role: &str) -> Vec<String> {
    let out = clients
        .iam
        .list_attached_role_policies()
        .role_name(role)
        .send()
        .await
        .unwrap();
    out.attached_policies()
        .iter()
        .filter_map(|p| p.policy_name().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn ssm_1_gives_the_profile_role_the_ssm_core_policy_on_approval() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let web = seeds::ec2::instance(&clients).await;
    let sibling = seeds::ec2::instance(&clients).await;
    let profile = seeds::ec2::instance_profile(&clients, "web", false).await;
    seeds::ec2::associate_profile(&clients, &web, &profile).await;
    seeds::ec2::associate_profile(&clients, &sibling, &profile).await;

    let (waiting, status, note) = run_event(
        &emulator,
        &clients,
        "ssm-1-imported.json",
        &ec2_arn("instance", &web),
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval-only: {note}");
    assert_eq!(status, "NOTIFIED");
    assert!(role_policies(&clients, &profile).await.is_empty());

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ssm-1-imported.json",
        &ec2_arn("instance", &web),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("every instance with that profile"), "{note}");
    assert_eq!(
        role_policies(&clients, &profile).await,
        ["AmazonSSMManagedInstanceCore"]
    );
    assert_eq!(
        instance_profile_of(&clients, &web).await,
        Some(profile.clone())
    );

    hubfix_tests::undo_outcome(&clients, &outcome)
        .await
        .unwrap();
    assert!(role_policies(&clients, &profile).await.is_empty());
}

#[tokio::test]
async fn ssm_1_associates_the_configured_profile_with_an_instance_that_has_none() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bare = seeds::ec2::instance(&clients).await;
    let managed = seeds::ec2::instance_profile(&clients, "ssm-managed", true).await;

    let (unset, _, note) = run_event(
        &emulator,
        &clients,
        "ssm-1-imported.json",
        &ec2_arn("instance", &bare),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(unset.kind, OutcomeKind::Refused, "{note}");
    assert!(note.contains("HUBFIX_SSM_INSTANCE_PROFILE"), "{note}");
    assert_eq!(instance_profile_of(&clients, &bare).await, None);

    let settings = FixSettings {
        ssm_instance_profile: Some(managed.clone()),
        ..FixSettings::default()
    };
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ssm-1-imported.json",
        &ec2_arn("instance", &bare),
        auto(settings.clone()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert_eq!(
        instance_profile_of(&clients, &bare).await,
        Some(managed.clone())
    );
    assert_eq!(
        role_policies(&clients, &managed).await,
        ["AmazonSSMManagedInstanceCore"],
        "the configured profile's role is not changed"
    );

    hubfix_tests::undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(instance_profile_of(&clients, &bare).await, None);
}

/// The VPC's endpoints that serve: `(id, service, subnets, private DNS, group ids)`.
async fn vpc_endpoints(
    clients: &hubfix::aws::Clients,
    vpc: &str,
) -> Vec<(String, String, usize, bool, Vec<String>)> {
    let out = clients
        .ec2
        .describe_vpc_endpoints()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .unwrap();
    out.vpc_endpoints()
        .iter()
        .filter(|e| e.state().is_none_or(|s| s.as_str() != "deleted"))
        .map(|e| {
            (
                e.vpc_endpoint_id().unwrap_or_default().to_owned(),
                e.service_name().unwrap_or_default().to_owned(),
                e.subnet_ids().len(),
                e.private_dns_enabled().unwrap_or(false),
                e.groups()
                    .iter()
                    .filter_map(|g| g.group_id().map(str::to_owned))
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn ec2_10_creates_an_ec2_api_endpoint_in_every_zone_on_approval_and_undo_deletes_it() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let vpc = seeds::ec2::default_vpc(&clients).await;
    for attribute in ["enableDnsSupport", "enableDnsHostnames"] {
        let on = AttributeBooleanValue::builder().value(true).build();
        let request = clients.ec2.modify_vpc_attribute().vpc_id(&vpc);
        let request = if attribute == "enableDnsSupport" {
            request.enable_dns_support(on)
        } else {
            request.enable_dns_hostnames(on)
        };
        request.send().await.unwrap();
    }
    let other = clients
        .ec2
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .unwrap()
        .vpc()
        .and_then(|v| v.vpc_id())
        .unwrap()
        .to_owned();
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "ec2-10-imported.json",
        &ec2_arn("vpc", &vpc),
        Policy::default(),
    )
    .await;
    assert_eq!(
        waiting.kind,
        OutcomeKind::Refused,
        "cost and DNS, approval: {note}"
    );
    assert!(vpc_endpoints(&clients, &vpc).await.is_empty());

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-10-imported.json",
        &ec2_arn("vpc", &vpc),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("private DNS on"), "{note}");
    let subnets = clients
        .ec2
        .describe_subnets()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .send()
        .await
        .unwrap();
    let mut zones: Vec<&str> = subnets
        .subnets()
        .iter()
        .filter_map(|s| s.availability_zone())
        .collect();
    zones.sort();
    zones.dedup();
    let endpoints = vpc_endpoints(&clients, &vpc).await;
    assert_eq!(endpoints.len(), 1, "{endpoints:?}");
    let (_, service, in_subnets, private_dns, groups) = &endpoints[0];
    assert_eq!(service, &format!("com.amazonaws.{REGION}.ec2"));
    assert_eq!(*in_subnets, zones.len(), "one subnet per zone");
    assert!(private_dns);
    let group = clients
        .ec2
        .describe_security_groups()
        .group_ids(&groups[0])
        .send()
        .await
        .unwrap();
    let group = &group.security_groups()[0];
    assert_eq!(group.group_name(), Some("hubfix-ec2-endpoint"));
    let https = &group.ip_permissions()[0];
    assert_eq!(
        (https.ip_protocol(), https.from_port(), https.to_port()),
        (Some("tcp"), Some(443), Some(443))
    );
    assert_eq!(https.ip_ranges()[0].cidr_ip(), Some("172.31.0.0/16"));
    assert!(
        vpc_endpoints(&clients, &other).await.is_empty(),
        "only this VPC"
    );

    let (manual, _, note) = run_event(
        &emulator,
        &clients,
        "ec2-10-imported.json",
        &ec2_arn("vpc", &other),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(manual.kind, OutcomeKind::Manual, "no subnets: {note}");
    assert!(note.contains("has no subnets"), "{note}");

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps[0].contains("deleted the EC2 API endpoint"),
        "{steps:?}"
    );
    assert!(steps[1].contains("deleted its security group"), "{steps:?}");
    assert!(vpc_endpoints(&clients, &vpc).await.is_empty());
    let left = clients
        .ec2
        .describe_security_groups()
        .filters(
            Filter::builder()
                .name("group-name")
                .values("hubfix-ec2-endpoint")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(left.security_groups().is_empty());
}

/// `(default version, latest version, (image, public IP of interface 0) of the default)`
/// of a launch template.
async fn template_state(
    clients: &hubfix::aws::Clients,
    id: &str,
) -> (i64, i64, (Option<String>, Option<bool>)) {
    let template = clients
        .ec2
        .describe_launch_templates()
        .launch_template_ids(id)
        .send()
        .await
        .unwrap();
    let template = &template.launch_templates()[0];
    let default = clients
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(id)
        .versions("$Default")
        .send()
        .await
        .unwrap();
    let data = default.launch_template_versions()[0]
        .launch_template_data()
        .unwrap();
    (
        template.default_version_number().unwrap(),
        template.latest_version_number().unwrap(),
        (
            data.image_id().map(str::to_owned),
            data.network_interfaces()[0].associate_public_ip_address(),
        ),
    )
}

#[tokio::test]
async fn ec2_25_makes_a_default_version_without_public_ips_on_approval_and_undo_restores_the_old_default(
) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let template = seeds::ec2::public_ip_launch_template(&clients).await;
    let other = seeds::ec2::public_ip_launch_template(&clients).await;
    let arn = ec2_arn("launch-template", &template);
    let (waiting, _, note) = run_event(
        &emulator,
        &clients,
        "ec2-25-imported.json",
        &arn,
        Policy::default(),
    )
    .await;
    assert_eq!(waiting.kind, OutcomeKind::Refused, "approval: {note}");
    let seeded = (1, 1, (Some("ami-12c6146b".to_owned()), Some(true)));
    assert_eq!(template_state(&clients, &template).await, seeded);

    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "ec2-25-imported.json",
        &arn,
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    assert!(note.contains("from version 1 without public IPs"), "{note}");
    assert_eq!(
        template_state(&clients, &template).await,
        (2, 2, (Some("ami-12c6146b".to_owned()), Some(false))),
        "a new default version, the rest of the launch data inherited"
    );
    assert_eq!(template_state(&clients, &other).await, seeded);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps[0].contains("made version 1 of launch template"),
        "{steps:?}"
    );
    assert_eq!(
        template_state(&clients, &template).await,
        (1, 2, (Some("ami-12c6146b".to_owned()), Some(true)))
    );
}
