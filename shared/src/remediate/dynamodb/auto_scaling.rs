//! DynamoDB.1: provisioned tables scale their capacity with demand.
//!
//! A table billed per request scales by itself. For a provisioned table, and each of
//! its global secondary indexes, every read and write capacity without Application
//! Auto Scaling gets a scalable target (from its current capacity up to
//! `HUBFIX_DYNAMODB_MAX_CAPACITY_FACTOR` times it) and a target tracking policy
//! `hubfix-target-tracking` at `HUBFIX_DYNAMODB_TARGET_UTILIZATION` percent. Capacity
//! that already scales is left as it is. It costs money when demand rises, so it waits
//! for approval. Undo removes the policies and targets hubfix registered.

use aws_sdk_applicationautoscaling::types::{
    MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension, ServiceNamespace,
    TargetTrackingScalingPolicyConfiguration,
};
use aws_sdk_dynamodb::types::{BillingMode, TableDescription};
use serde::{Deserialize, Serialize};

use super::{table_tags, NOT_FOUND};
use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "DynamoDB.1",
    title: "DynamoDB tables should automatically scale capacity with demand",
    resource_type: "AwsDynamoDbTable",
    fix: "Registers every read and write capacity of the provisioned table and its global secondary indexes that does not scale with Application Auto Scaling, from its current capacity to HUBFIX_DYNAMODB_MAX_CAPACITY_FACTOR (default 4) times it, tracking HUBFIX_DYNAMODB_TARGET_UTILIZATION (default 70) percent. Undo removes what hubfix registered.",
    iam_actions: &[
        "dynamodb:DescribeTable",
        "dynamodb:ListTagsOfResource",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DeleteScalingPolicy",
        "iam:CreateServiceLinkedRole",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DeleteAlarms",
    ],
    impact: Impact::Disruptive,
    remediation: &AutoScaling,
}];

/// The name of the target tracking policy hubfix puts on a capacity.
pub const POLICY_NAME: &str = "hubfix-target-tracking";

/// `DynamoDB.1`: every provisioned capacity of the table scales.
#[derive(Debug)]
pub struct AutoScaling;

/// One capacity of a table or index: Application Auto Scaling's resource id and
/// dimension, and the capacity provisioned now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// `table/<name>` or `table/<name>/index/<index>`.
    pub resource_id: String,
    /// `dynamodb:table:ReadCapacityUnits`, `dynamodb:index:WriteCapacityUnits`, ...
    pub dimension: String,
    /// The provisioned capacity units.
    pub units: i64,
    /// It already has a scalable target.
    pub scales: bool,
}

impl Capacity {
    fn reads(&self) -> bool {
        self.dimension.ends_with("ReadCapacityUnits")
    }

    fn words(&self) -> String {
        format!(
            "{} capacity of {}",
            if self.reads() { "read" } else { "write" },
            self.resource_id
        )
    }
}

/// The state `DynamoDB.1` reads and records: the billing mode and each capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoScalingState {
    /// The table is billed per request (nothing to scale).
    pub on_demand: bool,
    /// Each provisioned read and write capacity, table first.
    pub capacities: Vec<Capacity>,
}

/// What hubfix registers for one capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The capacity.
    pub resource_id: String,
    /// Its dimension.
    pub dimension: String,
    /// The least capacity (the current one).
    pub min: i32,
    /// The most capacity.
    pub max: i32,
    /// The utilization the policy tracks, in percent.
    pub target: u8,
}

/// The provisioned capacities of `table` (named `name`), without their scaling yet.
pub fn capacities_of(name: &str, table: &TableDescription) -> Vec<Capacity> {
    let mut out = Vec::new();
    let mut push = |resource_id: String, kind: &str, read: Option<i64>, write: Option<i64>| {
        for (what, units) in [("Read", read), ("Write", write)] {
            if let Some(units) = units.filter(|u| *u > 0) {
                out.push(Capacity {
                    resource_id: resource_id.clone(),
                    dimension: format!("dynamodb:{kind}:{what}CapacityUnits"),
                    units,
                    scales: false,
                });
            }
        }
    };
    let throughput = table.provisioned_throughput();
    push(
        format!("table/{name}"),
        "table",
        throughput.and_then(|t| t.read_capacity_units()),
        throughput.and_then(|t| t.write_capacity_units()),
    );
    for index in table.global_secondary_indexes() {
        let t = index.provisioned_throughput();
        push(
            format!(
                "table/{name}/index/{}",
                index.index_name().unwrap_or_default()
            ),
            "index",
            t.and_then(|t| t.read_capacity_units()),
            t.and_then(|t| t.write_capacity_units()),
        );
    }
    out
}

/// The plan: register each capacity that does not scale.
pub fn auto_scaling_plan(name: &str, state: &AutoScalingState, factor: i32, target: u8) -> Plan {
    let changes = if state.on_demand {
        Vec::new()
    } else {
        state
            .capacities
            .iter()
            .filter(|c| !c.scales)
            .map(|c| {
                let min = i32::try_from(c.units).unwrap_or(i32::MAX);
                let max = min.saturating_mul(factor).max(min.saturating_add(1));
                Change::new(
                    format!(
                        "scaled the {} from {min} to {max} units at {target}% utilization",
                        c.words()
                    ),
                    &Registration {
                        resource_id: c.resource_id.clone(),
                        dimension: c.dimension.clone(),
                        min,
                        max,
                        target,
                    },
                )
            })
            .collect()
    };
    Plan {
        before: BeforeState::new(format!("table {name}"), state),
        changes,
    }
}

fn metric_of(dimension: &str) -> MetricType {
    if dimension.ends_with("ReadCapacityUnits") {
        MetricType::from("DynamoDBReadCapacityUtilization")
    } else {
        MetricType::from("DynamoDBWriteCapacityUtilization")
    }
}

async fn read(fix: Fix<'_>) -> Result<AutoScalingState, FixError> {
    let name = &fix.target.name;
    let table = fix
        .clients
        .dynamodb
        .describe_table()
        .table_name(name)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "dynamodb:DescribeTable",
                &format!("table {name}"),
                NOT_FOUND,
                e,
            )
        })?
        .table
        .ok_or_else(|| FixError::NotFound {
            resource: format!("table {name}"),
            code: "ResourceNotFoundException".into(),
        })?;
    let on_demand = table.billing_mode_summary().and_then(|b| b.billing_mode())
        == Some(&BillingMode::PayPerRequest);
    let mut capacities = if on_demand {
        Vec::new()
    } else {
        capacities_of(name, &table)
    };
    let ids: Vec<String> = capacities.iter().map(|c| c.resource_id.clone()).collect();
    if !ids.is_empty() {
        let registered = fix
            .clients
            .applicationautoscaling
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Dynamodb)
            .set_resource_ids(Some(ids))
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "application-autoscaling:DescribeScalableTargets",
                    &format!("table {name}"),
                    &[],
                    e,
                )
            })?;
        for c in &mut capacities {
            c.scales = registered.scalable_targets().iter().any(|t| {
                t.resource_id() == c.resource_id && t.scalable_dimension().as_str() == c.dimension
            });
        }
    }
    Ok(AutoScalingState {
        on_demand,
        capacities,
    })
}

async fn register(fix: Fix<'_>, r: &Registration) -> Result<(), FixError> {
    let aas = &fix.clients.applicationautoscaling;
    let dimension = ScalableDimension::from(r.dimension.as_str());
    aas.register_scalable_target()
        .service_namespace(ServiceNamespace::Dynamodb)
        .resource_id(&r.resource_id)
        .scalable_dimension(dimension.clone())
        .min_capacity(r.min)
        .max_capacity(r.max)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "application-autoscaling:RegisterScalableTarget",
                &r.resource_id,
                &[],
                e,
            )
        })?;
    let metric = PredefinedMetricSpecification::builder()
        .predefined_metric_type(metric_of(&r.dimension))
        .build()
        .map_err(|e| FixError::Target(format!("scaling metric: {e}")))?;
    let tracking = TargetTrackingScalingPolicyConfiguration::builder()
        .target_value(f64::from(r.target))
        .predefined_metric_specification(metric)
        .build()
        .map_err(|e| FixError::Target(format!("scaling policy: {e}")))?;
    aas.put_scaling_policy()
        .policy_name(POLICY_NAME)
        .service_namespace(ServiceNamespace::Dynamodb)
        .resource_id(&r.resource_id)
        .scalable_dimension(dimension)
        .policy_type(PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(tracking)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "application-autoscaling:PutScalingPolicy",
                &r.resource_id,
                &[],
                e,
            )
        })
}

async fn deregister(fix: Fix<'_>, r: &Registration) -> Result<(), FixError> {
    let aas = &fix.clients.applicationautoscaling;
    let dimension = ScalableDimension::from(r.dimension.as_str());
    aas.delete_scaling_policy()
        .policy_name(POLICY_NAME)
        .service_namespace(ServiceNamespace::Dynamodb)
        .resource_id(&r.resource_id)
        .scalable_dimension(dimension.clone())
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "application-autoscaling:DeleteScalingPolicy",
                &r.resource_id,
                &["ObjectNotFoundException"],
                e,
            )
        })?;
    aas.deregister_scalable_target()
        .service_namespace(ServiceNamespace::Dynamodb)
        .resource_id(&r.resource_id)
        .scalable_dimension(dimension)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            FixError::from_sdk(
                "application-autoscaling:DeregisterScalableTarget",
                &r.resource_id,
                &["ObjectNotFoundException"],
                e,
            )
        })
}

impl Remediation for AutoScaling {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let state = read(fix).await?;
            let tags = if with_tags {
                Some(table_tags(fix).await?)
            } else {
                None
            };
            Ok(Inspection {
                tags,
                plan: auto_scaling_plan(
                    &fix.target.name,
                    &state,
                    fix.settings.dynamodb_max_capacity_factor,
                    fix.settings.dynamodb_target_utilization,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { register(fix, &change.detail()?).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut lines = Vec::new();
            for change in changes {
                let r: Registration = change.detail()?;
                deregister(fix, &r).await?;
                lines.push(format!(
                    "removed the scaling of {} {} (policy {POLICY_NAME} and its target)",
                    r.resource_id, r.dimension
                ));
            }
            Ok(lines)
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::{
        GlobalSecondaryIndexDescription, ProvisionedThroughputDescription,
    };

    use super::*;

    fn throughput(read: i64, write: i64) -> ProvisionedThroughputDescription {
        ProvisionedThroughputDescription::builder()
            .read_capacity_units(read)
            .write_capacity_units(write)
            .build()
    }

    #[test]
    fn every_provisioned_capacity_of_table_and_indexes_is_found() {
        let table = TableDescription::builder()
            .provisioned_throughput(throughput(5, 10))
            .global_secondary_indexes(
                GlobalSecondaryIndexDescription::builder()
                    .index_name("by-customer")
                    .provisioned_throughput(throughput(2, 0))
                    .build(),
            )
            .build();
        let found: Vec<(String, String, i64)> = capacities_of("orders", &table)
            .into_iter()
            .map(|c| (c.resource_id, c.dimension, c.units))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "table/orders".into(),
                    "dynamodb:table:ReadCapacityUnits".into(),
                    5
                ),
                (
                    "table/orders".into(),
                    "dynamodb:table:WriteCapacityUnits".into(),
                    10
                ),
                (
                    "table/orders/index/by-customer".into(),
                    "dynamodb:index:ReadCapacityUnits".into(),
                    2
                ),
            ]
        );
    }

    #[test]
    fn only_capacities_that_do_not_scale_are_registered_and_on_demand_needs_nothing() {
        let mut capacities = capacities_of(
            "orders",
            &TableDescription::builder()
                .provisioned_throughput(throughput(5, 10))
                .build(),
        );
        capacities[1].scales = true;
        let state = AutoScalingState {
            on_demand: false,
            capacities,
        };
        let plan = auto_scaling_plan("orders", &state, 4, 70);
        assert_eq!(plan.changes.len(), 1);
        let r: Registration = plan.changes[0].detail().unwrap();
        assert_eq!(
            (r.min, r.max, r.dimension.as_str()),
            (5, 20, "dynamodb:table:ReadCapacityUnits")
        );
        assert!(plan.changes[0]
            .description
            .contains("read capacity of table/orders from 5 to 20 units at 70% utilization"));
        let on_demand = AutoScalingState {
            on_demand: true,
            capacities: Vec::new(),
        };
        assert!(auto_scaling_plan("orders", &on_demand, 4, 70)
            .changes
            .is_empty());
    }
}
