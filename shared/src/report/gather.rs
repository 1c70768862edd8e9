//! Reading Security Hub: the enabled standards (`GetEnabledStandards`) and every
//! active finding (`GetFindings` filtered to `RecordState = ACTIVE`), a page at a time,
//! each page folded into the [`Aggregator`] and dropped.

use aws_sdk_securityhub::types::{AwsSecurityFindingFilters, StringFilter, StringFilterComparison};
use aws_sdk_securityhub::Client;

use crate::error::FixError;

use super::aggregate::Aggregator;
use super::facts::FindingFacts;
use super::standards::EnabledStandard;
use super::ReportError;

/// Most findings `GetFindings` returns in one page.
pub const PAGE_SIZE: i32 = 100;

/// The enabled standards, in the order Security Hub lists them, and the account they
/// are enabled in (from the subscription ARNs). Subscriptions being deleted are left out.
pub async fn enabled_standards(
    client: &Client,
) -> Result<(Vec<EnabledStandard>, Option<String>), ReportError> {
    let mut pages = client
        .get_enabled_standards()
        .into_paginator()
        .page_size(PAGE_SIZE)
        .send();
    let mut standards = Vec::new();
    let mut account = None;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            ReportError::SecurityHub(FixError::from_sdk(
                "securityhub:GetEnabledStandards",
                "standards",
                &[],
                e,
            ))
        })?;
        for s in page.standards_subscriptions() {
            let status = s.standards_status().map(|s| s.as_str()).unwrap_or_default();
            let Some(arn) = s.standards_arn().filter(|a| !a.trim().is_empty()) else {
                continue;
            };
            if status == "DELETING" {
                continue;
            }
            if account.is_none() {
                account = s.standards_subscription_arn().and_then(account_of_arn);
            }
            standards.push(EnabledStandard::new(arn, status));
        }
    }
    Ok((standards, account))
}

/// The account id field of an ARN, when it is one.
pub fn account_of_arn(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    crate::ids::is_account_id(account).then(|| account.to_owned())
}

/// The filter of every `GetFindings` call: active findings only.
pub fn active_findings() -> AwsSecurityFindingFilters {
    AwsSecurityFindingFilters::builder()
        .record_state(
            StringFilter::builder()
                .value("ACTIVE")
                .comparison(StringFilterComparison::Equals)
                .build(),
        )
        .build()
}

/// Reads every active finding into `into`; returns the number of pages read.
pub async fn findings(client: &Client, into: &mut Aggregator) -> Result<u64, ReportError> {
    let mut pages = client
        .get_findings()
        .filters(active_findings())
        .into_paginator()
        .page_size(PAGE_SIZE)
        .send();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            ReportError::SecurityHub(FixError::from_sdk(
                "securityhub:GetFindings",
                "findings",
                &[],
                e,
            ))
        })?;
        for finding in page.findings() {
            into.add(&FindingFacts::from_sdk(finding));
        }
        count += 1;
        if count % 100 == 0 {
            tracing::info!(
                pages = count,
                findings = into.summary().read,
                "reading findings"
            );
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_of_subscription_arns() {
        assert_eq!(
            account_of_arn(
                "arn:aws:securityhub:us-east-1:111122223333:subscription/pci-dss/v/3.2.1"
            )
            .as_deref(),
            Some("111122223333")
        );
        assert_eq!(account_of_arn("arn:aws:securityhub:::ruleset/x"), None);
        assert_eq!(account_of_arn("nonsense"), None);
    }
}
