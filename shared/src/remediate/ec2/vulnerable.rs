//! The `ContainVulnerableInstance` playbook: Inspector reports a critical vulnerability
//! on an instance; when the vulnerability has a known exploit and the instance a public
//! address, the instance is contained as [`ContainInstance`] contains a compromised one
//! (on the automatic path only then; an analyst can run it on any). A note that holds
//! it back names the package and the version that fixes it.

use std::net::Ipv4Addr;

use crate::finding::{Finding, SeverityLabel};
use crate::remediate::ec2::contain::{ContainInstance, IAM_ACTIONS};
use crate::remediate::playbook::{inspector, FindingType, Playbook};
use crate::remediate::{Impact, Rule};

/// The playbook's id.
pub const PLAYBOOK_CONTAIN_VULNERABLE_INSTANCE: &str = "ContainVulnerableInstance";

/// Inspector's package vulnerability findings (`.../Vulnerabilities/CVE`).
const PACKAGE_VULNERABILITY: &[FindingType] = &[inspector("CVE")];

/// The playbook.
pub(crate) static PLAYBOOKS: &[Playbook] = &[Playbook {
    rule: Rule {
        control_id: PLAYBOOK_CONTAIN_VULNERABLE_INSTANCE,
        title: "Contain an instance with a critical, exploitable vulnerability reachable from the internet",
        resource_type: "AwsEc2Instance",
        fix: "Contains the instance as ContainInstance does, automatically only when the vulnerability has a known exploit and the instance a public IPv4 address; a note that holds it back names the package and the version that fixes it.",
        iam_actions: IAM_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &ContainInstance,
    },
    finding_types: PACKAGE_VULNERABILITY,
    min_severity: SeverityLabel::Critical,
    action: None,
    automatic_when: Some(exploitable_and_exposed),
}];

/// Whether Inspector's finding is open, its vulnerability exploitable and the instance
/// reachable from the internet (a public IPv4 address in the finding's details).
pub fn exploitable_and_exposed(f: &Finding) -> Result<(), String> {
    if let Some(status) = f
        .product_fields
        .get("aws/inspector/FindingStatus")
        .filter(|s| *s != "ACTIVE")
    {
        return Err(format!("Inspector reports it {status}"));
    }
    let exploitable = f.vulnerabilities.iter().any(|v| {
        v.exploit_available
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("YES"))
    });
    if !exploitable {
        return Err("no exploit is known for it (ExploitAvailable is not YES)".into());
    }
    if !f.resources.iter().any(has_public_ipv4) {
        return Err("the instance has no public IPv4 address in the finding".into());
    }
    Ok(())
}

/// Whether an instance resource lists a public IPv4 address.
fn has_public_ipv4(resource: &crate::finding::Resource) -> bool {
    resource
        .details
        .as_ref()
        .and_then(|d| d.get("AwsEc2Instance"))
        .and_then(|d| d.get("IpV4Addresses"))
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str()?.parse::<Ipv4Addr>().ok())
        .any(is_public)
}

/// Whether an address is routable on the internet.
fn is_public(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || shared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding(exploit: Option<&str>, ips: &[&str], status: &str) -> Finding {
        let mut vulnerability = json!({"Id": "CVE-2022-3643", "VulnerablePackages": [
            {"Name": "kernel", "Version": "5.10.144", "FixedInVersion": "0:5.10.162-141.675.amzn2", "Remediation": "yum update kernel"}]});
        if let Some(e) = exploit {
            vulnerability["ExploitAvailable"] = json!(e);
        }
        serde_json::from_value(json!({
            "Id": "f", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/inspector",
            "ProductFields": {"aws/inspector/FindingStatus": status},
            "Vulnerabilities": [vulnerability],
            "Resources": [{"Type": "AwsEc2Instance", "Id": "i-0abc", "Details": {"AwsEc2Instance": {"IpV4Addresses": ips}}}]
        }))
        .unwrap()
    }

    #[test]
    fn only_an_open_exploitable_vulnerability_on_a_public_instance_is_automatic() {
        assert!(exploitable_and_exposed(&finding(
            Some("YES"),
            &["10.0.0.5", "54.80.1.2"],
            "ACTIVE"
        ))
        .is_ok());
        let no_exploit = exploitable_and_exposed(&finding(Some("NO"), &["54.80.1.2"], "ACTIVE"));
        assert!(no_exploit.unwrap_err().contains("no exploit"));
        assert!(
            exploitable_and_exposed(&finding(None, &["54.80.1.2"], "ACTIVE")).is_err(),
            "unknown is not yes"
        );
        let private = exploitable_and_exposed(&finding(
            Some("YES"),
            &["10.0.0.5", "100.64.1.1", "192.0.2.7"],
            "ACTIVE",
        ));
        assert!(private.unwrap_err().contains("no public IPv4"));
        let closed = exploitable_and_exposed(&finding(Some("YES"), &["54.80.1.2"], "CLOSED"));
        assert!(closed.unwrap_err().contains("CLOSED"));
    }
}
