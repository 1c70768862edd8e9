//! EC2.23: Transit Gateways do not accept shared VPC attachments by themselves.
//!
//! With auto-accept on, any account the gateway is shared with (through AWS RAM)
//! attaches its VPCs to the network without the network owner's say. The fix turns it
//! off: attachments that exist keep working, and new ones from other accounts wait for
//! the owner's `AcceptTransitGatewayVpcAttachment`.

use aws_sdk_ec2::types::{AutoAcceptSharedAttachmentsValue, ModifyTransitGatewayOptions};

use crate::error::FixError;
use crate::remediate::ec2::security_groups::ec2_tags;
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "EC2.23",
    title: "Amazon EC2 Transit Gateways should not automatically accept VPC attachment requests",
    resource_type: "AwsEc2TransitGateway",
    fix: "Turns off auto-accept of shared attachments on the Transit Gateway: attachments that exist keep working; new ones from other accounts wait for the owner to accept them. Undo turns it on again.",
    iam_actions: &["ec2:DescribeTransitGateways", "ec2:ModifyTransitGateway"],
    impact: Impact::Safe,
    remediation: &SingleSetting(AutoAcceptSharedAttachments),
}];

/// `EC2.23`: the gateway's `AutoAcceptSharedAttachments` option, wanted off.
#[derive(Debug)]
pub struct AutoAcceptSharedAttachments;

const NOT_FOUND: &[&str] = &["InvalidTransitGatewayID.NotFound"];

fn resource(fix: Fix<'_>) -> String {
    format!("Transit Gateway {}", fix.target.name)
}

impl Setting for AutoAcceptSharedAttachments {
    fn name(&self) -> &'static str {
        "AutoAcceptSharedAttachments"
    }

    fn label(&self) -> &'static str {
        "auto-accept of shared attachments"
    }

    fn wanted(&self) -> bool {
        false
    }

    fn read<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let out = fix
                .clients
                .ec2
                .describe_transit_gateways()
                .transit_gateway_ids(&fix.target.name)
                .send()
                .await
                .map_err(|e| {
                    FixError::from_sdk("ec2:DescribeTransitGateways", &resource(fix), NOT_FOUND, e)
                })?;
            let gateway = out
                .transit_gateways()
                .iter()
                .find(|g| g.transit_gateway_id() == Some(fix.target.name.as_str()))
                .filter(|g| !matches!(g.state().map(|s| s.as_str()), Some("deleted" | "deleting")))
                .ok_or_else(|| FixError::NotFound {
                    resource: resource(fix),
                    code: NOT_FOUND[0].into(),
                })?;
            let enabled = gateway
                .options()
                .and_then(|o| o.auto_accept_shared_attachments())
                == Some(&AutoAcceptSharedAttachmentsValue::Enable);
            Ok(SettingState {
                tags: with_tags.then(|| ec2_tags(gateway.tags())),
                resource: resource(fix),
                enabled,
                change: format!(
                    "turned off auto-accept of shared attachments on {}; new attachments from other accounts now wait for acceptance",
                    resource(fix)
                ),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let value = if enabled {
                AutoAcceptSharedAttachmentsValue::Enable
            } else {
                AutoAcceptSharedAttachmentsValue::Disable
            };
            fix.clients
                .ec2
                .modify_transit_gateway()
                .transit_gateway_id(&fix.target.name)
                .options(
                    ModifyTransitGatewayOptions::builder()
                        .auto_accept_shared_attachments(value)
                        .build(),
                )
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    FixError::from_sdk("ec2:ModifyTransitGateway", &resource(fix), NOT_FOUND, e)
                })
        })
    }
}
