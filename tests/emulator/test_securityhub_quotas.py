"""Security Hub's API quotas and call counts, over HTTP: boto3 for the API, the admin
endpoints for the switch and the counts."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import pytest

from asff import client_error, finding, ident, imported
from conftest import DEFAULT_ACCOUNT, REGION, Emulator

THROTTLED = {"__type": "TooManyRequestsException", "message": "Rate exceeded"}


@pytest.fixture
def quotas(emulator: Emulator) -> Iterator[Emulator]:
    """Quotas on (with any rates a test sets) and counts reset; off again afterwards."""
    emulator.admin("POST", "/_hubfix/securityhub/quotas", {"enabled": True})
    emulator.admin("POST", "/_hubfix/securityhub/calls/reset")
    yield emulator
    emulator.admin("POST", "/_hubfix/securityhub/quotas", {"enabled": False})


def set_rates(emulator: Emulator, **rates: list[float]) -> None:
    status, _ = emulator.admin("POST", "/_hubfix/securityhub/quotas", {"enabled": True, "rates": rates})
    assert status == 200


def calls(emulator: Emulator, operation: str, account: str = DEFAULT_ACCOUNT, region: str = REGION) -> dict[str, Any]:
    """The counts of one operation in one account and Region."""
    _, report = emulator.admin("GET", "/_hubfix/securityhub/calls")
    return report.get(operation, {}).get(f"{account}/{region}", {"total": 0, "throttled": 0, "per_second": {}})


def outcomes(call: Any, n: int, **kwargs: Any) -> list[str]:
    """Makes `n` calls at once: "ok" or the error code of each."""
    out = []
    for _ in range(n):
        try:
            call(**kwargs)
            out.append("ok")
        except Exception as err:  # noqa: BLE001 - the error code is what is compared
            out.append(err.response["Error"]["Code"])
    return out


def assert_get_findings_quota(client: Any) -> None:
    """GetFindings' reference quota: a burst of 6, then 3 a second."""
    started = time.monotonic()
    results = outcomes(client.get_findings, 12, MaxResults=1)
    refilled = int(3 * (time.monotonic() - started)) + 1
    assert results[:6] == ["ok"] * 6, results
    assert "TooManyRequestsException" in results
    assert results.count("ok") <= 6 + refilled


def test_quotas_are_off_by_default_and_calls_are_counted(emulator):
    emulator.admin("POST", "/_hubfix/securityhub/calls/reset")
    securityhub = emulator.client("securityhub", attempts=1)
    assert outcomes(securityhub.get_findings, 12, MaxResults=1) == ["ok"] * 12
    counts = calls(emulator, "GetFindings")
    assert (counts["total"], counts["throttled"]) == (12, 0)
    assert sum(counts["per_second"].values()) == 12
    assert all(second.isdigit() and abs(int(second) - time.time()) < 120 for second in counts["per_second"])
    _, config = emulator.admin("GET", "/_hubfix/securityhub/quotas")
    assert config["enabled"] is False


def test_a_burst_over_the_quota_is_refused_with_429(quotas):
    securityhub = quotas.client("securityhub", attempts=1)
    (f,) = imported(securityhub, finding())
    set_rates(quotas, BatchUpdateFindings=[0.2, 3])
    update = {"FindingIdentifiers": [ident(f)], "Workflow": {"Status": "NOTIFIED"}}
    results = outcomes(securityhub.batch_update_findings, 5, **update)
    assert results == ["ok"] * 3 + ["TooManyRequestsException"] * 2
    error = client_error(securityhub.batch_update_findings, **update)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "TooManyRequestsException"
    assert error["Error"]["Message"] == "Rate exceeded"
    counts = calls(quotas, "BatchUpdateFindings")
    assert (counts["total"], counts["throttled"]) == (6, 3)
    assert sum(counts["per_second"].values()) == 3, "only accepted calls are counted per second"


def test_the_throttled_answer_is_security_hubs(quotas):
    set_rates(quotas, GetFindings=[0.2, 1])
    signed = f"AWS4-HMAC-SHA256 Credential=testing/20240101/{REGION}/securityhub/aws4_request, SignedHeaders=host"
    request = urllib.request.Request(f"{quotas.endpoint}/findings", data=b"{}", method="POST",
                                     headers={"Authorization": signed, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as first:
        assert first.status == 200
    with pytest.raises(urllib.error.HTTPError) as second:
        urllib.request.urlopen(request)
    assert second.value.code == 429
    assert second.value.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    assert json.loads(second.value.read()) == THROTTLED


def test_tokens_come_back_at_the_rate(quotas):
    set_rates(quotas, GetFindings=[1, 1])
    securityhub = quotas.client("securityhub", attempts=1)
    assert outcomes(securityhub.get_findings, 2, MaxResults=1) == ["ok", "TooManyRequestsException"]
    time.sleep(1.1)
    assert outcomes(securityhub.get_findings, 1, MaxResults=1) == ["ok"]


def test_buckets_are_per_account_region_and_operation(quotas):
    set_rates(quotas, GetFindings=[0.2, 1])
    here = quotas.client("securityhub", attempts=1)
    assert outcomes(here.get_findings, 2, MaxResults=1) == ["ok", "TooManyRequestsException"]
    assert outcomes(here.describe_action_targets, 1) == ["ok"], "another operation has its own bucket"
    elsewhere = quotas.client("securityhub", attempts=1, region="eu-west-1")
    assert outcomes(elsewhere.get_findings, 1, MaxResults=1) == ["ok"], "another Region has its own bucket"
    member = quotas.client_in("securityhub", "444455556666")
    assert outcomes(member.get_findings, 1, MaxResults=1) == ["ok"], "another account has its own bucket"
    assert calls(quotas, "GetFindings", "444455556666")["total"] == 1
    assert calls(quotas, "GetFindings", region="eu-west-1")["total"] == 1


def test_the_reference_quotas_apply_by_default(quotas):
    assert_get_findings_quota(quotas.client("securityhub", attempts=1))
    _, config = quotas.admin("GET", "/_hubfix/securityhub/quotas")
    assert config["rates"]["BatchUpdateFindings"] == [10, 30]
    assert config["rates"]["BatchImportFindings"] == [10, 30]
    assert config["rates"]["BatchEnableStandards"] == [1, 1]
    assert config["rates"]["GetFindings"] == [3, 6]
    assert config["other_operations"] == [10, 30]


def test_the_sdks_retry_a_throttled_call(quotas):
    set_rates(quotas, GetFindings=[2, 1])
    retrying = boto3.client("securityhub", endpoint_url=quotas.endpoint, region_name=REGION,
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 10}))
    for _ in range(3):
        retrying.get_findings(MaxResults=1)
    counts = calls(quotas, "GetFindings")
    assert counts["total"] - counts["throttled"] == 3
    assert counts["throttled"] >= 1, "botocore retried the 429s as throttling"


def test_counts_can_be_reset(quotas):
    quotas.client("securityhub").get_findings(MaxResults=1)
    assert calls(quotas, "GetFindings")["total"] == 1
    assert quotas.admin("POST", "/_hubfix/securityhub/calls/reset") == (200, {})
    assert quotas.admin("GET", "/_hubfix/securityhub/calls") == (200, {})


def test_admin_endpoints_are_not_throttled_or_counted(quotas):
    set_rates(quotas, GetFindings=[0.2, 1])
    for _ in range(50):
        assert quotas.admin("GET", "/_hubfix/securityhub/calls")[0] == 200
    assert quotas.admin("GET", "/_hubfix/securityhub/calls") == (200, {})


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "enabled must be true or false"),
        ({"enabled": "yes"}, "enabled must be true or false"),
        ({"enabled": True, "rates": {"GetFindings": [0, 1]}}, "rates['GetFindings'] must be [rate > 0"),
        ({"enabled": True, "rates": {"GetFindings": [1, 0.5]}}, "integer burst >= 1"),
        ({"enabled": True, "rates": ["GetFindings"]}, "rates must map operation names"),
    ],
)
def test_invalid_quota_settings_are_refused(emulator, body, message):
    status, answer = emulator.admin("POST", "/_hubfix/securityhub/quotas", body)
    assert status == 400
    assert message in answer["message"]


def test_unknown_admin_paths_are_404(emulator):
    status, answer = emulator.admin("GET", "/_hubfix/securityhub/nothing")
    assert status == 404
    assert "no admin endpoint" in answer["message"]


def test_quotas_can_be_on_from_the_start(monkeypatch):
    monkeypatch.setenv("HUBFIX_EMULATOR_QUOTAS", "1")
    server = Emulator()
    try:
        _, config = server.admin("GET", "/_hubfix/securityhub/quotas")
        assert config["enabled"] is True
        assert_get_findings_quota(server.client("securityhub", attempts=1))
    finally:
        server.stop()
