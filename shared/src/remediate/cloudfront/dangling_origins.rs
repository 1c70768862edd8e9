//! CloudFront.12: no origin of a distribution names an S3 bucket that does not exist.
//!
//! Anyone can create a bucket under a name nobody holds, so an origin that names a
//! deleted bucket lets a stranger serve content under the distribution's domain. The
//! fix points each such origin at a reserved domain that can never resolve
//! ([`PLACEHOLDER_DOMAIN`], under RFC 2606's `.example`) as a custom HTTPS origin:
//! requests routed to it then fail (502) instead of reaching whoever creates the
//! bucket. Paths served by other origins are unchanged. Approval-only; undo puts the
//! recorded origin back, bucket name and access settings included.
//!
//! A bucket is taken as gone only when S3 answers `NotFound`/`NoSuchBucket`: a bucket
//! of another account (403) or one in another Region (301) exists.

use aws_sdk_cloudfront::types::{CustomOriginConfig, Origin, OriginProtocolPolicy, S3OriginConfig};
use serde::{Deserialize, Serialize};

use super::{distribution_tags, distribution_words, read_config, write_config};
use crate::error::{service_code, FixError};
use crate::model::{BeforeState, Change, Plan};
use crate::remediate::{Fix, FixFuture, Impact, Inspection, Remediation, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "CloudFront.12",
    title: "CloudFront distributions should not point to non-existent S3 origins",
    resource_type: "AwsCloudFrontDistribution",
    fix: "Points each origin whose S3 bucket no longer exists at the reserved, never-resolving domain `hubfix-removed-origin.example` (a custom HTTPS origin), so that nobody who creates a bucket of that name can serve content through the distribution; requests routed to that origin then fail. Undo puts the recorded origins back.",
    iam_actions: &[
        "cloudfront:GetDistributionConfig",
        "cloudfront:ListTagsForResource",
        "cloudfront:UpdateDistribution",
        "s3:ListBucket",
    ],
    impact: Impact::Disruptive,
    remediation: &DanglingOrigins,
}];

/// The domain a dangling origin is pointed at: under `.example`, reserved by RFC 2606,
/// so it never resolves and nobody can register it.
pub const PLACEHOLDER_DOMAIN: &str = "hubfix-removed-origin.example";

/// `CloudFront.12`: origins naming deleted buckets.
#[derive(Debug)]
pub struct DanglingOrigins;

/// An S3 origin as recorded in the before-state: enough to put it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Origin {
    /// The origin's `Id` in the distribution.
    pub id: String,
    /// Its `DomainName` (`<bucket>.s3.<region>.amazonaws.com`).
    pub domain: String,
    /// Its `S3OriginConfig.OriginAccessIdentity` (empty when none).
    pub access_identity: String,
    /// Its `OriginAccessControlId`, when it has one.
    pub access_control: Option<String>,
}

/// The bucket an S3 REST endpoint domain names: `<bucket>.s3.amazonaws.com`,
/// `<bucket>.s3.<region>.amazonaws.com`, `<bucket>.s3-<region>.amazonaws.com` or
/// `<bucket>.s3.dualstack.<region>.amazonaws.com` (website endpoints are custom
/// origins and are not S3 origins).
pub fn bucket_of(domain: &str) -> Option<&str> {
    let domain = domain.trim_end_matches('.');
    let rest = domain
        .strip_suffix(".amazonaws.com")
        .or_else(|| domain.strip_suffix(".amazonaws.com.cn"))?;
    let (bucket, endpoint) = rest.rsplit_once(".s3")?;
    let endpoint_ok = endpoint.is_empty()
        || endpoint.starts_with('.') && !endpoint.contains("website")
        || endpoint.starts_with('-') && !endpoint.contains("website");
    (endpoint_ok && crate::ids::is_bucket_name(bucket)).then_some(bucket)
}

/// The S3 origins of a distribution, as recorded: origins on an S3 REST endpoint that
/// are not custom origins (CloudFront answers an S3 origin's `S3OriginConfig` even when
/// its access identity is empty; some readers of the API leave it out then).
fn s3_origins(origins: &[Origin]) -> Vec<S3Origin> {
    origins
        .iter()
        .filter(|o| o.custom_origin_config().is_none() && bucket_of(o.domain_name()).is_some())
        .map(|o| S3Origin {
            id: o.id().to_owned(),
            domain: o.domain_name().to_owned(),
            access_identity: o
                .s3_origin_config()
                .map(|c| c.origin_access_identity().to_owned())
                .unwrap_or_default(),
            access_control: o
                .origin_access_control_id()
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        })
        .collect()
}

/// The plan: every origin in `dangling` pointed at the placeholder. The change and the
/// before-state both record the origins as they are.
pub fn dangling_plan(distribution: &str, dangling: Vec<S3Origin>) -> Plan {
    let changes = if dangling.is_empty() {
        Vec::new()
    } else {
        let named: Vec<String> = dangling
            .iter()
            .map(|o| format!("{} ({})", o.id, bucket_of(&o.domain).unwrap_or(&o.domain)))
            .collect();
        vec![Change::new(
            format!(
                "pointed the origins of {distribution} whose S3 bucket no longer exists at {PLACEHOLDER_DOMAIN}: {} (requests routed to them now fail instead of reaching whoever creates the bucket)",
                named.join(", ")
            ),
            &dangling,
        )]
    };
    Plan {
        before: BeforeState::new(distribution.to_owned(), &dangling),
        changes,
    }
}

/// Whether the bucket exists, as S3 answers `HeadBucket`.
async fn bucket_exists(fix: Fix<'_>, bucket: &str) -> Result<bool, FixError> {
    match fix.clients.s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(e) => match service_code(&e) {
            Some("NotFound" | "NoSuchBucket") => Ok(false),
            Some("Forbidden" | "AccessDenied" | "PermanentRedirect" | "301" | "403") => Ok(true),
            _ if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
            _ if e
                .raw_response()
                .is_some_and(|r| [301, 403].contains(&r.status().as_u16())) =>
            {
                Ok(true)
            }
            _ => Err(FixError::from_sdk(
                "s3:ListBucket",
                &format!("bucket {bucket}"),
                &[],
                e,
            )),
        },
    }
}

/// The origin pointed at the placeholder, keeping its id, path and headers.
fn pointed_away(origin: &Origin) -> Result<Origin, FixError> {
    let custom = CustomOriginConfig::builder()
        .http_port(80)
        .https_port(443)
        .origin_protocol_policy(OriginProtocolPolicy::HttpsOnly)
        .build()
        .map_err(|e| FixError::Target(format!("building the placeholder origin: {e}")))?;
    let mut origin = origin.clone();
    origin.domain_name = PLACEHOLDER_DOMAIN.to_owned();
    origin.s3_origin_config = None;
    origin.custom_origin_config = Some(custom);
    origin.origin_access_control_id = Some(String::new());
    Ok(origin)
}

/// The origin as recorded.
fn restored(origin: &Origin, recorded: &S3Origin) -> Result<Origin, FixError> {
    let s3 = S3OriginConfig::builder()
        .origin_access_identity(&recorded.access_identity)
        .build();
    let mut origin = origin.clone();
    origin.domain_name = recorded.domain.clone();
    origin.custom_origin_config = None;
    origin.s3_origin_config = Some(s3);
    origin.origin_access_control_id = Some(recorded.access_control.clone().unwrap_or_default());
    Ok(origin)
}

/// Rewrites the origins named in `origins` with `rewrite`; an origin no longer in the
/// distribution is an error naming it.
async fn rewrite_origins(
    fix: Fix<'_>,
    origins: &[S3Origin],
    rewrite: impl Fn(&Origin, &S3Origin) -> Result<Origin, FixError>,
) -> Result<(), FixError> {
    let mut versioned = read_config(fix).await?;
    let items = versioned
        .config
        .origins
        .as_mut()
        .map(|o| &mut o.items)
        .ok_or_else(|| FixError::Target("the distribution has no origins".into()))?;
    for recorded in origins {
        let origin = items
            .iter_mut()
            .find(|o| o.id == recorded.id)
            .ok_or_else(|| {
                FixError::Target(format!(
                    "origin {} is no longer in {}",
                    recorded.id,
                    distribution_words(&fix.target.name)
                ))
            })?;
        *origin = rewrite(origin, recorded)?;
    }
    write_config(fix, versioned).await
}

impl Remediation for DanglingOrigins {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let versioned = read_config(fix).await?;
            let origins = versioned
                .config
                .origins()
                .map(|o| o.items())
                .unwrap_or_default();
            let mut dangling = Vec::new();
            for origin in s3_origins(origins) {
                let bucket = bucket_of(&origin.domain).unwrap_or_default().to_owned();
                if !bucket_exists(fix, &bucket).await? {
                    dangling.push(origin);
                }
            }
            Ok(Inspection {
                tags: if with_tags {
                    Some(distribution_tags(fix).await?)
                } else {
                    None
                },
                plan: dangling_plan(&distribution_words(&fix.target.name), dangling),
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let dangling: Vec<S3Origin> = change.detail()?;
            rewrite_origins(fix, &dangling, |origin, _| pointed_away(origin)).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: Vec<S3Origin> = before.recorded()?;
            rewrite_origins(fix, &recorded, restored).await?;
            Ok(recorded
                .iter()
                .map(|o| {
                    format!(
                        "pointed origin {} of {} back at {} (the bucket still does not exist)",
                        o.id, before.resource, o.domain
                    )
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_read_from_s3_rest_endpoints_only() {
        assert_eq!(bucket_of("assets.s3.amazonaws.com"), Some("assets"));
        assert_eq!(
            bucket_of("my.assets.s3.eu-west-1.amazonaws.com"),
            Some("my.assets")
        );
        assert_eq!(
            bucket_of("assets.s3-eu-west-1.amazonaws.com"),
            Some("assets")
        );
        assert_eq!(
            bucket_of("assets.s3.dualstack.eu-west-1.amazonaws.com"),
            Some("assets")
        );
        assert_eq!(bucket_of("assets.s3-website-eu-west-1.amazonaws.com"), None);
        assert_eq!(bucket_of("assets.s3-website.eu-west-1.amazonaws.com"), None);
        assert_eq!(bucket_of("example.com"), None);
        assert_eq!(bucket_of("Bad_Bucket.s3.amazonaws.com"), None);
    }

    #[test]
    fn an_origin_pointed_away_keeps_its_id_and_path_and_comes_back_whole() {
        let origin = Origin::builder()
            .id("site")
            .domain_name("gone-bucket.s3.us-east-1.amazonaws.com")
            .origin_path("/v2")
            .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
            .origin_access_control_id("E2OAC")
            .build()
            .unwrap();
        let recorded = s3_origins(std::slice::from_ref(&origin));
        assert_eq!(recorded[0].access_control.as_deref(), Some("E2OAC"));
        let away = pointed_away(&origin).unwrap();
        assert_eq!(away.domain_name(), PLACEHOLDER_DOMAIN);
        assert_eq!(away.origin_path(), Some("/v2"));
        assert!(away.s3_origin_config().is_none());
        let back = restored(&away, &recorded[0]).unwrap();
        assert_eq!(back, origin);

        let plan = dangling_plan("CloudFront distribution E1", recorded);
        assert!(plan.changes[0].description.contains(": site (gone-bucket)"));
    }
}
