//! The `QuarantineCredentials` playbook: cut off IAM credentials GuardDuty reports as
//! stolen or misused. A user's access key (`AKIA...`) is deactivated; every session
//! issued to the principal before now (a role's, or a user's from `GetSessionToken`)
//! is denied by an inline policy on the user or role, `Deny *` on `*` while
//! `aws:TokenIssueTime` is before the quarantine, as IAM's "Revoke active sessions"
//! does for roles. Sessions issued later, by the instance profile or the user's next
//! sign-in, are not affected: a contained instance has lost its profile, and a
//! deactivated key issues nothing.
//!
//! The root user is never quarantined by policy (IAM cannot restrict it), nor are
//! service-linked roles and IAM Identity Center's roles (IAM refuses to change them):
//! those findings get the steps for a person.

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::finding::{quoted, SeverityLabel, MAX_QUOTED_CHARS};
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::playbook::{guardduty, FindingType, Playbook};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The playbook's id.
pub const PLAYBOOK_QUARANTINE_CREDENTIALS: &str = "QuarantineCredentials";
/// The custom action that runs it (Security Hub allows 20 characters, so not
/// `QuarantineCredentials`).
pub const ACTION_QUARANTINE: &str = "Quarantine";
/// The inline policy that denies sessions issued before the quarantine.
pub const REVOKE_POLICY_NAME: &str = "hubfix-revoke-older-sessions";
/// The statement id of the deny.
const REVOKE_SID: &str = "HubfixRevokeOlderSessions";
const NO_SUCH_ENTITY: &[&str] = &["NoSuchEntity"];

/// GuardDuty's finding types of credentials used by someone else, in their ASFF form.
/// The `*:IAMUser/AnomalousBehavior` types are not here: Security Hub writes them all
/// as `IAMUser-AnomalousBehavior` (the purpose only in the namespace), and an anomaly
/// model's verdict is for a person to weigh before a key is cut off.
const STOLEN_CREDENTIALS: &[FindingType] = &[
    guardduty("UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS"),
    guardduty("UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.InsideAWS"),
    guardduty("UnauthorizedAccess:IAMUser-MaliciousIPCaller"),
    guardduty("UnauthorizedAccess:IAMUser-MaliciousIPCaller.Custom"),
    guardduty("UnauthorizedAccess:IAMUser-TorIPCaller"),
];

/// The playbook.
pub(crate) static PLAYBOOKS: &[Playbook] = &[Playbook {
    rule: Rule {
        control_id: PLAYBOOK_QUARANTINE_CREDENTIALS,
        title: "Quarantine IAM credentials GuardDuty reports as misused",
        resource_type: "AwsIamAccessKey",
        fix: "Deactivates the user's access key and denies every session the user or role was issued before now (an inline policy on aws:TokenIssueTime, as IAM's Revoke active sessions).",
        iam_actions: &[
            "iam:DeleteRolePolicy",
            "iam:DeleteUserPolicy",
            "iam:GetAccessKeyLastUsed",
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:GetUserPolicy",
            "iam:ListAccessKeys",
            "iam:PutRolePolicy",
            "iam:PutUserPolicy",
            "iam:UpdateAccessKey",
        ],
        impact: Impact::Disruptive,
        remediation: &QuarantineCredentials,
    },
    finding_types: STOLEN_CREDENTIALS,
    min_severity: SeverityLabel::Medium,
    action: Some(ACTION_QUARANTINE),
    automatic_when: None,
}];

/// The `QuarantineCredentials` playbook.
#[derive(Debug)]
pub struct QuarantineCredentials;

/// Who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principal {
    /// An IAM user.
    User(String),
    /// An IAM role (the credentials are a session of it).
    Role(String),
    /// The account's root user.
    Root,
}

impl Principal {
    fn describe(&self) -> String {
        match self {
            Principal::User(n) => format!("user {n}"),
            Principal::Role(n) => format!("role {n}"),
            Principal::Root => "the root user".into(),
        }
    }
}

/// The credentials a finding names: the access key, and its principal when the
/// finding's details say (`key@user/name`, `key@role/name`, `key@root`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The access key id.
    pub key_id: String,
    /// The principal the finding names, if any.
    pub principal: Option<Principal>,
}

impl Credential {
    /// Whether the key is a long-term user key (`AKIA`), which can be deactivated;
    /// session keys (`ASIA`) cannot, only denied.
    pub fn is_long_term(&self) -> bool {
        self.key_id.starts_with("AKIA")
    }

    /// The name hubfix keeps: `key`, `key@user/name`, `key@role/name` or `key@root`.
    pub fn name(&self) -> String {
        match &self.principal {
            None => self.key_id.clone(),
            Some(Principal::User(n)) => format!("{}@user/{n}", self.key_id),
            Some(Principal::Role(n)) => format!("{}@role/{n}", self.key_id),
            Some(Principal::Root) => format!("{}@root", self.key_id),
        }
    }

    /// Parses and checks a name [`Credential::name`] wrote.
    pub fn parse(name: &str) -> Result<Credential, FixError> {
        let bad = || {
            FixError::Target(format!(
                "`{}` is not an access key hubfix can act on",
                quoted(name, MAX_QUOTED_CHARS)
            ))
        };
        let (key, principal) = match name.split_once('@') {
            None => (name, None),
            Some((key, "root")) => (key, Some(Principal::Root)),
            Some((key, rest)) => match rest.split_once('/') {
                Some(("user", n)) if is_iam_name(n) => (key, Some(Principal::User(n.into()))),
                Some(("role", n)) if is_iam_name(n) => (key, Some(Principal::Role(n.into()))),
                _ => return Err(bad()),
            },
        };
        if !is_access_key_id(key) {
            return Err(bad());
        }
        Ok(Credential {
            key_id: key.to_owned(),
            principal,
        })
    }
}

/// An access key id: `AKIA` or `ASIA` and upper-case letters and digits, 16 to 128.
pub fn is_access_key_id(key: &str) -> bool {
    (key.starts_with("AKIA") || key.starts_with("ASIA"))
        && (16..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An IAM user or role name.
fn is_iam_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// The naming id of an `AwsIamAccessKey` resource: its key id (from
/// `Details.AwsIamAccessKey.AccessKeyId`, else the `AWS::IAM::AccessKey:` id) and the
/// principal its details name (`PrincipalName`, else the deprecated `UserName`).
pub fn naming_id(resource_id: &str, details: Option<&serde_json::Value>) -> String {
    let field = |k: &str| {
        details
            .and_then(|d| d.get("AwsIamAccessKey"))
            .and_then(|d| d.get(k))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let key = field("AccessKeyId")
        .or_else(|| resource_id.strip_prefix("AWS::IAM::AccessKey:"))
        .unwrap_or(resource_id);
    let name = field("PrincipalName").or_else(|| field("UserName"));
    let principal = match (field("PrincipalType"), name) {
        (Some("Root"), _) => Some(Principal::Root),
        (Some("AssumedRole" | "Role"), Some(n)) => Some(Principal::Role(n.to_owned())),
        (Some("IAMUser" | "User") | None, Some(n)) if n != "Root" => {
            Some(Principal::User(n.to_owned()))
        }
        (None, Some(_)) => Some(Principal::Root),
        _ => None,
    };
    Credential {
        key_id: key.to_owned(),
        principal,
    }
    .name()
}

/// The credentials as the quarantine reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// The access key id.
    pub key_id: String,
    /// The user or role to deny older sessions of.
    pub principal: Principal,
    /// Whether the (long-term) key is active; `None` for a session key.
    pub key_active: Option<bool>,
    /// The principal's hubfix revoke policy, if it has one.
    pub revoke_policy: Option<String>,
}

/// One step of the quarantine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Deactivate the user's access key.
    Deactivate {
        /// The user.
        user: String,
        /// The key.
        key_id: String,
    },
    /// Deny sessions issued before `issued_before`.
    RevokeSessions {
        /// The user or role.
        principal: Principal,
        /// The quarantine's time (RFC 3339, UTC).
        issued_before: String,
    },
}

/// What undo restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantinedBefore {
    /// Whether the key was active.
    pub key_active: Option<bool>,
    /// The revoke policy's document before, if there was one.
    pub revoke_policy: Option<String>,
}

/// The policy that denies sessions issued before `issued_before`.
pub fn revoke_policy(issued_before: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": REVOKE_SID,
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": issued_before}}
        }]
    })
    .to_string()
}

/// Plans the quarantine at time `now` (RFC 3339).
pub fn plan(exposure: Exposure, now: &str) -> Plan {
    let mut changes = Vec::new();
    if let (Some(true), Principal::User(user)) = (exposure.key_active, &exposure.principal) {
        changes.push(Change::new(
            format!("deactivated access key {} of user {user}", exposure.key_id),
            &Step::Deactivate {
                user: user.clone(),
                key_id: exposure.key_id.clone(),
            },
        ));
    }
    let revoking = exposure
        .revoke_policy
        .as_deref()
        .is_some_and(|doc| doc.contains(REVOKE_SID));
    if !revoking {
        changes.push(Change::new(
            format!(
                "denied every session of {} issued before {now} (inline policy {REVOKE_POLICY_NAME})",
                exposure.principal.describe()
            ),
            &Step::RevokeSessions {
                principal: exposure.principal.clone(),
                issued_before: now.to_owned(),
            },
        ));
    }
    Plan {
        before: BeforeState::new(
            format!(
                "access key {} of {}",
                exposure.key_id,
                exposure.principal.describe()
            ),
            &QuarantinedBefore {
                key_active: exposure.key_active,
                revoke_policy: exposure.revoke_policy,
            },
        ),
        changes,
    }
}

impl Remediation for QuarantineCredentials {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Option<Result<String, FixError>> {
        Some(Credential::parse(resource_id).map(|c| c.name()))
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let exposure = read(fix).await?;
            let now = crate::date::rfc3339(crate::date::now_seconds());
            Ok(Inspection {
                tags: None,
                plan: plan(exposure, &now),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let iam = &*fix.clients.iam;
            match change.detail::<Step>()? {
                Step::Deactivate { user, key_id } => set_key(iam, &user, &key_id, false).await,
                Step::RevokeSessions {
                    principal,
                    issued_before,
                } => put_policy(iam, &principal, &revoke_policy(&issued_before)).await,
            }
        })
    }

    /// Reactivates the key if it was active, and puts the principal's revoke policy
    /// back as it was (removes it, when there was none).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let was: QuarantinedBefore = before.recorded()?;
            let iam = &*fix.clients.iam;
            let mut steps = Vec::new();
            for change in changes.iter().rev() {
                match change.detail::<Step>()? {
                    Step::Deactivate { user, key_id } => {
                        if was.key_active == Some(true) {
                            set_key(iam, &user, &key_id, true).await?;
                            steps.push(format!("reactivated access key {key_id} of user {user}"));
                        }
                    }
                    Step::RevokeSessions { principal, .. } => match &was.revoke_policy {
                        Some(doc) => {
                            put_policy(iam, &principal, doc).await?;
                            steps.push(format!(
                                "put the former {REVOKE_POLICY_NAME} of {} back",
                                principal.describe()
                            ));
                        }
                        None => {
                            delete_policy(iam, &principal).await?;
                            steps.push(format!(
                                "deleted the inline policy {REVOKE_POLICY_NAME} of {}",
                                principal.describe()
                            ));
                        }
                    },
                }
            }
            Ok(steps)
        })
    }

    fn left_for_a_person(&self, _read: &BeforeState) -> Option<String> {
        Some(format!("find what the credentials did (CloudTrail), rotate them, then delete the inline policy {REVOKE_POLICY_NAME} (or `hubfix undo`)"))
    }
}

/// Reads the key's owner and status and the principal's revoke policy.
async fn read(fix: Fix<'_>) -> Result<Exposure, FixError> {
    let iam = &*fix.clients.iam;
    let credential = Credential::parse(&fix.target.name)?;
    let key = credential.key_id.clone();
    let principal = match (&credential.principal, credential.is_long_term()) {
        (Some(Principal::Root), _) => return Err(FixError::Manual(format!(
            "access key {key} belongs to the root user, whom no IAM policy restricts: sign in as root, delete its access keys (IAM > Security credentials) and rotate its password and MFA"
        ))),
        (named, true) => {
            let owner = key_owner(iam, &key).await?;
            if let Some(Principal::User(n)) = named {
                if *n != owner {
                    return Err(FixError::Target(format!(
                        "the finding says access key {key} is user {n}'s, and IAM says it is {owner}'s; hubfix acts only when they agree"
                    )));
                }
            }
            Principal::User(owner)
        }
        (Some(p), false) => p.clone(),
        (None, false) => return Err(FixError::Manual(format!(
            "the finding names session key {key} but not whose session it is (Details.AwsIamAccessKey.PrincipalName): revoke the role's active sessions in the IAM console"
        ))),
    };
    if let Principal::Role(role) = &principal {
        refuse_unchangeable_role(iam, role).await?;
    }
    let key_active = match (&principal, credential.is_long_term()) {
        (Principal::User(user), true) => Some(key_status(iam, user, &key).await?),
        _ => None,
    };
    let revoke_policy = current_policy(iam, &principal).await?;
    Ok(Exposure {
        key_id: key,
        principal,
        key_active,
        revoke_policy,
    })
}

/// The user a long-term key belongs to, as IAM says.
async fn key_owner(iam: &aws_sdk_iam::Client, key: &str) -> Result<String, FixError> {
    let out = iam
        .get_access_key_last_used()
        .access_key_id(key)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "iam:GetAccessKeyLastUsed",
                &format!("access key {key}"),
                &["NoSuchEntity", "AccessDenied"],
                e,
            )
        })?;
    out.user_name()
        .filter(|n| is_iam_name(n))
        .map(str::to_owned)
        .ok_or_else(|| FixError::NotFound {
            resource: format!("access key {key}"),
            code: "no owner".into(),
        })
}

async fn key_status(iam: &aws_sdk_iam::Client, user: &str, key: &str) -> Result<bool, FixError> {
    let mut pages = iam
        .list_access_keys()
        .user_name(user)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            FixError::from_sdk(
                "iam:ListAccessKeys",
                &format!("user {user}"),
                NO_SUCH_ENTITY,
                e,
            )
        })?;
        if let Some(k) = page
            .access_key_metadata()
            .iter()
            .find(|k| k.access_key_id() == Some(key))
        {
            return Ok(k.status().map(|s| s.as_str()) == Some("Active"));
        }
    }
    Err(FixError::NotFound {
        resource: format!("access key {key} of user {user}"),
        code: "NoSuchEntity".into(),
    })
}

/// Service-linked roles and IAM Identity Center's roles cannot be changed by IAM.
async fn refuse_unchangeable_role(iam: &aws_sdk_iam::Client, role: &str) -> Result<(), FixError> {
    let out = iam.get_role().role_name(role).send().await.map_err(|e| {
        FixError::from_sdk("iam:GetRole", &format!("role {role}"), NO_SUCH_ENTITY, e)
    })?;
    let path = out.role().map(|r| r.path()).unwrap_or("/");
    if path.starts_with("/aws-service-role/") {
        return Err(FixError::Manual(format!(
            "role {role} is service-linked, and IAM does not let its sessions be revoked: disable or delete the service that uses it, or contact AWS Support"
        )));
    }
    if role.starts_with("AWSReservedSSO_") || path.starts_with("/aws-reserved/sso.amazonaws.com/") {
        return Err(FixError::Manual(format!(
            "role {role} belongs to IAM Identity Center, which IAM does not let hubfix change: revoke the user's sessions in Identity Center and remove their permission set"
        )));
    }
    Ok(())
}

async fn current_policy(
    iam: &aws_sdk_iam::Client,
    principal: &Principal,
) -> Result<Option<String>, FixError> {
    let found = match principal {
        Principal::User(user) => iam
            .get_user_policy()
            .user_name(user)
            .policy_name(REVOKE_POLICY_NAME)
            .send()
            .await
            .map(|o| Some(o.policy_document().to_owned()))
            .map_err(|e| {
                FixError::from_sdk(
                    "iam:GetUserPolicy",
                    &format!("user {user}"),
                    NO_SUCH_ENTITY,
                    e,
                )
            }),
        Principal::Role(role) => iam
            .get_role_policy()
            .role_name(role)
            .policy_name(REVOKE_POLICY_NAME)
            .send()
            .await
            .map(|o| Some(o.policy_document().to_owned()))
            .map_err(|e| {
                FixError::from_sdk(
                    "iam:GetRolePolicy",
                    &format!("role {role}"),
                    NO_SUCH_ENTITY,
                    e,
                )
            }),
        Principal::Root => Ok(None),
    };
    match found {
        Err(FixError::NotFound { .. }) => Ok(None),
        other => other.map(|doc| doc.map(|d| super::percent_decode(&d))),
    }
}

async fn set_key(
    iam: &aws_sdk_iam::Client,
    user: &str,
    key: &str,
    active: bool,
) -> Result<(), FixError> {
    let status = if active {
        aws_sdk_iam::types::StatusType::Active
    } else {
        aws_sdk_iam::types::StatusType::Inactive
    };
    iam.update_access_key()
        .user_name(user)
        .access_key_id(key)
        .status(status)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "iam:UpdateAccessKey",
                &format!("access key {key}"),
                NO_SUCH_ENTITY,
                e,
            )
        })
}

async fn put_policy(
    iam: &aws_sdk_iam::Client,
    principal: &Principal,
    document: &str,
) -> Result<(), FixError> {
    match principal {
        Principal::User(user) => iam
            .put_user_policy()
            .user_name(user)
            .policy_name(REVOKE_POLICY_NAME)
            .policy_document(document)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                FixError::from_sdk(
                    "iam:PutUserPolicy",
                    &format!("user {user}"),
                    NO_SUCH_ENTITY,
                    e,
                )
            }),
        Principal::Role(role) => iam
            .put_role_policy()
            .role_name(role)
            .policy_name(REVOKE_POLICY_NAME)
            .policy_document(document)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                FixError::from_sdk(
                    "iam:PutRolePolicy",
                    &format!("role {role}"),
                    NO_SUCH_ENTITY,
                    e,
                )
            }),
        Principal::Root => Err(FixError::Manual(
            "no IAM policy restricts the root user".into(),
        )),
    }
}

async fn delete_policy(iam: &aws_sdk_iam::Client, principal: &Principal) -> Result<(), FixError> {
    let gone = |r: Result<(), FixError>| match r {
        Err(FixError::NotFound { .. }) => Ok(()),
        other => other,
    };
    match principal {
        Principal::User(user) => gone(
            iam.delete_user_policy()
                .user_name(user)
                .policy_name(REVOKE_POLICY_NAME)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk(
                        "iam:DeleteUserPolicy",
                        &format!("user {user}"),
                        NO_SUCH_ENTITY,
                        e,
                    )
                }),
        ),
        Principal::Role(role) => gone(
            iam.delete_role_policy()
                .role_name(role)
                .policy_name(REVOKE_POLICY_NAME)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    FixError::from_sdk(
                        "iam:DeleteRolePolicy",
                        &format!("role {role}"),
                        NO_SUCH_ENTITY,
                        e,
                    )
                }),
        ),
        Principal::Root => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_carry_the_key_and_the_principal_the_details_name() {
        let details = |t: &str, n: &str| json!({"AwsIamAccessKey": {"PrincipalId": "AROAX:i-1", "PrincipalType": t, "PrincipalName": n}});
        let id = "AWS::IAM::AccessKey:ASIASR75JUREFGK6G3JJ";
        assert_eq!(
            naming_id(id, Some(&details("AssumedRole", "web-instance-role"))),
            "ASIASR75JUREFGK6G3JJ@role/web-instance-role"
        );
        assert_eq!(
            naming_id(id, Some(&details("Root", "Root"))),
            "ASIASR75JUREFGK6G3JJ@root"
        );
        assert_eq!(
            naming_id(
                "AWS::IAM::AccessKey:AKIAIOSFODNN7EXAMPLE",
                Some(&details("IAMUser", "build-bot"))
            ),
            "AKIAIOSFODNN7EXAMPLE@user/build-bot"
        );
        let legacy = json!({"AwsIamAccessKey": {"UserName": "alice", "Status": "Active"}});
        assert_eq!(
            naming_id("AWS::IAM::AccessKey:AKIAIOSFODNN7EXAMPLE", Some(&legacy)),
            "AKIAIOSFODNN7EXAMPLE@user/alice"
        );
        assert_eq!(
            naming_id("AWS::IAM::AccessKey:AKIAIOSFODNN7EXAMPLE", None),
            "AKIAIOSFODNN7EXAMPLE"
        );
        let with_key = json!({"AwsIamAccessKey": {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}});
        assert_eq!(
            naming_id("whatever", Some(&with_key)),
            "AKIAIOSFODNN7EXAMPLE"
        );
    }

    #[test]
    fn hostile_names_are_refused() {
        for bad in [
            "AWS::IAM::AccessKey:null",
            "null",
            "AKIA",
            "akiaiosfodnn7example",
            "AKIAIOSFODNN7EXAMPLE@user/bad name",
            "AKIAIOSFODNN7EXAMPLE@group/x",
            "AKIAIOSFODNN7EXAMPLE@role/",
            "AKIAIOSFODNN7EXAMPLE; rm",
        ] {
            assert!(Credential::parse(bad).is_err(), "{bad}");
        }
        let ok = Credential::parse("ASIASR75JUREFGK6G3JJ@role/web-instance-role").unwrap();
        assert!(!ok.is_long_term());
        assert_eq!(
            ok.principal,
            Some(Principal::Role("web-instance-role".into()))
        );
    }

    #[test]
    fn a_user_key_is_deactivated_and_the_older_sessions_denied() {
        let exposure = Exposure {
            key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            principal: Principal::User("build-bot".into()),
            key_active: Some(true),
            revoke_policy: None,
        };
        let p = plan(exposure.clone(), "2026-12-07T08:00:00Z");
        assert_eq!(p.changes.len(), 2);
        assert!(p
            .describe()
            .contains("deactivated access key AKIAIOSFODNN7EXAMPLE"));
        let done = Exposure {
            key_active: Some(false),
            revoke_policy: Some(revoke_policy("2026-12-07T08:00:00Z")),
            ..exposure
        };
        assert!(plan(done, "2026-12-07T09:00:00Z").is_compliant());
    }

    #[test]
    fn a_role_session_is_denied_only() {
        let exposure = Exposure {
            key_id: "ASIASR75JUREFGK6G3JJ".into(),
            principal: Principal::Role("web-instance-role".into()),
            key_active: None,
            revoke_policy: Some("{\"Statement\":[]}".into()),
        };
        let p = plan(exposure, "2026-12-07T08:00:00Z");
        assert_eq!(p.changes.len(), 1);
        let step: Step = p.changes[0].detail().unwrap();
        assert_eq!(
            step,
            Step::RevokeSessions {
                principal: Principal::Role("web-instance-role".into()),
                issued_before: "2026-12-07T08:00:00Z".into()
            }
        );
        let before: QuarantinedBefore = p.before.state_as().unwrap();
        assert_eq!(before.revoke_policy.as_deref(), Some("{\"Statement\":[]}"));
    }

    #[test]
    fn the_revoke_policy_denies_by_token_issue_time() {
        let doc: serde_json::Value =
            serde_json::from_str(&revoke_policy("2026-12-07T08:00:00Z")).unwrap();
        let statement = &doc["Statement"][0];
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(statement["Action"], "*");
        assert_eq!(
            statement["Condition"]["DateLessThan"]["aws:TokenIssueTime"],
            "2026-12-07T08:00:00Z"
        );
    }
}
