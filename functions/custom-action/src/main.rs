//! hubfix's custom-action function: `Security Hub Findings - Custom Action` events
//! (`Remediate`, `DryRun`, `IsolateInstance`) chosen by an analyst in the console.

#[tokio::main]
async fn main() -> Result<(), hubfix_lambda::Error> {
    hubfix_lambda::functions::custom_action().await
}
