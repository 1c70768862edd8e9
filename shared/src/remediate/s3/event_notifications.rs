//! S3.11: buckets notify someone of their events.
//!
//! A bucket without any event notification (to an SNS topic, an SQS queue, a Lambda
//! function, or EventBridge) gets one to the configured destination
//! (`HUBFIX_S3_EVENT_DESTINATION`) for the configured event types
//! (`HUBFIX_S3_EVENT_TYPES`, default `s3:ObjectRemoved:*`). S3 replaces a bucket's
//! notification configuration whole, so the fix reads it and writes it back with one
//! configuration more, [`NOTIFICATION_ID`]; undo writes it back without that one. The
//! destination must let S3 publish to it (its resource policy), which S3 checks when the
//! configuration is written.

use aws_sdk_s3::types::{
    Event, LambdaFunctionConfiguration, NotificationConfiguration, QueueConfiguration,
    TopicConfiguration,
};

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "S3.11",
    title: "S3 general purpose buckets should have event notifications enabled",
    resource_type: "AwsS3Bucket",
    fix: "Adds an event notification of HUBFIX_S3_EVENT_TYPES (default s3:ObjectRemoved:*) to the configured SNS topic, SQS queue or Lambda function (HUBFIX_S3_EVENT_DESTINATION) to a bucket that has none, keeping the rest of its notification configuration; undo removes only that notification. Messages are billed: approval.",
    iam_actions: &[
        "s3:GetBucketNotification",
        "s3:PutBucketNotification",
        "s3:GetBucketTagging",
    ],
    impact: Impact::Disruptive,
    remediation: &EventNotifications,
}];

/// `S3.11`: an event notification on the bucket.
#[derive(Debug)]
pub struct EventNotifications;

/// The id of the notification configuration hubfix adds; undo removes it by this id.
pub const NOTIFICATION_ID: &str = "hubfix-s3-11";

/// The before-state: the bucket's notifications, by id, and EventBridge delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsBefore {
    /// The ids of its topic, queue and function notifications, sorted.
    pub notification_ids: Vec<String>,
    /// Events go to EventBridge.
    pub eventbridge: bool,
}

/// The notification `S3.11` adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedNotification {
    /// The SNS topic, SQS queue or Lambda function ARN.
    pub destination: String,
    /// The event types.
    pub events: Vec<String>,
}

/// The kind of a notification destination, by the service of its ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// An SNS topic.
    Topic,
    /// An SQS queue.
    Queue,
    /// A Lambda function.
    Function,
}

impl Destination {
    /// The kind of `arn`, `None` for anything S3 cannot notify.
    pub fn of(arn: &str) -> Option<Destination> {
        let a = crate::ids::Arn::parse(arn)?;
        match a.service {
            "sns" => Some(Destination::Topic),
            "sqs" => Some(Destination::Queue),
            "lambda" if a.resource.starts_with("function:") => Some(Destination::Function),
            _ => None,
        }
    }
}

/// The plan for `S3.11`.
pub fn notifications_plan(
    bucket: &str,
    before: NotificationsBefore,
    destination: Option<&str>,
    events: &[String],
) -> Result<Plan, FixError> {
    let compliant = before.eventbridge || !before.notification_ids.is_empty();
    let changes = if compliant {
        Vec::new()
    } else {
        let destination = destination.ok_or_else(|| {
            FixError::Unconfigured(
                "S3.11 needs somewhere to send the bucket's events: set HUBFIX_S3_EVENT_DESTINATION (template parameter S3EventDestination) to an SNS topic, SQS queue or Lambda function that lets S3 publish to it".into(),
            )
        })?;
        vec![Change::new(
            format!(
                "added an event notification of {} to {destination}",
                events.join(", ")
            ),
            &AddedNotification {
                destination: destination.to_owned(),
                events: events.to_vec(),
            },
        )]
    };
    Ok(Plan {
        before: BeforeState::new(format!("bucket {bucket}"), &before),
        changes,
    })
}

async fn read_notifications(
    fix: Fix<'_>,
) -> Result<
    aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput,
    FixError,
>{
    fix.clients
        .s3
        .get_bucket_notification_configuration()
        .bucket(&fix.target.name)
        .send()
        .await
        .map_err(sdk_err("s3:GetBucketNotification", &fix))
}

fn ids_of(
    out: &aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput,
) -> Vec<String> {
    let mut ids: Vec<String> = out
        .topic_configurations()
        .iter()
        .map(|c| c.id().unwrap_or_default().to_owned())
        .chain(
            out.queue_configurations()
                .iter()
                .map(|c| c.id().unwrap_or_default().to_owned()),
        )
        .chain(
            out.lambda_function_configurations()
                .iter()
                .map(|c| c.id().unwrap_or_default().to_owned()),
        )
        .collect();
    ids.sort();
    ids
}

/// Writes the bucket's notifications as read, without hubfix's, plus `added`.
async fn write_notifications(
    fix: Fix<'_>,
    added: Option<&AddedNotification>,
) -> Result<(), FixError> {
    let current = read_notifications(fix).await?;
    let ours = |id: Option<&str>| id == Some(NOTIFICATION_ID);
    let mut topics: Vec<TopicConfiguration> = current
        .topic_configurations()
        .iter()
        .filter(|c| !ours(c.id()))
        .cloned()
        .collect();
    let mut queues: Vec<QueueConfiguration> = current
        .queue_configurations()
        .iter()
        .filter(|c| !ours(c.id()))
        .cloned()
        .collect();
    let mut functions: Vec<LambdaFunctionConfiguration> = current
        .lambda_function_configurations()
        .iter()
        .filter(|c| !ours(c.id()))
        .cloned()
        .collect();
    if let Some(added) = added {
        let events: Vec<Event> = added
            .events
            .iter()
            .map(|e| Event::from(e.as_str()))
            .collect();
        let built = |e: aws_sdk_s3::error::BuildError| {
            FixError::Verification(format!("a notification S3 would refuse: {e}"))
        };
        match Destination::of(&added.destination) {
            Some(Destination::Topic) => topics.push(
                TopicConfiguration::builder()
                    .id(NOTIFICATION_ID)
                    .topic_arn(&added.destination)
                    .set_events(Some(events))
                    .build()
                    .map_err(built)?,
            ),
            Some(Destination::Queue) => queues.push(
                QueueConfiguration::builder()
                    .id(NOTIFICATION_ID)
                    .queue_arn(&added.destination)
                    .set_events(Some(events))
                    .build()
                    .map_err(built)?,
            ),
            Some(Destination::Function) => functions.push(
                LambdaFunctionConfiguration::builder()
                    .id(NOTIFICATION_ID)
                    .lambda_function_arn(&added.destination)
                    .set_events(Some(events))
                    .build()
                    .map_err(built)?,
            ),
            None => {
                return Err(FixError::Unconfigured(format!(
                    "{} is not an SNS topic, SQS queue or Lambda function ARN",
                    added.destination
                )))
            }
        }
    }
    let configuration = NotificationConfiguration::builder()
        .set_topic_configurations(Some(topics))
        .set_queue_configurations(Some(queues))
        .set_lambda_function_configurations(Some(functions))
        .set_event_bridge_configuration(current.event_bridge_configuration().cloned())
        .build();
    fix.clients
        .s3
        .put_bucket_notification_configuration()
        .bucket(&fix.target.name)
        .notification_configuration(configuration)
        .send()
        .await
        .map(drop)
        .map_err(sdk_err("s3:PutBucketNotification", &fix))
}

impl Remediation for EventNotifications {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let s3 = &fix.clients.s3;
            let (tags, current) = tokio::join!(
                bucket_tags(s3, &fix.target.name, with_tags),
                read_notifications(fix)
            );
            let (tags, current) = (tags?, current?);
            let before = NotificationsBefore {
                notification_ids: ids_of(&current),
                eventbridge: current.event_bridge_configuration().is_some(),
            };
            Ok(Inspection {
                tags,
                plan: notifications_plan(
                    &fix.target.name,
                    before,
                    fix.settings.s3_event_destination.as_deref(),
                    &fix.settings.s3_event_types,
                )?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let added: AddedNotification = change.detail()?;
            write_notifications(fix, Some(&added)).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            if changes.is_empty() {
                return Ok(Vec::new());
            }
            write_notifications(fix, None).await?;
            Ok(vec![format!(
                "removed the event notification {NOTIFICATION_ID} from {}; its other notifications stay",
                before.resource
            )])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:bucket-events";

    fn before(ids: &[&str], eventbridge: bool) -> NotificationsBefore {
        NotificationsBefore {
            notification_ids: ids.iter().map(|s| s.to_string()).collect(),
            eventbridge,
        }
    }

    #[test]
    fn a_bucket_without_notifications_gets_one_to_the_destination() {
        let events = vec!["s3:ObjectRemoved:*".to_owned()];
        let plan = notifications_plan("b", before(&[], false), Some(TOPIC), &events).unwrap();
        let added: AddedNotification = plan.changes[0].detail().unwrap();
        assert_eq!(added.destination, TOPIC);
        assert_eq!(
            plan.describe(),
            format!("added an event notification of s3:ObjectRemoved:* to {TOPIC}")
        );
        let err = notifications_plan("b", before(&[], false), None, &events).unwrap_err();
        assert!(
            matches!(err, FixError::Unconfigured(ref s) if s.contains("HUBFIX_S3_EVENT_DESTINATION"))
        );
    }

    #[test]
    fn any_notification_or_eventbridge_is_compliant() {
        let events = vec!["s3:ObjectRemoved:*".to_owned()];
        assert!(
            notifications_plan("b", before(&["audit"], false), None, &events)
                .unwrap()
                .is_compliant()
        );
        assert!(notifications_plan("b", before(&[], true), None, &events)
            .unwrap()
            .is_compliant());
    }

    #[test]
    fn destinations_are_topics_queues_and_functions() {
        assert_eq!(Destination::of(TOPIC), Some(Destination::Topic));
        assert_eq!(
            Destination::of("arn:aws:sqs:us-east-1:123456789012:q"),
            Some(Destination::Queue)
        );
        assert_eq!(
            Destination::of("arn:aws:lambda:us-east-1:123456789012:function:f"),
            Some(Destination::Function)
        );
        assert_eq!(Destination::of("arn:aws:s3:::bucket"), None);
    }
}
