//! The pure core per finding: parsing an event, resolving controls, looking up rules
//! and resolving targets; the part of hubfix's time that is not waiting for AWS.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hubfix::{control, registry, remediate, SecurityHubEvent};
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

criterion_group!(benches, parse_and_resolve);
criterion_main!(benches);
