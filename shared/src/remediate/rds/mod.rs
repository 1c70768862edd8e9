//! RDS: public DB snapshots (`RDS.1`), DB instance settings (`RDS.2` public access,
//! `RDS.8` deletion protection, `RDS.13` automatic minor version upgrades, `RDS.17` copy
//! tags to snapshots), automated backups (`RDS.11`) and cluster deletion protection
//! (`RDS.7`).

use aws_sdk_rds::types::{DbCluster, DbInstance, Tag};
use serde::{Deserialize, Serialize};

use super::names::{rds_cluster, rds_instance, rds_snapshot};
use super::toggle::{recorded_setting, toggle_plan, undo_line};
use super::{BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation};
use crate::error::FixError;

const INSTANCE_NOT_FOUND: &[&str] = &["DBInstanceNotFound", "DBInstanceNotFoundFault"];
const CLUSTER_NOT_FOUND: &[&str] = &["DBClusterNotFoundFault", "DBClusterNotFound"];
const SNAPSHOT_NOT_FOUND: &[&str] = &["DBSnapshotNotFound", "DBSnapshotNotFoundFault"];
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

// ------------------------------------------------------- RDS.2, RDS.8, RDS.13, RDS.17

/// A DB instance setting that one rule turns on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceSetting {
    /// `PubliclyAccessible` (`RDS.2` turns it off).
    PubliclyAccessible,
    /// `AutoMinorVersionUpgrade` (`RDS.13`).
    AutoMinorVersionUpgrade,
    /// `DeletionProtection` (`RDS.8`).
    DeletionProtection,
    /// `CopyTagsToSnapshot` (`RDS.17`).
    CopyTagsToSnapshot,
}

impl InstanceSetting {
    /// The API's name of the setting.
    pub fn name(self) -> &'static str {
        match self {
            InstanceSetting::PubliclyAccessible => "PubliclyAccessible",
            InstanceSetting::AutoMinorVersionUpgrade => "AutoMinorVersionUpgrade",
            InstanceSetting::DeletionProtection => "DeletionProtection",
            InstanceSetting::CopyTagsToSnapshot => "CopyTagsToSnapshot",
        }
    }

    fn read(self, db: &DbInstance) -> bool {
        match self {
            InstanceSetting::PubliclyAccessible => db.publicly_accessible(),
            InstanceSetting::AutoMinorVersionUpgrade => db.auto_minor_version_upgrade(),
            InstanceSetting::DeletionProtection => db.deletion_protection(),
            InstanceSetting::CopyTagsToSnapshot => db.copy_tags_to_snapshot(),
        }
        .unwrap_or(false)
    }

    /// Settings an Aurora cluster holds for its instances.
    fn held_by_cluster(self) -> bool {
        matches!(
            self,
            InstanceSetting::DeletionProtection | InstanceSetting::CopyTagsToSnapshot
        )
    }
}

/// `RDS.2`, `RDS.8`, `RDS.13`, `RDS.17`: one setting of a DB instance, on or off.
#[derive(Debug)]
pub struct InstanceFlag {
    /// The setting.
    pub setting: InstanceSetting,
    /// The value the control wants.
    pub want: bool,
}

/// The plan for one setting of a DB instance, or why it is the cluster's to fix.
pub fn instance_flag_plan(
    id: &str,
    setting: InstanceSetting,
    want: bool,
    db: &DbInstance,
) -> Result<Plan, FixError> {
    let enabled = setting.read(db);
    if enabled != want && setting.held_by_cluster() {
        if let Some(cluster) = db.db_cluster_identifier() {
            return Err(FixError::Manual(format!(
                "DB instance {id} belongs to the Aurora cluster {cluster}, which holds its {} setting: turn it on for the cluster (RDS.7 and RDS.16 cover clusters).",
                setting.name()
            )));
        }
    }
    let description = format!(
        "turned {} {} on DB instance {id}",
        setting.name(),
        if want { "on" } else { "off" }
    );
    Ok(toggle_plan(
        format!("DB instance {id}"),
        setting.name(),
        enabled,
        want,
        description,
    ))
}

async fn set_instance_flag(
    fix: Fix<'_>,
    setting: InstanceSetting,
    value: bool,
) -> Result<(), FixError> {
    let id = &fix.target.name;
    let request = fix
        .clients
        .rds
        .modify_db_instance()
        .db_instance_identifier(id);
    let request = match setting {
        InstanceSetting::PubliclyAccessible => request.publicly_accessible(value),
        InstanceSetting::AutoMinorVersionUpgrade => request.auto_minor_version_upgrade(value),
        InstanceSetting::DeletionProtection => request.deletion_protection(value),
        InstanceSetting::CopyTagsToSnapshot => request.copy_tags_to_snapshot(value),
    };
    request.send().await.map(|_| ()).map_err(|e| {
        FixError::from_sdk(
            "rds:ModifyDBInstance",
            &format!("DB instance {id}"),
            INSTANCE_NOT_FOUND,
            e,
        )
    })
}

impl Remediation for InstanceFlag {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        rds_instance(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let db = describe_instance(&fix.clients.rds, id).await?;
            Ok(Inspection {
                tags: Some(rds_tags(db.tag_list())),
                plan: instance_flag_plan(id, self.setting, self.want, &db)?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_instance_flag(fix, self.setting, change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let enabled = recorded_setting(before, self.setting.name())?;
            set_instance_flag(fix, self.setting, enabled).await?;
            Ok(vec![undo_line(
                self.setting.name(),
                &before.resource,
                enabled,
            )])
        })
    }
}

// ------------------------------------------------------------------------ RDS.11

/// `RDS.11`: automated backups kept for at least the configured number of days.
#[derive(Debug)]
pub struct BackupRetention;

/// The before-state of `RDS.11`: the retention in force or pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionBefore {
    /// Days automated backups are kept (0: automated backups are off).
    pub backup_retention_days: i32,
}

/// The retention that holds once pending modifications are applied.
fn effective_retention(db: &DbInstance) -> i32 {
    db.pending_modified_values()
        .and_then(|p| p.backup_retention_period())
        .or(db.backup_retention_period())
        .unwrap_or(0)
}

/// The plan for `RDS.11`: raise the retention to `days` when it is shorter.
pub fn retention_plan(id: &str, db: &DbInstance, days: i32) -> Result<Plan, FixError> {
    let current = effective_retention(db);
    if current < days {
        if let Some(cluster) = db.db_cluster_identifier() {
            return Err(FixError::Manual(format!(
                "DB instance {id} belongs to the Aurora cluster {cluster}, which holds its backup retention: set it to at least {days} days on the cluster."
            )));
        }
    }
    let changes = if current >= days {
        Vec::new()
    } else {
        let outage = if current == 0 {
            ", with a brief outage as backups start"
        } else {
            ""
        };
        vec![Change::new(
            format!(
                "set the automated backup retention of DB instance {id} to {days} days (was {current}; applied in the next maintenance window{outage})"
            ),
            &days,
        )]
    };
    Ok(Plan {
        before: BeforeState::new(
            format!("DB instance {id}"),
            &RetentionBefore {
                backup_retention_days: current,
            },
        ),
        changes,
    })
}

async fn set_retention(fix: Fix<'_>, days: i32) -> Result<(), FixError> {
    let id = &fix.target.name;
    fix.clients
        .rds
        .modify_db_instance()
        .db_instance_identifier(id)
        .backup_retention_period(days)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "rds:ModifyDBInstance",
                &format!("DB instance {id}"),
                INSTANCE_NOT_FOUND,
                e,
            )
        })
}

impl Remediation for BackupRetention {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        rds_instance(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let db = describe_instance(&fix.clients.rds, id).await?;
            Ok(Inspection {
                tags: Some(rds_tags(db.tag_list())),
                plan: retention_plan(id, &db, fix.settings.rds_backup_retention_days)?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_retention(fix, change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let RetentionBefore {
                backup_retention_days: days,
            } = before.recorded()?;
            set_retention(fix, days).await?;
            let note = if days == 0 {
                " (automated backups off: RDS deletes the automated backups taken since)"
            } else {
                ""
            };
            Ok(vec![format!(
                "set the automated backup retention of {} back to {days} days{note}",
                before.resource
            )])
        })
    }
}

// ------------------------------------------------------------------------- RDS.7

/// `RDS.7`: deletion protection of a DB cluster.
#[derive(Debug)]
pub struct ClusterDeletionProtection;

async fn describe_cluster(rds: &aws_sdk_rds::Client, id: &str) -> Result<DbCluster, FixError> {
    let resource = format!("DB cluster {id}");
    let out = rds
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("rds:DescribeDBClusters", &resource, CLUSTER_NOT_FOUND, e)
        })?;
    out.db_clusters()
        .first()
        .cloned()
        .ok_or(FixError::NotFound {
            resource,
            code: "DBClusterNotFoundFault".into(),
        })
}

async fn set_cluster_protection(fix: Fix<'_>, value: bool) -> Result<(), FixError> {
    let id = &fix.target.name;
    fix.clients
        .rds
        .modify_db_cluster()
        .db_cluster_identifier(id)
        .deletion_protection(value)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "rds:ModifyDBCluster",
                &format!("DB cluster {id}"),
                CLUSTER_NOT_FOUND,
                e,
            )
        })
}

impl Remediation for ClusterDeletionProtection {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        rds_cluster(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let cluster = describe_cluster(&fix.clients.rds, id).await?;
            Ok(Inspection {
                tags: Some(rds_tags(cluster.tag_list())),
                plan: toggle_plan(
                    format!("DB cluster {id}"),
                    "DeletionProtection",
                    cluster.deletion_protection().unwrap_or(false),
                    true,
                    format!("turned DeletionProtection on on DB cluster {id}"),
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_cluster_protection(fix, change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let enabled = recorded_setting(before, "DeletionProtection")?;
            set_cluster_protection(fix, enabled).await?;
            Ok(vec![undo_line(
                "DeletionProtection",
                &before.resource,
                enabled,
            )])
        })
    }
}

// ------------------------------------------------------------------------- RDS.1

/// `RDS.1`: a manual DB snapshot restorable by everyone (`all`) is made private; the
/// accounts it is shared with keep their access.
#[derive(Debug)]
pub struct PrivateDbSnapshot;

/// The before-state of `RDS.1`: who could restore the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharesBefore {
    /// The values of the `restore` attribute, sorted: account ids, or `all`.
    pub restore: Vec<String>,
}

/// The plan for `RDS.1`: remove `all` from the `restore` attribute.
pub fn snapshot_plan(id: &str, mut restore: Vec<String>) -> Plan {
    restore.sort();
    let changes = if restore.iter().any(|v| v == PUBLIC) {
        vec![Change::new(
            format!("made DB snapshot {id} private (no longer restorable by every AWS account)"),
            &PUBLIC,
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(format!("DB snapshot {id}"), &SharesBefore { restore }),
        changes,
    }
}

async fn snapshot_shares(rds: &aws_sdk_rds::Client, id: &str) -> Result<Vec<String>, FixError> {
    let out = rds
        .describe_db_snapshot_attributes()
        .db_snapshot_identifier(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "rds:DescribeDBSnapshotAttributes",
                &format!("DB snapshot {id}"),
                SNAPSHOT_NOT_FOUND,
                e,
            )
        })?;
    Ok(out
        .db_snapshot_attributes_result()
        .map(|r| r.db_snapshot_attributes())
        .unwrap_or_default()
        .iter()
        .filter(|a| a.attribute_name() == Some(RESTORE))
        .flat_map(|a| a.attribute_values().iter().cloned())
        .collect())
}

async fn snapshot_tags(
    rds: &aws_sdk_rds::Client,
    id: &str,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    let out = rds
        .describe_db_snapshots()
        .db_snapshot_identifier(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "rds:DescribeDBSnapshots",
                &format!("DB snapshot {id}"),
                SNAPSHOT_NOT_FOUND,
                e,
            )
        })?;
    Ok(Some(
        out.db_snapshots()
            .first()
            .map(|s| rds_tags(s.tag_list()))
            .unwrap_or_default(),
    ))
}

/// Shares or unshares a snapshot with everyone.
async fn set_public(fix: Fix<'_>, public: bool) -> Result<(), FixError> {
    let id = &fix.target.name;
    let request = fix
        .clients
        .rds
        .modify_db_snapshot_attribute()
        .db_snapshot_identifier(id)
        .attribute_name(RESTORE);
    let request = if public {
        request.values_to_add(PUBLIC)
    } else {
        request.values_to_remove(PUBLIC)
    };
    request.send().await.map(|_| ()).map_err(|e| {
        FixError::from_sdk(
            "rds:ModifyDBSnapshotAttribute",
            &format!("DB snapshot {id}"),
            SNAPSHOT_NOT_FOUND,
            e,
        )
    })
}

impl Remediation for PrivateDbSnapshot {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        rds_snapshot(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let tags = snapshot_tags(&fix.clients.rds, id, with_tags).await?;
            let restore = snapshot_shares(&fix.clients.rds, id).await?;
            Ok(Inspection {
                tags,
                plan: snapshot_plan(id, restore),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(set_public(fix, false))
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let SharesBefore { restore } = before.recorded()?;
            if !restore.iter().any(|v| v == PUBLIC) {
                return Ok(Vec::new());
            }
            set_public(fix, true).await?;
            Ok(vec![format!(
                "made {} restorable by every AWS account again",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let plan = snapshot_plan("s", vec!["all".into(), "111122223333".into()]);
        assert_eq!(plan.before.state["restore"][0], "111122223333");
        assert_eq!(plan.changes.len(), 1);
        assert!(snapshot_plan("s", vec!["111122223333".into()]).is_compliant());
    }
}
