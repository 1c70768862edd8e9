//! hubfix's cis-scanner function: on its schedule, the CIS requirements Security Hub
//! does not evaluate, checked and imported into Security Hub as findings.

#[tokio::main]
async fn main() -> Result<(), hubfix_lambda::Error> {
    hubfix_lambda::functions::cis_scanner().await
}
