"""An organisation's hub: 60,000 findings, searched, updated and re-imported in bounded
time (moto 5.2.5 scans every finding for each one updated or re-imported, and each
GetFindings page filtered the whole store again)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from asff import PRODUCT, finding
from conftest import Emulator

FINDINGS = 60_000
EC2_EVERY = 60  # every 60th finding is an EC2.19 one: 1,000 of them
HUB_REGION = "us-east-1"


@pytest.fixture(scope="module")
def hub(emulator: Emulator) -> dict[str, Any]:
    """60,000 members' findings seeded into account 246813579024's hub; its client and
    the findings' id prefix."""
    account, tag = "246813579024", uuid.uuid4().hex[:8]
    for start in range(0, FINDINGS, 5000):
        chunk = []
        for i in range(start, start + 5000):
            control = "EC2.19" if i % EC2_EVERY == 0 else "S3.8"
            chunk.append(finding(Id=f"{tag}-{i}", AwsAccountId=f"{100000000000 + i % 500:012d}",
                                 Compliance={"Status": "FAILED", "SecurityControlId": control}))
        status, answer = emulator.admin("POST", "/_hubfix/securityhub/seed",
                                        {"account": account, "region": HUB_REGION, "findings": chunk})
        assert (status, answer["imported"]) == (200, 5000)
    return {"client": emulator.client_in("securityhub", account), "tag": tag}


def drain(client: Any, filters: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Every finding passing `filters`, 100 a page, and the number of pages."""
    found, pages, token = [], 0, None
    while True:
        out = client.get_findings(Filters=filters, MaxResults=100, **({"NextToken": token} if token else {}))
        found.extend(out["Findings"])
        pages += 1
        token = out.get("NextToken")
        if not token:
            return found, pages


def eq(value: str) -> list[dict[str, str]]:
    return [{"Value": value, "Comparison": "EQUALS"}]


def test_draining_a_filter_over_60000_findings_takes_seconds(hub):
    started = time.monotonic()
    found, pages = drain(hub["client"], {"ComplianceSecurityControlId": eq("EC2.19"), "WorkflowStatus": eq("NEW"),
                                         "RecordState": eq("ACTIVE"), "ComplianceStatus": eq("FAILED"),
                                         "ProductArn": eq(PRODUCT)})
    elapsed = time.monotonic() - started
    assert (len(found), pages) == (FINDINGS // EC2_EVERY, 10), "the last page is full and no empty page follows"
    assert [f["Id"] for f in found] == [f"{hub['tag']}-{i}" for i in range(0, FINDINGS, EC2_EVERY)]
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_a_filter_matching_the_last_findings_is_one_pass(hub):
    account = f"{100000000000 + 499:012d}"
    started = time.monotonic()
    found, _ = drain(hub["client"], {"AwsAccountId": eq(account),
                                     "UserDefinedFields": [{"Key": "k", "Value": "v", "Comparison": "NOT_EQUALS"}]})
    assert len(found) == FINDINGS // 500
    assert time.monotonic() - started < 10


def test_updates_and_reimports_take_constant_time_per_finding(hub):
    client, tag = hub["client"], hub["tag"]
    last = [f"{tag}-{i}" for i in range(FINDINGS - 1000, FINDINGS)]
    started = time.monotonic()
    for chunk in range(0, 1000, 100):
        out = client.batch_update_findings(FindingIdentifiers=[{"Id": i, "ProductArn": PRODUCT} for i in last[chunk:chunk + 100]],
                                           Workflow={"Status": "NOTIFIED"}, Note={"Text": "on it", "UpdatedBy": "hubfix"})
        assert len(out["ProcessedFindings"]) == 100
    updated = time.monotonic() - started
    started = time.monotonic()
    for chunk in range(0, 1000, 100):
        out = client.batch_import_findings(Findings=[finding(Id=i, Title="again") for i in last[chunk:chunk + 100]])
        assert out["SuccessCount"] == 100
    reimported = time.monotonic() - started
    assert updated < 3 and reimported < 3, f"1,000 updates {updated:.1f} s, 1,000 re-imports {reimported:.1f} s"
    notified, _ = drain(client, {"WorkflowStatus": eq("NOTIFIED"), "Title": eq("again")})
    assert [f["Id"] for f in notified] == last, "re-imports keep the customer's workflow status"
