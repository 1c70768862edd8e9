//! hubfix's drift guard: CloudTrail's record of someone switching the Security Hub
//! foundation off, recorded with who did it and, where the policy allows, put back.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    hubfix::setup::guard_function::run().await
}
