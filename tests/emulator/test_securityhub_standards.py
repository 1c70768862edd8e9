"""Security standards (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import pytest

from asff import invalid

REGION = "us-east-1"
FSBP = f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
CIS14 = f"arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/1.4.0"
PCI = f"arn:aws:securityhub:{REGION}::standards/pci-dss/v/3.2.1"


def subscription(account: str, path: str) -> str:
    return f"arn:aws:securityhub:{REGION}:{account}:subscription/{path}"


def enabled(client) -> list[tuple[str, str]]:
    return [(s["StandardsArn"], s["StandardsStatus"])
            for s in client.get_enabled_standards()["StandardsSubscriptions"]]


def test_describe_standards_lists_the_catalogue_and_pages(securityhub):
    listed = securityhub.describe_standards()["Standards"]
    arns = [s["StandardsArn"] for s in listed]
    assert {FSBP, CIS12, CIS14, PCI} <= set(arns)
    defaults = {s["StandardsArn"] for s in listed if s["EnabledByDefault"]}
    assert defaults == {FSBP, CIS12}
    assert all(s["Name"] and s["Description"] for s in listed)
    first = securityhub.describe_standards(MaxResults=3)
    second = securityhub.describe_standards(MaxResults=3, NextToken=first["NextToken"])
    assert [s["StandardsArn"] for s in first["Standards"] + second["Standards"]] == arns[:6]


def test_enable_then_get_then_disable(emulator):
    client = emulator.client_in("securityhub", "555555555555")
    assert client.get_enabled_standards()["StandardsSubscriptions"] == []
    out = client.batch_enable_standards(StandardsSubscriptionRequests=[
        {"StandardsArn": FSBP}, {"StandardsArn": PCI, "StandardsInput": {"key": "value"}}])
    answered = out["StandardsSubscriptions"]
    assert [(s["StandardsArn"], s["StandardsStatus"]) for s in answered] == [(FSBP, "PENDING"), (PCI, "PENDING")]
    assert answered[0]["StandardsSubscriptionArn"] == subscription(
        "555555555555", "aws-foundational-security-best-practices/v/1.0.0")
    assert answered[1]["StandardsInput"] == {"key": "value"}
    assert enabled(client) == [(FSBP, "READY"), (PCI, "READY")]

    # Enabling an enabled standard changes nothing.
    client.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP}])
    assert enabled(client) == [(FSBP, "READY"), (PCI, "READY")]

    pci = subscription("555555555555", "pci-dss/v/3.2.1")
    out = client.batch_disable_standards(StandardsSubscriptionArns=[pci])
    assert [(s["StandardsArn"], s["StandardsStatus"]) for s in out["StandardsSubscriptions"]] == [(PCI, "DELETING")]
    assert enabled(client) == [(FSBP, "READY")]


def test_subscriptions_are_per_account(emulator, securityhub):
    member = emulator.client_in("securityhub", "666666666666")
    member.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": CIS14}])
    assert enabled(member) == [(CIS14, "READY")]
    assert CIS14 not in [arn for arn, _ in enabled(securityhub)]


def test_get_enabled_standards_filters_by_arn_and_pages(emulator):
    client = emulator.client_in("securityhub", "777777777777")
    client.batch_enable_standards(StandardsSubscriptionRequests=[
        {"StandardsArn": arn} for arn in (FSBP, CIS12, CIS14, PCI)])
    cis12 = subscription("777777777777", "cis-aws-foundations-benchmark/v/1.2.0")
    named = client.get_enabled_standards(StandardsSubscriptionArns=[cis12, subscription("777777777777", "x/v/1")])
    assert [s["StandardsArn"] for s in named["StandardsSubscriptions"]] == [CIS12]
    pages, token = [], None
    while True:
        out = client.get_enabled_standards(MaxResults=3, **({"NextToken": token} if token else {}))
        pages.append([s["StandardsArn"] for s in out["StandardsSubscriptions"]])
        token = out.get("NextToken")
        if not token:
            break
    assert pages == [[FSBP, CIS12, CIS14], [PCI]]


def test_enable_security_hub_enables_the_default_standards(emulator):
    client = emulator.client_in("securityhub", "888888888888")
    client.enable_security_hub()
    assert enabled(client) == [(FSBP, "READY"), (CIS12, "READY")]
    client.disable_security_hub()
    assert enabled(client) == []
    other = emulator.client_in("securityhub", "999999999999")
    other.enable_security_hub(EnableDefaultStandards=False)
    assert enabled(other) == []


@pytest.mark.parametrize(
    "call, kwargs, message",
    [
        ("batch_enable_standards", {"StandardsSubscriptionRequests": []},
         "StandardsSubscriptionRequests must be a list of 1 to 25 items"),
        ("batch_enable_standards", {"StandardsSubscriptionRequests": [{"StandardsArn": FSBP}] * 26},
         "StandardsSubscriptionRequests must be a list of 1 to 25 items"),
        ("batch_enable_standards", {"StandardsSubscriptionRequests": [{"StandardsArn": "arn:aws:securityhub:us-east-1::standards/nope/v/1"}]},
         "is not a standard available in us-east-1"),
        ("batch_enable_standards", {"StandardsSubscriptionRequests": [
            {"StandardsArn": FSBP.replace("us-east-1", "eu-west-1")}]},
         "is not a standard available in us-east-1"),
        ("batch_enable_standards", {"StandardsSubscriptionRequests": [{"StandardsArn": FSBP, "StandardsInput": {"k": " "}}]},
         "StandardsInput must map non-empty strings to non-empty strings"),
        ("batch_disable_standards", {"StandardsSubscriptionArns": ["arn:aws:securityhub:us-east-1:123456789012:subscription/pci-dss/v/3.2.1"]},
         "is not an enabled standard of this account"),
        ("get_enabled_standards", {"MaxResults": 101}, "MaxResults must be an integer from 1 to 100"),
        ("get_enabled_standards", {"NextToken": "not-a-token"}, "NextToken is not valid"),
        ("get_enabled_standards", {"StandardsSubscriptionArns": []},
         "StandardsSubscriptionArns must be a list of 1 to 25 items"),
    ],
)
def test_validation(unvalidated, call, kwargs, message):
    assert message in invalid(getattr(unvalidated, call), **kwargs)


def test_a_refused_batch_enables_nothing(emulator):
    client = emulator.client_in("securityhub", "101010101010", validate=False)
    invalid(client.batch_enable_standards, StandardsSubscriptionRequests=[
        {"StandardsArn": FSBP}, {"StandardsArn": "arn:aws:securityhub:us-east-1::standards/nope/v/1"}])
    assert client.get_enabled_standards()["StandardsSubscriptions"] == []
