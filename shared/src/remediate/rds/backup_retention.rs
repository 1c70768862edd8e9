//! RDS.11.

use super::instance_settings::RDS_INSTANCE_ACTIONS;
use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "RDS.11",
        title: "RDS instances should have automatic backups enabled",
        resource_type: "AwsRdsDbInstance",
        fix: "Raises the automated backup retention to the configured days (HUBFIX_RDS_BACKUP_RETENTION_DAYS, default 7), in the next maintenance window; turning backups on from 0 days causes a brief outage there.",
        iam_actions: RDS_INSTANCE_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &BackupRetention,
    },
];

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
