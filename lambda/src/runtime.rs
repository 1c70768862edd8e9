//! The Lambda runtime loop around a handler of the core, and how a start-up or an
//! invocation failure reaches Lambda.

use std::future::Future;

use hubfix::function::InvocationFailure;
use hubfix::settings::ConfigError;
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::Value;

/// An invocation's failure as Lambda reports it: the failure's `errorType` and message.
pub fn diagnostic(err: &impl InvocationFailure) -> Diagnostic {
    Diagnostic {
        error_type: err.error_type().to_owned(),
        error_message: err.to_string(),
    }
}

/// Logs a configuration a function refuses to start with, and makes it the start-up
/// error Lambda reports (every function reads its configuration once per cold start).
pub fn refused(err: ConfigError) -> lambda_runtime::Error {
    tracing::error!(error = %err, "hubfix configuration refused; fix the function's environment");
    err.into()
}

/// Runs the Lambda runtime loop: each invocation's event and context to `handler`,
/// its answer or failure back to Lambda. The runtime opens a span per invocation
/// carrying the `requestId`.
pub async fn serve<H, Fut, E>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Fn(LambdaEvent<Value>) -> Fut,
    Fut: Future<Output = Result<Value, E>>,
    E: InvocationFailure,
{
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        // Boxed (one allocation an invocation): the handlers' futures are deep enough
        // that laying them out inline in `main`'s future exceeds the compiler's limit.
        let answer = Box::pin(handler(event));
        async move { answer.await.map_err(|e| diagnostic(&e)) }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use hubfix::function::InvocationError;

    use super::*;

    #[test]
    fn a_failure_reaches_lambda_with_its_error_type_and_message() {
        let d = diagnostic(&InvocationError::Postponed(3));
        assert_eq!(d.error_type, "hubfix.Postponed");
        assert!(
            d.error_message
                .starts_with("3 of the event's findings were postponed"),
            "{}",
            d.error_message
        );
    }
}
