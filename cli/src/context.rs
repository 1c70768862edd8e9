//! What every AWS-facing command needs: the SDK configuration from the global options,
//! the policy from the environment, the caller's identity, and the engine, with a
//! helpful error for each thing that can be missing.

use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use hubfix::audit::{AuditTrail, DEFAULT_PREFIX};
use hubfix::aws::AwsContext;
use hubfix::error::FixError;
use hubfix::{Engine, Policy};

use crate::args::Global;
use crate::error::CliError;

/// A configured session: SDK configuration, policy and the caller.
pub(crate) struct Context {
    /// The SDK configuration.
    pub config: SdkConfig,
    /// The policy (HUBFIX_* environment variables).
    pub policy: Policy,
    /// Who is running hubfix, for the audit trail: `hubfix CLI as <caller ARN>`.
    pub actor: String,
    /// The caller's account, as STS said.
    account: Option<String>,
    audit_bucket: Option<String>,
}

impl Context {
    /// Loads the configuration and checks that a region and credentials are there and
    /// that AWS (or the endpoint) answers, by asking STS who the caller is.
    pub(crate) async fn load(global: &Global) -> Result<Context, CliError> {
        let policy = Policy::from_env().map_err(|e| CliError::Config(e.to_string()))?;
        let mut loader = hubfix::aws::config_loader();
        if let Some(profile) = &global.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &global.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &global.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        if config.region().is_none() {
            return Err(CliError::Config(
                "no AWS region: pass --region, set AWS_REGION, or set a region in your profile"
                    .into(),
            ));
        }
        let Some(provider) = config.credentials_provider() else {
            return Err(no_credentials("no credentials provider is configured"));
        };
        if let Err(e) = provider.provide_credentials().await {
            return Err(no_credentials(&e.to_string()));
        }
        let sts = aws_sdk_sts::Client::new(&config);
        let caller = sts.get_caller_identity().send().await.map_err(|e| {
            let err = FixError::from_sdk("sts:GetCallerIdentity", "caller", &[], e);
            unreachable_or(err, global.endpoint_url.as_deref())
        })?;
        let actor = format!(
            "hubfix CLI as {}",
            caller.arn().unwrap_or("an unknown caller")
        );
        let audit_bucket = global
            .audit_bucket
            .clone()
            .or_else(|| policy.audit.as_ref().map(|a| a.bucket.clone()));
        Ok(Context {
            config,
            policy,
            actor,
            account: caller.account().map(str::to_owned),
            audit_bucket,
        })
    }

    /// The caller's account, as STS said.
    pub(crate) fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The audit trail's key prefix.
    pub(crate) fn audit_prefix(&self) -> &str {
        self.policy
            .audit
            .as_ref()
            .map_or(DEFAULT_PREFIX, |a| a.prefix.as_str())
    }

    /// The AWS clients, with the member role of the policy for other accounts, and the
    /// caller's account as hubfix's own (STS is not asked twice).
    pub(crate) fn aws(&self) -> AwsContext {
        AwsContext::new(self.config.clone())
            .with_home_account(self.account.as_deref())
            .with_member_role(self.policy.member_role.clone())
    }

    /// The audit trail, when a bucket is configured.
    pub(crate) fn audit(&self, aws: &AwsContext) -> Option<AuditTrail> {
        let prefix = self
            .policy
            .audit
            .as_ref()
            .map_or(DEFAULT_PREFIX, |a| a.prefix.as_str());
        self.audit_bucket
            .as_ref()
            .map(|bucket| AuditTrail::new(aws.home().s3.client().clone(), bucket, prefix))
    }

    /// The audit trail, or the error saying how to configure it.
    pub(crate) fn require_audit(&self, aws: &AwsContext) -> Result<AuditTrail, CliError> {
        self.audit(aws).ok_or_else(|| {
            CliError::Config(
                "no audit trail: pass --audit-bucket or set HUBFIX_AUDIT_BUCKET (the stack's AuditBucketName output)".into(),
            )
        })
    }

    /// An engine that plans only: no notes on findings, no audit records.
    pub(crate) fn planner(&self) -> Engine {
        Engine::new(self.policy.clone(), self.aws()).with_notes(false)
    }

    /// An engine with this session's policy and clients, audited when a trail is set.
    pub(crate) fn engine(&self) -> Engine {
        let aws = self.aws();
        let audit = self.audit(&aws);
        Engine::new(self.policy.clone(), aws)
            .with_audit(audit)
            .with_actor(self.actor.clone())
    }
}

fn no_credentials(detail: &str) -> CliError {
    CliError::Config(format!(
        "no AWS credentials found ({detail}): pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    ))
}

/// A transport failure becomes "cannot reach"; anything else stays an AWS error.
pub(crate) fn unreachable_or(err: FixError, endpoint: Option<&str>) -> CliError {
    match &err {
        FixError::Api { code, .. } if matches!(code.as_str(), "ConnectionError" | "Timeout") => {
            let target = endpoint.unwrap_or("AWS");
            CliError::Unreachable(format!(
                "cannot reach {target} ({code}); check --endpoint-url, the network and any proxy"
            ))
        }
        _ => CliError::Aws(err),
    }
}
