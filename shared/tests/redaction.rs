//! Debug output of hubfix's configuration never shows the member role's external id:
//! a `{:?}` of the policy or of an engine (which holds it twice: in the policy and in
//! the AWS context) must be safe to log.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use hubfix::aws::AwsContext;
use hubfix::{Engine, Policy};

const EXTERNAL_ID: &str = "hubfix-external-id-RedactionCheck-5b1e";

fn policy() -> Policy {
    Policy::from_lookup(|name| match name {
        "HUBFIX_MEMBER_ROLE_NAME" => Some("hubfix-remediation".into()),
        "HUBFIX_MEMBER_ROLE_EXTERNAL_ID" => Some(EXTERNAL_ID.into()),
        _ => None,
    })
    .expect("a valid policy")
}

#[test]
fn debug_output_does_not_show_the_external_id() {
    let policy = policy();
    let role = policy.member_role.clone().expect("a member role");
    assert_eq!(role.external_id.as_deref(), Some(EXTERNAL_ID));
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .build();
    let aws = AwsContext::new(config).with_member_role(policy.member_role.clone());
    let engine = Engine::new(policy.clone(), aws);
    for (what, debug) in [
        ("MemberRole", format!("{role:?}")),
        ("Policy", format!("{policy:?}")),
        ("Policy (pretty)", format!("{policy:#?}")),
        ("Engine", format!("{engine:?}")),
    ] {
        assert!(
            !debug.contains(EXTERNAL_ID) && !debug.contains("RedactionCheck"),
            "{what}'s Debug shows the external id: {debug}"
        );
        assert!(debug.contains("hubfix-remediation"), "{what}: {debug}");
    }
}
