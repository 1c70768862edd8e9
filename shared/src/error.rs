//! Errors of a remediation, classified so that every outcome has a clear note.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Why a fix could not be planned, applied or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    /// The resource was deleted since the finding was generated.
    #[error("{resource} no longer exists ({code}); nothing was changed")]
    NotFound {
        /// The resource.
        resource: String,
        /// The API's error code.
        code: String,
    },
    /// hubfix's role lacks a permission.
    #[error("access denied calling {operation} ({code}): grant hubfix's role this action or scope the control off")]
    AccessDenied {
        /// The API operation, e.g. `s3:PutBucketPublicAccessBlock`.
        operation: &'static str,
        /// The API's error code.
        code: String,
    },
    /// The API kept throttling after the SDK's retries.
    #[error("{operation} was throttled ({code}) and the SDK's retries ran out")]
    Throttled {
        /// The API operation.
        operation: &'static str,
        /// The API's error code.
        code: String,
    },
    /// Any other API error.
    #[error("{operation} failed: {code}: {message}")]
    Api {
        /// The API operation.
        operation: &'static str,
        /// The API's error code, or the transport failure kind.
        code: String,
        /// The API's message.
        message: String,
    },
    /// The finding does not name a resource the rule can act on.
    #[error("{0}")]
    Target(String),
    /// The change was applied but reading the resource back shows it did not hold.
    #[error("verification failed: {0}")]
    Verification(String),
    /// The finding belongs to an account hubfix cannot reach.
    #[error("{0}")]
    Unreachable(String),
    /// The fix needs a setting that is not configured.
    #[error("{0}")]
    Unconfigured(String),
    /// The control cannot be fixed safely by API; the text says what to do by hand.
    #[error("{0}")]
    Manual(String),
    /// An SSM Automation runbook did not succeed, or did not end within hubfix's bound.
    #[error("{0}")]
    Runbook(String),
    /// A fix that cannot be reversed (it deleted something); the text says what is left.
    #[error("cannot be undone: {0}")]
    Irreversible(String),
}

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthFailure",
    "Forbidden",
    "InvalidClientTokenId",
];
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "SlowDown",
    "TooManyRequestsException",
    "RequestThrottled",
    // Security Hub's modelled throttling error (HTTP 429); the SDK retries it as
    // throttling too.
    "LimitExceededException",
    "ProvisionedThroughputExceededException",
];

impl FixError {
    /// [`FixError::Irreversible`]: `what` could not be restored; the `undone` steps,
    /// the rest of the undo, were taken all the same and are listed after it.
    pub fn irreversible_after(what: String, undone: &[String]) -> FixError {
        if undone.is_empty() {
            FixError::Irreversible(what)
        } else {
            FixError::Irreversible(format!(
                "{what}; the rest was undone: {}",
                undone.join("; ")
            ))
        }
    }

    /// Whether trying again later can succeed: throttling, a timeout, a lost
    /// connection or a service-side failure; not a missing resource, a refused
    /// permission or bad input.
    pub fn is_transient(&self) -> bool {
        match self {
            FixError::Throttled { .. } => true,
            FixError::Api { code, .. } => matches!(
                code.as_str(),
                "ConnectionError"
                    | "Timeout"
                    | "InvalidResponse"
                    | "InternalError"
                    | "InternalFailure"
                    | "ServiceUnavailable"
                    | "RequestTimeout"
            ),
            _ => false,
        }
    }

    /// Classifies an SDK error. `not_found` lists the codes that mean the resource is gone.
    pub fn from_sdk<E, R>(
        operation: &'static str,
        resource: &str,
        not_found: &[&str],
        err: SdkError<E, R>,
    ) -> FixError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let code = err.code().map(str::to_owned);
        let message = err.message().map(str::to_owned);
        match code {
            Some(code) if not_found.contains(&code.as_str()) => FixError::NotFound {
                resource: resource.to_owned(),
                code,
            },
            Some(code) if ACCESS_DENIED_CODES.contains(&code.as_str()) => {
                FixError::AccessDenied { operation, code }
            }
            Some(code) if THROTTLING_CODES.contains(&code.as_str()) => {
                FixError::Throttled { operation, code }
            }
            Some(code) => FixError::Api {
                operation,
                code,
                message: message.unwrap_or_default(),
            },
            None => FixError::Api {
                operation,
                code: transport_kind(&err).to_owned(),
                message: DisplayErrorContext(&err).to_string(),
            },
        }
    }
}

/// The error code of a service error (`None` for transport failures).
pub fn service_code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    err.as_service_error().and_then(|e| e.code())
}

fn transport_kind<E, R>(err: &SdkError<E, R>) -> &'static str {
    match err {
        SdkError::TimeoutError(_) => "Timeout",
        SdkError::DispatchFailure(_) => "ConnectionError",
        SdkError::ResponseError(_) => "InvalidResponse",
        SdkError::ConstructionFailure(_) => "InvalidRequest",
        _ => "Unknown",
    }
}
