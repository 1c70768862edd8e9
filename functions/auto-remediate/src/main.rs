//! hubfix's auto-remediate function: `Security Hub Findings - Imported` events, for the
//! controls in automatic mode.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    hubfix::lambda::run(hubfix::lambda::Accepts::Imported).await
}
