//! CloudTrail trails, their buckets and log groups, KMS keys and GuardDuty detectors as
//! accounts hold them.

use hubfix::aws::Clients;
use hubfix::remediate::cloudtrail::model::{logs_role_trust_policy, trail_bucket_policy};

use crate::seeds::s3::{bucket, put_policy};
use crate::{unique, ACCOUNT, REGION};

/// A bucket whose policy lets CloudTrail deliver trail `trail`'s logs (as CloudTrail
/// requires); returns its name.
pub async fn trail_bucket(clients: &Clients, trail: &str) -> String {
    let bucket = bucket(clients, "trail-logs").await;
    let arn = format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{trail}");
    let policy = trail_bucket_policy("aws", ACCOUNT, &bucket, &arn).to_string();
    put_policy(clients, &bucket, &policy).await;
    bucket
}

/// The user's own trail `name` delivering to a [`trail_bucket`]: multi-region unless
/// told, not logging, not encrypted, no log file validation, no CloudWatch Logs delivery;
/// returns its ARN.
pub async fn user_trail(clients: &Clients, name: &str, multi_region: bool) -> String {
    let bucket = trail_bucket(clients, name).await;
    clients
        .cloudtrail
        .create_trail()
        .name(name)
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(multi_region)
        .send()
        .await
        .expect("create a trail")
        .trail_arn()
        .expect("a trail ARN")
        .to_owned()
}

/// A multi-region [`user_trail`] `org-trail` that is logging, with no data events
/// selected: S3.22, S3.23 and CIS 3.10/3.11 fail. Returns its ARN.
pub async fn logging_trail(clients: &Clients) -> String {
    let arn = user_trail(clients, "org-trail", true).await;
    clients
        .cloudtrail
        .start_logging()
        .name(&arn)
        .send()
        .await
        .expect("start logging");
    arn
}

/// The name of the bucket a trail delivers to.
pub async fn bucket_of_trail(clients: &Clients, trail_arn: &str) -> String {
    clients
        .cloudtrail
        .get_trail()
        .name(trail_arn)
        .send()
        .await
        .expect("get the trail")
        .trail()
        .and_then(|t| t.s3_bucket_name())
        .expect("the trail's bucket")
        .to_owned()
}

/// A multi-region trail `org-trail` delivering to a new log group through role
/// `trail-logs`, with no metric filter or alarm: every CIS monitoring alarm control
/// (CloudWatch.1-14, CIS 4.x) fails. Returns the log group's name.
pub async fn trail_with_log_group(clients: &Clients) -> String {
    let bucket = trail_bucket(clients, "org-trail").await;
    clients
        .iam
        .create_role()
        .role_name("trail-logs")
        .assume_role_policy_document(logs_role_trust_policy(ACCOUNT).to_string())
        .send()
        .await
        .expect("create the trail's logs role");
    let group = unique("cloudtrail-group");
    clients
        .logs
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("create a log group");
    clients
        .cloudtrail
        .create_trail()
        .name("org-trail")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .cloud_watch_logs_log_group_arn(format!(
            "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"
        ))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/trail-logs"))
        .send()
        .await
        .expect("create a trail");
    group
}

/// A filter `archive-low-…` on a new detector, tagged `team=payments`: GuardDuty.2
/// fails when `owner` is required. Returns the filter's ARN.
pub async fn guardduty_filter(clients: &Clients) -> String {
    use aws_sdk_guardduty::types::{Condition, FindingCriteria};
    let (detector_arn, detector) = detector_without_protection_plans(clients).await;
    let name = unique("archive-low");
    clients
        .guardduty
        .create_filter()
        .detector_id(&detector)
        .name(&name)
        .finding_criteria(
            FindingCriteria::builder()
                .criterion("severity", Condition::builder().less_than(4).build())
                .build(),
        )
        .send()
        .await
        .expect("create a filter");
    let arn = format!("{detector_arn}/filter/{name}");
    clients
        .guardduty
        .tag_resource()
        .resource_arn(&arn)
        .tags("team", "payments")
        .send()
        .await
        .expect("tag the filter");
    arn
}

/// A customer managed KMS key with KMS's defaults (no automatic rotation): KMS.4 fails.
/// Returns its ARN and id.
pub async fn kms_key(clients: &Clients) -> (String, String) {
    let key = clients.kms.create_key().send().await.expect("create a key");
    let meta = key.key_metadata().expect("key metadata");
    (
        meta.arn().expect("a key ARN").to_owned(),
        meta.key_id().to_owned(),
    )
}

/// A customer managed KMS key scheduled for deletion in 10 days: KMS.3 fails. Returns
/// its ARN and id.
pub async fn key_pending_deletion(clients: &Clients) -> (String, String) {
    let (arn, id) = kms_key(clients).await;
    clients
        .kms
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(10)
        .send()
        .await
        .expect("schedule the key's deletion");
    (arn, id)
}

/// A log group `/aws/lambda/orders-…` that keeps events for 30 days: CloudWatch.16
/// fails. Returns its name and ARN.
pub async fn short_retention_log_group(clients: &Clients) -> (String, String) {
    let name = format!("/aws/lambda/{}", unique("orders"));
    clients
        .logs
        .create_log_group()
        .log_group_name(&name)
        .send()
        .await
        .expect("create a log group");
    clients
        .logs
        .put_retention_policy()
        .log_group_name(&name)
        .retention_in_days(30)
        .send()
        .await
        .expect("set the retention");
    let arn = format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*");
    (name, arn)
}

/// A GuardDuty detector that exists but is disabled: GuardDuty.1 fails. Returns its id.
pub async fn disabled_detector(clients: &Clients) -> String {
    clients
        .guardduty
        .create_detector()
        .enable(false)
        .send()
        .await
        .expect("create a detector")
        .detector_id()
        .expect("a detector id")
        .to_owned()
}

/// An enabled GuardDuty detector with RDS and S3 Protection off and EBS malware
/// protection on, tagged `team=payments`: GuardDuty.9 and GuardDuty.10 fail. Returns
/// its ARN and id.
pub async fn detector_without_protection_plans(clients: &Clients) -> (String, String) {
    use aws_sdk_guardduty::types::{DetectorFeature, DetectorFeatureConfiguration, FeatureStatus};
    let feature = |name: DetectorFeature, status: FeatureStatus| {
        DetectorFeatureConfiguration::builder()
            .name(name)
            .status(status)
            .build()
    };
    let id = clients
        .guardduty
        .create_detector()
        .enable(true)
        .features(feature(
            DetectorFeature::S3DataEvents,
            FeatureStatus::Disabled,
        ))
        .features(feature(
            DetectorFeature::RdsLoginEvents,
            FeatureStatus::Disabled,
        ))
        .features(feature(
            DetectorFeature::EbsMalwareProtection,
            FeatureStatus::Enabled,
        ))
        .tags("team", "payments")
        .send()
        .await
        .expect("create a detector")
        .detector_id()
        .expect("a detector id")
        .to_owned();
    (
        format!(
            "arn:aws:guardduty:{}:{}:detector/{id}",
            crate::REGION,
            crate::ACCOUNT
        ),
        id,
    )
}
