//! The part of hubfix's time that is not waiting for AWS, per finding: parsing an event
//! (from the bytes Lambda hands over), resolving controls, looking up rules and
//! resolving targets; and the cost of merging concurrent reads into shared calls.

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::collections::HashMap;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hubfix::coalesce::{BatchFuture, Coalescer};
use hubfix::{aws, control, registry, remediate, SecurityHubEvent};
use hubfix_bench::custom_action_event;

fn parse_and_resolve(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse+resolve+target");
    for n in [1usize, 10, 100] {
        let event = custom_action_event(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &event, |b, event| {
            b.iter(|| {
                let parsed = SecurityHubEvent::parse(black_box(event)).expect("event");
                for f in parsed.findings.iter().flatten() {
                    let c = control::resolve(f).expect("control");
                    let rule = registry::rule(&c.control_id).expect("rule");
                    black_box(remediate::target(f, rule).expect("target"));
                }
            });
        });
    }
    group.finish();
}

fn parse_from_bytes(c: &mut Criterion) {
    let mut group = c.benchmark_group("bytes->event");
    for n in [1usize, 10, 100] {
        let bytes = serde_json::to_vec(&custom_action_event(n)).expect("JSON");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &bytes, |b, bytes| {
            b.iter(|| {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(bytes)).expect("JSON");
                black_box(SecurityHubEvent::parse(&value).expect("event"));
            });
        });
    }
    group.finish();
}

/// `n` concurrent reads through a coalescer whose calls answer at once: the cost of
/// queueing, merging and handing back, per read (a call to AWS takes milliseconds).
fn merged_reads(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let reader = Coalescer::new(100, aws::GROUP_READS_IN_FLIGHT, |ids: Vec<String>| {
        Box::pin(async move {
            Ok(ids
                .into_iter()
                .map(|id| (id, ()))
                .collect::<HashMap<_, _>>())
        }) as BatchFuture<()>
    });
    let mut group = c.benchmark_group("merged reads");
    for n in [1usize, 10, 100] {
        let ids: Vec<String> = (0..n).map(|i| format!("sg-{i:017x}")).collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &ids, |b, ids| {
            b.iter(|| {
                runtime.block_on(futures_util::future::join_all(
                    ids.iter().map(|id| reader.read(id)),
                ))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, parse_and_resolve, parse_from_bytes, merged_reads);
criterion_main!(benches);
