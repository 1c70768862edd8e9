//! IAM.26.

use super::*;
use crate::remediate::{Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[Rule {
    control_id: "IAM.26",
    title: "Expired SSL/TLS certificates managed in IAM should be removed",
    resource_type: "AwsAccount",
    fix: "Deletes the server certificates in IAM that have expired.",
    iam_actions: &["iam:ListServerCertificates", "iam:DeleteServerCertificate"],
    impact: Impact::Disruptive,
    remediation: &ExpiredServerCertificates,
}];

/// `IAM.26`: expired server certificates stored in IAM are deleted (approval-only).
#[derive(Debug)]
pub struct ExpiredServerCertificates;

/// A certificate removed, kept so it can be uploaded again (the private key never
/// leaves IAM, so an undo needs it from its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRecord {
    /// Its name.
    pub name: String,
    /// Days since it expired.
    pub expired_days: u64,
}

/// The before-state: the expired certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatesBefore {
    /// Expired certificates.
    pub expired: Vec<CertificateRecord>,
}

/// The certificates whose expiry is before `now`.
pub fn expired_certificates(
    certificates: &[(String, SystemTime)],
    now: SystemTime,
) -> Vec<CertificateRecord> {
    certificates
        .iter()
        .filter_map(|(name, expiry)| {
            let past = now.duration_since(*expiry).ok()?;
            Some(CertificateRecord {
                name: name.clone(),
                expired_days: past.as_secs() / DAY,
            })
        })
        .collect()
}

impl Remediation for ExpiredServerCertificates {
    fn inspect<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, Inspection> {
        Box::pin(async move {
            let out = fix
                .clients
                .iam
                .list_server_certificates()
                .send()
                .await
                .map_err(|e| FixError::from_sdk("iam:ListServerCertificates", "account", &[], e))?;
            let certificates: Vec<(String, SystemTime)> = out
                .server_certificate_metadata_list()
                .iter()
                .filter_map(|c| {
                    let expiry = SystemTime::try_from(*c.expiration()?).ok()?;
                    Some((c.server_certificate_name().to_owned(), expiry))
                })
                .collect();
            let expired = expired_certificates(&certificates, fix.settings.now());
            let changes = expired
                .iter()
                .map(|c| {
                    Change::new(
                        format!(
                            "deleted server certificate {} (expired {} days ago)",
                            c.name, c.expired_days
                        ),
                        &c.name,
                    )
                })
                .collect();
            Ok(Inspection {
                tags: None,
                plan: Plan {
                    before: BeforeState::new(
                        format!("account {}", fix.target.name),
                        &CertificatesBefore { expired },
                    ),
                    changes,
                },
            })
        })
    }

    fn apply<'a>(&'a self, fix: Fix<'a>, change: &'a Change) -> FixFuture<'a, ()> {
        Box::pin(async move {
            let name: String = change.detail()?;
            match fix
                .clients
                .iam
                .delete_server_certificate()
                .server_certificate_name(&name)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(()),
                Err(e) => Err(FixError::from_sdk(
                    "iam:DeleteServerCertificate",
                    &format!("certificate {name}"),
                    &[],
                    e,
                )),
            }
        })
    }

    /// Always [`FixError::Irreversible`]: IAM cannot restore a deleted certificate and
    /// never returned its private key; the error names the certificates to upload again.
    fn undo<'a>(
        &'a self,
        _fix: Fix<'a>,
        _before: &'a BeforeState,
        changes: &'a [Change],
    ) -> FixFuture<'a, Vec<String>> {
        Box::pin(async move {
            let names = changes
                .iter()
                .map(|c| c.detail::<String>())
                .collect::<Result<Vec<_>, _>>()?;
            Err(FixError::Irreversible(format!(
                "hubfix deleted the expired server certificates {}, and IAM cannot restore a deleted certificate (it never returns the private key): upload them again from their owner's copy (UploadServerCertificate) if they are still needed",
                names.join(", ")
            )))
        })
    }
}
