//! The storm: an organisation's first day with hubfix, in the emulator. Accounts ×
//! regions of S3 buckets fail four automatic controls; their findings arrive in the
//! delegated administrator's hub over an arrival window (seeded, as cross-region and
//! cross-account aggregation delivers them), Security Hub emits one Imported event per
//! finding (the emulator's outbox, hubfix's own updates included), EventBridge puts the
//! events that match the template's rule on the findings queue, and Lambda's SQS event
//! source drives the real `auto-remediate` handler ([`hubfix::function::handle_batch`])
//! with the template's batch size, batching window and maximum concurrency, each
//! concurrent invocation with an engine of its own, as separate Lambda execution
//! environments have. The reconciler runs on its schedule. Security Hub's API quotas are
//! enforced and every AWS call is held for a modelled latency.
//!
//! Then it checks the targets: every finding RESOLVED, NOTIFIED with a final
//! note, or deferred (marked, to be picked up by hubfix); none lost; Security Hub writes
//! inside the quota and few per finding; each resource changed once; the caps held; a
//! lone finding fixed fast.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_config::{Region, SdkConfig};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use futures_util::stream::{self, StreamExt};
use hubfix::aws::AwsContext;
use hubfix::function::{handle_batch, QueueSettings};
use hubfix::reconcile::{reconcile, ReconcileOptions};
use hubfix::{Engine, Policy};
use serde_json::{json, Value};

use crate::faults::{Fault, FaultProxy, Schedule};
use crate::queue::{EventSource, FindingsQueue};
use crate::{Emulator, ACCOUNT, REGION};

/// The controls the storm's buckets fail: all automatic by default, all on S3 (moto's
/// lightest backend at 1,500 account-regions, tests/emulator/README.md).
pub const CONTROLS: [&str; 4] = ["S3.4", "S3.5", "S3.8", "S3.14"];
/// The member role hubfix assumes.
pub const MEMBER_ROLE: &str = "hubfix-member";
/// The audit trail's bucket, in hubfix's own account.
pub const AUDIT_BUCKET: &str = "storm-audit";
/// Regions of the account-regions, in order.
pub const REGIONS: [&str; 5] = [
    "us-east-1",
    "eu-west-1",
    "ap-southeast-2",
    "us-west-2",
    "eu-central-1",
];
/// Memory of the auto-remediate function in the template, for GB-seconds.
pub const FUNCTION_MEMORY_GB: f64 = 0.25;
/// The function's timeout in the template: each invocation's deadline.
pub const FUNCTION_TIMEOUT: Duration = Duration::from_secs(120);

/// What the storm is.
#[derive(Debug, Clone)]
pub struct StormConfig {
    /// Findings in all.
    pub findings: usize,
    /// Member accounts.
    pub accounts: usize,
    /// Regions per account.
    pub regions: usize,
    /// Over how long the findings arrive.
    pub arrival: Duration,
    /// The event source's batch size (template `QueueBatchSize`).
    pub batch_size: usize,
    /// The event source's batching window (template `QueueBatchingWindowSeconds`).
    pub window: Duration,
    /// Concurrent invocations (template `MaxConcurrentBatches`).
    pub max_concurrency: usize,
    /// Milliseconds the emulator holds every AWS call.
    pub latency_ms: u64,
    /// Through the fault-injecting proxy (throttling, resets, delays).
    pub faults: bool,
    /// `HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR`.
    pub cap_per_control_hour: usize,
    /// `HUBFIX_FINDING_UPDATES_PER_SECOND` (template `FindingUpdatesPerSecond`).
    pub updates_per_second: f64,
    /// How often the reconciler runs (template `ReconcileSchedule`).
    pub reconcile_every: Duration,
    /// The reconciler's `new_after` (template `ReconcileAfterMinutes`).
    pub reconcile_after: Duration,
    /// Give up after this long.
    pub timeout: Duration,
    /// Progress lines on stderr.
    pub verbose: bool,
}

impl StormConfig {
    /// The storm: 60,000 findings from 500 accounts × 3 regions in 10 minutes.
    pub fn organisation() -> Self {
        StormConfig {
            findings: 60_000,
            accounts: 500,
            regions: 3,
            arrival: Duration::from_secs(600),
            batch_size: 300,
            window: Duration::from_secs(1),
            max_concurrency: 2,
            latency_ms: 20,
            faults: false,
            cap_per_control_hour: 12_000,
            updates_per_second: 7.0,
            reconcile_every: Duration::from_secs(300),
            reconcile_after: Duration::from_secs(120),
            timeout: Duration::from_secs(3 * 3600),
            verbose: true,
        }
    }

    /// The same harness at a size `make test` runs: 2,000 findings, 20 accounts.
    pub fn small() -> Self {
        StormConfig {
            findings: 2_000,
            accounts: 20,
            regions: 2,
            arrival: Duration::from_secs(20),
            cap_per_control_hour: 400,
            reconcile_every: Duration::from_secs(20),
            reconcile_after: Duration::from_secs(30),
            timeout: Duration::from_secs(900),
            verbose: false,
            ..StormConfig::organisation()
        }
    }

    fn account(&self, i: usize) -> String {
        format!("{}", 200_000_000_000u64 + i as u64 + 1)
    }

    /// The buckets: `(account, region, name)`, spread round-robin over account-regions,
    /// enough for `findings` findings of four controls each.
    pub fn buckets(&self) -> Vec<(String, &'static str, String)> {
        let places = self.accounts * self.regions;
        let count = self.findings.div_ceil(CONTROLS.len());
        (0..count)
            .map(|i| {
                let place = i % places;
                let account = self.account(place / self.regions);
                let region = REGIONS[place % self.regions];
                let name = format!("storm-{account}-{}-{}", place % self.regions, i / places);
                (account, region, name)
            })
            .collect()
    }
}

/// What the storm did, and the figures its targets are checked on.
#[derive(Debug, Clone, Default)]
pub struct StormReport {
    /// Findings seeded.
    pub findings: usize,
    /// RESOLVED at the end.
    pub resolved: usize,
    /// NOTIFIED with hubfix's final note.
    pub notified: usize,
    /// NOTIFIED with hubfix's deferral marker (picked up again by the reconciler).
    pub deferred: usize,
    /// Anything else: NEW, or NOTIFIED without hubfix's note.
    pub stranded: usize,
    /// Seeded findings not found at the end.
    pub lost: usize,
    /// Messages left in the findings dead-letter queue.
    pub dead_lettered: u64,
    /// `BatchUpdateFindings` calls Security Hub accepted.
    pub writes: u64,
    /// Of them, throttled (answered 429).
    pub throttled: u64,
    /// Most accepted in one second.
    pub peak_writes_per_second: u64,
    /// Accepted calls over the seconds from the first to the last.
    pub mean_writes_per_second: f64,
    /// Most accepted in any ten seconds, divided by ten.
    pub peak_ten_second_rate: f64,
    /// From the first finding seeded to the queue drained.
    pub drained: Duration,
    /// Handler invocations.
    pub invocations: usize,
    /// Σ invocation time × function memory.
    pub gb_seconds: f64,
    /// Resources changed more than once (a mutation of one kind delivered twice).
    pub changed_twice: Vec<String>,
    /// Fixes of each control (mutations delivered).
    pub fixes_per_control: BTreeMap<String, usize>,
    /// Most fixes of each control delivered within any one hour (a sliding window, as
    /// hubfix counts its cap).
    pub peak_fixes_per_control_hour: BTreeMap<String, usize>,
    /// Most requests in flight at once in one account-region.
    pub max_in_flight_per_account_region: usize,
    /// A lone finding at low load: seeded to RESOLVED (its echo seen).
    pub single_finding: Option<Duration>,
    /// Faults the proxy injected.
    pub faults_injected: usize,
    /// Messages EventBridge put on the queue; echoes it filtered out.
    pub queued: usize,
    /// Imported events the rule did not match (hubfix's own updates among them).
    pub filtered: usize,
    /// Reconciler runs and findings they put back.
    pub reconciled: (usize, usize),
}

impl StormReport {
    /// Security Hub writes per finding.
    pub fn writes_per_finding(&self) -> f64 {
        self.writes as f64 / self.findings.max(1) as f64
    }

    /// The last line `make storm` prints.
    pub fn line(&self) -> String {
        format!(
            "storm: {} findings, {} resolved, {} notified, {} deferred, stranded {}, lost {}, writes/finding {:.3}, peak writes/s {}, drained in {:.0} s",
            self.findings,
            self.resolved,
            self.notified,
            self.deferred,
            self.stranded,
            self.lost,
            self.writes_per_finding(),
            self.peak_writes_per_second,
            self.drained.as_secs_f64()
        )
    }

    /// The targets missed, each said in a sentence; empty when all are met.
    pub fn missed(&self, config: &StormConfig) -> Vec<String> {
        let mut missed = Vec::new();
        let mut check = |ok: bool, what: String| {
            if !ok {
                missed.push(what);
            }
        };
        check(
            self.stranded == 0,
            format!("{} findings stranded", self.stranded),
        );
        check(self.lost == 0, format!("{} findings lost", self.lost));
        check(
            self.dead_lettered == 0,
            format!("{} events in the dead-letter queue", self.dead_lettered),
        );
        check(
            self.resolved + self.notified + self.deferred == self.findings,
            "outcomes do not add up to the findings".into(),
        );
        check(
            self.peak_writes_per_second <= 30,
            format!(
                "{} writes in one second (quota burst 30)",
                self.peak_writes_per_second
            ),
        );
        check(
            self.peak_ten_second_rate <= 10.0,
            format!(
                "{:.1} writes a second over ten seconds (quota 10)",
                self.peak_ten_second_rate
            ),
        );
        check(
            self.throttled == 0,
            format!("{} writes throttled", self.throttled),
        );
        check(
            self.writes_per_finding() <= 0.05,
            format!(
                "{:.3} writes per finding (target 0.05)",
                self.writes_per_finding()
            ),
        );
        check(
            self.changed_twice.is_empty(),
            format!(
                "{} resources changed twice, e.g. {:?}",
                self.changed_twice.len(),
                self.changed_twice.first()
            ),
        );
        for (control, n) in &self.peak_fixes_per_control_hour {
            check(
                *n <= config.cap_per_control_hour,
                format!(
                    "{n} fixes of {control} within one hour (cap {} an hour)",
                    config.cap_per_control_hour
                ),
            );
        }
        let paced = config.max_concurrency * hubfix::policy::DEFAULT_ACCOUNT_CONCURRENCY;
        check(
            self.max_in_flight_per_account_region <= paced,
            format!(
                "{} requests at once in one account-region (pacing allows {paced})",
                self.max_in_flight_per_account_region
            ),
        );
        match self.single_finding {
            Some(t) => check(
                t <= Duration::from_secs(2),
                format!("a lone finding took {:.2} s (target 2 s)", t.as_secs_f64()),
            ),
            None => check(false, "the lone finding was not resolved".into()),
        }
        missed
    }
}

/// One finding of a bucket and control, as Security Hub's consolidated control finding
/// looks once aggregated into the administrator's hub (the shape of
/// events/s3-8-imported.json, which follows the User Guide's sample).
pub fn finding(account: &str, region: &str, bucket: &str, control: &str, seq: usize) -> Value {
    let id = format!(
        "arn:aws:securityhub:{region}:{account}:security-control/{control}/finding/{seq:08x}-5eed-4a11-8c0d-{seq:012x}"
    );
    let now = hubfix::audit::rfc3339(SystemTime::now());
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": format!("arn:aws:securityhub:{region}::product/aws/securityhub"),
        "ProductName": "Security Hub",
        "CompanyName": "AWS",
        "Region": region,
        "GeneratorId": format!("security-control/{control}"),
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "FirstObservedAt": now,
        "LastObservedAt": now,
        "CreatedAt": now,
        "UpdatedAt": now,
        "Severity": {"Label": "MEDIUM", "Normalized": 40, "Original": "MEDIUM"},
        "Title": format!("{control} failed"),
        "Description": format!("The bucket fails {control}."),
        "ProductFields": {
            "aws/securityhub/ProductName": "Security Hub",
            "aws/securityhub/CompanyName": "AWS",
            "Resources:0/Id": format!("arn:aws:s3:::{bucket}")
        },
        "Resources": [{
            "Type": "AwsS3Bucket",
            "Id": format!("arn:aws:s3:::{bucket}"),
            "Partition": "aws",
            "Region": region
        }],
        "Compliance": {
            "Status": "FAILED",
            "SecurityControlId": control,
            "AssociatedStandards": [
                {"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"},
                {"StandardsId": "standards/cis-aws-foundations-benchmark/v/5.0.0"}
            ]
        },
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE"
    })
}

/// Whether an event matches the template's `ImportedFindingsRule` pattern (source,
/// detail type, and a finding of Security Hub's own product, FAILED, ACTIVE, NEW, of
/// an automatic control): what EventBridge puts on the findings queue. (The pattern's
/// other products, the scanner's and `TrustedProducts`, have no finding in the storm.)
pub fn rule_matches(event: &Value, automatic: &HashSet<&str>) -> bool {
    event["source"] == "aws.securityhub"
        && event["detail-type"] == hubfix::finding::DETAIL_TYPE_IMPORTED
        && event["detail"]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| {
                f["ProductArn"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("::product/aws/securityhub"))
                    && f["Compliance"]["Status"] == "FAILED"
                    && f["Compliance"]["SecurityControlId"]
                        .as_str()
                        .is_some_and(|c| automatic.contains(c))
                    && f["RecordState"] == "ACTIVE"
                    && f["Workflow"]["Status"] == "NEW"
            })
}

/// Shared counters of the running storm.
#[derive(Default)]
struct Live {
    seeded: AtomicUsize,
    queued: AtomicUsize,
    filtered: AtomicUsize,
    invocations: AtomicUsize,
    busy: AtomicUsize,
    invocation_time: Mutex<Duration>,
    watched: Mutex<HashMap<String, Option<Instant>>>,
    /// The lone finding's way: queued by EventBridge, handed to the function, handled.
    lone: Mutex<LoneTimes>,
    stop: AtomicBool,
}

/// When the lone finding reached each stage.
#[derive(Debug, Default, Clone)]
pub struct LoneTimes {
    id: String,
    /// EventBridge put its event on the queue.
    pub queued: Option<Instant>,
    /// The event source handed its batch to the function (after the batching window).
    pub handed: Option<Instant>,
    /// The function answered.
    pub handled: Option<Instant>,
}

/// The policy of every execution environment.
fn policy(config: &StormConfig) -> Policy {
    let vars: HashMap<&str, String> = HashMap::from([
        ("HUBFIX_MEMBER_ROLE_NAME", MEMBER_ROLE.to_owned()),
        ("HUBFIX_HOME_ACCOUNT", ACCOUNT.to_owned()),
        ("HUBFIX_AUDIT_BUCKET", AUDIT_BUCKET.to_owned()),
        (
            "HUBFIX_MAX_FIXES_PER_CONTROL_PER_HOUR",
            config.cap_per_control_hour.to_string(),
        ),
        (
            "HUBFIX_MAX_FIXES_PER_INVOCATION",
            config.batch_size.to_string(),
        ),
        (
            "HUBFIX_FINDING_UPDATES_PER_SECOND",
            config.updates_per_second.to_string(),
        ),
        (
            "HUBFIX_CONCURRENT_WRITERS",
            config.max_concurrency.to_string(),
        ),
    ]);
    Policy::from_lookup(|k| vars.get(k).cloned()).expect("the storm's policy")
}

/// An execution environment's engine, built as the function builds it at a cold start.
fn engine(config: &StormConfig, sdk: &SdkConfig) -> Engine {
    let policy = policy(config);
    let aws = AwsContext::new(sdk.clone())
        .with_member_role(policy.member_role.clone())
        .with_home_account(policy.home_account.as_deref());
    let audit = hubfix::audit::AuditTrail::new(
        aws.home().s3.client().clone(),
        AUDIT_BUCKET,
        hubfix::audit::DEFAULT_PREFIX,
    );
    let budget = Arc::new(policy.pacing.write_budget());
    Engine::new(policy, aws)
        .with_audit(Some(audit))
        .with_actor("storm")
        .with_write_budget(Some(budget))
}

/// The SDK configuration of hubfix's functions: through the proxy, hubfix's retries.
async fn function_config(endpoint: &str) -> SdkConfig {
    hubfix::aws::config_loader()
        .region(Region::new(REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "storm",
        ))
        .endpoint_url(endpoint)
        .load()
        .await
}

fn progress(config: &StormConfig, text: &str) {
    if config.verbose {
        eprintln!("storm: {text}");
    }
}

/// Creates the buckets in their accounts and regions, through the member role.
async fn create_buckets(emulator: &Emulator, config: &StormConfig) {
    let buckets = config.buckets();
    let mut by_account: BTreeMap<String, Vec<(&'static str, String)>> = BTreeMap::new();
    for (account, region, name) in buckets {
        by_account.entry(account).or_default().push((region, name));
    }
    stream::iter(by_account)
        .for_each_concurrent(16, |(account, buckets)| async move {
            let assumed = emulator.assumed_config(&account, MEMBER_ROLE).await;
            for (region, name) in buckets {
                let s3 = aws_sdk_s3::Client::from_conf(
                    aws_sdk_s3::config::Builder::from(&assumed)
                        .region(Region::new(region))
                        .force_path_style(true)
                        .build(),
                );
                let mut create = s3.create_bucket().bucket(&name);
                if region != "us-east-1" {
                    create = create.create_bucket_configuration(
                        CreateBucketConfiguration::builder()
                            .location_constraint(BucketLocationConstraint::from(region))
                            .build(),
                    );
                }
                create.send().await.expect("create a storm bucket");
            }
        })
        .await;
}

/// Seeds the findings over the arrival window, a chunk every 100 ms.
async fn seed(emulator: &Emulator, config: &StormConfig, live: &Live) {
    let buckets = config.buckets();
    let all: Vec<(usize, usize)> = (0..buckets.len())
        .flat_map(|b| (0..CONTROLS.len()).map(move |c| (b, c)))
        .take(config.findings)
        .collect();
    let ticks = (config.arrival.as_millis() / 100).max(1) as usize;
    let per_tick = all.len().div_ceil(ticks);
    let start = Instant::now();
    for (tick, chunk) in all.chunks(per_tick).enumerate() {
        let findings: Vec<Value> = chunk
            .iter()
            .map(|(b, c)| {
                let (account, region, name) = &buckets[*b];
                finding(account, region, name, CONTROLS[*c], b * CONTROLS.len() + c)
            })
            .collect();
        let answer = emulator
            .admin(
                "POST",
                "/_hubfix/securityhub/seed",
                &json!({"account": ACCOUNT, "region": REGION, "findings": findings}),
            )
            .await;
        assert_eq!(answer["failed"], json!([]), "seeding failed");
        live.seeded.fetch_add(chunk.len(), Ordering::Relaxed);
        let next = start + Duration::from_millis(100 * (tick as u64 + 1));
        tokio::time::sleep_until(next.into()).await;
    }
}

/// EventBridge: the outbox's Imported events that match the rule, onto the queue.
async fn bridge(
    emulator: &Emulator,
    queue: &FindingsQueue,
    live: &Live,
    automatic: &HashSet<&str>,
) {
    loop {
        let drained = emulator
            .admin(
                "POST",
                "/_hubfix/securityhub/outbox/drain",
                &json!({"max": 1000}),
            )
            .await;
        let events = drained["events"].as_array().cloned().unwrap_or_default();
        let mut matched = Vec::new();
        for e in events {
            for f in e["detail"]["findings"].as_array().into_iter().flatten() {
                if f["Workflow"]["Status"] == "RESOLVED" {
                    if let Some(id) = f["Id"].as_str() {
                        let mut watched = live.watched.lock().expect("watched");
                        if let Some(seen @ None) = watched.get_mut(id) {
                            *seen = Some(Instant::now());
                        }
                    }
                }
            }
            if rule_matches(&e, automatic) {
                let mut lone = live.lone.lock().expect("lone");
                if !lone.id.is_empty() && e["detail"]["findings"][0]["Id"] == lone.id.as_str() {
                    lone.queued = Some(Instant::now());
                }
                drop(lone);
                matched.push(e);
            } else {
                live.filtered.fetch_add(1, Ordering::Relaxed);
            }
        }
        if !matched.is_empty() {
            queue.send(&matched).await;
            live.queued.fetch_add(matched.len(), Ordering::Relaxed);
        }
        if drained["remaining"].as_u64() == Some(0) {
            if live.stop.load(Ordering::Relaxed) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One of Lambda's concurrent pollers, with its own execution environment.
async fn poller(source: EventSource, engine: Engine, settings: QueueSettings, live: &Live) {
    while !live.stop.load(Ordering::Relaxed) {
        let Some(batch) = source.poll(Duration::from_millis(500)).await else {
            continue;
        };
        live.busy.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let lone_id = live.lone.lock().expect("lone").id.clone();
        let has_lone = !lone_id.is_empty() && batch.payload.to_string().contains(&lone_id);
        if has_lone {
            live.lone.lock().expect("lone").handed = Some(start);
        }
        let response = Box::pin(handle_batch(
            &engine,
            &settings,
            batch.payload.clone(),
            Some(start + FUNCTION_TIMEOUT),
        ))
        .await
        .ok();
        *live.invocation_time.lock().expect("time") += start.elapsed();
        if has_lone {
            live.lone.lock().expect("lone").handled = Some(Instant::now());
        }
        live.invocations.fetch_add(1, Ordering::Relaxed);
        source.settle(&batch, response.as_ref()).await;
        live.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs the storm and measures it.
pub async fn run(config: &StormConfig) -> StormReport {
    let emulator = Emulator::start_with(
        &["--latency-ms", &config.latency_ms.to_string()],
        &[("HUBFIX_EMULATOR_QUOTAS", "1")],
    )
    .await;
    let home = emulator.clients().await;
    home.s3
        .create_bucket()
        .bucket(AUDIT_BUCKET)
        .send()
        .await
        .expect("the audit bucket");
    let queue = FindingsQueue::create(&home.sqs, "storm-findings", 10).await;
    let setup = Instant::now();
    create_buckets(&emulator, config).await;
    progress(
        config,
        &format!(
            "{} buckets in {} account-regions ready in {:.0} s",
            config.buckets().len(),
            config.accounts * config.regions,
            setup.elapsed().as_secs_f64()
        ),
    );

    let schedule = if config.faults {
        Schedule {
            seed: 20261206,
            rate: 0.02,
            faults: vec![
                Fault::Throttle,
                Fault::ResetBefore,
                Fault::ResetAfter,
                Fault::Delay(Duration::from_millis(200)),
            ],
            max_in_a_row: Some(2),
            eligible: Arc::new(|_| true),
        }
    } else {
        Schedule::none()
    };
    let proxy = FaultProxy::start_grouped(
        &emulator.endpoint,
        schedule,
        Arc::new(|r| account_region_of(&r.target)),
    )
    .await;
    let sdk = function_config(&proxy.endpoint).await;
    let automatic_policy = policy(config);
    let automatic: HashSet<&str> = hubfix::reconcile::automatic_controls(&automatic_policy)
        .into_iter()
        .collect();
    for c in CONTROLS {
        assert!(automatic.contains(c), "{c} is automatic by default");
    }
    emulator
        .admin(
            "POST",
            "/_hubfix/securityhub/outbox",
            &json!({"enabled": true}),
        )
        .await;
    emulator
        .admin("POST", "/_hubfix/securityhub/calls/reset", &json!({}))
        .await;

    let live = Live::default();
    let source = EventSource {
        queue: queue.clone(),
        batch_size: config.batch_size,
        window: config.window,
    };
    let pollers = (0..config.max_concurrency).map(|_| {
        let engine = engine(config, &sdk);
        let settings = QueueSettings::new(
            engine.aws().home().sqs.client().clone(),
            Some(queue.dead_letter_url.clone()),
        );
        poller(source.clone(), engine, settings, &live)
    });
    let reconciled = Mutex::new((0usize, 0usize));
    let reconcile_options = {
        let mut o = ReconcileOptions::new(queue.url.clone());
        o.new_after = config.reconcile_after;
        o
    };
    let reconcile_once = || async {
        let report = reconcile(
            &automatic_policy,
            &home.securityhub,
            &home.sqs,
            &reconcile_options,
            SystemTime::now(),
        )
        .await;
        let mut r = reconciled.lock().expect("reconciled");
        r.0 += 1;
        r.1 += report.requeued;
        report.requeued
    };

    let started = Mutex::new(Instant::now());
    let drained_at = Mutex::new(None::<Instant>);
    let single = Mutex::new(None::<Duration>);
    let driver = async {
        *single.lock().expect("single") = Some(lone_finding(&emulator, config, &live).await);
        progress(
            config,
            &format!("a lone finding: {:?}", single.lock().expect("single")),
        );
        let start = Instant::now();
        *started.lock().expect("started") = start;
        seed(&emulator, config, &live).await;
        progress(
            config,
            &format!(
                "{} findings seeded in {:.0} s",
                config.findings,
                start.elapsed().as_secs_f64()
            ),
        );
        let mut last_reconcile = Instant::now();
        let mut quiet = 0;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let (visible, in_flight, delayed) = queue.depth(&queue.url).await;
            let busy = live.busy.load(Ordering::Relaxed);
            if config.verbose && start.elapsed().as_secs().is_multiple_of(15) {
                progress(
                    config,
                    &format!(
                        "t={:.0}s queued {} depth {visible}/{in_flight}/{delayed} invocations {}",
                        start.elapsed().as_secs_f64(),
                        live.queued.load(Ordering::Relaxed),
                        live.invocations.load(Ordering::Relaxed)
                    ),
                );
            }
            if last_reconcile.elapsed() >= config.reconcile_every {
                last_reconcile = Instant::now();
                reconcile_once().await;
            }
            quiet = if visible + in_flight + delayed == 0 && busy == 0 {
                quiet + 1
            } else {
                0
            };
            if quiet >= 3 {
                // Drained: one reconciler pass must find nothing to put back.
                if reconcile_once().await == 0 {
                    break;
                }
                quiet = 0;
            }
            assert!(
                start.elapsed() < config.timeout,
                "the storm did not drain within its timeout"
            );
        }
        *drained_at.lock().expect("drained") = Some(Instant::now());
        progress(
            config,
            &format!("drained in {:.0} s", start.elapsed().as_secs_f64()),
        );
        live.stop.store(true, Ordering::Relaxed);
    };
    futures_util::join!(
        driver,
        bridge(&emulator, &queue, &live, &automatic),
        futures_util::future::join_all(pollers)
    );

    let mut report = measure(&emulator, config, &queue, &proxy).await;
    let start = *started.lock().expect("started");
    report.drained = drained_at
        .lock()
        .expect("drained")
        .map_or(Duration::ZERO, |t| t.duration_since(start));
    report.single_finding = single.lock().expect("single").filter(|d| !d.is_zero());
    report.invocations = live.invocations.load(Ordering::Relaxed);
    report.gb_seconds =
        live.invocation_time.lock().expect("time").as_secs_f64() * FUNCTION_MEMORY_GB;
    report.queued = live.queued.load(Ordering::Relaxed);
    report.filtered = live.filtered.load(Ordering::Relaxed);
    report.reconciled = *reconciled.lock().expect("reconciled");
    report.faults_injected = proxy.stats().faults.values().sum();
    report
}

/// A lone finding at low load: a new bucket's S3.8 finding, seeded; the time until its
/// RESOLVED update comes back through the outbox. Zero when it never does (30 s).
async fn lone_finding(emulator: &Emulator, config: &StormConfig, live: &Live) -> Duration {
    let account = config.account(0);
    let bucket = format!("storm-{account}-lone");
    let assumed = emulator.assumed_config(&account, MEMBER_ROLE).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&assumed)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("the lone bucket");
    let mut lone = finding(&account, REGION, &bucket, "S3.8", 0);
    lone["Id"] = json!(format!(
        "arn:aws:securityhub:{REGION}:{account}:security-control/S3.8/finding/lone"
    ));
    let id = lone["Id"].as_str().expect("id").to_owned();
    live.watched
        .lock()
        .expect("watched")
        .insert(id.clone(), None);
    live.lone.lock().expect("lone").id = id.clone();
    let start = Instant::now();
    emulator
        .admin(
            "POST",
            "/_hubfix/securityhub/seed",
            &json!({"account": ACCOUNT, "region": REGION, "findings": [lone]}),
        )
        .await;
    while start.elapsed() < Duration::from_secs(30) {
        if let Some(Some(seen)) = live.watched.lock().expect("watched").get(&id) {
            let lone = live.lone.lock().expect("lone").clone();
            let at = |t: Option<Instant>| {
                t.map_or(-1.0, |t| t.duration_since(start).as_secs_f64() * 1000.0)
            };
            progress(
                config,
                &format!(
                    "lone finding: queued at {:.0} ms, handed to the function at {:.0} ms, handled at {:.0} ms, RESOLVED seen at {:.0} ms",
                    at(lone.queued),
                    at(lone.handed),
                    at(lone.handled),
                    seen.duration_since(start).as_secs_f64() * 1000.0
                ),
            );
            return seen.duration_since(start);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Duration::ZERO
}

/// The account-region of an S3 request to a storm bucket (`/storm-<account>-<r>-<i>`).
fn account_region_of(target: &str) -> Option<String> {
    let rest = target.strip_prefix("/storm-")?;
    let mut parts = rest.split(['-', '/', '?']);
    let account = parts.next()?;
    let region = parts.next()?;
    (account.len() == 12).then(|| format!("{account}-{region}"))
}

/// The S3 sub-resource a mutation of a bucket changes, with the bucket.
fn mutation_of(operation: &str) -> Option<(String, String)> {
    let mut words = operation.split(' ');
    let method = words.next()?;
    if !matches!(method, "PUT" | "POST" | "DELETE") {
        return None;
    }
    let target = words.next()?.strip_prefix('/')?;
    let (bucket, query) = target.split_once('?')?;
    let bucket = bucket.trim_end_matches('/');
    if !bucket.starts_with("storm-") || bucket.contains('/') {
        return None;
    }
    let sub = query.split('&').next()?.split('=').next()?;
    Some((bucket.to_owned(), sub.to_owned()))
}

/// The control whose fix changes this S3 sub-resource of a storm bucket.
fn control_of(sub_resource: &str) -> Option<&'static str> {
    match sub_resource {
        "publicAccessBlock" => Some("S3.8"),
        "versioning" => Some("S3.14"),
        "policy" => Some("S3.5"),
        "encryption" => Some("S3.4"),
        _ => None,
    }
}

/// An hour, the window of hubfix's per-control cap.
const HOUR: Duration = Duration::from_secs(3600);

/// The most of `times` within any `window` (a sliding window: from one time to just
/// before `window` after it).
fn most_within(mut times: Vec<Instant>, window: Duration) -> usize {
    times.sort_unstable();
    let mut most = 0;
    let mut start = 0;
    for (end, t) in times.iter().enumerate() {
        while t.duration_since(times[start]) >= window {
            start += 1;
        }
        most = most.max(end + 1 - start);
    }
    most
}

/// The end state: every finding's workflow, Security Hub's write counts, the proxy's
/// counts of changes and concurrency.
async fn measure(
    emulator: &Emulator,
    config: &StormConfig,
    queue: &FindingsQueue,
    proxy: &FaultProxy,
) -> StormReport {
    let calls = emulator
        .admin("GET", "/_hubfix/securityhub/calls", &json!({}))
        .await;
    emulator
        .admin(
            "POST",
            "/_hubfix/securityhub/quotas",
            &json!({"enabled": false}),
        )
        .await;
    let mut report = StormReport {
        findings: config.findings,
        ..StormReport::default()
    };
    let writes = &calls["BatchUpdateFindings"][format!("{ACCOUNT}/{REGION}")];
    report.writes =
        writes["total"].as_u64().unwrap_or(0) - writes["throttled"].as_u64().unwrap_or(0);
    report.throttled = writes["throttled"].as_u64().unwrap_or(0);
    let per_second: BTreeMap<u64, u64> = writes["per_second"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(s, n)| Some((s.parse().ok()?, n.as_u64()?)))
        .collect();
    report.peak_writes_per_second = per_second.values().copied().max().unwrap_or(0);
    if let (Some(first), Some(last)) = (per_second.keys().next(), per_second.keys().last()) {
        report.mean_writes_per_second = report.writes as f64 / (last - first + 1) as f64;
        report.peak_ten_second_rate = (*first..=*last)
            .map(|s| {
                (s..s + 10)
                    .map(|t| per_second.get(&t).copied().unwrap_or(0))
                    .sum::<u64>()
            })
            .max()
            .unwrap_or(0) as f64
            / 10.0;
    }

    let home = emulator.clients().await;
    let mut seen = 0;
    let mut pages = home
        .securityhub
        .get_findings()
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for f in page.expect("GetFindings").findings() {
            if f.id().is_some_and(|id| id.contains("-5eed-")) {
                seen += 1;
                let status = f.workflow().and_then(|w| w.status()).map(|s| s.as_str());
                let by_hubfix = f
                    .note()
                    .and_then(|n| n.updated_by())
                    .is_some_and(|by| by == hubfix::outcome::UPDATED_BY);
                let deferred = f
                    .user_defined_fields()
                    .and_then(|u| u.get(hubfix::deferral::FIELD_STATE))
                    .is_some_and(|s| s == hubfix::deferral::STATE_DEFERRED);
                match status {
                    Some("RESOLVED") => report.resolved += 1,
                    Some("NOTIFIED") if by_hubfix && deferred => report.deferred += 1,
                    Some("NOTIFIED") if by_hubfix => report.notified += 1,
                    _ => report.stranded += 1,
                }
            }
        }
    }
    report.lost = config.findings.saturating_sub(seen);
    report.dead_lettered = queue.depth(&queue.dead_letter_url).await.0;

    let stats = proxy.stats();
    let mut changes: HashMap<(String, String), usize> = HashMap::new();
    for (operation, n) in &stats.delivered {
        if let Some(key) = mutation_of(operation) {
            *changes.entry(key).or_default() += n;
        }
    }
    report.changed_twice = changes
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|((bucket, sub), n)| format!("{bucket} {sub} ×{n}"))
        .collect();
    for ((_, sub), n) in &changes {
        if let Some(control) = control_of(sub) {
            *report
                .fixes_per_control
                .entry(control.to_owned())
                .or_default() += n;
        }
    }
    let mut fixed_at: BTreeMap<&str, Vec<Instant>> = BTreeMap::new();
    for (operation, at) in &stats.grouped_writes {
        if let Some(control) = mutation_of(operation).and_then(|(_, sub)| control_of(&sub)) {
            fixed_at.entry(control).or_default().push(*at);
        }
    }
    report.peak_fixes_per_control_hour = fixed_at
        .into_iter()
        .map(|(control, times)| (control.to_owned(), most_within(times, HOUR)))
        .collect();
    report.max_in_flight_per_account_region =
        stats.max_in_flight.values().copied().max().unwrap_or(0);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_spread_over_account_regions_and_cover_the_findings() {
        let config = StormConfig {
            findings: 100,
            accounts: 5,
            regions: 2,
            ..StormConfig::small()
        };
        let buckets = config.buckets();
        assert_eq!(buckets.len(), 25);
        let places: HashSet<_> = buckets.iter().map(|(a, r, _)| (a.clone(), *r)).collect();
        assert_eq!(places.len(), 10);
        let names: HashSet<_> = buckets.iter().map(|(_, _, n)| n).collect();
        assert_eq!(names.len(), 25, "names are unique");
        assert_eq!(
            account_region_of(&format!("/{}?publicAccessBlock", buckets[3].2)).unwrap(),
            format!("{}-1", buckets[3].0)
        );
    }

    #[test]
    fn the_hourly_cap_is_checked_in_a_sliding_hour_not_over_the_whole_run() {
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let times = vec![at(0), at(10), at(3_599), at(3_600), at(3_605), at(7_300)];
        assert_eq!(most_within(times.clone(), HOUR), 4);
        assert_eq!(most_within(times, Duration::from_secs(5)), 2);
        assert_eq!(most_within(Vec::new(), HOUR), 0);
        assert_eq!(most_within(vec![at(5); 3], HOUR), 3);
    }

    #[test]
    fn mutations_name_their_bucket_and_sub_resource() {
        assert_eq!(
            mutation_of("PUT /storm-200000000001-0-3?publicAccessBlock "),
            Some(("storm-200000000001-0-3".into(), "publicAccessBlock".into()))
        );
        assert_eq!(
            mutation_of("PUT /storm-200000000001-0-3/?versioning=&x-id=PutBucketVersioning "),
            Some(("storm-200000000001-0-3".into(), "versioning".into()))
        );
        assert_eq!(mutation_of("GET /storm-200000000001-0-3?policy "), None);
        assert_eq!(mutation_of("PUT /storm-audit/hubfix/audit/x.json "), None);
    }

    #[test]
    fn the_rule_passes_new_failed_findings_of_automatic_controls_only() {
        let automatic: HashSet<&str> = ["S3.8"].into_iter().collect();
        let f = finding("200000000001", "us-east-1", "b", "S3.8", 1);
        let event = |f: &Value| {
            json!({"source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported",
                   "detail": {"findings": [f]}})
        };
        assert!(rule_matches(&event(&f), &automatic));
        let mut echo = f.clone();
        echo["Workflow"]["Status"] = json!("RESOLVED");
        assert!(!rule_matches(&event(&echo), &automatic));
        let other = finding("200000000001", "us-east-1", "b", "S3.6", 1);
        assert!(!rule_matches(&event(&other), &automatic));
    }
}
