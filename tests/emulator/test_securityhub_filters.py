"""GetFindings' Filters (applied by the extension; moto ignores them), over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from asff import PRODUCT, finding, ident, imported, invalid

GUARDDUTY = "arn:aws:securityhub:us-east-1::product/aws/guardduty"


@pytest.fixture(scope="module")
def ids(emulator) -> Callable[..., list[str]]:
    """Imports three findings under a unique id prefix; returns a function that runs
    GetFindings with the given filters (restricted to those three by an Id PREFIX
    filter) and returns the matching findings' names ("a", "b", "c"), sorted. The
    prefix is the function's `tag` attribute."""
    client = emulator.client("securityhub")
    tag = uuid.uuid4().hex[:8]
    a = finding(Id=f"{tag}-a", Title="S3 bucket is public", CreatedAt="2024-01-05T00:00:00.000Z",
                Resources=[{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::bucket-a", "Tags": {"env": "prod"}}],
                UserDefinedFields={"owner": "team-a"})
    b = finding(Id=f"{tag}-b", Compliance={"Status": "PASSED", "SecurityControlId": "S3.1"},
                GeneratorId="security-control/S3.1", Severity={"Label": "MEDIUM"}, RecordState="ARCHIVED",
                Resources=[{"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"}],
                ProductFields={"aws/securityhub/ProductName": "Security Hub"})
    c = finding(Id=f"{tag}-c", ProductArn=GUARDDUTY, AwsAccountId="210987654321", Region="eu-west-1",
                Compliance={"Status": "FAILED", "SecurityControlId": "EC2.19"}, Severity={"Label": "CRITICAL"},
                GeneratorId="security-control/EC2.19", Title="Security groups should not allow unrestricted access",
                UpdatedAt="2024-03-01T00:00:00.000Z",
                Resources=[{"Type": "AwsEc2SecurityGroup", "Id": "sg-0123", "Tags": {"env": "dev"}},
                           {"Type": "AwsEc2Instance", "Id": "i-0123"}])
    imported(client, a, b, c)
    client.batch_update_findings(FindingIdentifiers=[ident(a)], Note={"Text": "ticket SEC-42", "UpdatedBy": "alice"})

    def run(**filters: Any) -> list[str]:
        filters["Id"] = [*filters.get("Id", []), {"Value": tag, "Comparison": "PREFIX"}]
        found = client.get_findings(Filters=filters, MaxResults=100)["Findings"]
        return sorted(f["Id"][len(tag) + 1:] for f in found)

    run.tag = tag
    return run


def eq(value: str) -> list[dict[str, str]]:
    return [{"Value": value, "Comparison": "EQUALS"}]


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("ProductArn", GUARDDUTY, ["c"]),
        ("AwsAccountId", "123456789012", ["a", "b"]),
        ("Region", "eu-west-1", ["c"]),
        ("GeneratorId", "security-control/S3.1", ["b"]),
        ("Title", "S3 bucket is public", ["a"]),
        ("ComplianceSecurityControlId", "EC2.19", ["c"]),
        ("ComplianceStatus", "PASSED", ["b"]),
        ("RecordState", "ARCHIVED", ["b"]),
        ("WorkflowStatus", "RESOLVED", ["b"]),
        ("SeverityLabel", "CRITICAL", ["c"]),
        ("ResourceType", "AwsEc2Instance", ["c"]),
        ("ResourceId", "arn:aws:s3:::bucket-a", ["a"]),
        ("ProductName", "Security Hub", ["b"]),
        ("NoteText", "ticket SEC-42", ["a"]),
        ("NoteUpdatedBy", "alice", ["a"]),
    ],
)
def test_each_string_field(ids, field, value, expected):
    assert ids(**{field: eq(value)}) == expected


def test_id_filter(ids):
    everything = ids()
    assert everything == ["a", "b", "c"]
    assert ids(Id=[{"Value": f"{ids.tag}-b", "Comparison": "PREFIX_NOT_EQUALS"}]) == ["a", "c"]


def test_each_comparison(ids):
    assert ids(ComplianceStatus=eq("FAILED")) == ["a", "c"]
    assert ids(ComplianceStatus=[{"Value": "FAILED", "Comparison": "NOT_EQUALS"}]) == ["b"]
    assert ids(ComplianceSecurityControlId=[{"Value": "S3.", "Comparison": "PREFIX"}]) == ["a", "b"]
    assert ids(ComplianceSecurityControlId=[{"Value": "S3.", "Comparison": "PREFIX_NOT_EQUALS"}]) == ["c"]
    assert ids(Title=[{"Value": "public", "Comparison": "CONTAINS"}]) == ["a", "b"]
    assert ids(Title=[{"Value": "public", "Comparison": "NOT_CONTAINS"}]) == ["c"]


def test_combinations(ids):
    assert ids(SeverityLabel=eq("CRITICAL") + eq("MEDIUM")) == ["b", "c"], "positive filters are OR'ed"
    assert ids(ComplianceSecurityControlId=[{"Value": "S3.8", "Comparison": "NOT_EQUALS"},
                                            {"Value": "S3.1", "Comparison": "NOT_EQUALS"}]) == ["c"], \
        "negative filters are AND'ed"
    assert ids(GeneratorId=[{"Value": "security-control/", "Comparison": "PREFIX"},
                            {"Value": "security-control/S3.1", "Comparison": "NOT_EQUALS"}]) == ["a", "c"], \
        "PREFIX, then the exclusions"
    assert ids(SeverityLabel=eq("HIGH") + eq("CRITICAL"), ComplianceStatus=eq("FAILED"),
               ResourceType=eq("AwsS3Bucket")) == ["a"], "fields are AND'ed"


def test_resource_filters_look_at_every_resource(ids):
    assert ids(ResourceType=eq("AwsEc2SecurityGroup")) == ["c"]
    assert ids(ResourceType=[{"Value": "AwsEc2Instance", "Comparison": "NOT_EQUALS"}]) == ["a", "b"]
    assert ids(ResourceId=[{"Value": "0123", "Comparison": "CONTAINS"}]) == ["c"]


def test_map_filters(ids):
    assert ids(ResourceTags=[{"Key": "env", "Value": "prod", "Comparison": "EQUALS"}]) == ["a"]
    assert ids(ResourceTags=[{"Key": "env", "Value": "prod", "Comparison": "NOT_EQUALS"}]) == ["b", "c"]
    assert ids(UserDefinedFields=[{"Key": "owner", "Value": "team", "Comparison": "CONTAINS"}]) == ["a"]


def test_date_filters(ids):
    assert ids(CreatedAt=[{"Start": "2024-01-01T00:00:00Z", "End": "2024-01-07T00:00:00Z"}]) == ["a"]
    assert ids(UpdatedAt=[{"Start": "2024-02-01T00:00:00Z"}]) == ["c"]
    assert ids(UpdatedAt=[{"End": "2024-02-01T00:00:00Z"}]) == ["a", "b"]
    assert ids(UpdatedAt=[{"DateRange": {"Value": 1, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]) == ["a", "b", "c"]
    assert ids(UpdatedAt=[{"DateRange": {"Value": 1, "Unit": "DAYS"}}]) == [], "WITHIN is the default"
    assert ids(NoteUpdatedAt=[{"DateRange": {"Value": 1, "Unit": "DAYS", "Comparison": "WITHIN"}}]) == ["a"]


def test_paging_with_a_filter(securityhub):
    tag = uuid.uuid4().hex[:8]
    imported(securityhub, *[finding(Id=f"{tag}-{i:02d}") for i in range(7)], finding(Id=f"other-{tag}"))
    filters = {"Id": [{"Value": tag, "Comparison": "PREFIX"}]}
    pages, token = [], None
    while True:
        out = securityhub.get_findings(Filters=filters, MaxResults=3, **({"NextToken": token} if token else {}))
        pages.append([f["Id"] for f in out["Findings"]])
        token = out.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sorted(x for page in pages for x in page) == [f"{tag}-{i:02d}" for i in range(7)]


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"Title": [{"Value": "a", "Comparison": "CONTAINS"}, {"Value": "b", "Comparison": "EQUALS"}]},
         "CONTAINS filters can only be combined with other CONTAINS filters"),
        ({"Title": [{"Value": "a", "Comparison": "CONTAINS"}, {"Value": "b", "Comparison": "NOT_CONTAINS"}]},
         "can only be combined with other"),
        ({"Title": [{"Value": "a", "Comparison": "EQUALS"}, {"Value": "b", "Comparison": "NOT_EQUALS"}]},
         "EQUALS and NOT_EQUALS filters cannot be combined"),
        ({"Title": [{"Value": "a", "Comparison": "EQUALS"}, {"Value": "b", "Comparison": "PREFIX_NOT_EQUALS"}]},
         "EQUALS and PREFIX_NOT_EQUALS filters cannot be combined"),
        ({"Title": [{"Value": "a", "Comparison": "CONTAINS_WORD"}]}, "unsupported comparison 'CONTAINS_WORD'"),
        ({"Title": [{"Comparison": "EQUALS"}]}, "each string filter needs a Value and a Comparison"),
        ({"Title": [{"Value": str(i), "Comparison": "EQUALS"} for i in range(21)]},
         "Title has 21 filter values; the maximum is 20"),
        ({field: eq("x") for field in ("Id", "Title", "Region", "GeneratorId", "ProductArn", "AwsAccountId",
                                        "RecordState", "SeverityLabel", "ResourceId", "ResourceType", "NoteText")},
         "Filters use 11 attributes; the maximum is 10"),
        ({"UpdatedAt": [{"DateRange": {"Value": 1, "Unit": "WEEKS"}}]}, "UpdatedAt.DateRange.Unit must be DAYS"),
        ({"UpdatedAt": [{"Start": "yesterday"}]}, "UpdatedAt.Start is not a valid ISO 8601 timestamp"),
        ({"Confidence": [{"Gte": 1}]}, "the emulator does not support the filter 'Confidence'"),
    ],
)
def test_invalid_filters_are_refused(unvalidated, filters, message):
    assert message in invalid(unvalidated.get_findings, Filters=filters)


@pytest.mark.parametrize("kwargs", [{"MaxResults": 0}, {"MaxResults": 101}, {"NextToken": "not-a-token"}])
def test_invalid_paging_is_refused(unvalidated, kwargs):
    invalid(unvalidated.get_findings, **kwargs)


def test_product_arn_is_part_of_a_findings_identity(securityhub):
    shared_id = f"shared-{uuid.uuid4()}"
    imported(securityhub, finding(Id=shared_id), finding(Id=shared_id, ProductArn=GUARDDUTY))
    found = securityhub.get_findings(Filters={"Id": eq(shared_id)})["Findings"]
    assert sorted(f["ProductArn"] for f in found) == sorted([PRODUCT, GUARDDUTY])
