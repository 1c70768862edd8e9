//! Controls that cannot be fixed safely by API: registered so their findings get a clear
//! note with the manual steps, never an unknown-control outcome.

use crate::error::FixError;
use crate::model::BeforeState;
use crate::model::Change;
use crate::remediate::{Fix, FixFuture, Inspection, Remediation};
use crate::remediate::{Impact, Rule};

/// Root-user controls cannot be fixed by API.
const fn root_rule(control_id: &'static str, title: &'static str, steps: &'static Manual) -> Rule {
    Rule {
        control_id,
        title,
        resource_type: "AwsAccount",
        fix: "Manual: the root user's credentials cannot be changed by API; the note gives the steps.",
        iam_actions: &[],
        impact: Impact::Safe,
        remediation: steps,
    }
}

static ROOT_ACCESS_KEYS: Manual = Manual {
    steps: "sign in as the root user, open Security credentials, and delete every access key under Access keys. Use IAM roles or users for programmatic access.",
};
static ROOT_HARDWARE_MFA: Manual = Manual {
    steps: "sign in as the root user, open Security credentials, and assign a hardware MFA device (or a passkey/security key) under Multi-factor authentication.",
};
static ROOT_MFA: Manual = Manual {
    steps: "sign in as the root user, open Security credentials, and assign an MFA device under Multi-factor authentication.",
};

static MFA_DELETE: Manual = Manual {
    steps: "MFA delete can only be enabled by the root user with its MFA device: with the root user's access key, run aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa \"<root MFA device ARN> <code>\", then delete that access key.",
};

/// Encryption that cannot be turned on in place.
const fn encryption_rule(
    control_id: &'static str,
    title: &'static str,
    resource_type: &'static str,
    steps: &'static Manual,
) -> Rule {
    Rule {
        control_id,
        title,
        resource_type,
        fix: "Manual: encryption at rest cannot be turned on in place; the note gives the steps (copy to an encrypted resource, switch, delete the old one).",
        iam_actions: &[],
        impact: Impact::Safe,
        remediation: steps,
    }
}

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    root_rule("IAM.4", "IAM root user access key should not exist", &ROOT_ACCESS_KEYS),
    root_rule("IAM.6", "Hardware MFA should be enabled for the root user", &ROOT_HARDWARE_MFA),
    root_rule("IAM.9", "MFA should be enabled for the root user", &ROOT_MFA),
    Rule {
        control_id: "CIS.2.1.3",
        title: "Ensure MFA Delete is enabled on S3 buckets (CIS 1.4.0 2.1.3)",
        resource_type: "AwsS3Bucket",
        fix: "Manual: only the root user, with its MFA device, can enable MFA delete; the note gives the steps.",
        iam_actions: &[],
        impact: Impact::Safe,
        remediation: &MFA_DELETE,
    },
    Rule {
        control_id: "S3.19",
        title: "S3 access points should have block public access settings enabled",
        resource_type: "AwsS3AccessPoint",
        fix: "Manual: an access point's Block Public Access settings are fixed at creation; the note gives the steps.",
        iam_actions: &[],
        impact: Impact::Safe,
        remediation: &Manual {
            steps: "an access point's Block Public Access settings cannot be changed after creation. Create a replacement access point with all four settings on, move its clients and policy to it, then delete this one.",
        },
    },
    Rule {
        control_id: "S3.20",
        title: "S3 general purpose buckets should have MFA delete enabled",
        resource_type: "AwsS3Bucket",
        fix: "Manual: only the root user, with its MFA device, can enable MFA delete; the note gives the steps (as CIS.2.1.3).",
        iam_actions: &[],
        impact: Impact::Safe,
        remediation: &MFA_DELETE,
    },
    encryption_rule(
        "EC2.3",
        "Attached Amazon EBS volumes should be encrypted at-rest",
        "AwsEc2Volume",
        &EBS_VOLUME_ENCRYPTION,
    ),
    encryption_rule(
        "RDS.3",
        "RDS DB instances should have encryption at-rest enabled",
        "AwsRdsDbInstance",
        &RDS_INSTANCE_ENCRYPTION,
    ),
    Rule {
        control_id: "RDS.15",
        title: "RDS DB clusters should be configured for multiple Availability Zones",
        resource_type: "AwsRdsDbCluster",
        fix: "Manual: a cluster spans Availability Zones through its instances (Aurora) or is created Multi-AZ (Multi-AZ DB clusters); the note gives the steps.",
        iam_actions: &[],
        impact: Impact::Safe,
        remediation: &Manual {
            steps: "a DB cluster is in several Availability Zones when its instances are. For an Aurora cluster, add a reader instance in another Availability Zone (aws rds create-db-instance --db-cluster-identifier <cluster> --availability-zone <another zone> ...); it also becomes a failover target. A Multi-AZ DB cluster (non-Aurora) cannot be converted: restore a snapshot as a Multi-AZ DB cluster, move clients to it, then delete the old one.",
        },
    },
    encryption_rule(
        "EFS.1",
        "Elastic File System should be configured to encrypt file data at-rest using AWS KMS",
        "AwsEfsFileSystem",
        &EFS_ENCRYPTION,
    ),
    encryption_rule(
        "EFS.8",
        "EFS file systems should be encrypted at rest",
        "AwsEfsFileSystem",
        &EFS_ENCRYPTION,
    ),
];

/// A control fixed by hand; the steps go into the finding's note.
#[derive(Debug)]
pub struct Manual {
    /// What to do, in a sentence or two.
    pub steps: &'static str,
}

impl Remediation for Manual {
    /// The resource id as the finding writes it: nothing is called with it, and the
    /// steps apply whatever form it has.
    fn resource_name(&self, resource_id: &str, _account: &str) -> Option<Result<String, FixError>> {
        Some(Ok(resource_id.to_owned()))
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

/// `EFS.1`, `EFS.8`: a file system is encrypted at rest only if it was created so.
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
