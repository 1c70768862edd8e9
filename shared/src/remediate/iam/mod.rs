//! IAM fixes: the account password policy (`IAM.7`, `IAM.10`-`IAM.17`), old and unused
//! credentials (`IAM.3`, `IAM.8`, `IAM.22`), one active key per user (CIS 1.13),
//! permissions through groups only (`IAM.2`, CIS 1.15), the support role (`IAM.18`)
//! and expired server certificates (`IAM.26`).

use std::time::{Duration, SystemTime};

use aws_sdk_iam::types::StatusType;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Arn, BeforeState, Change, Fix, FixFuture, Inspection, Plan, Remediation};
use crate::error::{service_code, FixError};
use crate::policy::PasswordSettings;

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
        Some(n)
            if (1..=64).contains(&n.len())
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b)) =>
        {
            Ok(n.to_owned())
        }
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

fn user_plan<T: Serialize>(fix: &Fix<'_>, before: &T, changes: Vec<Change>) -> Plan {
    Plan {
        before: BeforeState::new(format!("user {}", fix.target.name), before),
        changes,
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

// ---------------------------------------------------------- IAM.7, IAM.10-IAM.17

/// The account password policy, as hubfix compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// Minimum length.
    pub min_length: i32,
    /// Require a symbol.
    pub require_symbols: bool,
    /// Require a number.
    pub require_numbers: bool,
    /// Require an uppercase letter.
    pub require_uppercase: bool,
    /// Require a lowercase letter.
    pub require_lowercase: bool,
    /// Users may change their own password.
    pub allow_users_to_change: bool,
    /// Days until a password expires (`None`: never).
    pub max_age_days: Option<i32>,
    /// Previous passwords remembered (`None`: none).
    pub reuse_prevention: Option<i32>,
    /// An expired password needs an administrator to reset it.
    pub hard_expiry: bool,
}

/// The policy that keeps every stronger setting of `current` and raises the rest to
/// `wanted`; with the names of the settings it changes.
pub fn strengthened(
    current: Option<PasswordPolicy>,
    wanted: PasswordSettings,
) -> (PasswordPolicy, Vec<&'static str>) {
    let c = current.unwrap_or(PasswordPolicy {
        min_length: 8,
        require_symbols: false,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        allow_users_to_change: false,
        max_age_days: None,
        reuse_prevention: None,
        hard_expiry: false,
    });
    let next = PasswordPolicy {
        min_length: c.min_length.max(wanted.min_length),
        require_symbols: true,
        require_numbers: true,
        require_uppercase: true,
        require_lowercase: true,
        allow_users_to_change: true,
        max_age_days: Some(
            c.max_age_days
                .map_or(wanted.max_age_days, |d| d.min(wanted.max_age_days)),
        ),
        reuse_prevention: Some(
            c.reuse_prevention
                .map_or(wanted.reuse_prevention, |r| r.max(wanted.reuse_prevention)),
        ),
        hard_expiry: c.hard_expiry,
    };
    let mut changed = Vec::new();
    if current.is_none() {
        changed.push("created the account password policy");
    }
    let checks = [
        (next.min_length != c.min_length, "MinimumPasswordLength"),
        (next.require_symbols != c.require_symbols, "RequireSymbols"),
        (next.require_numbers != c.require_numbers, "RequireNumbers"),
        (
            next.require_uppercase != c.require_uppercase,
            "RequireUppercaseCharacters",
        ),
        (
            next.require_lowercase != c.require_lowercase,
            "RequireLowercaseCharacters",
        ),
        (
            next.allow_users_to_change != c.allow_users_to_change,
            "AllowUsersToChangePassword",
        ),
        (next.max_age_days != c.max_age_days, "MaxPasswordAge"),
        (
            next.reuse_prevention != c.reuse_prevention,
            "PasswordReusePrevention",
        ),
    ];
    changed.extend(
        checks
            .iter()
            .filter(|(differs, _)| *differs)
            .map(|(_, name)| *name),
    );
    (next, changed)
}

/// `IAM.7` and `IAM.10` to `IAM.17`: one password policy that satisfies them all.
#[derive(Debug)]
pub struct AccountPasswordPolicy;

/// The before-state: the policy, `None` when the account had none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordBefore {
    /// The policy before the fix.
    pub policy: Option<PasswordPolicy>,
}

async fn password_policy(fix: &Fix<'_>) -> Result<Option<PasswordPolicy>, FixError> {
    match fix.clients.iam.get_account_password_policy().send().await {
        Ok(out) => Ok(out.password_policy().map(|p| PasswordPolicy {
            min_length: p.minimum_password_length().unwrap_or(8),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase: p.require_uppercase_characters(),
            require_lowercase: p.require_lowercase_characters(),
            allow_users_to_change: p.allow_users_to_change_password(),
            max_age_days: p.max_password_age().filter(|d| *d > 0),
            reuse_prevention: p.password_reuse_prevention().filter(|r| *r > 0),
            hard_expiry: p.hard_expiry().unwrap_or(false),
        })),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(FixError::from_sdk(
            "iam:GetAccountPasswordPolicy",
            "account",
            &[],
            e,
        )),
    }
}

impl Remediation for AccountPasswordPolicy {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        super::account_resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let current = password_policy(&fix).await?;
            let (next, changed) = strengthened(current, fix.settings.password);
            let changes = if changed.is_empty() {
                Vec::new()
            } else {
                vec![Change::new(
                    format!(
                        "set the password policy (length {}, all character classes, {} days, {} remembered); changed {}",
                        next.min_length,
                        next.max_age_days.unwrap_or_default(),
                        next.reuse_prevention.unwrap_or_default(),
                        changed.join(", ")
                    ),
                    &(),
                )]
            };
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("account {}", fix.target.name),
                        &PasswordBefore { policy: current },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let (next, _) = strengthened(password_policy(&fix).await?, fix.settings.password);
            put_password_policy(&fix, &next).await
        })
    }

    /// Puts the recorded password policy back exactly (settings hubfix never sets,
    /// such as no expiry, go back to IAM's defaults), or deletes the policy when the
    /// account had none.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let PasswordBefore { policy } = before.recorded()?;
            let Some(policy) = policy else {
                let deleted = fix
                    .clients
                    .iam
                    .delete_account_password_policy()
                    .send()
                    .await;
                ok_if_gone(deleted, "iam:DeleteAccountPasswordPolicy", "account")?;
                return Ok(vec![
                    "deleted the account password policy, which the account did not have before"
                        .into(),
                ]);
            };
            put_password_policy(&fix, &policy).await?;
            Ok(vec![format!(
                "put the account password policy back as it was (length {}, {} days, {} remembered)",
                policy.min_length,
                policy
                    .max_age_days
                    .map_or("never expiring".to_owned(), |d| d.to_string()),
                policy.reuse_prevention.unwrap_or_default()
            )])
        })
    }
}

async fn put_password_policy(fix: &Fix<'_>, p: &PasswordPolicy) -> Result<(), FixError> {
    fix.clients
        .iam
        .update_account_password_policy()
        .minimum_password_length(p.min_length)
        .require_symbols(p.require_symbols)
        .require_numbers(p.require_numbers)
        .require_uppercase_characters(p.require_uppercase)
        .require_lowercase_characters(p.require_lowercase)
        .allow_users_to_change_password(p.allow_users_to_change)
        .set_max_password_age(p.max_age_days)
        .set_password_reuse_prevention(p.reuse_prevention)
        .hard_expiry(p.hard_expiry)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| FixError::from_sdk("iam:UpdateAccountPasswordPolicy", "account", &[], e))
}

// ------------------------------------------------ IAM.3, IAM.8, IAM.22, CIS 1.13

/// An access key as the credential rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFacts {
    /// The key id.
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Days since it was created.
    pub age_days: Option<u64>,
    /// Days since it was last used (since creation when never used).
    pub idle_days: Option<u64>,
}

async fn keys(fix: &Fix<'_>, with_last_used: bool) -> Result<Vec<KeyFacts>, FixError> {
    let resource = format!("user {}", fix.target.name);
    let out = fix
        .clients
        .iam
        .list_access_keys()
        .user_name(&fix.target.name)
        .send()
        .await
        .map_err(iam_err("iam:ListAccessKeys", &resource))?;
    let now = fix.settings.now();
    let mut facts = Vec::new();
    for key in out.access_key_metadata() {
        let id = key.access_key_id().unwrap_or_default().to_owned();
        let age_days = days_between(now, key.create_date());
        let idle_days = if with_last_used {
            let used = fix
                .clients
                .iam
                .get_access_key_last_used()
                .access_key_id(&id)
                .send()
                .await
                .map_err(iam_err("iam:GetAccessKeyLastUsed", &resource))?;
            days_between(
                now,
                used.access_key_last_used().and_then(|u| u.last_used_date()),
            )
            .or(age_days)
        } else {
            None
        };
        facts.push(KeyFacts {
            id,
            status: key
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            age_days,
            idle_days,
        });
    }
    Ok(facts)
}

/// What the credential rules change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CredentialChange {
    /// Make an access key inactive (reversible).
    DeactivateKey {
        /// The key id.
        key_id: String,
    },
    /// Delete the console password (the user must be given a new one to sign in).
    DeleteConsolePassword,
}

/// An access key as the before-state records it: without its age, which changes every
/// day, so that reading the user back after an undo records the same state.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyState {
    /// The key id.
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
}

/// The before-state: the user's keys, and whether it had a console password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsBefore {
    /// The keys, by id.
    pub keys: Vec<KeyState>,
    /// Whether a console password existed.
    pub console_password: bool,
}

impl CredentialsBefore {
    /// The before-state of keys and a console password.
    pub fn of(keys: &[KeyFacts], console_password: bool) -> Self {
        let mut keys: Vec<KeyState> = keys
            .iter()
            .map(|k| KeyState {
                id: k.id.clone(),
                status: k.status.clone(),
            })
            .collect();
        keys.sort();
        CredentialsBefore {
            keys,
            console_password,
        }
    }
}

/// The outcome of a credentials undo: the steps taken, unless a console password was
/// deleted, which cannot be restored (IAM never reveals a password): then the error
/// says so and lists the steps that were taken all the same.
fn credentials_undone(
    user: &str,
    steps: Vec<String>,
    password_deleted: bool,
) -> Result<Vec<String>, FixError> {
    if !password_deleted {
        return Ok(steps);
    }
    let done = if steps.is_empty() {
        String::new()
    } else {
        format!("; the rest was undone: {}", steps.join("; "))
    };
    Err(FixError::Irreversible(format!(
        "the console password hubfix deleted from user {user} cannot be restored, as IAM never reveals a password: give the user a new one (CreateLoginProfile with PasswordResetRequired) if it still needs the console{done}"
    )))
}

/// Which credentials a rule removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialRule {
    /// `IAM.3`: active keys older than this many days.
    KeysOlderThan(u64),
    /// `IAM.8`, `IAM.22`: keys and console passwords unused for this many days.
    UnusedFor(u64),
    /// CIS 1.13: every active key but the newest.
    OneActiveKey,
}

/// `IAM.3`, `IAM.8`, `IAM.22`, CIS 1.13: deactivate access keys (and, for unused
/// credentials, delete an unused console password).
#[derive(Debug)]
pub struct Credentials(pub CredentialRule);

impl Credentials {
    /// The keys to deactivate, with why.
    pub fn keys_to_deactivate(&self, keys: &[KeyFacts]) -> Vec<(String, String)> {
        let active: Vec<&KeyFacts> = keys.iter().filter(|k| k.status == "Active").collect();
        match self.0 {
            CredentialRule::KeysOlderThan(days) => active
                .iter()
                .filter(|k| k.age_days.is_some_and(|a| a > days))
                .map(|k| {
                    (
                        k.id.clone(),
                        format!("{} days old", k.age_days.unwrap_or_default()),
                    )
                })
                .collect(),
            CredentialRule::UnusedFor(days) => active
                .iter()
                .filter(|k| k.idle_days.is_some_and(|d| d >= days))
                .map(|k| {
                    (
                        k.id.clone(),
                        format!("unused for {} days", k.idle_days.unwrap_or_default()),
                    )
                })
                .collect(),
            CredentialRule::OneActiveKey => {
                let newest = active
                    .iter()
                    .min_by_key(|k| k.age_days.unwrap_or(u64::MAX))
                    .map(|k| k.id.clone());
                active
                    .iter()
                    .filter(|k| Some(&k.id) != newest.as_ref())
                    .map(|k| (k.id.clone(), "an older second active key".to_owned()))
                    .collect()
            }
        }
    }
}

async fn console_password_idle_days(fix: &Fix<'_>) -> Result<Option<u64>, FixError> {
    let resource = format!("user {}", fix.target.name);
    let profile = match fix
        .clients
        .iam
        .get_login_profile()
        .user_name(&fix.target.name)
        .send()
        .await
    {
        Ok(out) => out.login_profile().cloned(),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => None,
        Err(e) => return Err(iam_err("iam:GetLoginProfile", &resource)(e)),
    };
    let Some(profile) = profile else {
        return Ok(None);
    };
    let user = fix
        .clients
        .iam
        .get_user()
        .user_name(&fix.target.name)
        .send()
        .await
        .map_err(iam_err("iam:GetUser", &resource))?;
    let now = fix.settings.now();
    let last = user.user().and_then(|u| u.password_last_used());
    Ok(days_between(now, last).or_else(|| days_between(now, Some(profile.create_date()))))
}

impl Remediation for Credentials {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        user_name(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = user_tags(&fix, with_tags).await?;
            let unused = match self.0 {
                CredentialRule::UnusedFor(days) => Some(days),
                _ => None,
            };
            let keys = keys(&fix, unused.is_some()).await?;
            let mut changes: Vec<Change> = self
                .keys_to_deactivate(&keys)
                .into_iter()
                .map(|(key_id, why)| {
                    Change::new(
                        format!("deactivated access key {key_id} ({why})"),
                        &CredentialChange::DeactivateKey { key_id },
                    )
                })
                .collect();
            let password_idle = match unused {
                Some(_) => console_password_idle_days(&fix).await?,
                None => None,
            };
            if let (Some(days), Some(idle)) = (unused, password_idle) {
                if idle >= days {
                    changes.push(Change::new(
                        format!("deleted the console password, unused for {idle} days"),
                        &CredentialChange::DeleteConsolePassword,
                    ));
                }
            }
            let before = CredentialsBefore::of(&keys, password_idle.is_some());
            Ok(Inspection {
                tags,
                plan: user_plan(&fix, &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let user = &fix.target.name;
            let resource = format!("user {user}");
            match change.detail::<CredentialChange>()? {
                CredentialChange::DeactivateKey { key_id } => fix
                    .clients
                    .iam
                    .update_access_key()
                    .user_name(user)
                    .access_key_id(key_id)
                    .status(StatusType::Inactive)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(iam_err("iam:UpdateAccessKey", &resource)),
                CredentialChange::DeleteConsolePassword => {
                    match fix
                        .clients
                        .iam
                        .delete_login_profile()
                        .user_name(user)
                        .send()
                        .await
                    {
                        Ok(_) => Ok(()),
                        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(()),
                        Err(e) => Err(iam_err("iam:DeleteLoginProfile", &resource)(e)),
                    }
                }
            }
        })
    }

    /// Reactivates the access keys the fix deactivated. A console password the fix
    /// deleted cannot be restored (nobody knows it): the keys are reactivated first
    /// all the same, then the undo returns [`FixError::Irreversible`] saying so and
    /// listing what it did undo. Without a deleted password, it returns the steps.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let user = &fix.target.name;
            let resource = format!("user {user}");
            let mut steps = Vec::new();
            let mut password_deleted = false;
            for change in changes {
                match change.detail::<CredentialChange>()? {
                    CredentialChange::DeactivateKey { key_id } => {
                        fix.clients
                            .iam
                            .update_access_key()
                            .user_name(user)
                            .access_key_id(&key_id)
                            .status(StatusType::Active)
                            .send()
                            .await
                            .map_err(iam_err("iam:UpdateAccessKey", &resource))?;
                        steps.push(format!("reactivated access key {key_id} of {resource}"));
                    }
                    CredentialChange::DeleteConsolePassword => password_deleted = true,
                }
            }
            credentials_undone(user, steps, password_deleted)
        })
    }
}

// -------------------------------------------------------------- IAM.2, CIS 1.15

/// `IAM.2`, CIS 1.15: a user's own policies move to a group of its own (`hubfix-<user>`)
/// that it joins, so it keeps exactly its permissions, now through a group.
#[derive(Debug)]
pub struct PoliciesThroughGroups;

/// The before-state: the user's managed and inline policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPoliciesBefore {
    /// Attached managed policy ARNs, sorted.
    pub managed: Vec<String>,
    /// Inline policies: name and document, by name.
    pub inline: Vec<(String, String)>,
}

/// The group a user's policies move to.
pub fn group_for(user: &str) -> String {
    let mut name = format!("hubfix-{user}");
    name.truncate(128);
    name
}

async fn user_policies(fix: &Fix<'_>) -> Result<UserPoliciesBefore, FixError> {
    let iam = &fix.clients.iam;
    let user = &fix.target.name;
    let resource = format!("user {user}");
    let mut managed: Vec<String> = iam
        .list_attached_user_policies()
        .user_name(user)
        .send()
        .await
        .map_err(iam_err("iam:ListAttachedUserPolicies", &resource))?
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_owned))
        .collect();
    let names = iam
        .list_user_policies()
        .user_name(user)
        .send()
        .await
        .map_err(iam_err("iam:ListUserPolicies", &resource))?
        .policy_names()
        .to_vec();
    let mut inline = Vec::new();
    for name in names {
        let doc = iam
            .get_user_policy()
            .user_name(user)
            .policy_name(&name)
            .send()
            .await
            .map_err(iam_err("iam:GetUserPolicy", &resource))?;
        let text = doc.policy_document().to_owned();
        let decoded = percent_decode(&text);
        inline.push((name, decoded));
    }
    managed.sort();
    inline.sort();
    Ok(UserPoliciesBefore { managed, inline })
}

/// IAM returns policy documents URL-encoded (RFC 3986: `+` stays a plus sign).
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Remediation for PoliciesThroughGroups {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        user_name(resource_id)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = user_tags(&fix, with_tags).await?;
            let before = user_policies(&fix).await?;
            let count = before.managed.len() + before.inline.len();
            let changes = if count == 0 {
                Vec::new()
            } else {
                vec![Change::new(
                    format!(
                        "moved {count} user polic{} to group {} and added the user to it (permissions unchanged)",
                        if count == 1 { "y" } else { "ies" },
                        group_for(&fix.target.name)
                    ),
                    &(),
                )]
            };
            Ok(Inspection {
                tags,
                plan: user_plan(&fix, &before, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let iam = &fix.clients.iam;
            let user = &fix.target.name;
            let group = group_for(user);
            let resource = format!("user {user}");
            let policies = user_policies(&fix).await?;
            match iam.create_group().group_name(&group).send().await {
                Ok(_) => {}
                Err(e) if service_code(&e) == Some("EntityAlreadyExists") => {}
                Err(e) => return Err(iam_err("iam:CreateGroup", &resource)(e)),
            }
            for arn in &policies.managed {
                iam.attach_group_policy()
                    .group_name(&group)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map_err(iam_err("iam:AttachGroupPolicy", &resource))?;
            }
            for (name, document) in &policies.inline {
                iam.put_group_policy()
                    .group_name(&group)
                    .policy_name(name)
                    .policy_document(document)
                    .send()
                    .await
                    .map_err(iam_err("iam:PutGroupPolicy", &resource))?;
            }
            iam.add_user_to_group()
                .group_name(&group)
                .user_name(user)
                .send()
                .await
                .map_err(iam_err("iam:AddUserToGroup", &resource))?;
            for arn in &policies.managed {
                iam.detach_user_policy()
                    .user_name(user)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map_err(iam_err("iam:DetachUserPolicy", &resource))?;
            }
            for (name, _) in &policies.inline {
                iam.delete_user_policy()
                    .user_name(user)
                    .policy_name(name)
                    .send()
                    .await
                    .map_err(iam_err("iam:DeleteUserPolicy", &resource))?;
            }
            Ok(())
        })
    }

    /// Attaches and puts the recorded policies on the user again, then takes them off
    /// the group `hubfix-<user>`, removes the user from it and deletes the group; a
    /// group that has other members or policies by then is kept (and said so).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let policies: UserPoliciesBefore = before.recorded()?;
            let mut steps = vec![give_back_policies(&fix, &policies).await?];
            steps.push(empty_group(&fix, &policies).await?);
            Ok(steps)
        })
    }
}

/// Attaches and puts the recorded policies on the user again.
async fn give_back_policies(
    fix: &Fix<'_>,
    policies: &UserPoliciesBefore,
) -> Result<String, FixError> {
    let iam = &fix.clients.iam;
    let user = &fix.target.name;
    let resource = format!("user {user}");
    for arn in &policies.managed {
        iam.attach_user_policy()
            .user_name(user)
            .policy_arn(arn)
            .send()
            .await
            .map_err(iam_err("iam:AttachUserPolicy", &resource))?;
    }
    for (name, document) in &policies.inline {
        iam.put_user_policy()
            .user_name(user)
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .map_err(iam_err("iam:PutUserPolicy", &resource))?;
    }
    Ok(format!(
        "attached {} managed and put {} inline polic(ies) back on {resource}",
        policies.managed.len(),
        policies.inline.len()
    ))
}

/// Takes the recorded policies off the user's group, removes the user from it and
/// deletes it unless it has other members or policies.
async fn empty_group(fix: &Fix<'_>, policies: &UserPoliciesBefore) -> Result<String, FixError> {
    let iam = &fix.clients.iam;
    let user = &fix.target.name;
    let group = group_for(user);
    let resource = format!("group {group}");
    let removed = iam
        .remove_user_from_group()
        .group_name(&group)
        .user_name(user)
        .send()
        .await;
    ok_if_gone(removed, "iam:RemoveUserFromGroup", &resource)?;
    for arn in &policies.managed {
        let detached = iam
            .detach_group_policy()
            .group_name(&group)
            .policy_arn(arn)
            .send()
            .await;
        ok_if_gone(detached, "iam:DetachGroupPolicy", &resource)?;
    }
    for (name, _) in &policies.inline {
        let deleted = iam
            .delete_group_policy()
            .group_name(&group)
            .policy_name(name)
            .send()
            .await;
        ok_if_gone(deleted, "iam:DeleteGroupPolicy", &resource)?;
    }
    match iam.delete_group().group_name(&group).send().await {
        Ok(_) => Ok(format!("removed user {user} from {resource} and deleted it")),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(format!(
            "{resource} is already gone"
        )),
        Err(e) if service_code(&e) == Some("DeleteConflict") => Ok(format!(
            "removed user {user} from {resource} and took its policies off it; kept the group, which has other members or policies now"
        )),
        Err(e) => Err(FixError::from_sdk("iam:DeleteGroup", &resource, &[], e)),
    }
}

// ------------------------------------------------------------------------ IAM.18

/// `IAM.18`: some role has `AWSSupportAccess` to manage incidents with AWS Support; if
/// none has, hubfix creates `hubfix-aws-support`, assumable by the account's principals.
#[derive(Debug)]
pub struct SupportRole;

/// The before-state: who had the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportBefore {
    /// Roles with `AWSSupportAccess`, sorted.
    pub roles: Vec<String>,
    /// Whether a role named `hubfix-aws-support` existed (an undo deletes the role only
    /// when hubfix created it).
    pub support_role_exists: bool,
}

async fn support_role_exists(fix: &Fix<'_>) -> Result<bool, FixError> {
    match fix
        .clients
        .iam
        .get_role()
        .role_name(SUPPORT_ROLE)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(FixError::from_sdk("iam:GetRole", SUPPORT_ROLE, &[], e)),
    }
}

fn support_policy_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{SUPPORT_POLICY}")
}

impl Remediation for SupportRole {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        super::account_resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let out = fix
                .clients
                .iam
                .list_entities_for_policy()
                .policy_arn(support_policy_arn(&fix.target.partition))
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("iam:ListEntitiesForPolicy", SUPPORT_POLICY, &[], e)
                })?;
            let mut roles: Vec<String> = out
                .policy_roles()
                .iter()
                .filter_map(|r| r.role_name().map(str::to_owned))
                .collect();
            roles.sort();
            let exists = support_role_exists(&fix).await?;
            let changes = if roles.is_empty() {
                vec![Change::new(
                    format!("created role {SUPPORT_ROLE} with {SUPPORT_POLICY}, assumable by the account's principals"),
                    &(),
                )]
            } else {
                Vec::new()
            };
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("account {}", fix.target.name),
                        &SupportBefore {
                            roles,
                            support_role_exists: exists,
                        },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let iam = &fix.clients.iam;
            let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": format!("arn:{}:iam::{}:root", fix.target.partition, fix.target.account)},
                "Action": "sts:AssumeRole"}]});
            match iam
                .create_role()
                .role_name(SUPPORT_ROLE)
                .description("Manages incidents with AWS Support (CIS / IAM.18); created by hubfix")
                .assume_role_policy_document(trust.to_string())
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if service_code(&e) == Some("EntityAlreadyExists") => {}
                Err(e) => return Err(FixError::from_sdk("iam:CreateRole", SUPPORT_ROLE, &[], e)),
            }
            iam.attach_role_policy()
                .role_name(SUPPORT_ROLE)
                .policy_arn(support_policy_arn(&fix.target.partition))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| FixError::from_sdk("iam:AttachRolePolicy", SUPPORT_ROLE, &[], e))
        })
    }

    /// Detaches `AWSSupportAccess` from `hubfix-aws-support` and deletes the role, when
    /// hubfix created it (a role of that name that existed before is kept).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let SupportBefore {
                support_role_exists,
                ..
            } = before.recorded()?;
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let iam = &fix.clients.iam;
            let detached = iam
                .detach_role_policy()
                .role_name(SUPPORT_ROLE)
                .policy_arn(support_policy_arn(&fix.target.partition))
                .send()
                .await;
            ok_if_gone(detached, "iam:DetachRolePolicy", SUPPORT_ROLE)?;
            if support_role_exists {
                return Ok(vec![format!(
                    "detached {SUPPORT_POLICY} from role {SUPPORT_ROLE}, which existed before the fix and stays"
                )]);
            }
            match iam.delete_role().role_name(SUPPORT_ROLE).send().await {
                Ok(_) => Ok(vec![format!(
                    "detached {SUPPORT_POLICY} from role {SUPPORT_ROLE} and deleted the role"
                )]),
                Err(e) if service_code(&e) == Some("NoSuchEntity") => {
                    Ok(vec![format!("role {SUPPORT_ROLE} is already gone")])
                }
                Err(e) if service_code(&e) == Some("DeleteConflict") => Err(FixError::Target(format!(
                    "detached {SUPPORT_POLICY} from role {SUPPORT_ROLE}, but the role has other policies or instance profiles now, so hubfix leaves it: delete it by hand if nothing needs it"
                ))),
                Err(e) => Err(FixError::from_sdk("iam:DeleteRole", SUPPORT_ROLE, &[], e)),
            }
        })
    }
}

// ------------------------------------------------------------------------ IAM.28

/// `IAM.28`: an external access analyzer is active in the region; if none is, hubfix
/// creates an account analyzer `hubfix-account-analyzer`.
#[derive(Debug)]
pub struct ExternalAccessAnalyzer;

/// Name of the analyzer hubfix creates.
pub const ANALYZER_NAME: &str = "hubfix-account-analyzer";

/// The before-state: the region's analyzers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerBefore {
    /// `name (type, status)` of each analyzer, sorted.
    pub analyzers: Vec<String>,
}

impl AnalyzerBefore {
    /// Whether hubfix's analyzer existed (in any status) before the fix.
    pub fn had_hubfix_analyzer(&self) -> bool {
        let prefix = format!("{ANALYZER_NAME} (");
        self.analyzers.iter().any(|a| a.starts_with(&prefix))
    }
}

impl Remediation for ExternalAccessAnalyzer {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        super::account_resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let mut analyzers = Vec::new();
            let mut active_external = false;
            let mut pages = fix
                .clients
                .accessanalyzer
                .list_analyzers()
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    FixError::from_sdk("access-analyzer:ListAnalyzers", "analyzers", &[], e)
                })?;
                for a in page.analyzers() {
                    let kind = a.r#type().as_str();
                    let status = a.status().as_str();
                    active_external |=
                        matches!(kind, "ACCOUNT" | "ORGANIZATION") && status == "ACTIVE";
                    analyzers.push(format!("{} ({kind}, {status})", a.name()));
                }
            }
            analyzers.sort();
            let changes = if active_external {
                Vec::new()
            } else {
                vec![Change::new(
                    format!(
                        "created external access analyzer {ANALYZER_NAME} in {}",
                        fix.target.region
                    ),
                    &(),
                )]
            };
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("account {}", fix.target.name),
                        &AnalyzerBefore { analyzers },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            match fix
                .clients
                .accessanalyzer
                .create_analyzer()
                .analyzer_name(ANALYZER_NAME)
                .r#type(aws_sdk_accessanalyzer::types::Type::Account)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if service_code(&e) == Some("ConflictException") => Ok(()),
                Err(e) => Err(FixError::from_sdk(
                    "access-analyzer:CreateAnalyzer",
                    ANALYZER_NAME,
                    &[],
                    e,
                )),
            }
        })
    }

    /// Deletes the analyzer hubfix created; one of that name that existed before the
    /// fix is kept.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let before: AnalyzerBefore = before.recorded()?;
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            let region = &fix.target.region;
            if before.had_hubfix_analyzer() {
                return Ok(vec![format!(
                    "kept analyzer {ANALYZER_NAME} in {region}: it existed before the fix"
                )]);
            }
            match fix
                .clients
                .accessanalyzer
                .delete_analyzer()
                .analyzer_name(ANALYZER_NAME)
                .send()
                .await
            {
                Ok(_) => Ok(vec![format!(
                    "deleted external access analyzer {ANALYZER_NAME} in {region}"
                )]),
                Err(e) if service_code(&e) == Some("ResourceNotFoundException") => {
                    Ok(vec![format!(
                        "analyzer {ANALYZER_NAME} in {region} is already gone"
                    )])
                }
                Err(e) => Err(FixError::from_sdk(
                    "access-analyzer:DeleteAnalyzer",
                    ANALYZER_NAME,
                    &[],
                    e,
                )),
            }
        })
    }
}

// ------------------------------------------------------------------------ IAM.26

/// `IAM.26`: expired server certificates stored in IAM are deleted (approval-only).
#[derive(Debug)]
pub struct ExpiredServerCertificates;

/// A certificate removed, kept so it can be uploaded again (the private key never
/// leaves IAM, so an undo needs it from its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRecord {
    /// Its name.
    pub name: String,
    /// Days since it expired.
    pub expired_days: u64,
}

/// The before-state: the expired certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatesBefore {
    /// Expired certificates.
    pub expired: Vec<CertificateRecord>,
}

/// The certificates whose expiry is before `now`.
pub fn expired_certificates(
    certificates: &[(String, SystemTime)],
    now: SystemTime,
) -> Vec<CertificateRecord> {
    certificates
        .iter()
        .filter_map(|(name, expiry)| {
            let past = now.duration_since(*expiry).ok()?;
            Some(CertificateRecord {
                name: name.clone(),
                expired_days: past.as_secs() / DAY,
            })
        })
        .collect()
}

impl Remediation for ExpiredServerCertificates {
    fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        super::account_resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let out = fix
                .clients
                .iam
                .list_server_certificates()
                .send()
                .await
                .map_err(|e| FixError::from_sdk("iam:ListServerCertificates", "account", &[], e))?;
            let certificates: Vec<(String, SystemTime)> = out
                .server_certificate_metadata_list()
                .iter()
                .filter_map(|c| {
                    let expiry = SystemTime::try_from(*c.expiration()?).ok()?;
                    Some((c.server_certificate_name().to_owned(), expiry))
                })
                .collect();
            let expired = expired_certificates(&certificates, fix.settings.now());
            let changes = expired
                .iter()
                .map(|c| {
                    Change::new(
                        format!(
                            "deleted server certificate {} (expired {} days ago)",
                            c.name, c.expired_days
                        ),
                        &c.name,
                    )
                })
                .collect();
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("account {}", fix.target.name),
                        &CertificatesBefore { expired },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let name: String = change.detail()?;
            match fix
                .clients
                .iam
                .delete_server_certificate()
                .server_certificate_name(&name)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(()),
                Err(e) => Err(FixError::from_sdk(
                    "iam:DeleteServerCertificate",
                    &format!("certificate {name}"),
                    &[],
                    e,
                )),
            }
        })
    }

    /// Always [`FixError::Irreversible`]: IAM cannot restore a deleted certificate and
    /// never returned its private key; the error names the certificates to upload again.
    fn undo<'a>(
        &'a self,
        _fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let names = changes
                .iter()
                .map(|c| c.detail::<String>())
                .collect::<Result<Vec<_>, _>>()?;
            Err(FixError::Irreversible(format!(
                "hubfix deleted the expired server certificates {}, and IAM cannot restore a deleted certificate (it never returns the private key): upload them again from their owner's copy (UploadServerCertificate) if they are still needed",
                names.join(", ")
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
