//! The plan from observed states: a bare organisation, a finished foundation, drift,
//! central configuration, and files that do not fit the organisation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;
use crate::setup::state::{
    AggregatorRead, OrgAccount, OrgConfig, PolicyConfig, PolicyRead, Recording, RegionState,
};

const MANAGEMENT: &str = "111111111111";
const ADMIN: &str = "123456789012";
const MEMBER: &str = "222222222222";
const INVITED: &str = "444444444444";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn foundation(extra: &str) -> Foundation {
    let text = format!(
        r#"
[organization]
management_account = "{MANAGEMENT}"
administrator = "{ADMIN}"
{extra}
[hub]
regions = ["us-east-1", "eu-west-1"]
standards = ["fsbp", "cis-5.0"]

[aggregator]
region = "us-east-1"

[products]
enable = ["guardduty"]

[tamper_protection]
attach_to = ["root"]
exempt_roles = ["hubfix-break-glass"]
"#
    );
    let mut f = Foundation::parse(&text, Path::new("hubfix-setup.toml")).unwrap();
    f.invited = vec![InvitedAccount {
        account: INVITED.into(),
        email: "sec@example.com".into(),
    }];
    f
}

fn account(id: &str) -> OrgAccount {
    OrgAccount {
        id: id.into(),
        name: format!("acct-{id}"),
        email: format!("{id}@example.com"),
        status: "ACTIVE".into(),
    }
}

/// An organisation that has nothing of the foundation yet.
fn bare() -> Observed {
    let org = Organization {
        id: "o-abcdefghij".into(),
        management_account: MANAGEMENT.into(),
        root_id: "r-ab12".into(),
        accounts: vec![account(MANAGEMENT), account(ADMIN), account(MEMBER)],
        trusted_access: false,
        delegated_admins: Vec::new(),
        scp_enabled: false,
        tamper_policy: None,
        parents: BTreeMap::new(),
    };
    let mut observed = Observed {
        organization: Some(org),
        ..Observed::default()
    };
    for region in REGIONS {
        observed
            .regions
            .insert(region.into(), RegionState::default());
        for a in [MANAGEMENT, ADMIN, MEMBER, INVITED] {
            let mut hub = HubRead::off();
            hub.recording = Some(Recording::NoRecorder);
            observed.hubs.insert(Scope::regional(a, region), Ok(hub));
        }
    }
    observed
}

/// The organisation once the foundation of [`foundation`] is in place.
fn finished(f: &Foundation) -> Observed {
    let mut observed = bare();
    let content = tamper_policy(f).unwrap();
    {
        let org = observed.organization.as_mut().unwrap();
        org.trusted_access = true;
        org.delegated_admins = vec![ADMIN.into()];
        org.scp_enabled = true;
        org.tamper_policy = Some(PolicyRead {
            id: "p-abcd1234".into(),
            content,
            targets: BTreeSet::from(["r-ab12".to_owned()]),
        });
    }
    for region in REGIONS {
        let state = observed.regions.get_mut(region).unwrap();
        state.admin_accounts = vec![(ADMIN.into(), "ENABLED".into())];
        state.org_config = Some(OrgConfig {
            auto_enable: true,
            auto_enable_standards: "NONE".into(),
            configuration_type: "LOCAL".into(),
        });
        for a in [MANAGEMENT, MEMBER, INVITED] {
            state.members.insert(a.into(), "ENABLED".into());
        }
        if region == "us-east-1" {
            state.aggregator = Some(AggregatorRead {
                arn: "arn:aws:securityhub:us-east-1:123456789012:finding-aggregator/x".into(),
                linking_mode: "SPECIFIED_REGIONS".into(),
                regions: vec!["eu-west-1".into()],
            });
        }
        for a in [MANAGEMENT, ADMIN, MEMBER, INVITED] {
            let hub = HubRead {
                enabled: true,
                consolidated: true,
                auto_enable_controls: true,
                standards: f
                    .standards()
                    .iter()
                    .map(|s| {
                        (
                            s.arn(region),
                            format!("arn:aws:securityhub:{region}:{a}:subscription/{}", s.path),
                        )
                    })
                    .collect(),
                products: BTreeSet::from(["aws/guardduty".to_owned()]),
                administrator: (a != ADMIN).then(|| (ADMIN.to_owned(), "ENABLED".to_owned())),
                invitations: Vec::new(),
                recording: Some(Recording::Recording {
                    all_resources: true,
                }),
            };
            observed.hubs.insert(Scope::regional(a, region), Ok(hub));
        }
    }
    observed
}

fn actions(plan: &Plan) -> Vec<(Phase, String, &str, String)> {
    plan.steps
        .iter()
        .map(|s| {
            let name = serde_json::to_value(&s.action).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned();
            (
                s.phase,
                s.scope.account.clone(),
                s.scope.region_label(),
                name,
            )
        })
        .collect()
}

/// The plan of the default file for a bare organisation.
fn bare_plan() -> Plan {
    plan(&foundation(""), &bare()).unwrap()
}

/// Whether the plan has a step of that phase, account, region (or `global`) and action.
fn has(plan: &Plan, phase: Phase, account: &str, region: &str, action: &str) -> bool {
    actions(plan)
        .iter()
        .any(|(p, a, r, n)| *p == phase && a == account && *r == region && n == action)
}

#[test]
fn a_bare_organisation_gets_its_accounts_roles_and_phases_in_order() {
    let plan = bare_plan();
    assert_eq!(plan.configuration, ConfigurationMode::Local);
    assert_eq!(
        plan.accounts,
        BTreeMap::from([
            (MANAGEMENT.to_owned(), AccountRole::Management),
            (ADMIN.to_owned(), AccountRole::Administrator),
            (MEMBER.to_owned(), AccountRole::Member),
            (INVITED.to_owned(), AccountRole::Invited),
        ])
    );
    for r in REGIONS {
        let p: Vec<Phase> = plan
            .steps
            .iter()
            .filter(|s| s.scope.region.as_deref() == Some(r))
            .map(|s| s.phase)
            .collect();
        assert!(
            p.windows(2).all(|w| w[0] <= w[1]),
            "{r}: phases in order: {p:?}"
        );
    }
    assert_eq!(
        plan.warnings.len(),
        8,
        "Config records nothing in 4 accounts x 2 regions: {:?}",
        plan.warnings
    );
    assert!(plan.blocked.is_empty());
}

#[test]
fn a_bare_organisation_gets_trusted_access_and_an_administrator_in_every_region() {
    let plan = bare_plan();
    assert!(has(
        &plan,
        Phase::Organization,
        MANAGEMENT,
        "global",
        "enable_trusted_access"
    ));
    for region in REGIONS {
        assert!(
            has(
                &plan,
                Phase::Organization,
                MANAGEMENT,
                region,
                "designate_administrator"
            ),
            "{region}"
        );
    }
}

#[test]
fn a_bare_organisation_gets_hubs_on_where_create_members_does_not_turn_them_on() {
    let plan = bare_plan();
    for region in REGIONS {
        assert!(has(
            &plan,
            Phase::Administrator,
            ADMIN,
            region,
            "enable_hub"
        ));
        assert!(
            has(
                &plan,
                Phase::Administrator,
                MANAGEMENT,
                region,
                "enable_hub"
            ),
            "CreateMembers cannot enable the management account"
        );
        assert!(
            !has(&plan, Phase::Administrator, MEMBER, region, "enable_hub"),
            "CreateMembers enables an organisation account"
        );
        assert!(
            has(&plan, Phase::Administrator, INVITED, region, "enable_hub"),
            "an invited account enables its own hub"
        );
    }
}

#[test]
fn a_bare_organisation_gets_the_administrators_settings_and_one_aggregator() {
    let plan = bare_plan();
    for region in REGIONS {
        assert!(has(
            &plan,
            Phase::Administrator,
            ADMIN,
            region,
            "enable_standards"
        ));
        assert!(has(
            &plan,
            Phase::Administrator,
            ADMIN,
            region,
            "configure_organization"
        ));
    }
    assert!(has(
        &plan,
        Phase::Administrator,
        ADMIN,
        "us-east-1",
        "create_aggregator"
    ));
    assert!(!has(
        &plan,
        Phase::Administrator,
        ADMIN,
        "eu-west-1",
        "create_aggregator"
    ));
    let new_accounts = plan
        .steps
        .iter()
        .find_map(|s| match &s.action {
            Action::ConfigureOrganization {
                auto_enable,
                auto_enable_standards,
                ..
            } => Some((*auto_enable, auto_enable_standards.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        new_accounts,
        (true, "NONE".to_owned()),
        "CIS 1.2.0 is not wanted, so new accounts get no defaults"
    );
}

#[test]
fn a_bare_organisation_gets_its_members_added_invited_and_accepted() {
    let plan = bare_plan();
    for region in REGIONS {
        assert!(has(&plan, Phase::Members, ADMIN, region, "add_members"));
        assert!(has(&plan, Phase::Members, ADMIN, region, "invite_members"));
        assert!(has(
            &plan,
            Phase::Members,
            INVITED,
            region,
            "accept_invitation"
        ));
    }
    let add = plan
        .steps
        .iter()
        .find_map(|s| match &s.action {
            Action::AddMembers { accounts } => Some(accounts.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        add.iter()
            .map(|a| (a.account.as_str(), a.email.as_str()))
            .collect::<Vec<_>>(),
        [
            (MANAGEMENT, "111111111111@example.com"),
            (MEMBER, "222222222222@example.com"),
            (INVITED, "sec@example.com")
        ]
    );
}

#[test]
fn a_bare_organisation_gets_each_accounts_standards_and_products() {
    let plan = bare_plan();
    for region in REGIONS {
        assert!(has(
            &plan,
            Phase::Accounts,
            MEMBER,
            region,
            "enable_standards"
        ));
        assert!(
            has(&plan, Phase::Accounts, MEMBER, region, "disable_standards"),
            "the defaults CreateMembers turns on"
        );
        assert!(has(
            &plan,
            Phase::Accounts,
            INVITED,
            region,
            "enable_standards"
        ));
        assert!(
            !has(&plan, Phase::Accounts, INVITED, region, "disable_standards"),
            "hubfix enables invited hubs without defaults"
        );
        assert!(has(
            &plan,
            Phase::Accounts,
            MEMBER,
            region,
            "enable_products"
        ));
    }
}

#[test]
fn a_bare_organisation_gets_tamper_protection_in_the_management_account() {
    let plan = bare_plan();
    for action in [
        "enable_service_control_policies",
        "put_tamper_policy",
        "attach_tamper_policy",
    ] {
        assert!(
            has(&plan, Phase::TamperProtection, MANAGEMENT, "global", action),
            "{action}"
        );
    }
}

#[test]
fn a_finished_foundation_plans_nothing() {
    let f = foundation("");
    let plan = plan(&f, &finished(&f)).unwrap();
    assert!(plan.is_clean(), "{:#?}", plan.steps);
}

#[test]
fn drift_plans_exactly_what_puts_it_back() {
    let f = foundation("");
    let mut observed = finished(&f);
    let member = Scope::regional(MEMBER, "eu-west-1");
    let mut off = HubRead::off();
    off.recording = Some(Recording::Stopped {
        all_resources: true,
    });
    observed.hubs.insert(member.clone(), Ok(off));
    // Disabling Security Hub removes the account's association with the administrator.
    observed
        .regions
        .get_mut("eu-west-1")
        .unwrap()
        .members
        .insert(MEMBER.into(), "RESIGNED".into());
    observed.regions.get_mut("us-east-1").unwrap().aggregator = None;
    let plan = plan(&f, &observed).unwrap();
    let steps = actions(&plan);
    assert_eq!(
        steps,
        [
            (
                Phase::Administrator,
                ADMIN.to_owned(),
                "us-east-1",
                "create_aggregator".to_owned()
            ),
            (
                Phase::Members,
                ADMIN.to_owned(),
                "eu-west-1",
                "add_members".to_owned()
            ),
            (
                Phase::Accounts,
                MEMBER.to_owned(),
                "eu-west-1",
                "enable_standards".to_owned()
            ),
            (
                Phase::Accounts,
                MEMBER.to_owned(),
                "eu-west-1",
                "disable_standards".to_owned()
            ),
            (
                Phase::Accounts,
                MEMBER.to_owned(),
                "eu-west-1",
                "enable_products".to_owned()
            ),
        ],
        "CreateMembers turns Security Hub back on with its defaults; CIS 1.2.0 goes again"
    );
    assert_eq!(plan.warnings.len(), 1);
    assert!(
        plan.warnings[0].message.contains("stopped"),
        "{:?}",
        plan.warnings
    );

    let mut fixing = f.clone();
    fixing.config_recording.fix = true;
    let plan = super::plan(&fixing, &observed).unwrap();
    assert!(plan.warnings.is_empty());
    assert!(plan
        .steps
        .iter()
        .any(|s| s.scope == member && s.action == Action::StartConfigRecording));
}

#[test]
fn a_changed_file_updates_the_policy_and_the_standards() {
    let f = foundation("");
    let observed = finished(&f);
    let mut more = f.clone();
    more.standards.push("nist-800-53".into());
    more.tamper_protection
        .as_mut()
        .unwrap()
        .exempt_roles
        .push("ops-admin".into());
    let plan = plan(&more, &observed).unwrap();
    let put = plan.steps.iter().find_map(|s| match &s.action {
        Action::PutTamperPolicy {
            policy_id, content, ..
        } => Some((policy_id.clone(), content.clone())),
        _ => None,
    });
    let (id, content) = put.expect("the policy is updated");
    assert_eq!(id.as_deref(), Some("p-abcd1234"));
    assert!(content.contains("ops-admin"));
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| matches!(s.action, Action::AttachTamperPolicy { .. })),
        "already attached"
    );
    let enables = plan
        .steps
        .iter()
        .filter(|s| matches!(&s.action, Action::EnableStandards { standards } if standards.len() == 1 && standards[0].contains("nist-800-53")))
        .count();
    assert_eq!(enables, 8, "every account in every region");
}

#[test]
fn central_configuration_is_detected_and_managed_by_policy() {
    let f = foundation("");
    let mut observed = finished(&f);
    for state in observed.regions.values_mut() {
        state.org_config = Some(OrgConfig {
            auto_enable: false,
            auto_enable_standards: "NONE".into(),
            configuration_type: "CENTRAL".into(),
        });
    }
    // A member's standards drift: under central configuration the policy owns them.
    if let Some(Ok(hub)) = observed.hubs.get_mut(&Scope::regional(MEMBER, "us-east-1")) {
        hub.standards.clear();
    }
    let plan = plan(&f, &observed).unwrap();
    assert_eq!(plan.configuration, ConfigurationMode::Central);
    let steps = actions(&plan);
    assert_eq!(
        steps,
        [
            (
                Phase::Administrator,
                ADMIN.to_owned(),
                "us-east-1",
                "put_configuration_policy".to_owned()
            ),
            (
                Phase::Administrator,
                ADMIN.to_owned(),
                "us-east-1",
                "associate_policy_with_root".to_owned()
            ),
        ]
    );
    let mut with_policy = observed.clone();
    let mut wanted: Vec<String> = f.standards().iter().map(|s| s.arn("us-east-1")).collect();
    wanted.sort();
    with_policy.regions.get_mut("us-east-1").unwrap().policy = Some(PolicyConfig {
        id: "pol-1".into(),
        service_enabled: true,
        standards: wanted,
        associated_with_root: true,
    });
    assert!(super::plan(&f, &with_policy).unwrap().steps.is_empty());

    let mut no_aggregator = foundation("configuration = \"central\"");
    no_aggregator.aggregator = None;
    let err = super::plan(&no_aggregator, &bare()).unwrap_err();
    assert!(
        err.0
            .contains("central configuration needs a finding aggregator"),
        "{err}"
    );
}

#[test]
fn files_that_do_not_fit_the_organisation_are_refused() {
    let observed = bare();
    let mut outsider = foundation("");
    outsider.administrator = "999999999999".into();
    let err = plan(&outsider, &observed).unwrap_err();
    assert!(
        err.0
            .contains("999999999999 is not an account of the organisation o-abcdefghij"),
        "{err}"
    );

    let mut invited_member = foundation("");
    invited_member.invited[0].account = MEMBER.into();
    let err = plan(&invited_member, &observed).unwrap_err();
    assert!(err.0.contains("remove it from the CSV"), "{err}");

    let excluded = foundation("exclude = [\"555555555555\"]");
    let err = plan(&excluded, &observed).unwrap_err();
    assert!(err.0.contains("555555555555"), "{err}");

    let mut wrong_management = foundation("");
    wrong_management.management_account = "555555555555".into();
    assert!(plan(&wrong_management, &observed)
        .unwrap_err()
        .0
        .contains("management account is 111111111111"));

    let mut other_admin = bare();
    other_admin
        .regions
        .get_mut("eu-west-1")
        .unwrap()
        .admin_accounts = vec![(MEMBER.into(), "ENABLED".into())];
    let err = plan(&foundation(""), &other_admin).unwrap_err();
    assert!(
        err.0
            .contains("eu-west-1: 222222222222 is already the Security Hub administrator"),
        "{err}"
    );

    let unread = Observed {
        organization_error: Some(
            "111111111111 global: could not assume arn:aws:iam::111111111111:role/x".into(),
        ),
        ..Observed::default()
    };
    assert!(plan(&foundation(""), &unread)
        .unwrap_err()
        .0
        .contains("could not assume"));
}

#[test]
fn unreadable_accounts_are_blocked_not_guessed() {
    let f = foundation("");
    let mut observed = finished(&f);
    let scope = Scope::regional(INVITED, "eu-west-1");
    observed
        .hubs
        .insert(scope.clone(), Err("444444444444 eu-west-1: could not assume arn:aws:iam::444444444444:role/hubfix-remediation".into()));
    let plan = plan(&f, &observed).unwrap();
    assert!(plan.steps.is_empty());
    assert_eq!(plan.blocked.len(), 1);
    assert_eq!(plan.blocked[0].scope, scope);
    assert!(!plan.is_clean());
}

#[test]
fn the_policy_covers_accounts_under_its_targets_but_never_the_management_account() {
    let f = foundation("");
    let mut org = finished(&f).organization.unwrap();
    assert!(policy_covers(&org, MEMBER));
    assert!(!policy_covers(&org, MANAGEMENT));
    org.tamper_policy.as_mut().unwrap().targets = BTreeSet::from(["ou-ab12-cdefgh34".to_owned()]);
    assert!(!policy_covers(&org, MEMBER));
    org.parents
        .insert(MEMBER.into(), vec!["ou-ab12-cdefgh34".into()]);
    assert!(policy_covers(&org, MEMBER));
}

fn row<'a>(
    status: &'a crate::setup::status::Status,
    account: &str,
    region: &str,
) -> &'a crate::setup::status::StatusRow {
    status
        .rows
        .iter()
        .find(|r| r.account == account && r.region == region)
        .unwrap_or_else(|| panic!("a row for {account} {region}"))
}

#[test]
fn status_of_a_finished_foundation_shows_everything_on_and_nothing_drifting() {
    let f = foundation("");
    let observed = finished(&f);
    let status = crate::setup::status::status(&f, &observed, &plan(&f, &observed).unwrap());
    assert!(!status.drifted);
    assert!(
        status.rows.iter().all(|r| r.drift.is_empty()),
        "{:#?}",
        status.rows
    );
    assert_eq!(
        status.rows.len(),
        1 + 4 * REGIONS.len(),
        "the organisation's row, then each account and region"
    );
    let member = row(&status, MEMBER, "eu-west-1");
    assert_eq!(
        (
            member.hub.as_str(),
            member.standards.as_str(),
            member.consolidated.as_str()
        ),
        ("on", "2/2", "yes")
    );
    assert_eq!(
        (
            member.config.as_str(),
            member.member.as_str(),
            member.aggregator.as_str(),
            member.scp.as_str()
        ),
        ("all", "ENABLED", "linked", "attached")
    );
    assert_eq!(row(&status, ADMIN, "us-east-1").aggregator, "here");
    assert_eq!(row(&status, ADMIN, "us-east-1").member, "self");
    assert_eq!(
        row(&status, MANAGEMENT, "us-east-1").scp,
        "n/a",
        "SCPs never apply to it"
    );
    assert_eq!(
        row(&status, INVITED, "us-east-1").scp,
        "n/a",
        "outside the organisation"
    );
    assert_eq!(row(&status, MANAGEMENT, "global").scp, "in force");
}

#[test]
fn status_shows_drift_where_it_is_and_unread_accounts_as_unknown() {
    let f = foundation("");
    let mut observed = finished(&f);
    let mut off = HubRead::off();
    off.recording = Some(Recording::Recording {
        all_resources: true,
    });
    observed
        .hubs
        .insert(Scope::regional(MEMBER, "us-east-1"), Ok(off));
    observed
        .regions
        .get_mut("us-east-1")
        .unwrap()
        .members
        .remove(MEMBER);
    observed.hubs.insert(
        Scope::regional(INVITED, "eu-west-1"),
        Err("could not assume the role".into()),
    );
    let status = crate::setup::status::status(&f, &observed, &plan(&f, &observed).unwrap());
    assert!(status.drifted);
    let member = row(&status, MEMBER, "us-east-1");
    assert_eq!(
        (member.hub.as_str(), member.standards.as_str()),
        ("off", "0/2")
    );
    assert!(
        member
            .drift
            .iter()
            .any(|d| d == "not a member of the administrator"),
        "{:?}",
        member.drift
    );
    let unread = row(&status, INVITED, "eu-west-1");
    assert_eq!((unread.hub.as_str(), unread.standards.as_str()), ("?", "?"));
    assert!(
        unread
            .drift
            .iter()
            .any(|d| d.contains("could not assume the role")),
        "{:?}",
        unread.drift
    );
    let drifting: Vec<_> = status
        .rows
        .iter()
        .filter(|r| !r.drift.is_empty())
        .map(|r| (r.account.as_str(), r.region.as_str()))
        .collect();
    assert_eq!(
        drifting,
        [(MEMBER, "us-east-1"), (INVITED, "eu-west-1")],
        "only where it drifts"
    );
}
