//! IAM fixes: the account password policy (`IAM.7`, `IAM.10`-`IAM.17`), old and unused
//! credentials (`IAM.3`, `IAM.8`, `IAM.22`), console users without MFA (`IAM.5`), one
//! active key per user (CIS 1.13), permissions through groups only (`IAM.2`, CIS 1.15),
//! the support role (`IAM.18`), expired server certificates (`IAM.26`) and CloudShell
//! full access (`IAM.27`).

use std::time::{Duration, SystemTime};

use aws_sdk_iam::types::StatusType;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{service_code, FixError};
use crate::ids::Arn;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::settings::PasswordSettings;

mod access_analyzer;
mod cloudshell;
mod console_mfa;
mod credentials;
mod groups;
pub use groups::percent_decode;
mod password_policy;
pub mod quarantine;
mod server_certificates;
mod support_role;

pub use access_analyzer::*;
pub use cloudshell::*;
pub use console_mfa::*;
pub use credentials::*;
pub use groups::*;
pub use password_policy::*;
pub use server_certificates::*;
pub use support_role::*;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    access_analyzer::RULES,
    cloudshell::RULES,
    console_mfa::RULES,
    credentials::RULES,
    groups::RULES,
    password_policy::RULES,
    server_certificates::RULES,
    support_role::RULES,
];

const NO_SUCH_ENTITY: &[&str] = &["NoSuchEntity"];
const DAY: u64 = 86_400;
/// The AWS managed policy `IAM.18` looks for.
pub const SUPPORT_POLICY: &str = "AWSSupportAccess";
/// The role hubfix creates for `IAM.18`.
pub const SUPPORT_ROLE: &str = "hubfix-aws-support";

/// The user name of an `AwsIamUser` resource id (its ARN, paths allowed).
pub fn user_name(resource_id: &str) -> Result<String, FixError> {
    let name = match Arn::parse(resource_id) {
        Some(arn) if arn.service == "iam" => arn
            .resource
            .strip_prefix("user/")
            .and_then(|p| p.rsplit('/').next()),
        Some(_) => None,
        None => Some(resource_id),
    };

    match name {
        Some(n) if crate::ids::is_iam_name(n, 64) => Ok(n.to_owned()),
        _ => Err(FixError::Target(format!(
            "`{resource_id}` is not an IAM user hubfix can act on"
        ))),
    }
}

fn days_between(now: SystemTime, then: Option<&aws_smithy_types::DateTime>) -> Option<u64> {
    let then = SystemTime::try_from(*then?).ok()?;
    Some(now.duration_since(then).unwrap_or(Duration::ZERO).as_secs() / DAY)
}

fn iam_err<'r, E, R>(
    operation: &'static str,
    resource: &'r str,
) -> impl FnOnce(aws_smithy_runtime_api::client::result::SdkError<E, R>) -> FixError + 'r
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |e| FixError::from_sdk(operation, resource, NO_SUCH_ENTITY, e)
}

/// The outcome of an IAM call in an undo, where the entity being gone already (an
/// earlier, interrupted undo) counts as done.
fn ok_if_gone<T, E, R>(
    result: Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
    operation: &'static str,
    resource: &str,
) -> Result<(), FixError>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(()),
        Err(e) => Err(FixError::from_sdk(operation, resource, &[], e)),
    }
}

/// Whether the IAM role `name` exists.
pub(crate) async fn role_exists(fix: Fix<'_>, name: &str) -> Result<bool, FixError> {
    match fix.clients.iam.get_role().role_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(FixError::from_sdk(
            "iam:GetRole",
            &format!("role {name}"),
            &[],
            e,
        )),
    }
}

fn user_plan<T: Serialize>(fix: &Fix<'_>, before: &T, changes: Vec<Change>) -> Plan {
    Plan {
        before: BeforeState::new(format!("user {}", fix.target.name), before),
        changes,
    }
}

/// The user's console password (login profile); `None` when it has none.
async fn login_profile(
    fix: &Fix<'_>,
) -> Result<Option<aws_sdk_iam::types::LoginProfile>, FixError> {
    match fix
        .clients
        .iam
        .get_login_profile()
        .user_name(&fix.target.name)
        .send()
        .await
    {
        Ok(out) => Ok(out.login_profile().cloned()),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(iam_err(
            "iam:GetLoginProfile",
            &format!("user {}", fix.target.name),
        )(e)),
    }
}

/// Deletes the user's console password; a user without one is left as it is.
async fn delete_login_profile(fix: &Fix<'_>) -> Result<(), FixError> {
    match fix
        .clients
        .iam
        .delete_login_profile()
        .user_name(&fix.target.name)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(()),
        Err(e) => Err(iam_err(
            "iam:DeleteLoginProfile",
            &format!("user {}", fix.target.name),
        )(e)),
    }
}

async fn user_tags(
    fix: &Fix<'_>,
    with_tags: bool,
) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    let resource = format!("user {}", fix.target.name);
    let out = fix
        .clients
        .iam
        .list_user_tags()
        .user_name(&fix.target.name)
        .send()
        .await
        .map_err(iam_err("iam:ListUserTags", &resource))?;
    Ok(Some(
        out.tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::iam::credentials::credentials_undone;
    use crate::remediate::iam::groups::percent_decode;

    fn key(id: &str, status: &str, age: u64, idle: u64) -> KeyFacts {
        KeyFacts {
            id: id.into(),
            status: status.into(),
            age_days: Some(age),
            idle_days: Some(idle),
        }
    }

    #[test]
    fn password_policy_is_strengthened_never_weakened() {
        let wanted = PasswordSettings::default();
        let (p, changed) = strengthened(None, wanted);
        assert_eq!(p.min_length, 14);
        assert_eq!(p.max_age_days, Some(90));
        assert_eq!(p.reuse_prevention, Some(24));
        assert!(
            p.require_symbols && p.require_numbers && p.require_uppercase && p.require_lowercase
        );
        assert_eq!(changed[0], "created the account password policy");
        let stronger = PasswordPolicy {
            min_length: 20,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            allow_users_to_change: true,
            max_age_days: Some(30),
            reuse_prevention: Some(24),
            hard_expiry: true,
        };
        let (p, changed) = strengthened(Some(stronger), wanted);
        assert_eq!(p, stronger, "stronger settings are kept");
        assert!(changed.is_empty());
        let weak = PasswordPolicy {
            min_length: 8,
            max_age_days: None,
            ..stronger
        };
        let (p, changed) = strengthened(Some(weak), wanted);
        assert_eq!((p.min_length, p.max_age_days), (14, Some(90)));
        assert_eq!(changed, ["MinimumPasswordLength", "MaxPasswordAge"]);
    }

    #[test]
    fn which_keys_each_credential_rule_deactivates() {
        let keys = [
            key("OLD", "Active", 120, 1),
            key("IDLE", "Active", 60, 50),
            key("NEW", "Active", 5, 0),
            key("OFF", "Inactive", 400, 400),
        ];
        let ids = |rule| -> Vec<String> {
            Credentials(rule)
                .keys_to_deactivate(&keys)
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        assert_eq!(ids(CredentialRule::KeysOlderThan(90)), ["OLD"]);
        assert_eq!(ids(CredentialRule::UnusedFor(45)), ["IDLE"]);
        assert_eq!(ids(CredentialRule::UnusedFor(90)), Vec::<String>::new());
        assert_eq!(ids(CredentialRule::OneActiveKey), ["OLD", "IDLE"]);
    }

    #[test]
    fn a_deleted_console_password_makes_the_undo_irreversible_after_the_keys() {
        let steps = vec!["reactivated access key AKIA1 of user u".to_owned()];
        assert_eq!(
            credentials_undone("u", steps.clone(), false).unwrap(),
            steps
        );
        let err = credentials_undone("u", steps, true).unwrap_err();
        assert!(matches!(err, FixError::Irreversible(_)));
        let text = err.to_string();
        assert!(
            text.contains("console password hubfix deleted from user u"),
            "{text}"
        );
        assert!(
            text.contains("the rest was undone: reactivated access key AKIA1"),
            "{text}"
        );
        let alone = credentials_undone("u", Vec::new(), true)
            .unwrap_err()
            .to_string();
        assert!(!alone.contains("the rest was undone"), "{alone}");
    }

    #[test]
    fn credential_before_states_leave_out_ages() {
        let before = CredentialsBefore::of(
            &[key("B", "Inactive", 10, 1), key("A", "Active", 500, 400)],
            true,
        );
        assert_eq!(
            serde_json::to_value(&before).unwrap(),
            json!({"keys": [{"id": "A", "status": "Active"}, {"id": "B", "status": "Inactive"}], "console_password": true})
        );
    }

    #[test]
    fn an_analyzer_of_hubfix_s_name_that_existed_is_recognised() {
        let before = AnalyzerBefore {
            analyzers: vec![format!("{ANALYZER_NAME} (ACCOUNT, FAILED)")],
        };
        assert!(before.had_hubfix_analyzer());
        let other = AnalyzerBefore {
            analyzers: vec![format!("{ANALYZER_NAME}-2 (ACCOUNT, ACTIVE)")],
        };
        assert!(!other.had_hubfix_analyzer());
    }

    #[test]
    fn user_names_from_arns() {
        assert_eq!(
            user_name("arn:aws:iam::123456789012:user/alice").unwrap(),
            "alice"
        );
        assert_eq!(
            user_name("arn:aws:iam::123456789012:user/division/team/bob").unwrap(),
            "bob"
        );
        assert!(user_name("arn:aws:iam::123456789012:role/admin").is_err());
        assert!(user_name("alice; rm -rf /").is_err());
    }

    #[test]
    fn policy_documents_are_url_decoded() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(percent_decode(r#"{"a":1}"#), r#"{"a":1}"#);
        assert_eq!(percent_decode("a+b%20c%"), "a+b c%");
    }

    #[test]
    fn only_expired_certificates_are_selected() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000 * DAY);
        let certs = [
            ("old".to_owned(), now - Duration::from_secs(10 * DAY)),
            ("valid".to_owned(), now + Duration::from_secs(DAY)),
        ];
        let expired = expired_certificates(&certs, now);
        assert_eq!(
            expired,
            [CertificateRecord {
                name: "old".into(),
                expired_days: 10
            }]
        );
    }

    #[test]
    fn group_names_fit_iam_limits() {
        assert_eq!(group_for("alice"), "hubfix-alice");
        assert_eq!(group_for(&"u".repeat(64)).len(), 71);
    }
}
