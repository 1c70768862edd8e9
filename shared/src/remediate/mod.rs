//! Remediations: read a resource's state, plan the change, apply it, keep the
//! before-state. One module per AWS service; the pure decisions are separate from the
//! SDK calls so they can be unit-tested.

pub mod account;
pub mod apigateway;
pub mod athena;
pub mod autoscaling;
pub mod cloudformation;
pub mod cloudfront;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod codebuild;
pub mod config;
pub mod dynamodb;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod elasticache;
pub mod elb;
pub mod emr;
pub mod external_access;
pub mod guardduty;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod macie;
pub mod manual;
pub mod names;
pub mod playbook;
pub mod rds;
pub mod redshift;
pub mod required_tags;
pub mod resource_forms;
pub mod resource_kinds;
pub mod resource_policy;
pub mod s3;
pub mod secretsmanager;
pub mod sns;
pub mod sqs;
pub mod ssm;
pub mod toggle;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::aws::Clients;
use crate::error::FixError;
use crate::finding::Finding;
use crate::ids::{is_account_id, is_region, Arn};
use crate::model::{BeforeState, Change, Plan, Target};
use crate::settings::FixSettings;

/// Tag hubfix puts on what it creates, so that an undo deletes only its own.
pub const CREATED_BY_TAG: &str = "hubfix:created";

/// One supported control.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Security control id, e.g. `S3.8`.
    pub control_id: &'static str,
    /// Security Hub's title of the control.
    pub title: &'static str,
    /// The ASFF resource type the fix acts on.
    pub resource_type: &'static str,
    /// What hubfix does, in a sentence.
    pub fix: &'static str,
    /// The IAM actions hubfix needs to read, fix and verify (and undo).
    pub iam_actions: &'static [&'static str],
    /// What the fix can do to a workload; decides the default mode.
    pub impact: Impact,
    /// The remediation.
    pub remediation: &'static dyn Remediation,
}

impl Rule {
    /// The name the API needs (bucket name, security group id, ...) from the id of the
    /// finding's resource, checked so that hostile ids never reach an API call.
    pub fn resource_name(&self, resource_id: &str, account: &str) -> Result<String, FixError> {
        self.remediation
            .resource_name(resource_id, account)
            .unwrap_or_else(|| {
                resource_kinds::resource_name(self.resource_type, resource_id, account)
            })
    }

    /// Whether the fix acts on a resource of ASFF type `asff_type`: its rule's type, or
    /// one of the [other types](Remediation::other_resource_types) its fix takes.
    pub fn acts_on(&self, asff_type: &str) -> bool {
        self.resource_type == ssm::runbook::ANY_RESOURCE
            || self.resource_type == asff_type
            || self.remediation.other_resource_types().contains(&asff_type)
    }

    /// The ASFF types the fix acts on, the rule's own first.
    pub fn resource_types(&self) -> Vec<&'static str> {
        std::iter::once(self.resource_type)
            .chain(self.remediation.other_resource_types().iter().copied())
            .collect()
    }

    /// [`Rule::resource_types`] for docs and notes (`AwsIamUser, AwsIamGroup, AwsIamRole`).
    pub fn resource_types_text(&self) -> String {
        self.resource_types().join(", ")
    }

    /// Whether the fix can break a workload: such rules default to approval-only.
    pub fn disruptive(&self) -> bool {
        self.impact != Impact::Safe
    }

    /// Whether the fix deletes resources: never automatic, whatever the configuration.
    pub fn never_automatic(&self) -> bool {
        self.impact == Impact::Destructive
    }
}

/// What a rule's fix can do to the workloads that use the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impact {
    /// Changes nothing a workload depends on: automatic by default.
    Safe,
    /// Can break a workload (access removed, a setting a client relies on changed):
    /// approval-only by default, automatic only where a team opts the control in.
    Disruptive,
    /// Deletes resources: approval-only, and never automatic whatever the configuration.
    Destructive,
}

/// The future a remediation step returns.
pub type FixFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, FixError>> + Send + 'a>>;

/// How a rule fixes its control. Implemented once per rule family, in the module of its
/// AWS service, beside the rules it fixes.
pub trait Remediation: fmt::Debug + Send + Sync {
    /// The name the API needs, for a remediation that does not read it as its rule's
    /// resource type does (manual steps, SSM runbooks). `None`, the default: the rule's
    /// [resource kind](resource_kinds) reads it ([`Rule::resource_name`]).
    fn resource_name(
        &self,
        _resource_id: &str,
        _account: &str,
    ) -> Option<Result<String, FixError>> {
        None
    }

    /// The ASFF resource types the fix also acts on, beside its rule's own (`IAM.27`: a
    /// user, a group or a role). The name is still read from the resource id alone: by
    /// the rule's resource kind, or by the remediation ([`Remediation::resource_name`])
    /// where the id says which type it is. None, the default.
    fn other_resource_types(&self) -> &'static [&'static str] {
        &[]
    }

    /// The principal the finding names beside its resource that the fix acts on
    /// ([`Target::principal`]); `None`, the default: the resource is all a fix needs.
    fn finding_principal(&self, _resource: &crate::finding::Resource) -> Option<String> {
        None
    }

    /// Reads the resource (and its tags, when `with_tags`) and plans the fix.
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection>;

    /// Applies one change of a plan `inspect` made.
    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()>;

    /// Applies one change and returns what a note should carry beyond the plan's own
    /// description (an SSM Automation execution id and its result); most fixes have
    /// nothing to add.
    fn apply_reporting<'a>(
        &'a self,
        fix: Fix<'a>,
        change: &'a Change,
    ) -> FixFuture<'a, Option<String>> {
        Box::pin(async move { self.apply(fix, change).await.map(|()| None) })
    }

    /// Undoes an applied fix: puts the resource back to `before` (as `inspect` recorded
    /// it), knowing the `changes` that were applied. Returns one line per step taken.
    /// After it, `inspect` reads the same before-state again.
    ///
    /// A fix that cannot be fully reversed (it deleted something, or AWS has no way back)
    /// takes every step that can be taken first, then returns
    /// [`FixError::Irreversible`] saying what could not be restored, what was done and
    /// what is left (e.g. the snapshots kept). A fix that created something deletes only
    /// what hubfix created, found by the before-state, the changes or a tag hubfix put
    /// on it. A manual control, which hubfix never changes, returns [`FixError::Manual`].
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>>;

    /// What a person still has to do before the control passes, once this fix is in
    /// place, given the resource as read (`read`, the plan's before-state of a compliant
    /// resource). `None`, the default: nothing, the fix is the whole remedy. A fix that
    /// stops short of deleting something on purpose (`RDS.4` keeps the unencrypted
    /// snapshot it copied) says what is left; the finding then stays `NOTIFIED`.
    fn left_for_a_person(&self, _read: &BeforeState) -> Option<String> {
        None
    }
}

/// What a remediation works with: the clients of the resource's account and region,
/// the resource, and the fix settings.
#[derive(Debug, Clone, Copy)]
pub struct Fix<'a> {
    /// The clients.
    pub clients: &'a Clients,
    /// The resource.
    pub target: &'a Target,
    /// The settings of individual fixes.
    pub settings: &'a FixSettings,
}

/// A resource as read: its tags (when the resource type has tags) and its plan.
#[derive(Debug, Clone, PartialEq)]
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
        .filter(|r| rule.acts_on(&r.resource_type))
        .collect();
    let resource = matching.first().ok_or_else(|| {
        FixError::Target(format!(
            "the finding names no {} resource for {}",
            rule.resource_types_text(),
            rule.control_id
        ))
    })?;
    let region = resource
        .region
        .as_deref()
        .or(finding.region.as_deref())
        .filter(|r| is_region(r))
        .ok_or_else(|| FixError::Target("the finding names no valid region".into()))?;
    let partition = crate::ids::partition_of(region);
    let named = [
        resource.partition.as_deref(),
        Arn::parse(&resource.id).map(|a| a.partition),
    ];
    if let Some(other) = named.into_iter().flatten().find(|p| *p != partition) {
        return Err(FixError::Target(format!(
            "the resource is in partition `{}`, but its region {region} is in {partition}",
            crate::finding::quoted(other, crate::finding::MAX_QUOTED_CHARS)
        )));
    }
    Ok(Target {
        account: account.to_owned(),
        region: region.to_owned(),
        partition: partition.to_owned(),
        resource_id: resource.id.clone(),
        name: rule.resource_name(&resource_forms::naming_id(resource, account)?, account)?,
        candidates: matching.len(),
        finding_id: Some(finding.id.clone()),
        principal: rule.remediation.finding_principal(resource),
    })
}

/// Applies a plan's changes, in order; returns what the changes reported for the note
/// (see [`Remediation::apply_reporting`]).
pub async fn apply(
    remediation: &dyn Remediation,
    fix: Fix<'_>,
    plan: &Plan,
) -> Result<Vec<String>, FixError> {
    let mut reports = Vec::new();
    for change in &plan.changes {
        reports.extend(remediation.apply_reporting(fix, change).await?);
    }
    Ok(reports)
}

/// The account id of an `AwsAccount` resource, which must be the finding's own account.
/// Findings write it `AWS::::Account:<id>` (Security Hub's `Resources[].Id`), as the
/// root user's ARN `arn:<partition>:iam::<id>:root` (Security Hub's
/// `ProductFields["Resources:0/Id"]` of the same findings), or as the bare id.
pub fn account_resource_name(resource_id: &str, account: &str) -> Result<String, FixError> {
    let named = resource_id
        .strip_prefix("AWS::::Account:")
        .or_else(|| {
            Arn::parse(resource_id)
                .filter(|a| a.service == "iam" && a.region.is_empty() && a.resource == "root")
                .map(|a| a.account)
        })
        .unwrap_or(resource_id);
    if !is_account_id(named) {
        return Err(FixError::Target(format!(
            "account resource `{}` is not in a form hubfix reads (AWS::::Account:<id>, arn:<partition>:iam::<id>:root or the 12-digit id)",
            crate::finding::quoted(resource_id, crate::finding::MAX_QUOTED_CHARS)
        )));
    }
    if named == account {
        Ok(account.to_owned())
    } else {
        Err(FixError::Target(format!(
            "account resource `{resource_id}` is account {named}, not the finding's account {account}"
        )))
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
    fn accounts_are_read_in_every_form_findings_write_them() {
        for id in [
            "AWS::::Account:123456789012",
            "arn:aws:iam::123456789012:root",
            "arn:aws-us-gov:iam::123456789012:root",
            "123456789012",
        ] {
            assert_eq!(
                account_resource_name(id, "123456789012").unwrap(),
                "123456789012",
                "{id}"
            );
        }
        for (id, why) in [
            ("AWS::::Account:999999999999", "is account 999999999999"),
            ("arn:aws:iam::999999999999:root", "is account 999999999999"),
            ("evil:123456789012", "not in a form hubfix reads"),
            (
                "arn:aws:iam::123456789012:user/root",
                "not in a form hubfix reads",
            ),
            ("AWS::::Account:", "not in a form hubfix reads"),
        ] {
            let err = account_resource_name(id, "123456789012")
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{id}: {err}");
        }
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
    fn a_resource_of_another_partition_than_its_region_is_refused() {
        for resource in [
            json!([{"Type": "AwsS3Bucket", "Id": "arn:aws-cn:s3:::bucket"}]),
            json!([{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::bucket", "Partition": "aws-us-gov"}]),
            json!([{"Type": "AwsS3Bucket", "Id": "bucket", "Partition": "evil\n"}]),
        ] {
            let err = target(&finding(resource), rule("S3.8").unwrap())
                .unwrap_err()
                .to_string();
            assert!(err.contains("but its region eu-west-1 is in aws"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        let cn = finding(
            json!([{"Type": "AwsS3Bucket", "Id": "arn:aws-cn:s3:::bucket",
            "Region": "cn-north-1", "Partition": "aws-cn"}]),
        );
        assert_eq!(
            target(&cn, rule("S3.8").unwrap()).unwrap().partition,
            "aws-cn"
        );
    }

    #[test]
    fn regions_are_words_and_a_number() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "cn-northwest-1",
            "eu-isoe-west-1",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "-----",
            "not-a-region",
            "a-1",
            "us-east-1a",
            "US-EAST-1",
            "us--east-1",
            "us-east-",
            "us-east-1\n",
            "../../x-1",
            "",
        ] {
            assert!(!is_region(bad), "{bad:?}");
        }
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
    fn changes_and_before_states_keep_the_remediations_records() {
        let change = Change::new("revoked tcp 22 from 0.0.0.0/0", &("tcp", 22));
        assert_eq!(
            change.detail::<(String, u16)>().unwrap(),
            ("tcp".into(), 22)
        );
        assert!(change
            .detail::<Vec<bool>>()
            .unwrap_err()
            .to_string()
            .contains("unreadable"));
        let before = BeforeState::new("bucket b", &Option::<u8>::None);
        assert_eq!(
            serde_json::to_string(&before).unwrap(),
            r#"{"resource":"bucket b","state":null}"#
        );
        assert_eq!(before.state_as::<Option<u8>>(), Some(None));
    }
}
