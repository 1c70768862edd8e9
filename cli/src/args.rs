//! The command line, as clap reads it. Global options follow the AWS CLI's habits.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// hubfix: fix AWS Security Hub findings from the command line, with the same rules,
/// policy and audit trail as the Lambda functions.
#[derive(Debug, Parser)]
#[command(name = "hubfix", version, propagate_version = true)]
#[command(
    after_help = "Policy settings (modes, account scope, exemption tag, member role, ...) come from the same HUBFIX_* environment variables as the functions; see docs/configuration.md."
)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Use a named profile from the AWS config and credentials files.
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// The region of the Security Hub (administrator) to work with.
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Send every AWS request to this URL (a local emulator, a VPC endpoint).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Table, env = "HUBFIX_OUTPUT")]
    pub output: Output,
    /// The audit trail's S3 bucket (the stack's AuditBucketName output).
    #[arg(long, global = true, env = "HUBFIX_AUDIT_BUCKET")]
    pub audit_bucket: Option<String>,
    /// Log what hubfix does, as JSON lines on stderr.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// Output formats, as the AWS CLI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
    /// Tab-separated fields, one record per line, for shell pipelines.
    Text,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the rules: control, title, mode under the current policy, disruptive, IAM actions.
    Rules,
    /// Show what hubfix would change for the selected findings; changes nothing.
    Plan(Selection),
    /// Fix the selected findings (asks first unless --yes), with the audit trail.
    Apply {
        /// Which findings.
        #[command(flatten)]
        selection: Selection,
        /// Do not ask before changing resources.
        #[arg(long, short)]
        yes: bool,
    },
    /// Put a fixed resource back as it was before hubfix fixed it, from the audit trail.
    Undo {
        /// The finding whose fix to undo (its Security Hub `Id`).
        finding_id: String,
        /// Do not ask first.
        #[arg(long, short)]
        yes: bool,
    },
    /// Read the audit trail: one record per decision hubfix took.
    Audit(AuditArgs),
    /// The compliance report: scores per standard, top failed controls, finding counts.
    Report(ReportArgs),
    /// Check the CIS requirements Security Hub does not evaluate and import the results
    /// into Security Hub as findings (--manual: the checklist of the manual ones).
    Scan(ScanArgs),
    /// Move the events of a dead-letter queue back to the findings queue (the stack's
    /// RedriveCommand output), once the cause of their failure is fixed.
    Redrive {
        /// The queue to take them from (the stack's FindingsDeadLetterQueueUrl).
        #[arg(long)]
        from: String,
        /// The queue to put them on (the stack's FindingsQueueUrl).
        #[arg(long)]
        to: String,
        /// At most this many events.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
        /// Do not ask first.
        #[arg(long, short)]
        yes: bool,
    },
    /// The organisation's Security Hub foundation, from a setup file: plan it, apply
    /// it, or check it for drift (see docs/foundation.md).
    Setup(SetupArgs),
    /// Run a function's handler in-process with an event file, as Lambda would.
    Invoke {
        /// The function.
        #[arg(value_enum)]
        function: Function,
        /// The event (e.g. one of events/*.json: an EventBridge event, or for
        /// auto-remediate an SQS batch of them); repeat for several invocations in a row,
        /// as one warm Lambda container would run them.
        #[arg(long, required = true)]
        event: Vec<PathBuf>,
    },
}

/// `hubfix setup`: what to do with the setup file.
#[derive(Debug, Args)]
pub(crate) struct SetupArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SetupCommand,
}

/// The setup subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum SetupCommand {
    /// Show what would change, per account and region, to match the file; changes nothing.
    Plan(SetupFile),
    /// Make the organisation match the file (asks first unless --yes), with audit records.
    Apply {
        /// The setup file.
        #[command(flatten)]
        file: SetupFile,
        /// Do not ask before changing anything.
        #[arg(long, short)]
        yes: bool,
    },
    /// A table per account and region; exit code 1 when anything drifts from the file.
    Status(SetupFile),
    /// Print the tamper-protection service control policy the file generates.
    Policy(SetupFile),
}

/// The setup file option.
#[derive(Debug, Args)]
pub(crate) struct SetupFile {
    /// The setup file (TOML; see docs/foundation.md).
    #[arg(
        long,
        short,
        default_value = "hubfix-setup.toml",
        env = "HUBFIX_SETUP_FILE"
    )]
    pub file: PathBuf,
}

/// Which findings a command acts on: an event file, finding ids, or a Security Hub
/// filter (findings that are active, FAILED and NEW or NOTIFIED).
#[derive(Debug, Args)]
pub(crate) struct Selection {
    /// An EventBridge event file with findings (e.g. events/s3-8-imported.json).
    #[arg(long, conflicts_with_all = ["finding_id", "control", "severity", "account", "finding_region", "resource"])]
    pub event: Option<PathBuf>,
    /// A finding id (repeatable).
    #[arg(long)]
    pub finding_id: Vec<String>,
    /// A security control id such as S3.8 (repeatable).
    #[arg(long)]
    pub control: Vec<String>,
    /// A severity (repeatable).
    #[arg(long, value_enum)]
    pub severity: Vec<Severity>,
    /// An account id (repeatable).
    #[arg(long)]
    pub account: Vec<String>,
    /// The region of the findings (repeatable; default: every region the hub aggregates).
    #[arg(long)]
    pub finding_region: Vec<String>,
    /// A resource id, e.g. a bucket ARN (repeatable).
    #[arg(long)]
    pub resource: Vec<String>,
    /// At most this many findings.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
}

/// Severity labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Severity {
    /// CRITICAL.
    Critical,
    /// HIGH.
    High,
    /// MEDIUM.
    Medium,
    /// LOW.
    Low,
    /// INFORMATIONAL.
    Informational,
}

impl Severity {
    /// The ASFF label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Severity::Critical => "CRITICAL",
            Severity::High => "HIGH",
            Severity::Medium => "MEDIUM",
            Severity::Low => "LOW",
            Severity::Informational => "INFORMATIONAL",
        }
    }
}

/// Filters of the audit trail.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// Only this finding's records.
    #[arg(long)]
    pub finding_id: Option<String>,
    /// Only this control's (or custom action's) records.
    #[arg(long)]
    pub control: Option<String>,
    /// Only this account's records.
    #[arg(long)]
    pub account: Option<String>,
    /// Only records written since this date or time (2026-11-01, 2026-11-01T08:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
}

/// Options of the compliance report.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// `text` (the auditors' layout), `json` (schema hubfix-compliance-report/1) or `html`.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// The organisation's name, printed on the report.
    #[arg(long, env = "HUBFIX_REPORT_ORGANIZATION")]
    pub organization: Option<String>,
    /// The report date (YYYY-MM-DD; default today, UTC); "this month" ends on it.
    #[arg(long)]
    pub date: Option<String>,
    /// How many failed controls to list.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(usize))]
    pub top: usize,
    /// The report bucket (the stack's): earlier reports there make the trend.
    #[arg(long, env = "HUBFIX_REPORT_BUCKET")]
    pub bucket: Option<String>,
    /// The key prefix of reports in the bucket.
    #[arg(long, default_value = "reports/", env = "HUBFIX_REPORT_PREFIX")]
    pub prefix: String,
    /// Store the report in the bucket too (JSON, HTML and text).
    #[arg(long)]
    pub save: bool,
}

/// Options of the CIS gap scanner.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Print the checklist of the CIS requirements that need a person (no AWS call).
    #[arg(long, conflicts_with_all = ["requirement", "no_import"])]
    pub manual: bool,
    /// A CIS 1.4.0 requirement to check, e.g. 1.13 (repeatable; default: every one).
    #[arg(long)]
    pub requirement: Vec<String>,
    /// A region to check the regional requirements (1.20, 5.2) in (repeatable;
    /// default: --region).
    #[arg(long, value_delimiter = ',', env = "HUBFIX_SCAN_REGIONS")]
    pub scan_region: Vec<String>,
    /// An account to check (repeatable; default: the caller's); others are read through
    /// the member role (HUBFIX_MEMBER_ROLE_NAME).
    #[arg(long, value_delimiter = ',', env = "HUBFIX_SCAN_ACCOUNTS")]
    pub account: Vec<String>,
    /// Check only: import nothing into Security Hub.
    #[arg(long)]
    pub no_import: bool,
}

/// The Lambda functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Function {
    /// Handles `Security Hub Findings - Imported` events.
    AutoRemediate,
    /// Handles `Security Hub Findings - Custom Action` events.
    CustomAction,
    /// Handles CloudTrail's events of the Security Hub foundation being switched off.
    DriftGuard,
}
