//! ElastiCache.1, ElastiCache.2: a cache cluster's automatic backups and automatic
//! minor version upgrades, set on the cluster or, for a member of a replication group,
//! on its group.

use aws_sdk_elasticache::types::CacheCluster;
use serde::{Deserialize, Serialize};

use super::{describe_cluster, describe_group, tags_of, CLUSTER_NOT_FOUND, GROUP_NOT_FOUND};
use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The IAM actions of both rules.
const ACTIONS: &[&str] = &[
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeReplicationGroups",
    "elasticache:ListTagsForResource",
    "elasticache:ModifyCacheCluster",
    "elasticache:ModifyReplicationGroup",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "ElastiCache.1",
        title: "ElastiCache (Redis OSS) clusters should have automatic backups enabled",
        resource_type: "AwsElastiCacheCacheCluster",
        fix: "Raises the automatic backup retention of the Redis OSS or Valkey cluster (of its replication group, for a member) to HUBFIX_ELASTICACHE_SNAPSHOT_RETENTION_DAYS (default 1, the control's minimum).",
        iam_actions: ACTIONS,
        impact: Impact::Safe,
        remediation: &Backups,
    },
    Rule {
        control_id: "ElastiCache.2",
        title: "ElastiCache clusters should have auto minor version upgrades enabled",
        resource_type: "AwsElastiCacheCacheCluster",
        fix: "Turns on automatic minor version upgrades of the cluster (of its replication group, for a member), applied in its maintenance window.",
        iam_actions: ACTIONS,
        impact: Impact::Safe,
        remediation: &SingleSetting(MinorUpgrades),
    },
];

/// What holds a cluster's backup and upgrade settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holder {
    /// The cluster itself.
    Cluster(String),
    /// The replication group the cluster belongs to.
    Group(String),
}

impl Holder {
    /// Where `cluster`'s settings are held.
    pub fn of(cluster: &CacheCluster) -> Holder {
        match cluster.replication_group_id().filter(|g| !g.is_empty()) {
            Some(group) => Holder::Group(group.to_owned()),
            None => Holder::Cluster(cluster.cache_cluster_id().unwrap_or_default().to_owned()),
        }
    }

    /// How a note names it.
    pub fn words(&self) -> String {
        match self {
            Holder::Cluster(id) => format!("cache cluster {id}"),
            Holder::Group(id) => format!("replication group {id}"),
        }
    }
}

/// A cluster's setting as its holder has it: backup retention days, minor upgrades on.
struct Held {
    holder: Holder,
    retention_days: i32,
    minor_upgrades: bool,
    tags: Vec<(String, String)>,
}

/// Reads the finding's cluster and, for a member, its group.
async fn read_held(fix: Fix<'_>) -> Result<(CacheCluster, Held), FixError> {
    let cluster = describe_cluster(fix, &fix.target.name).await?;
    let holder = Holder::of(&cluster);
    let tags = match cluster.arn() {
        Some(arn) => tags_of(fix, arn).await?,
        None => Vec::new(),
    };
    let held = match &holder {
        Holder::Cluster(_) => Held {
            retention_days: cluster.snapshot_retention_limit().unwrap_or(0),
            minor_upgrades: cluster.auto_minor_version_upgrade().unwrap_or(false),
            holder,
            tags,
        },
        Holder::Group(id) => {
            let group = describe_group(fix, id).await?;
            Held {
                retention_days: group.snapshot_retention_limit().unwrap_or(0),
                minor_upgrades: group.auto_minor_version_upgrade().unwrap_or(false),
                holder,
                tags,
            }
        }
    };
    Ok((cluster, held))
}

/// What holds the finding's cluster's settings: one `DescribeCacheClusters`, for the
/// writes, which need neither the tags nor the group's values.
async fn holder(fix: Fix<'_>) -> Result<Holder, FixError> {
    Ok(Holder::of(&describe_cluster(fix, &fix.target.name).await?))
}

/// What one modification of a holder sets.
enum Set {
    RetentionDays(i32),
    MinorUpgrades(bool),
}

async fn modify(fix: Fix<'_>, holder: &Holder, set: Set) -> Result<(), FixError> {
    let ec = &fix.clients.elasticache;
    match holder {
        Holder::Cluster(id) => {
            let request = ec
                .modify_cache_cluster()
                .cache_cluster_id(id)
                .apply_immediately(true);
            let request = match set {
                Set::RetentionDays(d) => request.snapshot_retention_limit(d),
                Set::MinorUpgrades(on) => request.auto_minor_version_upgrade(on),
            };
            request.send().await.map(drop).map_err(|e| {
                FixError::from_sdk(
                    "elasticache:ModifyCacheCluster",
                    &holder.words(),
                    CLUSTER_NOT_FOUND,
                    e,
                )
            })
        }
        Holder::Group(id) => {
            let request = ec
                .modify_replication_group()
                .replication_group_id(id)
                .apply_immediately(true);
            let request = match set {
                Set::RetentionDays(d) => request.snapshot_retention_limit(d),
                Set::MinorUpgrades(on) => request.auto_minor_version_upgrade(on),
            };
            request.send().await.map(drop).map_err(|e| {
                FixError::from_sdk(
                    "elasticache:ModifyReplicationGroup",
                    &holder.words(),
                    GROUP_NOT_FOUND,
                    e,
                )
            })
        }
    }
}

/// `ElastiCache.1`: automatic backups kept at least the configured days.
#[derive(Debug)]
pub struct Backups;

/// The before-state of `ElastiCache.1`: where the retention is held, and its days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupsBefore {
    /// The cluster, or its replication group.
    pub holder: Holder,
    /// Days automatic backups were kept (0: off).
    pub retention_days: i32,
}

/// The plan for `ElastiCache.1`: raise the retention to `days` when it is shorter. A
/// Memcached cluster keeps no backups, so the control is not about it.
pub fn backups_plan(
    cluster: &CacheCluster,
    holder: Holder,
    current: i32,
    days: i32,
) -> Result<Plan, FixError> {
    let engine = cluster.engine().unwrap_or_default();
    if !matches!(engine, "redis" | "valkey") {
        return Err(FixError::Manual(format!(
            "cache cluster {} runs {engine}, which keeps no backups: ElastiCache.1 is about Redis OSS and Valkey; archive the finding.",
            cluster.cache_cluster_id().unwrap_or_default()
        )));
    }
    let changes = if current >= days {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "set the automatic backup retention of {} to {days} days (was {current})",
                holder.words()
            ),
            &days,
        )]
    };
    Ok(Plan {
        before: BeforeState::new(
            holder.words(),
            &BackupsBefore {
                holder,
                retention_days: current,
            },
        ),
        changes,
    })
}

impl Remediation for Backups {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (cluster, held) = read_held(fix).await?;
            let days = fix.settings.elasticache_snapshot_retention_days;
            Ok(Inspection {
                plan: backups_plan(&cluster, held.holder, held.retention_days, days)?,
                tags: Some(held.tags),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let days: i32 = change.detail()?;
            modify(fix, &holder(fix).await?, Set::RetentionDays(days)).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: BackupsBefore = before.recorded()?;
            let days = recorded.retention_days;
            modify(fix, &recorded.holder, Set::RetentionDays(days)).await?;
            Ok(vec![format!(
                "set the automatic backup retention of {} back to {days} days",
                recorded.holder.words()
            )])
        })
    }
}

/// `ElastiCache.2`: automatic minor version upgrades on the cluster or its group.
#[derive(Debug)]
pub struct MinorUpgrades;

impl Setting for MinorUpgrades {
    fn name(&self) -> &'static str {
        "AutoMinorVersionUpgrade"
    }

    fn read<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let (_, held) = read_held(fix).await?;
            Ok(SettingState {
                change: format!(
                    "turned on automatic minor version upgrades of {}",
                    held.holder.words()
                ),
                resource: held.holder.words(),
                enabled: held.minor_upgrades,
                tags: Some(held.tags),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(async move { modify(fix, &holder(fix).await?, Set::MinorUpgrades(enabled)).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(engine: &str, group: Option<&str>) -> CacheCluster {
        CacheCluster::builder()
            .cache_cluster_id("sessions-001")
            .engine(engine)
            .set_replication_group_id(group.map(str::to_owned))
            .build()
    }

    #[test]
    fn a_member_s_settings_are_its_group_s() {
        assert_eq!(
            Holder::of(&cluster("redis", Some("sessions"))),
            Holder::Group("sessions".into())
        );
        assert_eq!(
            Holder::of(&cluster("redis", None)),
            Holder::Cluster("sessions-001".into())
        );
    }

    #[test]
    fn backups_are_raised_to_the_setting_and_memcached_is_not_the_control_s() {
        let c = cluster("redis", None);
        let plan = backups_plan(&c, Holder::of(&c), 0, 1).unwrap();
        assert_eq!(plan.changes.len(), 1);
        assert!(plan.changes[0]
            .description
            .contains("cache cluster sessions-001 to 1 days (was 0)"));
        assert!(backups_plan(&c, Holder::of(&c), 7, 1)
            .unwrap()
            .changes
            .is_empty());
        let m = cluster("memcached", None);
        assert!(matches!(
            backups_plan(&m, Holder::of(&m), 0, 1),
            Err(FixError::Manual(note)) if note.contains("keeps no backups")
        ));
    }
}
