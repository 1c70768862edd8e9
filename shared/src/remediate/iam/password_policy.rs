//! IAM.7, IAM.10-IAM.17.

use super::*;
use crate::remediate::{Impact, Rule};

const PASSWORD_FIX: &str = "Sets one account password policy that satisfies IAM.7 and IAM.10 to IAM.17 (length 14, all character classes, 24 remembered, 90 days; configurable), keeping any stronger setting.";

const PASSWORD_ACTIONS: &[&str] = &[
    "iam:GetAccountPasswordPolicy",
    "iam:UpdateAccountPasswordPolicy",
    "iam:DeleteAccountPasswordPolicy",
];

/// The password-policy controls share one fix.
const fn password_rule(control_id: &'static str, title: &'static str) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsAccount",
        fix: PASSWORD_FIX,
        iam_actions: PASSWORD_ACTIONS,
        impact: Impact::Safe,
        remediation: &AccountPasswordPolicy,
    }
}

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    password_rule(
        "IAM.7",
        "Password policies for IAM users should have strong configurations",
    ),
    password_rule(
        "IAM.10",
        "Password policies for IAM users should have strong AWS Configurations",
    ),
    password_rule(
        "IAM.11",
        "Ensure IAM password policy requires at least one uppercase letter",
    ),
    password_rule(
        "IAM.12",
        "Ensure IAM password policy requires at least one lowercase letter",
    ),
    password_rule(
        "IAM.13",
        "Ensure IAM password policy requires at least one symbol",
    ),
    password_rule(
        "IAM.14",
        "Ensure IAM password policy requires at least one number",
    ),
    password_rule(
        "IAM.15",
        "Ensure IAM password policy requires minimum password length of 14 or greater",
    ),
    password_rule(
        "IAM.16",
        "Ensure IAM password policy prevents password reuse",
    ),
    password_rule(
        "IAM.17",
        "Ensure IAM password policy expires passwords within 90 days or less",
    ),
];

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
