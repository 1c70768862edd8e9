//! Bucket policy fixes: deny requests without TLS (`S3.5`), merged into the existing
//! policy and never replacing it; and no statements granting other accounts the
//! actions `S3.6` lists (`S3.6`, approval-only). The policy transforms are pure.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{service_code, FixError};
use crate::ids::Arn;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::resource_policy::{actions, statements};
use crate::remediate::s3::block_public_access::{bucket_tags, NO_SUCH_BUCKET};
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "S3.5",
        title: "S3 general purpose buckets should require requests to use SSL",
        resource_type: "AwsS3Bucket",
        fix: "Adds a statement denying requests without TLS to the bucket policy, keeping every existing statement.",
        iam_actions: &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:GetBucketTagging",
        ],
        impact: Impact::Safe,
        remediation: &DenyInsecureTransport,
    },
    Rule {
        control_id: "S3.6",
        title: "S3 general purpose bucket policies should restrict access to other AWS accounts",
        resource_type: "AwsS3Bucket",
        fix: "Removes the grants of DeleteBucketPolicy, PutBucketAcl, PutBucketPolicy, PutEncryptionConfiguration and PutObjectAcl to other accounts from the bucket policy (the actions, or the statement when it only grants those or a wildcard).",
        iam_actions: &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:GetBucketTagging",
        ],
        impact: Impact::Disruptive,
        remediation: &RestrictCrossAccountGrants,
    },
];

/// Sid of the statement hubfix adds for `S3.5`.
pub const TLS_SID: &str = "HubfixDenyInsecureTransport";

/// The actions `S3.6` forbids granting to other accounts.
pub const CROSS_ACCOUNT_FORBIDDEN: &[&str] = &[
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
];

/// `S3.5`: deny every request that does not use TLS.
#[derive(Debug)]
pub struct DenyInsecureTransport;

/// `S3.6`: remove grants of the forbidden actions to other accounts.
#[derive(Debug)]
pub struct RestrictCrossAccountGrants;

/// The before-state of both: the bucket policy text, `None` when there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyBefore {
    /// The policy document as it was.
    pub policy: Option<String>,
}

/// Whether a policy already denies requests without TLS.
pub fn denies_insecure_transport(policy: &Value) -> bool {
    statements(policy).iter().any(|st| {
        st.get("Effect").and_then(Value::as_str) == Some("Deny")
            && st
                .pointer("/Condition/Bool/aws:SecureTransport")
                .is_some_and(|v| v == "false" || v == &json!(false) || v == &json!(["false"]))
            && actions(st).iter().any(|a| a == "s3:*" || a == "*")
    })
}

/// The policy with a TLS-deny statement added; the existing statements are kept.
pub fn with_tls_deny(policy: Option<&Value>, bucket_arn: &str) -> Value {
    let mut doc = policy
        .cloned()
        .unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}));
    let statement = json!({
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    });
    match doc.get_mut("Statement") {
        Some(Value::Array(list)) => list.push(statement),
        Some(single @ Value::Object(_)) => {
            let existing = single.take();
            *single = json!([existing, statement]);
        }
        _ => doc["Statement"] = json!([statement]),
    }
    doc
}

/// IAM action matching: case-insensitive, with `*` and `?` wildcards.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

/// The accounts other than `owner` a statement's principal names (`*` counts as one).
fn other_principals(statement: &Value, owner: &str) -> Vec<String> {
    let aws = match statement.get("Principal") {
        Some(Value::String(s)) if s == "*" => return vec!["*".into()],
        Some(p) => p.get("AWS"),
        None => None,
    };
    let names: Vec<String> = match aws {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    names
        .into_iter()
        .filter(|p| {
            let account = Arn::parse(p).map_or(p.as_str(), |arn| arn.account);
            account != owner
        })
        .collect()
}

/// What `S3.6` removes from one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossAccountGrant {
    /// The statement's position in the policy.
    pub index: usize,
    /// Its Sid, when it has one.
    pub sid: Option<String>,
    /// The other accounts it names.
    pub principals: Vec<String>,
    /// The forbidden actions it grants (the action patterns as written).
    pub actions: Vec<String>,
    /// Whether the whole statement goes (its actions are all forbidden or wildcards).
    pub remove_statement: bool,
}

/// The statements granting other accounts forbidden actions, and what to remove.
pub fn cross_account_grants(policy: &Value, owner: &str) -> Vec<CrossAccountGrant> {
    let mut found = Vec::new();
    for (index, st) in statements(policy).into_iter().enumerate() {
        if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let principals = other_principals(st, owner);
        if principals.is_empty() {
            continue;
        }
        let all = actions(st);
        let offending: Vec<String> = all
            .iter()
            .filter(|a| CROSS_ACCOUNT_FORBIDDEN.iter().any(|f| action_matches(a, f)))
            .cloned()
            .collect();
        if offending.is_empty() {
            continue;
        }
        let wildcard = offending.iter().any(|a| a.contains('*') || a.contains('?'));
        found.push(CrossAccountGrant {
            index,
            sid: st.get("Sid").and_then(Value::as_str).map(str::to_owned),
            principals,
            remove_statement: wildcard || offending.len() == all.len(),
            actions: offending,
        });
    }
    found
}

/// The policy without the forbidden grants; `None` when no statement is left.
pub fn without_grants(policy: &Value, grants: &[CrossAccountGrant]) -> Option<Value> {
    let mut kept = Vec::new();
    for (index, st) in statements(policy).into_iter().enumerate() {
        match grants.iter().find(|g| g.index == index) {
            Some(g) if g.remove_statement => {}
            Some(g) => {
                let mut st = st.clone();
                let remaining: Vec<String> = actions(&st)
                    .into_iter()
                    .filter(|a| !g.actions.contains(a))
                    .collect();
                st["Action"] = json!(remaining);
                kept.push(st);
            }
            None => kept.push(st.clone()),
        }
    }
    if kept.is_empty() {
        return None;
    }
    let mut doc = policy.clone();
    doc["Statement"] = Value::Array(kept);
    Some(doc)
}

/// The policy without hubfix's TLS-deny statement (`Sid` [`TLS_SID`]); `None` when no
/// statement is left.
pub fn without_tls_deny(policy: &Value) -> Option<Value> {
    let kept: Vec<Value> = statements(policy)
        .into_iter()
        .filter(|st| st.get("Sid").and_then(Value::as_str) != Some(TLS_SID))
        .cloned()
        .collect();
    if kept.is_empty() {
        return None;
    }
    let mut doc = policy.clone();
    doc["Statement"] = Value::Array(kept);
    Some(doc)
}

/// The policy with its statements as a list (a single statement object becomes a list
/// of one), so that two spellings of the same policy compare equal.
fn normalised(policy: &Value) -> Value {
    let mut doc = policy.clone();
    if doc.get("Statement").is_some() {
        doc["Statement"] = Value::Array(statements(policy).into_iter().cloned().collect());
    }
    doc
}

/// Whether two bucket policies (`None`: no policy) are the same document.
fn same_policy(a: Option<&Value>, b: Option<&Value>) -> bool {
    a.map(normalised) == b.map(normalised)
}

/// What an undo writes to the bucket policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyRestore {
    /// The recorded policy, exactly as it was written.
    Recorded(String),
    /// The current policy without hubfix's statement: others changed the policy since
    /// the fix, and their changes stay.
    Edited(Value),
    /// No policy: the bucket had none (or only hubfix's statement is left).
    Delete,
}

/// How to undo `S3.5` on a bucket whose policy was `recorded` before the fix and is
/// `current` now: the recorded policy when the rest of the policy is as it was, else
/// the current policy without hubfix's statement.
pub fn tls_undo(
    recorded: Option<&str>,
    current: Option<&Value>,
    bucket: &str,
) -> Result<PolicyRestore, FixError> {
    let old = recorded.map(|t| parse_policy(t, bucket)).transpose()?;
    let stripped = current.and_then(without_tls_deny);
    if same_policy(stripped.as_ref(), old.as_ref()) {
        return Ok(match recorded {
            Some(text) => PolicyRestore::Recorded(text.to_owned()),
            None => PolicyRestore::Delete,
        });
    }
    Ok(match stripped {
        Some(policy) => PolicyRestore::Edited(policy),
        None => PolicyRestore::Delete,
    })
}

/// How to undo `S3.6`: the recorded policy, when the current one is what the fix left
/// (or already the recorded one). When the policy changed since, hubfix does not
/// overwrite those changes and says what to put back by hand.
pub fn cross_account_undo(
    recorded: &str,
    current: Option<&Value>,
    bucket: &str,
    owner: &str,
) -> Result<PolicyRestore, FixError> {
    let old = parse_policy(recorded, bucket)?;
    let fixed = without_grants(&old, &cross_account_grants(&old, owner));
    if same_policy(current, fixed.as_ref()) || same_policy(current, Some(&old)) {
        return Ok(PolicyRestore::Recorded(recorded.to_owned()));
    }
    Err(FixError::Target(format!(
        "the policy of bucket {bucket} changed since hubfix removed the cross-account grants; hubfix does not overwrite those changes. Put the removed grants back by hand from the policy as it was: {recorded}"
    )))
}

/// A bucket's policy, for the rules that edit resource policies of several services
/// ([`crate::remediate::resource_policy::PolicyStore`]).
#[derive(Debug)]
pub struct BucketPolicy;

impl crate::remediate::resource_policy::PolicyStore for BucketPolicy {
    fn resource(&self, fix: Fix<'_>) -> String {
        format!("bucket {}", fix.target.name)
    }

    fn read<'a>(
        &'a self,
        fix: Fix<'a>,
        with_tags: bool,
    ) -> FixFuture<'a, crate::remediate::resource_policy::StoredPolicy> {
        Box::pin(async move {
            let bucket = &fix.target.name;
            Ok(crate::remediate::resource_policy::StoredPolicy {
                policy: bucket_policy(&fix.clients.s3, bucket).await?,
                tags: bucket_tags(&fix.clients.s3, bucket, with_tags).await?,
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, policy: Option<&'a str>) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let bucket = &fix.target.name;
            match policy {
                Some(text) => {
                    put_policy(&fix.clients.s3, bucket, &parse_policy(text, bucket)?).await
                }
                None => delete_policy(&fix.clients.s3, bucket).await,
            }
        })
    }
}

async fn bucket_policy(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<String>, FixError> {
    match s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => Ok(out.policy().map(str::to_owned)),
        Err(e) if service_code(&e) == Some("NoSuchBucketPolicy") => Ok(None),
        Err(e) => Err(FixError::from_sdk(
            "s3:GetBucketPolicy",
            &format!("bucket {bucket}"),
            NO_SUCH_BUCKET,
            e,
        )),
    }
}

fn parse_policy(text: &str, bucket: &str) -> Result<Value, FixError> {
    serde_json::from_str(text)
        .map_err(|e| FixError::Target(format!("the policy of bucket {bucket} is not JSON: {e}")))
}

async fn put_policy(s3: &aws_sdk_s3::Client, bucket: &str, policy: &Value) -> Result<(), FixError> {
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(policy.to_string())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "s3:PutBucketPolicy",
                &format!("bucket {bucket}"),
                NO_SUCH_BUCKET,
                e,
            )
        })
}

async fn delete_policy(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<(), FixError> {
    s3.delete_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "s3:DeleteBucketPolicy",
                &format!("bucket {bucket}"),
                NO_SUCH_BUCKET,
                e,
            )
        })
}

/// Writes what an undo decided; returns the step taken.
async fn restore_policy(fix: &Fix<'_>, restore: PolicyRestore) -> Result<String, FixError> {
    let s3 = &fix.clients.s3;
    let bucket = &fix.target.name;
    match restore {
        PolicyRestore::Recorded(text) => {
            s3.put_bucket_policy()
                .bucket(bucket)
                .policy(text)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk(
                        "s3:PutBucketPolicy",
                        &format!("bucket {bucket}"),
                        NO_SUCH_BUCKET,
                        e,
                    )
                })?;
            Ok(format!("put back the policy of bucket {bucket} as it was"))
        }
        PolicyRestore::Edited(policy) => {
            put_policy(s3, bucket, &policy).await?;
            Ok(format!(
                "removed statement {TLS_SID} from the policy of bucket {bucket}, keeping the changes made to it since the fix"
            ))
        }
        PolicyRestore::Delete => {
            delete_policy(s3, bucket).await?;
            Ok(format!(
                "deleted the policy of bucket {bucket}, which had none but hubfix's statement {TLS_SID}"
            ))
        }
    }
}

/// The current policy of the fix's bucket, parsed.
async fn current_policy(fix: &Fix<'_>) -> Result<Option<Value>, FixError> {
    let bucket = &fix.target.name;
    bucket_policy(&fix.clients.s3, bucket)
        .await?
        .map(|t| parse_policy(&t, bucket))
        .transpose()
}

fn bucket_arn(fix: &Fix<'_>) -> String {
    let partition = Arn::parse(&fix.target.resource_id).map_or("aws", |a| a.partition);
    format!("arn:{partition}:s3:::{}", fix.target.name)
}

async fn read(
    fix: Fix<'_>,
    with_tags: bool,
) -> Result<(Option<Vec<(String, String)>>, Option<String>), FixError> {
    let s3 = &fix.clients.s3;
    let (tags, policy) = tokio::join!(
        bucket_tags(s3, &fix.target.name, with_tags),
        bucket_policy(s3, &fix.target.name)
    );
    Ok((tags?, policy?))
}

impl Remediation for DenyInsecureTransport {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (tags, text) = read(fix, with_tags).await?;
            let compliant = match &text {
                Some(t) => denies_insecure_transport(&parse_policy(t, &fix.target.name)?),
                None => false,
            };
            let changes = if compliant {
                Vec::new()
            } else {
                vec![Change::new(
                    format!("added statement {TLS_SID} denying requests without TLS to the bucket policy"),
                    &(),
                )]
            };
            Ok(Inspection {
                tags,
                plan: Plan {
                    before: BeforeState::new(
                        format!("bucket {}", fix.target.name),
                        &PolicyBefore { policy: text },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let bucket = &fix.target.name;
            let current = bucket_policy(&fix.clients.s3, bucket).await?;
            let current = current.map(|t| parse_policy(&t, bucket)).transpose()?;
            if current.as_ref().is_some_and(denies_insecure_transport) {
                return Ok(());
            }
            put_policy(
                &fix.clients.s3,
                bucket,
                &with_tls_deny(current.as_ref(), &bucket_arn(&fix)),
            )
            .await
        })
    }

    /// Puts the recorded policy back exactly (or deletes the policy when there was
    /// none); when others changed the policy since the fix, removes only hubfix's
    /// statement and keeps their changes (the read-back then shows the difference).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let PolicyBefore { policy } = before.recorded()?;
            let current = current_policy(&fix).await?;
            let restore = tls_undo(policy.as_deref(), current.as_ref(), &fix.target.name)?;
            Ok(vec![restore_policy(&fix, restore).await?])
        })
    }
}

impl Remediation for RestrictCrossAccountGrants {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (tags, text) = read(fix, with_tags).await?;
            let grants = match &text {
                Some(t) => {
                    cross_account_grants(&parse_policy(t, &fix.target.name)?, &fix.target.account)
                }
                None => Vec::new(),
            };
            let changes = grants
                .iter()
                .map(|g| {
                    let what = if g.remove_statement {
                        "removed the statement".to_owned()
                    } else {
                        format!("removed {}", g.actions.join(", "))
                    };
                    let name = g.sid.clone().unwrap_or_else(|| format!("#{}", g.index));
                    Change::new(
                        format!(
                            "{what} {name} granting {} to {}",
                            g.actions.join(", "),
                            g.principals.join(", ")
                        ),
                        g,
                    )
                })
                .collect();
            Ok(Inspection {
                tags,
                plan: Plan {
                    before: BeforeState::new(
                        format!("bucket {}", fix.target.name),
                        &PolicyBefore { policy: text },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let bucket = &fix.target.name;
            let Some(text) = bucket_policy(&fix.clients.s3, bucket).await? else {
                return Ok(());
            };
            let policy = parse_policy(&text, bucket)?;
            let grants = cross_account_grants(&policy, &fix.target.account);
            if grants.is_empty() {
                return Ok(());
            }
            match without_grants(&policy, &grants) {
                Some(kept) => put_policy(&fix.clients.s3, bucket, &kept).await,
                None => delete_policy(&fix.clients.s3, bucket).await,
            }
        })
    }

    /// Puts the recorded policy back exactly, grants to other accounts included, unless
    /// the policy changed since the fix (then nothing is written and the error says
    /// what to restore by hand).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let PolicyBefore { policy } = before.recorded()?;
            let Some(recorded) = policy else {
                return Ok(Vec::new());
            };
            let current = current_policy(&fix).await?;
            let restore = cross_account_undo(
                &recorded,
                current.as_ref(),
                &fix.target.name,
                &fix.target.account,
            )?;
            let step = restore_policy(&fix, restore).await?;
            Ok(vec![format!("{step}, with its grants to other accounts")])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:s3:::b";

    #[test]
    fn tls_deny_is_merged_not_replacing() {
        let existing = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/r"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
        assert!(!denies_insecure_transport(&existing));
        let merged = with_tls_deny(Some(&existing), ARN);
        assert!(denies_insecure_transport(&merged));
        let list = merged["Statement"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["Sid"], "Readers");
        assert_eq!(list[1]["Resource"], json!([ARN, "arn:aws:s3:::b/*"]));
        let single = json!({"Statement": {"Sid": "One", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}});
        assert_eq!(
            with_tls_deny(Some(&single), ARN)["Statement"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert!(denies_insecure_transport(&with_tls_deny(None, ARN)));
    }

    #[test]
    fn recognises_existing_tls_denies_in_their_usual_spellings() {
        for condition in [json!("false"), json!(false), json!(["false"])] {
            let p = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": ["s3:*"],
                "Condition": {"Bool": {"aws:SecureTransport": condition}}}]});
            assert!(denies_insecure_transport(&p), "{condition}");
        }
        let only_get = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
        assert!(!denies_insecure_transport(&only_get));
    }

    #[test]
    fn action_wildcards() {
        assert!(action_matches("s3:*", "s3:PutBucketAcl"));
        assert!(action_matches("s3:Put*", "s3:PutObjectAcl"));
        assert!(action_matches("S3:putbucketpolicy", "s3:PutBucketPolicy"));
        assert!(action_matches("*", "s3:DeleteBucketPolicy"));
        assert!(!action_matches("s3:Get*", "s3:PutBucketAcl"));
        assert!(action_matches("s3:PutBucket?cl", "s3:PutBucketAcl"));
    }

    #[test]
    fn cross_account_grants_are_found_and_removed_surgically() {
        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
             "Action": ["s3:GetObject", "s3:PutObjectAcl"], "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "PartnerAdmin", "Effect": "Allow", "Principal": {"AWS": ["888888888888"]},
             "Action": "s3:*", "Resource": "arn:aws:s3:::b"},
            {"Sid": "Own", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/admin"},
             "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::b"},
            {"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketAcl", "Resource": "arn:aws:s3:::b"}
        ]});
        let grants = cross_account_grants(&policy, "123456789012");
        assert_eq!(grants.len(), 2);
        assert_eq!(grants[0].actions, ["s3:PutObjectAcl"]);
        assert!(!grants[0].remove_statement);
        assert!(grants[1].remove_statement);
        let kept = without_grants(&policy, &grants).unwrap();
        let sids: Vec<_> = kept["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].clone())
            .collect();
        assert_eq!(sids, [json!("Partner"), json!("Own"), json!("DenyAll")]);
        assert_eq!(kept["Statement"][0]["Action"], json!(["s3:GetObject"]));
        assert!(cross_account_grants(&kept, "123456789012").is_empty());
    }

    #[test]
    fn tls_undo_restores_the_recorded_policy_or_keeps_later_changes() {
        let readers = json!({"Sid": "Readers", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"});
        let old = json!({"Version": "2012-10-17", "Statement": readers.clone()});
        let text = old.to_string();
        let fixed = with_tls_deny(Some(&old), ARN);
        assert_eq!(
            tls_undo(Some(&text), Some(&fixed), "b").unwrap(),
            PolicyRestore::Recorded(text.clone()),
            "a single statement is the same policy as a list of one"
        );
        assert_eq!(
            tls_undo(None, Some(&with_tls_deny(None, ARN)), "b").unwrap(),
            PolicyRestore::Delete
        );
        let mut edited = fixed.clone();
        edited["Statement"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Sid": "Later", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket"}));
        let PolicyRestore::Edited(kept) = tls_undo(Some(&text), Some(&edited), "b").unwrap() else {
            panic!("later changes are kept");
        };
        let sids: Vec<_> = statements(&kept).iter().map(|s| s["Sid"].clone()).collect();
        assert_eq!(sids, [json!("Readers"), json!("Later")]);
        assert!(tls_undo(Some("not json"), None, "b").is_err());
    }

    #[test]
    fn cross_account_undo_refuses_to_overwrite_later_changes() {
        let old = json!({"Statement": [
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "999999999999"}, "Action": "s3:PutObjectAcl"},
            {"Sid": "Own", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:GetObject"}]});
        let text = old.to_string();
        let fixed = without_grants(&old, &cross_account_grants(&old, "123456789012")).unwrap();
        assert_eq!(
            cross_account_undo(&text, Some(&fixed), "b", "123456789012").unwrap(),
            PolicyRestore::Recorded(text.clone())
        );
        let err = cross_account_undo(&text, None, "b", "123456789012").unwrap_err();
        assert!(err.to_string().contains("changed since"), "{err}");
    }

    #[test]
    fn a_policy_of_only_forbidden_grants_is_deleted() {
        let policy = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObjectAcl"}]});
        let grants = cross_account_grants(&policy, "123456789012");
        assert_eq!(grants[0].principals, ["*"]);
        assert_eq!(without_grants(&policy, &grants), None);
    }
}
