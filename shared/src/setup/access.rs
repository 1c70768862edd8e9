//! How `hubfix setup` and the drift guard reach each account: the caller's own account
//! with its own credentials, organisation accounts through the organisation role,
//! invited accounts through their member role. A role that cannot be assumed is an
//! error naming the account and the role, checked before any call is made with it.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::ids::partition_of;
use crate::settings::MemberRole;

/// Which role reaches an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// An account of the organisation.
    Organization,
    /// An account outside it, invited.
    Invited,
}

/// SDK configurations per account and region, built once.
#[derive(Debug)]
pub struct Access {
    base: SdkConfig,
    caller: String,
    organization_role: Option<MemberRole>,
    invited_role: Option<MemberRole>,
    cache: Mutex<HashMap<(String, String), SdkConfig>>,
}

impl Access {
    /// From the caller's configuration and account, and the roles to other accounts.
    pub fn new(
        base: SdkConfig,
        caller: &str,
        organization_role: Option<MemberRole>,
        invited_role: Option<MemberRole>,
    ) -> Self {
        Access {
            base,
            caller: caller.to_owned(),
            organization_role,
            invited_role,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The account whose credentials run hubfix.
    pub fn caller(&self) -> &str {
        &self.caller
    }

    /// The configuration to act in `account` and `region`.
    pub async fn config(&self, account: &str, region: &str, via: Via) -> Result<SdkConfig, String> {
        let key = (account.to_owned(), region.to_owned());
        if let Some(config) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(config.clone());
        }
        let mut builder = self.base.to_builder();
        builder.set_region(Some(Region::new(region.to_owned())));
        if account != self.caller {
            let role = match via {
                Via::Organization => self.organization_role.as_ref(),
                Via::Invited => self.invited_role.as_ref(),
            }
            .ok_or_else(|| {
                format!(
                    "account {account} is not the caller's ({}); name the role hubfix assumes there ({} in the setup file, or HUBFIX_MEMBER_ROLE_NAME)",
                    self.caller,
                    match via {
                        Via::Organization => "organization.role",
                        Via::Invited => "invited.role",
                    }
                )
            })?;
            let arn = format!(
                "arn:{}:iam::{account}:role/{}",
                partition_of(region),
                role.name
            );
            let mut assume = aws_config::sts::AssumeRoleProvider::builder(&arn)
                .session_name(format!("hubfix-setup-{}", self.caller))
                .configure(&self.base);
            if let Some(id) = &role.external_id {
                assume = assume.external_id(id);
            }
            let provider = assume.build().await;
            provider
                .provide_credentials()
                .await
                .map_err(|e| format!("could not assume {arn}: {}", DisplayErrorContext(&e)))?;
            builder.set_credentials_provider(Some(SharedCredentialsProvider::new(provider)));
        }
        let config = builder.build();
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, config.clone());
        Ok(config)
    }

    /// Security Hub in `account` and `region`.
    pub async fn securityhub(
        &self,
        account: &str,
        region: &str,
        via: Via,
    ) -> Result<aws_sdk_securityhub::Client, String> {
        Ok(aws_sdk_securityhub::Client::new(
            &self.config(account, region, via).await?,
        ))
    }

    /// AWS Config in `account` and `region`.
    pub async fn config_service(
        &self,
        account: &str,
        region: &str,
        via: Via,
    ) -> Result<aws_sdk_config::Client, String> {
        Ok(aws_sdk_config::Client::new(
            &self.config(account, region, via).await?,
        ))
    }

    /// Organizations in the management account (its endpoint is in the partition's
    /// first region).
    pub async fn organizations(
        &self,
        account: &str,
        partition: &str,
    ) -> Result<aws_sdk_organizations::Client, String> {
        let region = match partition {
            "aws-cn" => "cn-northwest-1",
            "aws-us-gov" => "us-gov-west-1",
            _ => "us-east-1",
        };
        Ok(aws_sdk_organizations::Client::new(
            &self.config(account, region, Via::Organization).await?,
        ))
    }
}
