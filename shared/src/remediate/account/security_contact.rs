//! `Account.1` (CIS 5.0 1.2, CIS 3.0 1.2, CIS 1.4 1.2): the account has a security
//! contact.
//!
//! AWS writes to an account's security contact (the alternate contact of type
//! `SECURITY`) about abuse and security issues. hubfix gives an account that has none
//! the contact its operators configure (`HUBFIX_SECURITY_CONTACT_*`); one already set,
//! whoever it names, is left as it is. The call runs in the finding's account, through
//! the member role for a member account. Undo deletes the contact hubfix set.

use aws_sdk_account::types::AlternateContactType;
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};
use crate::settings::SecurityContact;

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "Account.1",
    title: "Security contact information should be provided for an AWS account",
    resource_type: "AwsAccount",
    fix: "Sets the account's security contact (alternate contact SECURITY) to the configured name, title, e-mail and phone (HUBFIX_SECURITY_CONTACT_*) when it has none; unset, the finding is noted as needing them. Undo deletes it.",
    iam_actions: &[
        "account:GetAlternateContact",
        "account:PutAlternateContact",
        "account:DeleteAlternateContact",
    ],
    impact: Impact::Safe,
    remediation: &SecurityContactProvided,
}];

/// `Account.1`: gives an account without a security contact the configured one.
#[derive(Debug)]
pub struct SecurityContactProvided;

/// The code Account Management answers when the account has no such contact.
const NO_CONTACT: &str = "ResourceNotFoundException";

/// The before-state: the security contact the account had, by name and e-mail (its
/// phone number is not kept in the audit trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityContactBefore {
    /// `name <e-mail>` of the contact, `None` when the account had none.
    pub contact: Option<String>,
}

/// The plan: set the configured contact on an account without one.
pub fn security_contact_plan(
    account: &str,
    before: SecurityContactBefore,
    configured: Option<&SecurityContact>,
) -> Result<Plan, FixError> {
    let changes = match (&before.contact, configured) {
        (Some(_), _) => Vec::new(),
        (None, None) => {
            return Err(FixError::Unconfigured(
                "Account.1 needs the security contact to set: HUBFIX_SECURITY_CONTACT_NAME, HUBFIX_SECURITY_CONTACT_EMAIL and HUBFIX_SECURITY_CONTACT_PHONE (template parameters SecurityContactName, SecurityContactEmail and SecurityContactPhone)".into(),
            ))
        }
        (None, Some(c)) => vec![Change::new(
            format!(
                "set the security contact of account {account} to {} ({}) <{}>",
                c.name, c.title, c.email
            ),
            &(),
        )],
    };
    Ok(Plan {
        before: BeforeState::new(format!("account {account}"), &before),
        changes,
    })
}

async fn current_contact(fix: &Fix<'_>) -> Result<Option<String>, FixError> {
    let answer = fix
        .clients
        .account
        .get_alternate_contact()
        .alternate_contact_type(AlternateContactType::Security)
        .send()
        .await;
    match answer {
        Ok(out) => Ok(out.alternate_contact().map(|c| {
            format!(
                "{} <{}>",
                c.name().unwrap_or_default(),
                c.email_address().unwrap_or_default()
            )
        })),
        Err(e) if service_code(&e) == Some(NO_CONTACT) => Ok(None),
        Err(e) => Err(FixError::from_sdk(
            "account:GetAlternateContact",
            &format!("account {}", fix.target.name),
            &[],
            e,
        )),
    }
}

impl Remediation for SecurityContactProvided {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let before = SecurityContactBefore {
                contact: current_contact(&fix).await?,
            };
            Ok(Inspection {
                tags: None,
                plan: security_contact_plan(
                    &fix.target.name,
                    before,
                    fix.settings.security_contact.as_ref(),
                )?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let contact = fix.settings.security_contact.as_ref().ok_or_else(|| {
                FixError::Unconfigured("Account.1 needs HUBFIX_SECURITY_CONTACT_*".into())
            })?;
            fix.clients
                .account
                .put_alternate_contact()
                .alternate_contact_type(AlternateContactType::Security)
                .name(&contact.name)
                .title(&contact.title)
                .email_address(&contact.email)
                .phone_number(&contact.phone)
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk(
                        "account:PutAlternateContact",
                        &format!("account {}", fix.target.name),
                        &[],
                        e,
                    )
                })
        })
    }

    /// Deletes the security contact hubfix set; a contact the account had before is
    /// never touched (hubfix made no change then).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: SecurityContactBefore = before.recorded()?;
            if changes.is_empty() || recorded.contact.is_some() {
                return Ok(Vec::new());
            }
            let account = &fix.target.name;
            let deleted = fix
                .clients
                .account
                .delete_alternate_contact()
                .alternate_contact_type(AlternateContactType::Security)
                .send()
                .await;
            match deleted {
                Ok(_) => Ok(vec![format!(
                    "deleted the security contact hubfix set on account {account}"
                )]),
                Err(e) if service_code(&e) == Some(NO_CONTACT) => Ok(vec![format!(
                    "account {account} has no security contact already"
                )]),
                Err(e) => Err(FixError::from_sdk(
                    "account:DeleteAlternateContact",
                    &format!("account {account}"),
                    &[],
                    e,
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> SecurityContact {
        SecurityContact {
            name: "Cloud Security Team".into(),
            title: "Security".into(),
            email: "security@example.com".into(),
            phone: "+1 206 555 0100".into(),
        }
    }

    #[test]
    fn only_an_account_without_a_contact_gets_the_configured_one() {
        let none = SecurityContactBefore { contact: None };
        let plan = security_contact_plan("111122223333", none.clone(), Some(&contact())).unwrap();
        let text = plan.describe();
        assert!(
            text.contains("Cloud Security Team (Security) <security@example.com>"),
            "{text}"
        );
        assert!(
            !text.contains("555"),
            "the phone number stays out of notes: {text}"
        );
        let set = SecurityContactBefore {
            contact: Some("Someone Else <else@example.com>".into()),
        };
        assert!(
            security_contact_plan("111122223333", set.clone(), Some(&contact()))
                .unwrap()
                .is_compliant()
        );
        assert!(security_contact_plan("111122223333", set, None)
            .unwrap()
            .is_compliant());
        let err = security_contact_plan("111122223333", none, None).unwrap_err();
        assert!(
            matches!(err, FixError::Unconfigured(ref s) if s.contains("HUBFIX_SECURITY_CONTACT_EMAIL"))
        );
    }
}
