//! CIS 3.10 / 3.11.

use super::*;
use crate::remediate::{Impact, Rule};

const DATA_EVENTS_FIX: &str = "Adds an event selector of S3 object-level events of every bucket (`arn:aws:s3`) to the region's multi-region trail (an advanced selector when the trail uses advanced ones), keeping every selector it has; undo removes only that selector.";
const DATA_EVENTS_ACTIONS: &[&str] = &[
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:PutEventSelectors",
];

/// S3 object-level logging of every bucket: CIS 1.4.0 3.10 and 3.11 (which Security Hub
/// does not check; hubfix's scanner does) and Security Hub's own `S3.22` and `S3.23`.
const fn data_events_rule(
    control_id: &'static str,
    title: &'static str,
    remediation: &'static S3DataEvents,
) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsAccount",
        fix: DATA_EVENTS_FIX,
        iam_actions: DATA_EVENTS_ACTIONS,
        impact: Impact::Disruptive,
        remediation,
    }
}

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    data_events_rule(
        "CIS.3.10",
        "Ensure that Object-level logging for write events is enabled for S3 bucket (CIS 1.4.0 3.10)",
        &S3DataEvents(S3Access::Write),
    ),
    data_events_rule(
        "CIS.3.11",
        "Ensure that Object-level logging for read events is enabled for S3 bucket (CIS 1.4.0 3.11)",
        &S3DataEvents(S3Access::Read),
    ),
    data_events_rule(
        "S3.22",
        "S3 general purpose buckets should log object-level write events",
        &S3DataEvents(S3Access::Write),
    ),
    data_events_rule(
        "S3.23",
        "S3 general purpose buckets should log object-level read events",
        &S3DataEvents(S3Access::Read),
    ),
];

/// CIS 1.4.0 3.10 (`CIS.3.10`) and 3.11 (`CIS.3.11`): a multi-region trail logs S3
/// object-level write (read) events of every bucket. Adds one event selector to the
/// region's multi-region trail, keeping every selector the trail has.
#[derive(Debug)]
pub struct S3DataEvents(pub S3Access);

/// A multi-region trail and whether it logs the S3 events the check wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailDataEvents {
    /// The trail's ARN.
    pub arn: String,
    /// Whether it logs the S3 object-level events of every bucket.
    pub logs_s3_events: bool,
}

/// The before-state: the multi-region trails, sorted by ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataEventsBefore {
    /// The trails.
    pub trails: Vec<TrailDataEvents>,
}

/// The change: one selector added to one trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataEventsChange {
    /// The trail's ARN.
    pub trail: String,
    /// The selector added.
    pub added: AddedSelector,
}

impl Remediation for S3DataEvents {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let access = self.0;
            let partition = &fix.target.partition;
            let mut read = Vec::new();
            for t in all_trails(fix)
                .await?
                .into_iter()
                .filter(|t| t.multi_region)
            {
                let s = selectors(fix, &t.arn).await?;
                read.push((t, s));
            }
            let trails: Vec<TrailDataEvents> = read
                .iter()
                .map(|(t, s)| TrailDataEvents {
                    arn: t.arn.clone(),
                    logs_s3_events: s.logs_s3_data_events(access, partition),
                })
                .collect();
            let mut changes = Vec::new();
            if !trails.iter().any(|t| t.logs_s3_events) {
                let (state, current) = data_events_trail(fix, &read).await?;
                let added = current
                    .selector_for(access, partition)
                    .map_err(FixError::Manual)?;
                changes.push(Change::new(
                    format!(
                        "added an event selector of S3 object-level {} events of every bucket to trail {}, keeping its {} selector(s)",
                        access.word(),
                        state.name,
                        current.basic.len() + current.advanced.len()
                    ),
                    &DataEventsChange {
                        trail: state.arn.clone(),
                        added,
                    },
                ));
            }
            Ok(Inspection {
                tags: None,
                plan: plan(
                    format!(
                        "CloudTrail data events of account {} in {}",
                        fix.target.name, fix.target.region
                    ),
                    &DataEventsBefore { trails },
                    changes,
                ),
            })
        })
    }

    /// Reads the trail's selectors again and puts them back with the one added, so
    /// that a selector the user added since the plan is kept too.
    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let c: DataEventsChange = change.detail()?;
            let current = selectors(fix, &c.trail).await?;
            if current.logs_s3_data_events(self.0, &fix.target.partition) {
                return Ok(());
            }
            put_selectors(fix, &c.trail, &current.with(&c.added)).await
        })
    }

    /// Removes the selector hubfix added; every other selector stays as it is now.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let _: DataEventsBefore = before.recorded()?;
            let mut steps = Vec::new();
            for change in changes {
                let c: DataEventsChange = change.detail()?;
                let current = selectors(fix, &c.trail).await?;
                match current.without(&c.added) {
                    Some(rest) => {
                        put_selectors(fix, &c.trail, &rest).await?;
                        steps.push(format!(
                            "removed the S3 {} data event selector hubfix added to trail {}",
                            self.0.word(),
                            c.trail
                        ));
                    }
                    None => steps.push(format!(
                        "the S3 {} data event selector hubfix added to trail {} is gone already",
                        self.0.word(),
                        c.trail
                    )),
                }
            }
            Ok(steps)
        })
    }
}

/// The trail a data-events fix goes on: a multi-region trail of this region, logging
/// ones first.
async fn data_events_trail<'t>(
    fix: Fix<'_>,
    read: &'t [(TrailState, Selectors)],
) -> Result<&'t (TrailState, Selectors), FixError> {
    let mut candidates = Vec::new();
    for entry in read {
        if entry.0.home_region == fix.target.region {
            candidates.push((!is_logging(fix, &entry.0.arn).await?, entry));
        }
    }
    candidates.sort_by(|a, b| (a.0, &a.1 .0.arn).cmp(&(b.0, &b.1 .0.arn)));
    if let Some((_, entry)) = candidates.into_iter().next() {
        return Ok(entry);
    }
    match read.first() {
        Some((other, _)) => Err(FixError::Target(format!(
            "the multi-region trail {} can only be changed in its home region {}; hubfix fixes it from that region's finding",
            other.name, other.home_region
        ))),
        None => Err(FixError::Unconfigured(
            "the account has no multi-region trail to log S3 data events with; fix CloudTrail.1 first (hubfix creates one)".into(),
        )),
    }
}
