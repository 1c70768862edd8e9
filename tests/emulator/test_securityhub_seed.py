"""Seeding an administrator's hub with its members' findings, over HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from asff import TIMESTAMP, finding, ident

HUB = "555566667777"
HUB_REGION = "eu-west-2"


def seed(emulator, findings, account: str = HUB, region: str = HUB_REGION):
    return emulator.admin("POST", "/_hubfix/securityhub/seed",
                          {"account": account, "region": region, "findings": findings})


def test_members_findings_land_in_the_hub_beyond_100_a_call(emulator):
    members = [finding(AwsAccountId=f"{100000000000 + i % 5}", Region="us-east-2") for i in range(250)]
    assert seed(emulator, members) == (200, {"imported": 250, "failed": []})
    hub = emulator.client_in("securityhub", HUB, region=HUB_REGION)
    found = []
    for page in hub.get_paginator("get_findings").paginate(
            Filters={"Id": [{"Value": f["Id"], "Comparison": "EQUALS"} for f in members[:20]]}):
        found.extend(page["Findings"])
    assert sorted(f["Id"] for f in found) == sorted(f["Id"] for f in members[:20])
    got = next(f for f in found if f["Id"] == members[0]["Id"])
    assert got["AwsAccountId"] == "100000000000"
    assert got["Region"] == "us-east-2", "a member's Region is kept"
    assert (got["RecordState"], got["Workflow"], got["WorkflowState"]) == ("ACTIVE", {"Status": "NEW"}, "NEW")
    assert got["Severity"] == {"Label": "HIGH", "Normalized": 70}
    assert TIMESTAMP.match(got["ProcessedAt"])
    elsewhere = emulator.client_in("securityhub", HUB, region="us-east-2")
    assert elsewhere.get_findings(Filters={"Id": [{"Value": members[0]["Id"], "Comparison": "EQUALS"}]})["Findings"] == []


def test_a_finding_without_a_region_gets_the_hubs(emulator):
    f = finding()
    assert seed(emulator, [f])[1]["imported"] == 1
    hub = emulator.client_in("securityhub", HUB, region=HUB_REGION)
    (got,) = hub.get_findings(Filters={"Id": [{"Value": f["Id"], "Comparison": "EQUALS"}]})["Findings"]
    assert got["Region"] == HUB_REGION


def test_invalid_findings_fail_as_in_batch_import_findings(emulator):
    bad = finding()
    del bad["Resources"]
    status, answer = seed(emulator, [finding(), bad, "not a finding"])
    assert status == 200
    assert answer["imported"] == 1
    assert answer["failed"] == [
        {"Id": bad["Id"], "ErrorCode": "InvalidInput",
         "ErrorMessage": "Finding does not adhere to ASFF: Resources is missing or empty"},
        {"Id": "", "ErrorCode": "InvalidInput", "ErrorMessage": "Finding does not adhere to ASFF: each finding must be an object"},
    ]


def test_reseeding_follows_the_reimport_rules(emulator):
    f = finding(AwsAccountId="100000000001")
    seed(emulator, [f])
    hub = emulator.client_in("securityhub", HUB, region=HUB_REGION)
    hub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": "RESOLVED"},
                              Note={"Text": "fixed", "UpdatedBy": "hubfix"})
    seed(emulator, [dict(f, Compliance={"Status": "FAILED", "SecurityControlId": "S3.8"}, Title="again")])
    (got,) = hub.get_findings(Filters={"Id": [{"Value": f["Id"], "Comparison": "EQUALS"}]})["Findings"]
    assert got["Title"] == "again"
    assert got["Workflow"] == {"Status": "RESOLVED"}
    assert got["Note"]["Text"] == "fixed"


def test_seeding_is_not_a_security_hub_call(emulator):
    emulator.admin("POST", "/_hubfix/securityhub/calls/reset")
    emulator.admin("POST", "/_hubfix/securityhub/quotas", {"enabled": True, "rates": {"BatchImportFindings": [0.1, 1]}})
    try:
        for _ in range(3):
            assert seed(emulator, [finding() for _ in range(150)])[1]["imported"] == 150
    finally:
        emulator.admin("POST", "/_hubfix/securityhub/quotas", {"enabled": False})
    assert emulator.admin("GET", "/_hubfix/securityhub/calls") == (200, {})


@pytest.mark.parametrize(
    "body, message",
    [
        ({"account": "123", "region": HUB_REGION, "findings": []}, "account must be a 12-digit account id"),
        ({"region": HUB_REGION, "findings": []}, "account must be a 12-digit account id"),
        ({"account": HUB, "region": "moon-1", "findings": []}, "region must be a Region"),
        ({"account": HUB, "region": HUB_REGION, "findings": {"Id": "x"}}, "findings must be a list"),
    ],
)
def test_invalid_seed_requests_are_refused(emulator, body, message):
    status, answer = emulator.admin("POST", "/_hubfix/securityhub/seed", body)
    assert status == 400
    assert message in answer["message"]


def test_a_body_that_is_not_json_is_refused(emulator):
    request = urllib.request.Request(f"{emulator.endpoint}/_hubfix/securityhub/seed", data=b"{nope", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 400
    assert b"not JSON" in err.value.read()
