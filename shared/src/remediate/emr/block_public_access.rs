//! EMR.2: Amazon EMR block public access is on in the account's Region.
//!
//! With it on, EMR refuses to launch a cluster whose security groups admit traffic from
//! anywhere (0.0.0.0/0 or ::/0) on a port outside the permitted ranges. The control
//! (AWS Config's `emr-block-public-access`) also fails when a port other than 22 is
//! permitted, so the fix turns the setting on and permits port 22 only. Clusters
//! already running are not affected. Undo puts the former configuration back.

use aws_sdk_emr::types::{BlockPublicAccessConfiguration, PortRange};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "EMR.2",
    title: "Amazon EMR block public access setting should be enabled",
    resource_type: "AwsAccount",
    fix: "Turns on EMR block public access in the finding's Region, permitting port 22 only: EMR then refuses to launch clusters whose security groups are open to the world on other ports (running clusters are not affected). Undo puts the former configuration back.",
    iam_actions: &[
        "elasticmapreduce:GetBlockPublicAccessConfiguration",
        "elasticmapreduce:PutBlockPublicAccessConfiguration",
    ],
    impact: Impact::Safe,
    remediation: &BlockPublicAccess,
}];

/// The one port the control allows to stay open to the world (SSH).
const SSH: i32 = 22;

/// `EMR.2`: block public access on, port 22 only.
#[derive(Debug)]
pub struct BlockPublicAccess;

/// The configuration as read, and the before-state: blocking on, and the permitted
/// port ranges (`from-to`, or one port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockPublicAccessState {
    /// `BlockPublicSecurityGroupRules`.
    pub blocking: bool,
    /// `PermittedPublicSecurityGroupRuleRanges`, as `(min, max)` port pairs.
    pub permitted: Vec<(i32, i32)>,
}

impl BlockPublicAccessState {
    /// Reads the API's configuration.
    pub fn of(config: &BlockPublicAccessConfiguration) -> Self {
        BlockPublicAccessState {
            blocking: config.block_public_security_group_rules().unwrap_or(false),
            permitted: config
                .permitted_public_security_group_rule_ranges()
                .iter()
                .filter_map(|r| {
                    let min = r.min_range()?;
                    Some((min, r.max_range().unwrap_or(min)))
                })
                .collect(),
        }
    }

    /// Whether the control passes: blocking on, nothing but port 22 permitted.
    pub fn compliant(&self) -> bool {
        self.blocking && self.permitted.iter().all(|&r| r == (SSH, SSH))
    }

    fn describe(&self) -> String {
        let ranges: Vec<String> = self
            .permitted
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        format!(
            "blocking {}, ports permitted: {}",
            if self.blocking { "on" } else { "off" },
            if ranges.is_empty() {
                "none".to_owned()
            } else {
                ranges.join(", ")
            }
        )
    }

    fn configuration(&self) -> BlockPublicAccessConfiguration {
        let ranges = self
            .permitted
            .iter()
            .map(|&(min, max)| PortRange::builder().min_range(min).max_range(max).build())
            .collect();
        BlockPublicAccessConfiguration::builder()
            .block_public_security_group_rules(self.blocking)
            .set_permitted_public_security_group_rule_ranges(Some(ranges))
            .build()
    }
}

/// The plan: blocking on with port 22 only, unless the control already passes.
pub fn block_public_access_plan(
    account: &str,
    region: &str,
    state: &BlockPublicAccessState,
) -> Plan {
    let wanted = BlockPublicAccessState {
        blocking: true,
        permitted: vec![(SSH, SSH)],
    };
    let changes = if state.compliant() {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "turned on EMR block public access in {region} with port 22 only (was {})",
                state.describe()
            ),
            &wanted,
        )]
    };
    Plan {
        before: BeforeState::new(format!("EMR in account {account}, {region}"), state),
        changes,
    }
}

async fn read(fix: Fix<'_>) -> Result<BlockPublicAccessState, FixError> {
    let out = fix
        .clients
        .emr
        .get_block_public_access_configuration()
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "elasticmapreduce:GetBlockPublicAccessConfiguration",
                &format!("account {}", fix.target.name),
                &[],
                e,
            )
        })?;
    Ok(out
        .block_public_access_configuration()
        .map(BlockPublicAccessState::of)
        .unwrap_or(BlockPublicAccessState {
            blocking: false,
            permitted: Vec::new(),
        }))
}

async fn write(fix: Fix<'_>, state: &BlockPublicAccessState) -> Result<(), FixError> {
    fix.clients
        .emr
        .put_block_public_access_configuration()
        .block_public_access_configuration(state.configuration())
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "elasticmapreduce:PutBlockPublicAccessConfiguration",
                &format!("account {}", fix.target.name),
                &[],
                e,
            )
        })
}

impl Remediation for BlockPublicAccess {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let state = read(fix).await?;
            Ok(Inspection {
                tags: None,
                plan: block_public_access_plan(&fix.target.name, &fix.target.region, &state),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { write(fix, &change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: BlockPublicAccessState = before.recorded()?;
            write(fix, &recorded).await?;
            Ok(vec![format!(
                "put EMR block public access of {} back ({})",
                before.resource,
                recorded.describe()
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(blocking: bool, permitted: &[(i32, i32)]) -> BlockPublicAccessState {
        BlockPublicAccessState {
            blocking,
            permitted: permitted.to_vec(),
        }
    }

    #[test]
    fn only_blocking_with_port_22_alone_passes() {
        assert!(state(true, &[(22, 22)]).compliant());
        assert!(state(true, &[]).compliant());
        assert!(!state(false, &[(22, 22)]).compliant());
        assert!(!state(true, &[(22, 22), (8443, 8443)]).compliant());
        assert!(!state(true, &[(20, 25)]).compliant());
    }

    #[test]
    fn the_plan_records_the_former_configuration() {
        let former = state(true, &[(22, 22), (100, 101)]);
        let plan = block_public_access_plan("111122223333", "eu-west-1", &former);
        assert_eq!(plan.changes.len(), 1);
        assert!(plan.changes[0]
            .description
            .ends_with("with port 22 only (was blocking on, ports permitted: 22, 100-101)"));
        let wanted: BlockPublicAccessState = plan.changes[0].detail().unwrap();
        assert_eq!(wanted, state(true, &[(22, 22)]));
        assert_eq!(
            plan.before.recorded::<BlockPublicAccessState>().unwrap(),
            former
        );
        assert!(
            block_public_access_plan("1", "r", &state(true, &[(22, 22)]))
                .changes
                .is_empty()
        );
    }
}
