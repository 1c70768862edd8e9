//! The CIS monitoring alarms (CloudWatch.1-14, CIS 4.1, 4.2, 4.3, 4.15): the metric
//! filter on the multi-region trail's log group, the alarm and the SNS topic, against
//! the emulator (CloudWatch over Smithy RPC v2 CBOR), and undone.

use hubfix::remediate::cloudwatch::cis_alarms::{CIS_ALARMS, CIS_TOPIC};
use hubfix::settings::FixSettings;
use hubfix::OutcomeKind;
use hubfix_tests::seeds::{control_event, logging::trail_with_log_group};
use hubfix_tests::{run_event, undo_outcome, unique, Emulator, ACCOUNT, REGION};

use hubfix_tests::auto;
use hubfix_tests::seeds::account;

#[tokio::test]
async fn every_cis_alarm_control_gets_its_filter_and_alarm() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = trail_with_log_group(&clients).await;
    for alarm in &CIS_ALARMS {
        let (outcome, status, note) = run_event(
            &emulator,
            &clients,
            &control_event(alarm.control_id),
            &account(),
            auto(FixSettings::default()),
        )
        .await;
        assert!(
            matches!(
                outcome.kind,
                OutcomeKind::Remediated | OutcomeKind::AlreadyCompliant
            ),
            "{}: {note}",
            alarm.control_id
        );
        assert_eq!(status, "RESOLVED", "{}: {note}", alarm.control_id);
    }
    let filters = clients
        .logs
        .describe_metric_filters()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    let mut metrics: Vec<_> = CIS_ALARMS.iter().map(|a| a.metric).collect();
    metrics.sort_unstable();
    metrics.dedup();
    assert_eq!(filters.metric_filters().len(), metrics.len());
    let alarms = clients.cloudwatch.describe_alarms().send().await.unwrap();
    assert_eq!(alarms.metric_alarms().len(), metrics.len());
    let topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:{CIS_TOPIC}");
    for a in alarms.metric_alarms() {
        assert_eq!(a.alarm_actions(), std::slice::from_ref(&topic));
        assert_eq!(a.namespace(), Some("CISBenchmark"));
    }
}

#[tokio::test]
async fn an_existing_filter_is_reused_and_undo_removes_only_what_hubfix_made() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = trail_with_log_group(&clients).await;
    let root = &CIS_ALARMS[0];
    clients
        .logs
        .put_metric_filter()
        .log_group_name(&group)
        .filter_name("org-root-usage")
        .filter_pattern(root.pattern.replace(' ', ""))
        .metric_transformations(
            aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                .metric_name("RootUse")
                .metric_namespace("Org")
                .metric_value("1")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let (outcome, _, note) = run_event(
        &emulator,
        &clients,
        "cloudwatch-1-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(
        outcome.changes.len(),
        2,
        "topic and alarm: {:?}",
        outcome.changes
    );
    let alarms = clients.cloudwatch.describe_alarms().send().await.unwrap();
    assert_eq!(alarms.metric_alarms()[0].metric_name(), Some("RootUse"));

    let steps = undo_outcome(&clients, &outcome).await.unwrap();
    assert_eq!(steps.len(), 2, "{steps:?}");
    let alarms = clients.cloudwatch.describe_alarms().send().await.unwrap();
    assert!(alarms.metric_alarms().is_empty());
    let topics = clients.sns.list_topics().send().await.unwrap();
    assert!(topics.topics().is_empty());
    let filters = clients
        .logs
        .describe_metric_filters()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(
        filters.metric_filters().len(),
        1,
        "the organisation's filter stays"
    );
}

#[tokio::test]
async fn a_configured_topic_and_log_group_are_used() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let group = unique("configured-group");
    clients
        .logs
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    let topic = clients
        .sns
        .create_topic()
        .name("security-alarms")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    let mut settings = FixSettings::default();
    settings.catalogue.cis_log_group = Some(group.clone());
    settings.catalogue.cis_alarm_topic_arn = Some(topic.clone());
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cis-4-15-imported.json",
        &account(),
        auto(settings),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Remediated, "{note}");
    assert_eq!(status, "RESOLVED");
    let alarms = clients.cloudwatch.describe_alarms().send().await.unwrap();
    assert_eq!(alarms.metric_alarms()[0].alarm_actions(), [topic]);
    let topics = clients.sns.list_topics().send().await.unwrap();
    assert_eq!(topics.topics().len(), 1, "no topic created");
}

#[tokio::test]
async fn without_a_trail_log_group_the_finding_is_refused_with_a_note() {
    let emulator = Emulator::start().await;
    let clients = emulator.clients().await;
    let (outcome, status, note) = run_event(
        &emulator,
        &clients,
        "cloudwatch-4-imported.json",
        &account(),
        auto(FixSettings::default()),
    )
    .await;
    assert_eq!(outcome.kind, OutcomeKind::Refused, "{note}");
    assert_eq!(status, "NOTIFIED");
    assert!(note.contains("HUBFIX_CIS_LOG_GROUP"), "{note}");
}
