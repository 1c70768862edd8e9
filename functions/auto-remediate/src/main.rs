//! hubfix's auto-remediate function: `Security Hub Findings - Imported` events, for the
//! controls in automatic mode.

#[tokio::main]
async fn main() -> Result<(), hubfix_lambda::Error> {
    hubfix_lambda::functions::auto_remediate().await
}
