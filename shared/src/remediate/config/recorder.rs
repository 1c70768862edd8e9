//! AWS Config: a recorder of all resource types, a delivery channel, recording
//! (`Config.1`).

use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};
use crate::settings::catalogue::ENV_CONFIG_BUCKET;

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "Config.1",
        title: "AWS Config should be enabled and use the service-linked role for resource recording",
        resource_type: "AwsAccount",
        fix: "Sets the region's Config recorder to record all resource types (creating `default` with the configured role, else the service-linked role), creates a delivery channel to the configured bucket (HUBFIX_CONFIG_BUCKET) when there is none, and starts recording.",
        iam_actions: &[
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
            "config:PutConfigurationRecorder",
            "config:PutDeliveryChannel",
            "config:StartConfigurationRecorder",
            "config:StopConfigurationRecorder",
            "config:DeleteDeliveryChannel",
            "config:DeleteConfigurationRecorder",
            "iam:PassRole",
            "iam:CreateServiceLinkedRole",
        ],
        impact: Impact::Disruptive,
        remediation: &ConfigRecording,
    },
];

/// `Config.1`: records every supported resource type (global ones included), delivers
/// to a channel, and is started.
#[derive(Debug)]
pub struct ConfigRecording;

/// Name of the recorder and channel hubfix creates when there are none.
pub const CONFIG_NAME: &str = "default";

/// A recorder as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecorderState {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role_arn: String,
    /// Records all supported resource types.
    pub all_supported: bool,
    /// Records global resource types (IAM).
    pub include_global: bool,
    /// The resource types it records when not all, sorted.
    pub resource_types: Vec<String>,
}

/// A delivery channel as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelState {
    /// Its name.
    pub name: String,
    /// Its bucket.
    pub bucket: String,
}

/// The before-state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigBefore {
    /// The region's recorder (Config allows one).
    pub recorder: Option<RecorderState>,
    /// Whether it was recording.
    pub recording: bool,
    /// The region's delivery channel (Config allows one).
    pub channel: Option<ChannelState>,
}

/// One step of the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfigChange {
    /// Put the recorder (created, or its recording group widened to all resources).
    Recorder(RecorderState),
    /// Create a delivery channel to this bucket.
    Channel(ChannelState),
    /// Start the recorder.
    Start(String),
}

impl Remediation for ConfigRecording {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let before = read(&fix.clients.config).await?;
            let changes = plan(fix, &before)?;
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!(
                            "AWS Config of account {} in {}",
                            fix.target.name, fix.target.region
                        ),
                        &before,
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let config = &fix.clients.config;
            match change.detail::<ConfigChange>()? {
                ConfigChange::Recorder(r) => put_recorder(config, &r).await,
                ConfigChange::Channel(c) => config
                    .put_delivery_channel()
                    .delivery_channel(
                        DeliveryChannel::builder()
                            .name(&c.name)
                            .s3_bucket_name(&c.bucket)
                            .build(),
                    )
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| FixError::from_sdk("config:PutDeliveryChannel", &c.name, &[], e)),
                ConfigChange::Start(name) => config
                    .start_configuration_recorder()
                    .configuration_recorder_name(&name)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        FixError::from_sdk(
                            "config:StartConfigurationRecorder",
                            &name,
                            NO_RECORDER,
                            e,
                        )
                    }),
            }
        })
    }

    /// Stops the recorder if it was not recording, deletes the channel and recorder
    /// hubfix created, and puts back a recorder's recording group that it widened.
    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let before: ConfigBefore = before.recorded()?;
            let config = &fix.clients.config;
            let mut steps = Vec::new();
            let applied: Vec<ConfigChange> = changes
                .iter()
                .map(Change::detail)
                .collect::<Result<_, _>>()?;
            for change in &applied {
                if let ConfigChange::Start(name) = change {
                    config
                        .stop_configuration_recorder()
                        .configuration_recorder_name(name)
                        .send()
                        .await
                        .map_err(|e| {
                            FixError::from_sdk(
                                "config:StopConfigurationRecorder",
                                name,
                                NO_RECORDER,
                                e,
                            )
                        })?;
                    steps.push(format!("stopped the Config recorder {name} again"));
                }
            }
            for change in &applied {
                if let ConfigChange::Channel(c) = change {
                    config
                        .delete_delivery_channel()
                        .delivery_channel_name(&c.name)
                        .send()
                        .await
                        .map_err(|e| {
                            FixError::from_sdk("config:DeleteDeliveryChannel", &c.name, &[], e)
                        })?;
                    steps.push(format!(
                        "deleted the Config delivery channel {}, which hubfix created",
                        c.name
                    ));
                }
            }
            for change in &applied {
                if let ConfigChange::Recorder(r) = change {
                    match &before.recorder {
                        Some(old) => {
                            put_recorder(config, old).await?;
                            steps.push(format!(
                                "put back the recording group of the Config recorder {}",
                                old.name
                            ));
                        }
                        None => {
                            config
                                .delete_configuration_recorder()
                                .configuration_recorder_name(&r.name)
                                .send()
                                .await
                                .map_err(|e| {
                                    FixError::from_sdk(
                                        "config:DeleteConfigurationRecorder",
                                        &r.name,
                                        &[],
                                        e,
                                    )
                                })?;
                            steps.push(format!(
                                "deleted the Config recorder {}, which hubfix created",
                                r.name
                            ));
                        }
                    }
                }
            }
            Ok(steps)
        })
    }
}

const NO_RECORDER: &[&str] = &["NoSuchConfigurationRecorderException"];

/// The changes that make Config compliant.
fn plan(fix: Fix<'_>, before: &ConfigBefore) -> Result<Vec<Change>, FixError> {
    let mut changes = Vec::new();
    let recorder_name = before
        .recorder
        .as_ref()
        .map_or(CONFIG_NAME.to_owned(), |r| r.name.clone());
    match &before.recorder {
        Some(r) if r.all_supported && r.include_global => {}
        Some(r) => changes.push(Change::new(
            format!(
                "set the Config recorder {} to record all resource types, global ones included",
                r.name
            ),
            &ConfigChange::Recorder(RecorderState {
                all_supported: true,
                include_global: true,
                resource_types: Vec::new(),
                ..r.clone()
            }),
        )),
        None => {
            let role_arn = fix
                .settings
                .catalogue
                .config_role_arn
                .clone()
                .unwrap_or_else(|| {
                    format!(
                        "arn:{}:iam::{}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                        fix.target.partition, fix.target.account
                    )
                });
            changes.push(Change::new(
                format!("created the Config recorder {CONFIG_NAME} of all resource types"),
                &ConfigChange::Recorder(RecorderState {
                    name: CONFIG_NAME.to_owned(),
                    role_arn,
                    all_supported: true,
                    include_global: true,
                    resource_types: Vec::new(),
                }),
            ));
        }
    }
    if before.channel.is_none() {
        let bucket = fix.settings.catalogue.config_bucket.clone().ok_or_else(|| {
            FixError::Unconfigured(format!(
                "AWS Config has no delivery channel, and no bucket is configured for one (set {ENV_CONFIG_BUCKET})"
            ))
        })?;
        changes.push(Change::new(
            format!("created the Config delivery channel {CONFIG_NAME} to bucket {bucket}"),
            &ConfigChange::Channel(ChannelState {
                name: CONFIG_NAME.to_owned(),
                bucket,
            }),
        ));
    }
    if !before.recording {
        changes.push(Change::new(
            format!("started the Config recorder {recorder_name}"),
            &ConfigChange::Start(recorder_name),
        ));
    }
    Ok(changes)
}

async fn read(config: &aws_sdk_config::Client) -> Result<ConfigBefore, FixError> {
    let recorders = config
        .describe_configuration_recorders()
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("config:DescribeConfigurationRecorders", "recorders", &[], e)
        })?;
    let recorder = recorders.configuration_recorders().first().map(|r| {
        let group = r.recording_group();
        let mut resource_types: Vec<String> = group
            .map(|g| {
                g.resource_types()
                    .iter()
                    .map(|t| t.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        resource_types.sort();
        RecorderState {
            name: r.name().unwrap_or(CONFIG_NAME).to_owned(),
            role_arn: r.role_arn().unwrap_or_default().to_owned(),
            all_supported: group.is_some_and(|g| g.all_supported()),
            include_global: group.is_some_and(|g| g.include_global_resource_types()),
            resource_types,
        }
    });
    let recording = match &recorder {
        Some(r) => config
            .describe_configuration_recorder_status()
            .configuration_recorder_names(&r.name)
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "config:DescribeConfigurationRecorderStatus",
                    &r.name,
                    NO_RECORDER,
                    e,
                )
            })?
            .configuration_recorders_status()
            .iter()
            .any(|s| s.recording()),
        None => false,
    };
    let channels = config
        .describe_delivery_channels()
        .send()
        .await
        .map_err(|e| FixError::from_sdk("config:DescribeDeliveryChannels", "channels", &[], e))?;
    let channel = channels.delivery_channels().first().map(|c| ChannelState {
        name: c.name().unwrap_or(CONFIG_NAME).to_owned(),
        bucket: c.s3_bucket_name().unwrap_or_default().to_owned(),
    });
    Ok(ConfigBefore {
        recorder,
        recording,
        channel,
    })
}

async fn put_recorder(config: &aws_sdk_config::Client, r: &RecorderState) -> Result<(), FixError> {
    let mut group = RecordingGroup::builder()
        .all_supported(r.all_supported)
        .include_global_resource_types(r.include_global);
    for t in &r.resource_types {
        group = group.resource_types(aws_sdk_config::types::ResourceType::from(t.as_str()));
    }
    config
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name(&r.name)
                .role_arn(&r.role_arn)
                .recording_group(group.build())
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| FixError::from_sdk("config:PutConfigurationRecorder", &r.name, &[], e))
}
