//! The remediation model: the resource a rule acts on ([`Target`]), what it changes
//! ([`Change`], [`Plan`]) and what the resource was before ([`BeforeState`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FixError;

/// The resource a rule acts on, resolved from a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The account the resource lives in.
    pub account: String,
    /// The region the resource lives in.
    pub region: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`, ...).
    pub partition: String,
    /// The resource's id in the finding (usually its ARN).
    pub resource_id: String,
    /// The name the API needs: bucket name, security group id, account id.
    pub name: String,
    /// How many resources of the rule's type the finding named (hubfix acts on the first).
    pub candidates: usize,
    /// The id of the finding that asked for the fix, when a finding did (threat
    /// playbooks tag what they contain with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_id: Option<String>,
    /// The principal the finding names beside the resource, when the rule acts on it
    /// (the external principal of an IAM Access Analyzer finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

/// One change of a plan: a description for notes and logs, and the remediation's own
/// record of what to do (serialisable, so plans can be shown, logged and audited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// e.g. `revoked tcp 22 from 0.0.0.0/0`.
    pub description: String,
    /// The remediation's record of the change.
    pub detail: Value,
}

impl Change {
    /// A change with its description and the remediation's record of it.
    pub fn new(description: impl Into<String>, detail: &impl Serialize) -> Self {
        Change {
            description: description.into(),
            detail: serde_json::to_value(detail).unwrap_or(Value::Null),
        }
    }

    /// The remediation's record, read back as its own type.
    pub fn detail<T: DeserializeOwned>(&self) -> Result<T, FixError> {
        serde_json::from_value(self.detail.clone()).map_err(|e| {
            FixError::Target(format!(
                "the plan for `{}` is unreadable: {e}",
                self.description
            ))
        })
    }
}

/// What the resource looked like before hubfix changed it: enough to undo the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeforeState {
    /// The resource.
    pub resource: String,
    /// The remediation's record of the state (e.g. a Block Public Access configuration).
    pub state: Value,
}

impl BeforeState {
    /// The before-state of `resource`.
    pub fn new(resource: impl Into<String>, state: &impl Serialize) -> Self {
        BeforeState {
            resource: resource.into(),
            state: serde_json::to_value(state).unwrap_or(Value::Null),
        }
    }

    /// The state read back as the remediation's own type.
    pub fn state_as<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_value(self.state.clone()).ok()
    }

    /// The state read back as the remediation's own type, or an error saying the
    /// recorded before-state cannot be used to undo the fix.
    pub fn recorded<T: DeserializeOwned>(&self) -> Result<T, FixError> {
        serde_json::from_value(self.state.clone()).map_err(|e| {
            FixError::Target(format!(
                "the recorded before-state of {} is unreadable: {e}",
                self.resource
            ))
        })
    }
}

/// The current state of a resource and what it takes to make it compliant.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// State before any change.
    pub before: BeforeState,
    /// The changes; empty when the resource is already compliant.
    pub changes: Vec<Change>,
}

impl Plan {
    /// Whether the resource already satisfies the control.
    pub fn is_compliant(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes, described and joined for a note.
    pub fn describe(&self) -> String {
        self.changes
            .iter()
            .map(|c| c.description.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}
