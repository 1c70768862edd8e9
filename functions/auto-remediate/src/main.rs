//! hubfix's auto-remediate function: `Security Hub Findings - Imported` events, for the
//! controls in automatic mode.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    hubfix::function::run(hubfix::function::Accepts::Imported).await
}
