//! What a setup file may name: Security Hub's standards and product integrations, by
//! the short names the file uses, with the ARNs Security Hub gives them in a region.
//!
//! Standards ARNs follow `DescribeStandards`: `arn:<partition>:securityhub:<region>::standards/<path>`,
//! except CIS v1.2.0, the oldest, which is `arn:<partition>:securityhub:::ruleset/<path>`
//! in every region. Product ARNs follow `DescribeProducts`:
//! `arn:<partition>:securityhub:<region>::product/<company>/<product>`.

use crate::ids::partition_of;

/// A standard Security Hub offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standard {
    /// The name a setup file uses, e.g. `cis-5.0`.
    pub name: &'static str,
    /// The path after `standards/` (or `ruleset/`) in the standard's ARN.
    pub path: &'static str,
    /// What Security Hub calls it.
    pub title: &'static str,
}

/// Every standard Security Hub offers, by the setup file's names.
pub const STANDARDS: &[Standard] = &[
    Standard {
        name: "fsbp",
        path: "aws-foundational-security-best-practices/v/1.0.0",
        title: "AWS Foundational Security Best Practices v1.0.0",
    },
    Standard {
        name: "cis-1.2",
        path: "cis-aws-foundations-benchmark/v/1.2.0",
        title: "CIS AWS Foundations Benchmark v1.2.0",
    },
    Standard {
        name: "cis-1.4",
        path: "cis-aws-foundations-benchmark/v/1.4.0",
        title: "CIS AWS Foundations Benchmark v1.4.0",
    },
    Standard {
        name: "cis-3.0",
        path: "cis-aws-foundations-benchmark/v/3.0.0",
        title: "CIS AWS Foundations Benchmark v3.0.0",
    },
    Standard {
        name: "cis-5.0",
        path: "cis-aws-foundations-benchmark/v/5.0.0",
        title: "CIS AWS Foundations Benchmark v5.0.0",
    },
    Standard {
        name: "pci-dss-3.2.1",
        path: "pci-dss/v/3.2.1",
        title: "PCI DSS v3.2.1",
    },
    Standard {
        name: "pci-dss-4.0.1",
        path: "pci-dss/v/4.0.1",
        title: "PCI DSS v4.0.1",
    },
    Standard {
        name: "nist-800-53",
        path: "nist-800-53/v/5.0.0",
        title: "NIST SP 800-53 Revision 5",
    },
    Standard {
        name: "nist-800-171",
        path: "nist-800-171/v/2.0.0",
        title: "NIST SP 800-171 Revision 2",
    },
    Standard {
        name: "tagging",
        path: "aws-resource-tagging-standard/v/1.0.0",
        title: "AWS Resource Tagging Standard v1.0.0",
    },
];

/// The one standard whose ARN is a region-less `ruleset`.
const RULESET: &str = "cis-aws-foundations-benchmark/v/1.2.0";

impl Standard {
    /// The standard named `name` in a setup file.
    pub fn named(name: &str) -> Option<&'static Standard> {
        STANDARDS.iter().find(|s| s.name == name)
    }

    /// The standard an ARN (of any region and partition), or a subscription ARN
    /// (`...:<account>:subscription/<path>`), is about.
    pub fn of_arn(arn: &str) -> Option<&'static Standard> {
        let path = arn
            .split_once(":standards/")
            .or_else(|| arn.split_once(":ruleset/"))
            .or_else(|| arn.split_once(":subscription/"))?
            .1;
        STANDARDS.iter().find(|s| s.path == path)
    }

    /// The standard's ARN in `region`.
    pub fn arn(&self, region: &str) -> String {
        let partition = partition_of(region);
        if self.path == RULESET {
            format!("arn:{partition}:securityhub:::ruleset/{}", self.path)
        } else {
            format!(
                "arn:{partition}:securityhub:{region}::standards/{}",
                self.path
            )
        }
    }

    /// The names a setup file may use, for error messages.
    pub fn names() -> String {
        STANDARDS
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An AWS product integration Security Hub can import findings from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    /// The name a setup file uses, e.g. `guardduty`.
    pub name: &'static str,
    /// `<company>/<product>` in the product ARN.
    pub path: &'static str,
}

/// AWS's own integrations, by the setup file's names; other products are named by ARN.
pub const PRODUCTS: &[Product] = &[
    Product {
        name: "guardduty",
        path: "aws/guardduty",
    },
    Product {
        name: "inspector",
        path: "aws/inspector",
    },
    Product {
        name: "macie",
        path: "aws/macie",
    },
    Product {
        name: "config",
        path: "aws/config",
    },
    Product {
        name: "access-analyzer",
        path: "aws/access-analyzer",
    },
    Product {
        name: "firewall-manager",
        path: "aws/firewall-manager",
    },
    Product {
        name: "health",
        path: "aws/health",
    },
    Product {
        name: "ssm-patch-manager",
        path: "aws/ssm-patch-manager",
    },
];

/// A product integration as a setup file names it: one of AWS's by name, or any
/// product by its ARN (the region in it is replaced by each hub region's).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProductRef {
    /// `<company>/<product>`.
    pub path: String,
}

impl ProductRef {
    /// From a setup file's entry; `None` when it is neither a known name nor a product ARN.
    pub fn parse(entry: &str) -> Option<ProductRef> {
        if let Some(p) = PRODUCTS.iter().find(|p| p.name == entry) {
            return Some(ProductRef {
                path: p.path.to_owned(),
            });
        }
        let rest = entry.strip_prefix("arn:")?;
        let mut parts = rest.splitn(5, ':');
        let (_partition, service, _region, account, resource) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        let path = resource.strip_prefix("product/")?;
        let (company, product) = path.split_once('/')?;
        let well_formed = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (service == "securityhub"
            && account.is_empty()
            && well_formed(company)
            && well_formed(product))
        .then(|| ProductRef {
            path: path.to_owned(),
        })
    }

    /// The product's ARN in `region`.
    pub fn arn(&self, region: &str) -> String {
        format!(
            "arn:{}:securityhub:{region}::product/{}",
            partition_of(region),
            self.path
        )
    }

    /// The product of a product ARN or of a product subscription ARN
    /// (`...:<account>:product-subscription/<company>/<product>`).
    pub fn of_arn(arn: &str) -> Option<ProductRef> {
        let path = arn
            .split_once(":product/")
            .or_else(|| arn.split_once(":product-subscription/"))?
            .1;
        path.contains('/').then(|| ProductRef {
            path: path.to_owned(),
        })
    }

    /// The names a setup file may use, for error messages.
    pub fn names() -> String {
        PRODUCTS
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for ProductRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match PRODUCTS.iter().find(|p| p.path == self.path) {
            Some(p) => f.write_str(p.name),
            None => f.write_str(&self.path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standards_have_the_arns_describe_standards_gives() {
        let cis5 = Standard::named("cis-5.0").unwrap();
        assert_eq!(
            cis5.arn("eu-west-1"),
            "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0"
        );
        assert_eq!(
            Standard::named("cis-1.2").unwrap().arn("eu-west-1"),
            "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
        );
        assert_eq!(
            Standard::named("fsbp").unwrap().arn("cn-north-1"),
            "arn:aws-cn:securityhub:cn-north-1::standards/aws-foundational-security-best-practices/v/1.0.0"
        );
        for s in STANDARDS {
            assert_eq!(Standard::of_arn(&s.arn("us-east-1")), Some(s));
        }
        assert_eq!(
            Standard::of_arn("arn:aws:securityhub:us-east-1::standards/x/v/1"),
            None
        );
        assert_eq!(
            Standard::of_arn(
                "arn:aws:securityhub:us-east-1:222222222222:subscription/pci-dss/v/3.2.1"
            )
            .map(|s| s.name),
            Some("pci-dss-3.2.1")
        );
        assert!(Standard::named("cis-9.0").is_none());
    }

    #[test]
    fn products_by_name_or_arn() {
        let gd = ProductRef::parse("guardduty").unwrap();
        assert_eq!(
            gd.arn("eu-west-1"),
            "arn:aws:securityhub:eu-west-1::product/aws/guardduty"
        );
        assert_eq!(gd.to_string(), "guardduty");
        let partner = ProductRef::parse(
            "arn:aws:securityhub:us-east-1::product/crowdstrike/crowdstrike-falcon",
        )
        .unwrap();
        assert_eq!(
            partner.arn("eu-west-1"),
            "arn:aws:securityhub:eu-west-1::product/crowdstrike/crowdstrike-falcon"
        );
        assert_eq!(partner.to_string(), "crowdstrike/crowdstrike-falcon");
        assert_eq!(
            ProductRef::of_arn(
                "arn:aws:securityhub:us-east-1:123456789012:product-subscription/aws/guardduty"
            ),
            Some(gd)
        );
        for bad in [
            "gaurdduty",
            "arn:aws:s3:::bucket",
            "arn:aws:securityhub:us-east-1:123456789012:product/x/y",
            "arn:aws:securityhub:us-east-1::product/only",
            "arn:aws:securityhub:us-east-1::product/a b/c",
        ] {
            assert_eq!(ProductRef::parse(bad), None, "{bad}");
        }
    }
}
