//! IAM.3, IAM.8, IAM.22, CIS 1.13.

use super::*;
use crate::remediate::{Impact, Rule};

const UNUSED_ACTIONS: &[&str] = &[
    "iam:ListUserTags",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
    "iam:UpdateAccessKey",
    "iam:GetUser",
    "iam:GetLoginProfile",
    "iam:DeleteLoginProfile",
];

const KEY_ACTIONS: &[&str] = &[
    "iam:ListUserTags",
    "iam:ListAccessKeys",
    "iam:UpdateAccessKey",
];

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "IAM.3",
        title: "IAM users' access keys should be rotated every 90 days or less",
        resource_type: "AwsIamUser",
        fix: "Deactivates the user's active access keys older than 90 days (reversible: reactivate after rotating).",
        iam_actions: KEY_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &Credentials(CredentialRule::KeysOlderThan(90)),
    },
    Rule {
        control_id: "IAM.8",
        title: "Unused IAM user credentials should be removed",
        resource_type: "AwsIamUser",
        fix: "Deactivates access keys unused for 90 days and deletes a console password unused for 90 days.",
        iam_actions: UNUSED_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &Credentials(CredentialRule::UnusedFor(90)),
    },
    Rule {
        control_id: "IAM.22",
        title: "IAM user credentials unused for 45 days should be removed",
        resource_type: "AwsIamUser",
        fix: "Deactivates access keys unused for 45 days and deletes a console password unused for 45 days.",
        iam_actions: UNUSED_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &Credentials(CredentialRule::UnusedFor(45)),
    },
    Rule {
        control_id: "CIS.1.13",
        title: "Ensure there is only one active access key available for any single IAM user (CIS 1.4.0 1.13)",
        resource_type: "AwsIamUser",
        fix: "Deactivates every active access key of the user but the newest.",
        iam_actions: KEY_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &Credentials(CredentialRule::OneActiveKey),
    },
];

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
pub(super) fn credentials_undone(
    user: &str,
    steps: Vec<String>,
    password_deleted: bool,
) -> Result<Vec<String>, FixError> {
    if !password_deleted {
        return Ok(steps);
    }
    Err(FixError::irreversible_after(
        format!("the console password hubfix deleted from user {user} cannot be restored, as IAM never reveals a password: give the user a new one (CreateLoginProfile with PasswordResetRequired) if it still needs the console"),
        &steps,
    ))
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
    let Some(profile) = login_profile(fix).await? else {
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
                CredentialChange::DeleteConsolePassword => delete_login_profile(&fix).await,
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
