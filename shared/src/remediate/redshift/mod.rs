//! Redshift: provisioned clusters' public access (`Redshift.1`), automated snapshot
//! retention (`Redshift.3`), audit logging (`Redshift.4`), automatic major version
//! upgrades (`Redshift.6`) and enhanced VPC routing (`Redshift.7`).

use aws_sdk_redshift::operation::modify_cluster::builders::ModifyClusterFluentBuilder;
use aws_sdk_redshift::types::Cluster;

use crate::error::FixError;
use crate::remediate::Fix;

pub mod audit_logging;
pub mod cluster_settings;
pub mod snapshot_retention;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    audit_logging::RULES,
    cluster_settings::RULES,
    snapshot_retention::RULES,
];

/// The codes Redshift answers for a cluster that does not exist.
const CLUSTER_NOT_FOUND: &[&str] = &["ClusterNotFound", "ClusterNotFoundFault"];

/// The IAM actions of the rules that read a cluster and change it with `ModifyCluster`.
pub(crate) const MODIFY_CLUSTER_ACTIONS: &[&str] =
    &["redshift:DescribeClusters", "redshift:ModifyCluster"];

/// How a note names a cluster.
pub(crate) fn cluster_words(id: &str) -> String {
    format!("Redshift cluster {id}")
}

/// The cluster the finding names, as `DescribeClusters` reads it.
pub(crate) async fn describe_cluster(fix: Fix<'_>) -> Result<Cluster, FixError> {
    let id = &fix.target.name;
    let resource = cluster_words(id);
    let out = fix
        .clients
        .redshift
        .describe_clusters()
        .cluster_identifier(id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("redshift:DescribeClusters", &resource, CLUSTER_NOT_FOUND, e)
        })?;
    out.clusters().first().cloned().ok_or(FixError::NotFound {
        resource,
        code: "ClusterNotFound".into(),
    })
}

/// The cluster's tags, as exemption tags are read.
pub(crate) fn cluster_tags(cluster: &Cluster) -> Vec<(String, String)> {
    cluster
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// One `ModifyCluster` call on the finding's cluster, with the settings `set` adds.
pub(crate) async fn modify_cluster(
    fix: Fix<'_>,
    set: impl FnOnce(ModifyClusterFluentBuilder) -> ModifyClusterFluentBuilder,
) -> Result<(), FixError> {
    let id = &fix.target.name;
    let request = fix.clients.redshift.modify_cluster().cluster_identifier(id);
    set(request).send().await.map(|_| ()).map_err(|e| {
        FixError::from_sdk(
            "redshift:ModifyCluster",
            &cluster_words(id),
            CLUSTER_NOT_FOUND,
            e,
        )
    })
}
