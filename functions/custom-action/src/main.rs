//! hubfix's custom-action function: `Security Hub Findings - Custom Action` events
//! (`Remediate`, `DryRun`, `IsolateInstance`) chosen by an analyst in the console.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    hubfix::function::run(hubfix::function::Accepts::CustomAction).await
}
