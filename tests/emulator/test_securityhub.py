"""The Security Hub extension, through boto3 over HTTP, as hubfix's tests use it."""

from __future__ import annotations

import uuid

import botocore.exceptions
import pytest

PRODUCT = "arn:aws:securityhub:us-east-1::product/aws/securityhub"


def finding(**overrides):
    """A complete ASFF finding with a unique id."""
    base = {
        "SchemaVersion": "2018-10-08",
        "Id": f"f-{uuid.uuid4()}",
        "ProductArn": PRODUCT,
        "GeneratorId": "security-control/S3.8",
        "AwsAccountId": "123456789012",
        "Region": "us-east-1",
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": "2026-11-20T08:12:31.000Z",
        "UpdatedAt": "2026-11-20T08:12:31.000Z",
        "Severity": {"Label": "HIGH"},
        "Title": "S3 general purpose buckets should block public access",
        "Description": "A bucket is public.",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}],
    }
    base.update(overrides)
    return base


def imported(securityhub, *findings):
    out = securityhub.batch_import_findings(Findings=list(findings))
    assert out["FailedCount"] == 0, out
    return findings


def get(securityhub, finding_id):
    out = securityhub.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})
    assert len(out["Findings"]) == 1
    return out["Findings"][0]


def ident(f):
    return {"Id": f["Id"], "ProductArn": f["ProductArn"]}


def invalid(call, **kwargs) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call(**kwargs)
    assert err.value.response["Error"]["Code"] == "InvalidInputException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err.value.response["Error"]["Message"]


# ---------------------------------------------------------------- BatchUpdateFindings


def test_update_sets_workflow_and_note(securityhub):
    (f,) = imported(securityhub, finding())
    out = securityhub.batch_update_findings(
        FindingIdentifiers=[ident(f)],
        Note={"Text": "fixed", "UpdatedBy": "hubfix"},
        Workflow={"Status": "RESOLVED"},
    )
    assert out["ProcessedFindings"] == [ident(f)]
    assert out["UnprocessedFindings"] == []
    stored = get(securityhub, f["Id"])
    assert stored["Workflow"]["Status"] == "RESOLVED"
    assert stored["Note"]["Text"] == "fixed"
    assert stored["Note"]["UpdatedBy"] == "hubfix"
    assert stored["Note"]["UpdatedAt"].endswith("Z")


def test_update_reports_unknown_and_duplicate_findings(securityhub):
    (f,) = imported(securityhub, finding())
    missing = {"Id": "no-such-finding", "ProductArn": PRODUCT}
    out = securityhub.batch_update_findings(
        FindingIdentifiers=[ident(f), ident(f), missing],
        Workflow={"Status": "NOTIFIED"},
    )
    assert out["ProcessedFindings"] == [ident(f)]
    codes = {(u["FindingIdentifier"]["Id"], u["ErrorCode"]) for u in out["UnprocessedFindings"]}
    assert codes == {(f["Id"], "DuplicatedFindingIdentifier"), ("no-such-finding", "FindingNotFound")}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"FindingIdentifiers": [{"Id": f"f{i}", "ProductArn": PRODUCT} for i in range(101)],
          "Workflow": {"Status": "NEW"}}, "the maximum is 100"),
        ({"Note": {"Text": "x" * 513, "UpdatedBy": "hubfix"}}, "the maximum is 512"),
        ({"Note": {"Text": "x", "UpdatedBy": ""}}, "Note.UpdatedBy is required"),
        ({"Note": {"Text": "x", "UpdatedBy": "u" * 129}}, "UpdatedBy is longer than 128"),
        ({"Workflow": {"Status": "DONE"}}, "Workflow.Status must be one of"),
        ({"Confidence": 101}, "Confidence must be an integer from 0 to 100"),
        ({}, "at least one of"),
    ],
)
def test_update_validation(unvalidated, kwargs, message):
    kwargs.setdefault("FindingIdentifiers", [{"Id": "f", "ProductArn": PRODUCT}])
    assert message in invalid(unvalidated.batch_update_findings, **kwargs)


def test_update_is_per_account(emulator, securityhub):
    (f,) = imported(securityhub, finding())
    sts = emulator.client("sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/hubfix", RoleSessionName="hubfix-test")["Credentials"]
    member = emulator.client("securityhub", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                             token=creds["SessionToken"])
    out = member.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": "RESOLVED"})
    assert out["UnprocessedFindings"][0]["ErrorCode"] == "FindingNotFound"
    assert all(x["Id"] != f["Id"] for x in member.get_findings()["Findings"])
    assert get(securityhub, f["Id"])["Workflow"]["Status"] == "NEW"


# ---------------------------------------------------------------------- GetFindings


def test_filters_by_each_comparison(securityhub):
    tag = uuid.uuid4().hex[:8]
    a = finding(Id=f"{tag}-a", Compliance={"Status": "FAILED", "SecurityControlId": "S3.8"})
    b = finding(Id=f"{tag}-b", Compliance={"Status": "PASSED", "SecurityControlId": "S3.1"},
                Resources=[{"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"}])
    c = finding(Id=f"{tag}-c", Compliance={"Status": "FAILED", "SecurityControlId": "EC2.19"},
                Severity={"Label": "CRITICAL"})
    imported(securityhub, a, b, c)

    def ids(**filters):
        filters["Id"] = filters.get("Id", []) + [{"Value": tag, "Comparison": "PREFIX"}]
        return sorted(x["Id"][len(tag) + 1:] for x in securityhub.get_findings(Filters=filters)["Findings"])

    assert ids(ComplianceStatus=[{"Value": "FAILED", "Comparison": "EQUALS"}]) == ["a", "c"]
    assert ids(ComplianceStatus=[{"Value": "FAILED", "Comparison": "NOT_EQUALS"}]) == ["b"]
    assert ids(ComplianceSecurityControlId=[{"Value": "S3.", "Comparison": "PREFIX"}]) == ["a", "b"]
    assert ids(ComplianceSecurityControlId=[{"Value": "S3.", "Comparison": "PREFIX_NOT_EQUALS"}]) == ["c"]
    assert ids(ResourceId=[{"Value": "Account", "Comparison": "CONTAINS"}]) == ["b"]
    assert ids(ResourceId=[{"Value": "Account", "Comparison": "NOT_CONTAINS"}]) == ["a", "c"]
    assert ids(SeverityLabel=[{"Value": "CRITICAL", "Comparison": "EQUALS"},
                              {"Value": "HIGH", "Comparison": "EQUALS"}]) == ["a", "b", "c"]
    assert ids(SeverityLabel=[{"Value": "CRITICAL", "Comparison": "EQUALS"}],
               ComplianceStatus=[{"Value": "FAILED", "Comparison": "EQUALS"}]) == ["c"]
    assert ids(UpdatedAt=[{"Start": "2026-11-20T00:00:00Z", "End": "2026-11-21T00:00:00Z"}]) == ["a", "b", "c"]
    assert ids(UpdatedAt=[{"Start": "2026-11-21T00:00:00Z", "End": "2026-11-22T00:00:00Z"}]) == []


def test_filters_page_with_next_token(securityhub):
    tag = uuid.uuid4().hex[:8]
    imported(securityhub, *[finding(Id=f"{tag}-{i:02d}") for i in range(7)])
    filters = {"Id": [{"Value": tag, "Comparison": "PREFIX"}]}
    seen, token = [], None
    while True:
        kwargs = {"Filters": filters, "MaxResults": 3}
        if token:
            kwargs["NextToken"] = token
        out = securityhub.get_findings(**kwargs)
        seen += [f["Id"] for f in out["Findings"]]
        token = out.get("NextToken")
        if not token:
            break
    assert sorted(seen) == [f"{tag}-{i:02d}" for i in range(7)]


def test_unsupported_filters_are_refused(unvalidated):
    message = invalid(unvalidated.get_findings, Filters={"Confidence": [{"Gte": 1}]})
    assert "does not support the filter 'Confidence'" in message


# -------------------------------------------------------------- BatchImportFindings


def test_import_rejects_more_than_100_findings(unvalidated):
    message = invalid(unvalidated.batch_import_findings, Findings=[finding() for _ in range(101)])
    assert "the maximum is 100" in message


def test_import_reports_findings_missing_required_fields(securityhub):
    bad = finding(Description="")
    out = securityhub.batch_import_findings(Findings=[finding(), bad])
    assert out["SuccessCount"] == 1
    assert out["FailedCount"] == 1
    assert out["FailedFindings"][0]["Id"] == bad["Id"]
    assert "Description is missing" in out["FailedFindings"][0]["ErrorMessage"]


def test_import_defaults_and_keeps_customer_fields(securityhub):
    (f,) = imported(securityhub, finding())
    stored = get(securityhub, f["Id"])
    assert stored["Workflow"]["Status"] == "NEW"
    assert stored["RecordState"] == "ACTIVE"
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": "NOTIFIED"},
                                      Note={"Text": "looking", "UpdatedBy": "analyst"})
    imported(securityhub, dict(f, Title="new title", Workflow={"Status": "NEW"}))
    stored = get(securityhub, f["Id"])
    assert stored["Title"] == "new title"
    assert stored["Workflow"]["Status"] == "NOTIFIED"
    assert stored["Note"]["Text"] == "looking"


@pytest.mark.parametrize(
    "workflow, change, expected",
    [
        ("RESOLVED", {"Compliance": {"Status": "FAILED"}}, "NEW"),
        ("NOTIFIED", {"Compliance": {"Status": "WARNING"}}, "NEW"),
        ("SUPPRESSED", {"Compliance": {"Status": "FAILED"}}, "SUPPRESSED"),
    ],
)
def test_passed_to_failed_reopens(securityhub, workflow, change, expected):
    (f,) = imported(securityhub, finding(Compliance={"Status": "PASSED"}))
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": workflow})
    imported(securityhub, dict(f, **change))
    assert get(securityhub, f["Id"])["Workflow"]["Status"] == expected


def test_archived_to_active_reopens_and_passing_resolves(securityhub):
    (f,) = imported(securityhub, finding(RecordState="ARCHIVED"))
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": "RESOLVED"})
    imported(securityhub, dict(f, RecordState="ACTIVE"))
    assert get(securityhub, f["Id"])["Workflow"]["Status"] == "NEW"
    imported(securityhub, dict(f, RecordState="ACTIVE", Compliance={"Status": "PASSED"}))
    assert get(securityhub, f["Id"])["Workflow"]["Status"] == "RESOLVED"


# ------------------------------------------------------------------- Action targets


def test_action_targets(securityhub, unvalidated):
    arn = securityhub.create_action_target(Name="Remediate", Description="Fix", Id="Remediate")["ActionTargetArn"]
    assert arn == "arn:aws:securityhub:us-east-1:123456789012:action/custom/Remediate"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        securityhub.create_action_target(Name="Remediate", Description="Fix", Id="Remediate")
    assert err.value.response["Error"]["Code"] == "ResourceConflictException"
    assert "Id must be 1 to 20 alphanumeric" in invalid(
        unvalidated.create_action_target, Name="Bad", Description="x", Id="not-alphanumeric")
    listed = securityhub.describe_action_targets(ActionTargetArns=[arn])["ActionTargets"]
    assert listed == [{"ActionTargetArn": arn, "Name": "Remediate", "Description": "Fix"}]
    securityhub.delete_action_target(ActionTargetArn=arn)
    assert securityhub.describe_action_targets(ActionTargetArns=[arn])["ActionTargets"] == []
