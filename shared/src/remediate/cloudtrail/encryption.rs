//! CloudTrail.2.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "CloudTrail.2",
        title: "CloudTrail should have encryption at-rest enabled",
        resource_type: "AwsCloudTrailTrail",
        fix: "Encrypts the trail's log files with the configured KMS key (HUBFIX_TRAIL_KMS_KEY; its key policy must let CloudTrail use it), else with `alias/hubfix-cloudtrail`, created once with a key policy for CloudTrail and rotation on (kept on undo: the logs need it).",
        iam_actions: &[
            "cloudtrail:GetTrail",
            "cloudtrail:ListTags",
            "cloudtrail:UpdateTrail",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:CreateKey",
            "kms:TagResource",
            "kms:CreateAlias",
            "kms:EnableKeyRotation",
        ],
        impact: Impact::Safe,
        remediation: &TrailEncryption,
    },
];

/// `CloudTrail.2`: the trail's log files encrypted with a KMS key: the configured one
/// (`HUBFIX_TRAIL_KMS_KEY`, whose key policy must let CloudTrail use it), else
/// `alias/hubfix-cloudtrail`, created once (rotation on) with a key policy for
/// CloudTrail.
#[derive(Debug)]
pub struct TrailEncryption;

/// The before-state of `CloudTrail.2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionBefore {
    /// The key the trail encrypted with.
    pub kms_key: Option<String>,
}

/// One step of `CloudTrail.2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncryptionChange {
    /// Create the key `alias/hubfix-cloudtrail`.
    CreateKey,
    /// Encrypt the trail's log files with this key.
    Encrypt {
        /// Key id, ARN or alias.
        key: String,
    },
}

impl Remediation for TrailEncryption {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let (trail, tags) = finding_trail(fix, with_tags).await?;
            let mut changes = Vec::new();
            if trail.kms_key.is_none() {
                changeable_here(fix, &trail)?;
                let key = match &fix.settings.catalogue.trail_kms_key {
                    Some(configured) => configured_key(fix, configured).await?,
                    None => match key_arn(fix, TRAIL_KEY_ALIAS).await? {
                        Some(arn) => arn,
                        None => {
                            changes.push(Change::new(
                                format!("created the KMS key {TRAIL_KEY_ALIAS} (rotation on) whose key policy lets CloudTrail encrypt the account's trails"),
                                &EncryptionChange::CreateKey,
                            ));
                            TRAIL_KEY_ALIAS.to_owned()
                        }
                    },
                };
                changes.push(Change::new(
                    format!("encrypted the log files of trail {} with {key}", trail.name),
                    &EncryptionChange::Encrypt { key },
                ));
            }
            Ok(Inspection {
                tags,
                plan: plan(
                    format!("trail {}", trail.name),
                    &EncryptionBefore {
                        kms_key: trail.kms_key,
                    },
                    changes,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            match change.detail::<EncryptionChange>()? {
                EncryptionChange::CreateKey => create_trail_key(fix).await,
                EncryptionChange::Encrypt { key } => {
                    update_trail(fix, &fix.target.resource_id, |u| u.kms_key_id(key)).await
                }
            }
        })
    }

    /// Turns encryption off again. A key hubfix created is kept: the log files
    /// delivered meanwhile are encrypted with it, and deleting it would make them
    /// unreadable.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let EncryptionBefore { kms_key } = before.recorded()?;
            let mut steps = Vec::new();
            for change in changes {
                match change.detail::<EncryptionChange>()? {
                    EncryptionChange::Encrypt { key } => {
                        let arn = &fix.target.resource_id;
                        let old = kms_key.clone().unwrap_or_default();
                        update_trail(fix, arn, |u| u.kms_key_id(old)).await?;
                        steps.push(match &kms_key {
                            Some(k) => format!("put back the trail's key {k}"),
                            None => format!(
                                "turned KMS encryption of trail {} off again (it was {key})",
                                fix.target.name
                            ),
                        });
                    }
                    EncryptionChange::CreateKey => steps.push(format!(
                        "kept the KMS key {TRAIL_KEY_ALIAS}, which hubfix created: the log files delivered while the trail used it need it to be read (schedule its deletion when they are gone)"
                    )),
                }
            }
            Ok(steps)
        })
    }
}

/// The ARN of a key (id, ARN, alias name or alias ARN), `None` when there is none.
async fn key_arn(fix: Fix<'_>, key: &str) -> Result<Option<String>, FixError> {
    match fix.clients.kms.describe_key().key_id(key).send().await {
        Ok(out) => Ok(out.key_metadata().and_then(|m| m.arn()).map(str::to_owned)),
        Err(e) if service_code(&e) == Some("NotFoundException") => Ok(None),
        Err(e) => Err(FixError::from_sdk(
            "kms:DescribeKey",
            &format!("KMS key {key}"),
            &[],
            e,
        )),
    }
}

/// The configured key's ARN, once its key policy is seen to let CloudTrail use it.
async fn configured_key(fix: Fix<'_>, key: &str) -> Result<String, FixError> {
    let arn = key_arn(fix, key).await?.ok_or_else(|| {
        FixError::Unconfigured(format!(
            "{ENV_TRAIL_KMS_KEY} names the KMS key `{key}`, which does not exist in {}",
            fix.target.region
        ))
    })?;
    let policy = fix
        .clients
        .kms
        .get_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .send()
        .await
        .map_err(err("kms:GetKeyPolicy", &format!("KMS key {arn}"), NO_KEY))?;
    let document: Value = policy
        .policy()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    if !key_policy_allows_cloudtrail(&document) {
        return Err(FixError::Unconfigured(format!(
            "the KMS key {arn} ({ENV_TRAIL_KMS_KEY}) does not let CloudTrail use it: add a key policy statement allowing the service principal cloudtrail.amazonaws.com kms:GenerateDataKey* (and kms:DescribeKey), or unset {ENV_TRAIL_KMS_KEY} to let hubfix create {TRAIL_KEY_ALIAS}"
        )));
    }
    Ok(arn)
}

/// Creates `alias/hubfix-cloudtrail`: a symmetric key with CloudTrail's key policy,
/// tagged `hubfix:created`, rotated yearly.
async fn create_trail_key(fix: Fix<'_>) -> Result<(), FixError> {
    let kms = &fix.clients.kms;
    let t = fix.target;
    let tag = aws_sdk_kms::types::Tag::builder()
        .tag_key(CREATED_BY_TAG)
        .tag_value("true")
        .build()
        .map_err(|e| FixError::Target(e.to_string()))?;
    let created = kms
        .create_key()
        .description("CloudTrail log file encryption (created by hubfix)")
        .policy(cloudtrail_key_policy(&t.partition, &t.account).to_string())
        .tags(tag)
        .send()
        .await
        .map_err(err("kms:CreateKey", TRAIL_KEY_ALIAS, &[]))?;
    let id = created
        .key_metadata()
        .map(|m| m.key_id().to_owned())
        .ok_or_else(|| FixError::Target("kms:CreateKey answered no key".into()))?;
    kms.create_alias()
        .alias_name(TRAIL_KEY_ALIAS)
        .target_key_id(&id)
        .send()
        .await
        .map_err(err("kms:CreateAlias", TRAIL_KEY_ALIAS, &[]))?;
    kms.enable_key_rotation()
        .key_id(&id)
        .send()
        .await
        .map_err(err("kms:EnableKeyRotation", TRAIL_KEY_ALIAS, NO_KEY))?;
    Ok(())
}
