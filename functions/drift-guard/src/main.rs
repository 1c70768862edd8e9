//! hubfix's drift guard: CloudTrail's record of someone switching the Security Hub
//! foundation off, recorded with who did it and, where the policy allows, put back.

#[tokio::main]
async fn main() -> Result<(), hubfix_lambda::Error> {
    hubfix_lambda::functions::drift_guard().await
}
