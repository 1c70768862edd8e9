//! hubfix's compliance-report function: on its schedule, the compliance report of the
//! organisation's Security Hub findings, written to the report bucket.

#[tokio::main]
async fn main() -> Result<(), hubfix_lambda::Error> {
    hubfix_lambda::functions::compliance_report().await
}
