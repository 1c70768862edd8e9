//! Secrets Manager: secrets rotated within the configured period (`SecretsManager.4`).
//!
//! A secret's value is as old as its last rotation, or its creation when it was never
//! rotated. When that is more than `HUBFIX_SECRETS_MAX_DAYS_SINCE_ROTATION` days (the
//! control's `maxDaysSinceRotation`), the fix rotates the secret now with its rotation
//! function (its own, else the configured one), and gives a secret without a schedule
//! within that period one of `HUBFIX_SECRETS_ROTATION_DAYS`. A rotation already in
//! progress counts as done: Secrets Manager refuses a second one, and a rotation that
//! never finishes is `SecretsManager.2`'s finding.

use aws_sdk_secretsmanager::types::RotationRulesType;
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};
use crate::settings::FixSettings;

use super::rotation::RotationFacts;
use super::{cancel_rotation, describe_secret, rotate, secret_tags};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SecretsManager.4",
    title: "Secrets Manager secrets should be rotated within a specified number of days",
    resource_type: "AwsSecretsManagerSecret",
    fix: "Rotates now a secret whose value is older than HUBFIX_SECRETS_MAX_DAYS_SINCE_ROTATION days (default 90, the control's default), with its own rotation function, else the configured one (HUBFIX_SECRETS_ROTATION_LAMBDA_ARN), and schedules rotation every HUBFIX_SECRETS_ROTATION_DAYS when it has no schedule within that period. Undo restores the schedule; the rotation itself cannot be undone (the previous value stays as AWSPREVIOUS).",
    iam_actions: &[
        "secretsmanager:DescribeSecret",
        "secretsmanager:RotateSecret",
        "secretsmanager:CancelRotateSecret",
        "lambda:InvokeFunction",
    ],
    impact: Impact::Disruptive,
    remediation: &RotateStaleSecret,
}];

const DAY: i64 = 86_400;
const CURRENT: &str = "AWSCURRENT";
const PENDING: &str = "AWSPENDING";

/// `SecretsManager.4`: rotates a secret whose value is older than the configured period.
#[derive(Debug)]
pub struct RotateStaleSecret;

/// What `DescribeSecret` says about a secret's age and rotation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretAge {
    /// Its rotation configuration.
    pub rotation: RotationFacts,
    /// `LastRotatedDate`, in seconds since the Unix epoch.
    pub last_rotated: Option<i64>,
    /// `CreatedDate`, in seconds since the Unix epoch.
    pub created: Option<i64>,
    /// The version labelled `AWSCURRENT`.
    pub current_version: Option<String>,
    /// A version is labelled `AWSPENDING` and not `AWSCURRENT`: a rotation has started
    /// and not finished.
    pub rotating: bool,
}

impl SecretAge {
    /// Reads the facts from `versions` (`VersionIdsToStages`) and the dates.
    pub fn from_versions<'a>(
        rotation: RotationFacts,
        last_rotated: Option<i64>,
        created: Option<i64>,
        versions: impl IntoIterator<Item = (&'a String, &'a Vec<String>)>,
    ) -> SecretAge {
        let mut age = SecretAge {
            rotation,
            last_rotated,
            created,
            ..SecretAge::default()
        };
        for (version, stages) in versions {
            let labelled = |s: &str| stages.iter().any(|l| l == s);
            if labelled(CURRENT) {
                age.current_version = Some(version.clone());
            } else if labelled(PENDING) {
                age.rotating = true;
            }
        }
        age
    }
}

/// The before-state of `SecretsManager.4`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleSecretBefore {
    /// Automatic rotation was on.
    pub rotation_enabled: bool,
    /// Days between rotations, when it had such a schedule.
    pub every_days: Option<i64>,
    /// The rotation schedule expression, when it had one.
    pub schedule: Option<String>,
    /// When the value was last rotated (or created), in seconds since the Unix epoch.
    pub value_since: Option<i64>,
    /// The version labelled `AWSCURRENT`, the value before a rotation.
    pub current_version: Option<String>,
    /// A rotation was in progress.
    pub rotating: bool,
}

/// The rotation `SecretsManager.4` starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotateNow {
    /// The rotation function's ARN.
    pub function: String,
    /// The schedule it sets, `None` when the secret keeps its own.
    pub every_days: Option<i64>,
}

/// The plan for `SecretsManager.4`, measured at `now` (seconds since the Unix epoch).
pub fn stale_secret_plan(
    secret: &str,
    age: SecretAge,
    now: i64,
    settings: &FixSettings,
) -> Result<Plan, FixError> {
    let resource = format!("secret {secret}");
    let max_days = settings.secrets_max_days_since_rotation;
    let value_since = age.last_rotated.or(age.created);
    let enabled = age.rotation.enabled;
    let before = StaleSecretBefore {
        rotation_enabled: enabled,
        every_days: age.rotation.every_days.filter(|_| enabled),
        schedule: age.rotation.schedule.clone().filter(|_| enabled),
        value_since,
        current_version: age.current_version.clone(),
        rotating: age.rotating,
    };
    let days_old = value_since.map(|since| (now - since).max(0) / DAY);
    let fresh = days_old.is_some_and(|d| d <= max_days);
    if age.rotating || fresh {
        return Ok(Plan {
            before: BeforeState::new(resource, &before),
            changes: Vec::new(),
        });
    }
    let function = age
        .rotation
        .function
        .filter(|f| !f.is_empty())
        .or_else(|| settings.secrets_rotation_lambda_arn.clone())
        .ok_or_else(|| {
            FixError::Unconfigured(
                "SecretsManager.4 rotates a secret with a rotation function that can rotate this kind of secret: the secret has none, so set HUBFIX_SECRETS_ROTATION_LAMBDA_ARN (template parameter SecretsRotationLambdaArn)".into(),
            )
        })?;
    let scheduled_within = age.rotation.enabled
        && (age.rotation.schedule.is_some()
            || age.rotation.every_days.is_some_and(|d| d <= max_days));
    let every_days = (!scheduled_within).then_some(settings.secrets_rotation_days);
    let age_text = match days_old {
        Some(d) => format!("its value is {d} days old"),
        None => "it has no rotation or creation date".to_owned(),
    };
    let schedule_text = match every_days {
        Some(d) => format!("; rotation every {d} days from now on"),
        None => String::new(),
    };
    let change = Change::new(
        format!(
            "rotated {resource} now with {function} ({age_text}, more than {max_days}){schedule_text}"
        ),
        &RotateNow {
            function,
            every_days,
        },
    );
    Ok(Plan {
        before: BeforeState::new(resource, &before),
        changes: vec![change],
    })
}

fn epoch_seconds(date: Option<&aws_sdk_secretsmanager::primitives::DateTime>) -> Option<i64> {
    date.map(|d| d.secs())
}

fn now_seconds(settings: &FixSettings) -> i64 {
    settings
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl Remediation for RotateStaleSecret {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let out = describe_secret(&fix).await?;
            let rules = out.rotation_rules();
            let rotation = RotationFacts {
                enabled: out.rotation_enabled().unwrap_or(false),
                function: out.rotation_lambda_arn().map(str::to_owned),
                every_days: rules.and_then(|r| r.automatically_after_days()),
                schedule: rules
                    .and_then(|r| r.schedule_expression())
                    .map(str::to_owned),
            };
            let age = SecretAge::from_versions(
                rotation,
                epoch_seconds(out.last_rotated_date()),
                epoch_seconds(out.created_date()),
                out.version_ids_to_stages().into_iter().flatten(),
            );
            Ok(Inspection {
                tags: Some(secret_tags(&out)),
                plan: stale_secret_plan(
                    &fix.target.name,
                    age,
                    now_seconds(fix.settings),
                    fix.settings,
                )?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let RotateNow {
                function,
                every_days,
            } = change.detail()?;
            let rules = every_days.map(|d| {
                RotationRulesType::builder()
                    .automatically_after_days(d)
                    .build()
            });
            rotate(fix, &function, rules, true).await
        })
    }

    /// Puts the schedule back as it was (off again, or its former period, without
    /// rotating), then reports the rotation itself as irreversible.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: StaleSecretBefore = before.recorded()?;
            let Some(change) = changes.first() else {
                return Ok(Vec::new());
            };
            let RotateNow {
                function,
                every_days,
            } = change.detail()?;
            let mut steps = Vec::new();
            if every_days.is_some() {
                if recorded.rotation_enabled {
                    let rules = RotationRulesType::builder()
                        .set_automatically_after_days(recorded.every_days)
                        .set_schedule_expression(recorded.schedule.clone())
                        .build();
                    rotate(fix, &function, Some(rules), false).await?;
                    steps.push(format!(
                        "put the rotation schedule of {} back as it was",
                        before.resource
                    ));
                } else {
                    cancel_rotation(fix).await?;
                    steps.push(format!(
                        "turned automatic rotation of {} off again",
                        before.resource
                    ));
                }
            }
            let previous = recorded
                .current_version
                .map(|v| format!("version {v}, labelled AWSPREVIOUS once the rotation finished"))
                .unwrap_or_else(|| "the secret's previous version".to_owned());
            Err(FixError::irreversible_after(
                format!(
                    "the rotation of {} changed the credential where it is used, so the old value may no longer work; it is kept as {previous}",
                    before.resource
                ),
                &steps,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const OWN: &str = "arn:aws:lambda:us-east-1:123456789012:function:own";

    fn age(days_since_rotation: Option<i64>, created_days_ago: i64) -> SecretAge {
        SecretAge {
            rotation: RotationFacts {
                function: Some(OWN.into()),
                ..RotationFacts::default()
            },
            last_rotated: days_since_rotation.map(|d| NOW - d * DAY),
            created: Some(NOW - created_days_ago * DAY),
            current_version: Some("v1".into()),
            rotating: false,
        }
    }

    #[test]
    fn a_value_older_than_the_period_is_rotated_now_and_given_a_schedule() {
        let plan =
            stale_secret_plan("s", age(Some(91), 400), NOW, &FixSettings::default()).unwrap();
        let rotate: RotateNow = plan.changes[0].detail().unwrap();
        assert_eq!(rotate.function, OWN);
        assert_eq!(rotate.every_days, Some(30));
        assert!(
            plan.describe().contains("91 days old, more than 90"),
            "{}",
            plan.describe()
        );
        assert!(plan.describe().contains("every 30 days"));
        let never = stale_secret_plan("s", age(None, 120), NOW, &FixSettings::default()).unwrap();
        assert!(never.describe().contains("120 days old"));
    }

    #[test]
    fn fresh_values_and_rotations_in_progress_are_compliant() {
        let settings = FixSettings::default();
        assert!(stale_secret_plan("s", age(Some(90), 400), NOW, &settings)
            .unwrap()
            .is_compliant());
        assert!(stale_secret_plan("s", age(None, 10), NOW, &settings)
            .unwrap()
            .is_compliant());
        let rotating = SecretAge {
            rotating: true,
            ..age(Some(200), 400)
        };
        let plan = stale_secret_plan("s", rotating, NOW, &settings).unwrap();
        assert!(plan.is_compliant());
        assert!(
            plan.before
                .recorded::<StaleSecretBefore>()
                .unwrap()
                .rotating
        );
    }

    #[test]
    fn a_schedule_within_the_period_is_kept_and_a_function_is_needed() {
        let scheduled = SecretAge {
            rotation: RotationFacts {
                enabled: true,
                function: Some(OWN.into()),
                every_days: Some(60),
                schedule: None,
            },
            ..age(Some(100), 400)
        };
        let plan = stale_secret_plan("s", scheduled.clone(), NOW, &FixSettings::default()).unwrap();
        assert_eq!(
            plan.changes[0].detail::<RotateNow>().unwrap().every_days,
            None
        );
        let strict = FixSettings {
            secrets_max_days_since_rotation: 45,
            ..FixSettings::default()
        };
        let plan = stale_secret_plan("s", scheduled, NOW, &strict).unwrap();
        assert_eq!(
            plan.changes[0].detail::<RotateNow>().unwrap().every_days,
            Some(30)
        );
        let orphan = SecretAge {
            rotation: RotationFacts::default(),
            ..age(Some(100), 400)
        };
        let err = stale_secret_plan("s", orphan, NOW, &FixSettings::default()).unwrap_err();
        assert!(
            matches!(err, FixError::Unconfigured(ref s) if s.contains("HUBFIX_SECRETS_ROTATION_LAMBDA_ARN"))
        );
    }

    #[test]
    fn versions_say_which_value_is_current_and_whether_a_rotation_runs() {
        let current = ("v1".to_owned(), vec!["AWSCURRENT".to_owned()]);
        let pending = ("v2".to_owned(), vec!["AWSPENDING".to_owned()]);
        let both = (
            "v3".to_owned(),
            vec!["AWSCURRENT".to_owned(), "AWSPENDING".to_owned()],
        );
        let read = |vs: &[&(String, Vec<String>)]| {
            SecretAge::from_versions(
                RotationFacts::default(),
                None,
                None,
                vs.iter().map(|(v, s)| (v, s)),
            )
        };
        let rotating = read(&[&current, &pending]);
        assert_eq!(rotating.current_version.as_deref(), Some("v1"));
        assert!(rotating.rotating);
        assert!(!read(&[&both]).rotating);
    }
}
