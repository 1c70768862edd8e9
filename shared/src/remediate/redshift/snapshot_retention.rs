//! Redshift.3: automated snapshots kept for at least the configured number of days.

use aws_sdk_redshift::types::Cluster;
use serde::{Deserialize, Serialize};

use super::{
    cluster_tags, cluster_words, describe_cluster, modify_cluster, MODIFY_CLUSTER_ACTIONS,
};
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "Redshift.3",
    title: "Amazon Redshift clusters should have automatic snapshots enabled",
    resource_type: "AwsRedshiftCluster",
    fix: "Raises the cluster's automated snapshot retention to the configured days (HUBFIX_REDSHIFT_SNAPSHOT_RETENTION_DAYS, default 7, the control's minimum).",
    iam_actions: MODIFY_CLUSTER_ACTIONS,
    impact: Impact::Safe,
    remediation: &SnapshotRetention,
}];

/// `Redshift.3`: automated snapshots kept for at least the configured number of days.
#[derive(Debug)]
pub struct SnapshotRetention;

/// The before-state of `Redshift.3`: the retention in force or pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRetentionBefore {
    /// Days automated snapshots are kept (0: automated snapshots are off).
    pub retention_days: i32,
}

/// The retention that holds once pending modifications are applied.
pub fn effective_retention(cluster: &Cluster) -> i32 {
    cluster
        .pending_modified_values()
        .and_then(|p| p.automated_snapshot_retention_period())
        .or(cluster.automated_snapshot_retention_period())
        .unwrap_or(0)
}

/// The plan for `Redshift.3`: raise the retention to `days` when it is shorter; a
/// longer one is kept.
pub fn retention_plan(id: &str, cluster: &Cluster, days: i32) -> Plan {
    let current = effective_retention(cluster);
    let changes = if current >= days {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "set the automated snapshot retention of {} to {days} days (was {current})",
                cluster_words(id)
            ),
            &days,
        )]
    };
    Plan {
        before: BeforeState::new(
            cluster_words(id),
            &SnapshotRetentionBefore {
                retention_days: current,
            },
        ),
        changes,
    }
}

impl Remediation for SnapshotRetention {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let cluster = describe_cluster(fix).await?;
            Ok(Inspection {
                tags: Some(cluster_tags(&cluster)),
                plan: retention_plan(
                    &fix.target.name,
                    &cluster,
                    fix.settings.redshift_snapshot_retention_days,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let days: i32 = change.detail()?;
            modify_cluster(fix, |r| r.automated_snapshot_retention_period(days)).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let SnapshotRetentionBefore {
                retention_days: days,
            } = before.recorded()?;
            modify_cluster(fix, |r| r.automated_snapshot_retention_period(days)).await?;
            let note = if days == 0 {
                " (automated snapshots off: Redshift deletes the automated snapshots taken since)"
            } else {
                ""
            };
            Ok(vec![format!(
                "set the automated snapshot retention of {} back to {days} days{note}",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_redshift::types::{Cluster, PendingModifiedValues};

    use super::*;

    fn cluster(days: i32) -> Cluster {
        Cluster::builder()
            .automated_snapshot_retention_period(days)
            .build()
    }

    #[test]
    fn a_short_retention_is_raised_and_a_longer_one_kept() {
        let plan = retention_plan("analytics", &cluster(1), 7);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].detail::<i32>().unwrap(), 7);
        assert!(plan.changes[0].description.contains("to 7 days (was 1)"));
        let before: SnapshotRetentionBefore = plan.before.recorded().unwrap();
        assert_eq!(before.retention_days, 1);
        assert!(retention_plan("analytics", &cluster(7), 7)
            .changes
            .is_empty());
        assert!(retention_plan("analytics", &cluster(35), 7)
            .changes
            .is_empty());
        assert_eq!(
            retention_plan("analytics", &cluster(0), 14).changes.len(),
            1
        );
    }

    #[test]
    fn a_pending_retention_counts() {
        let pending = Cluster::builder()
            .automated_snapshot_retention_period(1)
            .pending_modified_values(
                PendingModifiedValues::builder()
                    .automated_snapshot_retention_period(7)
                    .build(),
            )
            .build();
        assert_eq!(effective_retention(&pending), 7);
        assert!(retention_plan("analytics", &pending, 7).changes.is_empty());
    }
}
