//! Security Hub writes: outcomes recorded on findings with `BatchUpdateFindings`, and
//! ASFF findings imported with `BatchImportFindings`.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingIdentifier, Compliance, ComplianceStatus, NoteUpdate,
    RecordState, Resource, Severity, SeverityLabel, Workflow, WorkflowUpdate,
};
use aws_sdk_securityhub::Client;
use serde::Serialize;

use crate::finding::{self, Finding, WorkflowStatus};
use crate::outcome::{fit_note, UPDATED_BY};
use crate::pacing::TokenBucket;

/// Most finding identifiers `BatchUpdateFindings` takes in one call.
pub const MAX_FINDINGS_PER_UPDATE: usize = 100;
/// Most findings `BatchImportFindings` takes in one call.
pub const MAX_FINDINGS_PER_IMPORT: usize = 100;

/// Unprocessed-finding codes worth one more try.
const RETRYABLE: &[&str] = &["ConcurrentUpdateError", "InternalFailure"];
/// [`UpdateFailure::code`] of a call Security Hub throttled past the SDK's retries.
pub const CODE_THROTTLED: &str = "Throttled";
/// [`UpdateFailure::code`] of a call that failed as a whole for another reason.
pub const CODE_CALL_FAILED: &str = "BatchUpdateFindingsFailed";

/// A finding's `(Id, ProductArn)`.
pub type FindingKey = (String, String);

/// One finding's new workflow status and note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingUpdate {
    /// The finding's `Id`.
    pub id: String,
    /// The finding's `ProductArn`.
    pub product_arn: String,
    /// The new workflow status.
    pub status: WorkflowStatus,
    /// The note text (fitted to the API's limit when sent).
    pub note: String,
    /// `UserDefinedFields` to set (merged into the finding's); hubfix's deferral marker.
    pub fields: BTreeMap<String, String>,
}

/// A finding Security Hub did not update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateFailure {
    /// The finding's `Id`.
    pub id: String,
    /// The error code (`FindingNotFound`, ...) or the API error.
    pub code: String,
    /// The error message.
    pub message: String,
}

impl UpdateFailure {
    /// Whether trying again later can succeed: throttling, a failed call, a concurrent
    /// update or Security Hub's own failure; not a finding it does not have or an input
    /// it refuses.
    pub fn is_transient(&self) -> bool {
        [CODE_THROTTLED, CODE_CALL_FAILED]
            .iter()
            .chain(RETRYABLE)
            .any(|c| *c == self.code)
    }
}

/// One `BatchUpdateFindings` call: the same status, note and fields for up to 100
/// findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateBatch {
    /// The workflow status.
    pub status: WorkflowStatus,
    /// The fitted note.
    pub note: String,
    /// The `UserDefinedFields` to set.
    pub fields: BTreeMap<String, String>,
    /// `(Id, ProductArn)` pairs, at most 100, without duplicates.
    pub findings: Vec<FindingKey>,
}

/// What one call can carry only one of: status, note and fields.
type GroupKey = (&'static str, String, BTreeMap<String, String>);

/// Groups updates by identical status, note and fields (one call can only carry one of
/// each), drops duplicate identifiers, and cuts groups into calls of at most 100.
pub fn batches(updates: &[FindingUpdate]) -> Vec<UpdateBatch> {
    let mut groups: BTreeMap<GroupKey, (WorkflowStatus, Vec<FindingKey>)> = BTreeMap::new();
    let mut seen = HashSet::new();
    for u in updates {
        if !seen.insert((u.id.as_str(), u.product_arn.as_str())) {
            continue;
        }
        groups
            .entry((u.status.as_str(), fit_note(&u.note), u.fields.clone()))
            .or_insert_with(|| (u.status, Vec::new()))
            .1
            .push((u.id.clone(), u.product_arn.clone()));
    }
    let mut out = Vec::new();
    for ((_, note, fields), (status, findings)) in groups {
        for chunk in findings.chunks(MAX_FINDINGS_PER_UPDATE) {
            out.push(UpdateBatch {
                status,
                note: note.clone(),
                fields: fields.clone(),
                findings: chunk.to_vec(),
            });
        }
    }
    out
}

/// Records updates on findings; returns the findings Security Hub did not update.
/// Unprocessed findings with a transient code are tried once more. With a budget, every
/// call waits for its turn ([`TokenBucket`]), so hubfix stays inside its share of
/// Security Hub's write quota.
pub async fn record(
    client: &Client,
    budget: Option<&TokenBucket>,
    updates: &[FindingUpdate],
) -> Vec<UpdateFailure> {
    let mut failures = Vec::new();
    for batch in batches(updates) {
        let mut pending = batch.findings.clone();
        for attempt in 0..2 {
            if let Some(budget) = budget {
                budget.acquire().await;
            }
            let unprocessed = send_batch(client, &batch, &pending).await;
            let (retry, fail): (Vec<_>, Vec<_>) = unprocessed
                .into_iter()
                .partition(|(_, code, _)| attempt == 0 && RETRYABLE.contains(&code.as_str()));
            failures.extend(
                fail.into_iter()
                    .map(|((id, _), code, message)| UpdateFailure { id, code, message }),
            );
            if retry.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            pending = retry.into_iter().map(|(f, _, _)| f).collect();
        }
    }
    for f in &failures {
        tracing::error!(finding_id = %f.id, code = %f.code, message = %f.message, "finding not updated");
    }
    failures
}

type Unprocessed = (FindingKey, String, String);

async fn send_batch(
    client: &Client,
    batch: &UpdateBatch,
    findings: &[FindingKey],
) -> Vec<Unprocessed> {
    let identifiers: Vec<_> = findings
        .iter()
        .map(|(id, arn)| {
            AwsSecurityFindingIdentifier::builder()
                .id(id)
                .product_arn(arn)
                .build()
        })
        .collect();
    let result = client
        .batch_update_findings()
        .set_finding_identifiers(Some(identifiers))
        .note(
            NoteUpdate::builder()
                .text(&batch.note)
                .updated_by(UPDATED_BY)
                .build(),
        )
        .workflow(
            WorkflowUpdate::builder()
                .status(batch.status.as_str().into())
                .build(),
        )
        .set_user_defined_fields(
            (!batch.fields.is_empty()).then(|| batch.fields.clone().into_iter().collect()),
        )
        .send()
        .await;
    match result {
        Ok(out) => out
            .unprocessed_findings()
            .iter()
            .map(|u| {
                let id = u.finding_identifier().map(|i| {
                    (
                        i.id().unwrap_or_default().to_owned(),
                        i.product_arn().unwrap_or_default().to_owned(),
                    )
                });
                (
                    id.unwrap_or_default(),
                    u.error_code().unwrap_or_default().to_owned(),
                    u.error_message().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        Err(e) => {
            let err = crate::error::FixError::from_sdk(
                "securityhub:BatchUpdateFindings",
                "findings",
                &[],
                e,
            );
            let code = match err {
                crate::error::FixError::Throttled { .. } => CODE_THROTTLED,
                _ => CODE_CALL_FAILED,
            };
            findings
                .iter()
                .map(|f| (f.clone(), code.to_owned(), err.to_string()))
                .collect()
        }
    }
}

/// Converts a finding to the SDK's type for `BatchImportFindings`. Resource `Details`
/// are not carried over (the SDK models each resource type separately).
pub fn to_sdk_finding(f: &Finding) -> AwsSecurityFinding {
    let now = "1970-01-01T00:00:00.000Z";
    let severity = f.severity.as_ref().map(|s| {
        Severity::builder()
            .set_label(s.label.as_deref().map(SeverityLabel::from))
            .set_normalized(s.normalized.and_then(|n| i32::try_from(n).ok()))
            .set_original(s.original.clone())
            .build()
    });
    let compliance = f.compliance.as_ref().map(|c| {
        Compliance::builder()
            .set_security_control_id(c.security_control_id.clone())
            .set_status(c.status.map(|s| ComplianceStatus::from(compliance_str(s))))
            .set_associated_standards(Some(
                c.associated_standards
                    .iter()
                    .map(|a| {
                        aws_sdk_securityhub::types::AssociatedStandard::builder()
                            .standards_id(&a.standards_id)
                            .build()
                    })
                    .collect(),
            ))
            .set_related_requirements(Some(c.related_requirements.clone()))
            .build()
    });
    let resources = f
        .resources
        .iter()
        .map(|r| {
            Resource::builder()
                .r#type(&r.resource_type)
                .id(&r.id)
                .set_partition(r.partition.as_deref().map(Into::into))
                .set_region(r.region.clone())
                .set_tags((!r.tags.is_empty()).then(|| r.tags.clone().into_iter().collect()))
                .build()
        })
        .collect();
    AwsSecurityFinding::builder()
        .schema_version(f.schema_version.as_deref().unwrap_or("2018-10-08"))
        .id(&f.id)
        .product_arn(&f.product_arn)
        .generator_id(f.generator_id.as_deref().unwrap_or_default())
        .aws_account_id(f.aws_account_id.as_deref().unwrap_or_default())
        .set_region(f.region.clone())
        .set_types(Some(f.types.clone()))
        .created_at(f.created_at.as_deref().unwrap_or(now))
        .updated_at(f.updated_at.as_deref().unwrap_or(now))
        .set_severity(severity)
        .title(f.title.as_deref().unwrap_or_default())
        .description(f.description.as_deref().unwrap_or_default())
        .set_compliance(compliance)
        .set_product_fields(
            (!f.product_fields.is_empty()).then(|| f.product_fields.clone().into_iter().collect()),
        )
        .set_resources(Some(resources))
        .set_workflow(
            f.workflow
                .as_ref()
                .and_then(|w| w.status)
                .map(|s| Workflow::builder().status(s.as_str().into()).build()),
        )
        .set_record_state(f.record_state.map(|s| {
            RecordState::from(match s {
                finding::RecordState::Archived => "ARCHIVED",
                _ => "ACTIVE",
            })
        }))
        .build()
}

fn compliance_str(s: finding::ComplianceStatus) -> &'static str {
    match s {
        finding::ComplianceStatus::Passed => "PASSED",
        finding::ComplianceStatus::Warning => "WARNING",
        finding::ComplianceStatus::Failed => "FAILED",
        finding::ComplianceStatus::NotAvailable | finding::ComplianceStatus::Unknown => {
            "NOT_AVAILABLE"
        }
    }
}

/// Imports findings in calls of at most 100; returns `(Id, message)` of each failure.
pub async fn import(client: &Client, findings: &[Finding]) -> Vec<(String, String)> {
    import_sdk(client, findings.iter().map(to_sdk_finding).collect()).await
}

/// Imports ASFF findings in calls of at most 100; returns `(Id, message)` of each
/// failure (every finding of a call that failed as a whole).
pub async fn import_sdk(
    client: &Client,
    findings: Vec<AwsSecurityFinding>,
) -> Vec<(String, String)> {
    let mut failures = Vec::new();
    for chunk in findings.chunks(MAX_FINDINGS_PER_IMPORT) {
        let result = client
            .batch_import_findings()
            .set_findings(Some(chunk.to_vec()))
            .send()
            .await;
        match result {
            Ok(out) => failures.extend(out.failed_findings().iter().map(|f| {
                (
                    f.id().unwrap_or_default().to_owned(),
                    format!(
                        "{}: {}",
                        f.error_code().unwrap_or_default(),
                        f.error_message().unwrap_or_default()
                    ),
                )
            })),
            Err(e) => {
                let err = crate::error::FixError::from_sdk(
                    "securityhub:BatchImportFindings",
                    "findings",
                    &[],
                    e,
                );
                failures.extend(
                    chunk
                        .iter()
                        .map(|f| (f.id().unwrap_or_default().to_owned(), err.to_string())),
                );
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(id: &str, status: WorkflowStatus, note: &str) -> FindingUpdate {
        FindingUpdate {
            id: id.into(),
            product_arn: "arn:aws:securityhub:us-east-1::product/aws/securityhub".into(),
            status,
            note: note.into(),
            fields: BTreeMap::new(),
        }
    }

    #[test]
    fn groups_by_status_and_note_and_chunks_by_100() {
        let mut updates: Vec<_> = (0..250)
            .map(|i| update(&format!("f{i}"), WorkflowStatus::Notified, "in progress"))
            .collect();
        updates.push(update("x", WorkflowStatus::Resolved, "fixed"));
        updates.push(update("y", WorkflowStatus::Notified, "other note"));
        let b = batches(&updates);
        let sizes: Vec<_> = b.iter().map(|b| (b.status, b.findings.len())).collect();
        assert_eq!(
            sizes,
            [
                (WorkflowStatus::Notified, 100),
                (WorkflowStatus::Notified, 100),
                (WorkflowStatus::Notified, 50),
                (WorkflowStatus::Notified, 1),
                (WorkflowStatus::Resolved, 1)
            ]
        );
        assert!(b
            .iter()
            .all(|b| b.findings.len() <= MAX_FINDINGS_PER_UPDATE));
    }

    #[test]
    fn duplicate_identifiers_are_sent_once_and_notes_are_fitted() {
        let long = "n".repeat(2000);
        let updates = vec![
            update("a", WorkflowStatus::Notified, &long),
            update("a", WorkflowStatus::Notified, &long),
        ];
        let b = batches(&updates);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].findings.len(), 1);
        assert_eq!(b[0].note.chars().count(), 512);
    }

    #[test]
    fn different_fields_go_in_different_calls() {
        let mut deferred = update("a", WorkflowStatus::Notified, "deferred");
        deferred.fields = crate::deferral::done_fields();
        let b = batches(&[deferred, update("b", WorkflowStatus::Notified, "deferred")]);
        assert_eq!(b.len(), 2);
        assert_eq!(b.iter().filter(|b| b.fields.is_empty()).count(), 1);
    }
}
