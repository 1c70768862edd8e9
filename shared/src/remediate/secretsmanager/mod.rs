//! Secrets Manager: secrets' rotation (`SecretsManager.1`), unused secrets
//! (`SecretsManager.3`) and secrets not rotated for too long (`SecretsManager.4`).

pub mod rotation;
pub mod rotation_age;
pub mod unused;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[rotation::RULES, unused::RULES, rotation_age::RULES];

/// The codes Secrets Manager answers for a secret that does not exist.
pub(crate) const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

/// The secret as `DescribeSecret` reads it.
pub(crate) async fn describe_secret(
    fix: &crate::remediate::Fix<'_>,
) -> Result<
    aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput,
    crate::error::FixError,
> {
    let id = &fix.target.name;
    fix.clients
        .secretsmanager
        .describe_secret()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| {
            crate::error::FixError::from_sdk(
                "secretsmanager:DescribeSecret",
                &format!("secret {id}"),
                NOT_FOUND,
                e,
            )
        })
}

/// The tags of a secret as `DescribeSecret` read it.
pub(crate) fn secret_tags(
    out: &aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput,
) -> Vec<(String, String)> {
    out.tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `RotateSecret`: rotation with `function` (and `rules`, when given); `now` rotates at
/// once, otherwise the first rotation waits for the schedule.
pub(crate) async fn rotate(
    fix: crate::remediate::Fix<'_>,
    function: &str,
    rules: Option<aws_sdk_secretsmanager::types::RotationRulesType>,
    now: bool,
) -> Result<(), crate::error::FixError> {
    let id = &fix.target.name;
    fix.clients
        .secretsmanager
        .rotate_secret()
        .secret_id(id)
        .rotation_lambda_arn(function)
        .set_rotation_rules(rules)
        .rotate_immediately(now)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            crate::error::FixError::from_sdk(
                "secretsmanager:RotateSecret",
                &format!("secret {id}"),
                NOT_FOUND,
                e,
            )
        })
}

/// `CancelRotateSecret`: turns automatic rotation off (the function stays, inactive).
pub(crate) async fn cancel_rotation(
    fix: crate::remediate::Fix<'_>,
) -> Result<(), crate::error::FixError> {
    let id = &fix.target.name;
    fix.clients
        .secretsmanager
        .cancel_rotate_secret()
        .secret_id(id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            crate::error::FixError::from_sdk(
                "secretsmanager:CancelRotateSecret",
                &format!("secret {id}"),
                NOT_FOUND,
                e,
            )
        })
}
