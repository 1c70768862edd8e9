//! ElastiCache.3: a replication group fails over to a replica by itself.

use aws_sdk_elasticache::types::{AutomaticFailoverStatus, ReplicationGroup};

use super::{describe_group, tags_of, GROUP_NOT_FOUND};
use crate::error::FixError;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "ElastiCache.3",
    title: "ElastiCache replication groups should have automatic failover enabled",
    resource_type: "AwsElastiCacheReplicationGroup",
    fix: "Turns on automatic failover of the replication group (it needs a replica): when the primary fails, a replica is promoted and the primary endpoint moves to it.",
    iam_actions: &[
        "elasticache:DescribeReplicationGroups",
        "elasticache:ListTagsForResource",
        "elasticache:ModifyReplicationGroup",
    ],
    impact: Impact::Disruptive,
    remediation: &SingleSetting(AutomaticFailover),
}];

/// `ElastiCache.3`: `AutomaticFailoverEnabled` on the replication group.
#[derive(Debug)]
pub struct AutomaticFailover;

/// Whether failover is on or being turned on.
pub fn failover_on(group: &ReplicationGroup) -> bool {
    matches!(
        group.automatic_failover(),
        Some(AutomaticFailoverStatus::Enabled | AutomaticFailoverStatus::Enabling)
    )
}

/// A group without a replica has nothing to fail over to: ElastiCache refuses the
/// setting, so a person adds a replica first.
pub fn check_replicas(id: &str, group: &ReplicationGroup) -> Result<(), FixError> {
    if failover_on(group) || group.member_clusters().len() >= 2 {
        return Ok(());
    }
    Err(FixError::Manual(format!(
        "replication group {id} has no replica to fail over to: add one (aws elasticache increase-replica-count --replication-group-id {id} --new-replica-count 1 --apply-immediately), then turn on automatic failover."
    )))
}

impl Setting for AutomaticFailover {
    fn name(&self) -> &'static str {
        "AutomaticFailoverEnabled"
    }

    fn read<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let id = &fix.target.name;
            let group = describe_group(fix, id).await?;
            check_replicas(id, &group)?;
            let tags = match group.arn() {
                Some(arn) => tags_of(fix, arn).await?,
                None => Vec::new(),
            };
            Ok(SettingState {
                tags: Some(tags),
                resource: format!("replication group {id}"),
                enabled: failover_on(&group),
                change: format!("turned on automatic failover of replication group {id}"),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let id = &fix.target.name;
            fix.clients
                .elasticache
                .modify_replication_group()
                .replication_group_id(id)
                .automatic_failover_enabled(enabled)
                .apply_immediately(true)
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk(
                        "elasticache:ModifyReplicationGroup",
                        &format!("replication group {id}"),
                        GROUP_NOT_FOUND,
                        e,
                    )
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(status: AutomaticFailoverStatus, members: &[&str]) -> ReplicationGroup {
        ReplicationGroup::builder()
            .automatic_failover(status)
            .set_member_clusters(Some(members.iter().map(|m| (*m).to_owned()).collect()))
            .build()
    }

    #[test]
    fn failover_needs_a_replica_unless_already_on() {
        let lone = group(AutomaticFailoverStatus::Disabled, &["carts-001"]);
        assert!(matches!(
            check_replicas("carts", &lone),
            Err(FixError::Manual(m)) if m.contains("increase-replica-count --replication-group-id carts")
        ));
        let pair = group(
            AutomaticFailoverStatus::Disabled,
            &["carts-001", "carts-002"],
        );
        assert!(check_replicas("carts", &pair).is_ok() && !failover_on(&pair));
        let enabling = group(AutomaticFailoverStatus::Enabling, &["carts-001"]);
        assert!(check_replicas("carts", &enabling).is_ok() && failover_on(&enabling));
    }
}
