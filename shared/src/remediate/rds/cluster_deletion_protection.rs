//! RDS.7.

use super::*;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "RDS.7",
    title: "RDS clusters should have deletion protection enabled",
    resource_type: "AwsRdsDbCluster",
    fix: "Turns on deletion protection of the DB cluster.",
    iam_actions: &["rds:DescribeDBClusters", "rds:ModifyDBCluster"],
    impact: Impact::Safe,
    remediation: &SingleSetting(ClusterDeletionProtection),
}];

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

impl Setting for ClusterDeletionProtection {
    fn name(&self) -> &'static str {
        "DeletionProtection"
    }

    fn read<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let id = &fix.target.name;
            let cluster = describe_cluster(&fix.clients.rds, id).await?;
            Ok(SettingState {
                tags: Some(rds_tags(cluster.tag_list())),
                resource: format!("DB cluster {id}"),
                enabled: cluster.deletion_protection().unwrap_or(false),
                change: format!("turned DeletionProtection on on DB cluster {id}"),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(set_cluster_protection(fix, enabled))
    }
}
