//! Controls that cannot be fixed safely by API: registered so their findings get a clear
//! note with the manual steps, never an unknown-control outcome.

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};

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

/// `EFS.1`: a file system is encrypted at rest only if it was created so.
pub static EFS_ENCRYPTION: Manual = Manual {
    steps: "an EFS file system cannot be encrypted after creation. Create an encrypted file system (with a KMS key), copy the data with AWS DataSync (or restore an AWS Backup recovery point into the new file system), move the clients, mount targets and access points to it, then delete this one.",
};

/// `EC2.3`: an EBS volume cannot be encrypted in place.
pub static EBS_VOLUME_ENCRYPTION: Manual = Manual {
    steps: "an EBS volume cannot be encrypted in place. Snapshot it, copy the snapshot with encryption on (a KMS key), create a volume from the copy in the same Availability Zone, stop the instance, detach the old volume and attach the new one under the same device name, start the instance, then delete the old volume and the unencrypted snapshot. EC2.7 (EBS encryption by default) keeps new volumes encrypted.",
};

/// `RDS.3`: a DB instance cannot be encrypted in place.
pub static RDS_INSTANCE_ENCRYPTION: Manual = Manual {
    steps: "an RDS DB instance cannot be encrypted in place. Take a snapshot, copy it with encryption on (a KMS key), restore a new DB instance from the encrypted copy, move the applications to it (or swap the instance identifiers), then delete the unencrypted instance and snapshots.",
};

/// `RDS.4`: a DB snapshot cannot be encrypted in place.
pub static RDS_SNAPSHOT_ENCRYPTION: Manual = Manual {
    steps: "an RDS snapshot cannot be encrypted in place. Copy it with encryption on (a KMS key), check the copy, then delete the unencrypted snapshot; encrypting the DB instance (RDS.3) keeps its future snapshots encrypted.",
};
