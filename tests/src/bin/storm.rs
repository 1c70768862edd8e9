//! `make storm`: the automatic path at organisation scale (see `hubfix_tests::storm`).
//!
//! Usage: storm [--findings N] [--accounts N] [--regions N] [--arrival-secs S]
//!              [--latency-ms MS] [--cap N] [--faults] [--small] [--quiet]
//! Prints the storm's figures, then one last line
//! `storm: <findings> findings, ... drained in <t> s`; exits 1 when a target is missed.

use std::process::ExitCode;
use std::time::Duration;

use hubfix_tests::storm::{run, StormConfig};

fn parse(args: &[String]) -> Result<StormConfig, String> {
    let mut config = if args.iter().any(|a| a == "--small") {
        StormConfig::small()
    } else {
        StormConfig::organisation()
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a whole number"))
        };
        match arg.as_str() {
            "--findings" => config.findings = value(arg)? as usize,
            "--accounts" => config.accounts = value(arg)? as usize,
            "--regions" => config.regions = (value(arg)? as usize).clamp(1, 5),
            "--arrival-secs" => config.arrival = Duration::from_secs(value(arg)?),
            "--latency-ms" => config.latency_ms = value(arg)?,
            "--cap" => config.cap_per_control_hour = value(arg)? as usize,
            "--faults" => config.faults = true,
            "--small" => {}
            "--quiet" => config.verbose = false,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(config)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("storm: {e}");
            return ExitCode::from(2);
        }
    };
    // The SDK's futures are deep in unoptimised builds: big stacks, as Lambda's main
    // thread has.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build()
        .expect("a runtime");
    let report = runtime.block_on(Box::pin(run(&config)));
    eprintln!("storm: configuration {config:?}");
    eprintln!("storm: report {report:?}");
    let missed = report.missed(&config);
    for m in &missed {
        eprintln!("storm: target missed: {m}");
    }
    println!("{}", report.line());
    if missed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
