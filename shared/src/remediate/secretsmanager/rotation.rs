//! Secrets Manager: automatic rotation of secrets (`SecretsManager.1`), only with a
//! rotation function: the secret's own, else the configured one.

use aws_sdk_secretsmanager::types::RotationRulesType;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};
use crate::settings::FixSettings;

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "SecretsManager.1",
        title: "Secrets Manager secrets should have automatic rotation enabled",
        resource_type: "AwsSecretsManagerSecret",
        fix: "Turns on automatic rotation every HUBFIX_SECRETS_ROTATION_DAYS (default 30) with the secret's own rotation function, else the configured one (HUBFIX_SECRETS_ROTATION_LAMBDA_ARN); without either the finding is noted as needing it.",
        iam_actions: &[
            "secretsmanager:DescribeSecret",
            "secretsmanager:RotateSecret",
            "secretsmanager:CancelRotateSecret",
            "lambda:InvokeFunction",
        ],
        impact: Impact::Disruptive,
        remediation: &SecretRotation,
    },
];

use super::{cancel_rotation, describe_secret, rotate, secret_tags};

/// `SecretsManager.1`: turns on automatic rotation, with the secret's own rotation
/// function or the configured one (`HUBFIX_SECRETS_ROTATION_LAMBDA_ARN`), every
/// `HUBFIX_SECRETS_ROTATION_DAYS`; the first rotation waits for the schedule.
#[derive(Debug)]
pub struct SecretRotation;

/// The before-state of `SecretsManager.1`: rotation as it was in force. A secret whose
/// rotation is off records no function or schedule (an inactive one changes nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationBefore {
    /// Automatic rotation was on.
    pub rotation_enabled: bool,
    /// The rotation function, when rotation was on.
    pub function: Option<String>,
    /// Days between rotations, when rotation was on.
    pub every_days: Option<i64>,
    /// The rotation schedule expression, when rotation was on.
    pub schedule: Option<String>,
}

/// The rotation `SecretsManager.1` turns on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    /// The rotation function's ARN.
    pub function: String,
    /// Days between rotations.
    pub every_days: i64,
}

/// What the API says about a secret's rotation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RotationFacts {
    /// `RotationEnabled`.
    pub enabled: bool,
    /// `RotationLambdaARN` (also kept while rotation is off).
    pub function: Option<String>,
    /// `RotationRules.AutomaticallyAfterDays`.
    pub every_days: Option<i64>,
    /// `RotationRules.ScheduleExpression`.
    pub schedule: Option<String>,
}

/// The plan for `SecretsManager.1`.
pub fn rotation_plan(
    secret: &str,
    facts: RotationFacts,
    settings: &FixSettings,
) -> Result<Plan, FixError> {
    let resource = format!("secret {secret}");
    if facts.enabled {
        let before = RotationBefore {
            rotation_enabled: true,
            function: facts.function,
            every_days: facts.every_days,
            schedule: facts.schedule,
        };
        return Ok(Plan {
            before: BeforeState::new(resource, &before),
            changes: Vec::new(),
        });
    }
    let function = facts
        .function
        .filter(|f| !f.is_empty())
        .or_else(|| settings.secrets_rotation_lambda_arn.clone())
        .ok_or_else(|| {
            FixError::Unconfigured(
                "SecretsManager.1 needs a rotation function that can rotate this kind of secret: the secret has none, so set HUBFIX_SECRETS_ROTATION_LAMBDA_ARN (template parameter SecretsRotationLambdaArn)".into(),
            )
        })?;
    let rotation = Rotation {
        function,
        every_days: settings.secrets_rotation_days,
    };
    let change = Change::new(
        format!(
            "turned on automatic rotation of {resource} every {} days with {} (first rotation on schedule, not now)",
            rotation.every_days, rotation.function
        ),
        &rotation,
    );
    Ok(Plan {
        before: BeforeState::new(
            resource,
            &RotationBefore {
                rotation_enabled: false,
                function: None,
                every_days: None,
                schedule: None,
            },
        ),
        changes: vec![change],
    })
}

impl Remediation for SecretRotation {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let id = &fix.target.name;
            let out = describe_secret(&fix).await?;
            let rules = out.rotation_rules();
            let facts = RotationFacts {
                enabled: out.rotation_enabled().unwrap_or(false),
                function: out.rotation_lambda_arn().map(str::to_owned),
                every_days: rules.and_then(|r| r.automatically_after_days()),
                schedule: rules
                    .and_then(|r| r.schedule_expression())
                    .map(str::to_owned),
            };
            let tags = secret_tags(&out);
            Ok(Inspection {
                tags: Some(tags),
                plan: rotation_plan(id, facts, fix.settings)?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let Rotation {
                function,
                every_days,
            } = change.detail()?;
            let rules = RotationRulesType::builder()
                .automatically_after_days(every_days)
                .build();
            rotate(fix, &function, Some(rules), false).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: RotationBefore = before.recorded()?;
            if recorded.rotation_enabled || changes.is_empty() {
                return Ok(Vec::new());
            }
            cancel_rotation(fix).await?;
            Ok(vec![format!(
                "turned automatic rotation of {} off again (Secrets Manager keeps the rotation function on the secret, inactive)",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secrets_own_function_comes_first_then_the_configured_one() {
        let settings = FixSettings {
            secrets_rotation_lambda_arn: Some(
                "arn:aws:lambda:us-east-1:123456789012:function:rotate".into(),
            ),
            ..FixSettings::default()
        };
        let own = RotationFacts {
            function: Some("arn:aws:lambda:us-east-1:123456789012:function:own".into()),
            ..RotationFacts::default()
        };
        let plan = rotation_plan("s", own, &settings).unwrap();
        let rotation: Rotation = plan.changes[0].detail().unwrap();
        assert!(rotation.function.ends_with(":own"));
        assert_eq!(rotation.every_days, 30);
        let plan = rotation_plan("s", RotationFacts::default(), &settings).unwrap();
        assert!(plan.describe().contains("function:rotate"));
        assert_eq!(plan.before.state["function"], serde_json::Value::Null);
    }

    #[test]
    fn without_a_function_the_rule_is_unconfigured_and_enabled_is_compliant() {
        let err =
            rotation_plan("s", RotationFacts::default(), &FixSettings::default()).unwrap_err();
        assert!(
            matches!(err, FixError::Unconfigured(ref s) if s.contains("HUBFIX_SECRETS_ROTATION_LAMBDA_ARN"))
        );
        let on = RotationFacts {
            enabled: true,
            function: Some("f".into()),
            every_days: Some(7),
            schedule: None,
        };
        assert!(rotation_plan("s", on, &FixSettings::default())
            .unwrap()
            .is_compliant());
    }
}
