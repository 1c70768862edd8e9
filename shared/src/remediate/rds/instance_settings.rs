//! RDS.2, RDS.5, RDS.8, RDS.13, RDS.17.

use super::*;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Impact, Rule};

pub(super) const RDS_INSTANCE_ACTIONS: &[&str] =
    &["rds:DescribeDBInstances", "rds:ModifyDBInstance"];

/// One setting of an RDS DB instance.
const fn rds_instance_rule(
    control_id: &'static str,
    title: &'static str,
    fix: &'static str,
    impact: Impact,
    remediation: &'static SingleSetting<InstanceFlag>,
) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsRdsDbInstance",
        fix,
        iam_actions: RDS_INSTANCE_ACTIONS,
        impact,
        remediation,
    }
}

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    rds_instance_rule(
        "RDS.2",
        "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration",
        "Turns off public accessibility of the DB instance: its endpoint resolves to a private address, so clients outside the VPC lose access.",
        Impact::Disruptive,
        &SingleSetting(InstanceFlag {
            setting: InstanceSetting::PubliclyAccessible,
            want: false,
        }),
    ),
    rds_instance_rule(
        "RDS.5",
        "RDS DB instances should be configured with multiple Availability Zones",
        "Turns Multi-AZ on for the DB instance, applied at once: RDS adds a standby in another Availability Zone (the instance's cost about doubles; no downtime, some I/O latency while the standby is created). Of an Aurora instance: the note points to its cluster. Undo turns it off again.",
        Impact::Disruptive,
        &SingleSetting(InstanceFlag {
            setting: InstanceSetting::MultiAz,
            want: true,
        }),
    ),
    rds_instance_rule(
        "RDS.8",
        "RDS DB instances should have deletion protection enabled",
        "Turns on deletion protection of the DB instance (of an Aurora instance: the note points to its cluster).",
        Impact::Safe,
        &SingleSetting(InstanceFlag {
            setting: InstanceSetting::DeletionProtection,
            want: true,
        }),
    ),
    rds_instance_rule(
        "RDS.13",
        "RDS automatic minor version upgrades should be enabled",
        "Turns on automatic minor version upgrades of the DB instance (applied in its maintenance window).",
        Impact::Safe,
        &SingleSetting(InstanceFlag {
            setting: InstanceSetting::AutoMinorVersionUpgrade,
            want: true,
        }),
    ),
    rds_instance_rule(
        "RDS.17",
        "RDS DB instances should be configured to copy tags to snapshots",
        "Turns on copying the DB instance's tags to its snapshots.",
        Impact::Safe,
        &SingleSetting(InstanceFlag {
            setting: InstanceSetting::CopyTagsToSnapshot,
            want: true,
        }),
    ),
];

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
    /// `MultiAZ` (`RDS.5`): applied at once, and on while a conversion is pending.
    MultiAz,
}

impl InstanceSetting {
    /// The API's name of the setting.
    pub fn name(self) -> &'static str {
        match self {
            InstanceSetting::PubliclyAccessible => "PubliclyAccessible",
            InstanceSetting::AutoMinorVersionUpgrade => "AutoMinorVersionUpgrade",
            InstanceSetting::DeletionProtection => "DeletionProtection",
            InstanceSetting::CopyTagsToSnapshot => "CopyTagsToSnapshot",
            InstanceSetting::MultiAz => "MultiAZ",
        }
    }

    fn read(self, db: &DbInstance) -> bool {
        match self {
            InstanceSetting::PubliclyAccessible => db.publicly_accessible(),
            InstanceSetting::AutoMinorVersionUpgrade => db.auto_minor_version_upgrade(),
            InstanceSetting::DeletionProtection => db.deletion_protection(),
            InstanceSetting::CopyTagsToSnapshot => db.copy_tags_to_snapshot(),
            InstanceSetting::MultiAz => db
                .pending_modified_values()
                .and_then(|p| p.multi_az())
                .or(db.multi_az()),
        }
        .unwrap_or(false)
    }

    /// Settings an Aurora cluster holds for its instances.
    fn held_by_cluster(self) -> bool {
        matches!(
            self,
            InstanceSetting::DeletionProtection
                | InstanceSetting::CopyTagsToSnapshot
                | InstanceSetting::MultiAz
        )
    }
}

/// `RDS.2`, `RDS.5`, `RDS.8`, `RDS.13`, `RDS.17`: one setting of a DB instance, on or off.
#[derive(Debug)]
pub struct InstanceFlag {
    /// The setting.
    pub setting: InstanceSetting,
    /// The value the control wants.
    pub want: bool,
}

/// One setting of a DB instance as read, or why it is the cluster's to fix.
pub fn instance_flag_state(
    id: &str,
    setting: InstanceSetting,
    want: bool,
    db: &DbInstance,
) -> Result<SettingState, FixError> {
    let enabled = setting.read(db);
    if enabled != want && setting.held_by_cluster() {
        if let Some(cluster) = db.db_cluster_identifier() {
            return Err(FixError::Manual(format!(
                "DB instance {id} belongs to the Aurora cluster {cluster}, which holds its {} setting: turn it on for the cluster (RDS.7, RDS.15 and RDS.16 cover clusters).",
                setting.name()
            )));
        }
    }
    Ok(SettingState {
        tags: Some(rds_tags(db.tag_list())),
        resource: format!("DB instance {id}"),
        enabled,
        change: format!(
            "turned {} {} on DB instance {id}",
            setting.name(),
            if want { "on" } else { "off" }
        ),
    })
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
        InstanceSetting::MultiAz => request.multi_az(value).apply_immediately(true),
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

impl Setting for InstanceFlag {
    fn name(&self) -> &'static str {
        self.setting.name()
    }

    fn wanted(&self) -> bool {
        self.want
    }

    fn read<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let id = &fix.target.name;
            let db = describe_instance(&fix.clients.rds, id).await?;
            instance_flag_state(id, self.setting, self.want, &db)
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(set_instance_flag(fix, self.setting, enabled))
    }
}
