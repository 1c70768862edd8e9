//! Set-ups shared by the integration tests: resources made in the emulator the way a
//! misconfigured account holds them, each by one small function that returns what a
//! test needs (names, ids, ARNs). The undo round trip (`tests/integration/round_trip.rs`)
//! seeds every reversible rule from here; the catalogue tests start from the same seeds.

pub mod compute;
pub mod data;
pub mod ec2;
pub mod edge;
pub mod iam;
pub mod logging;
pub mod policies;
pub mod s3;
pub mod threat;

use crate::{ACCOUNT, REGION};

/// The test account as a finding's `AwsAccount` resource names it
/// (`AWS::::Account:<id>`, Security Hub's `Resources[].Id`).
pub fn account() -> String {
    format!("AWS::::Account:{ACCOUNT}")
}

/// The ARN of an EC2 resource of the test account (`kind`: `instance`,
/// `security-group`, `vpc`, `subnet`, `network-acl`, ...).
pub fn ec2_arn(kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{id}")
}

/// The ARN of an IAM user of the test account.
pub fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

/// The sample event of a control in `events/`: `S3.8` is `s3-8-imported.json`,
/// `CIS.2.1.3` is `cis-2-1-3-imported.json`.
pub fn control_event(control_id: &str) -> String {
    format!(
        "{}-imported.json",
        control_id.to_lowercase().replace('.', "-")
    )
}

#[cfg(test)]
mod tests {
    use super::control_event;

    #[test]
    fn control_events_are_named_after_the_control() {
        assert_eq!(control_event("S3.8"), "s3-8-imported.json");
        assert_eq!(control_event("CIS.2.1.3"), "cis-2-1-3-imported.json");
        assert_eq!(
            control_event("SecretsManager.1"),
            "secretsmanager-1-imported.json"
        );
    }
}
