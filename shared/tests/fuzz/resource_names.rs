//! The resource-name validators on hostile ids: what they accept is a name its API
//! allows (so no hostile id reaches an API call), what is valid is accepted, and
//! `remediate::target` resolves only well-formed accounts, regions and partitions.

use hubfix::finding::parse_finding;
use hubfix::ids::bucket_name;
use hubfix::ids::is_account_id;
use hubfix::ids::partition_of;
use hubfix::ids::Arn;
use hubfix::registry;
use hubfix::remediate::ec2::security_groups::ec2_resource_id;
use hubfix::remediate::iam::user_name;
use hubfix::remediate::target;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

use crate::strategies::{any_id, base_finding, config, near_valid_finding};

const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"];

/// The EC2 resource kinds hubfix acts on: ARN kind, id prefix.
const EC2_KINDS: &[(&str, &str)] = &[
    ("security-group", "sg-"),
    ("instance", "i-"),
    ("subnet", "subnet-"),
    ("vpc", "vpc-"),
    ("network-acl", "acl-"),
];

/// S3's bucket naming rules (general purpose buckets).
fn is_s3_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
}

/// `us-east-1`, `us-gov-west-1`, `cn-north-1`: lowercase words and a number.
fn is_region_shaped(region: &str) -> bool {
    let parts: Vec<_> = region.split('-').collect();
    parts.len() >= 3
        && region.len() <= 25
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Characters every API name hubfix passes on may contain (bucket names, EC2 ids, IAM
/// user names, account ids).
fn is_api_safe(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn bucket_names_accepted_are_s3_bucket_names(id in any_id()) {
        if let Ok(name) = bucket_name(&id) {
            prop_assert!(is_s3_bucket_name(&name), "accepted {name:?} from {id:?}");
            prop_assert!(id == name || id.ends_with(&format!(":s3:::{name}")), "{id:?}");
        }
    }

    #[test]
    fn valid_bucket_names_are_accepted_plain_and_as_arns(
        name in "[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
        partition in select(PARTITIONS),
    ) {
        prop_assert_eq!(bucket_name(&name).ok(), Some(name.clone()));
        let arn = format!("arn:{partition}:s3:::{name}");
        prop_assert_eq!(bucket_name(&arn).ok(), Some(name));
    }

    #[test]
    fn ec2_ids_accepted_are_prefix_and_hex(id in any_id(), kind in select(EC2_KINDS)) {
        let (arn_kind, prefix) = kind;
        if let Ok(got) = ec2_resource_id(&id, arn_kind, prefix, "a resource") {
            prop_assert!(got.len() <= 40 && got.len() > prefix.len(), "{got:?}");
            prop_assert!(got.starts_with(prefix), "{got:?}");
            prop_assert!(got[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit()), "{got:?}");
            prop_assert!(id.ends_with(&got), "{got:?} is not the end of {id:?}");
        }
    }

    #[test]
    fn valid_ec2_ids_are_accepted_plain_and_as_arns(
        kind in select(EC2_KINDS),
        hex in "[0-9a-f]{8}|[0-9a-f]{17}",
    ) {
        let (arn_kind, prefix) = kind;
        let id = format!("{prefix}{hex}");
        prop_assert_eq!(ec2_resource_id(&id, arn_kind, prefix, "x").ok(), Some(id.clone()));
        let arn = format!("arn:aws:ec2:us-east-1:123456789012:{arn_kind}/{id}");
        prop_assert_eq!(ec2_resource_id(&arn, arn_kind, prefix, "x").ok(), Some(id));
    }

    #[test]
    fn user_names_accepted_are_iam_user_names(id in any_id()) {
        if let Ok(name) = user_name(&id) {
            prop_assert!(is_api_safe(&name), "accepted {name:?} from {id:?}");
            prop_assert!(id.ends_with(&name));
        }
    }

    #[test]
    fn arns_parse_losslessly_and_only_in_known_partitions(s in any_id()) {
        match Arn::parse(&s) {
            Some(a) => {
                prop_assert!(PARTITIONS.contains(&a.partition), "{a:?}");
                prop_assert_eq!(
                    format!("arn:{}:{}:{}:{}:{}", a.partition, a.service, a.region, a.account, a.resource),
                    s
                );
            }
            None => prop_assert!(
                !s.starts_with("arn:")
                    || s.split(':').nth(1).is_none_or(|p| !PARTITIONS.contains(&p))
                    || s.split(':').count() < 6,
                "{s:?} should have parsed"
            ),
        }
    }

}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn targets_name_only_well_formed_resources(
        raw in near_valid_finding(),
        rule_index in 0usize..64,
        extra in prop::collection::vec((select(&["AwsS3Bucket", "AwsEc2SecurityGroup", "AwsIamUser", "AwsAccount", "AwsEc2Instance"][..]), any_id()), 0..3),
    ) {
        let mut raw = raw;
        if let Some(resources) = raw.get_mut("Resources").and_then(Value::as_array_mut) {
            for (kind, id) in extra {
                resources.push(json!({"Type": kind, "Id": id}));
            }
        }
        let Ok(finding) = parse_finding(0, &raw) else { return Ok(()) };
        let rules = registry::rules().iter().chain(registry::action_rules());
        let rule = rules.clone().nth(rule_index % rules.count()).unwrap();
        match target(&finding, rule) {
            Ok(t) => {
                prop_assert!(is_account_id(&t.account));
                prop_assert_eq!(Some(t.account.as_str()), finding.aws_account_id.as_deref());
                prop_assert!(is_region_shaped(&t.region), "region {:?}", t.region);
                prop_assert_eq!(t.partition.as_str(), partition_of(&t.region), "{:?}", t);
                // Manual rules (no IAM actions) never pass the name to an API.
                if !rule.iam_actions.is_empty() {
                    prop_assert!(is_api_safe(&t.name), "name {:?} for {}", t.name, rule.control_id);
                }
                let of_type: Vec<_> = finding
                    .resources
                    .iter()
                    .filter(|r| r.resource_type == rule.resource_type)
                    .collect();
                prop_assert_eq!(&t.resource_id, &of_type[0].id);
                prop_assert_eq!(t.candidates, of_type.len());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn targets_refuse_hostile_regions_and_accounts(
        shape in 0usize..6,
        region in any_id(),
        account in any_id(),
    ) {
        let mut raw = base_finding(shape, 0);
        raw["Region"] = Value::String(region.clone());
        raw["Resources"][0]
            .as_object_mut()
            .expect("a resource object")
            .remove("Region");
        raw["AwsAccountId"] = Value::String(account.clone());
        let finding = parse_finding(0, &raw).unwrap();
        for rule in registry::rules() {
            if let Ok(t) = target(&finding, rule) {
                prop_assert!(is_region_shaped(&t.region), "region {region:?} accepted");
                prop_assert!(is_account_id(&t.account), "account {account:?} accepted");
            }
        }
    }
}
