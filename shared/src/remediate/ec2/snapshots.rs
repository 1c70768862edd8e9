//! EC2.1.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "EC2.1",
        title: "Amazon EBS snapshots should not be publicly restorable",
        resource_type: "AwsAccount",
        fix: "Removes the public (`all`) create-volume permission from every snapshot the account owns in the region.",
        iam_actions: &["ec2:DescribeSnapshots", "ec2:ModifySnapshotAttribute"],
        impact: Impact::Safe,
        remediation: &PrivateSnapshots,
    },
];

/// `EC2.1`: the account's EBS snapshots are not publicly restorable.
#[derive(Debug)]
pub struct PrivateSnapshots;

/// The before-state: the snapshots that were public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotsBefore {
    /// Public snapshot ids, sorted.
    pub public: Vec<String>,
}

/// Adds or removes the public (`all`) create-volume permission of a snapshot.
async fn set_public(
    ec2: &aws_sdk_ec2::Client,
    snapshot: &str,
    operation: OperationType,
) -> Result<(), FixError> {
    ec2.modify_snapshot_attribute()
        .snapshot_id(snapshot)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(operation)
        .group_names("all")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "ec2:ModifySnapshotAttribute",
                &format!("snapshot {snapshot}"),
                &["InvalidSnapshot.NotFound"],
                e,
            )
        })
}

async fn public_snapshots(ec2: &aws_sdk_ec2::Client) -> Result<Vec<String>, FixError> {
    let mut public = Vec::new();
    let mut pages = ec2
        .describe_snapshots()
        .owner_ids("self")
        .restorable_by_user_ids("all")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| FixError::from_sdk("ec2:DescribeSnapshots", "snapshots", &[], e))?;
        public.extend(
            page.snapshots()
                .iter()
                .filter_map(|s| s.snapshot_id().map(str::to_owned)),
        );
    }
    public.sort();
    Ok(public)
}

impl Remediation for PrivateSnapshots {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let public = public_snapshots(&fix.clients.ec2).await?;
            let changes = public
                .iter()
                .map(|id| Change::new(format!("made snapshot {id} private"), id))
                .collect();
            Ok(Inspection {
                tags: None,
                plan: plan(
                    format!("account {}", fix.target.name),
                    &SnapshotsBefore { public },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let snapshot: String = change.detail()?;
            set_public(&fix.clients.ec2, &snapshot, OperationType::Remove).await
        })
    }

    /// Makes the snapshots hubfix made private public again (`all` may create volumes).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut steps = Vec::new();
            for change in changes {
                let snapshot: String = change.detail()?;
                set_public(&fix.clients.ec2, &snapshot, OperationType::Add).await?;
                steps.push(format!("made snapshot {snapshot} public again"));
            }
            Ok(steps)
        })
    }
}
