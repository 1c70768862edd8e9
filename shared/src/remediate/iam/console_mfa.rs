//! IAM.5: console users without an MFA device.
//!
//! The fix a security team wants is the user registering an MFA device, which only the
//! user can do; the note says so. What hubfix can do, on approval, is take the console
//! password away until they have one. IAM never reveals a password, so that cannot be
//! undone: only a new password (which the user must change) gives the console back.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "IAM.5",
    title: "MFA should be enabled for all IAM users that have a console password",
    resource_type: "AwsIamUser",
    fix: "The user should register an MFA device (the note says how). On approval, hubfix deletes the console password of a user without one; access keys are kept. Irreversible: only a new password (CreateLoginProfile with PasswordResetRequired) gives the console back.",
    iam_actions: &[
        "iam:ListUserTags",
        "iam:ListMFADevices",
        "iam:GetLoginProfile",
        "iam:DeleteLoginProfile",
    ],
    impact: Impact::Disruptive,
    remediation: &ConsoleWithoutMfa,
}];

/// `IAM.5`: deletes the console password of a user without an MFA device.
#[derive(Debug)]
pub struct ConsoleWithoutMfa;

/// The before-state: whether the user had a console password and how many MFA devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleMfaBefore {
    /// Whether the user had a console password.
    pub console_password: bool,
    /// The user's MFA devices (virtual and hardware).
    pub mfa_devices: usize,
}

/// The plan: delete the console password of a user who has one and no MFA device.
pub fn console_mfa_plan(user: &str, before: ConsoleMfaBefore) -> Plan {
    let changes = if before.console_password && before.mfa_devices == 0 {
        vec![Change::new(
            format!(
                "deleted the console password of user {user}, who had no MFA device; access keys are kept. To give the console back, register an MFA device for the user (aws iam create-virtual-mfa-device, then enable-mfa-device) and set a new password (aws iam create-login-profile --user-name {user} --password-reset-required)"
            ),
            &(),
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(format!("user {user}"), &before),
        changes,
    }
}

async fn mfa_devices(fix: &Fix<'_>) -> Result<usize, FixError> {
    let resource = format!("user {}", fix.target.name);
    let mut count = 0;
    let mut pages = fix
        .clients
        .iam
        .list_mfa_devices()
        .user_name(&fix.target.name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        count += page
            .map_err(iam_err("iam:ListMFADevices", &resource))?
            .mfa_devices()
            .len();
    }
    Ok(count)
}

impl Remediation for ConsoleWithoutMfa {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = user_tags(&fix, with_tags).await?;
            let before = ConsoleMfaBefore {
                console_password: login_profile(&fix).await?.is_some(),
                mfa_devices: mfa_devices(&fix).await?,
            };
            Ok(Inspection {
                tags,
                plan: console_mfa_plan(&fix.target.name, before),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { delete_login_profile(&fix).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let user = &fix.target.name;
            Err(FixError::Irreversible(format!(
                "the console password hubfix deleted from user {user} cannot be restored, as IAM never reveals a password: register an MFA device for the user, then give them a new password (aws iam create-login-profile --user-name {user} --password-reset-required)"
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_console_user_without_mfa_loses_the_password() {
        let plan = |console_password, mfa_devices| {
            console_mfa_plan(
                "dana",
                ConsoleMfaBefore {
                    console_password,
                    mfa_devices,
                },
            )
        };
        assert!(plan(true, 0).describe().contains("create-login-profile"));
        assert!(plan(true, 1).is_compliant(), "has MFA");
        assert!(plan(false, 0).is_compliant(), "no console password");
    }
}
