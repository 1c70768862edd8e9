//! `SSM.4`: SSM documents the account owns are not shared with everyone.
//!
//! A document is shared either publicly (the account id `all`) or with a list of
//! accounts, never both. hubfix removes the public share only: the document becomes
//! private, and an owner who meant to share it with some accounts shares it with them.
//! Undo shares it publicly again, with the version that was shared.
//!
//! Security Hub names the document by its ARN. Its resource type is `AwsSsmDocument`;
//! a finding that writes `Other` for it, as Security Hub does for types the ASFF has
//! no details object for, is accepted too, since the ARN says what it is.

use aws_sdk_ssm::types::{DocumentPermissionType, ResourceTypeForTagging};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "SSM.4",
    title: "SSM documents should not be public",
    resource_type: "AwsSsmDocument",
    fix: "Stops sharing the document with everyone (removes the account id `all` from its share permission); the document stays, private. Undo shares it publicly again.",
    iam_actions: &[
        "ssm:DescribeDocumentPermission",
        "ssm:ModifyDocumentPermission",
        "ssm:ListTagsForResource",
    ],
    impact: Impact::Disruptive,
    remediation: &PublicDocument,
}];

/// `SSM.4`: removes the public share of a document.
#[derive(Debug)]
pub struct PublicDocument;

/// The account id SSM uses for a public share.
const EVERYONE: &str = "all";

/// The codes SSM answers for a document that does not exist.
const NOT_FOUND: &[&str] = &["InvalidDocument"];

/// The before-state: how the document was shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSharingBefore {
    /// The version shared with everyone (`$DEFAULT` unless one was named), `None`
    /// when the document was not public.
    pub public_version: Option<String>,
    /// The accounts it is shared with, by id (never `all`), sorted.
    pub accounts: Vec<String>,
}

/// The plan: remove the public share of a public document.
pub fn public_document_plan(document: &str, before: DocumentSharingBefore) -> Plan {
    let changes = if before.public_version.is_some() {
        vec![Change::new(
            format!("stopped sharing SSM document {document} with everyone (it is private now)"),
            &(),
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(format!("SSM document {document}"), &before),
        changes,
    }
}

async fn sharing(fix: &Fix<'_>) -> Result<DocumentSharingBefore, FixError> {
    let document = &fix.target.name;
    let out = fix
        .clients
        .ssm
        .describe_document_permission()
        .name(document)
        .permission_type(DocumentPermissionType::Share)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ssm:DescribeDocumentPermission",
                &format!("SSM document {document}"),
                NOT_FOUND,
                e,
            )
        })?;
    let public_version = out
        .account_ids()
        .iter()
        .any(|a| a.eq_ignore_ascii_case(EVERYONE))
        .then(|| {
            out.account_sharing_info_list()
                .iter()
                .find(|i| {
                    i.account_id()
                        .is_some_and(|a| a.eq_ignore_ascii_case(EVERYONE))
                })
                .and_then(|i| i.shared_document_version())
                .unwrap_or("$DEFAULT")
                .to_owned()
        });
    let mut accounts: Vec<String> = out
        .account_ids()
        .iter()
        .filter(|a| !a.eq_ignore_ascii_case(EVERYONE))
        .cloned()
        .collect();
    accounts.sort();
    Ok(DocumentSharingBefore {
        public_version,
        accounts,
    })
}

async fn document_tags(fix: &Fix<'_>) -> Result<Vec<(String, String)>, FixError> {
    let document = &fix.target.name;
    let out = fix
        .clients
        .ssm
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Document)
        .resource_id(document)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "ssm:ListTagsForResource",
                &format!("SSM document {document}"),
                NOT_FOUND,
                e,
            )
        })?;
    Ok(out
        .tag_list()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect())
}

/// Shares the document with everyone (`public` with the version), or stops doing so.
async fn set_public(fix: &Fix<'_>, public: Option<&str>) -> Result<(), FixError> {
    let document = &fix.target.name;
    let request = fix
        .clients
        .ssm
        .modify_document_permission()
        .name(document)
        .permission_type(DocumentPermissionType::Share);
    let request = match public {
        Some(version) => request
            .account_ids_to_add(EVERYONE)
            .shared_document_version(version),
        None => request.account_ids_to_remove(EVERYONE),
    };
    request.send().await.map(drop).map_err(|e| {
        FixError::from_sdk(
            "ssm:ModifyDocumentPermission",
            &format!("SSM document {document}"),
            NOT_FOUND,
            e,
        )
    })
}

impl Remediation for PublicDocument {
    fn other_resource_types(&self) -> &'static [&'static str] {
        &["Other"]
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = if with_tags {
                Some(document_tags(&fix).await?)
            } else {
                None
            };
            Ok(Inspection {
                tags,
                plan: public_document_plan(&fix.target.name, sharing(&fix).await?),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { set_public(&fix, None).await })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: DocumentSharingBefore = before.recorded()?;
            let Some(version) = recorded
                .public_version
                .as_deref()
                .filter(|_| !changes.is_empty())
            else {
                return Ok(Vec::new());
            };
            set_public(&fix, Some(version)).await?;
            Ok(vec![format!(
                "shared SSM document {} with everyone again (version {version})",
                fix.target.name
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_public_document_is_made_private() {
        let public = DocumentSharingBefore {
            public_version: Some("$DEFAULT".into()),
            accounts: Vec::new(),
        };
        let plan = public_document_plan("Patch-Fleet", public);
        assert!(plan
            .describe()
            .contains("stopped sharing SSM document Patch-Fleet with everyone"));
        let shared_with_some = DocumentSharingBefore {
            public_version: None,
            accounts: vec!["111122223333".into()],
        };
        assert!(public_document_plan("Patch-Fleet", shared_with_some).is_compliant());
    }
}
