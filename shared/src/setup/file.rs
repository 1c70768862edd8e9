//! The setup file: an organisation's Security Hub foundation, declared in TOML
//! (`hubfix-setup.toml`, documented in docs/foundation.md), read into a [`Foundation`]
//! whose every value has been checked. A mistake is an error naming the file, the line
//! and the field, and saying what would be right.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::catalogue::{ProductRef, Standard};
use super::members_csv::{self, InvitedAccount};
use crate::ids::partition_of;
use crate::ids::{is_account_id, is_region};

/// A setup file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {field}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct FileError {
    /// The file at fault (the setup file or its members CSV).
    pub file: PathBuf,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The field (`hub.standards`), or the CSV row.
    pub field: String,
    /// What is wrong and what would be right.
    pub message: String,
}

/// How Security Hub configures the organisation's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigurationMode {
    /// Local configuration: new accounts enrolled automatically, each account's
    /// standards set in the account (hubfix does it through the organisation role).
    Local,
    /// Central configuration: a configuration policy of the administrator, associated
    /// with the organisation's root, sets every account's hub and standards.
    Central,
    /// Whatever the organisation uses now (`DescribeOrganizationConfiguration`);
    /// local when it has none yet.
    Detect,
}

/// Which regions the aggregator links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Linking {
    /// Every region, new ones included (`ALL_REGIONS`).
    All,
    /// Every region but the listed ones (`ALL_REGIONS_EXCEPT_SPECIFIED`).
    AllExcept,
    /// Only the listed regions (`SPECIFIED_REGIONS`).
    Specified,
    /// No region: the aggregation region's own findings only (`NO_REGIONS`).
    None,
}

impl Linking {
    /// Security Hub's `RegionLinkingMode`.
    pub fn mode(self) -> &'static str {
        match self {
            Linking::All => "ALL_REGIONS",
            Linking::AllExcept => "ALL_REGIONS_EXCEPT_SPECIFIED",
            Linking::Specified => "SPECIFIED_REGIONS",
            Linking::None => "NO_REGIONS",
        }
    }
}

/// The finding aggregator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregatorSpec {
    /// The aggregation region (one of the hub's regions).
    pub region: String,
    /// How regions are linked.
    pub linking: Linking,
    /// The regions linked (`specified`) or left out (`all-except`), sorted.
    pub regions: Vec<String>,
}

/// The tamper-protection service control policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TamperProtection {
    /// Where it is attached: `root`, OU ids (`ou-...`) or account ids.
    pub attach_to: Vec<String>,
    /// Roles exempt from it (names, or principal ARN patterns).
    pub exempt_roles: Vec<String>,
    /// The policy's name in Organizations.
    pub policy_name: String,
}

/// The default name of the tamper-protection policy.
pub const DEFAULT_POLICY_NAME: &str = "hubfix-security-hub-tamper-protection";

/// AWS Config recording, which Security Hub's checks depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigRecording {
    /// Every enrolled account must record all resources in every hub region.
    pub required: bool,
    /// `apply` turns recording on where it is off (hubfix's `Config.1` fix).
    pub fix: bool,
}

/// An organisation's Security Hub foundation, as its setup file declares it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Foundation {
    /// The organisation's management account.
    pub management_account: String,
    /// The delegated Security Hub administrator.
    pub administrator: String,
    /// The role hubfix assumes in organisation accounts other than its own (`None`:
    /// the member role of hubfix's configuration).
    pub organization_role: Option<String>,
    /// Local or central configuration, or detect which.
    pub configuration: ConfigurationMode,
    /// Organisation accounts left out.
    pub exclude: BTreeSet<String>,
    /// The regions Security Hub runs in.
    pub regions: Vec<String>,
    /// The standards enabled in every account and region (setup-file names).
    pub standards: Vec<String>,
    /// Standards not listed are disabled (Security Hub's defaults included).
    pub disable_other_standards: bool,
    /// Consolidated control findings (`ControlFindingGenerator` `SECURITY_CONTROL`).
    pub consolidated_control_findings: bool,
    /// New controls of enabled standards are enabled automatically.
    pub auto_enable_controls: bool,
    /// The finding aggregator, if any.
    pub aggregator: Option<AggregatorSpec>,
    /// Product integrations enabled for import (`<company>/<product>`).
    pub products: Vec<String>,
    /// Accounts outside the organisation, invited (from the members CSV).
    pub invited: Vec<InvitedAccount>,
    /// The role hubfix assumes in invited accounts to accept the invitation (`None`:
    /// the member role of hubfix's configuration).
    pub invited_role: Option<String>,
    /// The tamper-protection policy, if any.
    pub tamper_protection: Option<TamperProtection>,
    /// AWS Config recording.
    pub config_recording: ConfigRecording,
}

impl Foundation {
    /// Reads and checks a setup file; a members CSV it names is read relative to it.
    pub fn load(path: &Path) -> Result<Foundation, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError {
            file: path.to_owned(),
            line: None,
            field: "file".into(),
            message: format!("cannot read it: {e}"),
        })?;
        Foundation::parse(&text, path)
    }

    /// Checks a setup file's text; `path` names it in errors and locates the CSV.
    pub fn parse(text: &str, path: &Path) -> Result<Foundation, FileError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            FileError {
                file: path.to_owned(),
                line,
                field: "syntax".into(),
                message: e.message().trim().to_owned(),
            }
        })?;
        Checker { text, path }.check(raw)
    }

    /// The standards, from the catalogue.
    pub fn standards(&self) -> Vec<&'static Standard> {
        self.standards
            .iter()
            .filter_map(|n| Standard::named(n))
            .collect()
    }

    /// The product integrations.
    pub fn products(&self) -> Vec<ProductRef> {
        self.products
            .iter()
            .map(|p| ProductRef { path: p.clone() })
            .collect()
    }

    /// The partition the hub's regions are in.
    pub fn partition(&self) -> &'static str {
        partition_of(&self.regions[0])
    }

    /// The regions the aggregator links (within the hub's regions), for status.
    pub fn linked_regions(&self) -> Vec<String> {
        let Some(a) = &self.aggregator else {
            return Vec::new();
        };
        self.regions
            .iter()
            .filter(|r| **r != a.region)
            .filter(|r| match a.linking {
                Linking::All => true,
                Linking::AllExcept => !a.regions.contains(r),
                Linking::Specified => a.regions.contains(r),
                Linking::None => false,
            })
            .cloned()
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    organization: Spanned<RawOrganization>,
    hub: Spanned<RawHub>,
    aggregator: Option<Spanned<RawAggregator>>,
    products: Option<RawProducts>,
    invited: Option<Spanned<RawInvited>>,
    tamper_protection: Option<Spanned<RawTamper>>,
    config_recording: Option<RawConfigRecording>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    management_account: Spanned<String>,
    administrator: Spanned<String>,
    role: Option<Spanned<String>>,
    configuration: Option<Spanned<String>>,
    exclude: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHub {
    regions: Spanned<Vec<Spanned<String>>>,
    standards: Spanned<Vec<Spanned<String>>>,
    disable_other_standards: Option<bool>,
    consolidated_control_findings: Option<bool>,
    auto_enable_controls: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregator {
    region: Spanned<String>,
    linking: Option<Spanned<String>>,
    regions: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProducts {
    enable: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvited {
    csv: Spanned<String>,
    role: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTamper {
    attach_to: Spanned<Vec<Spanned<String>>>,
    exempt_roles: Option<Vec<Spanned<String>>>,
    policy_name: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfigRecording {
    required: Option<bool>,
    fix: Option<bool>,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Whether a name is an IAM role name (`[\w+=,.@-]`, 1 to 64 characters).
fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// Whether a name is a policy name Organizations takes (1 to 128 of `[\w+=,.@-]`).
fn is_policy_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// Whether a target is one an SCP can be attached to.
fn is_policy_target(target: &str) -> bool {
    let ou = |t: &str| {
        t.strip_prefix("ou-").is_some_and(|rest| {
            rest.split_once('-').is_some_and(|(a, b)| {
                (4..=32).contains(&a.len())
                    && (8..=32).contains(&b.len())
                    && (a.chars().chain(b.chars()))
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
        })
    };
    let root = |t: &str| {
        t.strip_prefix("r-").is_some_and(|rest| {
            (4..=32).contains(&rest.len())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
    };
    target == "root" || root(target) || ou(target) || is_account_id(target)
}

/// The `[organization]` section, checked.
struct OrganizationSection {
    management_account: String,
    administrator: String,
    role: Option<String>,
    configuration: ConfigurationMode,
    exclude: BTreeSet<String>,
}

struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Checker<'_> {
    fn error(&self, span: Range<usize>, field: &str, message: impl Into<String>) -> FileError {
        FileError {
            file: self.path.to_owned(),
            line: Some(line_of(self.text, span.start)),
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn account(&self, value: &Spanned<String>, field: &str) -> Result<String, FileError> {
        let v = value.get_ref();
        if is_account_id(v) {
            Ok(v.clone())
        } else {
            Err(self.error(
                value.span(),
                field,
                format!("`{v}` is not a 12-digit AWS account id"),
            ))
        }
    }

    fn region(&self, value: &Spanned<String>, field: &str) -> Result<String, FileError> {
        let v = value.get_ref();
        if is_region(v) {
            Ok(v.clone())
        } else {
            Err(self.error(
                value.span(),
                field,
                format!("`{v}` is not a region name such as us-east-1"),
            ))
        }
    }

    fn role(
        &self,
        value: &Option<Spanned<String>>,
        field: &str,
    ) -> Result<Option<String>, FileError> {
        match value {
            None => Ok(None),
            Some(v) if is_role_name(v.get_ref()) => Ok(Some(v.get_ref().clone())),
            Some(v) => Err(self.error(
                v.span(),
                field,
                format!(
                    "`{}` is not an IAM role name (1-64 letters, digits and _+=,.@-)",
                    v.get_ref()
                ),
            )),
        }
    }

    /// The whole file, section by section in the file's order: the first mistake is
    /// the one reported.
    fn check(&self, raw: RawFile) -> Result<Foundation, FileError> {
        let org = self.organization(raw.organization.get_ref())?;
        let hub = raw.hub.get_ref();
        let regions = self.hub_regions(&hub.regions)?;
        let standards = self.standards(&hub.standards)?;
        let aggregator = raw
            .aggregator
            .as_ref()
            .map(|a| self.aggregator(a, &regions))
            .transpose()?;
        let products = self.products(raw.products.as_ref())?;
        let (invited, invited_role) = match &raw.invited {
            None => (Vec::new(), None),
            Some(inv) => self.invited_section(inv.get_ref(), &org)?,
        };
        let tamper_protection = raw
            .tamper_protection
            .as_ref()
            .map(|t| self.tamper(t))
            .transpose()?;
        let config = raw.config_recording.as_ref();
        let config_recording = ConfigRecording {
            required: config.and_then(|c| c.required).unwrap_or(true),
            fix: config.and_then(|c| c.fix).unwrap_or(false),
        };
        Ok(Foundation {
            management_account: org.management_account,
            administrator: org.administrator,
            organization_role: org.role,
            configuration: org.configuration,
            exclude: org.exclude,
            regions,
            standards,
            disable_other_standards: hub.disable_other_standards.unwrap_or(true),
            consolidated_control_findings: hub.consolidated_control_findings.unwrap_or(true),
            auto_enable_controls: hub.auto_enable_controls.unwrap_or(true),
            aggregator,
            products,
            invited,
            invited_role,
            tamper_protection,
            config_recording,
        })
    }

    /// The `[organization]` section: two distinct accounts, the role, the configuration
    /// mode, and excluded accounts that are neither of the two.
    fn organization(&self, org: &RawOrganization) -> Result<OrganizationSection, FileError> {
        let management_account =
            self.account(&org.management_account, "organization.management_account")?;
        let administrator = self.account(&org.administrator, "organization.administrator")?;
        if administrator == management_account {
            return Err(self.error(
                org.administrator.span(),
                "organization.administrator",
                "the delegated administrator must not be the management account: AWS Organizations refuses to delegate to it, and AWS recommends a dedicated security account",
            ));
        }
        let role = self.role(&org.role, "organization.role")?;
        let configuration = self.configuration_mode(org.configuration.as_ref())?;
        let mut exclude = BTreeSet::new();
        for a in org.exclude.iter().flatten() {
            let account = self.account(a, "organization.exclude")?;
            if account == administrator || account == management_account {
                return Err(self.error(
                    a.span(),
                    "organization.exclude",
                    format!("{account} is the management or administrator account, which the foundation needs"),
                ));
            }
            exclude.insert(account);
        }
        Ok(OrganizationSection {
            management_account,
            administrator,
            role,
            configuration,
            exclude,
        })
    }

    fn configuration_mode(
        &self,
        value: Option<&Spanned<String>>,
    ) -> Result<ConfigurationMode, FileError> {
        let Some(v) = value else {
            return Ok(ConfigurationMode::Detect);
        };
        match v.get_ref().as_str() {
            "local" => Ok(ConfigurationMode::Local),
            "central" => Ok(ConfigurationMode::Central),
            "detect" => Ok(ConfigurationMode::Detect),
            other => Err(self.error(
                v.span(),
                "organization.configuration",
                format!("`{other}` is not one of local, central, detect"),
            )),
        }
    }

    /// `hub.regions`: at least one, none twice, all in one partition.
    fn hub_regions(
        &self,
        listed: &Spanned<Vec<Spanned<String>>>,
    ) -> Result<Vec<String>, FileError> {
        let mut regions = Vec::new();
        for r in listed.get_ref() {
            let region = self.region(r, "hub.regions")?;
            if regions.contains(&region) {
                return Err(self.error(
                    r.span(),
                    "hub.regions",
                    format!("{region} is listed twice"),
                ));
            }
            regions.push(region);
        }
        if regions.is_empty() {
            return Err(self.error(listed.span(), "hub.regions", "list at least one region"));
        }
        if regions
            .iter()
            .any(|r| partition_of(r) != partition_of(&regions[0]))
        {
            return Err(self.error(
                listed.span(),
                "hub.regions",
                "all regions must be in one partition: Security Hub does not aggregate across partitions",
            ));
        }
        Ok(regions)
    }

    /// `hub.standards`: standards Security Hub offers, none twice.
    fn standards(&self, listed: &Spanned<Vec<Spanned<String>>>) -> Result<Vec<String>, FileError> {
        let mut standards = Vec::new();
        for s in listed.get_ref() {
            let name = s.get_ref();
            if Standard::named(name).is_none() {
                return Err(self.error(
                    s.span(),
                    "hub.standards",
                    format!(
                        "`{name}` is not a standard Security Hub offers; use one of: {}",
                        Standard::names()
                    ),
                ));
            }
            if standards.contains(name) {
                return Err(self.error(
                    s.span(),
                    "hub.standards",
                    format!("{name} is listed twice"),
                ));
            }
            standards.push(name.clone());
        }
        Ok(standards)
    }

    /// `products.enable`: known names or product ARNs, none twice; their paths.
    fn products(&self, raw: Option<&RawProducts>) -> Result<Vec<String>, FileError> {
        let mut products = Vec::new();
        for p in raw.into_iter().flat_map(|p| &p.enable) {
            let Some(product) = ProductRef::parse(p.get_ref()) else {
                return Err(self.error(
                    p.span(),
                    "products.enable",
                    format!(
                        "`{}` is neither one of {} nor a product ARN (arn:aws:securityhub:<region>::product/<company>/<product>)",
                        p.get_ref(),
                        ProductRef::names()
                    ),
                ));
            };
            if products.contains(&product.path) {
                return Err(self.error(
                    p.span(),
                    "products.enable",
                    format!("{product} is listed twice"),
                ));
            }
            products.push(product.path);
        }
        Ok(products)
    }

    /// The `[invited]` section: its members CSV, which must not name the organisation's
    /// management or administrator account, and the role to reach them.
    fn invited_section(
        &self,
        raw: &RawInvited,
        org: &OrganizationSection,
    ) -> Result<(Vec<InvitedAccount>, Option<String>), FileError> {
        let accounts = self.invited(&raw.csv)?;
        if let Some(a) = accounts
            .iter()
            .find(|a| a.account == org.administrator || a.account == org.management_account)
        {
            return Err(self.error(
                raw.csv.span(),
                "invited.csv",
                format!("{} is the management or administrator account; invite only accounts outside the organisation", a.account),
            ));
        }
        Ok((accounts, self.role(&raw.role, "invited.role")?))
    }

    fn aggregator(
        &self,
        raw: &Spanned<RawAggregator>,
        hub_regions: &[String],
    ) -> Result<AggregatorSpec, FileError> {
        let a = raw.get_ref();
        let region = self.region(&a.region, "aggregator.region")?;
        if !hub_regions.contains(&region) {
            return Err(self.error(
                a.region.span(),
                "aggregator.region",
                format!(
                    "{region} is not one of hub.regions: the aggregation region needs Security Hub"
                ),
            ));
        }
        let linking = match &a.linking {
            None => Linking::Specified,
            Some(v) => match v.get_ref().as_str() {
                "all" => Linking::All,
                "all-except" => Linking::AllExcept,
                "specified" => Linking::Specified,
                "none" => Linking::None,
                other => {
                    return Err(self.error(
                        v.span(),
                        "aggregator.linking",
                        format!("`{other}` is not one of all, all-except, specified, none"),
                    ))
                }
            },
        };
        let mut regions = BTreeSet::new();
        for r in a.regions.iter().flatten() {
            let linked = self.region(r, "aggregator.regions")?;
            if linked == region {
                return Err(self.error(
                    r.span(),
                    "aggregator.regions",
                    format!("{linked} is the aggregation region itself; list only other regions"),
                ));
            }
            regions.insert(linked);
        }
        match linking {
            Linking::All | Linking::None if a.regions.as_ref().is_some_and(|r| !r.is_empty()) => {
                return Err(self.error(
                    raw.span(),
                    "aggregator.regions",
                    "regions are listed only with linking = \"specified\" or \"all-except\"",
                ))
            }
            Linking::Specified if a.regions.is_none() => {
                regions = hub_regions
                    .iter()
                    .filter(|r| **r != region)
                    .cloned()
                    .collect();
            }
            Linking::Specified if regions.is_empty() => {
                return Err(self.error(
                    raw.span(),
                    "aggregator.regions",
                    "linking = \"specified\" needs at least one region (or linking = \"none\")",
                ))
            }
            _ => {}
        }
        Ok(AggregatorSpec {
            region,
            linking,
            regions: regions.into_iter().collect(),
        })
    }

    fn invited(&self, csv: &Spanned<String>) -> Result<Vec<InvitedAccount>, FileError> {
        let path = self
            .path
            .parent()
            .unwrap_or(Path::new(""))
            .join(csv.get_ref());
        let text = std::fs::read_to_string(&path).map_err(|e| {
            self.error(
                csv.span(),
                "invited.csv",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        members_csv::parse(&text).map_err(|e| FileError {
            file: path,
            line: Some(e.line),
            field: "row".into(),
            message: e.message,
        })
    }

    fn tamper(&self, raw: &Spanned<RawTamper>) -> Result<TamperProtection, FileError> {
        let t = raw.get_ref();
        let mut attach_to = Vec::new();
        for target in t.attach_to.get_ref() {
            let v = target.get_ref();
            if !is_policy_target(v) {
                return Err(self.error(
                    target.span(),
                    "tamper_protection.attach_to",
                    format!("`{v}` is not `root`, a root id (r-...), an OU id (ou-...) or an account id"),
                ));
            }
            if !attach_to.contains(v) {
                attach_to.push(v.clone());
            }
        }
        if attach_to.is_empty() {
            return Err(self.error(
                t.attach_to.span(),
                "tamper_protection.attach_to",
                "name at least one target, e.g. [\"root\"]",
            ));
        }
        let mut exempt_roles = Vec::new();
        for role in t.exempt_roles.iter().flatten() {
            let v = role.get_ref();
            let arn_pattern = v.starts_with("arn:") && v.contains(":iam::") && v.contains(":role/");
            if !(is_role_name(v) || arn_pattern) {
                return Err(self.error(
                    role.span(),
                    "tamper_protection.exempt_roles",
                    format!("`{v}` is neither an IAM role name nor a role ARN pattern (arn:aws:iam::*:role/<name>)"),
                ));
            }
            exempt_roles.push(v.clone());
        }
        let policy_name = match &t.policy_name {
            None => DEFAULT_POLICY_NAME.to_owned(),
            Some(n) if is_policy_name(n.get_ref()) => n.get_ref().clone(),
            Some(n) => {
                return Err(self.error(
                    n.span(),
                    "tamper_protection.policy_name",
                    "1-128 letters, digits and _+=,.@-",
                ))
            }
        };
        Ok(TamperProtection {
            attach_to,
            exempt_roles,
            policy_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[organization]
management_account = "111111111111"
administrator = "123456789012"
role = "OrganizationAccountAccessRole"

[hub]
regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
standards = ["fsbp", "cis-5.0", "pci-dss-3.2.1", "nist-800-53"]

[aggregator]
region = "us-east-1"

[products]
enable = ["guardduty", "inspector", "macie", "config"]

[tamper_protection]
attach_to = ["root"]
exempt_roles = ["hubfix-break-glass"]
"#;

    fn parse(text: &str) -> Result<Foundation, FileError> {
        Foundation::parse(text, Path::new("hubfix-setup.toml"))
    }

    #[test]
    fn a_small_file_gets_safe_defaults() {
        let f = parse(EXAMPLE).unwrap();
        assert_eq!(f.administrator, "123456789012");
        assert_eq!(f.configuration, ConfigurationMode::Detect);
        assert!(
            f.disable_other_standards && f.consolidated_control_findings && f.auto_enable_controls
        );
        let a = f.aggregator.as_ref().unwrap();
        assert_eq!(a.linking, Linking::Specified);
        assert_eq!(a.regions, ["ap-southeast-2", "eu-west-1"]);
        assert_eq!(f.linked_regions(), ["eu-west-1", "ap-southeast-2"]);
        assert_eq!(f.standards().len(), 4);
        assert_eq!(f.products().len(), 4);
        let t = f.tamper_protection.as_ref().unwrap();
        assert_eq!(t.policy_name, DEFAULT_POLICY_NAME);
        assert_eq!(
            f.config_recording,
            ConfigRecording {
                required: true,
                fix: false
            }
        );
        assert!(f.invited.is_empty());
    }

    #[test]
    fn mistakes_name_the_line_and_the_field() {
        let cases = [
            (
                EXAMPLE.replace("\"cis-5.0\"", "\"cis-9.0\""),
                9,
                "hub.standards",
                "not a standard",
            ),
            (
                EXAMPLE.replace("\"eu-west-1\"", "\"Europe\""),
                8,
                "hub.regions",
                "not a region",
            ),
            (
                EXAMPLE.replace(
                    "administrator = \"123456789012\"",
                    "administrator = \"12345\"",
                ),
                4,
                "organization.administrator",
                "12-digit",
            ),
            (
                EXAMPLE.replace(
                    "administrator = \"123456789012\"",
                    "administrator = \"111111111111\"",
                ),
                4,
                "organization.administrator",
                "must not be the management",
            ),
            (
                EXAMPLE.replace("\"macie\"", "\"maciej\""),
                15,
                "products.enable",
                "neither one of",
            ),
            (
                EXAMPLE.replace("region = \"us-east-1\"", "region = \"us-west-2\""),
                12,
                "aggregator.region",
                "not one of hub.regions",
            ),
            (
                EXAMPLE.replace("[\"root\"]", "[\"everything\"]"),
                18,
                "tamper_protection.attach_to",
                "not `root`",
            ),
            (
                EXAMPLE.replace("role = \"Org", "role = \"bad role Org"),
                5,
                "organization.role",
                "not an IAM role name",
            ),
            (
                EXAMPLE.replace("[hub]", "[hub]\nstandard = []"),
                8,
                "syntax",
                "unknown field `standard`",
            ),
            (
                EXAMPLE.replace(
                    "regions = [\"us-east-1\"",
                    "regions = [\"us-east-1\", \"us-east-1\"",
                ),
                8,
                "hub.regions",
                "listed twice",
            ),
            (
                EXAMPLE.replace("[organization]", "[organization"),
                2,
                "syntax",
                "",
            ),
        ];
        for (text, line, field, says) in cases {
            let err = parse(&text).unwrap_err();
            assert_eq!((err.line, err.field.as_str()), (Some(line), field), "{err}");
            assert!(err.message.contains(says), "{err}");
            assert!(
                err.to_string()
                    .starts_with(&format!("hubfix-setup.toml:{line}: {field}: ")),
                "{err}"
            );
        }
        let missing = parse("[organization]\nmanagement_account = \"111111111111\"\nadministrator = \"222222222222\"\n").unwrap_err();
        assert!(missing.message.contains("missing field `hub`"), "{missing}");
    }

    #[test]
    fn the_aggregator_links_as_asked() {
        let all = parse(&EXAMPLE.replace(
            "region = \"us-east-1\"\n",
            "region = \"us-east-1\"\nlinking = \"all\"\n",
        ))
        .unwrap();
        assert_eq!(
            all.aggregator.as_ref().unwrap().linking.mode(),
            "ALL_REGIONS"
        );
        assert_eq!(all.linked_regions().len(), 2);
        let except = parse(&EXAMPLE.replace(
            "region = \"us-east-1\"\n",
            "region = \"us-east-1\"\nlinking = \"all-except\"\nregions = [\"eu-west-1\"]\n",
        ))
        .unwrap();
        assert_eq!(except.linked_regions(), ["ap-southeast-2"]);
        let bad = parse(&EXAMPLE.replace(
            "region = \"us-east-1\"\n",
            "region = \"us-east-1\"\nlinking = \"all\"\nregions = [\"eu-west-1\"]\n",
        ))
        .unwrap_err();
        assert_eq!(bad.field, "aggregator.regions");
        let itself = parse(&EXAMPLE.replace(
            "region = \"us-east-1\"\n",
            "region = \"us-east-1\"\nregions = [\"us-east-1\"]\n",
        ))
        .unwrap_err();
        assert!(
            itself.message.contains("aggregation region itself"),
            "{itself}"
        );
    }

    #[test]
    fn the_members_csv_is_read_beside_the_file() {
        let dir = std::env::temp_dir().join(format!("hubfix-setup-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("hubfix-setup.toml");
        let text =
            format!("{EXAMPLE}\n[invited]\ncsv = \"members.csv\"\nrole = \"hubfix-remediation\"\n");
        std::fs::write(&file, &text).unwrap();
        std::fs::write(
            dir.join("members.csv"),
            "Account ID,Email\n444444444444,sec@example.com\n",
        )
        .unwrap();
        let f = Foundation::load(&file).unwrap();
        assert_eq!(f.invited[0].account, "444444444444");
        assert_eq!(f.invited_role.as_deref(), Some("hubfix-remediation"));

        std::fs::write(
            dir.join("members.csv"),
            "Account ID,Email\n444444444444,sec@example.com\n4444,x@y.z\n",
        )
        .unwrap();
        let err = Foundation::load(&file).unwrap_err();
        assert_eq!(err.file, dir.join("members.csv"));
        assert_eq!(err.line, Some(3));
        assert!(
            err.to_string()
                .contains("members.csv:3: row: `4444` is not a 12-digit"),
            "{err}"
        );

        std::fs::write(dir.join("members.csv"), "111111111111,mgmt@example.com\n").unwrap();
        let err = Foundation::load(&file).unwrap_err();
        assert!(err.message.contains("outside the organisation"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_example_in_the_repository_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/hubfix-setup.example.toml");
        let f = Foundation::load(&path).unwrap();
        assert_eq!(f.invited.len(), 2);
        assert_eq!(f.standards.len(), 4);
        assert_eq!(
            f.tamper_protection.unwrap().exempt_roles,
            ["hubfix-break-glass"]
        );
    }

    #[test]
    fn foundations_round_trip_as_json() {
        let f = parse(EXAMPLE).unwrap();
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Foundation>(&json).unwrap(), f);
    }
}
