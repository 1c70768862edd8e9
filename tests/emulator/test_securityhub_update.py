"""BatchUpdateFindings (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import pytest

from asff import PRODUCT, TIMESTAMP, finding, ident, imported, invalid, stored

ONE = [{"Id": "f", "ProductArn": PRODUCT}]


def test_update_sets_workflow_and_note_but_not_updated_at(securityhub):
    (f,) = imported(securityhub, finding())
    out = securityhub.batch_update_findings(
        FindingIdentifiers=[ident(f)],
        Note={"Text": "fixed", "UpdatedBy": "hubfix"},
        Workflow={"Status": "RESOLVED"},
    )
    assert out["ProcessedFindings"] == [ident(f)]
    assert out["UnprocessedFindings"] == []
    got = stored(securityhub, f["Id"])
    assert got["Workflow"] == {"Status": "RESOLVED"}
    assert got["WorkflowState"] == "NEW", "the deprecated WorkflowState is left alone"
    assert (got["Note"]["Text"], got["Note"]["UpdatedBy"]) == ("fixed", "hubfix")
    assert TIMESTAMP.match(got["Note"]["UpdatedAt"]), got["Note"]
    assert TIMESTAMP.match(got["ProcessedAt"])
    assert got["UpdatedAt"] == f["UpdatedAt"], "BatchUpdateFindings does not change UpdatedAt"


def test_update_reports_unknown_and_duplicate_findings(securityhub):
    (f,) = imported(securityhub, finding())
    missing = {"Id": "no-such-finding", "ProductArn": PRODUCT}
    other_product = {"Id": f["Id"], "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty"}
    out = securityhub.batch_update_findings(
        FindingIdentifiers=[ident(f), ident(f), missing, other_product],
        Workflow={"Status": "NOTIFIED"},
    )
    assert out["ProcessedFindings"] == [ident(f)]
    assert out["UnprocessedFindings"] == [
        {"FindingIdentifier": ident(f), "ErrorCode": "DuplicatedFindingIdentifier",
         "ErrorMessage": "Finding Identifier is duplicated"},
        {"FindingIdentifier": missing, "ErrorCode": "FindingNotFound", "ErrorMessage": "Finding Not Found"},
        {"FindingIdentifier": other_product, "ErrorCode": "FindingNotFound", "ErrorMessage": "Finding Not Found"},
    ]
    assert stored(securityhub, f["Id"])["Workflow"]["Status"] == "NOTIFIED"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"FindingIdentifiers": [{"Id": f"f{i}", "ProductArn": PRODUCT} for i in range(101)],
          "Workflow": {"Status": "NEW"}}, "FindingIdentifiers has 101 items; the maximum is 100"),
        ({"FindingIdentifiers": [], "Workflow": {"Status": "NEW"}}, "must list at least one finding"),
        ({"FindingIdentifiers": [{"Id": "f"}], "Workflow": {"Status": "NEW"}}, "needs a non-empty Id and ProductArn"),
        ({"Note": {"Text": "x" * 513, "UpdatedBy": "hubfix"}}, "Note.Text is 513 characters; the maximum is 512"),
        ({"Note": {"UpdatedBy": "hubfix"}}, "Note.Text is required"),
        ({"Note": {"Text": "x"}}, "Note.UpdatedBy is required"),
        ({"Note": {"Text": "x", "UpdatedBy": "  "}}, "Note.UpdatedBy is required"),
        ({"Note": {"Text": "x", "UpdatedBy": "u" * 129}}, "Note.UpdatedBy is 129 characters; the maximum is 128"),
        ({"Workflow": {"Status": "DONE"}}, "Workflow.Status must be one of NEW, NOTIFIED, RESOLVED, SUPPRESSED"),
        ({}, "at least one of Note, Severity"),
        ({"Confidence": 101}, "Confidence must be an integer from 0 to 100"),
        ({"Criticality": -1}, "Criticality must be an integer from 0 to 100"),
        ({"Severity": {"Label": "SEVERE"}}, "Severity.Label must be one of"),
        ({"Severity": {"Normalized": 101}}, "Severity.Normalized must be an integer from 0 to 100"),
        ({"VerificationState": "MAYBE"}, "VerificationState must be one of"),
        ({"Types": ["t"] * 51}, "Types has 51 items; the maximum is 50"),
        ({"UserDefinedFields": {"k": "v" * 1025}}, "UserDefinedFields['k'] must be 1 to 1024 characters"),
        ({"RelatedFindings": [{"Id": "x"}]}, "each item of RelatedFindings needs a non-empty Id and ProductArn"),
    ],
)
def test_update_validation(unvalidated, kwargs, message):
    kwargs.setdefault("FindingIdentifiers", ONE)
    assert message in invalid(unvalidated.batch_update_findings, **kwargs)


def test_update_severity_fills_label_or_normalized(securityhub):
    a, b = imported(securityhub, finding(), finding())
    securityhub.batch_update_findings(FindingIdentifiers=[ident(a)], Severity={"Normalized": 95})
    securityhub.batch_update_findings(FindingIdentifiers=[ident(b)], Severity={"Label": "LOW", "Product": 2.5})
    assert stored(securityhub, a["Id"])["Severity"] == {"Label": "CRITICAL", "Normalized": 95}
    assert stored(securityhub, b["Id"])["Severity"] == {"Label": "LOW", "Normalized": 1, "Product": 2.5}


def test_update_sets_the_other_customer_fields(securityhub):
    related = {"Id": "other", "ProductArn": PRODUCT}
    (f,) = imported(securityhub, finding(UserDefinedFields={"kept": "yes"}))
    securityhub.batch_update_findings(
        FindingIdentifiers=[ident(f)], VerificationState="TRUE_POSITIVE", Confidence=80, Criticality=30,
        Types=["Effects/Data Exposure"], UserDefinedFields={"ticket": "SEC-1"}, RelatedFindings=[related],
    )
    got = stored(securityhub, f["Id"])
    assert got["VerificationState"] == "TRUE_POSITIVE"
    assert (got["Confidence"], got["Criticality"]) == (80, 30)
    assert got["Types"] == ["Effects/Data Exposure"]
    assert got["UserDefinedFields"] == {"kept": "yes", "ticket": "SEC-1"}
    assert got["RelatedFindings"] == [related]


def test_findings_are_per_account(emulator, securityhub):
    """A finding imported in account 222222222222 (through an assumed role, which moto
    does not require to exist) is invisible to 123456789012, and the other way round."""
    member = emulator.client_in("securityhub", "222222222222")
    (theirs,) = imported(member, finding(AwsAccountId="222222222222"))
    (ours,) = imported(securityhub, finding())
    assert stored(member, theirs["Id"])["AwsAccountId"] == "222222222222"
    assert all(x["Id"] != theirs["Id"] for x in securityhub.get_findings()["Findings"])
    assert all(x["Id"] != ours["Id"] for x in member.get_findings()["Findings"])
    out = securityhub.batch_update_findings(FindingIdentifiers=[ident(theirs)], Workflow={"Status": "RESOLVED"})
    assert out["UnprocessedFindings"][0]["ErrorCode"] == "FindingNotFound"
    assert stored(member, theirs["Id"])["Workflow"]["Status"] == "NEW"
