//! The CIS gap scanner: the CIS AWS Foundations Benchmark requirements Security Hub does
//! not evaluate, checked by hubfix itself and imported into Security Hub as ASFF
//! findings, where they flow back into hubfix's remediation like any other finding.
//!
//! A check is the `inspect` of the rule that fixes the requirement (one place per
//! fact): compliant when the rule's plan has no change, with the plan's description
//! as the reason otherwise.
//!
//! - [`requirements`]: the table of automated requirements and the manual checklist;
//! - [`findings`]: results to ASFF findings (stable ids, PASSED/FAILED, ARCHIVED);
//! - [`read`]: the scanner's own AWS reads;
//! - [`function`]: the scheduled `cis-scanner` function.

pub mod findings;
pub mod function;
pub mod read;
pub mod requirements;

use std::collections::{HashMap, HashSet};

use aws_sdk_securityhub::types::AwsSecurityFinding;
use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::aws::{AwsContext, Clients};
use crate::error::FixError;
use crate::ids::partition_of;
use crate::model::Target;
use crate::remediate::cloudwatch::cis_alarms::AlarmBefore;
use crate::remediate::Fix;
use crate::settings::FixSettings;

pub use findings::{CheckResult, ScannedResource, GLOBAL};
pub use requirements::{Check, ManualCheck, Requirement, Scope, MANUAL_CHECKS, REQUIREMENTS};

/// What to scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// The accounts (empty: hubfix's own); others are read through the member role.
    pub accounts: Vec<String>,
    /// The regions of the regional requirements (empty: the home region).
    pub regions: Vec<String>,
    /// The CIS v1.4.0 numbers to evaluate (empty: all).
    pub requirements: Vec<String>,
    /// Import the results into Security Hub (off: evaluate only).
    pub import: bool,
    /// Resources checked at once.
    pub concurrency: usize,
}

/// A requirement that could not be evaluated somewhere: never a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanError {
    /// The CIS v1.4.0 number (empty for an error of the import).
    pub requirement: String,
    /// The account.
    pub account: String,
    /// The region, or [`GLOBAL`].
    pub region: String,
    /// The resource, when the error is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// What went wrong and what to do.
    pub message: String,
}

/// What a scan found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// One result per requirement and resource.
    pub results: Vec<CheckResult>,
    /// The requirements that could not be evaluated, and import failures.
    pub errors: Vec<ScanError>,
    /// Findings imported (PASSED and FAILED).
    pub imported: usize,
    /// Earlier findings archived because their resource is gone.
    pub archived: usize,
}

impl ScanReport {
    /// `{"requirements": n, "passed": n, "failed": n, "errors": n, ...}`.
    pub fn summary(&self) -> serde_json::Value {
        let failed = self.results.iter().filter(|r| !r.compliant).count();
        serde_json::json!({
            "results": self.results.len(),
            "passed": self.results.len() - failed,
            "failed": failed,
            "errors": self.errors.len(),
            "imported": self.imported,
            "archived": self.archived,
        })
    }
}

/// The IAM actions the scanner needs: the read actions (`Get*`, `List*`, `Describe*`)
/// of the rules it checks with, its own reads and the Security Hub import, sorted and
/// without duplicates. The SAM template grants exactly these (a test checks it).
pub fn iam_actions() -> Vec<&'static str> {
    let reads = |a: &&str| {
        a.split_once(':').is_some_and(|(_, name)| {
            ["Get", "List", "Describe"]
                .iter()
                .any(|p| name.starts_with(p))
        })
    };
    let mut actions: Vec<&'static str> = REQUIREMENTS
        .iter()
        .filter_map(Requirement::rule)
        .flat_map(|r| r.iam_actions.iter().copied())
        .filter(reads)
        .chain(read::SCANNER_READ_ACTIONS.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// The requirements selected by CIS v1.4.0 number (all when none is given); an
/// unknown number is an error naming the known ones.
pub fn select(numbers: &[String]) -> Result<Vec<&'static Requirement>, String> {
    if numbers.is_empty() {
        return Ok(REQUIREMENTS.iter().collect());
    }
    numbers
        .iter()
        .map(|n| {
            requirements::requirement(n.trim()).ok_or_else(|| {
                format!(
                    "`{}` is not an automated CIS 1.4.0 requirement the scanner checks; it checks {}",
                    crate::finding::quoted(n, crate::finding::MAX_QUOTED_CHARS),
                    REQUIREMENTS
                        .iter()
                        .map(|r| r.cis_140)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .collect()
}

/// The time as ASFF writes it.
fn iso(time: std::time::SystemTime) -> String {
    aws_smithy_types::DateTime::from(time)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Scans the accounts and regions, imports the results (when asked) into each
/// account's Security Hub in the home region, and archives the findings of resources
/// that are gone. Errors are per requirement, account and region; they never stop the
/// scan nor archive anything.
pub async fn scan(aws: &AwsContext, settings: &FixSettings, options: &ScanOptions) -> ScanReport {
    let mut report = ScanReport::default();
    let selected = match select(&options.requirements) {
        Ok(s) => s,
        Err(message) => {
            report.errors.push(ScanError {
                requirement: String::new(),
                account: String::new(),
                region: String::new(),
                resource: None,
                message,
            });
            return report;
        }
    };
    let home_account = match aws.home_account().await {
        Ok(a) => a.to_owned(),
        Err(e) => {
            report.errors.push(error("", "", "", None, &e));
            return report;
        }
    };
    let Some(home_region) = aws.home_region().map(str::to_owned) else {
        report.errors.push(ScanError {
            requirement: String::new(),
            account: home_account,
            region: String::new(),
            resource: None,
            message: "no region configured: set AWS_REGION".into(),
        });
        return report;
    };
    let accounts = if options.accounts.is_empty() {
        vec![home_account]
    } else {
        options.accounts.clone()
    };
    let regions = if options.regions.is_empty() {
        vec![home_region.clone()]
    } else {
        options.regions.clone()
    };
    let concurrency = options.concurrency.max(1);
    for account in &accounts {
        let mut results = Vec::new();
        let mut complete = HashSet::new();
        for req in &selected {
            let scopes: Vec<(&str, &str)> = match req.scope {
                Scope::Account => vec![(home_region.as_str(), GLOBAL)],
                Scope::Region => regions.iter().map(|r| (r.as_str(), r.as_str())).collect(),
            };
            for (region, scope_region) in scopes {
                // Boxed, like the engine's futures: nested SDK futures overflow a
                // worker thread's stack in debug builds otherwise.
                let (found, errors) = Box::pin(evaluate(
                    aws,
                    settings,
                    req,
                    account,
                    region,
                    scope_region,
                    concurrency,
                ))
                .await;
                if errors.is_empty() {
                    complete.insert((
                        req.cis_140.to_owned(),
                        account.clone(),
                        scope_region.to_owned(),
                    ));
                }
                results.extend(found);
                report.errors.extend(errors);
            }
        }
        if options.import {
            let now = iso(settings.now());
            Box::pin(import(
                aws,
                account,
                &home_region,
                &results,
                &complete,
                &now,
                &mut report,
            ))
            .await;
        }
        report.results.extend(results);
    }
    for e in &report.errors {
        tracing::warn!(requirement = %e.requirement, account = %e.account, region = %e.region, error = %e.message, "CIS requirement not evaluated");
    }
    report
}

fn error(
    requirement: &str,
    account: &str,
    region: &str,
    resource: Option<&str>,
    e: &FixError,
) -> ScanError {
    ScanError {
        requirement: requirement.to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        resource: resource.map(str::to_owned),
        message: e.to_string(),
    }
}

/// One requirement in one account and scope: the results, and the errors (a scope
/// with an error is not complete, so nothing of it is archived).
async fn evaluate(
    aws: &AwsContext,
    settings: &FixSettings,
    req: &'static Requirement,
    account: &str,
    region: &str,
    scope_region: &str,
    concurrency: usize,
) -> (Vec<CheckResult>, Vec<ScanError>) {
    let fail = |resource: Option<&str>, e: &FixError| {
        (
            Vec::new(),
            vec![error(req.cis_140, account, scope_region, resource, e)],
        )
    };
    let Some(rule) = req.rule() else {
        return fail(
            None,
            &FixError::Unconfigured(format!(
                "this build of hubfix has no rule {} to check CIS {} with",
                req.control_id, req.cis_140
            )),
        );
    };
    let clients = match aws.clients_for(account, region).await {
        Ok(c) => c,
        Err(e) => return fail(None, &e),
    };
    let partition = partition_of(region);
    let resources = match Box::pin(read::resources(
        &clients,
        rule.resource_type,
        account,
        region,
        partition,
    ))
    .await
    {
        Ok(r) => r,
        Err(e) => return fail(None, &e),
    };
    let checked: Vec<(ScannedResource, CheckOutcome)> = stream::iter(resources)
        .map(|resource| async move {
            let outcome = Box::pin(check_one(aws, settings, req, account, &resource)).await;
            (resource, outcome)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for (resource, outcome) in checked {
        match outcome {
            Ok(Some((compliant, reason))) => results.push(CheckResult {
                requirement: req.cis_140,
                control: req.control_id,
                account: account.to_owned(),
                scope_region: scope_region.to_owned(),
                resource,
                compliant,
                reason,
            }),
            Ok(None) => {}
            Err(e) => errors.push(error(
                req.cis_140,
                account,
                scope_region,
                Some(&resource.id),
                &e,
            )),
        }
    }
    results.sort_by(|a, b| a.resource.id.cmp(&b.resource.id));
    (results, errors)
}

/// One requirement on one resource: `(compliant, reason)`, `None` when the resource
/// vanished while it was read.
/// One resource's check: `Some((compliant, reason))`, or `None` when the requirement has
/// no rule in this build.
type CheckOutcome = Result<Option<(bool, String)>, FixError>;

async fn check_one(
    aws: &AwsContext,
    settings: &FixSettings,
    req: &'static Requirement,
    account: &str,
    resource: &ScannedResource,
) -> CheckOutcome {
    let Some(rule) = req.rule() else {
        return Ok(None);
    };
    let clients: std::sync::Arc<Clients> = aws.clients_for(account, &resource.region).await?;
    let target = Target {
        account: account.to_owned(),
        region: resource.region.clone(),
        partition: partition_of(&resource.region).to_owned(),
        resource_id: resource.id.clone(),
        name: rule.resource_name(&resource.id, account)?,
        candidates: 1,
        finding_id: None,
        principal: None,
    };
    let fix = Fix {
        clients: &clients,
        target: &target,
        settings,
    };
    let checked = match req.check {
        Check::MfaDelete => {
            // The rule is manual (its resource name is the id): the bucket name is checked here.
            let bucket = crate::ids::bucket_name(&resource.id)?;
            read::mfa_delete_enabled(&clients, &bucket).await.map(|on| {
                (
                    on,
                    if on {
                        String::new()
                    } else {
                        format!("MFA delete is not enabled on bucket {bucket}")
                    },
                )
            })
        }
        Check::Rule | Check::RuleAndSubscribedTopic => {
            match rule.remediation.inspect(fix, false).await {
                Ok(inspection) => {
                    let plan = inspection.plan;
                    if !plan.is_compliant() {
                        Ok((
                            false,
                            format!("{} would fix it: {}", rule.control_id, plan.describe()),
                        ))
                    } else if req.check == Check::RuleAndSubscribedTopic {
                        let alarms = plan
                            .before
                            .state_as::<AlarmBefore>()
                            .map(|b| b.alarms)
                            .unwrap_or_default();
                        read::alarms_without_subscribers(&clients, &alarms)
                            .await
                            .map(|problems| (problems.is_empty(), problems.join("; ")))
                    } else {
                        Ok((true, String::new()))
                    }
                }
                // A missing prerequisite (no multi-region trail delivering to CloudWatch
                // Logs for the 4.x alarms) is a failure of the requirement.
                Err(FixError::Unconfigured(reason)) => Ok((false, reason)),
                Err(e) => Err(e),
            }
        }
    };
    match checked {
        Ok(c) => Ok(Some(c)),
        Err(FixError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Imports an account's results into its Security Hub (home region) and archives the
/// earlier findings of resources that are gone.
async fn import(
    aws: &AwsContext,
    account: &str,
    home_region: &str,
    results: &[CheckResult],
    complete: &HashSet<(String, String, String)>,
    now: &str,
    report: &mut ScanReport,
) {
    let import_error = |message: String| ScanError {
        requirement: String::new(),
        account: account.to_owned(),
        region: home_region.to_owned(),
        resource: None,
        message,
    };
    let clients = match aws.clients_for(account, home_region).await {
        Ok(c) => c,
        Err(e) => {
            report.errors.push(import_error(e.to_string()));
            return;
        }
    };
    let partition = partition_of(home_region);
    let product = findings::product_arn(partition, home_region, account);
    let previous = match read::previous_findings(&clients.securityhub, &product, account).await {
        Ok(p) => p,
        Err(e) => {
            // Without the earlier findings, import (the ids are stable) but archive nothing.
            report.errors.push(import_error(format!(
                "earlier findings unreadable, none archived: {e}"
            )));
            Vec::new()
        }
    };
    let created: HashMap<&str, &str> = previous
        .iter()
        .filter_map(|f| Some((f.id()?, f.created_at()?)))
        .collect();
    let mut batch: Vec<AwsSecurityFinding> = results
        .iter()
        .filter_map(|r| {
            let req = requirements::requirement(r.requirement)?;
            let id = r.finding_id();
            let ctx = findings::FindingContext {
                product_arn: &product,
                partition,
                now,
                created_at: created.get(id.as_str()).copied(),
            };
            Some(findings::to_finding(req, r, &ctx))
        })
        .collect();
    let current: HashSet<String> = results.iter().map(CheckResult::finding_id).collect();
    let gone: HashSet<&str> = findings::vanished(
        previous.iter().filter_map(AwsSecurityFinding::id),
        &current,
        complete,
    )
    .into_iter()
    .collect();
    let archived: Vec<AwsSecurityFinding> = previous
        .iter()
        .filter(|f| f.id().is_some_and(|id| gone.contains(id)))
        .map(|f| findings::archived(f.clone(), now))
        .collect();
    let (n_imported, n_archived) = (batch.len(), archived.len());
    batch.extend(archived);
    let failures = crate::securityhub::import_sdk(&clients.securityhub, batch).await;
    let failed: HashSet<&str> = failures.iter().map(|(id, _)| id.as_str()).collect();
    report.imported += n_imported
        - current
            .iter()
            .filter(|id| failed.contains(id.as_str()))
            .count();
    report.archived += n_archived - gone.iter().filter(|id| failed.contains(*id)).count();
    for (id, message) in failures {
        report.errors.push(ScanError {
            resource: Some(id),
            ..import_error(format!("finding not imported: {message}"))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_number_and_clear_errors() {
        assert_eq!(select(&[]).unwrap().len(), REQUIREMENTS.len());
        let some = select(&["5.2".into(), " 1.13".into()]).unwrap();
        assert_eq!(
            some.iter().map(|r| r.control_id).collect::<Vec<_>>(),
            ["EC2.53", "CIS.1.13"]
        );
        let err = select(&["1.1".into()]).unwrap_err();
        assert!(err.starts_with("`1.1` is not an automated"), "{err}");
        assert!(err.contains("1.13, 1.15"), "{err}");
    }

    #[test]
    fn the_scanner_only_reads_and_imports() {
        let actions = iam_actions();
        for a in &actions {
            let name = a.split_once(':').unwrap().1;
            assert!(
                ["Get", "List", "Describe", "BatchImportFindings"]
                    .iter()
                    .any(|p| name.starts_with(p)),
                "{a}"
            );
        }
        for needed in [
            "iam:ListAccessKeys",
            "iam:ListAttachedUserPolicies",
            "iam:ListServerCertificates",
            "access-analyzer:ListAnalyzers",
            "logs:DescribeMetricFilters",
            "ec2:DescribeSecurityGroups",
            "s3:GetBucketVersioning",
            "securityhub:BatchImportFindings",
            "securityhub:GetFindings",
        ] {
            assert!(actions.contains(&needed), "{needed}");
        }
        assert!(!actions.contains(&"ec2:RevokeSecurityGroupIngress"));
    }

    #[test]
    fn times_are_iso_8601() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_413_600);
        assert_eq!(iso(t), "2026-11-23T06:00:00Z");
    }

    #[test]
    fn the_summary_counts_results_and_errors() {
        let result = |compliant| CheckResult {
            requirement: "5.2",
            control: "EC2.53",
            account: "123456789012".into(),
            scope_region: "us-east-1".into(),
            resource: ScannedResource {
                resource_type: "AwsEc2SecurityGroup".into(),
                id: "sg".into(),
                region: "us-east-1".into(),
                details: Default::default(),
            },
            compliant,
            reason: String::new(),
        };
        let report = ScanReport {
            results: vec![result(true), result(false), result(false)],
            errors: vec![ScanError {
                requirement: "1.13".into(),
                account: "123456789012".into(),
                region: GLOBAL.into(),
                resource: None,
                message: "iam:ListUsers was throttled".into(),
            }],
            imported: 3,
            archived: 1,
        };
        assert_eq!(
            report.summary(),
            serde_json::json!({"results": 3, "passed": 1, "failed": 2, "errors": 1,
                "imported": 3, "archived": 1})
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["errors"][0]["requirement"], "1.13");
        assert!(json["errors"][0].get("resource").is_none());
        assert_eq!(
            json["results"][0]["resource"]["type"],
            "AwsEc2SecurityGroup"
        );
    }
}
