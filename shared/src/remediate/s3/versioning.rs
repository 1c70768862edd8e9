//! S3.14.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "S3.14",
    title: "S3 general purpose buckets should have versioning enabled",
    resource_type: "AwsS3Bucket",
    fix: "Enables versioning.",
    iam_actions: &[
        "s3:GetBucketVersioning",
        "s3:PutBucketVersioning",
        "s3:GetBucketTagging",
    ],
    impact: Impact::Safe,
    remediation: &Versioning,
}];

/// `S3.14`: versioning enabled.
#[derive(Debug)]
pub struct Versioning;

/// The before-state: the versioning status (`None`: never enabled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersioningBefore {
    /// `Suspended`, or `None`.
    pub status: Option<String>,
}

impl Remediation for Versioning {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let bucket = &fix.target.name;
            let (tags, versioning) = tokio::join!(
                bucket_tags(s3, bucket, with_tags),
                s3.get_bucket_versioning().bucket(bucket).send()
            );
            let tags = tags?;
            let status = versioning
                .map_err(sdk_err("s3:GetBucketVersioning", &fix))?
                .status()
                .map(|s| s.as_str().to_owned());
            let changes = if status.as_deref() == Some("Enabled") {
                Vec::new()
            } else {
                vec![Change::new("enabled versioning", &())]
            };
            Ok(Inspection {
                tags,
                plan: plan_of(&fix, &VersioningBefore { status }, changes),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            fix.clients
                .s3
                .put_bucket_versioning()
                .bucket(&fix.target.name)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(BucketVersioningStatus::Enabled)
                        .build(),
                )
                .send()
                .await
                .map(|_| ())
                .map_err(sdk_err("s3:PutBucketVersioning", &fix))
        })
    }

    /// Suspends versioning again. A bucket that was never versioned cannot become so
    /// again (S3 has no way back from Enabled but Suspended): versioning is suspended,
    /// which behaves as before for new objects, and the undo reports it as
    /// [`FixError::Irreversible`].
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let VersioningBefore { status } = before.recorded()?;
            fix.clients
                .s3
                .put_bucket_versioning()
                .bucket(&fix.target.name)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(BucketVersioningStatus::Suspended)
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_err("s3:PutBucketVersioning", &fix))?;
            versioning_undone(&resource(&fix), status.as_deref())
        })
    }
}

/// The outcome of suspending versioning again, given the status before the fix.
pub(super) fn versioning_undone(
    resource: &str,
    before: Option<&str>,
) -> Result<Vec<String>, FixError> {
    match before {
        Some("Suspended") => Ok(vec![format!("suspended versioning of {resource} again")]),
        _ => Err(FixError::Irreversible(format!(
            "hubfix suspended versioning of {resource}, but S3 cannot make a bucket that has had versioning enabled unversioned again: it stays Suspended (new objects get one null version, as before), and the object versions kept meanwhile stay until deleted"
        ))),
    }
}
