"""Custom action targets (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import uuid

import pytest

from asff import client_error, invalid


def unique_id() -> str:
    return "T" + uuid.uuid4().hex[:12]


def test_create_describe_update_delete(securityhub):
    target_id = unique_id()
    arn = securityhub.create_action_target(Name="Remediate", Description="Fix it", Id=target_id)["ActionTargetArn"]
    assert arn == f"arn:aws:securityhub:us-east-1:123456789012:action/custom/{target_id}"
    listed = securityhub.describe_action_targets(ActionTargetArns=[arn])["ActionTargets"]
    assert listed == [{"ActionTargetArn": arn, "Name": "Remediate", "Description": "Fix it"}]
    securityhub.update_action_target(ActionTargetArn=arn, Name="Dry run")
    assert securityhub.describe_action_targets(ActionTargetArns=[arn])["ActionTargets"][0]["Name"] == "Dry run"
    assert securityhub.delete_action_target(ActionTargetArn=arn)["ActionTargetArn"] == arn
    assert securityhub.describe_action_targets(ActionTargetArns=[arn])["ActionTargets"] == []


def test_a_duplicate_id_conflicts(securityhub):
    target_id = unique_id()
    securityhub.create_action_target(Name="Remediate", Description="Fix", Id=target_id)
    error = client_error(securityhub.create_action_target, Name="Again", Description="Fix", Id=target_id)
    assert error["Error"]["Code"] == "ResourceConflictException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_unknown_targets_are_not_found(securityhub):
    arn = "arn:aws:securityhub:us-east-1:123456789012:action/custom/Nothing"
    for call in (securityhub.delete_action_target, securityhub.update_action_target):
        error = client_error(call, ActionTargetArn=arn)
        assert error["Error"]["Code"] == "ResourceNotFoundException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"Id": "not-alphanumeric"}, "Id must be 1 to 20 alphanumeric characters"),
        ({"Id": "A" * 21}, "Id must be 1 to 20 alphanumeric characters"),
        ({"Name": "N" * 21}, "Name must be 1 to 20 characters"),
        ({"Description": " "}, "Description must be a non-empty string"),
    ],
)
def test_create_validation(unvalidated, kwargs, message):
    request = {"Name": "Remediate", "Description": "Fix", "Id": unique_id(), **kwargs}
    assert message in invalid(unvalidated.create_action_target, **request)


def test_describe_pages_and_is_per_account(emulator, securityhub):
    member = emulator.client_in("securityhub", "444444444444")
    made = [member.create_action_target(Name=f"A{i}", Description="d", Id=f"A{i}")["ActionTargetArn"] for i in range(5)]
    pages, token = [], None
    while True:
        out = member.describe_action_targets(MaxResults=2, **({"NextToken": token} if token else {}))
        pages.append([t["ActionTargetArn"] for t in out["ActionTargets"]])
        token = out.get("NextToken")
        if not token:
            break
    assert pages == [made[0:2], made[2:4], made[4:5]]
    assert all(":444444444444:" in arn for arn in made)
    assert not set(made) & {t["ActionTargetArn"] for t in securityhub.describe_action_targets()["ActionTargets"]}
