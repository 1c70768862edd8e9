//! RDS.7, RDS.16.

use super::*;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "RDS.7",
        title: "RDS clusters should have deletion protection enabled",
        resource_type: "AwsRdsDbCluster",
        fix: "Turns on deletion protection of the DB cluster.",
        iam_actions: &["rds:DescribeDBClusters", "rds:ModifyDBCluster"],
        impact: Impact::Safe,
        remediation: &SingleSetting(ClusterFlag(ClusterSetting::DeletionProtection)),
    },
    Rule {
        control_id: "RDS.16",
        title: "RDS DB clusters should be configured to copy tags to snapshots",
        resource_type: "AwsRdsDbCluster",
        fix: "Turns on copying the DB cluster's tags to its snapshots.",
        iam_actions: &["rds:DescribeDBClusters", "rds:ModifyDBCluster"],
        impact: Impact::Safe,
        remediation: &SingleSetting(ClusterFlag(ClusterSetting::CopyTagsToSnapshot)),
    },
];

/// A DB cluster setting that one rule turns on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSetting {
    /// `DeletionProtection` (`RDS.7`).
    DeletionProtection,
    /// `CopyTagsToSnapshot` (`RDS.16`).
    CopyTagsToSnapshot,
}

impl ClusterSetting {
    /// The API's name of the setting.
    pub fn name(self) -> &'static str {
        match self {
            ClusterSetting::DeletionProtection => "DeletionProtection",
            ClusterSetting::CopyTagsToSnapshot => "CopyTagsToSnapshot",
        }
    }

    fn read(self, cluster: &DbCluster) -> bool {
        match self {
            ClusterSetting::DeletionProtection => cluster.deletion_protection(),
            ClusterSetting::CopyTagsToSnapshot => cluster.copy_tags_to_snapshot(),
        }
        .unwrap_or(false)
    }
}

/// `RDS.7`, `RDS.16`: one setting of a DB cluster, turned on.
#[derive(Debug)]
pub struct ClusterFlag(pub ClusterSetting);

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

async fn set_cluster_flag(
    fix: Fix<'_>,
    setting: ClusterSetting,
    value: bool,
) -> Result<(), FixError> {
    let id = &fix.target.name;
    let request = fix
        .clients
        .rds
        .modify_db_cluster()
        .db_cluster_identifier(id);
    let request = match setting {
        ClusterSetting::DeletionProtection => request.deletion_protection(value),
        ClusterSetting::CopyTagsToSnapshot => request.copy_tags_to_snapshot(value),
    };
    request.send().await.map(|_| ()).map_err(|e| {
        FixError::from_sdk(
            "rds:ModifyDBCluster",
            &format!("DB cluster {id}"),
            CLUSTER_NOT_FOUND,
            e,
        )
    })
}

impl Setting for ClusterFlag {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn read<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let id = &fix.target.name;
            let cluster = describe_cluster(&fix.clients.rds, id).await?;
            Ok(SettingState {
                tags: Some(rds_tags(cluster.tag_list())),
                resource: format!("DB cluster {id}"),
                enabled: self.0.read(&cluster),
                change: format!("turned {} on on DB cluster {id}", self.0.name()),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(set_cluster_flag(fix, self.0, enabled))
    }
}
