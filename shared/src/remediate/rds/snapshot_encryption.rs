//! RDS.4: DB snapshots and DB cluster snapshots encrypted at rest.
//!
//! A snapshot cannot be encrypted in place. The fix copies an unencrypted manual
//! snapshot to `<id>-encrypted`, encrypted with the configured KMS key (the AWS managed
//! `aws/rds` unless `HUBFIX_RDS_SNAPSHOT_KMS_KEY` is set) and with the original's tags,
//! and verifies that the copy is encrypted. The original is kept: deleting a backup is
//! a person's decision, so the finding stays `NOTIFIED` with that step until they do.

use aws_sdk_rds::types::Tag;

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "RDS.4",
    title: "RDS cluster snapshots and database snapshots should be encrypted at rest",
    resource_type: "AwsRdsDbSnapshot",
    fix: "Copies the unencrypted manual DB snapshot or DB cluster snapshot to `<id>-encrypted`, encrypted with HUBFIX_RDS_SNAPSHOT_KMS_KEY (default the AWS managed `aws/rds`) and with its tags, and verifies the copy. The original is kept until a person deletes it; the finding stays NOTIFIED until then. Undo deletes the copy.",
    iam_actions: &[
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBClusterSnapshots",
        "rds:CopyDBSnapshot",
        "rds:CopyDBClusterSnapshot",
        "rds:AddTagsToResource",
        "rds:DeleteDBSnapshot",
        "rds:DeleteDBClusterSnapshot",
        "kms:DescribeKey",
        "kms:CreateGrant",
    ],
    impact: Impact::Disruptive,
    remediation: &EncryptedSnapshotCopy,
}];

/// `RDS.4`: an encrypted copy of an unencrypted manual snapshot.
#[derive(Debug)]
pub struct EncryptedSnapshotCopy;

/// Tag on the copy hubfix makes, naming the original; undo deletes only a copy with it.
pub const COPY_TAG: &str = "hubfix:encrypted-copy-of";

/// The KMS key copies are encrypted with when none is configured.
pub const DEFAULT_SNAPSHOT_KEY: &str = "alias/aws/rds";

const COPY_SUFFIX: &str = "-encrypted";
/// RDS keeps at most 50 tags on a resource.
const MAX_TAGS: usize = 50;
/// Snapshot states that no longer hold a usable copy.
const UNUSABLE: &[&str] = &["failed", "deleting", "incompatible-parameters"];

/// The state `RDS.4` reads: the snapshot's encryption and its encrypted copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotEncryption {
    /// The snapshot's identifier.
    pub snapshot: String,
    /// It is a DB cluster snapshot.
    pub cluster: bool,
    /// It is encrypted.
    pub encrypted: bool,
    /// Its encrypted copy, when one exists.
    pub encrypted_copy: Option<String>,
}

/// The copy `RDS.4` makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedCopy {
    /// The copy's identifier.
    pub copy: String,
    /// The KMS key it is encrypted with.
    pub kms_key: String,
    /// Its tags: the original's, and [`COPY_TAG`].
    pub tags: Vec<(String, String)>,
}

/// The identifier of a snapshot's encrypted copy: `<id>-encrypted`, within RDS's 255
/// characters.
pub fn encrypted_copy_id(id: &str) -> String {
    let keep = 255 - COPY_SUFFIX.len();
    let base: String = id.chars().take(keep).collect();
    format!("{}{COPY_SUFFIX}", base.trim_end_matches('-'))
}

/// The plan for `RDS.4`: `original` is the snapshot as read, `copy` its encrypted
/// copy's, when one exists.
pub fn snapshot_encryption_plan(
    snapshot: &SnapshotId,
    original: &SnapshotFacts,
    copy: Option<&SnapshotFacts>,
    kms_key: &str,
) -> Result<Plan, FixError> {
    let copy_id = encrypted_copy_id(snapshot.id());
    let usable = copy.filter(|c| !UNUSABLE.contains(&c.status.as_str()));
    if let Some(c) = usable.filter(|c| !c.encrypted) {
        return Err(FixError::Manual(format!(
            "a snapshot named {copy_id} already exists and is not encrypted ({}), so hubfix will not make its copy under that name: copy {} with a KMS key under another name (aws rds copy-db{}-snapshot ... --kms-key-id <key>), restore from the copy from now on, then delete the original",
            c.status,
            snapshot.described(),
            if matches!(snapshot, SnapshotId::Cluster(_)) { "-cluster" } else { "" }
        )));
    }
    let state = SnapshotEncryption {
        snapshot: snapshot.id().to_owned(),
        cluster: matches!(snapshot, SnapshotId::Cluster(_)),
        encrypted: original.encrypted,
        encrypted_copy: usable.map(|_| copy_id.clone()),
    };
    let before = BeforeState::new(snapshot.described(), &state);
    if original.encrypted || usable.is_some() {
        return Ok(Plan {
            before,
            changes: Vec::new(),
        });
    }
    let mut tags: Vec<(String, String)> = original
        .tags
        .iter()
        .filter(|(k, _)| !k.starts_with("aws:") && k != COPY_TAG)
        .take(MAX_TAGS - 1)
        .cloned()
        .collect();
    tags.push((COPY_TAG.to_owned(), snapshot.id().to_owned()));
    let change = Change::new(
        format!(
            "copied {} to {copy_id} (KMS key {kms_key}, its tags)",
            snapshot.described()
        ),
        &EncryptedCopy {
            copy: copy_id,
            kms_key: kms_key.to_owned(),
            tags,
        },
    );
    Ok(Plan {
        before,
        changes: vec![change],
    })
}

/// What is left once the encrypted copy exists: the original's deletion.
pub fn left_after_copy(state: &SnapshotEncryption) -> Option<String> {
    if state.encrypted {
        return None;
    }
    let copy = state.encrypted_copy.as_deref()?;
    let (kind, flag) = if state.cluster {
        ("cluster-snapshot", "db-cluster-snapshot-identifier")
    } else {
        ("snapshot", "db-snapshot-identifier")
    };
    Some(format!(
        "restore from the encrypted copy {copy}, then delete the unencrypted original (aws rds delete-db-{kind} --{flag} {}); hubfix never deletes a snapshot.",
        state.snapshot
    ))
}

fn rds_tag_list(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

async fn copy_snapshot(fix: Fix<'_>, copy: &EncryptedCopy) -> Result<(), FixError> {
    let rds = &fix.clients.rds;
    let s = SnapshotId::of(&fix.target.name);
    let tags = Some(rds_tag_list(&copy.tags));
    match &s {
        SnapshotId::Instance(id) => rds
            .copy_db_snapshot()
            .source_db_snapshot_identifier(id)
            .target_db_snapshot_identifier(&copy.copy)
            .kms_key_id(&copy.kms_key)
            .set_tags(tags)
            .send()
            .await
            .map(drop)
            .map_err(|e| {
                FixError::from_sdk("rds:CopyDBSnapshot", &s.described(), SNAPSHOT_NOT_FOUND, e)
            }),
        SnapshotId::Cluster(id) => rds
            .copy_db_cluster_snapshot()
            .source_db_cluster_snapshot_identifier(id)
            .target_db_cluster_snapshot_identifier(&copy.copy)
            .kms_key_id(&copy.kms_key)
            .set_tags(tags)
            .send()
            .await
            .map(drop)
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:CopyDBClusterSnapshot",
                    &s.described(),
                    CLUSTER_SNAPSHOT_NOT_FOUND,
                    e,
                )
            }),
    }
}

async fn delete_snapshot(rds: &aws_sdk_rds::Client, s: &SnapshotId) -> Result<(), FixError> {
    match s {
        SnapshotId::Instance(id) => rds
            .delete_db_snapshot()
            .db_snapshot_identifier(id)
            .send()
            .await
            .map(drop)
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:DeleteDBSnapshot",
                    &s.described(),
                    SNAPSHOT_NOT_FOUND,
                    e,
                )
            }),
        SnapshotId::Cluster(id) => rds
            .delete_db_cluster_snapshot()
            .db_cluster_snapshot_identifier(id)
            .send()
            .await
            .map(drop)
            .map_err(|e| {
                FixError::from_sdk(
                    "rds:DeleteDBClusterSnapshot",
                    &s.described(),
                    CLUSTER_SNAPSHOT_NOT_FOUND,
                    e,
                )
            }),
    }
}

/// A snapshot's facts, `None` when it does not exist.
async fn facts_if_any(
    rds: &aws_sdk_rds::Client,
    s: &SnapshotId,
) -> Result<Option<SnapshotFacts>, FixError> {
    match snapshot_facts(rds, s).await {
        Ok(found) => Ok(found),
        Err(FixError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Remediation for EncryptedSnapshotCopy {
    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        Some(snapshot_name(resource_id, account, false))
    }

    fn other_resource_types(&self) -> &'static [&'static str] {
        &["AwsRdsDbClusterSnapshot"]
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let rds = &fix.clients.rds;
            let s = SnapshotId::of(&fix.target.name);
            let original = snapshot_facts(rds, &s)
                .await?
                .ok_or_else(|| FixError::NotFound {
                    resource: s.described(),
                    code: "DBSnapshotNotFound".into(),
                })?;
            let copy = if original.encrypted {
                None
            } else {
                facts_if_any(rds, &s.sibling(encrypted_copy_id(s.id()))).await?
            };
            let key = fix
                .settings
                .rds_snapshot_kms_key
                .as_deref()
                .unwrap_or(DEFAULT_SNAPSHOT_KEY);
            let plan = snapshot_encryption_plan(&s, &original, copy.as_ref(), key)?;
            Ok(Inspection {
                tags: with_tags.then_some(original.tags),
                plan,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let copy: EncryptedCopy = change.detail()?;
            copy_snapshot(fix, &copy).await
        })
    }

    /// Deletes the copy hubfix made, if it still carries [`COPY_TAG`] naming the
    /// original; the original was never changed.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let state: SnapshotEncryption = before.recorded()?;
            let Some(change) = changes.first() else {
                return Ok(Vec::new());
            };
            let made: EncryptedCopy = change.detail()?;
            let copy = SnapshotId::of(&fix.target.name).sibling(made.copy.clone());
            let rds = &fix.clients.rds;
            let Some(found) = facts_if_any(rds, &copy).await? else {
                return Ok(vec![format!(
                    "the encrypted copy {} is already gone; {} was never changed",
                    made.copy, before.resource
                )]);
            };
            let ours = found
                .tags
                .iter()
                .any(|(k, v)| k == COPY_TAG && *v == state.snapshot);
            if !ours {
                return Err(FixError::Irreversible(format!(
                    "{} no longer carries hubfix's tag {COPY_TAG}={}, so hubfix leaves it: delete it by hand if it is the copy hubfix made",
                    copy.described(),
                    state.snapshot
                )));
            }
            delete_snapshot(rds, &copy).await?;
            Ok(vec![format!(
                "deleted the encrypted copy {} hubfix made; {} was never changed",
                made.copy, before.resource
            )])
        })
    }

    fn left_for_a_person(&self, read: &BeforeState) -> Option<String> {
        read.recorded::<SnapshotEncryption>()
            .ok()
            .and_then(|state| left_after_copy(&state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(encrypted: bool, status: &str) -> SnapshotFacts {
        SnapshotFacts {
            encrypted,
            status: status.into(),
            tags: vec![
                ("team".into(), "payments".into()),
                ("aws:backup:source-resource".into(), "x".into()),
            ],
        }
    }

    #[test]
    fn an_unencrypted_snapshot_is_copied_encrypted_with_its_tags() {
        let s = SnapshotId::Instance("orders-before-upgrade".into());
        let plan = snapshot_encryption_plan(&s, &facts(false, "available"), None, "alias/aws/rds")
            .unwrap();
        let copy: EncryptedCopy = plan.changes[0].detail().unwrap();
        assert_eq!(copy.copy, "orders-before-upgrade-encrypted");
        assert_eq!(copy.kms_key, "alias/aws/rds");
        assert_eq!(
            copy.tags,
            [
                ("team".to_owned(), "payments".to_owned()),
                (COPY_TAG.to_owned(), "orders-before-upgrade".to_owned())
            ]
        );
        assert!(plan
            .describe()
            .contains("(KMS key alias/aws/rds, its tags)"));
        let state: SnapshotEncryption = plan.before.recorded().unwrap();
        assert_eq!(left_after_copy(&state), None, "no copy yet");
    }

    #[test]
    fn with_its_encrypted_copy_the_original_is_left_for_a_person() {
        let s = SnapshotId::Cluster("docs-nightly".into());
        let plan = snapshot_encryption_plan(
            &s,
            &facts(false, "available"),
            Some(&facts(true, "creating")),
            "k",
        )
        .unwrap();
        assert!(plan.is_compliant());
        let state: SnapshotEncryption = plan.before.recorded().unwrap();
        let left = left_after_copy(&state).unwrap();
        assert!(
            left.contains("encrypted copy docs-nightly-encrypted"),
            "{left}"
        );
        assert!(
            left.contains(
                "delete-db-cluster-snapshot --db-cluster-snapshot-identifier docs-nightly"
            ),
            "{left}"
        );
        let failed = snapshot_encryption_plan(
            &s,
            &facts(false, "available"),
            Some(&facts(true, "failed")),
            "k",
        )
        .unwrap();
        assert!(!failed.is_compliant(), "a failed copy is made again");
    }

    #[test]
    fn encrypted_snapshots_are_compliant_and_a_foreign_unencrypted_copy_is_manual() {
        let s = SnapshotId::Instance("a".into());
        let plan = snapshot_encryption_plan(&s, &facts(true, "available"), None, "k").unwrap();
        assert!(plan.is_compliant());
        assert_eq!(left_after_copy(&plan.before.recorded().unwrap()), None);
        let err = snapshot_encryption_plan(
            &s,
            &facts(false, "available"),
            Some(&facts(false, "available")),
            "k",
        )
        .unwrap_err();
        assert!(matches!(err, FixError::Manual(ref m) if m.contains("a-encrypted already exists")));
    }

    #[test]
    fn copy_ids_stay_within_rds_limits() {
        let long = format!("s{}", "-x".repeat(200));
        let id = encrypted_copy_id(&long);
        assert_eq!(id.len(), 255);
        assert!(id.ends_with("x-encrypted") && !id.contains("--"));
    }
}
