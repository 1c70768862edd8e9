//! RDS: public DB and cluster snapshots (`RDS.1`, and `DocumentDB.3` and `Neptune.3`,
//! whose clusters RDS's API manages), DB instance settings (`RDS.2` public access,
//! `RDS.8` deletion protection, `RDS.13` automatic minor version upgrades, `RDS.17` copy
//! tags to snapshots), Enhanced Monitoring (`RDS.6`), automated backups (`RDS.11`) and
//! cluster deletion protection (`RDS.7`).

use aws_sdk_rds::types::{DbCluster, DbInstance, Tag};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

mod backup_retention;
mod cluster_settings;
mod enhanced_monitoring;
mod instance_settings;
mod snapshot_encryption;
mod snapshots;

pub use backup_retention::*;
pub use cluster_settings::*;
pub use enhanced_monitoring::*;
pub use instance_settings::*;
pub use snapshot_encryption::*;
pub use snapshots::*;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    backup_retention::RULES,
    cluster_settings::RULES,
    enhanced_monitoring::RULES,
    instance_settings::RULES,
    snapshot_encryption::RULES,
    snapshots::RULES,
];

const INSTANCE_NOT_FOUND: &[&str] = &["DBInstanceNotFound", "DBInstanceNotFoundFault"];
const CLUSTER_NOT_FOUND: &[&str] = &["DBClusterNotFoundFault", "DBClusterNotFound"];
const SNAPSHOT_NOT_FOUND: &[&str] = &["DBSnapshotNotFound", "DBSnapshotNotFoundFault"];
const CLUSTER_SNAPSHOT_NOT_FOUND: &[&str] = &[
    "DBClusterSnapshotNotFoundFault",
    "DBClusterSnapshotNotFound",
];
/// Who may restore a manual DB snapshot: the attribute `ModifyDBSnapshotAttribute` shares by.
const RESTORE: &str = "restore";
/// The value of the `restore` attribute that makes a snapshot public.
const PUBLIC: &str = "all";

fn rds_tags(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A DB instance as the API describes it.
async fn describe_instance(rds: &aws_sdk_rds::Client, id: &str) -> Result<DbInstance, FixError> {
    let resource = format!("DB instance {id}");
    let out = rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("rds:DescribeDBInstances", &resource, INSTANCE_NOT_FOUND, e)
        })?;
    out.db_instances()
        .first()
        .cloned()
        .ok_or(FixError::NotFound {
            resource,
            code: "DBInstanceNotFound".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::toggle::toggle_plan;
    use aws_sdk_rds::types::PendingModifiedValues;

    fn instance(cluster: Option<&str>) -> DbInstance {
        DbInstance::builder()
            .db_instance_identifier("orders")
            .publicly_accessible(true)
            .deletion_protection(false)
            .backup_retention_period(1)
            .set_db_cluster_identifier(cluster.map(str::to_owned))
            .build()
    }

    fn instance_flag_plan(
        id: &str,
        setting: InstanceSetting,
        want: bool,
        db: &DbInstance,
    ) -> Result<Plan, FixError> {
        let state = instance_flag_state(id, setting, want, db)?;
        Ok(toggle_plan(
            state.resource,
            setting.name(),
            state.enabled,
            want,
            state.change,
        ))
    }

    #[test]
    fn instance_settings_plan_the_wanted_value() {
        let plan = instance_flag_plan(
            "orders",
            InstanceSetting::PubliclyAccessible,
            false,
            &instance(None),
        )
        .unwrap();
        assert_eq!(
            plan.describe(),
            "turned PubliclyAccessible off on DB instance orders"
        );
        assert!(!plan.changes[0].detail::<bool>().unwrap());
        let compliant = instance_flag_plan(
            "orders",
            InstanceSetting::PubliclyAccessible,
            true,
            &instance(None),
        )
        .unwrap();
        assert!(compliant.is_compliant());
    }

    #[test]
    fn aurora_instances_defer_cluster_settings_to_the_cluster() {
        let err = instance_flag_plan(
            "orders",
            InstanceSetting::DeletionProtection,
            true,
            &instance(Some("aurora-1")),
        )
        .unwrap_err();
        assert!(matches!(err, FixError::Manual(ref s) if s.contains("cluster aurora-1")));
        assert!(instance_flag_plan(
            "orders",
            InstanceSetting::PubliclyAccessible,
            false,
            &instance(Some("aurora-1"))
        )
        .is_ok());
    }

    /// A plan test against a recorded `DescribeDBInstances` response: RDS shows a
    /// retention change made without `ApplyImmediately` under `PendingModifiedValues`
    /// until the maintenance window; the emulator applies changes at once.
    #[test]
    fn recorded_response_pending_retention_counts_as_the_retention() {
        let recorded = DbInstance::builder()
            .db_instance_identifier("orders")
            .backup_retention_period(0)
            .pending_modified_values(
                PendingModifiedValues::builder()
                    .backup_retention_period(7)
                    .build(),
            )
            .build();
        let plan = retention_plan("orders", &recorded, 7).unwrap();
        assert!(plan.is_compliant());
        assert_eq!(plan.before.state["backup_retention_days"], 7);
    }

    #[test]
    fn retention_is_raised_and_the_outage_is_named() {
        let plan = retention_plan("orders", &instance(None), 7).unwrap();
        assert!(
            plan.describe().contains("to 7 days (was 1"),
            "{}",
            plan.describe()
        );
        let off = DbInstance::builder().backup_retention_period(0).build();
        let plan = retention_plan("orders", &off, 14).unwrap();
        assert!(plan.describe().contains("brief outage"));
        assert_eq!(plan.changes[0].detail::<i32>().unwrap(), 14);
    }

    #[test]
    fn only_the_public_share_is_removed() {
        let s = SnapshotId::Instance("s".into());
        let plan = snapshot_plan(&s, vec!["all".into(), "111122223333".into()]);
        assert_eq!(plan.before.state["restore"][0], "111122223333");
        assert_eq!(plan.changes.len(), 1);
        assert!(snapshot_plan(&s, vec!["111122223333".into()]).is_compliant());
    }
}
