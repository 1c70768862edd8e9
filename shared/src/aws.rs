//! AWS SDK clients, built from `aws-config` so that the same code runs against AWS and
//! against the local emulator (`AWS_ENDPOINT_URL`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_sdk_ec2::types::SecurityGroup;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::OnceCell;

use crate::coalesce::Coalescer;
use crate::error::FixError;
use crate::policy::MemberRole;
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
    /// RDS.
    pub rds: aws_sdk_rds::Client,
    /// Lambda.
    pub lambda: aws_sdk_lambda::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// DynamoDB.
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// ECR.
    pub ecr: aws_sdk_ecr::Client,
    /// Secrets Manager.
    pub secretsmanager: aws_sdk_secretsmanager::Client,
    /// CodeBuild.
    pub codebuild: aws_sdk_codebuild::Client,
    /// Elastic Load Balancing (Application, Network and Gateway Load Balancers).
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    /// KMS.
    pub kms: aws_sdk_kms::Client,
    /// GuardDuty.
    pub guardduty: aws_sdk_guardduty::Client,
    /// AWS Config.
    pub config: aws_sdk_config::Client,
    /// CloudTrail.
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// CloudWatch (alarms).
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// CloudWatch Logs (metric filters).
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// Systems Manager (Automation runbooks).
    pub ssm: aws_sdk_ssm::Client,
    /// Security groups read by id, concurrent reads merged into one
    /// `DescribeSecurityGroups` call ([`crate::coalesce`]).
    pub security_groups: Coalescer<SecurityGroup>,
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
        let ec2 = aws_sdk_ec2::Client::new(config);
        Clients {
            security_groups: crate::remediate::ec2::security_group_reader(ec2.clone()),
            ec2,
            securityhub: aws_sdk_securityhub::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            s3control: aws_sdk_s3control::Client::from_conf(s3control.build()),
            iam: aws_sdk_iam::Client::new(config),
            accessanalyzer: aws_sdk_accessanalyzer::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            rds: aws_sdk_rds::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            ecr: aws_sdk_ecr::Client::new(config),
            secretsmanager: aws_sdk_secretsmanager::Client::new(config),
            codebuild: aws_sdk_codebuild::Client::new(config),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(config),
            kms: aws_sdk_kms::Client::new(config),
            guardduty: aws_sdk_guardduty::Client::new(config),
            config: aws_sdk_config::Client::new(config),
            cloudtrail: aws_sdk_cloudtrail::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            ssm: aws_sdk_ssm::Client::new(config),
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

/// Clients per account and region, created once and shared: the home account's (the
/// one hubfix's own credentials belong to) directly, member accounts' through the
/// member role, whose sessions the SDK caches and renews before they expire.
#[derive(Debug)]
pub struct AwsContext {
    base: SdkConfig,
    home: Arc<Clients>,
    home_account: OnceCell<String>,
    member_role: Option<MemberRole>,
    clients: Mutex<HashMap<(String, String), Arc<Clients>>>,
}

/// The partition of a region.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

impl AwsContext {
    /// From a loaded configuration; findings of other accounts are refused.
    pub fn new(base: SdkConfig) -> Self {
        AwsContext {
            home: Arc::new(Clients::new(&base)),
            base,
            home_account: OnceCell::new(),
            member_role: None,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// hubfix's own account id when the caller already knows it (the CLI asks STS
    /// who the caller is before anything else; the functions read `HUBFIX_HOME_ACCOUNT`,
    /// which the template sets): [`AwsContext::home_account`] then does not ask STS,
    /// which saves a cold start a round trip.
    pub fn with_home_account(self, account: Option<&str>) -> Self {
        if let Some(account) = account {
            // A fresh context's cell is empty, so this cannot fail.
            let _ = self.home_account.set(account.to_owned());
        }
        self
    }

    /// Fix resources of other accounts through this role.
    pub fn with_member_role(mut self, role: Option<MemberRole>) -> Self {
        self.member_role = role;
        self
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
        if account == home && self.home_region() == Some(region) {
            return Ok(self.home.clone());
        }
        let key = (account.to_owned(), region.to_owned());
        if let Some(clients) = self.cached(&key) {
            return Ok(clients);
        }
        let config = if account == home {
            self.base
                .to_builder()
                .region(Region::new(region.to_owned()))
                .build()
        } else {
            self.member_config(home, account, region).await?
        };
        let clients = Arc::new(Clients::new(&config));
        self.clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, clients.clone());
        Ok(clients)
    }

    fn cached(&self, key: &(String, String)) -> Option<Arc<Clients>> {
        self.clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    /// Configuration for a member account: the member role's credentials, checked now
    /// so that a refused `AssumeRole` is a clear note rather than a failure later.
    async fn member_config(
        &self,
        home: &str,
        account: &str,
        region: &str,
    ) -> Result<SdkConfig, FixError> {
        let role = self.member_role.as_ref().ok_or_else(|| {
            FixError::Unreachable(format!(
                "the resource is in account {account}, and hubfix runs in {home}; cross-account remediation needs a member role (set HUBFIX_MEMBER_ROLE_NAME)"
            ))
        })?;
        let arn = format!(
            "arn:{}:iam::{account}:role/{}",
            partition_of(region),
            role.name
        );
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(&arn)
            .session_name(format!("hubfix-{home}"))
            .configure(&self.base);
        if let Some(id) = &role.external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        use aws_credential_types::provider::ProvideCredentials;
        provider.provide_credentials().await.map_err(|e| {
            FixError::Unreachable(format!(
                "could not assume {arn}: {}",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            ))
        })?;
        Ok(self
            .base
            .to_builder()
            .region(Region::new(region.to_owned()))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build())
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

    #[tokio::test]
    async fn a_known_home_account_is_not_asked_again() {
        // Nothing listens on port 9: asking STS would fail.
        let config = config_loader()
            .endpoint_url("http://127.0.0.1:9")
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .retry_config(RetryConfig::disabled())
            .load()
            .await;
        let known = AwsContext::new(config.clone()).with_home_account(Some("123456789012"));
        assert_eq!(known.home_account().await.unwrap(), "123456789012");
        let clients = known.clients_for("123456789012", "us-east-1").await;
        assert!(clients.is_ok());
        let unknown = AwsContext::new(config).with_home_account(None);
        assert!(unknown.home_account().await.is_err());
    }

    #[test]
    fn partitions_of_regions() {
        assert_eq!(partition_of("eu-west-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }

    #[test]
    fn authority_of_urls() {
        assert_eq!(authority_of("http://localhost:5000/"), "localhost:5000");
        assert_eq!(authority_of("https://example.com"), "example.com");
    }
}
