//! The storm at the size `make test` runs (2,000 findings from 20 accounts × 2 regions
//! in 20 seconds): every finding ends RESOLVED, NOTIFIED with a final note, or deferred;
//! none is lost; Security Hub's quota holds; each resource changes once; the hourly caps
//! hold across the concurrent invocations. `make storm` runs the organisation's size
//! and also checks a lone finding's latency, which a loaded test machine cannot promise.

use hubfix_tests::storm::{run, StormConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_storm_leaves_no_finding_behind_and_stays_inside_the_quota() {
    let config = StormConfig::small();
    let report = Box::pin(run(&config)).await;
    eprintln!("{}", report.line());
    let missed: Vec<String> = report
        .missed(&config)
        .into_iter()
        .filter(|m| !m.contains("lone finding"))
        .collect();
    assert!(missed.is_empty(), "{missed:#?}\n{report:#?}");
    assert!(
        report.deferred > 0,
        "the caps deferred some fixes: {report:#?}"
    );
    assert!(report.resolved >= 1500, "{report:#?}");
}
