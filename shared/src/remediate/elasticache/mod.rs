//! ElastiCache: automatic backups (`ElastiCache.1`) and automatic minor version
//! upgrades (`ElastiCache.2`) of cache clusters, automatic failover of replication
//! groups (`ElastiCache.3`).
//!
//! A cluster that belongs to a replication group takes its backup and upgrade settings
//! from the group, so the cluster rules change the group's.

use aws_sdk_elasticache::types::{CacheCluster, ReplicationGroup};

use crate::error::FixError;
use crate::remediate::Fix;

pub mod automatic_failover;
pub mod cluster_settings;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[automatic_failover::RULES, cluster_settings::RULES];

const CLUSTER_NOT_FOUND: &[&str] = &["CacheClusterNotFound", "CacheClusterNotFoundFault"];
const GROUP_NOT_FOUND: &[&str] = &["ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"];

/// The cache cluster `id`.
pub(crate) async fn describe_cluster(fix: Fix<'_>, id: &str) -> Result<CacheCluster, FixError> {
    let resource = format!("cache cluster {id}");
    let out = fix
        .clients
        .elasticache
        .describe_cache_clusters()
        .cache_cluster_id(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "elasticache:DescribeCacheClusters",
                &resource,
                CLUSTER_NOT_FOUND,
                e,
            )
        })?;
    out.cache_clusters()
        .first()
        .cloned()
        .ok_or(FixError::NotFound {
            resource,
            code: "CacheClusterNotFound".into(),
        })
}

/// The replication group `id`.
pub(crate) async fn describe_group(fix: Fix<'_>, id: &str) -> Result<ReplicationGroup, FixError> {
    let resource = format!("replication group {id}");
    let out = fix
        .clients
        .elasticache
        .describe_replication_groups()
        .replication_group_id(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "elasticache:DescribeReplicationGroups",
                &resource,
                GROUP_NOT_FOUND,
                e,
            )
        })?;
    out.replication_groups()
        .first()
        .cloned()
        .ok_or(FixError::NotFound {
            resource,
            code: "ReplicationGroupNotFoundFault".into(),
        })
}

/// The tags of the cluster or group with ARN `arn`.
pub(crate) async fn tags_of(fix: Fix<'_>, arn: &str) -> Result<Vec<(String, String)>, FixError> {
    let out = fix
        .clients
        .elasticache
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "elasticache:ListTagsForResource",
                arn,
                &[CLUSTER_NOT_FOUND, GROUP_NOT_FOUND].concat(),
                e,
            )
        })?;
    Ok(out
        .tag_list()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}
