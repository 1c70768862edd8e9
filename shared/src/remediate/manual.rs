//! Controls that cannot be fixed safely by API: registered so their findings get a clear
//! note with the manual steps, never an unknown-control outcome.

use super::{BeforeState, Change, Fix, FixFuture, Inspection, Remediation};
use crate::error::FixError;

/// A control fixed by hand; the steps go into the finding's note.
#[derive(Debug)]
pub struct Manual {
    /// What to do, in a sentence or two.
    pub steps: &'static str,
}

impl Remediation for Manual {
    fn resource_name(&self, resource_id: &str, _account: &str) -> Result<String, FixError> {
        Ok(resource_id.to_owned())
    }

    fn inspect<'a>(&'a self, _fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move { Err(FixError::Manual(self.steps.to_owned())) })
    }

    fn apply<'a>(&'a self, _fix: Fix<'a>, _change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move { Err(FixError::Manual(self.steps.to_owned())) })
    }

    /// Always an error: hubfix never changes anything for a manual control.
    fn undo<'a>(
        &'a self,
        _fix: Fix<'a>,
        _before: &'a BeforeState,
        _changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            Err(FixError::Manual(
                "hubfix never changes anything for a manual control (the finding's note gave the steps to take by hand), so there is nothing to undo".into(),
            ))
        })
    }
}
