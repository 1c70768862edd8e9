//! The `reconciler` function: on its schedule, one [`reconcile`] run.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::{reconcile, ReconcileOptions};
use crate::aws::AwsContext;
use crate::function::NotScheduled;
use crate::policy::Policy;
use crate::settings::ConfigError;

/// The automatic path's queue (required; the template sets it).
pub const ENV_QUEUE_URL: &str = "HUBFIX_QUEUE_URL";
/// Minutes a NEW finding must be untouched by Security Hub before it is put back
/// (default 15).
pub const ENV_AFTER_MINUTES: &str = "HUBFIX_RECONCILE_AFTER_MINUTES";
/// Most findings put back in one run (default 1000).
pub const ENV_MAX_PER_RUN: &str = "HUBFIX_RECONCILE_MAX_PER_RUN";

/// The run's options from a key/value source (the environment; tests use a map).
pub fn options_from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<ReconcileOptions, ConfigError> {
    let get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let queue_url = get(ENV_QUEUE_URL).ok_or_else(|| ConfigError {
        variable: ENV_QUEUE_URL,
        reason: "the reconciler needs the automatic path's queue URL".into(),
    })?;
    let mut options = ReconcileOptions::new(queue_url);
    let number = |variable: &'static str, range: std::ops::RangeInclusive<u64>| {
        get(variable)
            .map(|v| {
                v.parse::<u64>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| ConfigError {
                        variable,
                        reason: format!(
                            "`{v}` must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    })
            })
            .transpose()
    };
    if let Some(minutes) = number(ENV_AFTER_MINUTES, 1..=1440)? {
        options.new_after = Duration::from_secs(minutes * 60);
    }
    if let Some(max) = number(ENV_MAX_PER_RUN, 1..=100_000)? {
        options.max_per_run = usize::try_from(max).unwrap_or(usize::MAX);
    }
    Ok(options)
}

/// The function: clients, policy and options, made once per cold start.
#[derive(Debug)]
pub struct ReconcilerFunction {
    aws: AwsContext,
    policy: Policy,
    options: ReconcileOptions,
}

impl ReconcilerFunction {
    /// From clients, the policy (which controls are automatic) and the run's options.
    pub fn new(aws: AwsContext, policy: Policy, options: ReconcileOptions) -> Self {
        ReconcilerFunction {
            aws,
            policy,
            options,
        }
    }

    /// Handles one scheduled event: one run; answers with its report.
    pub async fn handle(&self, event: Value) -> Result<Value, NotScheduled> {
        crate::function::scheduled(&event)?;
        let home = self.aws.home();
        let report = reconcile(
            &self.policy,
            &home.securityhub,
            &home.sqs,
            &self.options,
            SystemTime::now(),
        )
        .await;
        Ok(serde_json::to_value(report).unwrap_or(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn options(pairs: &[(&str, &str)]) -> Result<ReconcileOptions, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        options_from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn the_queue_is_required_and_the_rest_defaults() {
        assert_eq!(options(&[]).unwrap_err().variable, ENV_QUEUE_URL);
        let o = options(&[(ENV_QUEUE_URL, "https://sqs.us-east-1.amazonaws.com/1/q")]).unwrap();
        assert_eq!(o.new_after, Duration::from_secs(900));
        assert_eq!(o.max_per_run, 1000);
        let o = options(&[
            (ENV_QUEUE_URL, "q"),
            (ENV_AFTER_MINUTES, "30"),
            (ENV_MAX_PER_RUN, "50"),
        ])
        .unwrap();
        assert_eq!(o.new_after, Duration::from_secs(1800));
        assert_eq!(o.max_per_run, 50);
        let err = options(&[(ENV_QUEUE_URL, "q"), (ENV_AFTER_MINUTES, "0")]).unwrap_err();
        assert_eq!(err.variable, ENV_AFTER_MINUTES);
    }
}
