//! The undo contract, once for every rule of `registry::rules()`: seed a resource that
//! fails the control, let the engine inspect, apply and verify the fix (recording it in
//! the audit trail), undo it as `hubfix undo` does (`undo::last_fix`, `undo::undo_fix`),
//! and inspect again: the resource must read exactly as the before-state the fix
//! recorded. A rule joins the round trip with a seed in [`SEEDS`], or is listed in
//! [`NOT_ROUND_TRIPPED`] with the reason it cannot be.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use aws_sdk_s3::types::BucketCannedAcl;
use futures_util::{FutureExt, StreamExt};
use hubfix::audit::{AuditTrail, Stage, DEFAULT_PREFIX};
use hubfix::aws::Clients;
use hubfix::error::FixError;
use hubfix::model::{BeforeState, Target};
use hubfix::policy::Mode;
use hubfix::registry;
use hubfix::remediate::{Fix, Rule};
use hubfix::settings::FixSettings;
use hubfix::undo::{last_fix, undo_fix, UndoError};
use hubfix::{OutcomeKind, Policy};
use hubfix_tests::seeds::{self, account, ec2_arn, user_arn};
use hubfix_tests::{
    as_remediate_action, event, finding_state, import, retarget, unique, Emulator, ACCOUNT, REGION,
};
use serde_json::Value;

/// What a seed made: the resource the control's finding names, and the fix settings
/// the rule needs for it (a log bucket, a key, hubfix's clock moved forward).
struct Seeded {
    resource: String,
    settings: FixSettings,
}

impl Seeded {
    fn at(resource: impl Into<String>) -> Seeded {
        Seeded::with(resource, FixSettings::default())
    }

    fn with(resource: impl Into<String>, settings: FixSettings) -> Seeded {
        Seeded {
            resource: resource.into(),
            settings,
        }
    }
}

type SeedFuture<'a> = Pin<Box<dyn Future<Output = Seeded> + Send + 'a>>;
/// Makes, in a fresh emulator, a resource that fails the controls of its entry in
/// [`SEEDS`].
type Seed = for<'a> fn(&'a Clients) -> SeedFuture<'a>;

macro_rules! seed {
    ($f:path) => {
        |clients| Box::pin($f(clients))
    };
}

/// The seeds, each with the controls it makes fail in the emulator: `(controls, what
/// the seed is, seed)`. Each entry runs in its own emulator; its controls round-trip in
/// turn against the one seeded resource (each undo must leave it as seeded, so the next
/// control finds it failing again). A control may have several seeds, one per way its
/// undo runs (a setting to put back, or one that was absent to remove again).
#[rustfmt::skip]
const SEEDS: &[(&[&str], &str, Seed)] = &[
    (
        &["IAM.7", "IAM.18", "IAM.28", "S3.1", "EC2.7", "GuardDuty.1", "CloudTrail.1",
          "CloudTrail.3", "SSM.7"],
        "account with none of these (password policy, support role, access analyzer, \
         Block Public Access, EBS encryption by default, detector, trail, block of public \
         sharing of SSM documents)",
        seed!(bare_account),
    ),
    (&["IAM.2", "CIS.1.15"], "user with a managed and an inline policy", seed!(user_with_policies)),
    (
        &["Account.1"],
        "account without a security contact, one configured",
        seed!(account_without_security_contact),
    ),
    (&["DynamoDB.1"], "provisioned table and index, none scaling", seed!(provisioned_table)),
    (&["EMR.2"], "Region with EMR block public access off, port 8080 permitted", seed!(emr_open)),
    (&["Macie.1"], "Region with Macie disabled", seed!(macie_off)),
    (&["Athena.4"], "workgroup publishing no CloudWatch metrics", seed!(athena_workgroup)),
    (
        &["APIGateway.1", "APIGateway.5"],
        "REST API stage logging nothing and caching unencrypted",
        seed!(rest_api_stage),
    ),
    (&["CloudFront.1"], "distribution without a default root object", seed!(rootless_distribution)),
    (&["CloudFront.12"], "distribution whose S3 origin bucket was deleted", seed!(dangling_distribution)),
    (&["ECS.5"], "task definition with a writable root filesystem", seed!(writable_task_definition)),
    (&["CloudFormation.1"], "stack notifying no SNS topic", seed!(silent_stack)),
    (
        &["IAM.27"],
        "role with AWSCloudShellFullAccess and ReadOnlyAccess",
        seed!(role_with_cloudshell),
    ),
    (
        &["IAM.3", "IAM.8", "IAM.22"],
        "user with a key, 100 days later, unused, no console password",
        seed!(user_with_old_key),
    ),
    (
        &["IAM.10", "IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15", "IAM.16", "IAM.17"],
        "weak password policy",
        seed!(weak_password_policy),
    ),
    (&["CIS.1.13"], "user with two active keys", seed!(user_with_two_keys)),
    (
        &["CIS.3.10", "CIS.3.11", "S3.22", "S3.23"],
        "logging multi-region trail without data events",
        seed!(logging_trail),
    ),
    (&["S3.2"], "public-read bucket with BlockPublicAcls on", seed!(public_read_bucket)),
    (&["S3.3"], "public-read-write bucket with BlockPublicAcls on", seed!(public_write_bucket)),
    (
        &["S3.4", "S3.5", "S3.11", "S3.13"],
        "bucket with S3's defaults (no encryption, policy, event notification or lifecycle)",
        seed!(plain_bucket),
    ),
    (&["S3.5"], "bucket with a hand-written policy", seed!(hand_written_policy_bucket)),
    (&["S3.6"], "bucket granting two other accounts", seed!(cross_account_bucket)),
    (&["S3.8"], "bucket with Block Public Access partly on", seed!(partly_blocked_bucket)),
    (&["S3.9"], "bucket without access logging", seed!(unlogged_bucket)),
    (&["S3.13"], "bucket with a disabled lifecycle rule", seed!(lifecycle_bucket)),
    (&["S3.13"], "bucket with hubfix's earlier rule disabled", seed!(earlier_lifecycle_bucket)),
    (&["S3.14"], "bucket with versioning suspended", seed!(suspended_versioning_bucket)),
    (&["S3.17"], "bucket encrypted with SSE-S3", seed!(sse_s3_bucket)),
    (&["EC2.1"], "public EBS snapshot", seed!(public_snapshot)),
    (&["EC2.2"], "default group with rules", seed!(default_group_with_rules)),
    (
        &["EC2.6", "EC2.10"],
        "default VPC without flow logs or an EC2 API endpoint",
        seed!(vpc_without_flow_logs),
    ),
    (&["EC2.8"], "instance allowing IMDSv1", seed!(instance)),
    (
        &["EC2.13", "EC2.14", "EC2.18", "EC2.19", "EC2.53", "EC2.54"],
        "security group open to the world on SSH, RDP, HTTPS and PostgreSQL",
        seed!(world_open_group),
    ),
    (&["EC2.15"], "subnet mapping public IPs on launch", seed!(public_ip_subnet)),
    (&["EC2.21"], "network ACL open on admin ports", seed!(open_admin_network_acl)),
    (
        &["EC2.25"],
        "launch template whose interface asks for a public IP",
        seed!(public_ip_launch_template),
    ),
    (
        &["RDS.1", "RDS.4"],
        "public unencrypted DB snapshot also shared with an account",
        seed!(public_db_snapshot),
    ),
    (
        &["DocumentDB.3", "RDS.4"],
        "public unencrypted cluster snapshot also shared with an account (an Aurora MySQL \
         one: moto's RDS API refuses the engine docdb; DocumentDB's API is RDS's)",
        seed!(public_aurora_cluster_snapshot),
    ),
    (
        &["Neptune.3"],
        "public Neptune cluster snapshot also shared with an account",
        seed!(public_neptune_cluster_snapshot),
    ),
    (
        &["RDS.2", "RDS.5", "RDS.6", "RDS.8", "RDS.11", "RDS.13", "RDS.17"],
        "DB instance with every setting off",
        seed!(db_instance),
    ),
    (&["RDS.7", "RDS.16"], "DB cluster without deletion protection or tag copying", seed!(db_cluster)),
    (
        &["Redshift.1", "Redshift.3", "Redshift.4", "Redshift.6", "Redshift.7"],
        "Redshift cluster with every setting off",
        seed!(redshift_cluster),
    ),
    (
        &["AutoScaling.1"],
        "Auto Scaling group behind a target group checking EC2 health only",
        seed!(balanced_group),
    ),
    (
        &["AutoScaling.3", "AutoScaling.5"],
        "launch configuration allowing IMDSv1 with public IPs, used by a group",
        seed!(imdsv1_public_launch_configuration),
    ),
    (
        &["ElastiCache.1", "ElastiCache.2"],
        "Redis OSS cluster without backups or minor upgrades",
        seed!(cache_cluster),
    ),
    (&["ElastiCache.3"], "replication group with a replica, without failover", seed!(replication_group)),
    (&["Lambda.1"], "function anyone may invoke", seed!(public_function)),
    (&["SNS.1", "SNS.2"], "unencrypted topic without delivery status logging", seed!(topic)),
    (&["SQS.1"], "unencrypted queue", seed!(plain_queue)),
    (&["SNS.4"], "topic anyone may publish to", seed!(public_topic)),
    (&["SSM.4"], "SSM document shared with everyone", seed!(public_document)),
    (
        &["SSM.1"],
        "instance whose profile's role lacks AmazonSSMManagedInstanceCore",
        seed!(instance_not_managed_by_ssm),
    ),
    (
        &["EC2.23"],
        "Transit Gateway that accepts shared attachments by itself",
        seed!(auto_accepting_gateway),
    ),
    (&["CodeBuild.5"], "project in privileged mode", seed!(privileged_project)),
    (&["SQS.3"], "queue anyone may send to", seed!(public_queue)),
    (&["KMS.5"], "key anyone may decrypt with", seed!(public_key)),
    (
        &["DynamoDB.2", "DynamoDB.5", "DynamoDB.6"],
        "table without point-in-time recovery, deletion protection or an owner tag",
        seed!(table),
    ),
    (&["ECR.1", "ECR.2"], "repository without scan on push, tags mutable", seed!(repository)),
    (&["SecretsManager.1"], "secret never rotated", seed!(secret)),
    (&["SecretsManager.3"], "secret not read for 100 days", seed!(unused_secret)),
    (
        &["ELB.1", "ELB.6"],
        "load balancer forwarding plain HTTP, no deletion protection",
        seed!(http_forwarding_load_balancer),
    ),
    (&["KMS.4"], "key without rotation", seed!(kms_key)),
    (&["KMS.3"], "key scheduled for deletion", seed!(key_pending_deletion)),
    (&["CloudWatch.16"], "log group kept 30 days", seed!(short_retention_log_group)),
    (&["GuardDuty.1"], "account with a disabled detector", seed!(disabled_detector)),
    (
        &["GuardDuty.2"],
        "GuardDuty filter without an owner tag",
        seed!(untagged_guardduty_filter),
    ),
    (
        &["GuardDuty.4", "GuardDuty.9", "GuardDuty.10"],
        "detector without RDS or S3 Protection or an owner tag",
        seed!(detector_without_protection_plans),
    ),
    (&["Config.1"], "account without a recorder", seed!(account_without_recorder)),
    (
        &["CloudTrail.2", "CloudTrail.4", "CloudTrail.5"],
        "trail not encrypted, not validated, not delivered to CloudWatch Logs",
        seed!(user_trail),
    ),
    (
        &["CloudTrail.6", "CloudTrail.7"],
        "trail bucket without Block Public Access or access logging",
        seed!(trail_bucket),
    ),
    (
        &[
            "CloudWatch.1", "CloudWatch.2", "CloudWatch.3", "CloudWatch.4", "CloudWatch.5",
            "CloudWatch.6", "CloudWatch.7", "CloudWatch.8", "CloudWatch.9", "CloudWatch.10",
            "CloudWatch.11", "CloudWatch.12", "CloudWatch.13", "CloudWatch.14", "CIS.4.1",
            "CIS.4.2", "CIS.4.3", "CIS.4.15",
        ],
        "trail log group without metric filters or alarms",
        seed!(trail_with_log_group),
    ),
];

/// Why a rule is not in the round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// hubfix never changes the resource (the note gives the steps): its undo answers
    /// `FixError::Manual` (checked below for every rule listed so).
    Manual,
    /// The fix deletes what cannot be recreated; its undo answers
    /// `FixError::Irreversible`, saying what is left (checked by the named test).
    Irreversible(&'static str),
}

/// The rules that are not round-tripped, each with its reason.
const NOT_ROUND_TRIPPED: &[(&str, Reason)] = &[
    ("IAM.4", Reason::Manual),
    ("IAM.6", Reason::Manual),
    ("IAM.9", Reason::Manual),
    (
        "IAM.26",
        Reason::Irreversible(
            "deletes expired server certificates, whose private keys hubfix never holds \
             (undo.rs, iam_26_deleted_certificates_are_irreversible)",
        ),
    ),
    ("CIS.2.1.3", Reason::Manual),
    ("S3.19", Reason::Manual),
    ("S3.20", Reason::Manual),
    ("EC2.3", Reason::Manual),
    (
        "EC2.4",
        Reason::Irreversible(
            "terminates the instance, after snapshots \
             (undo.rs, ec2_4_termination_is_irreversible_and_names_the_snapshots)",
        ),
    ),
    ("RDS.3", Reason::Manual),
    ("RDS.15", Reason::Manual),
    (
        "SecretsManager.4",
        Reason::Irreversible(
            "rotates the secret, changing the credential where it is used; undo restores the \
             schedule only (data_catalogue.rs, \
             secretsmanager_4_rotates_a_stale_secret_now_on_approval_and_undo_restores_only_the_schedule)",
        ),
    ),
    (
        "IAM.5",
        Reason::Irreversible(
            "deletes a console password, which IAM never reveals (iam_catalogue.rs, \
             iam_5_takes_the_console_password_of_a_user_without_mfa_on_approval_only)",
        ),
    ),
    (
        "CodeBuild.2",
        Reason::Irreversible(
            "removes plain-text credentials and never keeps their values (compute_catalogue.rs, \
             codebuild_2_names_the_variables_never_their_values_and_cannot_be_undone)",
        ),
    ),
    (
        "CodeBuild.1",
        Reason::Irreversible(
            "removes the credentials from source URLs and never keeps them (compute_catalogue.rs, \
             codebuild_1_strips_the_source_url_credentials_never_writing_them_and_cannot_be_undone)",
        ),
    ),
    ("EFS.1", Reason::Manual),
    ("EFS.8", Reason::Manual),
];

/// The environment variable that limits the round trip to some controls
/// (`HUBFIX_ROUND_TRIP=S3.8,EC2.13`), to try a new rule's seed quickly.
const ONLY: &str = "HUBFIX_ROUND_TRIP";

/// Round trips run at once, each with its own emulator (about 240 MB each).
const AT_ONCE: usize = 3;

/// Every rule of the registry is either seeded or listed with its reason, never both,
/// and both tables name only registered rules. The failure names the controls.
fn check_tables() {
    let seeded = |id: &str| SEEDS.iter().any(|(c, _, _)| c.contains(&id));
    let listed = |id: &str| NOT_ROUND_TRIPPED.iter().any(|(c, _)| *c == id);
    let mut problems = Vec::new();
    for rule in registry::rules() {
        let id = rule.control_id;
        match (seeded(id), listed(id)) {
            (false, false) => problems.push(format!(
                "{id} has no seed: add one to SEEDS (round_trip.rs, set-ups in \
                 tests/src/seeds/), or list it in NOT_ROUND_TRIPPED with its reason"
            )),
            (true, true) => problems.push(format!(
                "{id} is both seeded and listed as not round-tripped"
            )),
            _ => {}
        }
    }
    let named = SEEDS
        .iter()
        .flat_map(|(c, _, _)| c.iter().copied())
        .chain(NOT_ROUND_TRIPPED.iter().map(|(c, _)| *c));
    for id in named {
        if registry::rule(id).is_none() {
            problems.push(format!("{id} is not a rule of the registry any more"));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_is_round_tripped_or_says_why_not() {
    check_tables();
}

#[tokio::test]
async fn manual_rules_have_nothing_to_undo() {
    // Never sent: a manual undo makes no call.
    let config = hubfix::aws::config_loader()
        .region(aws_config::Region::new(REGION))
        .endpoint_url("http://127.0.0.1:9")
        .load()
        .await;
    let clients = Clients::new(&config);
    let target = Target {
        account: ACCOUNT.into(),
        region: REGION.into(),
        partition: "aws".into(),
        resource_id: account(),
        name: account(),
        candidates: 1,
        finding_id: None,
        principal: None,
    };
    let settings = FixSettings::default();
    let fix = Fix {
        clients: &clients,
        target: &target,
        settings: &settings,
    };
    let before = BeforeState::new(account(), &Value::Null);
    for (id, _) in NOT_ROUND_TRIPPED
        .iter()
        .filter(|(_, r)| *r == Reason::Manual)
    {
        let rule = registry::rule(id).expect("a registered rule");
        let err = rule.remediation.undo(fix, &before, &[]).await.unwrap_err();
        assert!(matches!(err, FixError::Manual(_)), "{id}: {err:?}");
        assert!(err.to_string().contains("nothing to undo"), "{id}: {err}");
    }
}

#[tokio::test]
async fn every_reversible_rule_is_put_back_as_it_was() {
    check_tables();
    let only = std::env::var(ONLY).ok();
    let only: Option<Vec<&str>> = only
        .as_deref()
        .map(|o| o.split(',').map(str::trim).collect());
    let chosen = |id: &&str| only.as_ref().is_none_or(|o| o.contains(id));
    let seeds: Vec<(Vec<&'static str>, &'static str, Seed)> = SEEDS
        .iter()
        .map(|(controls, what, seed)| {
            (
                controls.iter().copied().filter(chosen).collect::<Vec<_>>(),
                *what,
                *seed,
            )
        })
        .filter(|(controls, _, _)| !controls.is_empty())
        .collect();
    let count: usize = seeds.iter().map(|(controls, _, _)| controls.len()).sum();
    assert!(count > 0, "{ONLY} names no seeded control");
    let failures: Vec<String> = futures_util::stream::iter(seeds)
        .map(|(controls, what, seed)| round_trips(controls, what, seed))
        .buffer_unordered(AT_ONCE)
        .flat_map(futures_util::stream::iter)
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {count} round trips failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Seeds a fresh emulator and round-trips each control against the seeded resource in
/// turn; returns the failures, each naming its control and seed.
async fn round_trips(controls: Vec<&'static str>, what: &str, seed: Seed) -> Vec<String> {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let seeded = match AssertUnwindSafe(seed(&clients)).catch_unwind().await {
        Ok(seeded) => seeded,
        Err(panic) => {
            let why = panic_message(panic);
            return controls
                .iter()
                .map(|control| format!("{control} ({what}): the seed failed: {why}"))
                .collect();
        }
    };
    let trail = AuditTrail::new(
        clients.s3.client().clone(),
        seeds::s3::bucket(&clients, "audit").await,
        DEFAULT_PREFIX,
    );
    let mut failures = Vec::new();
    for control in controls {
        let rule = registry::rule(control).expect("a registered rule");
        let trip = round_trip(&emulator, &clients, &trail, rule, &seeded);
        if let Err(panic) = AssertUnwindSafe(trip).catch_unwind().await {
            let why = panic_message(panic);
            failures.push(format!("{control} ({what}): {why}"));
        }
    }
    failures
}

/// The message a caught panic carries.
fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

/// One round trip of `rule` against a seeded resource; panics, saying what failed.
async fn round_trip(
    emulator: &Emulator,
    clients: &Clients,
    trail: &AuditTrail,
    rule: &Rule,
    seeded: &Seeded,
) {
    let Seeded { resource, settings } = seeded;

    // inspect, apply, verify: the engine, as the automatic path runs it, or as the
    // Remediate custom action does for a rule that is never automatic.
    let mut ev = event(&seeds::control_event(rule.control_id));
    retarget(&mut ev, resource, &unique("round-trip"));
    if rule.never_automatic() {
        as_remediate_action(&mut ev);
    }
    import(clients, &ev).await;
    let policy = Policy {
        settings: settings.clone(),
        default_mode: Some(Mode::Auto),
        ..Policy::default()
    };
    let engine = emulator
        .engine(policy)
        .await
        .with_audit(Some(trail.clone()))
        .with_actor("round trip");
    let report = engine.handle_json(&ev).await.expect("a well-formed event");
    let fixed = &report.outcomes[0];
    assert_eq!(fixed.kind, OutcomeKind::Remediated, "{}", fixed.note);
    assert!(
        fixed.note.contains("verified by reading it back"),
        "{}",
        fixed.note
    );
    let history = trail.history(&fixed.finding_id).await.expect("the trail");
    let stages: Vec<Stage> = history.iter().map(|r| r.stage).collect();
    assert_eq!(stages, [Stage::Planned, Stage::Decided]);
    let before = history[0].before.clone().expect("a planned before-state");
    assert_eq!(history[1].before.as_ref(), Some(&before));
    assert_ne!(
        fixed.after.as_ref().map(|a| &a.state),
        Some(&before.state),
        "the fix changed what inspect reads"
    );

    // undo, as `hubfix undo <finding>` runs it.
    let record = last_fix(trail, &fixed.finding_id)
        .await
        .expect("a fix to undo");
    let undone = undo_fix(
        engine.aws(),
        trail,
        settings,
        &record,
        "hubfix CLI as round trip",
    )
    .await
    .unwrap_or_else(|e| panic!("undo: {e}"));
    assert!(!undone.steps.is_empty());
    assert!(undone.noted, "the finding takes the undo's note");
    let (status, _) = finding_state(clients, &fixed.finding_id).await;
    assert_eq!(status, "NOTIFIED");
    let stages: Vec<Stage> = trail
        .history(&fixed.finding_id)
        .await
        .expect("the trail")
        .iter()
        .map(|r| r.stage)
        .collect();
    assert_eq!(stages, [Stage::Planned, Stage::Decided, Stage::Undone]);
    assert!(
        matches!(
            last_fix(trail, &fixed.finding_id).await,
            Err(UndoError::AlreadyUndone { .. })
        ),
        "a second undo is refused"
    );

    // inspect again: the resource reads as before the fix, and fails its control again.
    let target = record.target.as_ref().expect("a target");
    let fix = Fix {
        clients,
        target,
        settings,
    };
    let again = rule
        .remediation
        .inspect(fix, false)
        .await
        .unwrap_or_else(|e| panic!("inspect after the undo: {e}"));
    assert_eq!(again.plan.before, before, "steps taken: {:?}", undone.steps);
    assert!(!again.plan.is_compliant(), "the control fails again");
}

// ------------------------------------------------------------------------ seeds

fn days_ahead(days: u64) -> FixSettings {
    FixSettings {
        now: Some(SystemTime::now() + Duration::from_secs(days * 86_400)),
        ..FixSettings::default()
    }
}

fn bucket_arn(bucket: &str) -> String {
    format!("arn:aws:s3:::{bucket}")
}

async fn bare_account(_: &Clients) -> Seeded {
    Seeded::at(account())
}

async fn user_with_policies(clients: &Clients) -> Seeded {
    let (user, _) = seeds::iam::user_with_policies(clients).await;
    Seeded::at(user_arn(&user))
}

async fn account_without_security_contact(_: &Clients) -> Seeded {
    let settings = FixSettings {
        security_contact: Some(hubfix::settings::SecurityContact {
            name: "Cloud Security Team".into(),
            title: "Security".into(),
            email: "security@example.com".into(),
            phone: "+1 206 555 0100".into(),
        }),
        ..FixSettings::default()
    };
    Seeded::with(account(), settings)
}

async fn role_with_cloudshell(clients: &Clients) -> Seeded {
    Seeded::at(
        seeds::iam::identity_with_cloudshell(clients, "role")
            .await
            .0,
    )
}

async fn user_with_old_key(clients: &Clients) -> Seeded {
    let (user, _) = seeds::iam::user_with_keys(clients, 1).await;
    Seeded::with(user_arn(&user), days_ahead(100))
}

async fn user_with_two_keys(clients: &Clients) -> Seeded {
    let (user, _) = seeds::iam::user_with_keys(clients, 2).await;
    Seeded::at(user_arn(&user))
}

async fn weak_password_policy(clients: &Clients) -> Seeded {
    seeds::iam::weak_password_policy(clients).await;
    Seeded::at(account())
}

async fn plain_bucket(clients: &Clients) -> Seeded {
    let settings = FixSettings {
        s3_event_destination: Some(seeds::data::topic(clients).await),
        ..FixSettings::default()
    };
    Seeded::with(
        bucket_arn(&seeds::s3::bucket(clients, "plain").await),
        settings,
    )
}

async fn public_read_bucket(clients: &Clients) -> Seeded {
    let bucket = seeds::s3::public_acl_bucket(clients, BucketCannedAcl::PublicRead).await;
    Seeded::at(bucket_arn(&bucket))
}

async fn public_write_bucket(clients: &Clients) -> Seeded {
    let bucket = seeds::s3::public_acl_bucket(clients, BucketCannedAcl::PublicReadWrite).await;
    Seeded::at(bucket_arn(&bucket))
}

async fn hand_written_policy_bucket(clients: &Clients) -> Seeded {
    let (bucket, _) = seeds::s3::hand_written_policy_bucket(clients).await;
    Seeded::at(bucket_arn(&bucket))
}

async fn cross_account_bucket(clients: &Clients) -> Seeded {
    let (bucket, _) = seeds::s3::cross_account_bucket(clients).await;
    Seeded::at(bucket_arn(&bucket))
}

async fn partly_blocked_bucket(clients: &Clients) -> Seeded {
    Seeded::at(bucket_arn(&seeds::s3::partly_blocked_bucket(clients).await))
}

async fn unlogged_bucket(clients: &Clients) -> Seeded {
    let bucket = seeds::s3::bucket(clients, "unlogged").await;
    let settings = FixSettings {
        s3_access_log_bucket: Some(seeds::s3::log_delivery_bucket(clients).await),
        ..FixSettings::default()
    };
    Seeded::with(bucket_arn(&bucket), settings)
}

async fn lifecycle_bucket(clients: &Clients) -> Seeded {
    let bucket = seeds::s3::lifecycle_bucket(clients, &[("old-rule", "tmp/")]).await;
    Seeded::at(bucket_arn(&bucket))
}

async fn earlier_lifecycle_bucket(clients: &Clients) -> Seeded {
    let rules = [("hubfix-default", ""), ("logs", "logs/")];
    let bucket = seeds::s3::lifecycle_bucket(clients, &rules).await;
    Seeded::at(bucket_arn(&bucket))
}

async fn suspended_versioning_bucket(clients: &Clients) -> Seeded {
    Seeded::at(bucket_arn(
        &seeds::s3::suspended_versioning_bucket(clients).await,
    ))
}

async fn sse_s3_bucket(clients: &Clients) -> Seeded {
    let settings = FixSettings {
        s3_kms_key: Some("alias/hubfix-test".into()),
        ..FixSettings::default()
    };
    Seeded::with(
        bucket_arn(&seeds::s3::sse_s3_bucket(clients).await),
        settings,
    )
}

async fn public_snapshot(clients: &Clients) -> Seeded {
    seeds::ec2::public_snapshot(clients).await;
    Seeded::at(account())
}

async fn default_group_with_rules(clients: &Clients) -> Seeded {
    let group = seeds::ec2::default_group_with_rules(clients).await;
    Seeded::at(ec2_arn("security-group", &group))
}

async fn vpc_without_flow_logs(clients: &Clients) -> Seeded {
    let vpc = seeds::ec2::default_vpc(clients).await;
    let bucket = seeds::s3::bucket(clients, "flow-logs").await;
    let settings = FixSettings {
        flow_log_destination: Some(bucket_arn(&bucket)),
        ..FixSettings::default()
    };
    Seeded::with(ec2_arn("vpc", &vpc), settings)
}

async fn public_ip_launch_template(clients: &Clients) -> Seeded {
    let template = seeds::ec2::public_ip_launch_template(clients).await;
    Seeded::at(ec2_arn("launch-template", &template))
}

async fn instance(clients: &Clients) -> Seeded {
    Seeded::at(ec2_arn("instance", &seeds::ec2::instance(clients).await))
}

async fn world_open_group(clients: &Clients) -> Seeded {
    let group = seeds::ec2::world_open_group(clients, &[]).await;
    Seeded::at(ec2_arn("security-group", &group))
}

async fn public_ip_subnet(clients: &Clients) -> Seeded {
    Seeded::at(ec2_arn(
        "subnet",
        &seeds::ec2::public_ip_subnet(clients).await,
    ))
}

async fn open_admin_network_acl(clients: &Clients) -> Seeded {
    let acl = seeds::ec2::open_admin_network_acl(clients).await;
    Seeded::at(ec2_arn("network-acl", &acl))
}

async fn public_aurora_cluster_snapshot(clients: &Clients) -> Seeded {
    let snapshot = seeds::data::public_cluster_snapshot(clients, "aurora-mysql").await;
    Seeded::at(seeds::data::db_cluster_snapshot_arn(&snapshot))
}

async fn public_neptune_cluster_snapshot(clients: &Clients) -> Seeded {
    let snapshot = seeds::data::public_cluster_snapshot(clients, "neptune").await;
    Seeded::at(seeds::data::db_cluster_snapshot_arn(&snapshot))
}

async fn public_db_snapshot(clients: &Clients) -> Seeded {
    let snapshot = seeds::data::public_db_snapshot(clients).await;
    Seeded::at(seeds::data::db_snapshot_arn(&snapshot))
}

async fn db_instance(clients: &Clients) -> Seeded {
    let id = seeds::data::db_instance(clients).await;
    Seeded::at(seeds::data::db_instance_arn(&id))
}

async fn db_cluster(clients: &Clients) -> Seeded {
    Seeded::at(seeds::data::db_cluster(clients).await)
}

async fn redshift_cluster(clients: &Clients) -> Seeded {
    Seeded::at(seeds::data::redshift_cluster(clients).await.1)
}

async fn balanced_group(clients: &Clients) -> Seeded {
    Seeded::at(
        seeds::compute::balanced_group_without_elb_checks(clients)
            .await
            .1,
    )
}

async fn imdsv1_public_launch_configuration(clients: &Clients) -> Seeded {
    Seeded::at(
        seeds::compute::imdsv1_public_launch_configuration(clients)
            .await
            .1,
    )
}

async fn cache_cluster(clients: &Clients) -> Seeded {
    Seeded::at(seeds::data::cache_cluster(clients, None).await.1)
}

async fn replication_group(clients: &Clients) -> Seeded {
    Seeded::at(seeds::data::replication_group(clients, 2).await.1)
}

async fn provisioned_table(clients: &Clients) -> Seeded {
    Seeded::at(seeds::data::provisioned_table(clients).await.1)
}

async fn macie_off(clients: &Clients) -> Seeded {
    seeds::edge::macie_disabled(clients).await;
    Seeded::at(account())
}

async fn athena_workgroup(clients: &Clients) -> Seeded {
    Seeded::at(seeds::edge::athena_workgroup(clients).await.1)
}

async fn rest_api_stage(clients: &Clients) -> Seeded {
    seeds::edge::api_gateway_log_role(clients).await;
    Seeded::at(seeds::edge::rest_api_stage(clients).await.1)
}

async fn rootless_distribution(clients: &Clients) -> Seeded {
    Seeded::at(
        seeds::edge::distribution(clients, "site-assets", "")
            .await
            .1,
    )
}

async fn dangling_distribution(clients: &Clients) -> Seeded {
    Seeded::at(
        seeds::edge::distribution(clients, &unique("retired-assets"), "index.html")
            .await
            .1,
    )
}

async fn writable_task_definition(clients: &Clients) -> Seeded {
    Seeded::at(seeds::edge::writable_task_definition(clients).await)
}

async fn silent_stack(clients: &Clients) -> Seeded {
    Seeded::at(seeds::edge::stack_without_notifications(clients).await)
}

async fn emr_open(clients: &Clients) -> Seeded {
    seeds::compute::emr_block_public_access_off(clients).await;
    Seeded::at(account())
}

async fn public_function(clients: &Clients) -> Seeded {
    let (_, arn) = seeds::compute::public_function(clients).await;
    Seeded::at(arn)
}

async fn topic(clients: &Clients) -> Seeded {
    let settings = FixSettings {
        sns_kms_key: Some("alias/order-events".into()),
        sns_delivery_log_role_arn: Some(
            "arn:aws:iam::123456789012:role/sns-delivery-status".into(),
        ),
        ..FixSettings::default()
    };
    Seeded::with(seeds::data::topic(clients).await, settings)
}

async fn plain_queue(clients: &Clients) -> Seeded {
    let (arn, _) = seeds::data::plain_queue(clients).await;
    Seeded::at(arn)
}

/// The tags the tagging controls' seeds require: keys their resources lack.
fn owner_tag_required() -> FixSettings {
    FixSettings {
        required_tags: vec![("owner".into(), "platform".into())],
        ..FixSettings::default()
    }
}

async fn table(clients: &Clients) -> Seeded {
    let (_, arn) = seeds::data::table(clients).await;
    Seeded::with(arn, owner_tag_required())
}

async fn repository(clients: &Clients) -> Seeded {
    let (_, arn) = seeds::data::repository(clients).await;
    Seeded::at(arn)
}

async fn secret(clients: &Clients) -> Seeded {
    let secret = seeds::data::secret(clients).await;
    let rotator = seeds::compute::function(clients, &unique("rotate")).await;
    let settings = FixSettings {
        secrets_rotation_lambda_arn: Some(rotator),
        ..FixSettings::default()
    };
    Seeded::with(secret, settings)
}

async fn http_forwarding_load_balancer(clients: &Clients) -> Seeded {
    Seeded::at(seeds::compute::http_forwarding_load_balancer(clients).await)
}

async fn privileged_project(clients: &Clients) -> Seeded {
    Seeded::at(seeds::compute::bitbucket_project(clients).await.0)
}

async fn untagged_guardduty_filter(clients: &Clients) -> Seeded {
    Seeded::with(
        seeds::logging::guardduty_filter(clients).await,
        owner_tag_required(),
    )
}

async fn detector_without_protection_plans(clients: &Clients) -> Seeded {
    Seeded::with(
        seeds::logging::detector_without_protection_plans(clients)
            .await
            .0,
        owner_tag_required(),
    )
}

async fn auto_accepting_gateway(clients: &Clients) -> Seeded {
    let id = seeds::ec2::transit_gateway(clients, true).await;
    Seeded::at(ec2_arn("transit-gateway", &id))
}

async fn unused_secret(clients: &Clients) -> Seeded {
    Seeded::with(seeds::data::secret(clients).await, days_ahead(100))
}

async fn instance_not_managed_by_ssm(clients: &Clients) -> Seeded {
    let instance = seeds::ec2::instance(clients).await;
    let profile = seeds::ec2::instance_profile(clients, "web", false).await;
    seeds::ec2::associate_profile(clients, &instance, &profile).await;
    Seeded::at(ec2_arn("instance", &instance))
}

async fn public_document(clients: &Clients) -> Seeded {
    let name = seeds::policies::ssm_document(clients, "patch-fleet", &["all"]).await;
    Seeded::at(seeds::policies::ssm_document_arn(&name))
}

async fn public_topic(clients: &Clients) -> Seeded {
    Seeded::at(seeds::policies::public_topic(clients).await.0)
}

async fn public_queue(clients: &Clients) -> Seeded {
    Seeded::at(seeds::policies::public_queue(clients).await.0)
}

async fn public_key(clients: &Clients) -> Seeded {
    Seeded::at(seeds::policies::public_key(clients).await.0)
}

async fn kms_key(clients: &Clients) -> Seeded {
    let (arn, _) = seeds::logging::kms_key(clients).await;
    Seeded::at(arn)
}

async fn key_pending_deletion(clients: &Clients) -> Seeded {
    let (arn, _) = seeds::logging::key_pending_deletion(clients).await;
    Seeded::at(arn)
}

async fn short_retention_log_group(clients: &Clients) -> Seeded {
    let (_, arn) = seeds::logging::short_retention_log_group(clients).await;
    Seeded::at(arn)
}

async fn disabled_detector(clients: &Clients) -> Seeded {
    seeds::logging::disabled_detector(clients).await;
    Seeded::at(account())
}

async fn account_without_recorder(clients: &Clients) -> Seeded {
    let mut settings = FixSettings::default();
    settings.catalogue.config_bucket = Some(seeds::s3::bucket(clients, "config-delivery").await);
    Seeded::with(account(), settings)
}

async fn logging_trail(clients: &Clients) -> Seeded {
    seeds::logging::logging_trail(clients).await;
    Seeded::at(account())
}

async fn user_trail(clients: &Clients) -> Seeded {
    Seeded::at(seeds::logging::user_trail(clients, "org-trail", true).await)
}

async fn trail_bucket(clients: &Clients) -> Seeded {
    let trail = seeds::logging::user_trail(clients, "org-trail", true).await;
    let bucket = seeds::logging::bucket_of_trail(clients, &trail).await;
    let settings = FixSettings {
        s3_access_log_bucket: Some(seeds::s3::log_delivery_bucket(clients).await),
        ..FixSettings::default()
    };
    Seeded::with(bucket_arn(&bucket), settings)
}

async fn trail_with_log_group(clients: &Clients) -> Seeded {
    seeds::logging::trail_with_log_group(clients).await;
    Seeded::at(account())
}
