"""ASFF findings and assertions shared by the Security Hub tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

PRODUCT = "arn:aws:securityhub:us-east-1::product/aws/securityhub"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def finding(**overrides: Any) -> dict[str, Any]:
    """A complete ASFF control finding (FAILED S3.8) with a unique id."""
    base = {
        "SchemaVersion": "2018-10-08",
        "Id": f"f-{uuid.uuid4()}",
        "ProductArn": PRODUCT,
        "GeneratorId": "security-control/S3.8",
        "AwsAccountId": "123456789012",
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2024-01-10T08:12:31.000Z",
        "UpdatedAt": "2024-01-10T08:12:31.000Z",
        "Severity": {"Label": "HIGH"},
        "Title": "S3 general purpose buckets should block public access",
        "Description": "A bucket is public.",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}],
    }
    base.update(overrides)
    return base


def imported(client: Any, *findings: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Imports findings, asserting every one succeeded; returns them."""
    out = client.batch_import_findings(Findings=list(findings))
    assert out["FailedCount"] == 0, out
    return findings


def stored(client: Any, finding_id: str) -> dict[str, Any]:
    """The one stored finding with this id, as GetFindings returns it."""
    out = client.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})
    assert len(out["Findings"]) == 1, out["Findings"]
    return out["Findings"][0]


def ident(f: dict[str, Any]) -> dict[str, str]:
    """A finding's identifier for BatchUpdateFindings."""
    return {"Id": f["Id"], "ProductArn": f["ProductArn"]}


def client_error(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """Calls the API expecting an error; returns the parsed error response."""
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call(**kwargs)
    return err.value.response


def invalid(call: Callable[..., Any], **kwargs: Any) -> str:
    """Calls the API expecting InvalidInputException (HTTP 400); returns its message."""
    response = client_error(call, **kwargs)
    assert response["Error"]["Code"] == "InvalidInputException", response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response["Error"]["Message"]
