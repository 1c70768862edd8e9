//! Resource-based policies (bucket, function, topic, queue and key policies): the
//! statement reading the rules that edit them share (`S3.5`, `S3.6`, `Lambda.1`,
//! `SNS.4`, `SQS.3`, `KMS.5`), what makes a statement public, and [`PublicStatements`],
//! the one remediation that removes a policy's public statements and keeps the rest.
//!
//! "Public" follows AWS's definition for resource policies (AWS Config's
//! `sns-topic-no-public-access` and S3's "The meaning of public"): a statement that
//! allows everyone (`*`, an AWS principal with a wildcard, or `NotPrincipal`) is public
//! unless a condition limits it to fixed values of a key that names an account, an
//! organization, a source, a network or a caller.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FixError;
use crate::ids::Arn;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

/// Condition keys whose fixed values limit a statement to an account, organization,
/// network or caller (lower case, as [`conditions`] gives them).
const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:userid",
    "kms:calleraccount",
];

/// The statements of a policy (a single statement object counts as one).
pub fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    }
}

/// A policy element that may be one string or a list of them, as strings.
pub fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The actions a statement names.
pub fn actions(statement: &Value) -> Vec<String> {
    statement
        .get("Action")
        .map(strings)
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Whether a statement allows (rather than denies).
pub fn allows(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some("Allow")
}

/// One condition of a statement: `(operator, key in lower case, values)`.
pub type Condition = (String, String, Vec<String>);

/// Every condition of a statement.
pub fn conditions(statement: &Value) -> Vec<Condition> {
    let mut out = Vec::new();
    if let Some(Value::Object(operators)) = statement.get("Condition") {
        for (operator, keys) in operators {
            if let Value::Object(keys) = keys {
                for (key, values) in keys {
                    out.push((
                        operator.clone(),
                        key.to_ascii_lowercase(),
                        strings(values).into_iter().map(str::to_owned).collect(),
                    ));
                }
            }
        }
    }
    out
}

/// Whether a statement has a condition on `key` (lower case).
pub fn has_condition(statement: &Value, key: &str) -> bool {
    conditions(statement).iter().any(|(_, k, _)| k == key)
}

/// Whether the statement's principal is everyone: `*`, an AWS principal with a
/// wildcard (`{"AWS": "*"}`, `arn:aws:iam::*:root`), or a `NotPrincipal`.
pub fn principal_is_anyone(statement: &Value) -> bool {
    if statement.get("NotPrincipal").is_some() {
        return true;
    }
    match statement.get("Principal") {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(p)) => p
            .get("AWS")
            .is_some_and(|v| strings(v).iter().any(|a| a.contains('*'))),
        _ => false,
    }
}

/// Whether a value is fixed: no wildcard and no policy variable.
fn fixed(value: &str) -> bool {
    !value.contains('*') && !value.contains('?') && !value.contains("${")
}

/// Whether one condition limits who the statement applies to: a positive operator
/// (not `Not…`, `…IfExists` or `Null`) over fixed values of a restricting key, a source
/// ARN that names an account (S3 bucket ARNs do not), or source IP ranges short of
/// the whole internet.
fn restricts((operator, key, values): &Condition) -> bool {
    let positive =
        !operator.contains("Not") && !operator.ends_with("IfExists") && operator != "Null";
    if !positive || values.is_empty() || !values.iter().all(|v| fixed(v)) {
        return false;
    }
    match key.as_str() {
        "aws:sourcearn" => values
            .iter()
            .all(|v| Arn::parse(v).is_some_and(|a| !a.account.is_empty())),
        "aws:sourceip" => values
            .iter()
            .all(|v| !v.ends_with("/0") && v.as_str() != "0.0.0.0" && v.as_str() != "::"),
        key => RESTRICTING_KEYS.contains(&key),
    }
}

/// Whether a condition limits the statement to an account, organization, source,
/// network or caller.
pub fn restricted(statement: &Value) -> bool {
    conditions(statement).iter().any(restricts)
}

/// Whether a statement allows everyone, unrestricted: a public statement.
pub fn grants_anyone(statement: &Value) -> bool {
    allows(statement) && principal_is_anyone(statement) && !restricted(statement)
}

/// A policy without its public statements.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRemoval {
    /// The policy that is left; `None` when every statement was public.
    pub kept: Option<Value>,
    /// The removed statements, by `Sid` (or position, from 1, for one without).
    pub removed: Vec<String>,
}

/// The policy without its public statements; `None` when it has none.
pub fn without_public_statements(policy: &Value) -> Option<PublicRemoval> {
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for (index, statement) in statements(policy).into_iter().enumerate() {
        if grants_anyone(statement) {
            removed.push(match statement.get("Sid").and_then(Value::as_str) {
                Some(sid) if !sid.is_empty() => sid.to_owned(),
                _ => format!("statement {} (no Sid)", index + 1),
            });
        } else {
            kept.push(statement.clone());
        }
    }
    if removed.is_empty() {
        return None;
    }
    let kept = (!kept.is_empty()).then(|| {
        let mut doc = policy.clone();
        doc["Statement"] = Value::Array(kept);
        doc
    });
    Some(PublicRemoval { kept, removed })
}

/// Whether a policy principal entry (`111122223333`, `arn:aws:iam::111122223333:root`,
/// a role's ARN) is `external`: an account id covers every entry of that account, an
/// ARN only itself.
fn names_principal(entry: &str, external: &str) -> bool {
    if entry == external {
        return true;
    }
    let is_account = external.len() == 12 && external.bytes().all(|b| b.is_ascii_digit());
    is_account && Arn::parse(entry).is_some_and(|a| a.service == "iam" && a.account == external)
}

/// The policy without its grants to `external` (an account id, a principal's ARN, or
/// `*` for everyone, as IAM Access Analyzer names an external principal): `*` removes
/// the public statements; otherwise each allowing statement loses the AWS principal
/// entries of `external`, and a statement left with no principal is removed. `None`
/// when no statement grants it by name.
pub fn without_grants_to(policy: &Value, external: &str) -> Option<PublicRemoval> {
    if external == "*" {
        return without_public_statements(policy);
    }
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for (index, statement) in statements(policy).into_iter().enumerate() {
        let aws = statement.get("Principal").and_then(|p| p.get("AWS"));
        let entries = aws.map(strings).unwrap_or_default();
        let (named, others): (Vec<&str>, Vec<&str>) =
            entries.iter().partition(|e| names_principal(e, external));
        if !allows(statement) || named.is_empty() {
            kept.push(statement.clone());
            continue;
        }
        removed.push(match statement.get("Sid").and_then(Value::as_str) {
            Some(sid) if !sid.is_empty() => sid.to_owned(),
            _ => format!("statement {} (no Sid)", index + 1),
        });
        let other_kinds = statement
            .get("Principal")
            .and_then(Value::as_object)
            .is_some_and(|p| p.keys().any(|k| k != "AWS"));
        if others.is_empty() && !other_kinds {
            continue;
        }
        let mut edited = statement.clone();
        if others.is_empty() {
            if let Some(p) = edited["Principal"].as_object_mut() {
                p.remove("AWS");
            }
        } else {
            edited["Principal"]["AWS"] = match others.as_slice() {
                [one] => Value::String((*one).to_owned()),
                many => Value::Array(
                    many.iter()
                        .map(|e| Value::String((*e).to_owned()))
                        .collect(),
                ),
            };
        }
        kept.push(edited);
    }
    if removed.is_empty() {
        return None;
    }
    let kept = (!kept.is_empty()).then(|| {
        let mut doc = policy.clone();
        doc["Statement"] = Value::Array(kept);
        doc
    });
    Some(PublicRemoval { kept, removed })
}

/// One kind of resource whose resource-based policy [`PublicStatements`] edits.
pub trait PolicyStore: fmt::Debug + Send + Sync {
    /// How a note names the resource (`SNS topic arn:aws:sns:...`).
    fn resource(&self, fix: Fix<'_>) -> String;

    /// Whether the resource may be left without a policy. Where it may not (a KMS key,
    /// an SNS topic), a policy whose every statement is public is left to a person.
    fn may_be_empty(&self) -> bool {
        true
    }

    /// Reads the policy text (`None`: the resource has none) and, when `with_tags`,
    /// the resource's tags. Refuses (with [`FixError::Manual`]) a resource whose
    /// policy is not its owner's to change.
    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, StoredPolicy>;

    /// Writes the policy text; `None` removes the policy.
    fn write<'a>(&'a self, fix: Fix<'a>, policy: Option<&'a str>) -> FixFuture<'a, ()>;
}

/// A policy as read.
#[derive(Debug)]
pub struct StoredPolicy {
    /// The resource's tags, `None` when not asked for.
    pub tags: Option<Vec<(String, String)>>,
    /// The policy text, `None` when the resource has none.
    pub policy: Option<String>,
}

/// The before-state: the policy text as it was (`None`: no policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyTextBefore {
    /// The policy document, as the service returned it.
    pub policy: Option<String>,
}

/// The remediation of the rules that remove public statements from a resource policy
/// (`SNS.4`, `SQS.3`, `KMS.5`): the other statements are kept as they are; the change
/// records the policy it writes, the before-state the policy it replaces, which an
/// undo writes back.
#[derive(Debug)]
pub struct PublicStatements<P>(pub P);

/// The plan: one change writing the policy without its public statements.
pub fn public_statements_plan(
    resource: String,
    policy: Option<String>,
    may_be_empty: bool,
) -> Result<Plan, FixError> {
    removal_plan(
        resource,
        policy,
        may_be_empty,
        "the public statements",
        without_public_statements,
    )
}

/// The plan of a policy edit: one change writing what `remove` leaves of the policy
/// (`what` names what it removes, for the note), none when it removes nothing. A
/// policy left with no statement is removed, or, where the resource must keep one
/// (`may_be_empty` false), left to a person.
pub fn removal_plan(
    resource: String,
    policy: Option<String>,
    may_be_empty: bool,
    what: &str,
    remove: impl Fn(&Value) -> Option<PublicRemoval>,
) -> Result<Plan, FixError> {
    let removal = match &policy {
        Some(text) => {
            let doc: Value = serde_json::from_str(text).map_err(|e| {
                FixError::Target(format!("the policy of {resource} is not JSON: {e}"))
            })?;
            remove(&doc)
        }
        None => None,
    };
    let changes = match removal {
        None => Vec::new(),
        Some(PublicRemoval { kept: None, removed }) if !may_be_empty => {
            return Err(FixError::Manual(format!(
                "every statement of the policy of {resource} is among {what} ({}), and it cannot be left without a policy: write one that grants only the accounts and services that need it",
                removed.join(", ")
            )))
        }
        Some(PublicRemoval { kept, removed }) => {
            let text = kept.as_ref().map(Value::to_string);
            vec![Change::new(
                format!(
                    "removed {what} from the policy of {resource} ({}), keeping the rest",
                    removed.join(", ")
                ),
                &text,
            )]
        }
    };
    Ok(Plan {
        before: BeforeState::new(resource, &PolicyTextBefore { policy }),
        changes,
    })
}

impl<P: PolicyStore> Remediation for PublicStatements<P> {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let stored = self.0.read(fix, with_tags).await?;
            Ok(Inspection {
                tags: stored.tags,
                plan: public_statements_plan(
                    self.0.resource(fix),
                    stored.policy,
                    self.0.may_be_empty(),
                )?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let policy: Option<String> = change.detail()?;
            self.0.write(fix, policy.as_deref()).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let PolicyTextBefore { policy } = before.recorded()?;
            self.0.write(fix, policy.as_deref()).await?;
            Ok(vec![format!(
                "put the policy of {} back as it was, its public statements with it",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn allow(principal: Value, condition: Option<Value>) -> Value {
        let mut st = json!({"Effect": "Allow", "Principal": principal, "Action": "sns:Publish"});
        if let Some(c) = condition {
            st["Condition"] = c;
        }
        st
    }

    #[test]
    fn grants_to_an_external_account_are_removed_and_the_rest_kept() {
        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "*"},
            {"Sid": "Both", "Effect": "Allow", "Principal": {"AWS": ["444455556666", "arn:aws:iam::111122223333:role/reader"]}, "Action": "s3:GetObject", "Resource": "*"},
            {"Sid": "PartnerRole", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/x", "Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"},
            {"Sid": "Deny", "Effect": "Deny", "Principal": {"AWS": "444455556666"}, "Action": "s3:*", "Resource": "*"},
            {"Sid": "Own", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}
        ]});
        let removal = without_grants_to(&policy, "444455556666").unwrap();
        assert_eq!(removal.removed, ["Partner", "Both", "PartnerRole"]);
        let kept = removal.kept.unwrap();
        let sids: Vec<&str> = statements(&kept)
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(sids, ["Both", "PartnerRole", "Deny", "Own"]);
        assert_eq!(
            kept["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::111122223333:role/reader"
        );
        assert_eq!(
            kept["Statement"][1]["Principal"],
            json!({"Service": "logging.s3.amazonaws.com"})
        );
        let role_only = without_grants_to(&policy, "arn:aws:iam::444455556666:role/x").unwrap();
        assert_eq!(role_only.removed, ["PartnerRole"]);
        assert!(without_grants_to(&policy, "999999999999").is_none());
        let public = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage"}]});
        let removal = without_grants_to(&public, "*").unwrap();
        assert!(removal.kept.is_none());
    }

    #[test]
    fn everyone_without_a_fixed_restriction_is_public() {
        assert!(grants_anyone(&allow(json!("*"), None)));
        assert!(grants_anyone(&allow(json!({"AWS": "*"}), None)));
        assert!(grants_anyone(&allow(
            json!({"AWS": ["arn:aws:iam::*:root"]}),
            None
        )));
        let not_principal = json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sqs:*"});
        assert!(grants_anyone(&not_principal));
        let negated = json!({"StringNotEquals": {"aws:SourceAccount": "111122223333"}});
        assert!(grants_anyone(&allow(json!("*"), Some(negated))));
        let if_exists = json!({"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}});
        assert!(grants_anyone(&allow(json!("*"), Some(if_exists))));
        let wildcard = json!({"StringLike": {"aws:SourceAccount": "*"}});
        assert!(grants_anyone(&allow(json!("*"), Some(wildcard))));
        let tls_only = json!({"Bool": {"aws:SecureTransport": "true"}});
        assert!(grants_anyone(&allow(json!("*"), Some(tls_only))));
        let whole_internet = json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}});
        assert!(grants_anyone(&allow(json!("*"), Some(whole_internet))));
        let bucket_only = json!({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads"}});
        assert!(grants_anyone(&allow(json!("*"), Some(bucket_only))));
    }

    #[test]
    fn fixed_accounts_organizations_networks_and_callers_are_not_public() {
        for condition in [
            json!({"StringEquals": {"AWS:SourceOwner": "111122223333"}}),
            json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:events:us-east-1:111122223333:rule/r"}}),
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
            json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}),
            json!({"StringEquals": {"kms:CallerAccount": "111122223333"}}),
        ] {
            assert!(
                !grants_anyone(&allow(json!("*"), Some(condition.clone()))),
                "{condition}"
            );
        }
        assert!(!grants_anyone(&allow(
            json!({"AWS": "arn:aws:iam::111122223333:root"}),
            None
        )));
        let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "sqs:*"});
        assert!(!grants_anyone(&deny));
    }

    /// The shape of an SNS topic policy as `GetTopicAttributes` returns it: the default
    /// statement SNS writes (limited by `AWS:SourceOwner`) and a public publish grant.
    #[test]
    fn only_the_public_statements_are_removed() {
        let policy = json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [
            {"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["SNS:Publish", "SNS:Subscribe"],
             "Resource": "arn:aws:sns:us-east-1:111122223333:alerts",
             "Condition": {"StringEquals": {"AWS:SourceOwner": "111122223333"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "SNS:Publish",
             "Resource": "arn:aws:sns:us-east-1:111122223333:alerts"}
        ]});
        let removal = without_public_statements(&policy).unwrap();
        assert_eq!(removal.removed, ["statement 2 (no Sid)"]);
        let kept = removal.kept.unwrap();
        assert_eq!(statements(&kept).len(), 1);
        assert_eq!(kept["Id"], "__default_policy_ID");
        assert_eq!(
            statements(&kept)[0]["Sid"],
            "__default_statement_ID",
            "the restricted statement stays"
        );
        assert!(without_public_statements(&kept).is_none());
    }

    #[test]
    fn a_policy_left_empty_is_refused_where_one_is_needed() {
        let all_public = json!({"Statement": {"Sid": "open", "Effect": "Allow", "Principal": "*", "Action": "kms:*"}})
            .to_string();
        let err = public_statements_plan("KMS key k".into(), Some(all_public.clone()), false)
            .unwrap_err();
        assert!(
            matches!(err, FixError::Manual(ref m) if m.contains("open")),
            "{err}"
        );
        let plan = public_statements_plan("SQS queue q".into(), Some(all_public), true).unwrap();
        assert_eq!(plan.changes[0].detail::<Option<String>>().unwrap(), None);
        let none = public_statements_plan("SQS queue q".into(), None, true).unwrap();
        assert!(none.is_compliant());
        let garbage = public_statements_plan("SQS queue q".into(), Some("{".into()), true);
        assert!(matches!(garbage, Err(FixError::Target(_))));
    }
}
