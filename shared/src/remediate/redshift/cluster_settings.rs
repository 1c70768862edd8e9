//! Redshift.1, Redshift.6, Redshift.7: one setting of a provisioned cluster, changed
//! with `ModifyCluster` and read back as in force or pending.

use aws_sdk_redshift::types::Cluster;

use super::{
    cluster_tags, cluster_words, describe_cluster, modify_cluster, MODIFY_CLUSTER_ACTIONS,
};
use crate::remediate::toggle::{Setting, SettingState, SingleSetting};
use crate::remediate::{Fix, FixFuture, Impact, Rule};

/// The controls this family fixes, with their facts (the registry indexes them).
pub(crate) static RULES: &[Rule] = &[
    Rule {
        control_id: "Redshift.1",
        title: "Amazon Redshift clusters should prohibit public access",
        resource_type: "AwsRedshiftCluster",
        fix: "Turns public accessibility of the cluster off: clients outside its VPC can no longer connect.",
        iam_actions: MODIFY_CLUSTER_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &SingleSetting(ClusterFlag(ClusterSetting::PubliclyAccessible)),
    },
    Rule {
        control_id: "Redshift.6",
        title: "Amazon Redshift should have automatic upgrades to major versions enabled",
        resource_type: "AwsRedshiftCluster",
        fix: "Turns on automatic major version upgrades of the cluster, applied in its maintenance window.",
        iam_actions: MODIFY_CLUSTER_ACTIONS,
        impact: Impact::Safe,
        remediation: &SingleSetting(ClusterFlag(ClusterSetting::AllowVersionUpgrade)),
    },
    Rule {
        control_id: "Redshift.7",
        title: "Redshift clusters should use enhanced VPC routing",
        resource_type: "AwsRedshiftCluster",
        fix: "Turns on enhanced VPC routing: COPY and UNLOAD traffic then takes the VPC's routes, so the VPC needs a way to S3 (a gateway endpoint or a NAT gateway).",
        iam_actions: MODIFY_CLUSTER_ACTIONS,
        impact: Impact::Disruptive,
        remediation: &SingleSetting(ClusterFlag(ClusterSetting::EnhancedVpcRouting)),
    },
];

/// A cluster setting that one rule sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSetting {
    /// `PubliclyAccessible`, wanted off (`Redshift.1`).
    PubliclyAccessible,
    /// `AllowVersionUpgrade`, wanted on (`Redshift.6`).
    AllowVersionUpgrade,
    /// `EnhancedVpcRouting`, wanted on (`Redshift.7`).
    EnhancedVpcRouting,
}

impl ClusterSetting {
    /// The API's name of the setting.
    pub fn name(self) -> &'static str {
        match self {
            ClusterSetting::PubliclyAccessible => "PubliclyAccessible",
            ClusterSetting::AllowVersionUpgrade => "AllowVersionUpgrade",
            ClusterSetting::EnhancedVpcRouting => "EnhancedVpcRouting",
        }
    }

    /// The value its control asks for.
    pub fn wanted(self) -> bool {
        self != ClusterSetting::PubliclyAccessible
    }

    /// The value once pending modifications are applied: a change Redshift has accepted
    /// and not yet made counts as made, so that verification does not fail meanwhile.
    pub fn effective(self, cluster: &Cluster) -> bool {
        let pending = cluster.pending_modified_values();
        match self {
            ClusterSetting::PubliclyAccessible => pending
                .and_then(|p| p.publicly_accessible())
                .or(cluster.publicly_accessible()),
            ClusterSetting::AllowVersionUpgrade => cluster.allow_version_upgrade(),
            ClusterSetting::EnhancedVpcRouting => pending
                .and_then(|p| p.enhanced_vpc_routing())
                .or(cluster.enhanced_vpc_routing()),
        }
        .unwrap_or(false)
    }

    fn change(self, id: &str) -> String {
        let cluster = cluster_words(id);
        match self {
            ClusterSetting::PubliclyAccessible => {
                format!("turned public accessibility of {cluster} off")
            }
            ClusterSetting::AllowVersionUpgrade => {
                format!("turned on automatic major version upgrades of {cluster}")
            }
            ClusterSetting::EnhancedVpcRouting => {
                format!("turned on enhanced VPC routing of {cluster}")
            }
        }
    }
}

/// `Redshift.1`, `Redshift.6`, `Redshift.7`: one setting of a cluster.
#[derive(Debug)]
pub struct ClusterFlag(pub ClusterSetting);

impl Setting for ClusterFlag {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn wanted(&self) -> bool {
        self.0.wanted()
    }

    fn read<'a>(&'a self, fix: Fix<'a>, _with_tags: bool) -> FixFuture<'a, SettingState> {
        Box::pin(async move {
            let cluster = describe_cluster(fix).await?;
            Ok(SettingState {
                tags: Some(cluster_tags(&cluster)),
                resource: cluster_words(&fix.target.name),
                enabled: self.0.effective(&cluster),
                change: self.0.change(&fix.target.name),
            })
        })
    }

    fn write<'a>(&'a self, fix: Fix<'a>, enabled: bool) -> FixFuture<'a, ()> {
        Box::pin(modify_cluster(fix, move |request| match self.0 {
            ClusterSetting::PubliclyAccessible => request.publicly_accessible(enabled),
            ClusterSetting::AllowVersionUpgrade => request.allow_version_upgrade(enabled),
            ClusterSetting::EnhancedVpcRouting => request.enhanced_vpc_routing(enabled),
        }))
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_redshift::types::{Cluster, PendingModifiedValues};

    use super::ClusterSetting;

    #[test]
    fn a_pending_change_counts_as_made() {
        let cluster = Cluster::builder()
            .publicly_accessible(true)
            .enhanced_vpc_routing(false)
            .pending_modified_values(
                PendingModifiedValues::builder()
                    .publicly_accessible(false)
                    .enhanced_vpc_routing(true)
                    .build(),
            )
            .build();
        assert!(!ClusterSetting::PubliclyAccessible.effective(&cluster));
        assert!(ClusterSetting::EnhancedVpcRouting.effective(&cluster));
    }

    #[test]
    fn only_public_access_is_wanted_off_and_unknown_reads_as_off() {
        let bare = Cluster::builder().build();
        for setting in [
            ClusterSetting::PubliclyAccessible,
            ClusterSetting::AllowVersionUpgrade,
            ClusterSetting::EnhancedVpcRouting,
        ] {
            assert!(!setting.effective(&bare));
            assert_eq!(
                setting.wanted(),
                setting != ClusterSetting::PubliclyAccessible
            );
        }
    }
}
