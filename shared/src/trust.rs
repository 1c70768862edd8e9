//! Product trust: which findings may reach a rule.
//!
//! Any principal allowed `securityhub:BatchImportFindings` in an account can import a
//! finding that looks like a Security Hub control finding for a resource of that
//! account (a third-party tool, a custom integration, an attacker holding that one
//! permission). hubfix fixes with a role far broader than that permission, so it acts
//! only on findings of products it can trust:
//!
//! - **Security Hub's own control findings**: `ProductArn`
//!   `arn:<partition>:securityhub:<region>::product/aws/securityhub`. Security Hub
//!   alone writes findings of that product: `BatchImportFindings` accepts a finding
//!   only for the caller's own default product or for a partner integration the
//!   account subscribed to.
//! - **hubfix's CIS gap scanner** ([`crate::scan`]): the scanned account's default
//!   product in hubfix's home region, a `hubfix/cis-aws-foundations-benchmark/...`
//!   generator of one of the scanner's requirements, that requirement's control, in
//!   an account and regions the scanner covers ([`TrustSettings`]). Anyone allowed
//!   `BatchImportFindings` in such an account can forge one; what it can make hubfix
//!   do is bounded: one of the scanner's own controls, on a resource the rule reads
//!   first and changes only when the live resource fails the control, which is what
//!   the scanner's next run would ask for anyway ("Which findings hubfix trusts" in
//!   docs/findings.md weighs this against signing scanner findings).
//! - **Products on the allow-list** (`HUBFIX_TRUSTED_PRODUCTS`): exact product ARNs an
//!   organisation uses to import its own control findings.
//!
//! - **GuardDuty's, Macie's, Inspector's and IAM Access Analyzer's findings**
//!   (`product/aws/guardduty`, `.../macie`, `.../inspector`, `.../access-analyzer`: only
//!   the integration writes its own product), for a threat playbook only: the engine
//!   sends them to the playbook their type names ([`crate::threat`]), never to a
//!   control's rule.
//!
//! Findings of AWS's other integrations (Firewall Manager, Health, ...) are
//! refused, and cannot be allow-listed. The custom actions that run one rule on the
//! finding's resource (`IsolateInstance`, `Contain`, `Quarantine`) are not gated here:
//! an analyst chose them on a finding in their own hub.

use std::fmt;

use crate::aws::AwsContext;
use crate::finding::{quoted, Finding, MAX_QUOTED_CHARS};
use crate::ids::is_account_id;
use crate::ids::is_region;
use crate::ids::partition_of;
use crate::ids::Arn;
use crate::scan::findings::GENERATOR_PREFIX;
use crate::scan::requirements::{requirement, Requirement, Scope};
use crate::settings::ConfigError;

/// Environment variable: further product ARNs whose control findings hubfix acts on
/// (comma-separated, exact ARNs, one per region).
pub const ENV_TRUSTED_PRODUCTS: &str = "HUBFIX_TRUSTED_PRODUCTS";
/// Environment variable shared with the scanner: the accounts it scans (empty: hubfix's
/// own), so the accounts whose scanner findings hubfix trusts.
pub const ENV_SCAN_ACCOUNTS: &str = "HUBFIX_SCAN_ACCOUNTS";
/// Environment variable shared with the scanner: the regions of its regional
/// requirements (empty: hubfix's own region).
pub const ENV_SCAN_REGIONS: &str = "HUBFIX_SCAN_REGIONS";

/// The product part of Security Hub's own product ARN.
pub const SECURITY_HUB_PRODUCT: &str = "product/aws/securityhub";
/// The company part of the product ARNs of AWS's own integrations.
const AWS_COMPANY: &str = "aws";

/// What decides trust besides the finding: the allow-list and the scanner's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustSettings {
    /// Product ARNs trusted besides Security Hub's own (exact ARNs).
    pub trusted_products: Vec<String>,
    /// The accounts the CIS gap scanner scans; empty: hubfix's own account.
    pub scan_accounts: Vec<String>,
    /// The regions of the scanner's regional requirements; empty: hubfix's region.
    pub scan_regions: Vec<String>,
}

fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl TrustSettings {
    /// Reads the allow-list and the scanner's scope from a key/value source (the
    /// environment); a value hubfix cannot use is a [`ConfigError`] naming it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bad = |variable: &'static str, reason: String| ConfigError { variable, reason };
        let trusted_products = list(lookup(ENV_TRUSTED_PRODUCTS));
        for arn in &trusted_products {
            let shown = quoted(arn, MAX_QUOTED_CHARS);
            let product = ProductArn::parse(arn)
                .ok_or_else(|| bad(ENV_TRUSTED_PRODUCTS, format!("`{shown}` is not a Security Hub product ARN (arn:<partition>:securityhub:<region>:<account or empty>:product/<company>/<product>)")))?;
            if product.company == AWS_COMPANY {
                return Err(bad(
                    ENV_TRUSTED_PRODUCTS,
                    format!("`{shown}` is an AWS integration: Security Hub's own control findings are always trusted, and AWS's other integrations (GuardDuty, Inspector, Macie, ...) send threat and vulnerability findings, which no rule fixes"),
                ));
            }
        }
        let scan_accounts = list(lookup(ENV_SCAN_ACCOUNTS));
        if let Some(a) = scan_accounts.iter().find(|a| !is_account_id(a)) {
            let shown = quoted(a, MAX_QUOTED_CHARS);
            return Err(bad(
                ENV_SCAN_ACCOUNTS,
                format!("`{shown}` is not a 12-digit account id"),
            ));
        }
        let scan_regions = list(lookup(ENV_SCAN_REGIONS));
        if let Some(r) = scan_regions.iter().find(|r| !is_region(r)) {
            let shown = quoted(r, MAX_QUOTED_CHARS);
            return Err(bad(
                ENV_SCAN_REGIONS,
                format!("`{shown}` is not a region name"),
            ));
        }
        Ok(TrustSettings {
            trusted_products,
            scan_accounts,
            scan_regions,
        })
    }
}

/// The parts of a Security Hub product ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductArn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: &'a str,
    /// The region the finding was imported in.
    pub region: &'a str,
    /// The account of an account's own product (`product/<account>/default`); empty
    /// for AWS's and partners' products.
    pub account: &'a str,
    /// `aws` for AWS's integrations, the account id for a default product, else the
    /// partner.
    pub company: &'a str,
    /// The product's name (`securityhub`, `guardduty`, `default`, ...).
    pub name: &'a str,
}

impl<'a> ProductArn<'a> {
    /// Parses `arn:<partition>:securityhub:<region>:<account>:product/<company>/<name>`,
    /// whose region belongs to its partition.
    pub fn parse(arn: &'a str) -> Option<ProductArn<'a>> {
        let parts = Arn::parse(arn)?;
        let (company, name) = parts.resource.strip_prefix("product/")?.split_once('/')?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        (parts.service == "securityhub"
            && is_region(parts.region)
            && partition_of(parts.region) == parts.partition
            && (parts.account.is_empty() || is_account_id(parts.account))
            && plain(company)
            && plain(name))
        .then_some(ProductArn {
            partition: parts.partition,
            region: parts.region,
            account: parts.account,
            company,
            name,
        })
    }

    /// Security Hub's own product.
    pub fn is_security_hub(&self) -> bool {
        self.account.is_empty() && self.company == AWS_COMPANY && self.name == "securityhub"
    }

    /// An account's own default product, `product/<account>/default` in that account.
    pub fn is_default_of(&self, account: &str) -> bool {
        self.account == account && self.company == account && self.name == "default"
    }
}

/// Why hubfix trusts a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trusted {
    /// A control finding of Security Hub itself.
    SecurityHub,
    /// A finding of hubfix's CIS gap scanner, for this CIS v1.4.0 requirement.
    Scanner {
        /// The requirement's number, e.g. `1.13`.
        requirement: &'static str,
    },
    /// A product of `HUBFIX_TRUSTED_PRODUCTS`.
    AllowListed,
    /// A threat finding of an AWS integration a playbook can answer.
    Integration(crate::remediate::playbook::Integration),
}

/// Why hubfix does not act on a finding's product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untrusted {
    /// The `ProductArn` is not a Security Hub product ARN.
    MalformedProduct {
        /// The ARN ([`quoted`]).
        product: String,
    },
    /// A finding of another AWS integration (GuardDuty, Inspector, Macie, ...).
    AwsIntegration {
        /// The ARN ([`quoted`]).
        product: String,
        /// The integration, e.g. `guardduty`.
        name: String,
    },
    /// A third party's or a custom integration's product, not on the allow-list.
    OtherProduct {
        /// The ARN ([`quoted`]).
        product: String,
    },
    /// A finding that claims to come from hubfix's CIS gap scanner but does not match
    /// how the scanner reports.
    NotTheScanner {
        /// What does not match.
        reason: String,
    },
}

impl fmt::Display for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Untrusted::MalformedProduct { product } => write!(
                f,
                "its ProductArn `{product}` is not a Security Hub product ARN"
            ),
            Untrusted::AwsIntegration { product, name } => write!(
                f,
                "it is a finding of AWS's {} integration (`{product}`), not a control finding, and no hubfix playbook answers that integration's findings: hubfix fixes Security Hub control findings and answers GuardDuty's, Macie's, Inspector's and IAM Access Analyzer's; an analyst can contain an instance it names with the Contain or IsolateInstance action",
                integration_name(name),
            ),
            Untrusted::OtherProduct { product } => write!(
                f,
                "its product `{product}` is not one hubfix trusts: hubfix acts on Security Hub's own control findings, on its CIS gap scanner's and on the products of HUBFIX_TRUSTED_PRODUCTS"
            ),
            Untrusted::NotTheScanner { reason } => write!(
                f,
                "it claims to come from hubfix's CIS gap scanner, but {reason}"
            ),
        }
    }
}

/// How AWS calls one of its integrations, from its product name.
fn integration_name(name: &str) -> &str {
    match name {
        "guardduty" => "GuardDuty",
        "inspector" => "Inspector",
        "macie" => "Macie",
        "access-analyzer" => "IAM Access Analyzer",
        "firewall-manager" => "Firewall Manager",
        "health" => "Health",
        "config" => "Config",
        other => other,
    }
}

/// Most characters of a product ARN a note quotes (a default product's ARN is about
/// 70 characters; notes hold 512).
const MAX_PRODUCT_CHARS: usize = 2 * MAX_QUOTED_CHARS;

impl Untrusted {
    /// The note recorded on the finding.
    pub fn note(&self) -> String {
        format!("hubfix did not act on this finding: {self}; nothing changed.")
    }
}

/// Where hubfix runs: its own account and region, where the scanner imports findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Home<'a> {
    /// hubfix's account, when known.
    pub account: Option<&'a str>,
    /// hubfix's region, when known.
    pub region: Option<&'a str>,
}

/// Whether a finding claims to come from hubfix's CIS gap scanner (its generator), so
/// that deciding needs hubfix's own account.
pub fn claims_scanner(finding: &Finding) -> bool {
    finding
        .generator_id
        .as_deref()
        .is_some_and(|g| g.starts_with(GENERATOR_PREFIX))
}

/// Decides whether hubfix may act on a finding's control, from its product.
pub fn check(
    finding: &Finding,
    settings: &TrustSettings,
    home: &Home<'_>,
) -> Result<Trusted, Untrusted> {
    let shown = quoted(&finding.product_arn, MAX_PRODUCT_CHARS);
    let Some(product) = ProductArn::parse(&finding.product_arn) else {
        return Err(Untrusted::MalformedProduct { product: shown });
    };
    if product.is_security_hub() {
        return Ok(Trusted::SecurityHub);
    }
    if settings.trusted_products.contains(&finding.product_arn) {
        return Ok(Trusted::AllowListed);
    }
    if product.company == AWS_COMPANY && product.account.is_empty() {
        if let Some(integration) =
            crate::remediate::playbook::Integration::of_product_name(product.name)
        {
            return Ok(Trusted::Integration(integration));
        }
        return Err(Untrusted::AwsIntegration {
            product: shown,
            name: product.name.to_owned(),
        });
    }
    if claims_scanner(finding) {
        return scanner(finding, &product, settings, home).map(|r| Trusted::Scanner {
            requirement: r.cis_140,
        });
    }
    Err(Untrusted::OtherProduct { product: shown })
}

/// A finding of hubfix's CIS gap scanner: the account's default product in hubfix's
/// region, in an account and regions the scanner covers, with the control the
/// scanner reports for its requirement.
fn scanner(
    finding: &Finding,
    product: &ProductArn<'_>,
    settings: &TrustSettings,
    home: &Home<'_>,
) -> Result<&'static Requirement, Untrusted> {
    let refuse = |reason: String| Err(Untrusted::NotTheScanner { reason });
    let generator = finding.generator_id.as_deref().unwrap_or_default();
    let number = generator.strip_prefix(GENERATOR_PREFIX).unwrap_or_default();
    let Some(req) = requirement(number) else {
        return refuse(format!(
            "the scanner has no requirement `{}`",
            quoted(number, MAX_QUOTED_CHARS)
        ));
    };
    let account = finding.account().unwrap_or_default();
    if !product.is_default_of(account) {
        return refuse(format!(
            "its product `{}` is not the default product of its account `{}`",
            quoted(&finding.product_arn, MAX_PRODUCT_CHARS),
            quoted(account, MAX_QUOTED_CHARS)
        ));
    }
    let scanned = if settings.scan_accounts.is_empty() {
        home.account == Some(account)
    } else {
        settings.scan_accounts.iter().any(|a| a == account)
    };
    if !scanned {
        return refuse(format!(
            "the scanner does not scan account {account} (HUBFIX_SCAN_ACCOUNTS, else hubfix's own account)"
        ));
    }
    let Some(home_region) = home.region else {
        return refuse("hubfix's own region is unknown (set AWS_REGION)".into());
    };
    if product.region != home_region {
        return refuse(format!(
            "it was imported in {}, and the scanner imports in hubfix's region {home_region}",
            product.region
        ));
    }
    if let Some(control) = finding
        .compliance
        .as_ref()
        .and_then(|c| c.security_control_id.as_deref())
        .map(str::trim)
        .filter(|c| *c != req.control_id)
    {
        return refuse(format!(
            "it names control `{}` and the scanner reports requirement {} as {}",
            quoted(control, MAX_QUOTED_CHARS),
            req.cis_140,
            req.control_id
        ));
    }
    let regions: Vec<&str> = if settings.scan_regions.is_empty() || req.scope == Scope::Account {
        vec![home_region]
    } else {
        settings.scan_regions.iter().map(String::as_str).collect()
    };
    if let Some(outside) = finding
        .resources
        .iter()
        .filter_map(|r| r.region.as_deref())
        .find(|r| !regions.contains(r))
    {
        return refuse(format!(
            "it names a resource in {}, where the scanner does not check requirement {}",
            quoted(outside, MAX_QUOTED_CHARS),
            req.cis_140
        ));
    }
    Ok(req)
}

/// [`check`] with hubfix's own account and region from its AWS context; the account is
/// asked for (STS, once per cold start, unless `HUBFIX_HOME_ACCOUNT` is set) only for
/// findings that claim to come from the scanner.
pub async fn gate(
    finding: &Finding,
    settings: &TrustSettings,
    aws: &AwsContext,
) -> Result<Trusted, Untrusted> {
    let account = if claims_scanner(finding) {
        aws.home_account().await.ok()
    } else {
        None
    };
    let home = Home {
        account,
        region: aws.home_region(),
    };
    let verdict = check(finding, settings, &home);
    if let Err(why) = &verdict {
        tracing::warn!(
            finding_id = %quoted(&finding.id, 2 * MAX_QUOTED_CHARS),
            product = %quoted(&finding.product_arn, 2 * MAX_QUOTED_CHARS),
            reason = %why,
            "finding of an untrusted product: no rule runs on it"
        );
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::parse_finding;
    use serde_json::{json, Value};

    const HOME: Home<'static> = Home {
        account: Some("123456789012"),
        region: Some("us-east-1"),
    };

    fn finding(product: &str, extra: Value) -> Finding {
        let mut f = json!({
            "Id": "f-1", "ProductArn": product, "AwsAccountId": "123456789012",
            "Region": "us-east-1", "GeneratorId": "security-control/S3.8",
            "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b", "Region": "us-east-1"}]
        });
        for (k, v) in extra.as_object().unwrap() {
            f[k] = v.clone();
        }
        parse_finding(0, &f).unwrap()
    }

    fn scanner_finding(account: &str, region: &str, requirement: &str, control: &str) -> Finding {
        finding(
            &format!("arn:aws:securityhub:{region}:{account}:product/{account}/default"),
            json!({
                "AwsAccountId": account,
                "GeneratorId": format!("{GENERATOR_PREFIX}{requirement}"),
                "Compliance": {"Status": "FAILED", "SecurityControlId": control},
                "Resources": [{"Type": "AwsIamUser", "Id": format!("arn:aws:iam::{account}:user/alice"),
                    "Region": region}]
            }),
        )
    }

    #[test]
    fn security_hubs_own_findings_are_trusted_in_every_partition() {
        for product in [
            "arn:aws:securityhub:us-east-1::product/aws/securityhub",
            "arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/securityhub",
            "arn:aws-cn:securityhub:cn-north-1::product/aws/securityhub",
        ] {
            let f = finding(product, json!({}));
            assert_eq!(
                check(&f, &TrustSettings::default(), &Home::default()),
                Ok(Trusted::SecurityHub),
                "{product}"
            );
        }
    }

    #[test]
    fn guardduty_and_macie_are_trusted_for_their_playbooks() {
        use crate::remediate::playbook::Integration;
        for (product, integration) in [
            (
                "arn:aws:securityhub:us-east-1::product/aws/guardduty",
                Integration::GuardDuty,
            ),
            (
                "arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/macie",
                Integration::Macie,
            ),
        ] {
            assert_eq!(
                check(
                    &finding(product, json!({})),
                    &TrustSettings::default(),
                    &HOME
                ),
                Ok(Trusted::Integration(integration)),
                "{product}"
            );
        }
        let own_guardduty =
            "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/guardduty";
        assert!(check(
            &finding(own_guardduty, json!({})),
            &TrustSettings::default(),
            &HOME
        )
        .is_err());
    }

    #[test]
    fn other_products_are_refused_with_the_reason() {
        let settings = TrustSettings::default();
        let cases = [
            (
                "arn:aws:securityhub:us-east-1::product/aws/health",
                "a finding of AWS's Health integration",
            ),
            (
                "arn:aws:securityhub:us-east-1::product/aws/firewall-manager",
                "a finding of AWS's Firewall Manager integration",
            ),
            (
                "arn:aws:securityhub:eu-west-1::product/prowler/prowler",
                "is not one hubfix trusts",
            ),
            (
                "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
                "is not one hubfix trusts",
            ),
            (
                "arn:aws:securityhub:us-east-1::product/aws/securityhub/extra",
                "is not a Security Hub product ARN",
            ),
            ("p", "is not a Security Hub product ARN"),
            (
                "arn:aws:securityhub:cn-north-1::product/aws/securityhub",
                "is not a Security Hub product ARN",
            ),
            (
                "arn:aws:s3:us-east-1::product/aws/securityhub",
                "is not a Security Hub product ARN",
            ),
        ];
        for (product, why) in cases {
            let err = check(&finding(product, json!({})), &settings, &HOME).unwrap_err();
            assert!(err.to_string().contains(why), "{product}: {err}");
            assert!(err
                .note()
                .starts_with("hubfix did not act on this finding: "));
        }
    }

    #[test]
    fn the_allow_list_admits_exact_product_arns_only() {
        let own = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
        let settings = TrustSettings::from_lookup(|k| {
            (k == ENV_TRUSTED_PRODUCTS).then(|| format!(" {own} ,"))
        })
        .unwrap();
        assert_eq!(
            check(&finding(own, json!({})), &settings, &HOME),
            Ok(Trusted::AllowListed)
        );
        let other_region = own.replace("us-east-1", "eu-west-1");
        assert!(check(&finding(&other_region, json!({})), &settings, &HOME).is_err());
    }

    #[test]
    fn aws_integrations_and_garbage_cannot_be_allow_listed() {
        for (value, why) in [
            (
                "arn:aws:securityhub:us-east-1::product/aws/guardduty",
                "AWS integration",
            ),
            (
                "arn:aws:securityhub:us-east-1::product/aws/securityhub",
                "always trusted",
            ),
            ("prowler/prowler", "not a Security Hub product ARN"),
            (
                "arn:aws:securityhub:us-east-1::product/*/*",
                "not a Security Hub product ARN",
            ),
        ] {
            let err = TrustSettings::from_lookup(|k| {
                (k == ENV_TRUSTED_PRODUCTS).then(|| value.to_owned())
            })
            .unwrap_err();
            assert_eq!(err.variable, ENV_TRUSTED_PRODUCTS);
            assert!(err.reason.contains(why), "{value}: {}", err.reason);
        }
        let err = TrustSettings::from_lookup(|k| (k == ENV_SCAN_ACCOUNTS).then(|| "12".into()))
            .unwrap_err();
        assert_eq!(err.variable, ENV_SCAN_ACCOUNTS);
    }

    #[test]
    fn the_scanners_findings_are_trusted_only_as_the_scanner_reports() {
        let settings = TrustSettings::default();
        let genuine = scanner_finding("123456789012", "us-east-1", "1.13", "CIS.1.13");
        assert_eq!(
            check(&genuine, &settings, &HOME),
            Ok(Trusted::Scanner {
                requirement: "1.13"
            })
        );
        let refused = |f: &Finding, settings: &TrustSettings, why: &str| {
            let err = check(f, settings, &HOME).unwrap_err();
            assert!(
                matches!(err, Untrusted::NotTheScanner { .. }),
                "{why}: {err}"
            );
            assert!(err.to_string().contains(why), "{err}");
        };
        refused(
            &scanner_finding("123456789012", "us-east-1", "1.13", "S3.8"),
            &settings,
            "names control `S3.8`",
        );
        refused(
            &scanner_finding("123456789012", "us-east-1", "9.99", "CIS.1.13"),
            &settings,
            "no requirement `9.99`",
        );
        refused(
            &scanner_finding("222222222222", "us-east-1", "1.13", "CIS.1.13"),
            &settings,
            "does not scan account 222222222222",
        );
        refused(
            &scanner_finding("123456789012", "eu-west-1", "1.13", "CIS.1.13"),
            &settings,
            "imported in eu-west-1",
        );
        let mut other_account = scanner_finding("123456789012", "us-east-1", "1.13", "CIS.1.13");
        other_account.product_arn =
            "arn:aws:securityhub:us-east-1:123456789012:product/222222222222/default".into();
        refused(&other_account, &settings, "is not the default product");
        let members = TrustSettings {
            scan_accounts: vec!["222222222222".into()],
            ..TrustSettings::default()
        };
        assert!(check(
            &scanner_finding("222222222222", "us-east-1", "1.13", "CIS.1.13"),
            &members,
            &HOME
        )
        .is_ok());
        refused(
            &scanner_finding("123456789012", "us-east-1", "1.13", "CIS.1.13"),
            &members,
            "does not scan account 123456789012",
        );
        let mut far_group = scanner_finding("123456789012", "us-east-1", "5.2", "EC2.53");
        far_group.resources[0].region = Some("ap-south-1".into());
        refused(&far_group, &settings, "resource in ap-south-1");
        let regions = TrustSettings {
            scan_regions: vec!["us-east-1".into(), "ap-south-1".into()],
            ..TrustSettings::default()
        };
        assert!(check(&far_group, &regions, &HOME).is_ok());
    }

    #[test]
    fn without_a_known_home_a_scanner_finding_is_refused() {
        let f = scanner_finding("123456789012", "us-east-1", "1.13", "CIS.1.13");
        let err = check(&f, &TrustSettings::default(), &Home::default()).unwrap_err();
        assert!(err.to_string().contains("does not scan account"), "{err}");
        let region_unknown = Home {
            account: HOME.account,
            region: None,
        };
        let err = check(&f, &TrustSettings::default(), &region_unknown).unwrap_err();
        assert!(err.to_string().contains("region is unknown"), "{err}");
    }

    #[test]
    fn hostile_product_arns_are_quoted_in_the_note() {
        let f = finding(
            &format!("arn:aws:x:\u{1b}[31m{}", "a".repeat(500)),
            json!({}),
        );
        let note = check(&f, &TrustSettings::default(), &HOME)
            .unwrap_err()
            .note();
        assert!(!note.chars().any(char::is_control), "{note}");
        assert!(note.chars().count() < 320, "{note}");
    }
}
