"""Organizations (changed by the extension): accounts added by id, Security Hub as a
delegated administrator, service control policies checked and enforced, through boto3
over HTTP."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import make_organization

MANAGEMENT, ADMIN, MEMBER, OUTSIDER = "111111111111", "222222222222", "333333333333", "444444444444"
DENY_DISABLE = {"Version": "2012-10-17", "Statement": [{
    "Sid": "KeepSecurityHubOn", "Effect": "Deny", "Resource": "*",
    "Action": ["securityhub:DisableSecurityHub", "securityhub:BatchDisable*", "config:StopConfigurationRecorder"],
    "Condition": {"ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/break-glass"]}},
}]}


def code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def org(emulator):
    return make_organization(emulator, MANAGEMENT, [ADMIN, MEMBER])


def test_accounts_are_added_by_id(emulator, org):
    orgs = emulator.client_in("organizations", MANAGEMENT)
    ids = {a["Id"] for a in orgs.list_accounts()["Accounts"]}
    assert {MANAGEMENT, ADMIN, MEMBER} <= ids
    assert emulator.client_in("organizations", MEMBER).describe_organization()["Organization"]["Id"] == org["Id"]
    status, answer = emulator.admin("POST", "/_hubfix/organizations/accounts",
                                    {"management_account": MANAGEMENT, "account": MEMBER})
    assert status == 400 and "already" in answer["message"]
    status, _ = emulator.admin("POST", "/_hubfix/organizations/accounts",
                               {"management_account": "555555555555", "account": OUTSIDER})
    assert status == 400


def test_security_hub_can_be_a_delegated_administrator(emulator, org):
    orgs = emulator.client_in("organizations", MANAGEMENT)
    orgs.enable_aws_service_access(ServicePrincipal="securityhub.amazonaws.com")
    orgs.register_delegated_administrator(AccountId=ADMIN, ServicePrincipal="securityhub.amazonaws.com")
    listed = orgs.list_delegated_administrators(ServicePrincipal="securityhub.amazonaws.com")["DelegatedAdministrators"]
    assert [d["Id"] for d in listed] == [ADMIN]


def test_service_control_policies_are_checked(emulator, org):
    orgs = emulator.client_in("organizations", MANAGEMENT)
    with pytest.raises(ClientError) as err:
        orgs.create_policy(Name="bad", Description="d", Type="SERVICE_CONTROL_POLICY", Content="{not json")
    assert code(err) == "MalformedPolicyDocumentException"
    with pytest.raises(ClientError) as err:
        orgs.create_policy(Name="bad", Description="d", Type="SERVICE_CONTROL_POLICY", Content='{"Version": "2012-10-17"}')
    assert code(err) == "MalformedPolicyDocumentException"
    huge = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": f"arn:aws:s3:::{'x' * 5200}"}]}
    with pytest.raises(ClientError) as err:
        orgs.create_policy(Name="huge", Description="d", Type="SERVICE_CONTROL_POLICY", Content=json.dumps(huge))
    assert code(err) == "ConstraintViolationException"
    policy = orgs.create_policy(Name="keep-on", Description="d", Type="SERVICE_CONTROL_POLICY",
                                Content=json.dumps(DENY_DISABLE))["Policy"]["PolicySummary"]
    with pytest.raises(ClientError) as err:
        orgs.attach_policy(PolicyId=policy["Id"], TargetId=org["RootId"])
    assert code(err) == "PolicyTypeNotEnabledException"
    orgs.enable_policy_type(RootId=org["RootId"], PolicyType="SERVICE_CONTROL_POLICY")
    orgs.attach_policy(PolicyId=policy["Id"], TargetId=org["RootId"])
    targets = [t["TargetId"] for t in orgs.list_targets_for_policy(PolicyId=policy["Id"])["Targets"]]
    assert targets == [org["RootId"]]


def test_service_control_policies_are_enforced(emulator, org):
    member = emulator.client_in("securityhub", MEMBER)
    member.enable_security_hub()
    with pytest.raises(ClientError) as err:
        member.disable_security_hub()
    assert code(err) == "AccessDeniedException"
    assert "explicit deny in a service control policy (keep-on)" in err.value.response["Error"]["Message"]
    subscriptions = [s["StandardsSubscriptionArn"] for s in member.get_enabled_standards()["StandardsSubscriptions"]]
    with pytest.raises(ClientError) as err:
        member.batch_disable_standards(StandardsSubscriptionArns=subscriptions[:1])
    assert code(err) == "AccessDeniedException", "wildcards match"
    config = emulator.client_in("config", MEMBER)
    with pytest.raises(ClientError) as err:
        config.stop_configuration_recorder(ConfigurationRecorderName="default")
    assert code(err) == "AccessDeniedException"
    management = emulator.client_in("securityhub", MANAGEMENT)
    management.enable_security_hub()
    management.disable_security_hub()
    creds = emulator.client("sts").assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/break-glass",
                                               RoleSessionName="oncall")["Credentials"]
    glass = emulator.client("securityhub", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                            token=creds["SessionToken"])
    glass.disable_security_hub()
    with pytest.raises(ClientError) as err:
        member.describe_hub()
    assert code(err) == "InvalidAccessException", "the break-glass role is exempt"
    outsider = emulator.client_in("securityhub", OUTSIDER)
    outsider.enable_security_hub()
    outsider.disable_security_hub()
