//! hubfix's Lambda adapter: what stands between the Lambda runtime and the core library
//! (`hubfix`), which knows nothing of it.
//!
//! - [`functions`]: each function's start-up (logging, its configuration and clients
//!   once per cold start) and its runtime loop; a function's `main.rs` calls one.
//! - [`logging`]: log lines as Lambda's advanced logging controls ask
//!   (`AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL`).
//! - [`runtime`]: the loop handing each invocation to a handler of the core, its
//!   failures reported with their `errorType`; the runtime runs every invocation in a
//!   span carrying its `requestId`, so every log line of the invocation names it.

pub mod functions;
pub mod logging;
pub mod runtime;

/// What a function's `main` returns: the error Lambda reports when start-up fails.
pub use lambda_runtime::Error;
