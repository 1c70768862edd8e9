//! The plan: what would bring what AWS reports ([`Observed`]) to what the setup file
//! declares ([`Foundation`]), as plain data, in the order it must be applied. Nothing
//! here calls AWS, so every decision is unit-tested.
//!
//! Order matters: the administrator is designated before it can configure anything;
//! hubs are on before members are added; members are added before their standards are
//! set; the tamper-protection policy comes last, so that it never stands in the way of
//! the setup itself.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::catalogue::Standard;
use super::file::{ConfigurationMode, Foundation};
use super::members_csv::InvitedAccount;
use super::scp::{self, Protected};
use super::state::{HubRead, Observed, Organization, RegionState, Scope};

/// The name of hubfix's central configuration policy.
pub const CONFIGURATION_POLICY_NAME: &str = "hubfix-foundation";
/// The standards Security Hub enables in an account it enables itself (an
/// organisation account added by `CreateMembers`, or `EnableSecurityHub` with its
/// defaults).
pub const DEFAULT_STANDARDS: &[&str] = &["fsbp", "cis-1.2"];
/// Trusted access of Security Hub in Organizations.
pub const SECURITY_HUB_PRINCIPAL: &str = "securityhub.amazonaws.com";

/// The part of the foundation a step belongs to, in the order they are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The management account designates the administrator.
    Organization,
    /// The administrator's and the management account's hubs, the organisation
    /// configuration, the aggregator.
    Administrator,
    /// Members added, invited, invitations accepted.
    Members,
    /// Each account's standards, products and Config recording.
    Accounts,
    /// The tamper-protection policy.
    TamperProtection,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 5] = [
        Phase::Organization,
        Phase::Administrator,
        Phase::Members,
        Phase::Accounts,
        Phase::TamperProtection,
    ];
}

/// One change, with what the API call needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// Organizations `EnableAWSServiceAccess` for Security Hub.
    EnableTrustedAccess,
    /// Security Hub `EnableOrganizationAdminAccount` (which registers the delegated
    /// administrator in Organizations).
    DesignateAdministrator {
        /// The administrator.
        administrator: String,
    },
    /// `EnableSecurityHub`, without its default standards (the plan sets standards).
    EnableHub {
        /// Consolidated control findings.
        consolidated: bool,
    },
    /// `UpdateSecurityHubConfiguration`.
    ConfigureHub {
        /// Consolidated control findings.
        consolidated: bool,
        /// New controls enabled automatically.
        auto_enable_controls: bool,
    },
    /// `BatchEnableStandards`.
    EnableStandards {
        /// Standard ARNs.
        standards: Vec<String>,
    },
    /// `BatchDisableStandards`.
    DisableStandards {
        /// Subscription ARNs.
        subscriptions: Vec<String>,
    },
    /// `EnableImportFindingsForProduct`, one call per product.
    EnableProducts {
        /// Product ARNs.
        products: Vec<String>,
    },
    /// `UpdateOrganizationConfiguration`.
    ConfigureOrganization {
        /// New accounts enrolled automatically.
        auto_enable: bool,
        /// `DEFAULT` or `NONE`.
        auto_enable_standards: String,
        /// `LOCAL` or `CENTRAL`.
        configuration_type: String,
    },
    /// `CreateConfigurationPolicy` or `UpdateConfigurationPolicy`.
    PutConfigurationPolicy {
        /// The policy to update; `None`: create it.
        policy_id: Option<String>,
        /// Standard ARNs it enables.
        standards: Vec<String>,
    },
    /// `StartConfigurationPolicyAssociation` with the root.
    AssociatePolicyWithRoot {
        /// The root id.
        root_id: String,
    },
    /// `CreateFindingAggregator`.
    CreateAggregator {
        /// `RegionLinkingMode`.
        linking_mode: String,
        /// Regions.
        regions: Vec<String>,
    },
    /// `UpdateFindingAggregator`.
    UpdateAggregator {
        /// The aggregator.
        arn: String,
        /// `RegionLinkingMode`.
        linking_mode: String,
        /// Regions.
        regions: Vec<String>,
    },
    /// `CreateMembers`.
    AddMembers {
        /// The accounts (the e-mail address only for invited ones).
        accounts: Vec<InvitedAccount>,
    },
    /// `InviteMembers`.
    InviteMembers {
        /// The accounts.
        accounts: Vec<String>,
    },
    /// `AcceptAdministratorInvitation` in the member, through its role.
    AcceptInvitation {
        /// The administrator whose invitation to accept.
        administrator: String,
    },
    /// hubfix's `Config.1` fix: record every resource type and start recording.
    StartConfigRecording,
    /// Organizations `EnablePolicyType` `SERVICE_CONTROL_POLICY` on the root.
    EnableServiceControlPolicies {
        /// The root id.
        root_id: String,
    },
    /// Organizations `CreatePolicy` or `UpdatePolicy`.
    PutTamperPolicy {
        /// The policy to update; `None`: create it.
        policy_id: Option<String>,
        /// Its name.
        name: String,
        /// Its document.
        content: String,
    },
    /// Organizations `AttachPolicy`.
    AttachTamperPolicy {
        /// The root, OU or account id.
        target: String,
    },
}

impl Action {
    /// What the step does, for people.
    pub fn describe(&self) -> String {
        let names = |arns: &[String]| {
            arns.iter()
                .map(|a| Standard::of_arn(a).map_or(a.clone(), |s| s.name.to_owned()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Action::EnableTrustedAccess => "enable Security Hub's trusted access in Organizations".into(),
            Action::DesignateAdministrator { administrator } => {
                format!("designate {administrator} as the delegated Security Hub administrator")
            }
            Action::EnableHub { consolidated } => format!(
                "enable Security Hub{}",
                if *consolidated { " with consolidated control findings" } else { "" }
            ),
            Action::ConfigureHub {
                consolidated,
                auto_enable_controls,
            } => format!(
                "set consolidated control findings {}, new controls enabled automatically {}",
                on(*consolidated),
                on(*auto_enable_controls)
            ),
            Action::EnableStandards { standards } => format!("enable standards {}", names(standards)),
            Action::DisableStandards { subscriptions } => {
                format!("disable standards {}", names(subscriptions))
            }
            Action::EnableProducts { products } => format!(
                "enable product integrations {}",
                products
                    .iter()
                    .map(|p| p.rsplit_once(":product/").map_or(p.as_str(), |(_, x)| x))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Action::ConfigureOrganization {
                auto_enable,
                auto_enable_standards,
                configuration_type,
            } => format!(
                "set the organisation configuration: {configuration_type}, new accounts enrolled {}, default standards in new accounts {}",
                on(*auto_enable),
                auto_enable_standards.to_ascii_lowercase()
            ),
            Action::PutConfigurationPolicy { policy_id, standards } => format!(
                "{} configuration policy {CONFIGURATION_POLICY_NAME} (Security Hub on, standards {})",
                if policy_id.is_some() { "update" } else { "create" },
                names(standards)
            ),
            Action::AssociatePolicyWithRoot { root_id } => {
                format!("associate {CONFIGURATION_POLICY_NAME} with the root {root_id}")
            }
            Action::CreateAggregator {
                linking_mode,
                regions,
            } => format!("create the finding aggregator ({linking_mode} {})", regions.join(", ")),
            Action::UpdateAggregator {
                linking_mode,
                regions,
                ..
            } => format!("update the finding aggregator ({linking_mode} {})", regions.join(", ")),
            Action::AddMembers { accounts } => format!(
                "add members {}",
                accounts.iter().map(|a| a.account.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Action::InviteMembers { accounts } => format!("invite {}", accounts.join(", ")),
            Action::AcceptInvitation { administrator } => {
                format!("accept the invitation of {administrator} (through the member's role)")
            }
            Action::StartConfigRecording => {
                "record all resources with AWS Config and start recording (Config.1 fix)".into()
            }
            Action::EnableServiceControlPolicies { root_id } => {
                format!("enable service control policies on the root {root_id}")
            }
            Action::PutTamperPolicy { policy_id, name, .. } => format!(
                "{} the tamper-protection policy {name}",
                if policy_id.is_some() { "update" } else { "create" }
            ),
            Action::AttachTamperPolicy { target } => {
                format!("attach the tamper-protection policy to {target}")
            }
        }
    }
}

fn on(flag: bool) -> &'static str {
    if flag {
        "on"
    } else {
        "off"
    }
}

/// One change in one account (and region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// When it is applied.
    pub phase: Phase,
    /// Where.
    pub scope: Scope,
    /// What.
    pub action: Action,
}

/// Something the plan does not change but the operator should know, or something it
/// cannot plan because AWS could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Where.
    pub scope: Scope,
    /// What.
    pub message: String,
}

/// What an account is to the foundation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    /// The organisation's management account.
    Management,
    /// The delegated Security Hub administrator.
    Administrator,
    /// Another account of the organisation.
    Member,
    /// An account outside the organisation, invited.
    Invited,
}

impl AccountRole {
    /// A word for tables.
    pub fn label(self) -> &'static str {
        match self {
            AccountRole::Management => "management",
            AccountRole::Administrator => "administrator",
            AccountRole::Member => "member",
            AccountRole::Invited => "invited",
        }
    }
}

/// The changes, in order, and what they leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Local or central configuration, as decided.
    pub configuration: ConfigurationMode,
    /// Every enrolled account and what it is.
    pub accounts: BTreeMap<String, AccountRole>,
    /// The changes.
    pub steps: Vec<Step>,
    /// Drift the plan does not change (Config recording without the fix).
    pub warnings: Vec<Notice>,
    /// What could not be read, so could not be planned.
    pub blocked: Vec<Notice>,
}

impl Plan {
    /// Nothing to change, nothing drifting, nothing unread.
    pub fn is_clean(&self) -> bool {
        self.steps.is_empty() && self.warnings.is_empty() && self.blocked.is_empty()
    }

    /// The steps of one phase.
    pub fn phase(&self, phase: Phase) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| s.phase == phase)
    }
}

/// Why no plan can be made: the file does not fit the organisation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// The plan that takes `observed` to `foundation`.
pub fn plan(foundation: &Foundation, observed: &Observed) -> Result<Plan, PlanError> {
    let org = observed.organization.as_ref().ok_or_else(|| {
        PlanError(format!(
            "cannot read the organisation from the management account {}: {}",
            foundation.management_account,
            observed
                .organization_error
                .as_deref()
                .unwrap_or("it is not in an organisation")
        ))
    })?;
    let accounts = enrolled(foundation, org)?;
    let configuration = configuration_mode(foundation, observed)?;
    let mut planner = Planner {
        f: foundation,
        observed,
        org,
        configuration,
        steps: Vec::new(),
        warnings: Vec::new(),
        blocked: Vec::new(),
    };
    planner.organization()?;
    for region in &foundation.regions {
        planner.region(region, &accounts);
    }
    planner.tamper_protection()?;
    Ok(Plan {
        configuration,
        accounts,
        steps: planner.steps,
        warnings: planner.warnings,
        blocked: planner.blocked,
    })
}

/// Every account the foundation enrolls, or why the file does not fit the organisation.
pub fn enrolled(
    f: &Foundation,
    org: &Organization,
) -> Result<BTreeMap<String, AccountRole>, PlanError> {
    if org.management_account != f.management_account {
        return Err(PlanError(format!(
            "organization.management_account is {}, but the organisation {}'s management account is {}",
            f.management_account, org.id, org.management_account
        )));
    }
    if !org.has(&f.administrator) {
        return Err(PlanError(format!(
            "organization.administrator {} is not an account of the organisation {} (Organizations ListAccounts): the delegated administrator must be a member",
            f.administrator, org.id
        )));
    }
    for excluded in &f.exclude {
        if !org.has(excluded) {
            return Err(PlanError(format!(
                "organization.exclude names {excluded}, which is not an account of the organisation {}",
                org.id
            )));
        }
    }
    for invited in &f.invited {
        if org.has(&invited.account) {
            return Err(PlanError(format!(
                "the members CSV lists {}, which is an account of the organisation {}: organisation accounts are enrolled without an invitation; remove it from the CSV",
                invited.account, org.id
            )));
        }
    }
    let mut accounts = BTreeMap::new();
    for a in org.accounts.iter().filter(|a| a.status == "ACTIVE") {
        if f.exclude.contains(&a.id) {
            continue;
        }
        let role = if a.id == f.management_account {
            AccountRole::Management
        } else if a.id == f.administrator {
            AccountRole::Administrator
        } else {
            AccountRole::Member
        };
        accounts.insert(a.id.clone(), role);
    }
    for invited in &f.invited {
        accounts.insert(invited.account.clone(), AccountRole::Invited);
    }
    Ok(accounts)
}

/// Local or central configuration: as the file says, or as the organisation uses now.
fn configuration_mode(f: &Foundation, observed: &Observed) -> Result<ConfigurationMode, PlanError> {
    let mode = match f.configuration {
        ConfigurationMode::Detect => {
            let central = observed.regions.values().any(|r| {
                r.org_config
                    .as_ref()
                    .is_some_and(|c| c.configuration_type == "CENTRAL")
            });
            if central {
                ConfigurationMode::Central
            } else {
                ConfigurationMode::Local
            }
        }
        other => other,
    };
    if mode == ConfigurationMode::Central && f.aggregator.is_none() {
        return Err(PlanError(
            "central configuration needs a finding aggregator: its region is the home region the configuration policies live in; add an [aggregator] section".into(),
        ));
    }
    Ok(mode)
}

struct Planner<'a> {
    f: &'a Foundation,
    observed: &'a Observed,
    org: &'a Organization,
    configuration: ConfigurationMode,
    steps: Vec<Step>,
    warnings: Vec<Notice>,
    blocked: Vec<Notice>,
}

impl Planner<'_> {
    fn push(&mut self, phase: Phase, scope: Scope, action: Action) {
        self.steps.push(Step {
            phase,
            scope,
            action,
        });
    }

    fn organization(&mut self) -> Result<(), PlanError> {
        let management = Scope::global(&self.f.management_account);
        if !self.org.trusted_access {
            self.push(Phase::Organization, management, Action::EnableTrustedAccess);
        }
        for region in &self.f.regions {
            let Some(state) = self.observed.regions.get(region) else {
                continue;
            };
            if let Some((other, _)) = state
                .admin_accounts
                .iter()
                .find(|(a, _)| *a != self.f.administrator)
            {
                return Err(PlanError(format!(
                    "{region}: {other} is already the Security Hub administrator; hubfix does not replace an administrator: remove it first (DisableOrganizationAdminAccount in the management account)"
                )));
            }
            let designated = state
                .admin_accounts
                .iter()
                .any(|(a, status)| *a == self.f.administrator && status == "ENABLED");
            if !designated {
                self.push(
                    Phase::Organization,
                    Scope::regional(&self.f.management_account, region),
                    Action::DesignateAdministrator {
                        administrator: self.f.administrator.clone(),
                    },
                );
            }
        }
        Ok(())
    }

    fn hub(&mut self, scope: &Scope) -> Option<HubRead> {
        match self.observed.hubs.get(scope) {
            Some(Ok(hub)) => Some(hub.clone()),
            Some(Err(e)) => {
                self.blocked.push(Notice {
                    scope: scope.clone(),
                    message: e.clone(),
                });
                None
            }
            None => {
                self.blocked.push(Notice {
                    scope: scope.clone(),
                    message: "not read".into(),
                });
                None
            }
        }
    }

    /// A region's steps, stage by stage: the hubs on, the administrator's
    /// organisation-wide settings, the members, then each account's own settings.
    fn region(&mut self, region: &str, accounts: &BTreeMap<String, AccountRole>) {
        let admin = Scope::regional(&self.f.administrator, region);
        let state = self
            .observed
            .regions
            .get(region)
            .cloned()
            .unwrap_or_default();
        if let Some(e) = &state.error {
            self.blocked.push(Notice {
                scope: admin.clone(),
                message: e.clone(),
            });
        }
        let standards: Vec<String> = self.f.standards().iter().map(|s| s.arn(region)).collect();
        let hubs = self.hubs_on(region, &state, accounts);
        // The administrator configures the organisation in this region.
        if let Some(hub) = hubs.get(&self.f.administrator).cloned() {
            self.configure_hub(&admin, &hub, Phase::Administrator);
            self.organization_config(region, &state, &standards);
            self.aggregator(region, &state);
        }
        self.members(region, &admin, &state, accounts);
        self.account_settings(region, accounts, &hubs, &standards);
    }

    /// Each readable account's hub in the region as it will be once on: the
    /// administrator's and the management account's own hubs first. An organisation
    /// account whose hub `CreateMembers` turns on is not enabled by a step of its own.
    fn hubs_on(
        &mut self,
        region: &str,
        state: &RegionState,
        accounts: &BTreeMap<String, AccountRole>,
    ) -> BTreeMap<String, HubRead> {
        let mut hubs: BTreeMap<String, HubRead> = BTreeMap::new();
        for (account, role) in accounts {
            let scope = Scope::regional(account, region);
            let Some(mut hub) = self.hub(&scope) else {
                continue;
            };
            let enroll_enables = matches!(role, AccountRole::Member)
                && !hub.enabled
                && state.members.get(account).map(String::as_str) != Some("ENABLED");
            if enroll_enables {
                // CreateMembers turns Security Hub on, with its default standards, in an
                // organisation account that has it off; the plan sets the standards after.
                hub.enabled = true;
                hub.consolidated = self.f.consolidated_control_findings;
                if self.configuration == ConfigurationMode::Local {
                    for name in DEFAULT_STANDARDS {
                        if let Some(s) = Standard::named(name) {
                            hub.standards
                                .insert(s.arn(region), format!("(default {name})"));
                        }
                    }
                }
            } else if !hub.enabled {
                self.push(
                    Phase::Administrator,
                    scope.clone(),
                    Action::EnableHub {
                        consolidated: self.f.consolidated_control_findings,
                    },
                );
                hub.enabled = true;
                hub.consolidated = self.f.consolidated_control_findings;
                hub.auto_enable_controls = true;
            }
            hubs.insert(account.clone(), hub);
        }
        hubs
    }

    /// Members: added, invited, then their invitations accepted.
    fn members(
        &mut self,
        region: &str,
        admin: &Scope,
        state: &RegionState,
        accounts: &BTreeMap<String, AccountRole>,
    ) {
        let mut add = Vec::new();
        let mut invite = Vec::new();
        let mut accept = Vec::new();
        for (account, role) in accounts {
            let status = state.members.get(account).map(String::as_str);
            match role {
                AccountRole::Administrator => {}
                AccountRole::Member | AccountRole::Management => {
                    if status != Some("ENABLED") {
                        add.push(InvitedAccount {
                            account: account.clone(),
                            email: self.email_of(account),
                        });
                    }
                }
                AccountRole::Invited => {
                    if !matches!(status, Some("ENABLED" | "INVITED" | "CREATED")) {
                        add.push(InvitedAccount {
                            account: account.clone(),
                            email: self.invited_email_of(account),
                        });
                    }
                    if !matches!(status, Some("ENABLED" | "INVITED")) {
                        invite.push(account.clone());
                    }
                    if status != Some("ENABLED") {
                        accept.push(account.clone());
                    }
                }
            }
        }
        if !add.is_empty() {
            self.push(
                Phase::Members,
                admin.clone(),
                Action::AddMembers { accounts: add },
            );
        }
        if !invite.is_empty() {
            self.push(
                Phase::Members,
                admin.clone(),
                Action::InviteMembers { accounts: invite },
            );
        }
        for account in accept {
            self.push(
                Phase::Members,
                Scope::regional(&account, region),
                Action::AcceptInvitation {
                    administrator: self.f.administrator.clone(),
                },
            );
        }
    }

    /// Each account's own settings: an invited account's hub configuration, the
    /// standards (unless a central configuration policy sets them), products and Config
    /// recording.
    fn account_settings(
        &mut self,
        region: &str,
        accounts: &BTreeMap<String, AccountRole>,
        hubs: &BTreeMap<String, HubRead>,
        standards: &[String],
    ) {
        for (account, role) in accounts {
            let Some(hub) = hubs.get(account) else {
                continue;
            };
            let scope = Scope::regional(account, region);
            let central_member = self.configuration == ConfigurationMode::Central
                && !matches!(role, AccountRole::Invited | AccountRole::Administrator);
            if !matches!(role, AccountRole::Administrator) {
                if matches!(role, AccountRole::Invited) {
                    self.configure_hub(&scope, hub, Phase::Accounts);
                }
                if !central_member {
                    self.standards(&scope, hub, standards, Phase::Accounts);
                }
            }
            self.products(&scope, hub, region);
            self.recording(&scope, hub);
        }
    }

    /// An invited account's e-mail address, from the members CSV.
    fn invited_email_of(&self, account: &str) -> String {
        self.f
            .invited
            .iter()
            .find(|i| i.account == *account)
            .map(|i| i.email.clone())
            .unwrap_or_default()
    }

    fn email_of(&self, account: &str) -> String {
        self.org
            .accounts
            .iter()
            .find(|a| a.id == account)
            .map(|a| a.email.clone())
            .unwrap_or_default()
    }

    fn configure_hub(&mut self, scope: &Scope, hub: &HubRead, phase: Phase) {
        if hub.consolidated != self.f.consolidated_control_findings
            || hub.auto_enable_controls != self.f.auto_enable_controls
        {
            self.push(
                phase,
                scope.clone(),
                Action::ConfigureHub {
                    consolidated: self.f.consolidated_control_findings,
                    auto_enable_controls: self.f.auto_enable_controls,
                },
            );
        }
        if scope.account == self.f.administrator {
            let region = scope.region.clone().unwrap_or_default();
            let standards: Vec<String> =
                self.f.standards().iter().map(|s| s.arn(&region)).collect();
            self.standards(scope, hub, &standards, phase);
        }
    }

    fn standards(&mut self, scope: &Scope, hub: &HubRead, wanted: &[String], phase: Phase) {
        let missing: Vec<String> = wanted
            .iter()
            .filter(|arn| !hub.standards.contains_key(*arn))
            .cloned()
            .collect();
        if !missing.is_empty() {
            self.push(
                phase,
                scope.clone(),
                Action::EnableStandards { standards: missing },
            );
        }
        if self.f.disable_other_standards {
            let extra: Vec<String> = hub
                .standards
                .iter()
                .filter(|(arn, _)| !wanted.contains(arn))
                .map(|(arn, subscription)| {
                    if subscription.starts_with("arn:") {
                        subscription.clone()
                    } else {
                        arn.clone()
                    }
                })
                .collect();
            if !extra.is_empty() {
                self.push(
                    phase,
                    scope.clone(),
                    Action::DisableStandards {
                        subscriptions: extra,
                    },
                );
            }
        }
    }

    fn products(&mut self, scope: &Scope, hub: &HubRead, region: &str) {
        let missing: Vec<String> = self
            .f
            .products()
            .iter()
            .filter(|p| !hub.products.contains(&p.path))
            .map(|p| p.arn(region))
            .collect();
        if !missing.is_empty() {
            self.push(
                Phase::Accounts,
                scope.clone(),
                Action::EnableProducts { products: missing },
            );
        }
    }

    fn recording(&mut self, scope: &Scope, hub: &HubRead) {
        if !self.f.config_recording.required {
            return;
        }
        let Some(recording) = &hub.recording else {
            return;
        };
        if recording.is_complete() {
            return;
        }
        if self.f.config_recording.fix {
            self.push(Phase::Accounts, scope.clone(), Action::StartConfigRecording);
        } else {
            self.warnings.push(Notice {
                scope: scope.clone(),
                message: format!(
                    "AWS Config does not record all resources (recorder: {}); Security Hub's checks need it: set config_recording.fix = true, or run `hubfix apply --control Config.1`",
                    recording.label()
                ),
            });
        }
    }

    fn organization_config(&mut self, region: &str, state: &RegionState, standards: &[String]) {
        let admin = Scope::regional(&self.f.administrator, region);
        match self.configuration {
            ConfigurationMode::Central => {
                let home = self.f.aggregator.as_ref().map(|a| a.region.as_str());
                if home != Some(region) {
                    return;
                }
                let is_central = state
                    .org_config
                    .as_ref()
                    .is_some_and(|c| c.configuration_type == "CENTRAL");
                if !is_central {
                    self.push(
                        Phase::Administrator,
                        admin.clone(),
                        Action::ConfigureOrganization {
                            auto_enable: false,
                            auto_enable_standards: "NONE".into(),
                            configuration_type: "CENTRAL".into(),
                        },
                    );
                }
                let mut wanted: Vec<String> = standards.to_vec();
                wanted.sort();
                match &state.policy {
                    Some(p) if p.service_enabled && p.standards == wanted => {}
                    existing => self.push(
                        Phase::Administrator,
                        admin.clone(),
                        Action::PutConfigurationPolicy {
                            policy_id: existing.as_ref().map(|p| p.id.clone()),
                            standards: wanted,
                        },
                    ),
                }
                if !state
                    .policy
                    .as_ref()
                    .is_some_and(|p| p.associated_with_root)
                {
                    self.push(
                        Phase::Administrator,
                        admin,
                        Action::AssociatePolicyWithRoot {
                            root_id: self.org.root_id.clone(),
                        },
                    );
                }
            }
            _ => {
                let defaults_wanted = DEFAULT_STANDARDS
                    .iter()
                    .all(|d| self.f.standards.iter().any(|s| s == d));
                let auto_standards = if defaults_wanted { "DEFAULT" } else { "NONE" };
                let current = state.org_config.as_ref();
                let fine = current.is_some_and(|c| {
                    c.auto_enable
                        && c.auto_enable_standards == auto_standards
                        && c.configuration_type == "LOCAL"
                });
                if !fine {
                    self.push(
                        Phase::Administrator,
                        admin,
                        Action::ConfigureOrganization {
                            auto_enable: true,
                            auto_enable_standards: auto_standards.into(),
                            configuration_type: "LOCAL".into(),
                        },
                    );
                }
            }
        }
    }

    fn aggregator(&mut self, region: &str, state: &RegionState) {
        let Some(spec) = &self.f.aggregator else {
            return;
        };
        if spec.region != region {
            return;
        }
        let admin = Scope::regional(&self.f.administrator, region);
        let mode = spec.linking.mode().to_owned();
        let regions = spec.regions.clone();
        match &state.aggregator {
            None => self.push(
                Phase::Administrator,
                admin,
                Action::CreateAggregator {
                    linking_mode: mode,
                    regions,
                },
            ),
            Some(a) if a.linking_mode != mode || a.regions != regions => self.push(
                Phase::Administrator,
                admin,
                Action::UpdateAggregator {
                    arn: a.arn.clone(),
                    linking_mode: mode,
                    regions,
                },
            ),
            Some(_) => {}
        }
    }

    fn tamper_protection(&mut self) -> Result<(), PlanError> {
        let Some(t) = &self.f.tamper_protection else {
            return Ok(());
        };
        let management = Scope::global(&self.f.management_account);
        let content = tamper_policy(self.f).map_err(PlanError)?;
        if !self.org.scp_enabled {
            self.push(
                Phase::TamperProtection,
                management.clone(),
                Action::EnableServiceControlPolicies {
                    root_id: self.org.root_id.clone(),
                },
            );
        }
        let existing = self.org.tamper_policy.as_ref();
        if !existing.is_some_and(|p| scp::same_document(&p.content, &content)) {
            self.push(
                Phase::TamperProtection,
                management.clone(),
                Action::PutTamperPolicy {
                    policy_id: existing.map(|p| p.id.clone()),
                    name: t.policy_name.clone(),
                    content,
                },
            );
        }
        for target in &t.attach_to {
            let id = if target == "root" {
                self.org.root_id.clone()
            } else {
                target.clone()
            };
            if !existing.is_some_and(|p| p.targets.contains(&id)) {
                self.push(
                    Phase::TamperProtection,
                    management.clone(),
                    Action::AttachTamperPolicy { target: id },
                );
            }
        }
        Ok(())
    }
}

/// The tamper-protection policy the file calls for. Besides the file's break-glass
/// roles it exempts the role hubfix itself works through in organisation accounts:
/// keeping the foundation as the file says (disabling a default standard in a
/// re-enrolled member, say) needs actions the policy denies everyone else.
pub fn tamper_policy(f: &Foundation) -> Result<String, String> {
    let mut exempt = f
        .tamper_protection
        .as_ref()
        .map(|t| t.exempt_roles.clone())
        .unwrap_or_default();
    if let Some(role) = &f.organization_role {
        if !exempt.contains(role) {
            exempt.push(role.clone());
        }
    }
    scp::policy(&protected(f), &exempt, f.partition())
}

/// What the file manages, which the tamper-protection policy protects.
pub fn protected(f: &Foundation) -> Protected {
    Protected {
        standards: !f.standards.is_empty(),
        aggregator: f.aggregator.is_some(),
        products: !f.products.is_empty(),
        config_recording: f.config_recording.required,
    }
}

/// Whether the tamper-protection policy applies to `account`: attached to the root,
/// to one of its OUs, or to the account itself. Never the management account.
pub fn policy_covers(org: &Organization, account: &str) -> bool {
    if account == org.management_account {
        return false;
    }
    let Some(policy) = &org.tamper_policy else {
        return false;
    };
    let parents: BTreeSet<&String> = org.parents.get(account).into_iter().flatten().collect();
    policy.targets.contains(&org.root_id)
        || policy.targets.contains(account)
        || policy.targets.iter().any(|t| parents.contains(t))
}

#[cfg(test)]
mod tests;
