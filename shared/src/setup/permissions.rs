//! The IAM actions `hubfix setup` and the drift guard call, by where they call them.
//! The templates grant exactly these (a test holds them equal): the drift guard's role
//! in `template.yaml`, and `templates/member-role.yaml` with `SetupActions` and
//! `OrganizationActions`. Turning Config recording on is hubfix's `Config.1` fix, whose
//! actions the registry declares with every other rule's.

/// In every account Security Hub runs in for the foundation (members, invited
/// accounts, the management account, the administrator itself): the account's hub,
/// its standards and products, its invitation, and reading Config recording.
pub const ACCOUNT_ACTIONS: &[&str] = &[
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeConfigurationRecorders",
    "securityhub:AcceptAdministratorInvitation",
    "securityhub:BatchDisableStandards",
    "securityhub:BatchEnableStandards",
    "securityhub:DescribeHub",
    "securityhub:EnableImportFindingsForProduct",
    "securityhub:EnableSecurityHub",
    "securityhub:GetAdministratorAccount",
    "securityhub:GetEnabledStandards",
    "securityhub:ListEnabledProductsForImport",
    "securityhub:ListInvitations",
    "securityhub:UpdateSecurityHubConfiguration",
];

/// In the delegated administrator (where hubfix runs): the organisation's
/// configuration, its members and invitations, the aggregator, and central
/// configuration policies.
pub const ADMINISTRATOR_ACTIONS: &[&str] = &[
    "securityhub:CreateConfigurationPolicy",
    "securityhub:CreateFindingAggregator",
    "securityhub:CreateMembers",
    "securityhub:DescribeOrganizationConfiguration",
    "securityhub:GetConfigurationPolicy",
    "securityhub:GetConfigurationPolicyAssociation",
    "securityhub:GetFindingAggregator",
    "securityhub:InviteMembers",
    "securityhub:ListConfigurationPolicies",
    "securityhub:ListFindingAggregators",
    "securityhub:ListMembers",
    "securityhub:StartConfigurationPolicyAssociation",
    "securityhub:UpdateConfigurationPolicy",
    "securityhub:UpdateFindingAggregator",
    "securityhub:UpdateOrganizationConfiguration",
];

/// In the management account: reading the organisation, designating the delegated
/// administrator (Security Hub's call makes the Organizations ones on the caller's
/// behalf), and the tamper-protection service control policy.
pub const MANAGEMENT_ACTIONS: &[&str] = &[
    "organizations:AttachPolicy",
    "organizations:CreatePolicy",
    "organizations:DescribeOrganization",
    "organizations:DescribePolicy",
    "organizations:EnableAWSServiceAccess",
    "organizations:EnablePolicyType",
    "organizations:ListAWSServiceAccessForOrganization",
    "organizations:ListAccounts",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListParents",
    "organizations:ListPolicies",
    "organizations:ListRoots",
    "organizations:ListTargetsForPolicy",
    "organizations:RegisterDelegatedAdministrator",
    "organizations:UpdatePolicy",
    "securityhub:EnableOrganizationAdminAccount",
    "securityhub:ListOrganizationAdminAccounts",
];

/// The Security Hub actions the drift guard's own role needs in hubfix's account (the
/// account's and the administrator's), sorted. Its Config actions are the `Config.1`
/// fix's, which the template grants it from the registry.
pub fn drift_guard_actions() -> Vec<&'static str> {
    let mut actions: Vec<&str> = ACCOUNT_ACTIONS
        .iter()
        .chain(ADMINISTRATOR_ACTIONS)
        .copied()
        .filter(|a| a.starts_with("securityhub:"))
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_list_is_sorted_without_repeats_or_wildcards() {
        for list in [ACCOUNT_ACTIONS, ADMINISTRATOR_ACTIONS, MANAGEMENT_ACTIONS] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted, list);
            for action in list {
                let (service, name) = action.split_once(':').expect("service:Action");
                assert!(!service.is_empty() && !name.contains('*'), "{action}");
                assert!(
                    name.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{action}"
                );
            }
        }
    }

    #[test]
    fn the_drift_guard_can_put_back_what_it_watches() {
        let granted = drift_guard_actions();
        for needed in [
            "securityhub:EnableSecurityHub",
            "securityhub:BatchEnableStandards",
            "securityhub:CreateMembers",
            "securityhub:CreateFindingAggregator",
            "securityhub:EnableImportFindingsForProduct",
        ] {
            assert!(granted.contains(&needed), "{needed}");
        }
    }
}
