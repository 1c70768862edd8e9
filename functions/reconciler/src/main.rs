//! hubfix's reconciler function: on its schedule, the findings of automatic controls
//! that hubfix deferred (now due) or that are still NEW long after their event (lost or
//! dead-lettered), put back on the automatic path's queue.

#[tokio::main]
async fn main() -> Result<(), hubfix_lambda::Error> {
    hubfix_lambda::functions::reconciler().await
}
