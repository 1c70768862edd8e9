//! Remediations: read a resource's state, plan the change, apply it, keep the
//! before-state. One module per AWS service; the pure decisions are separate from the
//! SDK calls so they can be unit-tested.

pub mod ec2;
pub mod isolate;
pub mod s3;

use serde::{Deserialize, Serialize};

use crate::aws::Clients;
use crate::error::FixError;
use crate::finding::Finding;
use crate::registry::{Remediation, Rule};

/// The resource a rule acts on, resolved from a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The account the resource lives in.
    pub account: String,
    /// The region the resource lives in.
    pub region: String,
    /// The resource's id in the finding (usually its ARN).
    pub resource_id: String,
    /// The name the API needs: bucket name, security group id, account id.
    pub name: String,
    /// How many resources of the rule's type the finding named (hubfix acts on the first).
    pub candidates: usize,
}

/// What the resource looked like before hubfix changed it: enough to undo the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BeforeState {
    /// A bucket's Block Public Access configuration (`None`: there was none).
    BucketPublicAccessBlock {
        /// The bucket.
        bucket: String,
        /// The configuration before the fix.
        config: Option<s3::PublicAccessBlock>,
    },
    /// The account's Block Public Access configuration (`None`: there was none).
    AccountPublicAccessBlock {
        /// The account.
        account_id: String,
        /// The configuration before the fix.
        config: Option<s3::PublicAccessBlock>,
    },
    /// The ingress rules hubfix revoked from a security group.
    SecurityGroupIngress {
        /// The group.
        group_id: String,
        /// The world-open entries the group had that the control forbids.
        open: Vec<ec2::OpenIngress>,
    },
    /// An instance's security groups before isolation.
    InstanceSecurityGroups {
        /// The instance.
        instance_id: String,
        /// Its groups.
        group_ids: Vec<String>,
    },
}

/// One change to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Turn on all four bucket Block Public Access settings.
    PutBucketPublicAccessBlock {
        /// The bucket.
        bucket: String,
        /// The settings that are off now.
        turning_on: Vec<&'static str>,
    },
    /// Turn on all four account Block Public Access settings.
    PutAccountPublicAccessBlock {
        /// The account.
        account_id: String,
        /// The settings that are off now.
        turning_on: Vec<&'static str>,
    },
    /// Revoke one world-open ingress entry.
    RevokeIngress {
        /// The group.
        group_id: String,
        /// The entry.
        entry: ec2::OpenIngress,
    },
    /// Isolate an instance (see [`isolate`]).
    IsolateInstance {
        /// The instance as read.
        state: isolate::InstanceState,
    },
}

impl Step {
    /// A short human description, used in notes and logs.
    pub fn describe(&self) -> String {
        match self {
            Step::PutBucketPublicAccessBlock { turning_on, .. }
            | Step::PutAccountPublicAccessBlock { turning_on, .. } => {
                format!("turned on {}", turning_on.join(", "))
            }
            Step::RevokeIngress { entry, .. } => format!("revoked {}", entry.describe()),
            Step::IsolateInstance { state } => format!(
                "moved {} from {} to the isolation group {} (original groups kept in tag {}) and snapshotted {} volume(s)",
                state.instance_id,
                state.group_ids.join(", "),
                isolate::ISOLATION_GROUP_NAME,
                isolate::ORIGINAL_GROUPS_TAG,
                state.volume_ids.len()
            ),
        }
    }
}

/// The current state of a resource and what it takes to make it compliant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// State before any change.
    pub before: BeforeState,
    /// The changes; empty when the resource is already compliant.
    pub steps: Vec<Step>,
}

impl Plan {
    /// Whether the resource already satisfies the control.
    pub fn is_compliant(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps, described and joined for a note.
    pub fn describe(&self) -> String {
        self.steps
            .iter()
            .map(Step::describe)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A resource as read: its tags (when the resource type has tags) and its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The resource's tags, `None` for resources without tags (an account).
    pub tags: Option<Vec<(String, String)>>,
    /// The plan.
    pub plan: Plan,
}

/// Resolves the resource a rule acts on from a finding.
pub fn target(finding: &Finding, rule: &Rule) -> Result<Target, FixError> {
    let account = finding
        .aws_account_id
        .as_deref()
        .filter(|a| is_account_id(a))
        .ok_or_else(|| FixError::Target("the finding has no valid 12-digit AwsAccountId".into()))?;
    let matching: Vec<_> = finding
        .resources
        .iter()
        .filter(|r| r.resource_type == rule.resource_type)
        .collect();
    let resource = matching.first().ok_or_else(|| {
        FixError::Target(format!(
            "the finding names no {} resource for {}",
            rule.resource_type, rule.control_id
        ))
    })?;
    let region = resource
        .region
        .as_deref()
        .or(finding.region.as_deref())
        .filter(|r| is_region(r))
        .ok_or_else(|| FixError::Target("the finding names no valid region".into()))?;
    let name = match rule.remediation {
        Remediation::BucketBlockPublicAccess => s3::bucket_name(&resource.id)?,
        Remediation::AccountBlockPublicAccess => {
            let id = resource.id.rsplit(':').next().unwrap_or_default();
            if id != account {
                return Err(FixError::Target(format!(
                    "account resource `{}` does not match the finding's account {account}",
                    resource.id
                )));
            }
            account.to_owned()
        }
        Remediation::RevokeOpenIngress(_) => ec2::security_group_id(&resource.id)?,
        Remediation::IsolateInstance => isolate::instance_id(&resource.id)?,
    };
    Ok(Target {
        account: account.to_owned(),
        region: region.to_owned(),
        resource_id: resource.id.clone(),
        name,
        candidates: matching.len(),
    })
}

/// Reads the resource (and its tags when `with_tags`) and plans the fix.
pub async fn inspect(
    clients: &Clients,
    remediation: Remediation,
    target: &Target,
    with_tags: bool,
) -> Result<Inspection, FixError> {
    match remediation {
        Remediation::BucketBlockPublicAccess => {
            s3::inspect_bucket(&clients.s3, &target.name, with_tags).await
        }
        Remediation::AccountBlockPublicAccess => {
            s3::inspect_account(&clients.s3control, &target.name).await
        }
        Remediation::RevokeOpenIngress(scope) => {
            ec2::inspect_group(&clients.ec2, &target.name, scope).await
        }
        Remediation::IsolateInstance => isolate::inspect_instance(&clients.ec2, &target.name).await,
    }
}

/// Applies a plan's steps, in order.
pub async fn apply(clients: &Clients, plan: &Plan) -> Result<(), FixError> {
    for step in &plan.steps {
        match step {
            Step::PutBucketPublicAccessBlock { bucket, .. } => {
                s3::block_bucket_public_access(&clients.s3, bucket).await?
            }
            Step::PutAccountPublicAccessBlock { account_id, .. } => {
                s3::block_account_public_access(&clients.s3control, account_id).await?
            }
            Step::RevokeIngress { group_id, entry } => {
                ec2::revoke(&clients.ec2, group_id, entry).await?
            }
            Step::IsolateInstance { state } => isolate::isolate(&clients.ec2, state).await?,
        }
    }
    Ok(())
}

/// A 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A region name such as `us-east-1` or `us-gov-west-1`.
pub fn is_region(s: &str) -> bool {
    (5..=25).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.contains('-')
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::parse_finding;
    use crate::registry::rule;
    use serde_json::json;

    fn finding(resources: serde_json::Value) -> Finding {
        parse_finding(
            0,
            &json!({
                "Id": "f", "ProductArn": "p", "AwsAccountId": "123456789012",
                "Region": "eu-west-1", "Resources": resources
            }),
        )
        .unwrap()
    }

    #[test]
    fn target_of_a_bucket_finding() {
        let f = finding(
            json!([{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::my-logs", "Region": "us-east-2"}]),
        );
        let t = target(&f, rule("S3.8").unwrap()).unwrap();
        assert_eq!(t.name, "my-logs");
        assert_eq!(t.region, "us-east-2");
        assert_eq!(t.account, "123456789012");
    }

    #[test]
    fn target_of_an_account_finding_must_match_the_account() {
        let ok = finding(json!([{"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"}]));
        assert_eq!(
            target(&ok, rule("S3.1").unwrap()).unwrap().name,
            "123456789012"
        );
        let other = finding(json!([{"Type": "AwsAccount", "Id": "AWS::::Account:999999999999"}]));
        assert!(target(&other, rule("S3.1").unwrap()).is_err());
    }

    #[test]
    fn target_picks_the_rules_resource_type_and_counts_candidates() {
        let f = finding(json!([
            {"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"},
            {"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc1234"},
            {"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0def5678"}
        ]));
        let t = target(&f, rule("EC2.19").unwrap()).unwrap();
        assert_eq!(t.name, "sg-0abc1234");
        assert_eq!(t.candidates, 2);
    }

    #[test]
    fn target_errors_are_clear() {
        let none = finding(json!([{"Type": "AwsEc2Instance", "Id": "i-1"}]));
        let err = target(&none, rule("EC2.13").unwrap())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the finding names no AwsEc2SecurityGroup resource for EC2.13"
        );
        let hostile =
            finding(json!([{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b/../../x;rm -rf"}]));
        assert!(target(&hostile, rule("S3.8").unwrap()).is_err());
        let other_partition =
            finding(json!([{"Type": "AwsS3Bucket", "Id": "arn:evil:s3:::bucket"}]));
        assert!(target(&other_partition, rule("S3.8").unwrap()).is_err());
    }

    #[test]
    fn arn_parsing() {
        let a = Arn::parse("arn:aws-cn:ec2:cn-north-1:123456789012:security-group/sg-1").unwrap();
        assert_eq!(a.partition, "aws-cn");
        assert_eq!(a.resource, "security-group/sg-1");
        assert!(Arn::parse("not-an-arn").is_none());
        assert!(Arn::parse("arn:aws:s3").is_none());
    }

    #[test]
    fn before_state_round_trips_as_json() {
        let b = BeforeState::BucketPublicAccessBlock {
            bucket: "b".into(),
            config: None,
        };
        let text = serde_json::to_string(&b).unwrap();
        assert_eq!(
            text,
            r#"{"kind":"bucket_public_access_block","bucket":"b","config":null}"#
        );
        assert_eq!(serde_json::from_str::<BeforeState>(&text).unwrap(), b);
    }
}
