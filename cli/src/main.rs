//! `hubfix`: the command-line tool. Parsing is clap's, the work is the core library's;
//! this file only dispatches and turns errors into messages and exit codes.

mod args;
mod commands;
mod confirm;
mod context;
mod error;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use context::Context;
use error::CliError;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.global.verbose {
        init_logs();
    }
    match run(cli).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hubfix: error: {err}");
            err.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let output = cli.global.output;
    match &cli.command {
        Command::Rules => return commands::rules::run(output),
        Command::Scan(args) if args.manual => return commands::scan::manual(output),
        Command::Setup(args) => {
            if let args::SetupCommand::Policy(file) = &args.command {
                return commands::setup::policy(file);
            }
        }
        _ => {}
    }
    let ctx = Context::load(&cli.global).await?;
    match &cli.command {
        Command::Rules => commands::rules::run(output),
        Command::Plan(selection) => commands::fix::plan(&ctx, selection, output).await,
        Command::Apply { selection, yes } => {
            commands::fix::apply(&ctx, selection, *yes, output).await
        }
        Command::Undo { finding_id, yes } => {
            commands::undo::run(&ctx, finding_id, *yes, output).await
        }
        Command::Audit(args) => commands::audit::run(&ctx, args, output).await,
        Command::Report(args) => commands::report::run(&ctx, args).await,
        Command::Scan(args) => commands::scan::run(&ctx, args, output).await,
        Command::Redrive {
            from,
            to,
            limit,
            yes,
        } => commands::redrive::run(&ctx, from, to, *limit, *yes, output).await,
        Command::Invoke { function, event } => commands::invoke::run(&ctx, *function, event).await,
        Command::Setup(args) => commands::setup::run(&ctx, &args.command, output).await,
    }
}

/// JSON log lines on stderr (stdout carries the command's output), at `RUST_LOG` or
/// `info`; the SDK crates that log request inputs stay at `info` (an external id never
/// reaches a terminal's scrollback).
fn init_logs() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for sdk in hubfix::function::QUIET_SDK_CRATES {
        if let Ok(directive) = format!("{sdk}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .init();
}
