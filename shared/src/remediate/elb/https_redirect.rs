//! ELB.1.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "ELB.1",
        title: "Application Load Balancer should be configured to redirect all HTTP requests to HTTPS",
        resource_type: "AwsElbv2LoadBalancer",
        fix: "Sets each HTTP listener's default action to a permanent redirect to the load balancer's HTTPS listener; without an HTTPS listener, the note gives the steps.",
        iam_actions: &[
            "elasticloadbalancing:DescribeTags",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:ModifyListener",
        ],
        impact: Impact::Disruptive,
        remediation: &HttpsRedirect,
    },
];

/// `ELB.1`: every HTTP listener of an Application Load Balancer answers with a permanent
/// redirect to its HTTPS listener (port 443 when it has one there). A load balancer with
/// no HTTPS listener is left as it is, with the steps in the note.
#[derive(Debug)]
pub struct HttpsRedirect;

/// A listener action as recorded, enough to put it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    /// `forward`, `redirect` or `fixed-response`.
    pub kind: String,
    /// The action's order.
    pub order: Option<i32>,
    /// The target group of a simple forward.
    pub target_group_arn: Option<String>,
    /// Weighted target groups `(arn, weight)` of a forward.
    pub forward_to: Option<Vec<(Option<String>, Option<i32>)>>,
    /// Stickiness of a forward: `(enabled, duration seconds)`.
    pub stickiness: Option<(Option<bool>, Option<i32>)>,
    /// A redirect: protocol, port, host, path, query, status code.
    pub redirect: Option<[Option<String>; 6]>,
    /// A fixed response: status code, content type, body.
    pub fixed_response: Option<[Option<String>; 3]>,
}

/// An HTTP listener as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerRecord {
    /// The listener's ARN.
    pub arn: String,
    /// Its port.
    pub port: i32,
    /// Its default actions.
    pub default_actions: Vec<ActionRecord>,
}

/// The before-state of `ELB.1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenersBefore {
    /// The HTTP listeners, by port.
    pub http: Vec<ListenerRecord>,
    /// The ports of the HTTPS listeners.
    pub https_ports: Vec<i32>,
}

/// The change for one listener: redirect to HTTPS on `port`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// The listener.
    pub listener: String,
    /// The HTTPS port.
    pub port: i32,
}

/// An action as recorded, or `None` for kinds an HTTP listener cannot hold back.
pub fn record_action(a: &Action) -> Option<ActionRecord> {
    let kind = a.r#type()?.as_str().to_owned();
    if !["forward", "redirect", "fixed-response"].contains(&kind.as_str()) {
        return None;
    }
    Some(ActionRecord {
        kind,
        order: a.order(),
        target_group_arn: a.target_group_arn().map(str::to_owned),
        forward_to: a.forward_config().map(|f| {
            f.target_groups()
                .iter()
                .map(|t| (t.target_group_arn().map(str::to_owned), t.weight()))
                .collect()
        }),
        stickiness: a
            .forward_config()
            .and_then(|f| f.target_group_stickiness_config())
            .map(|s| (s.enabled(), s.duration_seconds())),
        redirect: a.redirect_config().map(|r| {
            [
                r.protocol().map(str::to_owned),
                r.port().map(str::to_owned),
                r.host().map(str::to_owned),
                r.path().map(str::to_owned),
                r.query().map(str::to_owned),
                r.status_code().map(|s| s.as_str().to_owned()),
            ]
        }),
        fixed_response: a.fixed_response_config().map(|f| {
            [
                f.status_code().map(str::to_owned),
                f.content_type().map(str::to_owned),
                f.message_body().map(str::to_owned),
            ]
        }),
    })
}

/// The SDK action of a record.
pub fn action_of(r: &ActionRecord) -> Action {
    let forward = r.forward_to.as_ref().map(|groups| {
        ForwardActionConfig::builder()
            .set_target_groups(Some(
                groups
                    .iter()
                    .map(|(arn, weight)| {
                        TargetGroupTuple::builder()
                            .set_target_group_arn(arn.clone())
                            .set_weight(*weight)
                            .build()
                    })
                    .collect(),
            ))
            .set_target_group_stickiness_config(r.stickiness.map(|(enabled, duration)| {
                TargetGroupStickinessConfig::builder()
                    .set_enabled(enabled)
                    .set_duration_seconds(duration)
                    .build()
            }))
            .build()
    });
    let redirect = r
        .redirect
        .as_ref()
        .map(|[protocol, port, host, path, query, status]| {
            RedirectActionConfig::builder()
                .set_protocol(protocol.clone())
                .set_port(port.clone())
                .set_host(host.clone())
                .set_path(path.clone())
                .set_query(query.clone())
                .set_status_code(status.as_deref().map(RedirectActionStatusCodeEnum::from))
                .build()
        });
    let fixed = r
        .fixed_response
        .as_ref()
        .map(|[status, content_type, body]| {
            FixedResponseActionConfig::builder()
                .set_status_code(status.clone())
                .set_content_type(content_type.clone())
                .set_message_body(body.clone())
                .build()
        });
    Action::builder()
        .r#type(ActionTypeEnum::from(r.kind.as_str()))
        .set_order(r.order)
        .set_target_group_arn(r.target_group_arn.clone())
        .set_forward_config(forward)
        .set_redirect_config(redirect)
        .set_fixed_response_config(fixed)
        .build()
}

fn redirects_to_https(actions: &[ActionRecord]) -> bool {
    actions.iter().any(|a| {
        a.kind == "redirect"
            && a.redirect
                .as_ref()
                .and_then(|r| r[0].as_deref())
                .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
    })
}

/// The plan for `ELB.1` over a load balancer's listeners.
pub fn redirect_plan(lb: &str, listeners: &[Listener]) -> Result<Plan, FixError> {
    let mut http = Vec::new();
    let mut https_ports = Vec::new();
    for l in listeners {
        match l.protocol() {
            Some(ProtocolEnum::Https) => https_ports.push(l.port().unwrap_or(443)),
            Some(ProtocolEnum::Http) => {
                let arn = l.listener_arn().unwrap_or_default().to_owned();
                let default_actions = l
                    .default_actions()
                    .iter()
                    .map(|a| record_action(a).ok_or(a))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|a| {
                        FixError::Manual(format!(
                            "HTTP listener {arn} of {lb} has a {} action hubfix cannot put back: set its default action to a redirect to HTTPS by hand.",
                            a.r#type().map(|t| t.as_str()).unwrap_or("unknown")
                        ))
                    })?;
                http.push(ListenerRecord {
                    arn,
                    port: l.port().unwrap_or(80),
                    default_actions,
                });
            }
            _ => {}
        }
    }
    http.sort_by(|a, b| (a.port, &a.arn).cmp(&(b.port, &b.arn)));
    https_ports.sort_unstable();
    let open: Vec<&ListenerRecord> = http
        .iter()
        .filter(|l| !redirects_to_https(&l.default_actions))
        .collect();
    let target = if https_ports.contains(&443) {
        Some(443)
    } else {
        https_ports.first().copied()
    };
    let changes = match (open.is_empty(), target) {
        (true, _) => Vec::new(),
        (false, None) => {
            return Err(FixError::Manual(format!(
                "{lb} has no HTTPS listener to redirect HTTP to: add one with a certificate (AWS Certificate Manager), then set each HTTP listener's default action to a redirect to HTTPS (or run Remediate again)."
            )))
        }
        (false, Some(port)) => open
            .iter()
            .map(|l| {
                Change::new(
                    format!(
                        "redirected HTTP listener {} of {lb} to HTTPS on port {port} (301)",
                        l.port
                    ),
                    &Redirect {
                        listener: l.arn.clone(),
                        port,
                    },
                )
            })
            .collect(),
    };
    Ok(Plan {
        before: BeforeState::new(lb.to_owned(), &ListenersBefore { http, https_ports }),
        changes,
    })
}

async fn listeners(fix: Fix<'_>) -> Result<Vec<Listener>, FixError> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = fix
            .clients
            .elbv2
            .describe_listeners()
            .load_balancer_arn(&fix.target.name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| {
                FixError::from_sdk(
                    "elasticloadbalancing:DescribeListeners",
                    &resource(&fix),
                    NOT_FOUND,
                    e,
                )
            })?;
        all.extend(out.listeners().iter().cloned());
        match out.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_owned()),
            _ => return Ok(all),
        }
    }
}

async fn set_default_actions(
    fix: Fix<'_>,
    listener: &str,
    actions: Vec<Action>,
) -> Result<(), FixError> {
    fix.clients
        .elbv2
        .modify_listener()
        .listener_arn(listener)
        .set_default_actions(Some(actions))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            FixError::from_sdk(
                "elasticloadbalancing:ModifyListener",
                &format!("listener {listener} of {}", resource(&fix)),
                LISTENER_NOT_FOUND,
                e,
            )
        })
}

impl Remediation for HttpsRedirect {
    fn inspect<'a>(&'a self, fix: Fix<'a>, with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let tags = lb_tags(fix, with_tags).await?;
            let listeners = listeners(fix).await?;
            Ok(Inspection {
                tags,
                plan: redirect_plan(&resource(&fix), &listeners)?,
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let Redirect { listener, port } = change.detail()?;
            let redirect = Action::builder()
                .r#type(ActionTypeEnum::Redirect)
                .redirect_config(
                    RedirectActionConfig::builder()
                        .protocol("HTTPS")
                        .port(port.to_string())
                        .status_code(RedirectActionStatusCodeEnum::Http301)
                        .build(),
                )
                .build();
            set_default_actions(fix, &listener, vec![redirect]).await
        })
    }

    fn undo<'a>(
        &'a self,
        fix: Fix<'a>,
        before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let recorded: ListenersBefore = before.recorded()?;
            let mut steps = Vec::new();
            for change in changes {
                let Redirect { listener, .. } = change.detail()?;
                let was = recorded
                    .http
                    .iter()
                    .find(|l| l.arn == listener)
                    .ok_or_else(|| {
                        FixError::Target(format!(
                            "the recorded before-state of {} has no listener {listener}",
                            before.resource
                        ))
                    })?;
                let actions = was.default_actions.iter().map(action_of).collect();
                set_default_actions(fix, &listener, actions).await?;
                steps.push(format!(
                    "put the default actions of HTTP listener {} of {} back",
                    was.port, before.resource
                ));
            }
            Ok(steps)
        })
    }
}
