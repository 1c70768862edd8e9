//! S3: Block Public Access of buckets and the account, bucket configuration, bucket
//! policies.
//!
//! Bucket configuration fixes: public read/write (`S3.2`, `S3.3`: Block Public Access
//! and public ACL grants removed), server access logging (`S3.9`), default encryption
//! (`S3.4`, `S3.17`), event notifications (`S3.11`), a lifecycle rule (`S3.13`) and
//! versioning (`S3.14`).

pub mod block_public_access;
pub mod policy;

use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, AccessControlPolicy, BucketLifecycleConfiguration,
    BucketLoggingStatus, BucketVersioningStatus, ExpirationStatus, Grant, Grantee, LifecycleRule,
    LifecycleRuleFilter, LoggingEnabled, NoncurrentVersionExpiration, Permission,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, Type, VersioningConfiguration,
};
use serde::{Deserialize, Serialize};

use crate::error::{service_code, FixError};
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::s3::block_public_access::{bucket_tags, inspect_bucket, NO_SUCH_BUCKET};
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

mod access_logging;
mod default_encryption;
mod event_notifications;
mod lifecycle;
mod public_read_write;
mod versioning;

pub use access_logging::*;
pub use default_encryption::*;
pub use event_notifications::*;
pub use lifecycle::*;
pub use public_read_write::*;
pub use versioning::*;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] = &[
    access_logging::RULES,
    block_public_access::RULES,
    default_encryption::RULES,
    event_notifications::RULES,
    lifecycle::RULES,
    policy::RULES,
    public_read_write::RULES,
    versioning::RULES,
];

/// Grantee URIs that make an ACL grant public.
pub const PUBLIC_GRANTEES: &[&str] = &[
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];
/// Id of the lifecycle rule hubfix adds for `S3.13`.
pub const LIFECYCLE_RULE_ID: &str = "hubfix-default";

fn resource(fix: &Fix<'_>) -> String {
    format!("bucket {}", fix.target.name)
}

fn sdk_err<E, R>(
    operation: &'static str,
    fix: &Fix<'_>,
) -> impl FnOnce(aws_smithy_runtime_api::client::result::SdkError<E, R>) -> FixError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let resource = resource(fix);
    move |e| FixError::from_sdk(operation, &resource, NO_SUCH_BUCKET, e)
}

fn plan_of<T: Serialize>(fix: &Fix<'_>, before: &T, changes: Vec<Change>) -> Plan {
    Plan {
        before: BeforeState::new(resource(fix), before),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::s3::public_read_write::{describe_grants, missing_grants};
    use crate::remediate::s3::versioning::versioning_undone;

    fn enc(algorithm: &str) -> Encryption {
        Encryption {
            algorithm: algorithm.into(),
            kms_key: None,
        }
    }

    #[test]
    fn s3_4_accepts_any_default_encryption_s3_17_only_kms() {
        let s3_4 = DefaultEncryption { require_kms: false };
        let s3_17 = DefaultEncryption { require_kms: true };
        assert!(s3_4.satisfied_by(&enc("AES256")));
        assert!(s3_4.satisfied_by(&enc("aws:kms")));
        assert!(!s3_17.satisfied_by(&enc("AES256")));
        assert!(s3_17.satisfied_by(&enc("aws:kms:dsse")));
    }

    #[test]
    fn wanted_encryption_prefers_the_configured_key() {
        let s3_4 = DefaultEncryption { require_kms: false };
        let s3_17 = DefaultEncryption { require_kms: true };
        assert_eq!(s3_4.wanted(None), enc("AES256"));
        assert_eq!(s3_17.wanted(None), enc("aws:kms"));
        assert_eq!(
            s3_4.wanted(Some("alias/logs")).kms_key.as_deref(),
            Some("alias/logs")
        );
    }

    #[test]
    fn only_missing_public_grants_are_put_back() {
        let read = PublicGrant {
            grantee: PUBLIC_GRANTEES[0].into(),
            permission: "READ".into(),
        };
        let write = PublicGrant {
            permission: "WRITE".into(),
            ..read.clone()
        };
        let current = missing_grants(&[], std::slice::from_ref(&read)).unwrap();
        assert_eq!(current.len(), 1);
        assert_eq!(
            current[0].grantee().and_then(|g| g.uri()),
            Some(PUBLIC_GRANTEES[0])
        );
        let again = missing_grants(&current, &[read.clone(), write]).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].permission().map(|p| p.as_str()), Some("WRITE"));
        assert_eq!(describe_grants(&[read]), "READ to AllUsers");
    }

    #[test]
    fn versioning_cannot_go_back_to_never_enabled() {
        assert_eq!(
            versioning_undone("bucket b", Some("Suspended")).unwrap(),
            ["suspended versioning of bucket b again"]
        );
        let err = versioning_undone("bucket b", None).unwrap_err();
        assert!(matches!(err, FixError::Irreversible(_)));
        assert!(err.to_string().contains("stays Suspended"), "{err}");
    }

    #[test]
    fn changes_of_public_access_round_trip() {
        let c = Change::new(
            "x",
            &PublicAccessChange::RemovePublicGrants {
                grants: vec![PublicGrant {
                    grantee: PUBLIC_GRANTEES[0].into(),
                    permission: "READ".into(),
                }],
            },
        );
        assert!(matches!(
            c.detail::<PublicAccessChange>().unwrap(),
            PublicAccessChange::RemovePublicGrants { .. }
        ));
    }
}
