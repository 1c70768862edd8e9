//! API Gateway: execution logging of REST and WebSocket API stages (`APIGateway.1`) and
//! encryption of REST API cache data (`APIGateway.5`).

pub mod execution_logging;
pub mod rest_stages;
pub mod websocket_logging;

/// Every rule of this service, family by family (the registry indexes them).
pub(crate) const RULES: &[&[crate::remediate::Rule]] =
    &[execution_logging::RULES, rest_stages::RULES];

/// The execution logging levels the control accepts.
const LOGGING_LEVELS: &[&str] = &["ERROR", "INFO"];

/// The level hubfix sets: errors only, the cheaper of the two in CloudWatch Logs.
const LOGGING_LEVEL: &str = "ERROR";

/// The code API Gateway answers for an API or a stage that does not exist.
const NOT_FOUND: &[&str] = &["NotFoundException"];

/// The API id and the stage name of a target name `<api id>/<stage>`.
pub(crate) fn api_and_stage(name: &str) -> (&str, &str) {
    name.split_once('/').unwrap_or((name, ""))
}
