//! The drift guard: CloudTrail's record of someone switching part of the foundation off
//! (delivered by EventBridge as `AWS API Call via CloudTrail`), recorded in the audit
//! trail with who did it, and, where the policy allows, put back by applying the
//! foundation `hubfix setup apply` last stored, narrowed to the accounts and regions
//! the event touched.
//!
//! Event shape: the EventBridge User Guide ("AWS service events delivered via AWS
//! CloudTrail") and the CloudTrail User Guide ("CloudTrail record contents"):
//! `detail.eventSource`, `detail.eventName`, `detail.awsRegion`,
//! `detail.recipientAccountId`, `detail.userIdentity.arn`, `detail.errorCode` when the
//! call was refused, and the call's `requestParameters`.

use std::collections::BTreeSet;
use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use super::access::Access;
use super::apply::{Applier, StepResult, AUDIT_CONTROL};
use super::file::Foundation;
use super::observe::observe_scopes;
use super::plan::Action;
use super::state::Scope;
use crate::audit::{rfc3339, AuditRecord, AuditTrail, Stage, SCHEMA_VERSION};
use crate::error::FixError;
use crate::ids::{is_account_id, is_region};
use crate::model::Change;
use crate::outcome::OutcomeKind;
use crate::settings::{FixSettings, MemberRole};

/// The `detail-type` of CloudTrail's events on EventBridge.
pub const DETAIL_TYPE: &str = "AWS API Call via CloudTrail";
/// Where `hubfix setup apply` stores the foundation it applied, under the audit prefix.
pub const FOUNDATION_KEY: &str = "setup/foundation.json";

/// What someone switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// Security Hub disabled.
    Hub,
    /// Standards or controls disabled.
    Standards,
    /// A member left the administrator, or the administrator removed members.
    Members,
    /// The aggregator deleted or changed.
    Aggregator,
    /// A product integration disabled.
    Products,
    /// The Config recorder stopped or deleted.
    Config,
}

impl DriftKind {
    /// The name `HUBFIX_DRIFT_REPAIR` uses.
    pub fn name(self) -> &'static str {
        match self {
            DriftKind::Hub => "hub",
            DriftKind::Standards => "standards",
            DriftKind::Members => "members",
            DriftKind::Aggregator => "aggregator",
            DriftKind::Products => "products",
            DriftKind::Config => "config",
        }
    }

    const ALL: [DriftKind; 6] = [
        DriftKind::Hub,
        DriftKind::Standards,
        DriftKind::Members,
        DriftKind::Aggregator,
        DriftKind::Products,
        DriftKind::Config,
    ];
}

/// The API calls the drift guard watches: (event source, event name, kind). The
/// template's EventBridge rule lists the same names (a test holds them equal).
pub const WATCHED: &[(&str, &str, DriftKind)] = &[
    (
        "securityhub.amazonaws.com",
        "DisableSecurityHub",
        DriftKind::Hub,
    ),
    (
        "securityhub.amazonaws.com",
        "BatchDisableStandards",
        DriftKind::Standards,
    ),
    (
        "securityhub.amazonaws.com",
        "UpdateStandardsControl",
        DriftKind::Standards,
    ),
    (
        "securityhub.amazonaws.com",
        "BatchUpdateStandardsControlAssociations",
        DriftKind::Standards,
    ),
    (
        "securityhub.amazonaws.com",
        "DisassociateFromAdministratorAccount",
        DriftKind::Members,
    ),
    (
        "securityhub.amazonaws.com",
        "DisassociateFromMasterAccount",
        DriftKind::Members,
    ),
    (
        "securityhub.amazonaws.com",
        "DisassociateMembers",
        DriftKind::Members,
    ),
    (
        "securityhub.amazonaws.com",
        "DeleteMembers",
        DriftKind::Members,
    ),
    (
        "securityhub.amazonaws.com",
        "DeleteFindingAggregator",
        DriftKind::Aggregator,
    ),
    (
        "securityhub.amazonaws.com",
        "UpdateFindingAggregator",
        DriftKind::Aggregator,
    ),
    (
        "securityhub.amazonaws.com",
        "DisableImportFindingsForProduct",
        DriftKind::Products,
    ),
    (
        "config.amazonaws.com",
        "StopConfigurationRecorder",
        DriftKind::Config,
    ),
    (
        "config.amazonaws.com",
        "DeleteConfigurationRecorder",
        DriftKind::Config,
    ),
    (
        "config.amazonaws.com",
        "DeleteDeliveryChannel",
        DriftKind::Config,
    ),
];

/// One watched call, read from its event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftEvent {
    /// The account the call was made in.
    pub account: String,
    /// The region.
    pub region: String,
    /// The API call.
    pub event_name: String,
    /// What it switched off.
    pub kind: DriftKind,
    /// Who made it: the principal's ARN (or its type, for AWS services).
    pub actor: String,
    /// When, as CloudTrail says.
    pub time: String,
    /// CloudTrail's event id.
    pub event_id: String,
    /// The call was refused (`AccessDenied` under the tamper-protection policy): an
    /// attempt, nothing changed.
    pub error_code: Option<String>,
    /// The accounts and regions it touched (members removed by the administrator are
    /// theirs, not the administrator's).
    pub scopes: Vec<Scope>,
}

/// Why an event is not one the drift guard acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a watched CloudTrail event: {0}")]
pub struct NotDrift(pub String);

/// Reads an EventBridge event of a watched API call.
pub fn parse(event: &Value) -> Result<DriftEvent, NotDrift> {
    if event["detail-type"] != DETAIL_TYPE {
        return Err(NotDrift(format!(
            "detail-type is {}, expected {DETAIL_TYPE:?}",
            event["detail-type"]
        )));
    }
    let detail = &event["detail"];
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let source = text(&detail["eventSource"]).unwrap_or_default();
    let name = text(&detail["eventName"]).unwrap_or_default();
    let (_, _, kind) = WATCHED
        .iter()
        .find(|(s, n, _)| *s == source && *n == name)
        .ok_or_else(|| {
            NotDrift(format!(
                "{source} {name} is not a call the drift guard watches"
            ))
        })?;
    let account = text(&detail["recipientAccountId"])
        .or_else(|| text(&event["account"]))
        .filter(|a| is_account_id(a))
        .ok_or_else(|| NotDrift("no 12-digit recipientAccountId".into()))?;
    let region = text(&detail["awsRegion"])
        .or_else(|| text(&event["region"]))
        .filter(|r| is_region(r))
        .ok_or_else(|| NotDrift("no valid awsRegion".into()))?;
    let identity = &detail["userIdentity"];
    let actor = text(&identity["arn"])
        .or_else(|| text(&identity["invokedBy"]))
        .or_else(|| text(&identity["type"]))
        .unwrap_or_else(|| "an unknown principal".into());
    let mut scopes = vec![Scope::regional(&account, &region)];
    if matches!(name.as_str(), "DisassociateMembers" | "DeleteMembers") {
        let members: Vec<Scope> = detail["requestParameters"]["AccountIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|a| is_account_id(a))
            .map(|a| Scope::regional(a, &region))
            .collect();
        scopes.extend(members);
    }
    Ok(DriftEvent {
        account,
        region,
        event_name: name,
        kind: *kind,
        actor,
        time: text(&detail["eventTime"])
            .or_else(|| text(&event["time"]))
            .unwrap_or_default(),
        event_id: text(&detail["eventID"])
            .or_else(|| text(&event["id"]))
            .unwrap_or_default(),
        error_code: text(&detail["errorCode"]),
        scopes,
    })
}

/// Which kinds of drift the guard puts back (`HUBFIX_DRIFT_REPAIR`): `all`, `none`, or
/// a comma-separated list of `hub`, `standards`, `members`, `aggregator`, `products`,
/// `config`.
pub fn repair_kinds(value: Option<&str>) -> Result<BTreeSet<DriftKind>, String> {
    let value = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("all");
    match value {
        "all" => return Ok(DriftKind::ALL.into_iter().collect()),
        "none" => return Ok(BTreeSet::new()),
        _ => {}
    }
    value
        .split(',')
        .map(str::trim)
        .map(|name| {
            DriftKind::ALL
                .into_iter()
                .find(|k| k.name() == name)
                .ok_or_else(|| {
                    format!("`{name}` is not one of all, none, hub, standards, members, aggregator, products, config")
                })
        })
        .collect()
}

/// The outcome of an event whose repair failed (a step failed, or it could not be
/// planned): the function reports it as an error.
pub const REPAIR_FAILED: &str = "repair_failed";

/// What the guard did with one event.
#[derive(Debug, Clone, Serialize)]
pub struct GuardReport {
    /// The event.
    pub event: DriftEvent,
    /// `recorded` (nothing put back), `repaired`, `repair_failed`, `refused_attempt`.
    pub outcome: String,
    /// What it says in the audit trail.
    pub note: String,
    /// The steps taken to put it back.
    pub steps: Vec<StepResult>,
}

/// The drift guard's dependencies.
pub struct Guard<'a> {
    /// The SDK configuration of the guard's own account.
    pub config: &'a aws_config::SdkConfig,
    /// The guard's own account.
    pub caller: &'a str,
    /// hubfix's member role: the role to accounts the stored foundation names none
    /// for, and the external id of that role.
    pub member_role: Option<&'a MemberRole>,
    /// The audit trail (where the foundation is stored, too).
    pub audit: Option<&'a AuditTrail>,
    /// Where the stored foundation is: the audit bucket and its prefix.
    pub store: Option<(&'a aws_sdk_s3::Client, &'a str, &'a str)>,
    /// Which kinds it puts back.
    pub repair: &'a BTreeSet<DriftKind>,
    /// The settings of hubfix's fixes (the `Config.1` fix).
    pub settings: &'a FixSettings,
    /// Who it is, for records.
    pub actor: &'a str,
}

impl Guard<'_> {
    /// Records the event, and puts the foundation back where the policy allows.
    pub async fn handle(&self, event: DriftEvent) -> GuardReport {
        let who = format!("{} by {} at {}", event.event_name, event.actor, event.time);
        let (outcome, note, steps) = if let Some(code) = &event.error_code {
            (
                "refused_attempt",
                format!(
                    "{who} in {} {} was refused ({code}); nothing changed",
                    event.account, event.region
                ),
                Vec::new(),
            )
        } else if !self.repair.contains(&event.kind) {
            (
                "recorded",
                format!(
                    "{who} switched off {} in {} {}; HUBFIX_DRIFT_REPAIR does not allow putting it back: run `hubfix setup apply`",
                    event.kind.name(),
                    event.account,
                    event.region
                ),
                Vec::new(),
            )
        } else {
            match self.foundation().await {
                Err(e) => (
                    "recorded",
                    format!("{who}: cannot put it back: {e}"),
                    Vec::new(),
                ),
                Ok(f) => self.repair(&f, &event, &who).await,
            }
        };
        let report = GuardReport {
            event,
            outcome: outcome.to_owned(),
            note,
            steps,
        };
        tracing::warn!(
            account = %report.event.account,
            region = %report.event.region,
            event_name = %report.event.event_name,
            actor = %report.event.actor,
            outcome = %report.outcome,
            note = %report.note,
            "Security Hub foundation drift"
        );
        if let Some(audit) = self.audit {
            if let Err(e) = audit
                .write(&drift_record(&report, self.actor, SystemTime::now()))
                .await
            {
                tracing::error!(error = %e, "could not write the drift record");
            }
        }
        report
    }

    async fn foundation(&self) -> Result<Foundation, String> {
        let (s3, bucket, prefix) = self
            .store
            .ok_or("no audit bucket is configured, so no applied foundation is stored")?;
        load_foundation(s3, bucket, prefix)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no foundation is stored in s3://{bucket}/{prefix}{FOUNDATION_KEY}: run `hubfix setup apply` first"))
    }

    /// The accounts, through the roles the foundation names (else the member role).
    fn access(&self, f: &Foundation) -> Access {
        let role = |name: &Option<String>| {
            name.as_ref()
                .or(self.member_role.map(|r| &r.name))
                .map(|n| MemberRole {
                    name: n.clone(),
                    external_id: self
                        .member_role
                        .filter(|r| r.name == *n)
                        .and_then(|r| r.external_id.clone()),
                })
        };
        Access::new(
            self.config.clone(),
            self.caller,
            role(&f.organization_role),
            role(&f.invited_role),
        )
    }

    async fn repair(
        &self,
        f: &Foundation,
        event: &DriftEvent,
        who: &str,
    ) -> (&'static str, String, Vec<StepResult>) {
        let access = self.access(f);
        let applier = Applier {
            foundation: f,
            access: &access,
            audit: self.audit,
            actor: self.actor,
            settings: self.settings,
        };
        let read = || observe_scopes(f, &access, &event.scopes);
        let keep = |s: &super::plan::Step| touches(s, &event.scopes, event.kind);
        let report = match applier.apply_where(read, &keep, &|_| {}).await {
            Ok(r) => r,
            Err(e) => {
                return (
                    REPAIR_FAILED,
                    format!("{who}: cannot plan the repair: {e}"),
                    Vec::new(),
                )
            }
        };
        let steps = report.results;
        if steps.is_empty() {
            return (
                "recorded",
                format!(
                    "{who}; the foundation in {} {} is already as the setup file says",
                    event.account, event.region
                ),
                Vec::new(),
            );
        }
        let done: Vec<String> = steps
            .iter()
            .map(|r| match &r.outcome {
                Ok(d) => format!("{d} in {}", r.step.scope),
                Err(e) => format!("FAILED: {e}"),
            })
            .collect();
        let failed = steps.iter().any(|r| r.outcome.is_err()) || !report.remaining.steps.is_empty();
        (
            if failed { REPAIR_FAILED } else { "repaired" },
            format!("{who}; hubfix put it back: {}", done.join("; ")),
            steps,
        )
    }
}

/// Whether a step repairs what the event touched: steps in its scopes, and the
/// administrator's steps about its accounts (adding, inviting, the aggregator).
fn touches(step: &super::plan::Step, scopes: &[Scope], kind: DriftKind) -> bool {
    let in_scope = scopes
        .iter()
        .any(|s| s.account == step.scope.account && s.region == step.scope.region);
    let about = |account: &String| {
        scopes
            .iter()
            .any(|s| s.account == *account && s.region == step.scope.region)
    };
    match &step.action {
        Action::AddMembers { accounts } => accounts.iter().any(|a| about(&a.account)),
        Action::InviteMembers { accounts } => accounts.iter().any(about),
        Action::CreateAggregator { .. } | Action::UpdateAggregator { .. } => {
            kind == DriftKind::Aggregator && in_scope
        }
        Action::DesignateAdministrator { .. }
        | Action::EnableTrustedAccess
        | Action::EnableServiceControlPolicies { .. }
        | Action::PutTamperPolicy { .. }
        | Action::AttachTamperPolicy { .. } => false,
        _ => in_scope,
    }
}

/// The audit record of a drift event: finding id `hubfix-setup/drift/<event id>`.
pub fn drift_record(report: &GuardReport, actor: &str, now: SystemTime) -> AuditRecord {
    let e = &report.event;
    AuditRecord {
        schema: SCHEMA_VERSION,
        time: rfc3339(now),
        stage: Stage::Decided,
        actor: actor.to_owned(),
        finding_id: format!("hubfix-setup/drift/{}", e.event_id),
        product_arn: None,
        account: Some(e.account.clone()),
        region: Some(e.region.clone()),
        control_id: Some(AUDIT_CONTROL.to_owned()),
        rule: Some(format!("{AUDIT_CONTROL}:drift")),
        target: None,
        outcome: Some(match report.outcome.as_str() {
            "repaired" => OutcomeKind::Remediated,
            REPAIR_FAILED => OutcomeKind::Failed,
            _ => OutcomeKind::Refused,
        }),
        note: report.note.clone(),
        plan: vec![Change::new(format!("{} by {}", e.event_name, e.actor), e)],
        before: None,
        after: None,
        reports: Vec::new(),
    }
}

/// Stores the foundation `setup apply` applied, for the drift guard.
pub async fn save_foundation(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    f: &Foundation,
) -> Result<(), FixError> {
    let body = serde_json::to_vec_pretty(f).map_err(|e| FixError::Api {
        operation: "s3:PutObject",
        code: "Serialization".into(),
        message: e.to_string(),
    })?;
    s3.put_object()
        .bucket(bucket)
        .key(format!("{prefix}{FOUNDATION_KEY}"))
        .content_type("application/json")
        .body(body.into())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| FixError::from_sdk("s3:PutObject", bucket, &[], e))
}

/// The foundation `setup apply` last stored, if any.
pub async fn load_foundation(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Option<Foundation>, FixError> {
    let got = match s3
        .get_object()
        .bucket(bucket)
        .key(format!("{prefix}{FOUNDATION_KEY}"))
        .send()
        .await
    {
        Ok(got) => got,
        Err(e) if crate::error::service_code(&e) == Some("NoSuchKey") => return Ok(None),
        Err(e) => return Err(FixError::from_sdk("s3:GetObject", bucket, &[], e)),
    };
    let bytes = got.body.collect().await.map_err(|e| FixError::Api {
        operation: "s3:GetObject",
        code: "ReadBody".into(),
        message: e.to_string(),
    })?;
    serde_json::from_slice(&bytes.into_bytes())
        .map(Some)
        .map_err(|e| FixError::Api {
            operation: "s3:GetObject",
            code: "Unreadable".into(),
            message: format!("the stored foundation is not readable: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, source: &str) -> Value {
        serde_json::json!({
            "version": "0",
            "id": "6f1c8f1e-0000-4000-8000-000000000001",
            "detail-type": DETAIL_TYPE,
            "source": format!("aws.{}", source.split('.').next().unwrap()),
            "account": "333333333333",
            "time": "2026-12-06T08:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "eventVersion": "1.08",
                "userIdentity": {
                    "type": "AssumedRole",
                    "principalId": "AROAEXAMPLE:alice",
                    "arn": "arn:aws:sts::333333333333:assumed-role/Developer/alice",
                    "accountId": "333333333333"
                },
                "eventTime": "2026-12-06T07:59:58Z",
                "eventSource": source,
                "eventName": name,
                "awsRegion": "us-east-1",
                "sourceIPAddress": "198.51.100.7",
                "userAgent": "aws-cli/2.15.0",
                "requestParameters": null,
                "responseElements": null,
                "requestID": "c0ffee00-0000-4000-8000-000000000002",
                "eventID": "d1f7a0b2-0000-4000-8000-000000000003",
                "readOnly": false,
                "eventType": "AwsApiCall",
                "managementEvent": true,
                "recipientAccountId": "333333333333",
                "eventCategory": "Management"
            }
        })
    }

    #[test]
    fn watched_calls_are_read_with_who_made_them() {
        let e = parse(&event("DisableSecurityHub", "securityhub.amazonaws.com")).unwrap();
        assert_eq!(e.kind, DriftKind::Hub);
        assert_eq!(
            e.actor,
            "arn:aws:sts::333333333333:assumed-role/Developer/alice"
        );
        assert_eq!(e.scopes, vec![Scope::regional("333333333333", "us-east-1")]);
        assert_eq!(e.event_id, "d1f7a0b2-0000-4000-8000-000000000003");
        assert_eq!(e.error_code, None);
        let stop = parse(&event("StopConfigurationRecorder", "config.amazonaws.com")).unwrap();
        assert_eq!(stop.kind, DriftKind::Config);

        let mut removed = event("DisassociateMembers", "securityhub.amazonaws.com");
        removed["detail"]["requestParameters"] =
            serde_json::json!({"AccountIds": ["222222222222", "bad"]});
        let e = parse(&removed).unwrap();
        assert_eq!(e.scopes.len(), 2);
        assert_eq!(e.scopes[1].account, "222222222222");

        let mut denied = event("DisableSecurityHub", "securityhub.amazonaws.com");
        denied["detail"]["errorCode"] = Value::from("AccessDenied");
        assert_eq!(
            parse(&denied).unwrap().error_code.as_deref(),
            Some("AccessDenied")
        );
    }

    #[test]
    fn other_events_are_not_drift() {
        assert!(parse(&event("EnableSecurityHub", "securityhub.amazonaws.com")).is_err());
        assert!(parse(&event("DisableSecurityHub", "config.amazonaws.com")).is_err());
        let mut wrong = event("DisableSecurityHub", "securityhub.amazonaws.com");
        wrong["detail-type"] = Value::from("Security Hub Findings - Imported");
        assert!(parse(&wrong).is_err());
        let mut no_account = event("DisableSecurityHub", "securityhub.amazonaws.com");
        no_account["detail"]["recipientAccountId"] = Value::from("x");
        no_account["account"] = Value::Null;
        assert!(parse(&no_account)
            .unwrap_err()
            .to_string()
            .contains("recipientAccountId"));
    }

    #[test]
    fn the_repair_policy_reads_kinds() {
        assert_eq!(repair_kinds(None).unwrap().len(), 6);
        assert!(repair_kinds(Some("none")).unwrap().is_empty());
        assert_eq!(
            repair_kinds(Some("hub, config"))
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            [DriftKind::Hub, DriftKind::Config]
        );
        assert!(repair_kinds(Some("hub,everything"))
            .unwrap_err()
            .contains("everything"));
    }
}
