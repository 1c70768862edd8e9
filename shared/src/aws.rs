//! AWS SDK clients, built from `aws-config` so that the same code runs against AWS and
//! against the local emulator (`AWS_ENDPOINT_URL`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_ec2::types::SecurityGroup;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::OnceCell;

use crate::coalesce::{BatchFuture, Coalescer};
use crate::error::FixError;
use crate::ids::{is_account_id, partition_of};
use crate::settings::MemberRole;
use aws_sdk_ec2::types::Filter;

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

/// A service client built the first time it is used. An account and region's
/// [`Clients`] name every service hubfix calls, but a fix calls one or two: building
/// only those keeps a process that works in hundreds of accounts and regions small (all
/// 23 clients take about 420 KB; one S3 client about 25 KB).
pub struct Lazy<T> {
    cell: OnceLock<T>,
    config: Arc<SdkConfig>,
    make: fn(&SdkConfig) -> T,
}

impl<T> Lazy<T> {
    /// A client that `make` builds from `config` when first used.
    pub fn new(config: &Arc<SdkConfig>, make: fn(&SdkConfig) -> T) -> Self {
        Lazy {
            cell: OnceLock::new(),
            config: config.clone(),
            make,
        }
    }

    /// The client, built now if it was not yet.
    pub fn client(&self) -> &T {
        self.cell.get_or_init(|| (self.make)(&self.config))
    }
}

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.client()
    }
}

impl<T: Clone> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy {
            cell: self.cell.clone(),
            config: self.config.clone(),
            make: self.make,
        }
    }
}

impl<T> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.cell.get().is_some() {
            "Lazy(built)"
        } else {
            "Lazy(not built)"
        })
    }
}

/// The service clients hubfix uses in one account and region, each built on first use.
#[derive(Debug, Clone)]
pub struct Clients {
    /// Security Hub.
    pub securityhub: Lazy<aws_sdk_securityhub::Client>,
    /// AWS Account Management (alternate contacts).
    pub account: Lazy<aws_sdk_account::Client>,
    /// S3 (path-style under an endpoint override).
    pub s3: Lazy<aws_sdk_s3::Client>,
    /// S3 Control (account-level settings).
    pub s3control: Lazy<aws_sdk_s3control::Client>,
    /// EC2 and VPC.
    pub ec2: Lazy<aws_sdk_ec2::Client>,
    /// IAM.
    pub iam: Lazy<aws_sdk_iam::Client>,
    /// IAM Access Analyzer.
    pub accessanalyzer: Lazy<aws_sdk_accessanalyzer::Client>,
    /// STS.
    pub sts: Lazy<aws_sdk_sts::Client>,
    /// RDS.
    pub rds: Lazy<aws_sdk_rds::Client>,
    /// Lambda.
    pub lambda: Lazy<aws_sdk_lambda::Client>,
    /// SNS.
    pub sns: Lazy<aws_sdk_sns::Client>,
    /// SQS.
    pub sqs: Lazy<aws_sdk_sqs::Client>,
    /// DynamoDB.
    pub dynamodb: Lazy<aws_sdk_dynamodb::Client>,
    /// ECR.
    pub ecr: Lazy<aws_sdk_ecr::Client>,
    /// Secrets Manager.
    pub secretsmanager: Lazy<aws_sdk_secretsmanager::Client>,
    /// CodeBuild.
    pub codebuild: Lazy<aws_sdk_codebuild::Client>,
    /// Elastic Load Balancing (Application, Network and Gateway Load Balancers).
    pub elbv2: Lazy<aws_sdk_elasticloadbalancingv2::Client>,
    /// KMS.
    pub kms: Lazy<aws_sdk_kms::Client>,
    /// GuardDuty.
    pub guardduty: Lazy<aws_sdk_guardduty::Client>,
    /// AWS Config.
    pub config: Lazy<aws_sdk_config::Client>,
    /// CloudTrail.
    pub cloudtrail: Lazy<aws_sdk_cloudtrail::Client>,
    /// Application Auto Scaling (DynamoDB capacity).
    pub applicationautoscaling: Lazy<aws_sdk_applicationautoscaling::Client>,
    /// Amazon EMR.
    pub emr: Lazy<aws_sdk_emr::Client>,
    /// Amazon Macie.
    pub macie2: Lazy<aws_sdk_macie2::Client>,
    /// CloudFront.
    pub cloudfront: Lazy<aws_sdk_cloudfront::Client>,
    /// API Gateway (REST APIs).
    pub apigateway: Lazy<aws_sdk_apigateway::Client>,
    /// API Gateway v2 (HTTP and WebSocket APIs).
    pub apigatewayv2: Lazy<aws_sdk_apigatewayv2::Client>,
    /// Athena.
    pub athena: Lazy<aws_sdk_athena::Client>,
    /// Amazon ECS.
    pub ecs: Lazy<aws_sdk_ecs::Client>,
    /// CloudFormation.
    pub cloudformation: Lazy<aws_sdk_cloudformation::Client>,
    /// ElastiCache.
    pub elasticache: Lazy<aws_sdk_elasticache::Client>,
    /// EC2 Auto Scaling.
    pub autoscaling: Lazy<aws_sdk_autoscaling::Client>,
    /// Redshift (provisioned clusters).
    pub redshift: Lazy<aws_sdk_redshift::Client>,
    /// CloudWatch (alarms).
    pub cloudwatch: Lazy<aws_sdk_cloudwatch::Client>,
    /// CloudWatch Logs (metric filters).
    pub logs: Lazy<aws_sdk_cloudwatchlogs::Client>,
    /// Systems Manager (Automation runbooks).
    pub ssm: Lazy<aws_sdk_ssm::Client>,
    /// Security groups read by id, concurrent reads merged into one
    /// `DescribeSecurityGroups` call ([`crate::coalesce`]).
    pub security_groups: Lazy<Coalescer<SecurityGroup>>,
}

impl Clients {
    /// The clients of one configuration (none is built yet). Under an endpoint override
    /// S3 uses path-style addressing and S3 Control keeps the configured host.
    pub fn new(config: &SdkConfig) -> Self {
        let config = Arc::new(config.clone());
        Clients {
            securityhub: Lazy::new(&config, aws_sdk_securityhub::Client::new),
            account: Lazy::new(&config, aws_sdk_account::Client::new),
            s3: Lazy::new(&config, s3_client),
            s3control: Lazy::new(&config, s3control_client),
            ec2: Lazy::new(&config, aws_sdk_ec2::Client::new),
            iam: Lazy::new(&config, aws_sdk_iam::Client::new),
            accessanalyzer: Lazy::new(&config, aws_sdk_accessanalyzer::Client::new),
            sts: Lazy::new(&config, aws_sdk_sts::Client::new),
            rds: Lazy::new(&config, aws_sdk_rds::Client::new),
            lambda: Lazy::new(&config, aws_sdk_lambda::Client::new),
            sns: Lazy::new(&config, aws_sdk_sns::Client::new),
            sqs: Lazy::new(&config, aws_sdk_sqs::Client::new),
            dynamodb: Lazy::new(&config, aws_sdk_dynamodb::Client::new),
            ecr: Lazy::new(&config, aws_sdk_ecr::Client::new),
            secretsmanager: Lazy::new(&config, aws_sdk_secretsmanager::Client::new),
            codebuild: Lazy::new(&config, aws_sdk_codebuild::Client::new),
            elbv2: Lazy::new(&config, aws_sdk_elasticloadbalancingv2::Client::new),
            kms: Lazy::new(&config, aws_sdk_kms::Client::new),
            guardduty: Lazy::new(&config, aws_sdk_guardduty::Client::new),
            config: Lazy::new(&config, aws_sdk_config::Client::new),
            cloudtrail: Lazy::new(&config, aws_sdk_cloudtrail::Client::new),
            applicationautoscaling: Lazy::new(&config, aws_sdk_applicationautoscaling::Client::new),
            emr: Lazy::new(&config, aws_sdk_emr::Client::new),
            macie2: Lazy::new(&config, aws_sdk_macie2::Client::new),
            cloudfront: Lazy::new(&config, aws_sdk_cloudfront::Client::new),
            apigateway: Lazy::new(&config, aws_sdk_apigateway::Client::new),
            apigatewayv2: Lazy::new(&config, aws_sdk_apigatewayv2::Client::new),
            athena: Lazy::new(&config, aws_sdk_athena::Client::new),
            ecs: Lazy::new(&config, aws_sdk_ecs::Client::new),
            cloudformation: Lazy::new(&config, aws_sdk_cloudformation::Client::new),
            elasticache: Lazy::new(&config, aws_sdk_elasticache::Client::new),
            autoscaling: Lazy::new(&config, aws_sdk_autoscaling::Client::new),
            redshift: Lazy::new(&config, aws_sdk_redshift::Client::new),
            cloudwatch: Lazy::new(&config, aws_sdk_cloudwatch::Client::new),
            logs: Lazy::new(&config, aws_sdk_cloudwatchlogs::Client::new),
            ssm: Lazy::new(&config, aws_sdk_ssm::Client::new),
            security_groups: Lazy::new(&config, |c| {
                security_group_reader(aws_sdk_ec2::Client::new(c))
            }),
        }
    }
}

fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let mut s3 = aws_sdk_s3::config::Builder::from(config);
    if config.endpoint_url().is_some() {
        s3 = s3.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(s3.build())
}

fn s3control_client(config: &SdkConfig) -> aws_sdk_s3control::Client {
    let mut s3control = aws_sdk_s3control::config::Builder::from(config);
    if let Some(endpoint) = config.endpoint_url() {
        s3control = s3control.interceptor(S3ControlHostFix::new(endpoint));
    }
    aws_sdk_s3control::Client::from_conf(s3control.build())
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
    clients: Mutex<ClientCache>,
    member_sessions: Mutex<HashMap<(String, &'static str), SharedCredentialsProvider>>,
}

/// Most accounts and regions whose clients a process keeps; the least recently used
/// are dropped beyond it, so that a long-lived process working across an organisation
/// stays within its memory (their clients are built again when next needed; the member
/// role's session is kept per account, so that this assumes no role again).
pub const MAX_CACHED_ACCOUNT_REGIONS: usize = 512;

/// Clients per account and region, least recently used dropped first.
#[derive(Debug, Default)]
struct ClientCache {
    entries: HashMap<(String, String), (Arc<Clients>, u64)>,
    tick: u64,
}

impl ClientCache {
    fn get(&mut self, key: &(String, String)) -> Option<Arc<Clients>> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|(clients, used)| {
            *used = tick;
            clients.clone()
        })
    }

    fn insert(&mut self, key: (String, String), clients: Arc<Clients>) {
        if self.entries.len() >= MAX_CACHED_ACCOUNT_REGIONS && !self.entries.contains_key(&key) {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        self.tick += 1;
        self.entries.insert(key, (clients, self.tick));
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
            clients: Mutex::new(ClientCache::default()),
            member_sessions: Mutex::new(HashMap::new()),
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
    }

    /// Configuration for a member account and region: the account's member-role
    /// session (see [`AwsContext::assume_member_role`]) in that region.
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
        let key = (account.to_owned(), partition_of(region));
        let known = self
            .member_sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        let credentials = match known {
            Some(credentials) => credentials,
            None => {
                let credentials = self.assume_member_role(&key, home, role).await?;
                self.member_sessions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, credentials.clone());
                credentials
            }
        };
        Ok(self
            .base
            .to_builder()
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials)
            .build())
    }

    /// The member role's session in one account, shared by the clients of all its
    /// regions (one credentials provider: the SDK's identity cache keeps its
    /// credentials and renews them before they expire). Assumed once here, so that a
    /// refused `AssumeRole` is a clear note rather than a failure later.
    async fn assume_member_role(
        &self,
        (account, partition): &(String, &'static str),
        home: &str,
        role: &MemberRole,
    ) -> Result<SharedCredentialsProvider, FixError> {
        let arn = format!("arn:{partition}:iam::{account}:role/{}", role.name);
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
        Ok(SharedCredentialsProvider::new(provider))
    }
}

/// Security groups per `DescribeSecurityGroups` call of [`security_group_reader`]
/// (values of its `group-id` filter).
pub const GROUPS_PER_READ: usize = 100;

/// `DescribeSecurityGroups` calls of [`security_group_reader`] in flight at once. One
/// makes the fewest calls; with a 20 ms round trip it made a 100-finding event wait
/// longest (BENCHMARKS.md: 1 in flight, 1.60 calls a finding, 1.71 s; 2: 1.83, 1.44 s;
/// 4: 2.32, 1.29 s; 8: 2.36, 1.18 s). Two keep most of the merging, which spares the
/// account's EC2 `Describe*` request rate that other tools share.
pub const GROUP_READS_IN_FLIGHT: usize = 2;

/// The reader of [`Clients::security_groups`]: concurrent reads of
/// security groups by id, merged into `DescribeSecurityGroups` calls filtered on
/// `group-id` (a filter, not `GroupIds`, so that a deleted group is missing from the
/// answer instead of failing the call for every group in it).
pub fn security_group_reader(ec2: aws_sdk_ec2::Client) -> Coalescer<SecurityGroup> {
    Coalescer::new(
        GROUPS_PER_READ,
        GROUP_READS_IN_FLIGHT,
        move |ids: Vec<String>| {
            let ec2 = ec2.clone();
            Box::pin(async move {
                let pages = ec2
                    .describe_security_groups()
                    .filters(
                        Filter::builder()
                            .name("group-id")
                            .set_values(Some(ids))
                            .build(),
                    )
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await
                    .map_err(|e| {
                        aws_smithy_types::error::display::DisplayErrorContext(e).to_string()
                    })?;
                Ok(pages
                    .into_iter()
                    .filter_map(|g| Some((g.group_id()?.to_owned(), g)))
                    .collect())
            }) as BatchFuture<SecurityGroup>
        },
    )
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
    fn the_client_cache_drops_the_least_recently_used() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .build();
        let clients = Arc::new(Clients::new(&config));
        let mut cache = ClientCache::default();
        let key = |i: usize| (format!("{i:012}"), "us-east-1".to_owned());
        for i in 0..MAX_CACHED_ACCOUNT_REGIONS {
            cache.insert(key(i), clients.clone());
        }
        assert!(
            cache.get(&key(0)).is_some(),
            "used again: now the most recent"
        );
        cache.insert(key(MAX_CACHED_ACCOUNT_REGIONS), clients.clone());
        assert_eq!(cache.entries.len(), MAX_CACHED_ACCOUNT_REGIONS);
        assert!(cache.get(&key(0)).is_some());
        assert!(cache.get(&key(1)).is_none(), "the least recently used went");
    }

    #[test]
    fn clients_are_built_on_first_use_only() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .build();
        let clients = Clients::new(&config);
        assert_eq!(format!("{:?}", clients.s3), "Lazy(not built)");
        let _ = clients.s3.config();
        assert_eq!(format!("{:?}", clients.s3), "Lazy(built)");
        assert_eq!(format!("{:?}", clients.ec2), "Lazy(not built)");
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
