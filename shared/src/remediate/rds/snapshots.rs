//! RDS.1.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "RDS.1",
        title: "RDS snapshot should be private",
        resource_type: "AwsRdsDbSnapshot",
        fix: "Removes the public (`all`) restore permission from the manual DB snapshot; the accounts it is shared with keep theirs.",
        iam_actions: &[
            "rds:DescribeDBSnapshots",
            "rds:DescribeDBSnapshotAttributes",
            "rds:ModifyDBSnapshotAttribute",
        ],
        impact: Impact::Safe,
        remediation: &PrivateDbSnapshot,
    },
];

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
