//! What AWS reports about an organisation's Security Hub, as plain data: `observe`
//! reads it, `plan` and `status` decide from it without calling AWS.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// An account in a region, or an account's global settings (`region` `None`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct Scope {
    /// The account.
    pub account: String,
    /// The region; `None` for what is global (Organizations).
    pub region: Option<String>,
}

impl Scope {
    /// An account in a region.
    pub fn regional(account: &str, region: &str) -> Scope {
        Scope {
            account: account.to_owned(),
            region: Some(region.to_owned()),
        }
    }

    /// An account's global settings.
    pub fn global(account: &str) -> Scope {
        Scope {
            account: account.to_owned(),
            region: None,
        }
    }

    /// The region, or `global`.
    pub fn region_label(&self) -> &str {
        self.region.as_deref().unwrap_or("global")
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.account, self.region_label())
    }
}

/// An account of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgAccount {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its e-mail address.
    pub email: String,
    /// `ACTIVE` (others, such as `SUSPENDED`, are left alone).
    pub status: String,
}

/// The tamper-protection policy as Organizations holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRead {
    /// Its id (`p-...`).
    pub id: String,
    /// Its document.
    pub content: String,
    /// Where it is attached (root, OU and account ids).
    pub targets: BTreeSet<String>,
}

/// What the management account reports about the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// The organisation id.
    pub id: String,
    /// The management account.
    pub management_account: String,
    /// The root id (`r-...`).
    pub root_id: String,
    /// Every account.
    pub accounts: Vec<OrgAccount>,
    /// Security Hub's trusted access is enabled.
    pub trusted_access: bool,
    /// Accounts registered as delegated administrators of Security Hub.
    pub delegated_admins: Vec<String>,
    /// Service control policies are enabled on the root.
    pub scp_enabled: bool,
    /// The tamper-protection policy, found by name.
    pub tamper_policy: Option<PolicyRead>,
    /// Parent OUs of each account (nearest first), for where a policy applies.
    pub parents: BTreeMap<String, Vec<String>>,
}

impl Organization {
    /// Whether `account` belongs to the organisation.
    pub fn has(&self, account: &str) -> bool {
        self.accounts.iter().any(|a| a.id == account)
    }
}

/// The organisation configuration the administrator reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgConfig {
    /// New accounts are enrolled automatically.
    pub auto_enable: bool,
    /// `DEFAULT` or `NONE`.
    pub auto_enable_standards: String,
    /// `LOCAL` or `CENTRAL`.
    pub configuration_type: String,
}

/// The finding aggregator of the administrator's aggregation region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AggregatorRead {
    /// Its ARN.
    pub arn: String,
    /// `RegionLinkingMode`.
    pub linking_mode: String,
    /// Its regions, sorted.
    pub regions: Vec<String>,
}

/// hubfix's central configuration policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyConfig {
    /// Its id.
    pub id: String,
    /// Security Hub is enabled by it.
    pub service_enabled: bool,
    /// The standards it enables (ARNs), sorted.
    pub standards: Vec<String>,
    /// It is associated with the organisation's root.
    pub associated_with_root: bool,
}

/// What the management account and the administrator report in one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegionState {
    /// Security Hub administrators designated here (`ListOrganizationAdminAccounts`):
    /// (account, status).
    pub admin_accounts: Vec<(String, String)>,
    /// The organisation configuration, when the administrator can read it.
    pub org_config: Option<OrgConfig>,
    /// The administrator's members here: account to `MemberStatus`.
    pub members: BTreeMap<String, String>,
    /// The administrator's aggregator, when this is its region.
    pub aggregator: Option<AggregatorRead>,
    /// hubfix's central configuration policy, when there is one.
    pub policy: Option<PolicyConfig>,
    /// What could not be read (`None`: all of it was).
    pub error: Option<String>,
}

/// Whether and how an account records configuration in a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Recording {
    /// No recorder.
    NoRecorder,
    /// A recorder that is stopped.
    Stopped {
        /// It would record every supported resource type.
        all_resources: bool,
    },
    /// Recording.
    Recording {
        /// Every supported resource type.
        all_resources: bool,
    },
}

impl Recording {
    /// Recording every supported resource type, as Security Hub's checks need.
    pub fn is_complete(&self) -> bool {
        matches!(
            self,
            Recording::Recording {
                all_resources: true
            }
        )
    }

    /// A word for tables.
    pub fn label(&self) -> &'static str {
        match self {
            Recording::NoRecorder => "none",
            Recording::Stopped { .. } => "stopped",
            Recording::Recording {
                all_resources: true,
            } => "all",
            Recording::Recording {
                all_resources: false,
            } => "partial",
        }
    }
}

/// One account's hub in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubRead {
    /// Security Hub is enabled.
    pub enabled: bool,
    /// `ControlFindingGenerator` is `SECURITY_CONTROL`.
    pub consolidated: bool,
    /// `AutoEnableControls`.
    pub auto_enable_controls: bool,
    /// Enabled standards: standard ARN to subscription ARN.
    pub standards: BTreeMap<String, String>,
    /// Product integrations enabled for import (`<company>/<product>`).
    pub products: BTreeSet<String>,
    /// The administrator the account is associated with, and the status.
    pub administrator: Option<(String, String)>,
    /// Pending invitations: (administrator account, invitation id).
    pub invitations: Vec<(String, String)>,
    /// AWS Config recording, when it was read.
    pub recording: Option<Recording>,
}

impl HubRead {
    /// A hub that is off.
    pub fn off() -> HubRead {
        HubRead {
            enabled: false,
            consolidated: false,
            auto_enable_controls: false,
            standards: BTreeMap::new(),
            products: BTreeSet::new(),
            administrator: None,
            invitations: Vec::new(),
            recording: None,
        }
    }
}

/// Everything `observe` read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// The organisation, as the management account sees it.
    pub organization: Option<Organization>,
    /// Why the organisation could not be read.
    pub organization_error: Option<String>,
    /// Per hub region.
    pub regions: BTreeMap<String, RegionState>,
    /// Per account and region: the hub, or why it could not be read.
    pub hubs: BTreeMap<Scope, Result<HubRead, String>>,
}
