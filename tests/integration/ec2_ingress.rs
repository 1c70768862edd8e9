//! EC2.13, EC2.14, EC2.19, EC2.53, EC2.54: world-open ingress revoked, and only that.

use std::collections::BTreeSet;
use std::sync::Arc;

use hubfix::{OutcomeKind, Policy};
use hubfix_tests::faults::{FaultProxy, Schedule};
use hubfix_tests::seeds::ec2::{world_open_group, WORLD_OPEN_INGRESS};
use hubfix_tests::seeds::ec2_arn;
use hubfix_tests::{event, finding_state, import, retarget, Emulator};

/// `(protocol, from, to, cidr)`.
type Entry = (String, i32, i32, String);

fn entries(list: &[(&str, i32, &str)]) -> BTreeSet<Entry> {
    list.iter()
        .map(|(p, port, cidr)| (p.to_string(), *port, *port, cidr.to_string()))
        .collect()
}

async fn ingress(clients: &hubfix::aws::Clients, group_id: &str) -> BTreeSet<Entry> {
    let out = clients
        .ec2
        .describe_security_groups()
        .group_ids(group_id)
        .send()
        .await
        .unwrap();
    let mut set = BTreeSet::new();
    for p in out.security_groups()[0].ip_permissions() {
        let key = |cidr: &str| {
            (
                p.ip_protocol().unwrap().to_owned(),
                p.from_port().unwrap(),
                p.to_port().unwrap(),
                cidr.to_owned(),
            )
        };
        for r in p.ip_ranges() {
            set.insert(key(r.cidr_ip().unwrap()));
        }
        for r in p.ipv6_ranges() {
            set.insert(key(r.cidr_ipv6().unwrap()));
        }
    }
    set
}

async fn delete_group(clients: &hubfix::aws::Clients, group_id: &str) {
    clients
        .ec2
        .delete_security_group()
        .group_id(group_id)
        .send()
        .await
        .expect("delete the security group");
}

/// Runs a control's sample event against a fresh open group and checks that exactly
/// `revoked` went away and the finding was resolved with a note naming them.
async fn fixes_exactly(event_file: &str, revoked: &[(&str, i32, &str)]) {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group_id = world_open_group(&clients, &[]).await;
    assert_eq!(
        ingress(&clients, &group_id).await,
        entries(WORLD_OPEN_INGRESS)
    );

    let mut ev = event(event_file);
    retarget(&mut ev, &ec2_arn("security-group", &group_id), &group_id);
    import(&clients, &ev).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    let outcome = &report.outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);

    let expected: BTreeSet<Entry> = entries(WORLD_OPEN_INGRESS)
        .difference(&entries(revoked))
        .cloned()
        .collect();
    assert_eq!(ingress(&clients, &group_id).await, expected, "{event_file}");
    let (status, note) = finding_state(
        &clients,
        ev["detail"]["findings"][0]["Id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, "RESOLVED");
    let note = note.unwrap();
    for (_, port, cidr) in revoked {
        assert!(
            note.contains(&format!("revoked tcp {port} from {cidr}")),
            "{note}"
        );
    }
    assert_eq!(outcome.changes.len(), revoked.len());
}

#[tokio::test]
async fn ec2_13_revokes_world_open_ssh_only() {
    fixes_exactly(
        "ec2-13-imported.json",
        &[("tcp", 22, "0.0.0.0/0"), ("tcp", 22, "::/0")],
    )
    .await;
}

#[tokio::test]
async fn ec2_14_revokes_world_open_rdp_only() {
    fixes_exactly(
        "ec2-14-imported.json",
        &[("tcp", 3389, "0.0.0.0/0"), ("tcp", 3389, "::/0")],
    )
    .await;
}

#[tokio::test]
async fn ec2_19_revokes_world_open_high_risk_ports_only() {
    fixes_exactly(
        "ec2-19-imported.json",
        &[
            ("tcp", 22, "0.0.0.0/0"),
            ("tcp", 22, "::/0"),
            ("tcp", 3389, "0.0.0.0/0"),
            ("tcp", 3389, "::/0"),
            ("tcp", 5432, "0.0.0.0/0"),
        ],
    )
    .await;
}

#[tokio::test]
async fn ec2_53_revokes_ipv4_admin_ports_only() {
    fixes_exactly(
        "ec2-53-imported.json",
        &[("tcp", 22, "0.0.0.0/0"), ("tcp", 3389, "0.0.0.0/0")],
    )
    .await;
}

#[tokio::test]
async fn ec2_54_revokes_ipv6_admin_ports_only() {
    fixes_exactly(
        "ec2-54-imported.json",
        &[("tcp", 22, "::/0"), ("tcp", 3389, "::/0")],
    )
    .await;
}

#[tokio::test]
async fn exempt_and_deleted_groups_are_noted_and_untouched() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let engine = emulator.engine(Policy::default()).await;

    let exempt = world_open_group(&clients, &[("hubfix:exempt", "bastion, SEC-7")]).await;
    let mut ev = event("ec2-13-imported.json");
    retarget(&mut ev, &ec2_arn("security-group", &exempt), &exempt);
    import(&clients, &ev).await;
    let report = engine.handle_json(&ev).await.unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Exempt);
    assert_eq!(
        ingress(&clients, &exempt).await,
        entries(WORLD_OPEN_INGRESS)
    );
    let (status, note) = finding_state(
        &clients,
        ev["detail"]["findings"][0]["Id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, "NOTIFIED");
    assert!(note.unwrap().contains("exemption tag"));

    let gone = world_open_group(&clients, &[]).await;
    delete_group(&clients, &gone).await;
    let mut ev = event("ec2-19-imported.json");
    retarget(&mut ev, &ec2_arn("security-group", &gone), &gone);
    import(&clients, &ev).await;
    let report = engine.handle_json(&ev).await.unwrap();
    assert_eq!(report.outcomes[0].kind, OutcomeKind::Failed);
    let (status, note) = finding_state(
        &clients,
        ev["detail"]["findings"][0]["Id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, "NOTIFIED");
    let note = note.unwrap();
    assert!(
        note.contains(&format!("security group {gone} no longer exists")),
        "{note}"
    );
}

#[tokio::test]
async fn the_findings_of_one_event_share_their_security_group_reads() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let mut groups = Vec::new();
    for _ in 0..24 {
        groups.push(world_open_group(&clients, &[]).await);
    }
    let gone = groups[5].clone();
    delete_group(&clients, &gone).await;
    let mut ev = event("custom-action-remediate.json");
    ev["detail"]["findings"] = groups
        .iter()
        .map(|g| {
            let mut one = event("ec2-13-imported.json");
            retarget(&mut one, &ec2_arn("security-group", g), g);
            one["detail"]["findings"][0].clone()
        })
        .collect();
    import(&clients, &ev).await;
    // A proxy that injects nothing: it counts the calls that reach the emulator.
    let proxy = FaultProxy::start(
        &emulator.endpoint,
        Schedule {
            seed: 1,
            rate: 0.0,
            faults: Vec::new(),
            max_in_a_row: None,
            eligible: Arc::new(|_| false),
        },
    )
    .await;
    let report = emulator
        .engine_via(&proxy.endpoint, Policy::default())
        .await
        .handle_json(&ev)
        .await
        .unwrap();

    for (outcome, group) in report.outcomes.iter().zip(&groups) {
        if *group == gone {
            assert_eq!(outcome.kind, OutcomeKind::Failed, "{}", outcome.note);
            assert!(
                outcome
                    .note
                    .contains(&format!("security group {gone} no longer exists")),
                "a group missing from a shared read is noted as deleted: {}",
                outcome.note
            );
        } else {
            assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
            let expected: BTreeSet<Entry> = entries(WORLD_OPEN_INGRESS)
                .difference(&entries(&[("tcp", 22, "0.0.0.0/0"), ("tcp", 22, "::/0")]))
                .cloned()
                .collect();
            assert_eq!(ingress(&clients, group).await, expected, "{group}");
        }
    }
    let describes: usize = proxy
        .stats()
        .forwarded
        .iter()
        .filter(|(op, _)| op.ends_with(" DescribeSecurityGroups"))
        .map(|(_, n)| n)
        .sum();
    // Alone, each finding reads its group twice (to plan and to verify): 47 calls.
    // Findings in progress together (8 at a time in one account and region) share calls.
    assert!(
        describes > 0 && describes < groups.len(),
        "{describes} DescribeSecurityGroups calls for {} findings",
        groups.len()
    );
}
