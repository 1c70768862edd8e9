"""Central configuration policies (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import make_organization

MANAGEMENT, ADMIN, MEMBER = "111111111111", "222222222222", "333333333333"
FSBP = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS5 = "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/5.0.0"


def code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


def policy(*standards: str, enabled: bool = True) -> dict:
    return {"SecurityHub": {"ServiceEnabled": enabled, "EnabledStandardIdentifiers": list(standards),
                            "SecurityControlsConfiguration": {"DisabledSecurityControlIdentifiers": []}}}


def test_a_policy_on_the_root_configures_every_account(emulator):
    org = make_organization(emulator, MANAGEMENT, [ADMIN, MEMBER])
    emulator.client_in("securityhub", MANAGEMENT).enable_organization_admin_account(AdminAccountId=ADMIN)
    emulator.client_in("securityhub", MANAGEMENT, region="eu-west-1").enable_organization_admin_account(AdminAccountId=ADMIN)
    admin = emulator.client_in("securityhub", ADMIN)
    admin.enable_security_hub(EnableDefaultStandards=False)
    with pytest.raises(ClientError) as err:
        admin.create_configuration_policy(Name="x", ConfigurationPolicy=policy(FSBP))
    assert code(err) == "InvalidAccessException", "not central yet"
    admin.create_finding_aggregator(RegionLinkingMode="SPECIFIED_REGIONS", Regions=["eu-west-1"])
    admin.update_organization_configuration(AutoEnable=False, AutoEnableStandards="NONE",
                                            OrganizationConfiguration={"ConfigurationType": "CENTRAL"})
    created = admin.create_configuration_policy(Name="hubfix-foundation", Description="d",
                                                ConfigurationPolicy=policy(FSBP, CIS5))
    with pytest.raises(ClientError) as err:
        admin.create_configuration_policy(Name="hubfix-foundation", ConfigurationPolicy=policy(FSBP))
    assert code(err) == "ResourceConflictException"
    with pytest.raises(ClientError) as err:
        admin.create_configuration_policy(Name="bad", ConfigurationPolicy=policy("arn:aws:securityhub:::ruleset/x"))
    assert code(err) == "InvalidInputException"
    assert [p["Name"] for p in admin.list_configuration_policies()["ConfigurationPolicySummaries"]] == ["hubfix-foundation"]
    out = admin.start_configuration_policy_association(ConfigurationPolicyIdentifier=created["Id"],
                                                       Target={"RootId": org["RootId"]})
    assert out["AssociationStatus"] == "SUCCESS"
    for region in ("us-east-1", "eu-west-1"):
        member = emulator.client_in("securityhub", MEMBER, region=region)
        arns = {s["StandardsArn"].split("::standards/")[-1] for s in member.get_enabled_standards()["StandardsSubscriptions"]}
        assert arns == {"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/5.0.0"}, region
    members = {m["AccountId"] for m in admin.list_members()["Members"]}
    assert {MEMBER, MANAGEMENT} <= members
    got = admin.get_configuration_policy_association(Target={"RootId": org["RootId"]})
    assert got["ConfigurationPolicyId"] == created["Id"]
    admin.update_configuration_policy(Identifier=created["Id"], ConfigurationPolicy=policy(FSBP))
    member = emulator.client_in("securityhub", MEMBER)
    assert len(member.get_enabled_standards()["StandardsSubscriptions"]) == 1, "an update applies at once"
    assert admin.get_configuration_policy(Identifier=created["Id"])["Name"] == "hubfix-foundation"
    with pytest.raises(ClientError) as err:
        admin.get_configuration_policy_association(Target={"AccountId": "999999999999"})
    assert code(err) == "ResourceNotFoundException"
