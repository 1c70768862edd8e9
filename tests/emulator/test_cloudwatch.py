"""CloudWatch alarms over Smithy RPC v2 CBOR (added by the extension), over HTTP with
SigV4-signed requests, and shared with moto's query-protocol CloudWatch."""

from __future__ import annotations

import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from hubfix_emulator.cloudwatch import CborError, decode, encode

TARGET = "/service/GraniteServiceVersion20100801/operation/"


def call(emulator, operation: str, body: dict) -> tuple[int, dict]:
    data = encode(body)
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url=emulator.endpoint + TARGET + operation,
        data=data,
        headers={"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"},
    )
    credentials = botocore.credentials.Credentials("testing", "testing")
    botocore.auth.SigV4Auth(credentials, "monitoring", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(request.url, data=data, headers=dict(request.headers), method="POST")
    try:
        with urllib.request.urlopen(prepared) as response:
            assert response.headers["smithy-protocol"] == "rpc-v2-cbor"
            return response.status, decode(response.read())
    except urllib.error.HTTPError as e:
        return e.code, decode(e.read())


def test_cbor_round_trip():
    value = {"a": [1, -2, 3.5, True, None, "x" * 30, b"\x00"], "n": 2**40}
    assert decode(encode(value)) == value
    assert decode(b"\xbf\x61\x61\x01\xff") == {"a": 1}
    assert decode(b"\xc1\x1a\x5f\x00\x00\x00") == 0x5F000000
    with pytest.raises(CborError):
        decode(b"\x61")


def test_put_describe_delete(emulator):
    status, _ = call(emulator, "PutMetricAlarm", {
        "AlarmName": "root-usage", "MetricName": "RootAccountUsage", "Namespace": "CISBenchmark",
        "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:alarms"],
    })
    assert status == 200
    status, out = call(emulator, "DescribeAlarms", {"AlarmNames": ["root-usage"]})
    assert status == 200
    [alarm] = out["MetricAlarms"]
    assert alarm["MetricName"] == "RootAccountUsage"
    assert alarm["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:alarms"]
    legacy = emulator.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert [a["AlarmName"] for a in legacy] == ["root-usage"]
    assert call(emulator, "DeleteAlarms", {"AlarmNames": ["root-usage"]})[0] == 200
    assert call(emulator, "DescribeAlarms", {})[1]["MetricAlarms"] == []


def test_errors_are_cbor(emulator):
    status, out = call(emulator, "PutMetricAlarm", {"AlarmName": "x"})
    assert status == 400 and out["__type"] == "MissingParameter"
    status, out = call(emulator, "DeleteAlarms", {"AlarmNames": ["missing"]})
    assert status == 404 and out["__type"] == "ResourceNotFound"
    status, out = call(emulator, "ListDashboards", {})
    assert status == 400 and out["__type"] == "UnknownOperationException"
