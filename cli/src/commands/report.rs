//! `hubfix report`: the compliance report from Security Hub, as the seed's text, JSON or
//! a self-contained HTML page; with a report bucket, the trend of earlier reports and
//! (with `--save`) the report stored beside them.

use std::process::ExitCode;

use hubfix::report::{build, Date, Format, ReportOptions, ReportStore};

use crate::args::ReportArgs;
use crate::context::{unreachable_or, Context};
use crate::error::CliError;

/// Earlier reports the trend shows.
const TREND_REPORTS: usize = 30;

/// Builds, prints and optionally stores the report.
pub(crate) async fn run(ctx: &Context, args: &ReportArgs) -> Result<ExitCode, CliError> {
    let format: Format = args
        .format
        .parse()
        .map_err(|e| CliError::Input(format!("--format: {e}")))?;
    let date = args
        .date
        .as_deref()
        .map(|d| d.parse::<Date>())
        .transpose()
        .map_err(|e| CliError::Input(format!("--date: {e}")))?
        .unwrap_or_else(Date::today);
    let options = ReportOptions {
        organization: args.organization.clone(),
        administrator_account: None,
        date: Some(date),
        top_controls: args.top,
    };
    let aws = ctx.aws();
    let report = build(&aws.home().securityhub, &options)
        .await
        .map_err(|e| report_error(e, ctx))?;
    let report = match &args.bucket {
        Some(bucket) => {
            let store = ReportStore::new(aws.home().s3.client().clone(), bucket, &args.prefix);
            let trend = store
                .trend(date, TREND_REPORTS)
                .await
                .map_err(|e| report_error(e, ctx))?;
            let report = report.with_trend(trend);
            if args.save {
                let keys = store
                    .save(&report)
                    .await
                    .map_err(|e| report_error(e, ctx))?;
                eprintln!("Saved to s3://{bucket}/: {}", keys.join(", "));
            }
            report
        }
        None if args.save => {
            return Err(CliError::Config(
                "--save needs --bucket (or HUBFIX_REPORT_BUCKET): the report bucket".into(),
            ))
        }
        None => report,
    };
    print!("{}", report.render(format));
    Ok(ExitCode::SUCCESS)
}

fn report_error(e: hubfix::report::ReportError, ctx: &Context) -> CliError {
    match e {
        hubfix::report::ReportError::SecurityHub(err)
        | hubfix::report::ReportError::Storage(err) => {
            unreachable_or(err, ctx.config.endpoint_url())
        }
    }
}
