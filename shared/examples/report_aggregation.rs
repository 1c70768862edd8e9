//! Measures the compliance report's aggregation: synthetic findings across 50
//! accounts, handed over a page of 100 at a time as `GetFindings` returns them (SDK
//! findings, read with `FindingFacts::from_sdk`), then scored and rendered. Prints
//! time and peak heap for 10,000 and 100,000 findings, and for 100,000 findings held
//! all at once (what a non-streaming report would do), with the ratios between them.
//!
//! `cargo run -p hubfix --example report_aggregation [-- --html report.html]`
//! (`--html` also writes the 100,000-finding report's HTML page).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_securityhub::types::{
    AssociatedStandard, AwsSecurityFinding, Compliance, Note, RecordState, Severity, SeverityLabel,
    Workflow,
};
use hubfix::report::facts::FindingFacts;
use hubfix::report::{
    assemble, window_of, Aggregator, Date, EnabledStandard, Format, ReportOptions,
};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ACCOUNTS: usize = 50;
const PAGE: usize = 100;
const FSBP: &str = "standards/aws-foundational-security-best-practices/v/1.0.0";
const CIS: &str = "standards/cis-aws-foundations-benchmark/v/5.0.0";
const PCI: &str = "standards/pci-dss/v/3.2.1";
const SERVICES: [&str; 8] = [
    "S3",
    "EC2",
    "IAM",
    "RDS",
    "CloudTrail",
    "KMS",
    "Lambda",
    "ECS",
];

/// A small deterministic pseudo-random sequence (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn finding(i: usize, rng: &mut Lcg) -> AwsSecurityFinding {
    let account_index = (i % ACCOUNTS) as u64;
    let account = format!("{:012}", 100_000_000_000 + account_index);
    let service = SERVICES[(rng.next() % SERVICES.len() as u64) as usize];
    let number = 1 + rng.next() % 30;
    let control = format!("{service}.{number}");
    // A third of the controls fail in a share of the accounts of their own (up to
    // 60%); in an account where one fails, a third of its findings fail.
    let mix = number * 7 + service.len() as u64 * 13;
    let spread = if mix.is_multiple_of(3) { mix % 61 } else { 0 };
    let fails_here = (account_index * 37 + number * 11) % 100 < spread;
    let roll = rng.next() % 100;
    let status = match roll {
        0..=32 if fails_here => "FAILED",
        97 if number.is_multiple_of(9) => "WARNING",
        98..=99 if number.is_multiple_of(10) => "NOT_AVAILABLE",
        _ => "PASSED",
    };
    let severity = [
        SeverityLabel::Critical,
        SeverityLabel::High,
        SeverityLabel::Medium,
        SeverityLabel::Low,
        SeverityLabel::Informational,
    ][(rng.next() % 5) as usize]
        .clone();
    let workflow = match rng.next() % 50 {
        0 => "SUPPRESSED",
        1..=4 => "RESOLVED",
        5..=9 => "NOTIFIED",
        _ => "NEW",
    };
    let mut standards = vec![AssociatedStandard::builder().standards_id(FSBP).build()];
    if rng.next().is_multiple_of(2) {
        standards.push(AssociatedStandard::builder().standards_id(CIS).build());
    }
    if rng.next().is_multiple_of(4) {
        standards.push(AssociatedStandard::builder().standards_id(PCI).build());
    }
    let mut f = AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id(format!(
            "arn:aws:securityhub:us-east-1:{account}:security-control/{control}/finding/{i:08x}"
        ))
        .product_arn("arn:aws:securityhub:us-east-1::product/aws/securityhub")
        .generator_id(format!("security-control/{control}"))
        .aws_account_id(&account)
        .types("Software and Configuration Checks/Industry and Regulatory Standards")
        .created_at("2025-02-01T00:00:00.000Z")
        .updated_at("2025-02-20T00:00:00.000Z")
        .title(format!(
            "{service} resources should follow control {control}"
        ))
        .description("A synthetic finding for the aggregation benchmark.")
        .severity(Severity::builder().label(severity).build())
        .compliance(
            Compliance::builder()
                .security_control_id(&control)
                .status(status.into())
                .set_associated_standards(Some(standards))
                .build(),
        )
        .workflow(Workflow::builder().status(workflow.into()).build())
        .record_state(RecordState::Active);
    if workflow == "RESOLVED" {
        f = f.note(
            Note::builder()
                .text("hubfix fixed it; verified by reading it back.")
                .updated_by("hubfix")
                .updated_at("2025-02-10T12:00:00.000Z")
                .build(),
        );
    }
    f.build()
}

struct Run {
    findings: usize,
    aggregate: Duration,
    peak: usize,
    entries: usize,
}

fn enabled() -> Vec<EnabledStandard> {
    [FSBP, CIS, PCI]
        .iter()
        .map(|id| EnabledStandard::new(&format!("arn:aws:securityhub:us-east-1::{id}"), "READY"))
        .collect()
}

fn date() -> Date {
    Date::new(2025, 2, 23).expect("a real date")
}

/// Streams `n` findings a page at a time, as the report does.
fn streaming(n: usize) -> (Run, Aggregator) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut rng = Lcg(42);
    let mut aggregator = Aggregator::new(window_of(date()));
    let mut aggregate = Duration::ZERO;
    for start in (0..n).step_by(PAGE) {
        let page: Vec<AwsSecurityFinding> = (start..(start + PAGE).min(n))
            .map(|i| finding(i, &mut rng))
            .collect();
        let t = Instant::now();
        for f in &page {
            aggregator.add(&FindingFacts::from_sdk(f));
        }
        aggregate += t.elapsed();
    }
    let run = Run {
        findings: n,
        aggregate,
        peak: PEAK.load(Ordering::Relaxed) - base,
        entries: aggregator.entries(),
    };
    (run, aggregator)
}

/// Holds all `n` findings before aggregating them: the baseline streaming avoids.
fn holding(n: usize) -> Run {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut rng = Lcg(42);
    let all: Vec<AwsSecurityFinding> = (0..n).map(|i| finding(i, &mut rng)).collect();
    let t = Instant::now();
    let mut aggregator = Aggregator::new(window_of(date()));
    for f in &all {
        aggregator.add(&FindingFacts::from_sdk(f));
    }
    Run {
        findings: n,
        aggregate: t.elapsed(),
        peak: PEAK.load(Ordering::Relaxed) - base,
        entries: aggregator.entries(),
    }
}

fn show(name: &str, run: &Run) {
    println!(
        "{name:<28} {:>7} findings  aggregate {:>8.1} ms ({:>6.0} ns/finding)  peak heap {:>9.1} KiB  statuses {}",
        run.findings,
        run.aggregate.as_secs_f64() * 1e3,
        run.aggregate.as_nanos() as f64 / run.findings as f64,
        run.peak as f64 / 1024.0,
        run.entries
    );
}

fn main() {
    let html = std::env::args().skip_while(|a| a != "--html").nth(1);
    let (small, _) = streaming(10_000);
    let (large, aggregator) = streaming(100_000);
    let t = Instant::now();
    let options = ReportOptions {
        organization: Some("acme-corp".into()),
        administrator_account: Some("111122223333".into()),
        ..ReportOptions::default()
    };
    let report = assemble(&aggregator, &enabled(), &options, date(), 0);
    let text = report.render(Format::Text);
    let page = report.render(Format::Html);
    let json = report.render(Format::Json);
    let render = t.elapsed();
    let held = holding(100_000);
    show("streaming, 10k", &small);
    show("streaming, 100k", &large);
    show("holding all, 100k", &held);
    println!(
        "score + render (text {} B, JSON {} B, HTML {} B): {:.1} ms",
        text.len(),
        json.len(),
        page.len(),
        render.as_secs_f64() * 1e3
    );
    println!(
        "ratios: time 100k/10k = {:.2}; peak heap 100k/10k = {:.2}; peak heap streaming/holding at 100k = {:.4}",
        large.aggregate.as_secs_f64() / small.aggregate.as_secs_f64(),
        large.peak as f64 / small.peak as f64,
        large.peak as f64 / held.peak as f64
    );
    print!("\n{text}");
    if let Some(path) = html {
        // Made-up earlier scores, to show the trend chart as it looks after two weeks.
        let earlier = (1..=14).map(|d| hubfix::report::TrendPoint {
            date: format!("2025-02-{:02}", 8 + d),
            scores: [(FSBP, 40), (CIS, 46), (PCI, 50)]
                .into_iter()
                .map(|(id, base)| (id.to_owned(), base + d + (d * 7 % 5)))
                .collect(),
        });
        let page = report.with_trend(earlier).render(Format::Html);
        std::fs::write(&path, page).expect("write the HTML report");
        println!("\nHTML written to {path}");
    }
}
