//! Reading what AWS reports into [`Observed`]: the organisation (management account),
//! each region's administrator view, and each account's hub and Config recording.
//! Reads only; a read that fails becomes the reason in the observation, so that the
//! plan says which account could not be read and why, and the rest is still planned.

use std::collections::BTreeMap;

use aws_sdk_organizations::Client as OrgClient;
use aws_sdk_securityhub::types::{ControlFindingGenerator, Policy, Target};
use futures_util::stream::{self, StreamExt};

use super::access::{Access, Via};
use super::file::Foundation;
use super::plan::{enrolled, AccountRole, CONFIGURATION_POLICY_NAME, SECURITY_HUB_PRINCIPAL};
use super::state::{
    AggregatorRead, HubRead, Observed, OrgAccount, OrgConfig, Organization, PolicyConfig,
    PolicyRead, Recording, RegionState, Scope,
};
use crate::error::FixError;

/// Accounts and regions read at once.
const READS_AT_ONCE: usize = 8;

/// Codes Security Hub answers when it is not enabled in the account.
const NOT_ENABLED: &[&str] = &[
    "InvalidAccessException",
    "InvalidAccess",
    "ResourceNotFoundException",
];

fn err<E, R>(
    operation: &'static str,
    scope: &Scope,
    e: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    format!(
        "{scope}: {}",
        FixError::from_sdk(operation, &scope.account, &[], e)
    )
}

fn code<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> Option<&str>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    crate::error::service_code(e)
}

/// Reads everything the plan of `f` needs. `progress` is told how many account-regions
/// have been read, of how many.
pub async fn observe(
    f: &Foundation,
    access: &Access,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Observed {
    let mut observed = observe_without_hubs(f, access).await;
    let Some(org) = &observed.organization else {
        return observed;
    };
    let Ok(accounts) = enrolled(f, org) else {
        return observed;
    };
    observed.hubs = hubs(f, access, &accounts, progress).await;
    observed
}

/// Reads only the hubs of the given scopes (the drift guard's narrow read); the
/// organisation and region views are read in full.
pub async fn observe_scopes(f: &Foundation, access: &Access, scopes: &[Scope]) -> Observed {
    let mut observed = observe_without_hubs(f, access).await;
    let Some(org) = &observed.organization else {
        return observed;
    };
    let Ok(accounts) = enrolled(f, org) else {
        return observed;
    };
    let wanted: BTreeMap<String, AccountRole> = accounts
        .into_iter()
        .filter(|(a, _)| scopes.iter().any(|s| s.account == *a))
        .collect();
    let mut all = hubs(f, access, &wanted, &|_, _| {}).await;
    all.retain(|scope, _| {
        scopes
            .iter()
            .any(|s| s.account == scope.account && (s.region.is_none() || s.region == scope.region))
    });
    observed.hubs = all;
    observed
}

async fn observe_without_hubs(f: &Foundation, access: &Access) -> Observed {
    let mut observed = Observed::default();
    match organization(f, access).await {
        Ok(org) => observed.organization = Some(org),
        Err(e) => {
            observed.organization_error = Some(e);
            return observed;
        }
    }
    let root_id = observed
        .organization
        .as_ref()
        .map(|o| o.root_id.clone())
        .unwrap_or_default();
    for region in &f.regions {
        observed.regions.insert(
            region.clone(),
            region_state(f, access, region, &root_id).await,
        );
    }
    observed
}

async fn hubs(
    f: &Foundation,
    access: &Access,
    accounts: &BTreeMap<String, AccountRole>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> BTreeMap<Scope, Result<HubRead, String>> {
    let scopes: Vec<(Scope, AccountRole)> = accounts
        .iter()
        .flat_map(|(a, role)| {
            f.regions
                .iter()
                .map(move |r| (Scope::regional(a, r), *role))
        })
        .collect();
    let total = scopes.len();
    let mut done = 0;
    let mut out = BTreeMap::new();
    let mut reads = stream::iter(scopes.into_iter().map(|(scope, role)| async move {
        let via = if role == AccountRole::Invited {
            Via::Invited
        } else {
            Via::Organization
        };
        let read = hub(f, access, &scope, via).await;
        (scope, read)
    }))
    .buffer_unordered(READS_AT_ONCE);
    while let Some((scope, read)) = reads.next().await {
        done += 1;
        progress(done, total);
        out.insert(scope, read);
    }
    out
}

/// The organisation as its management account reports it: root, accounts, trusted
/// access, delegated administrators, and, when the file asks for tamper protection, its
/// policy and (for OU targets) each account's chain of OUs.
async fn organization(f: &Foundation, access: &Access) -> Result<Organization, String> {
    let scope = Scope::global(&f.management_account);
    let client = access
        .organizations(&f.management_account, f.partition())
        .await
        .map_err(|e| format!("{scope}: {e}"))?;
    let described = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| err("organizations:DescribeOrganization", &scope, e))?;
    let o = described
        .organization()
        .ok_or_else(|| format!("{scope}: DescribeOrganization returned no organisation"))?;
    let roots = client
        .list_roots()
        .send()
        .await
        .map_err(|e| err("organizations:ListRoots", &scope, e))?;
    let root = roots
        .roots()
        .first()
        .ok_or_else(|| format!("{scope}: the organisation has no root"))?;
    let scp_enabled = root.policy_types().iter().any(|p| {
        p.r#type().map(|t| t.as_str()) == Some("SERVICE_CONTROL_POLICY")
            && p.status().map(|s| s.as_str()) == Some("ENABLED")
    });
    let accounts = org_accounts(&client, &scope).await?;
    let trusted_access = trusted_access(&client, &scope).await?;
    let delegated_admins = delegated_admins(&client, &scope).await?;
    let tamper_policy = match &f.tamper_protection {
        Some(t) => tamper_policy(&client, &scope, &t.policy_name).await?,
        None => None,
    };
    let ou_targets = f
        .tamper_protection
        .as_ref()
        .is_some_and(|t| t.attach_to.iter().any(|x| x.starts_with("ou-")));
    let parents = if ou_targets {
        ou_parents(&client, &accounts).await
    } else {
        BTreeMap::new()
    };
    Ok(Organization {
        id: o.id().unwrap_or_default().to_owned(),
        management_account: o.master_account_id().unwrap_or_default().to_owned(),
        root_id: root.id().unwrap_or_default().to_owned(),
        accounts,
        trusted_access,
        delegated_admins,
        scp_enabled,
        tamper_policy,
        parents,
    })
}

/// Every account of the organisation (`ListAccounts`, all pages).
async fn org_accounts(client: &OrgClient, scope: &Scope) -> Result<Vec<OrgAccount>, String> {
    let mut accounts = Vec::new();
    let mut pages = client.list_accounts().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| err("organizations:ListAccounts", scope, e))?;
        for a in page.accounts() {
            accounts.push(OrgAccount {
                id: a.id().unwrap_or_default().to_owned(),
                name: a.name().unwrap_or_default().to_owned(),
                email: a.email().unwrap_or_default().to_owned(),
                status: a
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(accounts)
}

/// Whether Security Hub is a trusted service of the organisation.
async fn trusted_access(client: &OrgClient, scope: &Scope) -> Result<bool, String> {
    let trusted = client
        .list_aws_service_access_for_organization()
        .send()
        .await
        .map_err(|e| {
            err(
                "organizations:ListAWSServiceAccessForOrganization",
                scope,
                e,
            )
        })?;
    Ok(trusted
        .enabled_service_principals()
        .iter()
        .any(|p| p.service_principal() == Some(SECURITY_HUB_PRINCIPAL)))
}

/// The accounts delegated to administer Security Hub.
async fn delegated_admins(client: &OrgClient, scope: &Scope) -> Result<Vec<String>, String> {
    let out = client
        .list_delegated_administrators()
        .service_principal(SECURITY_HUB_PRINCIPAL)
        .send()
        .await
        .map_err(|e| err("organizations:ListDelegatedAdministrators", scope, e))?;
    Ok(out
        .delegated_administrators()
        .iter()
        .filter_map(|d| d.id().map(str::to_owned))
        .collect())
}

/// The tamper-protection policy of that name, with its content and targets; `None`
/// when there is none.
async fn tamper_policy(
    client: &OrgClient,
    scope: &Scope,
    policy_name: &str,
) -> Result<Option<PolicyRead>, String> {
    let mut pages = client
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .into_paginator()
        .send();
    let mut found = None;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| err("organizations:ListPolicies", scope, e))?;
        if let Some(p) = page
            .policies()
            .iter()
            .find(|p| p.name() == Some(policy_name))
        {
            found = p.id().map(str::to_owned);
            break;
        }
    }
    let Some(id) = found else {
        return Ok(None);
    };
    let described = client
        .describe_policy()
        .policy_id(&id)
        .send()
        .await
        .map_err(|e| err("organizations:DescribePolicy", scope, e))?;
    let content = described
        .policy()
        .and_then(|p| p.content())
        .unwrap_or_default()
        .to_owned();
    let targets = client
        .list_targets_for_policy()
        .policy_id(&id)
        .send()
        .await
        .map_err(|e| err("organizations:ListTargetsForPolicy", scope, e))?
        .targets()
        .iter()
        .filter_map(|t| t.target_id().map(str::to_owned))
        .collect();
    Ok(Some(PolicyRead {
        id,
        content,
        targets,
    }))
}

/// Each account's OUs, innermost first (`ListParents` up to the root); a read that
/// fails ends the account's chain there.
async fn ou_parents(client: &OrgClient, accounts: &[OrgAccount]) -> BTreeMap<String, Vec<String>> {
    let mut parents = BTreeMap::new();
    for a in accounts {
        let mut chain = Vec::new();
        let mut child = a.id.clone();
        while let Ok(out) = client.list_parents().child_id(&child).send().await {
            match out.parents().first().and_then(|p| p.id()) {
                Some(id) if id.starts_with("ou-") => {
                    chain.push(id.to_owned());
                    child = id.to_owned();
                }
                _ => break,
            }
        }
        parents.insert(a.id.clone(), chain);
    }
    parents
}

async fn region_state(f: &Foundation, access: &Access, region: &str, root_id: &str) -> RegionState {
    let mut state = RegionState::default();
    let mut errors = Vec::new();
    let management = Scope::regional(&f.management_account, region);
    match access
        .securityhub(&f.management_account, region, Via::Organization)
        .await
    {
        Ok(client) => match client.list_organization_admin_accounts().send().await {
            Ok(out) => {
                state.admin_accounts = out
                    .admin_accounts()
                    .iter()
                    .map(|a| {
                        (
                            a.account_id().unwrap_or_default().to_owned(),
                            a.status()
                                .map(|s| s.as_str().to_owned())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
            }
            Err(e) => errors.push(err(
                "securityhub:ListOrganizationAdminAccounts",
                &management,
                e,
            )),
        },
        Err(e) => errors.push(format!("{management}: {e}")),
    }
    let admin = Scope::regional(&f.administrator, region);
    let client = match access
        .securityhub(&f.administrator, region, Via::Organization)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            errors.push(format!("{admin}: {e}"));
            state.error = Some(errors.join("; "));
            return state;
        }
    };
    // Before the administrator is designated (or its hub enabled) these reads fail:
    // that is a state to plan from, not an error.
    if let Ok(out) = client.describe_organization_configuration().send().await {
        state.org_config = Some(OrgConfig {
            auto_enable: out.auto_enable().unwrap_or(false),
            auto_enable_standards: out
                .auto_enable_standards()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| "DEFAULT".into()),
            configuration_type: out
                .organization_configuration()
                .and_then(|c| c.configuration_type())
                .map(|t| t.as_str().to_owned())
                .unwrap_or_else(|| "LOCAL".into()),
        });
    }
    let mut pages = client
        .list_members()
        .only_associated(false)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                for m in page.members() {
                    state.members.insert(
                        m.account_id().unwrap_or_default().to_owned(),
                        m.member_status().unwrap_or_default().to_ascii_uppercase(),
                    );
                }
            }
            Err(e) if code(&e).is_some_and(|c| NOT_ENABLED.contains(&c)) => break,
            Err(e) => {
                errors.push(err("securityhub:ListMembers", &admin, e));
                break;
            }
        }
    }
    if f.aggregator.as_ref().is_some_and(|a| a.region == region) {
        match aggregator(&client, &admin).await {
            Ok(a) => state.aggregator = a,
            Err(e) => errors.push(e),
        }
        match configuration_policy(&client, root_id).await {
            Ok(p) => state.policy = p,
            Err(e) => errors.push(format!("{admin}: {e}")),
        }
    }
    if !errors.is_empty() {
        state.error = Some(errors.join("; "));
    }
    state
}

async fn aggregator(
    client: &aws_sdk_securityhub::Client,
    scope: &Scope,
) -> Result<Option<AggregatorRead>, String> {
    let listed = match client.list_finding_aggregators().send().await {
        Ok(out) => out,
        Err(e) if code(&e).is_some_and(|c| NOT_ENABLED.contains(&c)) => return Ok(None),
        Err(e) => return Err(err("securityhub:ListFindingAggregators", scope, e)),
    };
    let Some(arn) = listed
        .finding_aggregators()
        .first()
        .and_then(|a| a.finding_aggregator_arn())
    else {
        return Ok(None);
    };
    let got = client
        .get_finding_aggregator()
        .finding_aggregator_arn(arn)
        .send()
        .await
        .map_err(|e| err("securityhub:GetFindingAggregator", scope, e))?;
    let mut regions: Vec<String> = got.regions().to_vec();
    regions.sort();
    Ok(Some(AggregatorRead {
        arn: arn.to_owned(),
        linking_mode: got.region_linking_mode().unwrap_or_default().to_owned(),
        regions,
    }))
}

/// hubfix's configuration policy, when the organisation uses central configuration.
async fn configuration_policy(
    client: &aws_sdk_securityhub::Client,
    root_id: &str,
) -> Result<Option<PolicyConfig>, String> {
    let listed = match client.list_configuration_policies().send().await {
        Ok(out) => out,
        // Not central (or not the administrator yet): there is no policy to read.
        Err(_) => return Ok(None),
    };
    let Some(summary) = listed
        .configuration_policy_summaries()
        .iter()
        .find(|p| p.name() == Some(CONFIGURATION_POLICY_NAME))
    else {
        return Ok(None);
    };
    let id = summary.id().unwrap_or_default().to_owned();
    let got = client
        .get_configuration_policy()
        .identifier(&id)
        .send()
        .await
        .map_err(|e| {
            FixError::from_sdk("securityhub:GetConfigurationPolicy", &id, &[], e).to_string()
        })?;
    let (service_enabled, mut standards) = match got.configuration_policy() {
        Some(Policy::SecurityHub(p)) => (
            p.service_enabled().unwrap_or(false),
            p.enabled_standard_identifiers().to_vec(),
        ),
        _ => (false, Vec::new()),
    };
    standards.sort();
    let associated_with_root = root_association(client, root_id, &id).await;
    Ok(Some(PolicyConfig {
        id,
        service_enabled,
        standards,
        associated_with_root,
    }))
}

/// Whether the root is associated with the policy, and the association did not fail.
async fn root_association(
    client: &aws_sdk_securityhub::Client,
    root_id: &str,
    policy_id: &str,
) -> bool {
    client
        .get_configuration_policy_association()
        .target(Target::RootId(root_id.to_owned()))
        .send()
        .await
        .is_ok_and(|out| {
            out.configuration_policy_id() == Some(policy_id)
                && out.association_status().map(|s| s.as_str()) != Some("FAILED")
        })
}

async fn hub(f: &Foundation, access: &Access, scope: &Scope, via: Via) -> Result<HubRead, String> {
    let region = scope.region.as_deref().unwrap_or_default();
    let client = access
        .securityhub(&scope.account, region, via)
        .await
        .map_err(|e| format!("{scope}: {e}"))?;
    let mut read = HubRead::off();
    match client.describe_hub().send().await {
        Ok(out) => {
            read.enabled = true;
            read.consolidated =
                out.control_finding_generator() == Some(&ControlFindingGenerator::SecurityControl);
            read.auto_enable_controls = out.auto_enable_controls().unwrap_or(false);
        }
        Err(e) if code(&e).is_some_and(|c| NOT_ENABLED.contains(&c)) => {}
        Err(e) => return Err(err("securityhub:DescribeHub", scope, e)),
    }
    if read.enabled {
        let mut pages = client.get_enabled_standards().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| err("securityhub:GetEnabledStandards", scope, e))?;
            for s in page.standards_subscriptions() {
                if s.standards_status().map(|x| x.as_str()) == Some("DELETING") {
                    continue;
                }
                if let (Some(arn), Some(sub)) = (s.standards_arn(), s.standards_subscription_arn())
                {
                    read.standards.insert(arn.to_owned(), sub.to_owned());
                }
            }
        }
        let mut pages = client
            .list_enabled_products_for_import()
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| err("securityhub:ListEnabledProductsForImport", scope, e))?;
            read.products.extend(
                page.product_subscriptions()
                    .iter()
                    .filter_map(|s| super::catalogue::ProductRef::of_arn(s).map(|p| p.path)),
            );
        }
        let admin = client
            .get_administrator_account()
            .send()
            .await
            .map_err(|e| err("securityhub:GetAdministratorAccount", scope, e))?;
        read.administrator = admin.administrator().map(|a| {
            (
                a.account_id().unwrap_or_default().to_owned(),
                a.member_status().unwrap_or_default().to_owned(),
            )
        });
        if via == Via::Invited {
            let invitations = client
                .list_invitations()
                .send()
                .await
                .map_err(|e| err("securityhub:ListInvitations", scope, e))?;
            read.invitations = invitations
                .invitations()
                .iter()
                .map(|i| {
                    (
                        i.account_id().unwrap_or_default().to_owned(),
                        i.invitation_id().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
        }
    }
    if f.config_recording.required {
        read.recording = Some(recording(access, scope, via).await?);
    }
    Ok(read)
}

async fn recording(access: &Access, scope: &Scope, via: Via) -> Result<Recording, String> {
    let region = scope.region.as_deref().unwrap_or_default();
    let client = access
        .config_service(&scope.account, region, via)
        .await
        .map_err(|e| format!("{scope}: {e}"))?;
    let recorders = client
        .describe_configuration_recorders()
        .send()
        .await
        .map_err(|e| err("config:DescribeConfigurationRecorders", scope, e))?;
    let Some(recorder) = recorders.configuration_recorders().first() else {
        return Ok(Recording::NoRecorder);
    };
    let all_resources = recorder
        .recording_group()
        .is_some_and(|g| g.all_supported());
    let statuses = client
        .describe_configuration_recorder_status()
        .send()
        .await
        .map_err(|e| err("config:DescribeConfigurationRecorderStatus", scope, e))?;
    let recording = statuses
        .configuration_recorders_status()
        .iter()
        .any(|s| s.name() == recorder.name() && s.recording());
    Ok(if recording {
        Recording::Recording { all_resources }
    } else {
        Recording::Stopped { all_resources }
    })
}
