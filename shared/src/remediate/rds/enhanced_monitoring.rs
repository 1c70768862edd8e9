//! RDS.6: Enhanced Monitoring of DB instances.
//!
//! Enhanced Monitoring sends the instance's OS metrics to CloudWatch Logs (billed per
//! GB), through a role RDS assumes: the configured one (`HUBFIX_RDS_MONITORING_ROLE_ARN`)
//! or `hubfix-rds-monitoring`, which hubfix creates once with the AWS managed policy
//! `AmazonRDSEnhancedMonitoringRole`, assumable by `monitoring.rds.amazonaws.com` only.

use aws_sdk_iam::types::Tag as IamTag;

use super::*;
use crate::error::service_code;
use crate::remediate::{Impact, Rule, CREATED_BY_TAG};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "RDS.6",
    title: "Enhanced monitoring should be configured for RDS DB instances",
    resource_type: "AwsRdsDbInstance",
    fix: "Turns on Enhanced Monitoring every HUBFIX_RDS_MONITORING_INTERVAL seconds (default 60), applied at once, with the role HUBFIX_RDS_MONITORING_ROLE_ARN or `hubfix-rds-monitoring` (created once, assumable by RDS monitoring only). Billable (CloudWatch Logs): approval. Undo turns it off and keeps the role.",
    iam_actions: &[
        "rds:DescribeDBInstances",
        "rds:ModifyDBInstance",
        "iam:GetRole",
        "iam:CreateRole",
        "iam:AttachRolePolicy",
        "iam:PassRole",
    ],
    impact: Impact::Disruptive,
    remediation: &EnhancedMonitoring,
}];

/// `RDS.6`: turns on Enhanced Monitoring.
#[derive(Debug)]
pub struct EnhancedMonitoring;

/// The role hubfix creates when none is configured.
pub const MONITORING_ROLE: &str = "hubfix-rds-monitoring";

/// The intervals RDS accepts, in seconds.
pub const MONITORING_INTERVALS: [i32; 6] = [1, 5, 10, 15, 30, 60];

/// The before-state: the instance's monitoring interval (0: off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringBefore {
    /// `MonitoringInterval` in seconds, 0 when Enhanced Monitoring is off.
    pub interval: i32,
}

/// What turning it on takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringChange {
    /// Seconds between samples.
    pub interval: i32,
    /// The role RDS assumes.
    pub role_arn: String,
    /// hubfix creates `hubfix-rds-monitoring` first.
    pub create_role: bool,
}

/// The plan: turn Enhanced Monitoring on where it is off.
pub fn monitoring_plan(
    id: &str,
    before: MonitoringBefore,
    change: impl FnOnce() -> MonitoringChange,
) -> Plan {
    let changes = if before.interval > 0 {
        Vec::new()
    } else {
        let c = change();
        let created = if c.create_role {
            format!(" (created {MONITORING_ROLE}, assumable by RDS monitoring only)")
        } else {
            String::new()
        };
        vec![Change::new(
            format!(
                "turned on Enhanced Monitoring of DB instance {id} every {} seconds with {}{created}, applied at once; its OS metrics go to CloudWatch Logs (RDSOSMetrics), billed per GB",
                c.interval, c.role_arn
            ),
            &c,
        )]
    };
    Plan {
        before: BeforeState::new(format!("DB instance {id}"), &before),
        changes,
    }
}

/// Creates `hubfix-rds-monitoring`; one created meanwhile is kept as it is.
async fn create_role(fix: Fix<'_>) -> Result<(), FixError> {
    let iam = &fix.clients.iam;
    let resource = format!("role {MONITORING_ROLE}");
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"},
        "Action": "sts:AssumeRole"}]});
    let created = iam
        .create_role()
        .role_name(MONITORING_ROLE)
        .assume_role_policy_document(trust.to_string())
        .description(
            "Lets RDS Enhanced Monitoring send OS metrics to CloudWatch Logs (hubfix, RDS.6)",
        )
        .tags(
            IamTag::builder()
                .key(CREATED_BY_TAG)
                .value("RDS.6")
                .build()
                .map_err(|e| FixError::Target(e.to_string()))?,
        )
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e) if service_code(&e) == Some("EntityAlreadyExists") => return Ok(()),
        Err(e) => return Err(FixError::from_sdk("iam:CreateRole", &resource, &[], e)),
    }
    iam.attach_role_policy()
        .role_name(MONITORING_ROLE)
        .policy_arn(format!(
            "arn:{}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            fix.target.partition
        ))
        .send()
        .await
        .map(drop)
        .map_err(|e| FixError::from_sdk("iam:AttachRolePolicy", &resource, &[], e))
}

/// Sets the instance's monitoring interval (0 turns it off), applied at once.
async fn set_monitoring(
    fix: Fix<'_>,
    interval: i32,
    role_arn: Option<&str>,
) -> Result<(), FixError> {
    let id = &fix.target.name;
    let mut attempt = 0;
    loop {
        let result = fix
            .clients
            .rds
            .modify_db_instance()
            .db_instance_identifier(id)
            .monitoring_interval(interval)
            .set_monitoring_role_arn(role_arn.map(str::to_owned))
            .apply_immediately(true)
            .send()
            .await;
        match result {
            Ok(_) => return Ok(()),
            // A role created a moment ago may not be assumable yet (IAM is eventually
            // consistent): RDS says it cannot assume it.
            Err(e)
                if attempt < 5
                    && service_code(&e) == Some("InvalidParameterValue")
                    && role_arn.is_some() =>
            {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_secs(2 * attempt)).await;
            }
            Err(e) => {
                return Err(FixError::from_sdk(
                    "rds:ModifyDBInstance",
                    &format!("DB instance {id}"),
                    INSTANCE_NOT_FOUND,
                    e,
                ))
            }
        }
    }
}

impl Remediation for EnhancedMonitoring {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let db = describe_instance(&fix.clients.rds, id).await?;
            let before = MonitoringBefore {
                interval: db.monitoring_interval().unwrap_or(0),
            };
            let configured = fix.settings.rds_monitoring_role_arn.clone();
            let create_role = match &configured {
                Some(_) => false,
                None if before.interval > 0 => false,
                None => !crate::remediate::iam::role_exists(fix, MONITORING_ROLE).await?,
            };
            let t = fix.target;
            let role_arn = configured.unwrap_or_else(|| {
                format!(
                    "arn:{}:iam::{}:role/{MONITORING_ROLE}",
                    t.partition, t.account
                )
            });
            Ok(Inspection {
                tags: with_tags.then(|| rds_tags(db.tag_list())),
                plan: monitoring_plan(id, before, || MonitoringChange {
                    interval: fix.settings.rds_monitoring_interval,
                    role_arn,
                    create_role,
                }),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let c: MonitoringChange = change.detail()?;
            if c.create_role {
                create_role(fix).await?;
            }
            set_monitoring(fix, c.interval, Some(&c.role_arn)).await
        })
    }

    /// Turns Enhanced Monitoring off again; the role stays, as other instances may use
    /// it.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: MonitoringBefore = before.recorded()?;
            if changes.is_empty() || recorded.interval > 0 {
                return Ok(Vec::new());
            }
            set_monitoring(fix, 0, None).await?;
            Ok(vec![format!(
                "turned off Enhanced Monitoring of DB instance {}; the monitoring role is kept",
                fix.target.name
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitoring_is_turned_on_only_where_it_is_off() {
        let change = || MonitoringChange {
            interval: 60,
            role_arn: "arn:aws:iam::123456789012:role/hubfix-rds-monitoring".into(),
            create_role: true,
        };
        let plan = monitoring_plan("orders", MonitoringBefore { interval: 0 }, change);
        let text = plan.describe();
        assert!(text.contains("every 60 seconds"), "{text}");
        assert!(text.contains("created hubfix-rds-monitoring"), "{text}");
        assert!(
            monitoring_plan("orders", MonitoringBefore { interval: 15 }, change).is_compliant()
        );
    }
}
