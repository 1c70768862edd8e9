//! Elastic Load Balancing (v2): deletion protection (`ELB.6`) and HTTP listeners that
//! redirect to HTTPS (`ELB.1`).

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig, Listener,
    LoadBalancerAttribute, ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum,
    TargetGroupStickinessConfig, TargetGroupTuple,
};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::model::Plan;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

mod deletion_protection;
mod https_redirect;

pub use deletion_protection::*;
pub use https_redirect::*;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[deletion_protection::RULES, https_redirect::RULES];

const NOT_FOUND: &[&str] = &["LoadBalancerNotFound", "LoadBalancerNotFoundException"];
const LISTENER_NOT_FOUND: &[&str] = &["ListenerNotFound", "ListenerNotFoundException"];
const DELETION_PROTECTION: &str = "deletion_protection.enabled";

fn resource(fix: &Fix<'_>) -> String {
    let arn = &fix.target.name;
    let name = arn.rsplit('/').nth(1).unwrap_or(arn);
    format!("load balancer {name}")
}

async fn lb_tags(fix: Fix<'_>, with_tags: bool) -> Result<Option<Vec<(String, String)>>, FixError> {
    if !with_tags {
        return Ok(None);
    }
    let out = fix
        .clients
        .elbv2
        .describe_tags()
        .resource_arns(&fix.target.name)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk(
                "elasticloadbalancing:DescribeTags",
                &resource(&fix),
                NOT_FOUND,
                e,
            )
        })?;
    Ok(Some(
        out.tag_descriptions()
            .iter()
            .flat_map(|d| d.tags())
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_owned(),
                    t.value().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(port: i32, protocol: ProtocolEnum, action: Action) -> Listener {
        Listener::builder()
            .listener_arn(format!(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/1/{port}"
            ))
            .port(port)
            .protocol(protocol)
            .default_actions(action)
            .build()
    }

    fn forward() -> Action {
        Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .target_group_arn("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1")
            .forward_config(
                ForwardActionConfig::builder()
                    .target_groups(
                        TargetGroupTuple::builder()
                            .target_group_arn("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1")
                            .weight(1)
                            .build(),
                    )
                    .target_group_stickiness_config(
                        TargetGroupStickinessConfig::builder().enabled(false).build(),
                    )
                    .build(),
            )
            .build()
    }

    /// A plan test against a recorded `DescribeListeners` response of an ALB: AWS returns
    /// a simple forward with both `TargetGroupArn` and `ForwardConfig`, which must be put
    /// back exactly.
    #[test]
    fn recorded_response_forward_actions_round_trip() {
        let recorded = forward();
        let record = record_action(&recorded).unwrap();
        assert_eq!(action_of(&record), recorded);
        let plan = redirect_plan(
            "load balancer web",
            &[
                listener(80, ProtocolEnum::Http, recorded),
                listener(443, ProtocolEnum::Https, forward()),
            ],
        )
        .unwrap();
        assert_eq!(
            plan.describe(),
            "redirected HTTP listener 80 of load balancer web to HTTPS on port 443 (301)"
        );
        assert_eq!(plan.before.state["https_ports"][0], 443);
    }

    #[test]
    fn without_https_the_steps_are_manual_and_redirects_are_compliant() {
        let err = redirect_plan("lb", &[listener(80, ProtocolEnum::Http, forward())]).unwrap_err();
        assert!(matches!(err, FixError::Manual(ref s) if s.contains("no HTTPS listener")));
        let redirect = Action::builder()
            .r#type(ActionTypeEnum::Redirect)
            .redirect_config(
                RedirectActionConfig::builder()
                    .protocol("HTTPS")
                    .port("443")
                    .status_code(RedirectActionStatusCodeEnum::Http301)
                    .build(),
            )
            .build();
        let plan = redirect_plan("lb", &[listener(80, ProtocolEnum::Http, redirect)]).unwrap();
        assert!(plan.is_compliant());
    }
}
