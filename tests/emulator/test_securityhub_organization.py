"""Security Hub in an organisation (added by the extension): the delegated administrator,
the organisation configuration, members, invitations and hub configuration, through
boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import make_organization

MANAGEMENT, ADMIN, MEMBER, OUTSIDER = "111111111111", "222222222222", "333333333333", "444444444444"
FSBP = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"


@pytest.fixture(scope="module")
def org(emulator):
    return make_organization(emulator, MANAGEMENT, [ADMIN, MEMBER])


def code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


def test_only_the_management_account_designates_the_administrator(emulator, org):
    admin = emulator.client_in("securityhub", ADMIN)
    with pytest.raises(ClientError) as err:
        admin.enable_organization_admin_account(AdminAccountId=ADMIN)
    assert code(err) == "AccessDeniedException"
    management = emulator.client_in("securityhub", MANAGEMENT)
    with pytest.raises(ClientError) as err:
        management.enable_organization_admin_account(AdminAccountId=OUTSIDER)
    assert code(err) == "InvalidInputException"
    assert management.list_organization_admin_accounts()["AdminAccounts"] == []
    management.enable_organization_admin_account(AdminAccountId=ADMIN)
    management.enable_organization_admin_account(AdminAccountId=ADMIN)
    assert management.list_organization_admin_accounts()["AdminAccounts"] == [{"AccountId": ADMIN, "Status": "ENABLED"}]
    assert emulator.client_in("securityhub", MANAGEMENT, region="eu-west-1").list_organization_admin_accounts()[
        "AdminAccounts"] == [], "one region at a time"
    with pytest.raises(ClientError) as err:
        management.enable_organization_admin_account(AdminAccountId=MEMBER)
    assert code(err) == "InvalidInputException", "one administrator per region"
    orgs = emulator.client_in("organizations", MANAGEMENT)
    trusted = [p["ServicePrincipal"] for p in orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]]
    assert "securityhub.amazonaws.com" in trusted
    delegated = orgs.list_delegated_administrators(ServicePrincipal="securityhub.amazonaws.com")["DelegatedAdministrators"]
    assert [d["Id"] for d in delegated] == [ADMIN]


def test_the_administrator_configures_the_organisation(emulator, org):
    admin = emulator.client_in("securityhub", ADMIN)
    member = emulator.client_in("securityhub", MEMBER)
    with pytest.raises(ClientError) as err:
        member.describe_organization_configuration()
    assert code(err) == "InvalidAccessException"
    admin.update_organization_configuration(AutoEnable=True, AutoEnableStandards="NONE")
    got = admin.describe_organization_configuration()
    assert (got["AutoEnable"], got["AutoEnableStandards"], got["OrganizationConfiguration"]["ConfigurationType"]) == (
        True, "NONE", "LOCAL")
    with pytest.raises(ClientError) as err:
        admin.update_organization_configuration(AutoEnable=False, AutoEnableStandards="NONE",
                                                OrganizationConfiguration={"ConfigurationType": "CENTRAL"})
    assert code(err) == "InvalidInputException", "central configuration needs an aggregator"
    with pytest.raises(ClientError) as err:
        admin.update_organization_configuration(AutoEnable=True, AutoEnableStandards="ALL")
    assert code(err) == "InvalidInputException"


def test_hub_configuration_and_conflicts(emulator):
    hub = emulator.client_in("securityhub", "555555555555")
    with pytest.raises(ClientError) as err:
        hub.describe_hub()
    assert code(err) == "InvalidAccessException"
    hub.enable_security_hub(EnableDefaultStandards=False, ControlFindingGenerator="STANDARD_CONTROL")
    with pytest.raises(ClientError) as err:
        hub.enable_security_hub()
    assert code(err) == "ResourceConflictException"
    described = hub.describe_hub()
    assert (described["ControlFindingGenerator"], described["AutoEnableControls"]) == ("STANDARD_CONTROL", True)
    assert hub.get_enabled_standards()["StandardsSubscriptions"] == []
    hub.update_security_hub_configuration(ControlFindingGenerator="SECURITY_CONTROL", AutoEnableControls=False)
    described = hub.describe_hub()
    assert (described["ControlFindingGenerator"], described["AutoEnableControls"]) == ("SECURITY_CONTROL", False)
    with pytest.raises(ClientError) as err:
        emulator.client_in("securityhub", "555555555555", validate=False).update_security_hub_configuration(
            ControlFindingGenerator="EVERYTHING")
    assert code(err) == "InvalidInputException"


def test_organisation_accounts_are_associated_at_once(emulator, org):
    admin = emulator.client_in("securityhub", ADMIN)
    management = emulator.client_in("securityhub", MANAGEMENT)
    member = emulator.client_in("securityhub", MEMBER)
    admin.enable_security_hub(EnableDefaultStandards=False)
    out = admin.create_members(AccountDetails=[{"AccountId": MEMBER}, {"AccountId": MANAGEMENT}])
    assert [u["AccountId"] for u in out["UnprocessedAccounts"]] == [MANAGEMENT], "its hub must be on first"
    statuses = {m["AccountId"]: m["MemberStatus"] for m in admin.list_members(OnlyAssociated=False)["Members"]}
    assert statuses == {MEMBER: "ENABLED"}
    assert {s["StandardsArn"] for s in member.get_enabled_standards()["StandardsSubscriptions"]} == {FSBP, CIS12}, \
        "Security Hub and its default standards turned on in the member"
    assert member.get_administrator_account()["Administrator"]["AccountId"] == ADMIN
    management.enable_security_hub()
    assert admin.create_members(AccountDetails=[{"AccountId": MANAGEMENT}])["UnprocessedAccounts"] == []
    unprocessed = admin.invite_members(AccountIds=[MEMBER])["UnprocessedAccounts"]
    assert "Organization accounts don't receive invitations" in unprocessed[0]["ProcessingResult"]
    with pytest.raises(ClientError) as err:
        member.disassociate_from_administrator_account()
    assert code(err) == "InvalidInputException", "only the administrator disassociates an organisation account"
    with pytest.raises(ClientError) as err:
        admin.disable_security_hub()
    assert code(err) == "InvalidInputException", "an administrator cannot switch Security Hub off"


def test_accounts_outside_the_organisation_are_invited_and_accept(emulator, org):
    admin = emulator.client_in("securityhub", ADMIN)
    outsider = emulator.client_in("securityhub", OUTSIDER)
    out = admin.create_members(AccountDetails=[{"AccountId": OUTSIDER, "Email": "sec@example.com"}])
    assert out["UnprocessedAccounts"] == []
    assert admin.get_members(AccountIds=[OUTSIDER])["Members"][0]["MemberStatus"] == "CREATED"
    assert admin.list_members()["Members"] and OUTSIDER not in [m["AccountId"] for m in admin.list_members()["Members"]]
    assert admin.invite_members(AccountIds=[OUTSIDER])["UnprocessedAccounts"] == []
    assert admin.get_members(AccountIds=[OUTSIDER])["Members"][0]["MemberStatus"] == "INVITED"
    invitations = outsider.list_invitations()["Invitations"]
    assert [i["AccountId"] for i in invitations] == [ADMIN]
    with pytest.raises(ClientError) as err:
        outsider.accept_administrator_invitation(AdministratorId=ADMIN, InvitationId=invitations[0]["InvitationId"])
    assert code(err) == "InvalidAccessException", "the member's hub must be on"
    outsider.enable_security_hub(EnableDefaultStandards=False)
    with pytest.raises(ClientError) as err:
        outsider.accept_administrator_invitation(AdministratorId=ADMIN, InvitationId="not-it")
    assert code(err) == "ResourceNotFoundException"
    outsider.accept_administrator_invitation(AdministratorId=ADMIN, InvitationId=invitations[0]["InvitationId"])
    assert admin.get_members(AccountIds=[OUTSIDER])["Members"][0]["MemberStatus"] == "ENABLED"
    assert outsider.get_administrator_account()["Administrator"]["MemberStatus"] == "ENABLED"
    assert outsider.list_invitations()["Invitations"] == []
    outsider.disassociate_from_administrator_account()
    assert admin.get_members(AccountIds=[OUTSIDER])["Members"][0]["MemberStatus"] == "RESIGNED"
    assert "Administrator" not in outsider.get_administrator_account()


def test_disabling_security_hub_removes_the_association(emulator, org):
    admin = emulator.client_in("securityhub", ADMIN)
    member = emulator.client_in("securityhub", MEMBER)
    member.disable_security_hub()
    assert admin.get_members(AccountIds=[MEMBER])["Members"][0]["MemberStatus"] == "RESIGNED"
    assert MEMBER not in [m["AccountId"] for m in admin.list_members()["Members"]]
    assert admin.create_members(AccountDetails=[{"AccountId": MEMBER}])["UnprocessedAccounts"] == []
    assert admin.get_members(AccountIds=[MEMBER])["Members"][0]["MemberStatus"] == "ENABLED"
    assert member.describe_hub()["HubArn"].endswith(":hub/default"), "CreateMembers turned it back on"
    admin.disassociate_members(AccountIds=[MEMBER])
    assert admin.get_members(AccountIds=[MEMBER])["Members"][0]["MemberStatus"] == "REMOVED"
    assert admin.delete_members(AccountIds=[MEMBER])["UnprocessedAccounts"] == []
    assert admin.get_members(AccountIds=[MEMBER])["Members"] == []
    with pytest.raises(ClientError) as err:
        emulator.client_in("securityhub", ADMIN, validate=False).create_members(AccountDetails=[])
    assert code(err) == "InvalidInputException"
