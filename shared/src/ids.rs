//! Identifiers: ARNs, account ids, regions, partitions and S3 bucket names, read and
//! checked before they reach an API call.

use crate::error::FixError;

/// A 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM name (user, role, group, instance profile) of at most `max` characters: letters,
/// digits and `+=,.@_-`, as IAM allows them.
pub fn is_iam_name(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// A region name such as `us-east-1` or `us-gov-west-1`: lowercase words and a number,
/// joined by dashes.
pub fn is_region(s: &str) -> bool {
    let Some((words, number)) = s.rsplit_once('-') else {
        return false;
    };
    s.len() <= 25
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && words.contains('-')
        && words
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The parts of an ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    /// aws, aws-cn, aws-us-gov, ...
    pub partition: &'a str,
    /// The service, e.g. `s3`.
    pub service: &'a str,
    /// The region (empty for global resources).
    pub region: &'a str,
    /// The account (empty for S3 buckets).
    pub account: &'a str,
    /// Everything after the account.
    pub resource: &'a str,
}

const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"];

impl<'a> Arn<'a> {
    /// Parses `arn:partition:service:region:account:resource`.
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        PARTITIONS.contains(&arn.partition).then_some(arn)
    }
}

/// The partition of a region.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// Whether `name` follows S3's rules for bucket names: 3 to 63 lower-case letters,
/// digits, dots and hyphens, starting and ending with a letter or digit, no `..`, not an
/// IP address.
pub fn is_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
}

/// The bucket name of an `AwsS3Bucket` resource id (`arn:aws:s3:::name`).
pub fn bucket_name(resource_id: &str) -> Result<String, FixError> {
    let name = match Arn::parse(resource_id) {
        Some(arn) if arn.service == "s3" && arn.region.is_empty() && arn.account.is_empty() => {
            arn.resource
        }
        Some(_) => "",
        None if !resource_id.starts_with("arn:") => resource_id,
        None => "",
    };
    if is_bucket_name(name) {
        Ok(name.to_owned())
    } else {
        Err(FixError::Target(format!(
            "`{resource_id}` is not an S3 bucket ARN hubfix can act on"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::is_iam_name;

    #[test]
    fn iam_names_take_iams_characters_and_length() {
        assert!(is_iam_name("ops+ci=x,y.z@team_a-1", 64));
        assert!(is_iam_name(&"g".repeat(128), 128));
        for bad in ["", "a b", "role/x", "naïve"] {
            assert!(!is_iam_name(bad, 64), "{bad}");
        }
        assert!(!is_iam_name(&"r".repeat(65), 64));
    }
}
