//! Log lines on stdout as Lambda's advanced logging controls ask: JSON objects (or text
//! with `AWS_LAMBDA_LOG_FORMAT=Text`), filtered at `AWS_LAMBDA_LOG_LEVEL`.

/// Environment variable Lambda sets from the function's `LoggingConfig.LogFormat`:
/// `JSON` or `Text`.
pub const ENV_LOG_FORMAT: &str = "AWS_LAMBDA_LOG_FORMAT";
/// Environment variable Lambda sets from `LoggingConfig.ApplicationLogLevel` (with the
/// JSON format): `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR` or `FATAL`.
pub const ENV_LOG_LEVEL: &str = "AWS_LAMBDA_LOG_LEVEL";

/// The log filter: `RUST_LOG` when set, else Lambda's application log level
/// ([`ENV_LOG_LEVEL`], `FATAL` read as `error`), else `info`.
pub fn log_filter(lookup: impl Fn(&str) -> Option<String>) -> String {
    if let Some(directives) = lookup("RUST_LOG").filter(|v| !v.trim().is_empty()) {
        return directives;
    }
    match lookup(ENV_LOG_LEVEL)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        Some(level @ ("trace" | "debug" | "info" | "warn" | "error")) => level.to_owned(),
        Some("fatal") => "error".to_owned(),
        _ => "info".to_owned(),
    }
}

/// Logs on stdout: JSON objects, one a line, fields at the top level and the open
/// spans under `spans` (the runtime's invocation span with its `requestId`, the finding
/// being fixed), unless Lambda's log format ([`ENV_LOG_FORMAT`]) is `Text`; filtered by
/// [`log_filter`].
pub fn init() {
    let lookup = |name: &str| std::env::var(name).ok();
    let mut filter = tracing_subscriber::EnvFilter::new(log_filter(lookup));
    for sdk in hubfix::function::QUIET_SDK_CRATES {
        if let Ok(directive) = format!("{sdk}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    let text = lookup(ENV_LOG_FORMAT).is_some_and(|f| f.eq_ignore_ascii_case("text"));
    let builder = tracing_subscriber::fmt()
        .with_target(true)
        .with_ansi(false)
        .with_env_filter(filter);
    if text {
        builder.init();
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_level_follows_rust_log_then_lambda_then_info() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(log_filter(env(&[])), "info");
        assert_eq!(log_filter(env(&[(ENV_LOG_LEVEL, "DEBUG")])), "debug");
        assert_eq!(log_filter(env(&[(ENV_LOG_LEVEL, "FATAL")])), "error");
        assert_eq!(log_filter(env(&[(ENV_LOG_LEVEL, "LOUD")])), "info");
        assert_eq!(
            log_filter(env(&[
                ("RUST_LOG", "hubfix=trace"),
                (ENV_LOG_LEVEL, "WARN")
            ])),
            "hubfix=trace"
        );
    }
}
