//! The `cis-scanner` function: on its schedule it scans the accounts and regions in
//! scope and imports the results into Security Hub.

use serde_json::{json, Value};

use super::{scan, select, ScanOptions};
use crate::aws::AwsContext;
use crate::function::NotScheduled;
use crate::ids::is_account_id;
use crate::ids::is_region;
use crate::policy::Policy;
use crate::settings::ConfigError;

/// The accounts to scan (comma-separated; default the function's own). Other accounts
/// are read through the member role (`HUBFIX_MEMBER_ROLE_NAME`).
pub use crate::trust::ENV_SCAN_ACCOUNTS as ENV_ACCOUNTS;
/// The regions of the regional requirements (comma-separated; default the function's).
pub use crate::trust::ENV_SCAN_REGIONS as ENV_REGIONS;
/// The CIS v1.4.0 numbers to evaluate (comma-separated; default all).
pub const ENV_REQUIREMENTS: &str = "HUBFIX_SCAN_REQUIREMENTS";

/// Most failed results listed in the function's answer (all are imported).
const MAX_LISTED: usize = 100;

fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The scan's options from a key/value source (the environment; tests use a map).
pub fn options_from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
    concurrency: usize,
) -> Result<ScanOptions, ConfigError> {
    let regions = list(lookup(ENV_REGIONS));
    if let Some(bad) = regions.iter().find(|r| !is_region(r)) {
        return Err(ConfigError {
            variable: ENV_REGIONS,
            reason: format!(
                "`{}` is not a region name",
                crate::finding::quoted(bad, crate::finding::MAX_QUOTED_CHARS)
            ),
        });
    }
    let accounts = list(lookup(ENV_ACCOUNTS));
    if let Some(bad) = accounts.iter().find(|a| !is_account_id(a)) {
        return Err(ConfigError {
            variable: ENV_ACCOUNTS,
            reason: format!(
                "`{}` is not a 12-digit account id",
                crate::finding::quoted(bad, crate::finding::MAX_QUOTED_CHARS)
            ),
        });
    }
    let requirements = list(lookup(ENV_REQUIREMENTS));
    select(&requirements).map_err(|reason| ConfigError {
        variable: ENV_REQUIREMENTS,
        reason,
    })?;
    Ok(ScanOptions {
        accounts,
        regions,
        requirements,
        import: true,
        concurrency,
    })
}

/// The function: clients, policy and options, made once per cold start.
#[derive(Debug)]
pub struct ScannerFunction {
    aws: AwsContext,
    policy: Policy,
    options: ScanOptions,
}

impl ScannerFunction {
    /// From clients, the policy (fix settings, member role) and the scan's options.
    pub fn new(aws: AwsContext, policy: Policy, options: ScanOptions) -> Self {
        ScannerFunction {
            aws,
            policy,
            options,
        }
    }

    /// Handles one scheduled event: scans and imports; answers with the summary, the
    /// failed results (the first [`MAX_LISTED`]) and every requirement not evaluated.
    pub async fn handle(&self, event: Value) -> Result<Value, NotScheduled> {
        crate::function::scheduled(&event)?;
        let report = Box::pin(scan(&self.aws, &self.policy.settings, &self.options)).await;
        let summary = report.summary();
        tracing::info!(%summary, "CIS scan done");
        let failed: Vec<_> = report
            .results
            .iter()
            .filter(|r| !r.compliant)
            .take(MAX_LISTED)
            .collect();
        Ok(json!({
            "summary": summary,
            "failed": failed,
            "errors": report.errors,
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn options(pairs: &[(&str, &str)]) -> Result<ScanOptions, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        options_from_lookup(|k| map.get(k).cloned(), 4)
    }

    #[test]
    fn options_default_to_everything_here() {
        let o = options(&[]).unwrap();
        assert!(o.accounts.is_empty() && o.regions.is_empty() && o.requirements.is_empty());
        assert!(o.import);
        assert_eq!(o.concurrency, 4);
        let o = options(&[
            (ENV_REGIONS, "us-east-1, eu-west-1"),
            (ENV_ACCOUNTS, "111111111111"),
            (ENV_REQUIREMENTS, "1.13,5.2"),
        ])
        .unwrap();
        assert_eq!(o.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(o.accounts, ["111111111111"]);
        assert_eq!(o.requirements, ["1.13", "5.2"]);
    }

    #[test]
    fn bad_options_name_their_variable() {
        assert_eq!(
            options(&[(ENV_REGIONS, "mars-1")]).unwrap_err().variable,
            ENV_REGIONS
        );
        assert_eq!(
            options(&[(ENV_ACCOUNTS, "12")]).unwrap_err().variable,
            ENV_ACCOUNTS
        );
        let err = options(&[(ENV_REQUIREMENTS, "1.1")]).unwrap_err();
        assert_eq!(err.variable, ENV_REQUIREMENTS);
        assert!(err.reason.contains("not an automated"), "{}", err.reason);
    }
}
