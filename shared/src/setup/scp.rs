//! The tamper-protection service control policy of seed 002: nobody in an account the
//! policy is attached to can switch off what the setup file turns on (Security Hub,
//! its standards and controls, the administrator relationship, the aggregator, product
//! integrations, the Config recorder), except the exempt break-glass roles.
//!
//! The policy is generated from the setup file, so it denies exactly what the file
//! manages: no aggregator in the file, no aggregator statement. Service control
//! policies never apply to the management account, and allow nothing by themselves.

use serde_json::{json, Value};

/// The most characters AWS Organizations takes in a service control policy.
pub const MAX_SCP_CHARS: usize = 5_120;

/// What the file manages, and so what the policy protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// Standards are enabled by the file (disabling standards and controls is denied).
    pub standards: bool,
    /// The file has an aggregator.
    pub aggregator: bool,
    /// The file enables product integrations.
    pub products: bool,
    /// The file requires AWS Config recording.
    pub config_recording: bool,
}

/// The policy's statements: (Sid, denied actions).
fn statements(p: &Protected) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out = vec![
        (
            "HubfixKeepSecurityHubOn",
            vec!["securityhub:DisableSecurityHub"],
        ),
        (
            "HubfixKeepTheAdministrator",
            vec![
                "securityhub:DisassociateFromAdministratorAccount",
                "securityhub:DisassociateFromMasterAccount",
                "securityhub:DisassociateMembers",
                "securityhub:DeleteMembers",
            ],
        ),
    ];
    if p.standards {
        out.push((
            "HubfixKeepStandardsAndControls",
            vec![
                "securityhub:BatchDisableStandards",
                "securityhub:UpdateStandardsControl",
                "securityhub:BatchUpdateStandardsControlAssociations",
            ],
        ));
    }
    if p.aggregator {
        out.push((
            "HubfixKeepTheAggregator",
            vec![
                "securityhub:DeleteFindingAggregator",
                "securityhub:UpdateFindingAggregator",
            ],
        ));
    }
    if p.products {
        out.push((
            "HubfixKeepProductIntegrations",
            vec!["securityhub:DisableImportFindingsForProduct"],
        ));
    }
    if p.config_recording {
        out.push((
            "HubfixKeepConfigRecording",
            vec![
                "config:StopConfigurationRecorder",
                "config:DeleteConfigurationRecorder",
                "config:DeleteDeliveryChannel",
            ],
        ));
    }
    out
}

/// Every action the policy denies, for documentation and checks.
pub fn denied_actions(p: &Protected) -> Vec<&'static str> {
    statements(p).into_iter().flat_map(|(_, a)| a).collect()
}

/// The principal ARN pattern of an exempt role: a role name becomes that role in any
/// account of the partition; an ARN pattern is kept as it is.
pub fn exempt_pattern(role: &str, partition: &str) -> String {
    if role.starts_with("arn:") {
        role.to_owned()
    } else {
        format!("arn:{partition}:iam::*:role/{role}")
    }
}

/// The policy document, compact (Organizations counts every character), or why it
/// cannot be made.
pub fn policy(p: &Protected, exempt_roles: &[String], partition: &str) -> Result<String, String> {
    let exempt: Vec<String> = exempt_roles
        .iter()
        .map(|r| exempt_pattern(r, partition))
        .collect();
    let statements: Vec<Value> = statements(p)
        .into_iter()
        .map(|(sid, actions)| {
            let mut s = json!({
                "Sid": sid,
                "Effect": "Deny",
                "Action": actions,
                "Resource": "*",
            });
            if !exempt.is_empty() {
                s["Condition"] = json!({ "ArnNotLike": { "aws:PrincipalARN": exempt } });
            }
            s
        })
        .collect();
    let document = json!({ "Version": "2012-10-17", "Statement": statements }).to_string();
    if document.chars().count() > MAX_SCP_CHARS {
        return Err(format!(
            "the tamper-protection policy would be {} characters, more than the {MAX_SCP_CHARS} AWS Organizations allows: exempt fewer roles",
            document.chars().count()
        ));
    }
    Ok(document)
}

/// Whether two policy documents say the same (whitespace and key order aside).
pub fn same_document(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn everything() -> Protected {
        Protected {
            standards: true,
            aggregator: true,
            products: true,
            config_recording: true,
        }
    }

    #[test]
    fn the_policy_denies_switching_off_with_break_glass_exempt() {
        let doc = policy(&everything(), &["hubfix-break-glass".into()], "aws").unwrap();
        let v: Value = serde_json::from_str(&doc).unwrap();
        let statements = v["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 6);
        for s in statements {
            assert_eq!(s["Effect"], "Deny");
            assert_eq!(s["Resource"], "*");
            assert_eq!(
                s["Condition"]["ArnNotLike"]["aws:PrincipalARN"][0],
                "arn:aws:iam::*:role/hubfix-break-glass"
            );
        }
        let actions = denied_actions(&everything());
        for a in [
            "securityhub:DisableSecurityHub",
            "securityhub:BatchDisableStandards",
            "securityhub:DisassociateFromAdministratorAccount",
            "securityhub:DeleteFindingAggregator",
            "config:StopConfigurationRecorder",
        ] {
            assert!(actions.contains(&a), "{a}");
            assert!(doc.contains(a));
        }
        assert!(!doc.contains(' '), "compact: {doc}");
    }

    #[test]
    fn the_policy_follows_the_file() {
        let little = Protected {
            standards: false,
            aggregator: false,
            products: false,
            config_recording: false,
        };
        let doc = policy(&little, &[], "aws-us-gov").unwrap();
        assert!(!doc.contains("Aggregator") && !doc.contains("config:"));
        assert!(!doc.contains("Condition"), "nothing exempt: no condition");
        let arn = "arn:aws-us-gov:iam::111122223333:role/ops/BreakGlass";
        let doc = policy(&little, &[arn.into(), "x".into()], "aws-us-gov").unwrap();
        assert!(doc.contains(arn) && doc.contains("arn:aws-us-gov:iam::*:role/x"));
    }

    #[test]
    fn an_oversized_policy_is_refused() {
        let roles: Vec<String> = (0..200).map(|i| format!("break-glass-role-{i}")).collect();
        let err = policy(&everything(), &roles, "aws").unwrap_err();
        assert!(err.contains("5120"), "{err}");
    }

    #[test]
    fn documents_compare_by_content() {
        assert!(same_document("{\"a\": [1, 2]}", "{\"a\":[1,2]}"));
        assert!(!same_document("{\"a\":[1]}", "{\"a\":[2]}"));
    }
}
