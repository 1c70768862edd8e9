//! Lambda: function policies that let anyone invoke the function (`Lambda.1`).
//!
//! A function's resource-based policy is made only of `AddPermission` statements, so
//! every statement hubfix removes can be put back with `AddPermission`: the plan checks
//! that it can before it changes anything.

use aws_sdk_lambda::types::FunctionUrlAuthType;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{service_code, FixError};
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::resource_policy::{
    allows, conditions, grants_anyone, has_condition, strings,
};
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "Lambda.1",
        title: "Lambda function policies should prohibit public access",
        resource_type: "AwsLambdaFunction",
        fix: "Removes the function policy statements that let anyone (`*`) invoke it without an account, organization or source condition, and limits S3 invoke statements to the function's account (`AWS:SourceAccount`).",
        iam_actions: &[
            "lambda:ListTags",
            "lambda:GetPolicy",
            "lambda:RemovePermission",
            "lambda:AddPermission",
        ],
        impact: Impact::Disruptive,
        remediation: &PublicInvoke,
    },
];

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

/// `Lambda.1`: removes the statements that let anyone (`*`) invoke the function without
/// an account, organization or source condition, and adds `AWS:SourceAccount` (the
/// function's account) to statements that let S3 invoke it without one.
#[derive(Debug)]
pub struct PublicInvoke;

/// The before-state: the statements of the function's policy, sorted by `Sid`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyBefore {
    /// The statements, as `GetPolicy` returned them.
    pub statements: Vec<Value>,
}

/// One change to the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementFix {
    /// The statement is removed.
    Remove {
        /// The statement as it was.
        statement: Value,
    },
    /// The statement is re-added with an `AWS:SourceAccount` condition.
    RequireSourceAccount {
        /// The statement as it was.
        statement: Value,
        /// The account S3 must act for.
        account: String,
    },
}

/// A statement as `AddPermission` creates it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permission {
    /// The statement id.
    pub sid: String,
    /// e.g. `lambda:InvokeFunction`.
    pub action: String,
    /// `*`, an account id or ARN, or a service principal.
    pub principal: String,
    /// `AWS:SourceArn`.
    pub source_arn: Option<String>,
    /// `AWS:SourceAccount`.
    pub source_account: Option<String>,
    /// `aws:PrincipalOrgID`.
    pub principal_org_id: Option<String>,
    /// `lambda:FunctionUrlAuthType`.
    pub function_url_auth_type: Option<String>,
    /// `lambda:EventSourceToken`.
    pub event_source_token: Option<String>,
}

/// Whether a statement lets S3 invoke the function for any account's bucket.
pub fn s3_without_source_account(statement: &Value) -> bool {
    let s3 = matches!(statement.get("Principal"), Some(Value::Object(p))
        if p.get("Service").is_some_and(|v| strings(v).contains(&"s3.amazonaws.com")));
    allows(statement)
        && s3
        && !has_condition(statement, "aws:sourceaccount")
        && !has_condition(statement, "aws:sourceowner")
}

/// The `AddPermission` request that creates `statement`, or why there is none.
pub fn permission_of(statement: &Value) -> Result<Permission, String> {
    let sid = statement
        .get("Sid")
        .and_then(Value::as_str)
        .ok_or("it has no Sid")?;
    let why = |reason: &str| format!("statement {sid} {reason}");
    if !allows(statement) {
        return Err(why("does not allow"));
    }
    let action = match statement.get("Action").map(strings).as_deref() {
        Some([one]) => (*one).to_owned(),
        _ => return Err(why("does not name exactly one action")),
    };
    let principal = match statement.get("Principal") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(p)) if p.len() == 1 => {
            match p.iter().next().map(|(k, v)| (k.as_str(), strings(v))) {
                Some(("AWS" | "Service", v)) if v.len() == 1 => v[0].to_owned(),
                _ => return Err(why("has a principal AddPermission cannot grant")),
            }
        }
        _ => return Err(why("has a principal AddPermission cannot grant")),
    };
    let mut permission = Permission {
        sid: sid.to_owned(),
        action,
        principal,
        ..Permission::default()
    };
    for (operator, key, values) in conditions(statement) {
        let [value] = values.as_slice() else {
            return Err(why("has a condition with several values"));
        };
        let slot = match (operator.as_str(), key.as_str()) {
            ("ArnLike" | "ArnEquals", "aws:sourcearn") => &mut permission.source_arn,
            ("StringEquals", "aws:sourceaccount") => &mut permission.source_account,
            ("StringEquals", "aws:principalorgid") => &mut permission.principal_org_id,
            ("StringEquals", "lambda:functionurlauthtype") => {
                &mut permission.function_url_auth_type
            }
            ("StringEquals", "lambda:eventsourcetoken") => &mut permission.event_source_token,
            _ => return Err(why(&format!("has a condition {operator} {key}"))),
        };
        *slot = Some(value.clone());
    }
    Ok(permission)
}

/// The plan for `Lambda.1` over the function's policy statements.
pub fn public_invoke_plan(
    function: &str,
    account: &str,
    mut statements: Vec<Value>,
) -> Result<Plan, FixError> {
    statements.sort_by(|a, b| {
        let sid = |s: &Value| s.get("Sid").and_then(Value::as_str).map(str::to_owned);
        sid(a).cmp(&sid(b))
    });
    let mut changes = Vec::new();
    for statement in &statements {
        let anyone = grants_anyone(statement);
        let s3 = s3_without_source_account(statement);
        if !anyone && !s3 {
            continue;
        }
        let permission = permission_of(statement).map_err(|why| {
            FixError::Manual(format!(
                "the policy of Lambda function {function} lets anyone invoke it, but {why}, so hubfix could not put it back: remove the statement with `aws lambda remove-permission`."
            ))
        })?;
        changes.push(if anyone {
            Change::new(
                format!(
                    "removed statement {} (anyone may call {}) from the policy of Lambda function {function}",
                    permission.sid, permission.action
                ),
                &StatementFix::Remove {
                    statement: statement.clone(),
                },
            )
        } else {
            Change::new(
                format!(
                    "limited statement {} (S3 may invoke) of Lambda function {function} to buckets of account {account} (AWS:SourceAccount)",
                    permission.sid
                ),
                &StatementFix::RequireSourceAccount {
                    statement: statement.clone(),
                    account: account.to_owned(),
                },
            )
        });
    }
    Ok(Plan {
        before: BeforeState::new(
            format!("Lambda function {function}"),
            &PolicyBefore { statements },
        ),
        changes,
    })
}

/// The statements of the function's policy (none when it has no policy).
async fn statements(fix: Fix<'_>) -> Result<Vec<Value>, FixError> {
    let function = &fix.target.name;
    let resource = format!("Lambda function {function}");
    let policy = match fix
        .clients
        .lambda
        .get_policy()
        .function_name(function)
        .send()
        .await
    {
        Ok(out) => out.policy().unwrap_or_default().to_owned(),
        Err(e) if service_code(&e) == Some("ResourceNotFoundException") => {
            function_tags(fix).await?;
            return Ok(Vec::new());
        }
        Err(e) => {
            return Err(FixError::from_sdk(
                "lambda:GetPolicy",
                &resource,
                NOT_FOUND,
                e,
            ))
        }
    };
    let parsed: Value = serde_json::from_str(&policy)
        .map_err(|e| FixError::Target(format!("the policy of {resource} is not JSON: {e}")))?;
    Ok(match parsed.get("Statement") {
        Some(Value::Array(s)) => s.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    })
}

/// The function's tags; fails with `NotFound` when the function is gone.
async fn function_tags(fix: Fix<'_>) -> Result<Vec<(String, String)>, FixError> {
    let out = fix
        .clients
        .lambda
        .list_tags()
        .resource(&fix.target.resource_id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "lambda:ListTags",
                &format!("Lambda function {}", fix.target.name),
                NOT_FOUND,
                e,
            )
        })?;
    let mut tags: Vec<_> = out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(tags)
}

async fn remove(fix: Fix<'_>, sid: &str) -> Result<(), FixError> {
    fix.clients
        .lambda
        .remove_permission()
        .function_name(&fix.target.name)
        .statement_id(sid)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "lambda:RemovePermission",
                &format!("statement {sid} of Lambda function {}", fix.target.name),
                NOT_FOUND,
                e,
            )
        })
}

async fn add(fix: Fix<'_>, p: &Permission) -> Result<(), FixError> {
    fix.clients
        .lambda
        .add_permission()
        .function_name(&fix.target.name)
        .statement_id(&p.sid)
        .action(&p.action)
        .principal(&p.principal)
        .set_source_arn(p.source_arn.clone())
        .set_source_account(p.source_account.clone())
        .set_principal_org_id(p.principal_org_id.clone())
        .set_event_source_token(p.event_source_token.clone())
        .set_function_url_auth_type(
            p.function_url_auth_type
                .as_deref()
                .map(FunctionUrlAuthType::from),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "lambda:AddPermission",
                &format!("Lambda function {}", fix.target.name),
                NOT_FOUND,
                e,
            )
        })
}

fn permission(statement: &Value) -> Result<Permission, FixError> {
    permission_of(statement).map_err(|why| FixError::Target(format!("cannot re-create: {why}")))
}

impl Remediation for PublicInvoke {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = if with_tags {
                Some(function_tags(fix).await?)
            } else {
                None
            };
            let statements = statements(fix).await?;
            Ok(Inspection {
                tags,
                plan: public_invoke_plan(&fix.target.name, &fix.target.account, statements)?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            match change.detail()? {
                StatementFix::Remove { statement } => {
                    remove(fix, &permission(&statement)?.sid).await
                }
                StatementFix::RequireSourceAccount { statement, account } => {
                    let mut p = permission(&statement)?;
                    remove(fix, &p.sid).await?;
                    p.source_account = Some(account);
                    add(fix, &p).await
                }
            }
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut steps = Vec::new();
            for change in changes.iter().rev() {
                let (statement, replace) = match change.detail()? {
                    StatementFix::Remove { statement } => (statement, false),
                    StatementFix::RequireSourceAccount { statement, .. } => (statement, true),
                };
                let p = permission(&statement)?;
                if replace {
                    remove(fix, &p.sid).await?;
                }
                add(fix, &p).await?;
                steps.push(format!(
                    "put statement {} of Lambda function {} back as it was",
                    p.sid, fix.target.name
                ));
            }
            Ok(steps)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A plan test against a recorded `GetPolicy` response (the Lambda API reference's
    /// shapes): a function URL open to anyone, a public invoke, an S3 trigger without
    /// `AWS:SourceAccount`, an organization-wide grant and another account. The emulator
    /// keeps `FunctionUrlAuthType` outside the `Condition` block, so the URL case is
    /// tested here.
    #[test]
    fn recorded_response_public_statements_are_planned_and_recreatable() {
        let recorded = json!({"Version": "2012-10-17", "Id": "default", "Statement": [
            {"Sid": "FunctionURLAllowPublicAccess", "Effect": "Allow", "Principal": "*",
             "Action": "lambda:InvokeFunctionUrl",
             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:web",
             "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}},
            {"Sid": "public", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": "lambda:InvokeFunction",
             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:web"},
            {"Sid": "s3-trigger", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
             "Action": "lambda:InvokeFunction",
             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:web",
             "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}}},
            {"Sid": "org", "Effect": "Allow", "Principal": "*",
             "Action": "lambda:InvokeFunction",
             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:web",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
            {"Sid": "partner", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "lambda:InvokeFunction",
             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:web"}
        ]});
        let statements = recorded["Statement"].as_array().unwrap().clone();
        let plan = public_invoke_plan("web", "123456789012", statements).unwrap();
        let sids: Vec<_> = plan.before.state["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(
            sids,
            [
                "FunctionURLAllowPublicAccess",
                "org",
                "partner",
                "public",
                "s3-trigger"
            ]
        );
        assert_eq!(plan.changes.len(), 3, "{}", plan.describe());
        assert!(plan.changes[0]
            .description
            .starts_with("removed statement FunctionURLAllowPublicAccess"));
        assert!(plan.changes[2].description.contains("AWS:SourceAccount"));
        let url = permission_of(&recorded["Statement"][0]).unwrap();
        assert_eq!(url.function_url_auth_type.as_deref(), Some("NONE"));
        assert_eq!(url.principal, "*");
        let s3 = permission_of(&recorded["Statement"][2]).unwrap();
        assert_eq!(s3.source_arn.as_deref(), Some("arn:aws:s3:::uploads"));
        assert_eq!(s3.principal, "s3.amazonaws.com");
    }

    #[test]
    fn restricted_statements_are_not_public() {
        let by_account = json!({"Sid": "a", "Effect": "Allow", "Principal": "*",
            "Action": "lambda:InvokeFunction",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"}}});
        assert!(!grants_anyone(&by_account));
        let bucket_only = json!({"Sid": "b", "Effect": "Allow", "Principal": "*",
            "Action": "lambda:InvokeFunction",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}}});
        assert!(grants_anyone(&bucket_only));
        let deny = json!({"Sid": "c", "Effect": "Deny", "Principal": "*", "Action": "lambda:InvokeFunction"});
        assert!(!grants_anyone(&deny));
    }

    #[test]
    fn statements_addpermission_cannot_make_are_refused() {
        let odd = json!({"Sid": "odd", "Effect": "Allow", "Principal": "*",
            "Action": "lambda:InvokeFunction",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}});
        assert!(permission_of(&odd).unwrap_err().contains("Bool"));
        let err = public_invoke_plan("f", "123456789012", vec![odd]).unwrap_err();
        assert!(matches!(err, FixError::Manual(_)));
        assert!(permission_of(&json!({"Effect": "Allow"})).is_err());
    }
}
