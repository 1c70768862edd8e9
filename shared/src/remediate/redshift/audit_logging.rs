//! Redshift.4: audit logging (connection, user and user activity logs) to CloudWatch
//! Logs or to a configured bucket.

use aws_sdk_redshift::types::LogDestinationType;
use serde::{Deserialize, Serialize};

use super::{cluster_tags, cluster_words, describe_cluster, CLUSTER_NOT_FOUND};
use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};
use crate::settings::RedshiftLogDestination;

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "Redshift.4",
    title: "Amazon Redshift clusters should have audit logging enabled",
    resource_type: "AwsRedshiftCluster",
    fix: "Turns on audit logging of the cluster (connection, user and user activity logs) to CloudWatch Logs, or to the bucket HUBFIX_REDSHIFT_LOG_DESTINATION names (s3://bucket/prefix; its policy must let Redshift write).",
    iam_actions: &[
        "redshift:DescribeClusters",
        "redshift:DescribeLoggingStatus",
        "redshift:EnableLogging",
        "redshift:DisableLogging",
    ],
    impact: Impact::Safe,
    remediation: &AuditLogging,
}];

/// The logs a CloudWatch Logs destination exports (every audit log Redshift writes).
pub const LOG_EXPORTS: &[&str] = &["connectionlog", "userlog", "useractivitylog"];

/// `Redshift.4`: audit logging on, to the configured destination.
#[derive(Debug)]
pub struct AuditLogging;

/// The before-state of `Redshift.4`: whether audit logging was on. (Where it last
/// wrote is not kept: Redshift still reports it after `DisableLogging`, so an undo
/// could not make it read as before.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLoggingBefore {
    /// Whether audit logging was on.
    pub logging_enabled: bool,
}

impl RedshiftLogDestination {
    /// The destination as a note and a before-state say it.
    pub fn describe(&self) -> String {
        match self {
            RedshiftLogDestination::CloudWatch => "CloudWatch Logs".to_owned(),
            RedshiftLogDestination::S3 { bucket, prefix } => {
                format!("s3://{bucket}/{}", prefix.as_deref().unwrap_or_default())
            }
        }
    }
}

/// The plan for `Redshift.4`: turn logging on to `destination` when it is off.
pub fn logging_plan(id: &str, enabled: bool, destination: &RedshiftLogDestination) -> Plan {
    let changes = if enabled {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "turned on audit logging of {} to {}",
                cluster_words(id),
                destination.describe()
            ),
            destination,
        )]
    };
    Plan {
        before: BeforeState::new(
            cluster_words(id),
            &AuditLoggingBefore {
                logging_enabled: enabled,
            },
        ),
        changes,
    }
}

/// Whether the cluster's audit logging is on, as `DescribeLoggingStatus` reads it.
async fn logging_enabled(fix: Fix<'_>) -> Result<bool, FixError> {
    let id = &fix.target.name;
    let out = fix
        .clients
        .redshift
        .describe_logging_status()
        .cluster_identifier(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "redshift:DescribeLoggingStatus",
                &cluster_words(id),
                CLUSTER_NOT_FOUND,
                e,
            )
        })?;
    Ok(out.logging_enabled().unwrap_or(false))
}

async fn enable_logging(
    fix: Fix<'_>,
    destination: &RedshiftLogDestination,
) -> Result<(), FixError> {
    let id = &fix.target.name;
    let request = fix.clients.redshift.enable_logging().cluster_identifier(id);
    let request = match destination {
        RedshiftLogDestination::CloudWatch => request
            .log_destination_type(LogDestinationType::Cloudwatch)
            .set_log_exports(Some(LOG_EXPORTS.iter().map(|s| (*s).to_owned()).collect())),
        RedshiftLogDestination::S3 { bucket, prefix } => request
            .log_destination_type(LogDestinationType::S3)
            .bucket_name(bucket)
            .set_s3_key_prefix(prefix.clone()),
    };
    request.send().await.map(|_| ()).map_err(|e| {
        FixError::from_sdk(
            "redshift:EnableLogging",
            &cluster_words(id),
            CLUSTER_NOT_FOUND,
            e,
        )
    })
}

impl Remediation for AuditLogging {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let cluster = describe_cluster(fix).await?;
            let enabled = logging_enabled(fix).await?;
            Ok(Inspection {
                tags: Some(cluster_tags(&cluster)),
                plan: logging_plan(
                    &fix.target.name,
                    enabled,
                    &fix.settings.redshift_log_destination,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { enable_logging(fix, &change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let id = &fix.target.name;
            fix.clients
                .redshift
                .disable_logging()
                .cluster_identifier(id)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "redshift:DisableLogging",
                        &cluster_words(id),
                        CLUSTER_NOT_FOUND,
                        e,
                    )
                })?;
            Ok(vec![format!(
                "turned audit logging of {} off again (the logs written meanwhile are kept)",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_off_is_turned_on_to_the_destination_and_on_is_left_alone() {
        let s3 = RedshiftLogDestination::S3 {
            bucket: "audit-logs".into(),
            prefix: Some("redshift/".into()),
        };
        let plan = logging_plan("analytics", false, &s3);
        assert_eq!(plan.changes.len(), 1);
        assert!(plan.changes[0]
            .description
            .ends_with("Redshift cluster analytics to s3://audit-logs/redshift/"));
        assert_eq!(
            plan.changes[0].detail::<RedshiftLogDestination>().unwrap(),
            s3
        );
        let before: AuditLoggingBefore = plan.before.recorded().unwrap();
        assert!(!before.logging_enabled);
        assert!(
            logging_plan("analytics", true, &RedshiftLogDestination::CloudWatch)
                .changes
                .is_empty()
        );
    }
}
