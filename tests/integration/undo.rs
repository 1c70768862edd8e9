//! Undo, per rule family: fix a resource through the engine, undo the fix from the
//! outcome's record (before-state and applied changes), and read the resource back as
//! it was. `undo_outcome` fails unless `inspect` then records the same before-state.

use std::time::{Duration, SystemTime};

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, IpPermission, IpRange, Ipv6Range, OperationType,
    PermissionGroup, PortRange, RuleAction, SnapshotAttributeName,
};
use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLifecycleConfiguration, BucketVersioningStatus, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, VersioningConfiguration,
};
use hubfix::aws::Clients;
use hubfix::error::FixError;
use hubfix::model::BeforeState;
use hubfix::model::Target;
use hubfix::policy::Mode;
use hubfix::remediate::ec2::isolate::{ISOLATED_TAG, ORIGINAL_GROUPS_TAG, SNAPSHOT_SOURCE_TAG};
use hubfix::remediate::ec2::{FINAL_SNAPSHOT_TAG, FLOW_LOG_TAG};
use hubfix::remediate::iam::{ANALYZER_NAME, SUPPORT_ROLE};
use hubfix::remediate::Fix;
use hubfix::settings::FixSettings;
use hubfix::{Outcome, OutcomeKind, Policy};
use hubfix_tests::{
    event, import, retarget, run_event, undo_outcome, undo_outcome_with, unique, Emulator, ACCOUNT,
    REGION,
};
use serde_json::{json, Value};

use crate::isolate::{instance_arn, running_instance};

fn approved() -> Policy {
    Policy::from_lookup(|k| (k == "HUBFIX_DEFAULT_MODE").then(|| "auto".to_owned())).unwrap()
}

#[tokio::test]
async fn bucket_block_public_access_partly_on_is_put_back_as_it_was() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = unique("undo-pab");
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    clients
        .s3
        .put_public_access_block()
        .bucket(&bucket)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(false)
                .block_public_policy(true)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (outcome, _, _) = run_event(
        &emulator,
        &clients,
        "s3-8-imported.json",
        &format!("arn:aws:s3:::{bucket}"),
        approved(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned off IgnorePublicAcls, RestrictPublicBuckets on bucket {bucket} again"
        )]
    );
    let c = clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap()
        .public_access_block_configuration
        .unwrap();
    assert_eq!(
        (
            c.block_public_acls,
            c.ignore_public_acls,
            c.block_public_policy,
            c.restrict_public_buckets
        ),
        (Some(true), Some(false), Some(true), Some(false))
    );
}

#[tokio::test]
async fn account_block_public_access_that_was_absent_is_removed_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, _, _) = run_event(
        &emulator,
        &clients,
        "s3-1-imported.json",
        &format!("AWS::::Account:{ACCOUNT}"),
        approved(),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(steps[0].contains("which had none"), "{steps:?}");
    let after = clients
        .s3control
        .get_public_access_block()
        .account_id(ACCOUNT)
        .send()
        .await;
    assert!(after.is_err(), "the account has no configuration again");
}

// ------------------------------------------------------------------ shared helpers

fn approved_with(settings: FixSettings) -> Policy {
    Policy {
        settings,
        default_mode: Some(Mode::Auto),
        ..Policy::default()
    }
}

/// Approved, with hubfix's clock `days` ahead (the emulator cannot backdate keys).
fn approved_in(days: u64) -> Policy {
    approved_with(FixSettings {
        now: Some(SystemTime::now() + Duration::from_secs(days * 86_400)),
        ..FixSettings::default()
    })
}

fn account() -> String {
    format!("AWS::::Account:{ACCOUNT}")
}

fn ec2_arn(kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{id}")
}

/// Runs a control's sample event as an analyst's `Remediate` custom action (for the
/// controls that are never automatic).
async fn remediate_action(
    emulator: &Emulator,
    clients: &Clients,
    event_file: &str,
    resource: &str,
) -> Outcome {
    let mut action = event(event_file);
    action["detail-type"] = "Security Hub Findings - Custom Action".into();
    action["detail"]["actionName"] = "Remediate".into();
    action["resources"] = json!([format!(
        "arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Remediate"
    )]);
    retarget(&mut action, resource, &unique("approved"));
    import(clients, &action).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&action)
        .await
        .unwrap();
    report.outcomes[0].clone()
}

/// Fixes a resource with `policy`, asserting the fix was applied.
async fn fixed(
    emulator: &Emulator,
    clients: &Clients,
    event_file: &str,
    resource: &str,
    policy: Policy,
) -> Outcome {
    let (outcome, _, note) = run_event(emulator, clients, event_file, resource, policy).await;
    assert_eq!(
        outcome.kind,
        OutcomeKind::Remediated,
        "{event_file}: {note}"
    );
    outcome
}

fn irreversible(result: Result<Vec<String>, FixError>) -> String {
    match result {
        Err(e @ FixError::Irreversible(_)) => e.to_string(),
        other => panic!("expected an irreversible undo, got {other:?}"),
    }
}

async fn new_bucket(clients: &Clients, prefix: &str) -> String {
    let bucket = unique(prefix);
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    bucket
}

// ------------------------------------------------------------- S3 bucket settings

async fn public_grants(clients: &Clients, bucket: &str) -> Vec<(String, String)> {
    let acl = clients
        .s3
        .get_bucket_acl()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    let mut grants: Vec<_> = acl
        .grants()
        .iter()
        .filter_map(|g| {
            let uri = g.grantee()?.uri()?.to_owned();
            Some((uri, g.permission()?.as_str().to_owned()))
        })
        .collect();
    grants.sort();
    grants
}

#[tokio::test]
async fn s3_2_public_grants_and_block_public_access_are_put_back() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = new_bucket(&clients, "undo-acl").await;
    clients
        .s3
        .put_bucket_acl()
        .bucket(&bucket)
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    // BlockPublicAcls on after the grant: S3 keeps the grant, and refuses to add it back
    // unless the undo turns the setting off for that moment.
    clients
        .s3
        .put_public_access_block()
        .bucket(&bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let grants = public_grants(&clients, &bucket).await;
    assert!(!grants.is_empty());

    let outcome = fixed(
        &emulator,
        &clients,
        "s3-2-imported.json",
        &format!("arn:aws:s3:::{bucket}"),
        approved(),
    )
    .await;
    assert!(public_grants(&clients, &bucket).await.is_empty());

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [
            format!("put back the public ACL grants READ to AllUsers of bucket {bucket}"),
            format!("turned off IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets on bucket {bucket} again"),
        ]
    );
    assert_eq!(public_grants(&clients, &bucket).await, grants);
    let c = clients
        .s3
        .get_public_access_block()
        .bucket(&bucket)
        .send()
        .await
        .unwrap()
        .public_access_block_configuration
        .unwrap();
    assert_eq!(
        (
            c.block_public_acls,
            c.ignore_public_acls,
            c.block_public_policy,
            c.restrict_public_buckets
        ),
        (Some(true), Some(false), Some(false), Some(false))
    );
}

#[tokio::test]
async fn s3_9_logging_is_turned_off_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = new_bucket(&clients, "undo-logged").await;
    let log_bucket = new_bucket(&clients, "undo-logs").await;
    let delivery = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
        "Resource": format!("arn:aws:s3:::{log_bucket}/*")}]});
    clients
        .s3
        .put_bucket_policy()
        .bucket(&log_bucket)
        .policy(delivery.to_string())
        .send()
        .await
        .unwrap();
    let settings = FixSettings {
        s3_access_log_bucket: Some(log_bucket.clone()),
        ..FixSettings::default()
    };
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-9-imported.json",
        &format!("arn:aws:s3:::{bucket}"),
        approved_with(settings.clone()),
    )
    .await;
    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned off server access logging of bucket {bucket} again (the logs delivered to s3://{log_bucket}/{bucket}/ stay)"
        )]
    );
    let logging = clients
        .s3
        .get_bucket_logging()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert!(logging.logging_enabled().is_none());
}

async fn encryption(clients: &Clients, bucket: &str) -> Option<(String, Option<String>)> {
    let out = clients
        .s3
        .get_bucket_encryption()
        .bucket(bucket)
        .send()
        .await
        .ok()?;
    let d = out.server_side_encryption_configuration()?.rules()[0]
        .apply_server_side_encryption_by_default()?
        .clone();
    Some((
        d.sse_algorithm().as_str().to_owned(),
        d.kms_master_key_id().map(str::to_owned),
    ))
}

#[tokio::test]
async fn default_encryption_is_put_back_or_removed() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let sse_s3 = new_bucket(&clients, "undo-sse-s3").await;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::Aes256)
                .build()
                .unwrap(),
        )
        .build();
    clients
        .s3
        .put_bucket_encryption()
        .bucket(&sse_s3)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let settings = FixSettings {
        s3_kms_key: Some("alias/hubfix-test".into()),
        ..FixSettings::default()
    };
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-17-imported.json",
        &format!("arn:aws:s3:::{sse_s3}"),
        approved_with(settings),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "set the default encryption of bucket {sse_s3} back to AES256 with S3-managed keys"
        )]
    );
    assert_eq!(
        encryption(&clients, &sse_s3).await,
        Some(("AES256".into(), None))
    );

    let plain = new_bucket(&clients, "undo-plain").await;
    assert_eq!(encryption(&clients, &plain).await, None);
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-4-imported.json",
        &format!("arn:aws:s3:::{plain}"),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(steps[0].contains("which had none"), "{steps:?}");
    assert_eq!(encryption(&clients, &plain).await, None);
}

async fn lifecycle_ids(clients: &Clients, bucket: &str) -> Option<Vec<(String, String)>> {
    let out = clients
        .s3
        .get_bucket_lifecycle_configuration()
        .bucket(bucket)
        .send()
        .await
        .ok()?;
    Some(
        out.rules()
            .iter()
            .map(|r| {
                (
                    r.id().unwrap_or_default().to_owned(),
                    r.status().as_str().to_owned(),
                )
            })
            .collect(),
    )
}

#[tokio::test]
async fn s3_13_lifecycle_rule_is_removed_and_other_rules_stay() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let with_rule = new_bucket(&clients, "undo-lifecycle").await;
    let disabled = LifecycleRule::builder()
        .id("old-rule")
        .status(ExpirationStatus::Disabled)
        .filter(LifecycleRuleFilter::builder().prefix("tmp/").build())
        .expiration(LifecycleExpiration::builder().days(30).build())
        .build()
        .unwrap();
    clients
        .s3
        .put_bucket_lifecycle_configuration()
        .bucket(&with_rule)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(disabled)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-13-imported.json",
        &format!("arn:aws:s3:::{with_rule}"),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "removed lifecycle rule hubfix-default from bucket {with_rule}"
        )]
    );
    assert_eq!(
        lifecycle_ids(&clients, &with_rule).await,
        Some(vec![("old-rule".into(), "Disabled".into())])
    );

    let without = new_bucket(&clients, "undo-no-lifecycle").await;
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-13-imported.json",
        &format!("arn:aws:s3:::{without}"),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(
        steps[0].ends_with("it has no lifecycle configuration again"),
        "{steps:?}"
    );
    assert_eq!(lifecycle_ids(&clients, &without).await, None);

    // hubfix's rule from an earlier fix, turned off since: the fix replaces it, and the
    // undo puts it back disabled, in its place.
    let earlier = new_bucket(&clients, "undo-earlier-rule").await;
    let rule = |id: &str, prefix: &str| {
        LifecycleRule::builder()
            .id(id)
            .status(ExpirationStatus::Disabled)
            .filter(LifecycleRuleFilter::builder().prefix(prefix).build())
            .expiration(LifecycleExpiration::builder().days(30).build())
            .build()
            .unwrap()
    };
    clients
        .s3
        .put_bucket_lifecycle_configuration()
        .bucket(&earlier)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(rule("hubfix-default", ""))
                .rules(rule("logs", "logs/"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-13-imported.json",
        &format!("arn:aws:s3:::{earlier}"),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "disabled lifecycle rule hubfix-default of bucket {earlier} again, as it was"
        )]
    );
    assert_eq!(
        lifecycle_ids(&clients, &earlier).await,
        Some(vec![
            ("hubfix-default".into(), "Disabled".into()),
            ("logs".into(), "Disabled".into())
        ])
    );
}

async fn versioning(clients: &Clients, bucket: &str) -> Option<String> {
    clients
        .s3
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .unwrap()
        .status()
        .map(|s| s.as_str().to_owned())
}

async fn set_versioning(clients: &Clients, bucket: &str, status: BucketVersioningStatus) {
    clients
        .s3
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn s3_14_versioning_is_suspended_again_and_never_versioned_is_irreversible() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let suspended = new_bucket(&clients, "undo-suspended").await;
    set_versioning(&clients, &suspended, BucketVersioningStatus::Enabled).await;
    set_versioning(&clients, &suspended, BucketVersioningStatus::Suspended).await;
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-14-imported.json",
        &format!("arn:aws:s3:::{suspended}"),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!("suspended versioning of bucket {suspended} again")]
    );
    assert_eq!(
        versioning(&clients, &suspended).await.as_deref(),
        Some("Suspended")
    );

    let never = new_bucket(&clients, "undo-never-versioned").await;
    assert_eq!(versioning(&clients, &never).await, None);
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-14-imported.json",
        &format!("arn:aws:s3:::{never}"),
        approved(),
    )
    .await;
    let message = irreversible(undo_outcome(&clients, &outcome).await);
    assert!(message.contains("stays Suspended"), "{message}");
    assert_eq!(
        versioning(&clients, &never).await.as_deref(),
        Some("Suspended")
    );
}

// ------------------------------------------------------------------- S3 policies

async fn policy_text(clients: &Clients, bucket: &str) -> Option<String> {
    let out = clients
        .s3
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .ok()?;
    out.policy().map(str::to_owned)
}

#[tokio::test]
async fn s3_5_the_policy_is_put_back_exactly_or_deleted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = new_bucket(&clients, "undo-tls").await;
    // Hand-written spacing and a single statement object: the undo writes it back as is.
    let existing = format!(
        r#"{{ "Version": "2012-10-17", "Statement": {{ "Sid": "Readers", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{bucket}/*" }} }}"#
    );
    clients
        .s3
        .put_bucket_policy()
        .bucket(&bucket)
        .policy(&existing)
        .send()
        .await
        .unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-5-imported.json",
        &format!("arn:aws:s3:::{bucket}"),
        approved(),
    )
    .await;
    assert_ne!(policy_text(&clients, &bucket).await, Some(existing.clone()));
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!("put back the policy of bucket {bucket} as it was")]
    );
    assert_eq!(policy_text(&clients, &bucket).await, Some(existing));

    let bare = new_bucket(&clients, "undo-tls-bare").await;
    let outcome = fixed(
        &emulator,
        &clients,
        "s3-5-imported.json",
        &format!("arn:aws:s3:::{bare}"),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "deleted the policy of bucket {bare}, which had none but hubfix's statement HubfixDenyInsecureTransport"
        )]
    );
    assert_eq!(policy_text(&clients, &bare).await, None);
}

#[tokio::test]
async fn s3_6_cross_account_grants_are_put_back() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let bucket = new_bucket(&clients, "undo-partner").await;
    let arn = format!("arn:aws:s3:::{bucket}");
    let existing = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
         "Action": ["s3:GetObject", "s3:PutObjectAcl"], "Resource": format!("{arn}/*")},
        {"Sid": "PartnerAdmin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::888888888888:root"},
         "Action": "s3:PutBucketPolicy", "Resource": arn}
    ]})
    .to_string();
    clients
        .s3
        .put_bucket_policy()
        .bucket(&bucket)
        .policy(&existing)
        .send()
        .await
        .unwrap();
    let outcome = fixed(&emulator, &clients, "s3-6-imported.json", &arn, approved()).await;
    let after: Value =
        serde_json::from_str(&policy_text(&clients, &bucket).await.unwrap()).unwrap();
    assert_eq!(after["Statement"].as_array().unwrap().len(), 1);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "put back the policy of bucket {bucket} as it was, with its grants to other accounts"
        )]
    );
    assert_eq!(policy_text(&clients, &bucket).await, Some(existing));
}

// ------------------------------------------------------------------- EC2 ingress

/// Every entry of a group's rules, one line each, sorted: the order EC2 lists rules in
/// and how it groups CIDRs into rules do not matter.
async fn group_rules(clients: &Clients, group: &str) -> Vec<String> {
    let out = clients
        .ec2
        .describe_security_groups()
        .group_ids(group)
        .send()
        .await
        .unwrap();
    let g = &out.security_groups()[0];
    let mut lines = Vec::new();
    let both = [
        ("in", g.ip_permissions()),
        ("out", g.ip_permissions_egress()),
    ];
    for (direction, permissions) in both {
        for p in permissions {
            let head = format!(
                "{direction} {} {:?}-{:?}",
                p.ip_protocol().unwrap_or_default(),
                p.from_port(),
                p.to_port()
            );
            for r in p.ip_ranges() {
                lines.push(format!("{head} {:?} {:?}", r.cidr_ip(), r.description()));
            }
            for r in p.ipv6_ranges() {
                lines.push(format!("{head} {:?} {:?}", r.cidr_ipv6(), r.description()));
            }
            for r in p.user_id_group_pairs() {
                lines.push(format!("{head} {:?} {:?}", r.group_id(), r.description()));
            }
        }
    }
    lines.sort();
    lines
}

#[tokio::test]
async fn ec2_13_revoked_entries_are_authorized_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = clients
        .ec2
        .create_security_group()
        .group_name(unique("undo-ssh"))
        .description("ssh")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_owned();
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .description("ssh from anywhere")
                        .build(),
                )
                .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let before = group_rules(&clients, &group).await;
    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-13-imported.json",
        &ec2_arn("security-group", &group),
        approved(),
    )
    .await;
    assert_ne!(group_rules(&clients, &group).await, before);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [
            format!("authorized tcp 22 from 0.0.0.0/0 on security group {group} again"),
            format!("authorized tcp 22 from ::/0 on security group {group} again"),
        ]
    );
    assert_eq!(group_rules(&clients, &group).await, before);
}

#[tokio::test]
async fn ec2_2_default_group_rules_are_authorized_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let vpc = default_vpc(&clients).await;
    let group = clients
        .ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .security_groups()[0]
        .group_id()
        .unwrap()
        .to_owned();
    clients
        .ec2
        .authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip("10.0.0.0/8")
                        .description("office")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let before = group_rules(&clients, &group).await;
    assert!(before.iter().any(|r| r.starts_with("out ")), "{before:?}");
    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-2-imported.json",
        &ec2_arn("security-group", &group),
        approved(),
    )
    .await;
    assert!(group_rules(&clients, &group).await.is_empty());

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(steps[0].contains("inbound rule(s) of default security group"));
    assert!(steps[1].contains("outbound rule(s) of default security group"));
    assert_eq!(group_rules(&clients, &group).await, before);
}

// -------------------------------------------------------------------- EC2 config

async fn default_vpc(clients: &Clients) -> String {
    let out = clients
        .ec2
        .describe_vpcs()
        .filters(Filter::builder().name("isDefault").values("true").build())
        .send()
        .await
        .unwrap();
    out.vpcs()[0].vpc_id().unwrap().to_owned()
}

async fn instance(clients: &Clients) -> String {
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
    clients
        .ec2
        .run_instances()
        .image_id(image)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .unwrap()
        .instances()[0]
        .instance_id()
        .unwrap()
        .to_owned()
}

async fn snapshot_is_public(clients: &Clients, snapshot: &str) -> bool {
    let attr = clients
        .ec2
        .describe_snapshot_attribute()
        .snapshot_id(snapshot)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .send()
        .await
        .unwrap();
    attr.create_volume_permissions()
        .iter()
        .any(|p| p.group() == Some(&PermissionGroup::All))
}

#[tokio::test]
async fn ec2_1_and_ec2_7_account_settings_are_put_back() {
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
    let snapshot = clients
        .ec2
        .create_snapshot()
        .volume_id(&volume)
        .send()
        .await
        .unwrap()
        .snapshot_id()
        .unwrap()
        .to_owned();
    clients
        .ec2
        .modify_snapshot_attribute()
        .snapshot_id(&snapshot)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(OperationType::Add)
        .group_names("all")
        .send()
        .await
        .unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-1-imported.json",
        &account(),
        approved(),
    )
    .await;
    assert!(!snapshot_is_public(&clients, &snapshot).await);
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps, [format!("made snapshot {snapshot} public again")]);
    assert!(snapshot_is_public(&clients, &snapshot).await);

    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-7-imported.json",
        &account(),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert!(steps[0].starts_with("turned off EBS encryption by default in us-east-1 again"));
    let on = clients
        .ec2
        .get_ebs_encryption_by_default()
        .send()
        .await
        .unwrap();
    assert_eq!(on.ebs_encryption_by_default(), Some(false));
}

#[tokio::test]
async fn ec2_8_and_ec2_15_instance_and_subnet_settings_are_put_back() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let id = instance(&clients).await;
    let tokens = |out: aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput| {
        out.reservations()[0].instances()[0]
            .metadata_options()
            .and_then(|m| m.http_tokens())
            .map(|t| t.as_str().to_owned())
    };
    let before = tokens(
        clients
            .ec2
            .describe_instances()
            .instance_ids(&id)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(before.as_deref(), Some("optional"));
    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-8-imported.json",
        &ec2_arn("instance", &id),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "set HttpTokens of instance {id} back to optional (IMDSv1 allowed again)"
        )]
    );
    let after = tokens(
        clients
            .ec2
            .describe_instances()
            .instance_ids(&id)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(after, before);

    let vpc = default_vpc(&clients).await;
    let subnet = clients
        .ec2
        .create_subnet()
        .vpc_id(&vpc)
        .cidr_block("172.31.201.0/24")
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
    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-15-imported.json",
        &ec2_arn("subnet", &subnet),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "turned auto-assign public IPv4 on launch of subnet {subnet} back on"
        )]
    );
    let out = clients
        .ec2
        .describe_subnets()
        .subnet_ids(&subnet)
        .send()
        .await
        .unwrap();
    assert_eq!(out.subnets()[0].map_public_ip_on_launch(), Some(true));
}

#[tokio::test]
async fn ec2_6_the_flow_log_hubfix_created_is_deleted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let vpc = default_vpc(&clients).await;
    let bucket = new_bucket(&clients, "undo-flow-logs").await;
    let settings = FixSettings {
        flow_log_destination: Some(format!("arn:aws:s3:::{bucket}")),
        ..FixSettings::default()
    };
    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-6-imported.json",
        &ec2_arn("vpc", &vpc),
        approved_with(settings.clone()),
    )
    .await;
    let flow_logs = || async {
        clients
            .ec2
            .describe_flow_logs()
            .filter(Filter::builder().name("resource-id").values(&vpc).build())
            .send()
            .await
            .unwrap()
            .flow_logs()
            .to_vec()
    };
    let created = flow_logs().await;
    assert_eq!(created.len(), 1);
    let id = created[0].flow_log_id().unwrap().to_owned();
    assert!(
        created[0]
            .tags()
            .iter()
            .any(|t| t.key() == Some(FLOW_LOG_TAG) && t.value() == Some(vpc.as_str())),
        "hubfix tags the flow log it creates"
    );

    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(
        steps,
        [format!(
            "deleted flow log {id} of vpc {vpc} (the logs delivered stay at their destination)"
        )]
    );
    assert!(flow_logs().await.is_empty());
}

#[tokio::test]
async fn ec2_21_network_acl_entries_are_created_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let vpc = default_vpc(&clients).await;
    let acl = clients
        .ec2
        .create_network_acl()
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap()
        .network_acl()
        .unwrap()
        .network_acl_id()
        .unwrap()
        .to_owned();
    for (rule, port, cidr) in [
        (100, 22, "0.0.0.0/0"),
        (110, 443, "0.0.0.0/0"),
        (120, 3389, "0.0.0.0/0"),
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
    let entries = || async {
        let out = clients
            .ec2
            .describe_network_acls()
            .network_acl_ids(&acl)
            .send()
            .await
            .unwrap();
        let mut entries: Vec<_> = out.network_acls()[0]
            .entries()
            .iter()
            .filter(|e| e.egress() == Some(false))
            .map(|e| {
                (
                    e.rule_number(),
                    e.protocol().map(str::to_owned),
                    e.cidr_block().map(str::to_owned),
                    e.port_range().and_then(|p| p.from()),
                    e.port_range().and_then(|p| p.to()),
                )
            })
            .collect();
        entries.sort();
        entries
    };
    let before = entries().await;
    let outcome = fixed(
        &emulator,
        &clients,
        "ec2-21-imported.json",
        &ec2_arn("network-acl", &acl),
        approved(),
    )
    .await;
    assert_eq!(entries().await.len(), before.len() - 2);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [
            format!("put back inbound rule 100 of network ACL {acl} allowing TCP from 0.0.0.0/0"),
            format!("put back inbound rule 120 of network ACL {acl} allowing TCP from 0.0.0.0/0"),
        ]
    );
    assert_eq!(entries().await, before);
}

#[tokio::test]
async fn ec2_4_termination_is_irreversible_and_names_the_snapshots() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let id = instance(&clients).await;
    clients
        .ec2
        .stop_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    let outcome = remediate_action(
        &emulator,
        &clients,
        "ec2-4-imported.json",
        &ec2_arn("instance", &id),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);
    let snapshots = clients
        .ec2
        .describe_snapshots()
        .filters(
            Filter::builder()
                .name(format!("tag:{FINAL_SNAPSHOT_TAG}"))
                .values(&id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = snapshots
        .snapshots()
        .iter()
        .filter_map(|s| s.snapshot_id())
        .collect();
    assert!(!ids.is_empty());

    let message = irreversible(undo_outcome(&clients, &outcome).await);
    assert!(
        message.contains(&format!("hubfix terminated instance {id}")),
        "{message}"
    );
    for snapshot in ids {
        assert!(message.contains(snapshot), "{message}");
    }
}

// -------------------------------------------------------------------------- IAM

async fn password_policy(clients: &Clients) -> Option<aws_sdk_iam::types::PasswordPolicy> {
    clients
        .iam
        .get_account_password_policy()
        .send()
        .await
        .ok()
        .and_then(|out| out.password_policy)
}

#[tokio::test]
async fn password_policy_that_was_absent_is_deleted_again() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    assert!(password_policy(&clients).await.is_none());
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-7-imported.json",
        &account(),
        approved(),
    )
    .await;
    assert!(password_policy(&clients).await.is_some());
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        ["deleted the account password policy, which the account did not have before"]
    );
    assert!(password_policy(&clients).await.is_none());
}

#[tokio::test]
async fn weaker_password_policy_is_put_back_exactly() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    clients
        .iam
        .update_account_password_policy()
        .minimum_password_length(10)
        .require_symbols(true)
        .allow_users_to_change_password(true)
        .max_password_age(180)
        .password_reuse_prevention(3)
        .hard_expiry(true)
        .send()
        .await
        .unwrap();
    let before = password_policy(&clients).await.unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-15-imported.json",
        &account(),
        approved(),
    )
    .await;
    assert_eq!(
        password_policy(&clients)
            .await
            .unwrap()
            .minimum_password_length(),
        Some(14)
    );
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        ["put the account password policy back as it was (length 10, 180 days, 3 remembered)"]
    );
    assert_eq!(password_policy(&clients).await.unwrap(), before);
}

async fn user_with_keys(clients: &Clients, keys: usize) -> (String, Vec<String>) {
    let name = unique("undo-user");
    clients
        .iam
        .create_user()
        .user_name(&name)
        .send()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..keys {
        let key = clients
            .iam
            .create_access_key()
            .user_name(&name)
            .send()
            .await
            .unwrap();
        ids.push(key.access_key().unwrap().access_key_id().to_owned());
    }
    (name, ids)
}

async fn key_statuses(clients: &Clients, user: &str) -> Vec<String> {
    let out = clients
        .iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap();
    out.access_key_metadata()
        .iter()
        .map(|k| k.status().unwrap().as_str().to_owned())
        .collect()
}

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

#[tokio::test]
async fn iam_3_deactivated_keys_are_reactivated() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, keys) = user_with_keys(&clients, 1).await;
    let policy = approved_in(100);
    let settings = policy.settings.clone();
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-3-imported.json",
        &user_arn(&user),
        policy,
    )
    .await;
    assert_eq!(key_statuses(&clients, &user).await, ["Inactive"]);
    let steps = undo_outcome_with(&clients, &outcome, &settings)
        .await
        .unwrap();
    assert_eq!(
        steps,
        [format!("reactivated access key {} of user {user}", keys[0])]
    );
    assert_eq!(key_statuses(&clients, &user).await, ["Active"]);
}

#[tokio::test]
async fn iam_22_keys_are_reactivated_but_a_deleted_console_password_is_irreversible() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, keys) = user_with_keys(&clients, 1).await;
    clients
        .iam
        .create_login_profile()
        .user_name(&user)
        .password("Sup3r-Secret-Passw0rd!")
        .send()
        .await
        .unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-22-imported.json",
        &user_arn(&user),
        approved_in(50),
    )
    .await;
    assert_eq!(key_statuses(&clients, &user).await, ["Inactive"]);

    let message = irreversible(undo_outcome(&clients, &outcome).await);
    assert!(
        message.contains(&format!(
            "the console password hubfix deleted from user {user} cannot be restored"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "the rest was undone: reactivated access key {} of user {user}",
            keys[0]
        )),
        "{message}"
    );
    assert_eq!(
        key_statuses(&clients, &user).await,
        ["Active"],
        "the keys are reactivated first"
    );
    assert!(clients
        .iam
        .get_login_profile()
        .user_name(&user)
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn iam_2_policies_return_to_the_user_and_hubfix_s_group_goes() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (user, _) = user_with_keys(&clients, 0).await;
    let document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]});
    let managed = clients
        .iam
        .create_policy()
        .policy_name(unique("undo-list"))
        .policy_document(document.to_string())
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    clients
        .iam
        .attach_user_policy()
        .user_name(&user)
        .policy_arn(&managed)
        .send()
        .await
        .unwrap();
    clients
        .iam
        .put_user_policy()
        .user_name(&user)
        .policy_name("inline-read")
        .policy_document(document.to_string())
        .send()
        .await
        .unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-2-imported.json",
        &user_arn(&user),
        approved(),
    )
    .await;
    let group = format!("hubfix-{user}");
    assert!(clients
        .iam
        .get_group()
        .group_name(&group)
        .send()
        .await
        .is_ok());

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [
            format!("attached 1 managed and put 1 inline polic(ies) back on user {user}"),
            format!("removed user {user} from group {group} and deleted it"),
        ]
    );
    let attached = clients
        .iam
        .list_attached_user_policies()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_arn(),
        Some(managed.as_str())
    );
    let inline = clients
        .iam
        .get_user_policy()
        .user_name(&user)
        .policy_name("inline-read")
        .send()
        .await
        .unwrap();
    assert!(inline.policy_document().contains("ListAllMyBuckets"));
    assert!(clients
        .iam
        .get_group()
        .group_name(&group)
        .send()
        .await
        .is_err());
    let groups = clients
        .iam
        .list_groups_for_user()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    assert!(groups.groups().is_empty());
}

#[tokio::test]
async fn iam_18_the_support_role_hubfix_created_is_deleted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-18-imported.json",
        &account(),
        approved(),
    )
    .await;
    assert!(clients
        .iam
        .get_role()
        .role_name(SUPPORT_ROLE)
        .send()
        .await
        .is_ok());
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "detached AWSSupportAccess from role {SUPPORT_ROLE} and deleted the role"
        )]
    );
    assert!(clients
        .iam
        .get_role()
        .role_name(SUPPORT_ROLE)
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn iam_28_the_analyzer_hubfix_created_is_deleted() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-28-imported.json",
        &account(),
        approved(),
    )
    .await;
    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps,
        [format!(
            "deleted external access analyzer {ANALYZER_NAME} in {REGION}"
        )]
    );
    let analyzers = clients
        .accessanalyzer
        .list_analyzers()
        .send()
        .await
        .unwrap();
    assert!(analyzers.analyzers().is_empty());
}

/// The emulator reports every server certificate as expired (moto fixes the expiry in
/// 2012), which is what this needs.
#[tokio::test]
async fn iam_26_deleted_certificates_are_irreversible() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    clients
        .iam
        .upload_server_certificate()
        .server_certificate_name("old-site")
        .certificate_body("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
        .private_key("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----")
        .send()
        .await
        .unwrap();
    let outcome = fixed(
        &emulator,
        &clients,
        "iam-26-imported.json",
        &account(),
        approved(),
    )
    .await;
    let message = irreversible(undo_outcome(&clients, &outcome).await);
    assert!(
        message.contains("expired server certificates old-site"),
        "{message}"
    );
    assert!(message.contains("upload them again"), "{message}");
}

#[tokio::test]
async fn manual_controls_have_nothing_to_undo() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let rule = hubfix::registry::rule("IAM.4").unwrap();
    let target = Target {
        account: ACCOUNT.into(),
        region: REGION.into(),
        partition: "aws".into(),
        resource_id: account(),
        name: account(),
        candidates: 1,
    };
    let settings = FixSettings::default();
    let fix = Fix {
        clients: &clients,
        target: &target,
        settings: &settings,
    };
    let before = BeforeState::new(account(), &Value::Null);
    let err = rule.remediation.undo(fix, &before, &[]).await.unwrap_err();
    assert!(matches!(err, FixError::Manual(_)), "{err:?}");
    assert!(err.to_string().contains("nothing to undo"), "{err}");
}

// --------------------------------------------------------------- IsolateInstance

#[tokio::test]
async fn isolate_instance_groups_come_back_tags_go_snapshots_stay() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (id, groups) = running_instance(&clients).await;
    let mut ev = event("custom-action-isolate-instance.json");
    retarget(&mut ev, &instance_arn(&id), &unique("isolate"));
    import(&clients, &ev).await;
    let report = emulator
        .engine(Policy::default())
        .await
        .handle_json(&ev)
        .await
        .unwrap();
    let outcome = report.outcomes[0].clone();
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{}", outcome.note);

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(
        steps[0],
        format!(
            "moved instance {id} back to {} and removed the tags {ORIGINAL_GROUPS_TAG} and {ISOLATED_TAG}",
            groups.join(", ")
        )
    );
    assert!(
        steps[1].starts_with("kept the forensic snapshots snap-"),
        "{steps:?}"
    );
    let described = clients
        .ec2
        .describe_instances()
        .instance_ids(&id)
        .send()
        .await
        .unwrap();
    let instance = &described.reservations()[0].instances()[0];
    let now: Vec<_> = instance
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    assert_eq!(now, groups);
    assert!(instance
        .tags()
        .iter()
        .all(|t| t.key() != Some(ORIGINAL_GROUPS_TAG) && t.key() != Some(ISOLATED_TAG)));
    let snapshots = clients
        .ec2
        .describe_snapshots()
        .filters(
            Filter::builder()
                .name(format!("tag:{SNAPSHOT_SOURCE_TAG}"))
                .values(&id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(!snapshots.snapshots().is_empty(), "the snapshots stay");
}
