//! RDS.1, DocumentDB.3, Neptune.3: manual snapshots restorable by everyone.
//!
//! A manual DB snapshot and a manual DB cluster snapshot (RDS, Aurora, DocumentDB and
//! Neptune clusters; their APIs are RDS's) are shared through their `restore`
//! attribute: account ids, or `all` for every AWS account. The fix removes `all` only,
//! so the accounts it is shared with keep their access. `RDS.1` covers both kinds, the
//! document database controls their cluster snapshots; the finding's ARN says which.

use super::*;
use crate::remediate::names::{rds_cluster_snapshot, rds_snapshot};
use crate::remediate::{Impact, Rule};

const CLUSTER_SNAPSHOT_ACTIONS: [&str; 3] = [
    "rds:DescribeDBClusterSnapshots",
    "rds:DescribeDBClusterSnapshotAttributes",
    "rds:ModifyDBClusterSnapshotAttribute",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "RDS.1",
        title: "RDS snapshot should be private",
        resource_type: "AwsRdsDbSnapshot",
        fix: "Removes the public (`all`) restore permission from the manual DB snapshot or DB cluster snapshot; the accounts it is shared with keep theirs.",
        iam_actions: &[
            "rds:DescribeDBSnapshots",
            "rds:DescribeDBSnapshotAttributes",
            "rds:ModifyDBSnapshotAttribute",
            CLUSTER_SNAPSHOT_ACTIONS[0],
            CLUSTER_SNAPSHOT_ACTIONS[1],
            CLUSTER_SNAPSHOT_ACTIONS[2],
        ],
        impact: Impact::Safe,
        remediation: &PrivateSnapshot {
            cluster_only: false,
        },
    },
    Rule {
        control_id: "DocumentDB.3",
        title: "Amazon DocumentDB manual cluster snapshots should not be public",
        resource_type: "AwsRdsDbClusterSnapshot",
        fix: "Removes the public (`all`) restore permission from the manual cluster snapshot; the accounts it is shared with keep theirs.",
        iam_actions: &CLUSTER_SNAPSHOT_ACTIONS,
        impact: Impact::Safe,
        remediation: &PrivateSnapshot { cluster_only: true },
    },
    Rule {
        control_id: "Neptune.3",
        title: "Neptune DB cluster snapshots should not be public",
        resource_type: "AwsRdsDbClusterSnapshot",
        fix: "Removes the public (`all`) restore permission from the manual cluster snapshot; the accounts it is shared with keep theirs.",
        iam_actions: &CLUSTER_SNAPSHOT_ACTIONS,
        impact: Impact::Safe,
        remediation: &PrivateSnapshot { cluster_only: true },
    },
];

/// A manual snapshot restorable by everyone (`all`) is made private; the accounts it is
/// shared with keep their access.
#[derive(Debug)]
pub struct PrivateSnapshot {
    /// Acts on DB cluster snapshots only (`DocumentDB.3`, `Neptune.3`); `RDS.1` takes
    /// DB snapshots and cluster snapshots.
    pub cluster_only: bool,
}

/// The kind of a manual snapshot, and its identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotId {
    /// A DB (instance) snapshot.
    Instance(String),
    /// A DB cluster snapshot.
    Cluster(String),
}

/// How hubfix names a cluster snapshot's target (`cluster-snapshot:<id>`; RDS
/// identifiers never hold a colon, so a DB snapshot's bare id cannot read so).
const CLUSTER_PREFIX: &str = "cluster-snapshot:";

impl SnapshotId {
    /// Reads a target name back, as [`PrivateSnapshot`] wrote it.
    pub fn of(name: &str) -> SnapshotId {
        match name.strip_prefix(CLUSTER_PREFIX) {
            Some(id) => SnapshotId::Cluster(id.to_owned()),
            None => SnapshotId::Instance(name.to_owned()),
        }
    }

    /// The identifier the API takes.
    pub fn id(&self) -> &str {
        match self {
            SnapshotId::Instance(id) | SnapshotId::Cluster(id) => id,
        }
    }

    /// A snapshot of the same kind named `id` (a copy of this one).
    pub fn sibling(&self, id: String) -> SnapshotId {
        match self {
            SnapshotId::Instance(_) => SnapshotId::Instance(id),
            SnapshotId::Cluster(_) => SnapshotId::Cluster(id),
        }
    }

    /// How notes name it: `DB snapshot x`, `DB cluster snapshot x`.
    pub fn described(&self) -> String {
        match self {
            SnapshotId::Instance(id) => format!("DB snapshot {id}"),
            SnapshotId::Cluster(id) => format!("DB cluster snapshot {id}"),
        }
    }
}

/// The before-state: who could restore the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharesBefore {
    /// The values of the `restore` attribute, sorted: account ids, or `all`.
    pub restore: Vec<String>,
}

/// The plan: remove `all` from the `restore` attribute.
pub fn snapshot_plan(snapshot: &SnapshotId, mut restore: Vec<String>) -> Plan {
    restore.sort();
    let described = snapshot.described();
    let changes = if restore.iter().any(|v| v == PUBLIC) {
        vec![Change::new(
            format!("made {described} private (no longer restorable by every AWS account)"),
            &PUBLIC,
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(described, &SharesBefore { restore }),
        changes,
    }
}

async fn snapshot_shares(
    rds: &aws_sdk_rds::Client,
    s: &SnapshotId,
) -> Result<Vec<String>, FixError> {
    let values = |attributes: &[aws_sdk_rds::types::DbSnapshotAttribute]| -> Vec<String> {
        attributes
            .iter()
            .filter(|a| a.attribute_name() == Some(RESTORE))
            .flat_map(|a| a.attribute_values().iter().cloned())
            .collect()
    };
    match s {
        SnapshotId::Instance(id) => rds
            .describe_db_snapshot_attributes()
            .db_snapshot_identifier(id)
            .send()
            .await
            .map(|out| {
                values(
                    out.db_snapshot_attributes_result()
                        .map(|r| r.db_snapshot_attributes())
                        .unwrap_or_default(),
                )
            })
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:DescribeDBSnapshotAttributes",
                    &s.described(),
                    SNAPSHOT_NOT_FOUND,
                    e,
                )
            }),
        SnapshotId::Cluster(id) => rds
            .describe_db_cluster_snapshot_attributes()
            .db_cluster_snapshot_identifier(id)
            .send()
            .await
            .map(|out| {
                out.db_cluster_snapshot_attributes_result()
                    .map(|r| r.db_cluster_snapshot_attributes())
                    .unwrap_or_default()
                    .iter()
                    .filter(|a| a.attribute_name() == Some(RESTORE))
                    .flat_map(|a| a.attribute_values().iter().cloned())
                    .collect()
            })
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:DescribeDBClusterSnapshotAttributes",
                    &s.described(),
                    CLUSTER_SNAPSHOT_NOT_FOUND,
                    e,
                )
            }),
    }
}

/// A manual snapshot as `DescribeDBSnapshots`/`DescribeDBClusterSnapshots` read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotFacts {
    /// Encrypted at rest (`Encrypted`, `StorageEncrypted`).
    pub encrypted: bool,
    /// Its status (`available`, `creating`, ...).
    pub status: String,
    /// Its tags.
    pub tags: Vec<(String, String)>,
}

/// Describes a DB snapshot or DB cluster snapshot; `None` when the API lists none.
pub(crate) async fn snapshot_facts(
    rds: &aws_sdk_rds::Client,
    s: &SnapshotId,
) -> Result<Option<SnapshotFacts>, FixError> {
    Ok(match s {
        SnapshotId::Instance(id) => rds
            .describe_db_snapshots()
            .db_snapshot_identifier(id)
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:DescribeDBSnapshots",
                    &s.described(),
                    SNAPSHOT_NOT_FOUND,
                    e,
                )
            })?
            .db_snapshots()
            .first()
            .map(|d| SnapshotFacts {
                encrypted: d.encrypted().unwrap_or(false),
                status: d.status().unwrap_or_default().to_owned(),
                tags: rds_tags(d.tag_list()),
            }),
        SnapshotId::Cluster(id) => rds
            .describe_db_cluster_snapshots()
            .db_cluster_snapshot_identifier(id)
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:DescribeDBClusterSnapshots",
                    &s.described(),
                    CLUSTER_SNAPSHOT_NOT_FOUND,
                    e,
                )
            })?
            .db_cluster_snapshots()
            .first()
            .map(|d| SnapshotFacts {
                encrypted: d.storage_encrypted().unwrap_or(false),
                status: d.status().unwrap_or_default().to_owned(),
                tags: rds_tags(d.tag_list()),
            }),
    })
}

async fn snapshot_tags(
    rds: &aws_sdk_rds::Client,
    s: &SnapshotId,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    Ok(Some(
        snapshot_facts(rds, s)
            .await?
            .map(|f| f.tags)
            .unwrap_or_default(),
    ))
}

/// Shares or unshares a snapshot with everyone.
async fn set_public(fix: Fix<'_>, public: bool) -> Result<(), FixError> {
    let rds = &fix.clients.rds;
    let s = SnapshotId::of(&fix.target.name);
    let (add, remove) = if public {
        (Some(vec![PUBLIC.to_owned()]), None)
    } else {
        (None, Some(vec![PUBLIC.to_owned()]))
    };
    match &s {
        SnapshotId::Instance(id) => rds
            .modify_db_snapshot_attribute()
            .db_snapshot_identifier(id)
            .attribute_name(RESTORE)
            .set_values_to_add(add)
            .set_values_to_remove(remove)
            .send()
            .await
            .map(drop)
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:ModifyDBSnapshotAttribute",
                    &s.described(),
                    SNAPSHOT_NOT_FOUND,
                    e,
                )
            }),
        SnapshotId::Cluster(id) => rds
            .modify_db_cluster_snapshot_attribute()
            .db_cluster_snapshot_identifier(id)
            .attribute_name(RESTORE)
            .set_values_to_add(add)
            .set_values_to_remove(remove)
            .send()
            .await
            .map(drop)
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:ModifyDBClusterSnapshotAttribute",
                    &s.described(),
                    CLUSTER_SNAPSHOT_NOT_FOUND,
                    e,
                )
            }),
    }
}

/// The target name of a snapshot's ARN: a DB snapshot's id, or `cluster-snapshot:<id>`.
pub fn snapshot_name(
    resource_id: &str,
    account: &str,
    cluster_only: bool,
) -> Result<String, FixError> {
    let is_cluster =
        crate::ids::Arn::parse(resource_id).is_some_and(|a| a.resource.starts_with(CLUSTER_PREFIX));
    if is_cluster || cluster_only {
        rds_cluster_snapshot(resource_id, account).map(|id| format!("{CLUSTER_PREFIX}{id}"))
    } else {
        rds_snapshot(resource_id, account)
    }
}

impl Remediation for PrivateSnapshot {
    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        Some(snapshot_name(resource_id, account, self.cluster_only))
    }

    fn other_resource_types(&self) -> &'static [&'static str] {
        if self.cluster_only {
            &[]
        } else {
            &["AwsRdsDbClusterSnapshot"]
        }
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s = SnapshotId::of(&fix.target.name);
            let tags = snapshot_tags(&fix.clients.rds, &s, with_tags).await?;
            let restore = snapshot_shares(&fix.clients.rds, &s).await?;
            Ok(Inspection {
                tags,
                plan: snapshot_plan(&s, restore),
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

    const ACCOUNT: &str = "123456789012";

    #[test]
    fn the_arn_says_which_kind_of_snapshot() {
        let db = snapshot_name(
            "arn:aws:rds:us-east-1:123456789012:snapshot:before-upgrade",
            ACCOUNT,
            false,
        )
        .unwrap();
        assert_eq!(
            SnapshotId::of(&db),
            SnapshotId::Instance("before-upgrade".into())
        );
        let cluster = snapshot_name(
            "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:docs-nightly",
            ACCOUNT,
            false,
        )
        .unwrap();
        assert_eq!(
            SnapshotId::of(&cluster),
            SnapshotId::Cluster("docs-nightly".into())
        );
        assert!(
            snapshot_name(
                "arn:aws:rds:us-east-1:123456789012:snapshot:before-upgrade",
                ACCOUNT,
                true
            )
            .is_err(),
            "DocumentDB.3 and Neptune.3 act on cluster snapshots only"
        );
        assert!(snapshot_name(
            "arn:aws:rds:us-east-1:999999999999:cluster-snapshot:docs",
            ACCOUNT,
            false
        )
        .is_err());
        assert!(snapshot_name(
            "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:auto",
            ACCOUNT,
            false
        )
        .is_err());
    }

    #[test]
    fn only_the_public_share_goes() {
        let s = SnapshotId::Cluster("docs".into());
        let plan = snapshot_plan(&s, vec!["all".into(), "111122223333".into()]);
        assert!(plan
            .describe()
            .contains("made DB cluster snapshot docs private"));
        assert!(snapshot_plan(&s, vec!["111122223333".into()]).is_compliant());
    }
}
