//! S3 buckets as misconfigured accounts hold them.

use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLifecycleConfiguration, BucketVersioningStatus, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, VersioningConfiguration,
};
use hubfix::aws::Clients;
use serde_json::json;

use crate::{unique, ACCOUNT};

/// A new bucket named after `prefix`, with S3's defaults (no Block Public Access, no
/// policy, no logging, no lifecycle, never versioned); returns its name.
pub async fn bucket(clients: &Clients, prefix: &str) -> String {
    let bucket = unique(prefix);
    clients
        .s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create bucket");
    bucket
}

/// Sets a bucket's Block Public Access settings, in S3's order: `BlockPublicAcls`,
/// `IgnorePublicAcls`, `BlockPublicPolicy`, `RestrictPublicBuckets`.
pub async fn block_public_access(clients: &Clients, bucket: &str, settings: [bool; 4]) {
    let [block_acls, ignore_acls, block_policy, restrict] = settings;
    clients
        .s3
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(block_acls)
                .ignore_public_acls(ignore_acls)
                .block_public_policy(block_policy)
                .restrict_public_buckets(restrict)
                .build(),
        )
        .send()
        .await
        .expect("put Block Public Access");
}

/// A bucket with two of the four Block Public Access settings on (`BlockPublicAcls`,
/// `BlockPublicPolicy`): S3.8 fails.
pub async fn partly_blocked_bucket(clients: &Clients) -> String {
    let bucket = bucket(clients, "partly-blocked").await;
    block_public_access(clients, &bucket, [true, false, true, false]).await;
    bucket
}

/// A bucket whose ACL grants the public `acl` (`PublicRead`: S3.2 fails;
/// `PublicReadWrite`: S3.3 too), then `BlockPublicAcls` turned on: S3 keeps the grant
/// and refuses to add one back unless the setting is off for that moment.
pub async fn public_acl_bucket(clients: &Clients, acl: BucketCannedAcl) -> String {
    let bucket = bucket(clients, "public-acl").await;
    clients
        .s3
        .put_bucket_acl()
        .bucket(&bucket)
        .acl(acl)
        .send()
        .await
        .expect("put a public ACL");
    block_public_access(clients, &bucket, [true, false, false, false]).await;
    bucket
}

/// Puts a bucket policy, as written.
pub async fn put_policy(clients: &Clients, bucket: &str, policy: &str) {
    clients
        .s3
        .put_bucket_policy()
        .bucket(bucket)
        .policy(policy)
        .send()
        .await
        .expect("put bucket policy");
}

/// A bucket with a hand-written policy (odd spacing, one statement object rather than a
/// list) and no TLS-only statement: S3.5 fails. Returns the bucket and the policy text.
pub async fn hand_written_policy_bucket(clients: &Clients) -> (String, String) {
    let bucket = bucket(clients, "readers").await;
    let policy = format!(
        r#"{{ "Version": "2012-10-17", "Statement": {{ "Sid": "Readers", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:root"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{bucket}/*" }} }}"#
    );
    put_policy(clients, &bucket, &policy).await;
    (bucket, policy)
}

/// A bucket whose policy grants two other accounts object access and policy changes:
/// S3.6 fails. Returns the bucket and the policy text.
pub async fn cross_account_bucket(clients: &Clients) -> (String, String) {
    let bucket = bucket(clients, "partner").await;
    let arn = format!("arn:aws:s3:::{bucket}");
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
         "Action": ["s3:GetObject", "s3:PutObjectAcl"], "Resource": format!("{arn}/*")},
        {"Sid": "PartnerAdmin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::888888888888:root"},
         "Action": "s3:PutBucketPolicy", "Resource": arn}
    ]})
    .to_string();
    put_policy(clients, &bucket, &policy).await;
    (bucket, policy)
}

/// A bucket S3 server access logs can be delivered to: its policy lets the logging
/// service write (as S3 requires). For `HUBFIX_S3_ACCESS_LOG_BUCKET`.
pub async fn log_delivery_bucket(clients: &Clients) -> String {
    let bucket = bucket(clients, "access-logs").await;
    let delivery = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
        "Resource": format!("arn:aws:s3:::{bucket}/*")}]});
    put_policy(clients, &bucket, &delivery.to_string()).await;
    bucket
}

/// A bucket encrypted by default with S3-managed keys (SSE-S3): S3.17 fails.
pub async fn sse_s3_bucket(clients: &Clients) -> String {
    let bucket = bucket(clients, "sse-s3").await;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::Aes256)
                .build()
                .expect("an algorithm"),
        )
        .build();
    clients
        .s3
        .put_bucket_encryption()
        .bucket(&bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .expect("a rule"),
        )
        .send()
        .await
        .expect("put bucket encryption");
    bucket
}

/// A disabled lifecycle rule expiring `prefix` after 30 days.
pub fn disabled_lifecycle_rule(id: &str, prefix: &str) -> LifecycleRule {
    LifecycleRule::builder()
        .id(id)
        .status(ExpirationStatus::Disabled)
        .filter(LifecycleRuleFilter::builder().prefix(prefix).build())
        .expiration(LifecycleExpiration::builder().days(30).build())
        .build()
        .expect("a lifecycle rule")
}

/// A bucket whose lifecycle configuration holds only these `(id, prefix)` rules, all
/// disabled: S3.13 fails.
pub async fn lifecycle_bucket(clients: &Clients, rules: &[(&str, &str)]) -> String {
    let bucket = bucket(clients, "lifecycle").await;
    let mut configuration = BucketLifecycleConfiguration::builder();
    for (id, prefix) in rules {
        configuration = configuration.rules(disabled_lifecycle_rule(id, prefix));
    }
    clients
        .s3
        .put_bucket_lifecycle_configuration()
        .bucket(&bucket)
        .lifecycle_configuration(configuration.build().expect("rules"))
        .send()
        .await
        .expect("put lifecycle configuration");
    bucket
}

/// Sets a bucket's versioning status.
pub async fn set_versioning(clients: &Clients, bucket: &str, status: BucketVersioningStatus) {
    clients
        .s3
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build())
        .send()
        .await
        .expect("put bucket versioning");
}

/// A bucket whose versioning was enabled, then suspended: S3.14 fails, and the undo
/// can suspend it again.
pub async fn suspended_versioning_bucket(clients: &Clients) -> String {
    let bucket = bucket(clients, "suspended").await;
    set_versioning(clients, &bucket, BucketVersioningStatus::Enabled).await;
    set_versioning(clients, &bucket, BucketVersioningStatus::Suspended).await;
    bucket
}
