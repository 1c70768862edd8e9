//! AWS SDK clients, built from `aws-config` so that the same code runs against AWS and
//! against the local emulator (`AWS_ENDPOINT_URL`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::OnceCell;

use crate::error::FixError;
use crate::remediate::is_account_id;

/// Attempts per API call, throttling included (the SDK backs off with jitter).
pub const MAX_ATTEMPTS: u32 = 5;

/// The SDK configuration loader with hubfix's retry settings; region, credentials and
/// `AWS_ENDPOINT_URL` come from the environment unless set on the loader.
pub fn config_loader() -> ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
}

/// Loads the shared SDK configuration from the environment.
pub async fn load_config() -> SdkConfig {
    config_loader().load().await
}

/// The service clients hubfix uses in one account and region.
#[derive(Debug, Clone)]
pub struct Clients {
    /// Security Hub.
    pub securityhub: aws_sdk_securityhub::Client,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// S3 Control (account-level settings).
    pub s3control: aws_sdk_s3control::Client,
    /// EC2 and VPC.
    pub ec2: aws_sdk_ec2::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// IAM Access Analyzer.
    pub accessanalyzer: aws_sdk_accessanalyzer::Client,
    /// STS.
    pub sts: aws_sdk_sts::Client,
}

impl Clients {
    /// Builds every client from one configuration. Under an endpoint override S3 uses
    /// path-style addressing and S3 Control keeps the configured host.
    pub fn new(config: &SdkConfig) -> Self {
        let mut s3 = aws_sdk_s3::config::Builder::from(config);
        let mut s3control = aws_sdk_s3control::config::Builder::from(config);
        if let Some(endpoint) = config.endpoint_url() {
            s3 = s3.force_path_style(true);
            s3control = s3control.interceptor(S3ControlHostFix::new(endpoint));
        }
        Clients {
            securityhub: aws_sdk_securityhub::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            s3control: aws_sdk_s3control::Client::from_conf(s3control.build()),
            ec2: aws_sdk_ec2::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            accessanalyzer: aws_sdk_accessanalyzer::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
        }
    }
}

/// S3 Control puts the account id in the host name (`<account>.<endpoint host>`), which
/// does not resolve for a local endpoint. Used only under an endpoint override, this
/// interceptor sends the request to the configured host; the account id still travels
/// in the `x-amz-account-id` header.
#[derive(Debug, Clone)]
pub struct S3ControlHostFix {
    authority: String,
}

impl S3ControlHostFix {
    /// For the endpoint URL the clients were configured with.
    pub fn new(endpoint_url: &str) -> Self {
        S3ControlHostFix {
            authority: authority_of(endpoint_url).to_owned(),
        }
    }

    /// The request URI with the account-id prefix removed, when it has one.
    pub fn rewrite(&self, uri: &str) -> Option<String> {
        let (scheme, rest) = uri.split_once("://")?;
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (prefix, remainder) = host.split_once('.')?;
        (is_account_id(prefix) && remainder == self.authority)
            .then(|| format!("{scheme}://{remainder}{path}"))
    }
}

impl Intercept for S3ControlHostFix {
    fn name(&self) -> &'static str {
        "S3ControlHostFix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        if let Some(uri) = self.rewrite(request.uri()) {
            request.set_uri(uri)?;
        }
        Ok(())
    }
}

fn authority_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// Clients per region of the home account (the one hubfix's own credentials belong
/// to), created once and shared.
#[derive(Debug)]
pub struct AwsContext {
    base: SdkConfig,
    home: Arc<Clients>,
    home_account: OnceCell<String>,
    regional: Mutex<HashMap<String, Arc<Clients>>>,
}

impl AwsContext {
    /// From a loaded configuration.
    pub fn new(base: SdkConfig) -> Self {
        AwsContext {
            home: Arc::new(Clients::new(&base)),
            base,
            home_account: OnceCell::new(),
            regional: Mutex::new(HashMap::new()),
        }
    }

    /// The clients of hubfix's own account and region (Security Hub updates go here).
    pub fn home(&self) -> &Clients {
        &self.home
    }

    /// The region hubfix runs in.
    pub fn home_region(&self) -> Option<&str> {
        self.base.region().map(Region::as_ref)
    }

    /// hubfix's own account id (STS `GetCallerIdentity`, asked once).
    pub async fn home_account(&self) -> Result<&str, FixError> {
        self.home_account
            .get_or_try_init(|| async {
                let out = self
                    .home
                    .sts
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| FixError::from_sdk("sts:GetCallerIdentity", "caller", &[], e))?;
                out.account().map(str::to_owned).ok_or_else(|| {
                    FixError::Unreachable("STS returned no account for hubfix's credentials".into())
                })
            })
            .await
            .map(String::as_str)
    }

    /// The clients to fix a resource in `account` and `region`.
    pub async fn clients_for(&self, account: &str, region: &str) -> Result<Arc<Clients>, FixError> {
        let home = self.home_account().await?;
        if account != home {
            return Err(FixError::Unreachable(format!(
                "the resource is in account {account}, and hubfix runs in {home}; cross-account remediation needs a member role (not configured)"
            )));
        }
        if self.home_region() == Some(region) {
            return Ok(self.home.clone());
        }
        let mut cache = self.regional.lock().unwrap_or_else(|p| p.into_inner());
        let clients = cache.entry(region.to_owned()).or_insert_with(|| {
            let config = self
                .base
                .to_builder()
                .region(Region::new(region.to_owned()))
                .build();
            Arc::new(Clients::new(&config))
        });
        Ok(clients.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3control_host_is_rewritten_only_under_the_override() {
        let fix = S3ControlHostFix::new("http://127.0.0.1:4566");
        assert_eq!(
            fix.rewrite(
                "http://123456789012.127.0.0.1:4566/v20180820/configuration/publicAccessBlock"
            )
            .as_deref(),
            Some("http://127.0.0.1:4566/v20180820/configuration/publicAccessBlock")
        );
        assert_eq!(fix.rewrite("http://127.0.0.1:4566/v20180820/x"), None);
        assert_eq!(
            fix.rewrite("https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/x"),
            None
        );
        assert_eq!(fix.rewrite("http://evil.127.0.0.1:4566/"), None);
    }

    #[test]
    fn authority_of_urls() {
        assert_eq!(authority_of("http://localhost:5000/"), "localhost:5000");
        assert_eq!(authority_of("https://example.com"), "example.com");
    }
}
