"""IAM Access Analyzer (added whole by the extension), through boto3 over HTTP."""

from __future__ import annotations

import botocore.exceptions
import pytest


def test_create_list_get_delete(emulator):
    aa = emulator.client("accessanalyzer")
    assert aa.list_analyzers()["analyzers"] == []
    arn = aa.create_analyzer(analyzerName="account-analyzer", type="ACCOUNT")["arn"]
    assert arn == "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/account-analyzer"
    listed = aa.list_analyzers(type="ACCOUNT")["analyzers"]
    assert [a["name"] for a in listed] == ["account-analyzer"]
    assert listed[0]["status"] == "ACTIVE"
    assert aa.get_analyzer(analyzerName="account-analyzer")["analyzer"]["arn"] == arn
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aa.create_analyzer(analyzerName="account-analyzer", type="ACCOUNT")
    assert err.value.response["Error"]["Code"] == "ConflictException"
    aa.delete_analyzer(analyzerName="account-analyzer")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aa.get_analyzer(analyzerName="account-analyzer")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_validation_and_isolation(emulator):
    aa = emulator.client("accessanalyzer", validate=False)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        aa.create_analyzer(analyzerName="9-starts-with-digit", type="ACCOUNT")
    assert err.value.response["Error"]["Code"] == "ValidationException"
    emulator.client("accessanalyzer").create_analyzer(analyzerName="mine", type="ACCOUNT")
    creds = emulator.client("sts").assume_role(
        RoleArn="arn:aws:iam::222222222222:role/x", RoleSessionName="member")["Credentials"]
    member = emulator.client("accessanalyzer", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                             token=creds["SessionToken"])
    assert member.list_analyzers()["analyzers"] == [], "accounts are isolated"
    west = emulator.client("accessanalyzer", region="us-west-2")
    assert west.list_analyzers()["analyzers"] == [], "regions are isolated"
