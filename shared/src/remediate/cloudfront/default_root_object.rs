//! CloudFront.1: a distribution has a default root object.
//!
//! Without one, a request for the distribution's root (`/`) is passed to the origin,
//! which may list its contents (an S3 bucket's listing, a web server's index). The fix
//! sets the configured object (`HUBFIX_CLOUDFRONT_DEFAULT_ROOT_OBJECT`, `index.html`
//! unless configured): requests for `/` are then answered with it, or with a 404/403
//! when the origin has no such object, so it is approval-only. Undo removes it again.

use serde::{Deserialize, Serialize};

use super::{
    distribution_tags, distribution_words, read_config, write_config, DISTRIBUTION_ACTIONS,
};
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "CloudFront.1",
    title: "CloudFront distributions should have a default root object configured",
    resource_type: "AwsCloudFrontDistribution",
    fix: "Sets the distribution's default root object to HUBFIX_CLOUDFRONT_DEFAULT_ROOT_OBJECT (`index.html` unless configured): requests for `/` are answered with that object instead of the origin's root. Undo removes it.",
    iam_actions: DISTRIBUTION_ACTIONS,
    impact: Impact::Disruptive,
    remediation: &DefaultRootObject,
}];

/// `CloudFront.1`: the distribution's default root object.
#[derive(Debug)]
pub struct DefaultRootObject;

/// The before-state: the default root object the distribution had (empty: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootObject {
    /// `DefaultRootObject`.
    pub object: String,
}

/// The plan: `wanted` as the default root object when the distribution has none.
pub fn root_object_plan(distribution: &str, current: &str, wanted: &str) -> Plan {
    let changes = if current.is_empty() {
        vec![Change::new(
            format!("set the default root object of {distribution} to {wanted}"),
            &RootObject {
                object: wanted.to_owned(),
            },
        )]
    } else {
        Vec::new()
    };
    Plan {
        before: BeforeState::new(
            distribution.to_owned(),
            &RootObject {
                object: current.to_owned(),
            },
        ),
        changes,
    }
}

async fn set(fix: Fix<'_>, object: &str) -> Result<(), crate::error::FixError> {
    let mut versioned = read_config(fix).await?;
    versioned.config.default_root_object = Some(object.to_owned());
    write_config(fix, versioned).await
}

impl Remediation for DefaultRootObject {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let versioned = read_config(fix).await?;
            let current = versioned.config.default_root_object().unwrap_or_default();
            Ok(Inspection {
                tags: if with_tags {
                    Some(distribution_tags(fix).await?)
                } else {
                    None
                },
                plan: root_object_plan(
                    &distribution_words(&fix.target.name),
                    current,
                    &fix.settings.cloudfront_default_root_object,
                ),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let wanted: RootObject = change.detail()?;
            set(fix, &wanted.object).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let former: RootObject = before.recorded()?;
            set(fix, &former.object).await?;
            Ok(vec![if former.object.is_empty() {
                format!(
                    "removed the default root object of {} again",
                    before.resource
                )
            } else {
                format!(
                    "put the default root object of {} back to {}",
                    before.resource, former.object
                )
            }])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_distribution_without_a_root_object_gets_one() {
        let plan = root_object_plan("CloudFront distribution E1", "", "index.html");
        assert_eq!(
            plan.changes[0].description,
            "set the default root object of CloudFront distribution E1 to index.html"
        );
        assert_eq!(plan.before.recorded::<RootObject>().unwrap().object, "");
        assert!(root_object_plan("d", "home.html", "index.html").is_compliant());
    }
}
