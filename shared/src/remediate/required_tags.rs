//! One remediation for the tagging controls (`DynamoDB.5`, `GuardDuty.2`, `GuardDuty.4`): a resource
//! carries the tag keys the organisation requires.
//!
//! Security Hub's tagging controls fail a resource that has none of the keys of their
//! `requiredTagKeys` parameter (or no tag at all, when the parameter is unset). The fix
//! adds the keys the resource lacks, with the values configured in
//! `HUBFIX_REQUIRED_TAGS` (`owner=platform,cost-center=unassigned`); a key the resource
//! has keeps its value. Undo removes the keys hubfix added, unless someone has since
//! given one another value. Each service only says how its tags are read, added and
//! removed ([`Tagged`]).

use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

/// A tag: its key and value.
type Tag = (String, String);

/// How one kind of resource's tags are read, added and removed.
pub trait Tagged: std::fmt::Debug + Send + Sync {
    /// How notes name the resource, e.g. `DynamoDB table orders`.
    fn described(&self, fix: Fix<'_>) -> String;

    /// The name the API needs, for a resource its rule's type does not describe (see
    /// [`Remediation::resource_name`]); `None`, the default: the type's resource kind.
    fn resource_name(
        &self,
        _resource_id: &str,
        _account: &str,
    ) -> Option<Result<String, FixError>> {
        None
    }

    /// The resource's tags.
    fn read<'a>(&'a self, fix: Fix<'a>) -> FixFuture<'a, Vec<(String, String)>>;

    /// Adds (or overwrites) `tags`.
    fn add<'a>(&'a self, fix: Fix<'a>, tags: &'a [(String, String)]) -> FixFuture<'a, ()>;

    /// Removes the tags with `keys`.
    fn remove<'a>(&'a self, fix: Fix<'a>, keys: &'a [String]) -> FixFuture<'a, ()>;
}

/// A tagging control: the resource carries every required tag key.
#[derive(Debug)]
pub struct RequiredTags<T: Tagged>(pub T);

/// The before-state: the tag keys the resource had, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagKeysBefore {
    /// Its tag keys.
    pub keys: Vec<String>,
}

/// The plan: `required` keys the resource's `tags` lack are added with their value.
pub fn required_tags_plan(
    resource: String,
    tags: &[(String, String)],
    required: &[(String, String)],
) -> Result<Plan, FixError> {
    let mut keys: Vec<String> = tags.iter().map(|(k, _)| k.clone()).collect();
    keys.sort();
    keys.dedup();
    let missing: Vec<(String, String)> = required
        .iter()
        .filter(|(k, _)| !keys.contains(k))
        .cloned()
        .collect();
    if required.is_empty() && keys.is_empty() {
        return Err(FixError::Unconfigured(
            "the tagging controls need the tags to add: set HUBFIX_REQUIRED_TAGS (template parameter RequiredTags), e.g. owner=platform,cost-center=unassigned, with the keys of the control's requiredTagKeys".into(),
        ));
    }
    let changes = if missing.is_empty() {
        Vec::new()
    } else {
        vec![Change::new(
            format!(
                "tagged {resource} with {}",
                missing
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &missing,
        )]
    };
    Ok(Plan {
        before: BeforeState::new(resource, &TagKeysBefore { keys }),
        changes,
    })
}

impl<T: Tagged> Remediation for RequiredTags<T> {
    fn resource_name(&self, resource_id: &str, account: &str) -> Option<Result<String, FixError>> {
        self.0.resource_name(resource_id, account)
    }

    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = self.0.read(fix).await?;
            let plan =
                required_tags_plan(self.0.described(fix), &tags, &fix.settings.required_tags)?;
            Ok(Inspection {
                tags: Some(tags),
                plan,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let added: Vec<(String, String)> = change.detail()?;
            self.0.add(fix, &added).await
        })
    }

    /// Removes the tags hubfix added that still have the value it gave them; a tag
    /// given another value since is kept, and the undo says so
    /// ([`FixError::Irreversible`]).
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let Some(change) = changes.first() else {
                return Ok(Vec::new());
            };
            let added: Vec<(String, String)> = change.detail()?;
            let now = self.0.read(fix).await?;
            let (ours, changed): (Vec<&Tag>, Vec<&Tag>) =
                added.iter().partition(|tag| now.contains(tag));
            let keys: Vec<String> = ours.iter().map(|(k, _)| k.clone()).collect();
            let mut steps = Vec::new();
            if !keys.is_empty() {
                self.0.remove(fix, &keys).await?;
                steps.push(format!(
                    "removed the tags hubfix added to {} ({})",
                    before.resource,
                    keys.join(", ")
                ));
            }
            if changed.is_empty() {
                return Ok(steps);
            }
            Err(FixError::irreversible_after(
                format!(
                    "{} of {} {} another value since hubfix added it, so hubfix leaves it",
                    changed
                        .iter()
                        .map(|(k, _)| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    before.resource,
                    if changed.len() == 1 {
                        "was given"
                    } else {
                        "were given"
                    }
                ),
                &steps,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn only_missing_keys_are_added_and_present_ones_keep_their_value() {
        let required = tags(&[("owner", "platform"), ("cost-center", "unassigned")]);
        let plan = required_tags_plan(
            "DynamoDB table orders".into(),
            &tags(&[("owner", "payments")]),
            &required,
        )
        .unwrap();
        let added: Vec<(String, String)> = plan.changes[0].detail().unwrap();
        assert_eq!(added, tags(&[("cost-center", "unassigned")]));
        assert_eq!(
            plan.describe(),
            "tagged DynamoDB table orders with cost-center=unassigned"
        );
        let done = required_tags_plan(
            "t".into(),
            &tags(&[("owner", "payments"), ("cost-center", "cc-1")]),
            &required,
        )
        .unwrap();
        assert!(done.is_compliant());
    }

    #[test]
    fn without_required_keys_any_tag_passes_and_none_is_unconfigured() {
        assert!(required_tags_plan("t".into(), &tags(&[("a", "b")]), &[])
            .unwrap()
            .is_compliant());
        let err = required_tags_plan("t".into(), &[], &[]).unwrap_err();
        assert!(matches!(err, FixError::Unconfigured(ref s) if s.contains("HUBFIX_REQUIRED_TAGS")));
    }
}
