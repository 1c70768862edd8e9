"""BatchImportFindings as the extension fixes it, through boto3 over HTTP."""

from __future__ import annotations

import pytest

from asff import TIMESTAMP, finding, ident, imported, invalid, stored

REQUIRED = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt",
            "UpdatedAt", "Severity", "Title", "Description", "Resources")


def test_more_than_100_findings_are_refused(unvalidated):
    message = invalid(unvalidated.batch_import_findings, Findings=[finding() for _ in range(101)])
    assert "Findings has 101 items; the maximum is 100" in message


def test_100_findings_are_accepted(securityhub):
    out = securityhub.batch_import_findings(Findings=[finding() for _ in range(100)])
    assert (out["SuccessCount"], out["FailedCount"]) == (100, 0)


@pytest.mark.parametrize("field", REQUIRED)
def test_a_finding_missing_a_required_field_fails_alone(unvalidated, field):
    bad = finding()
    del bad[field]
    good = finding()
    out = unvalidated.batch_import_findings(Findings=[good, bad])
    assert (out["SuccessCount"], out["FailedCount"]) == (1, 1)
    (failure,) = out["FailedFindings"]
    assert failure["Id"] == bad.get("Id", "")
    assert failure["ErrorCode"] == "InvalidInput"
    assert f"{field} is missing" in failure["ErrorMessage"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"Resources": [{"Type": "AwsS3Bucket", "Id": f"b{i}"} for i in range(33)]}, "Resources must list 1 to 32"),
        ({"Resources": [{"Id": "arn:aws:s3:::b"}]}, "Resources[0] needs a Type and an Id"),
        ({"Severity": {"Original": "8"}}, "Severity needs a Label or a Normalized score"),
        ({"Severity": {"Label": "SEVERE"}}, "Severity.Label must be one of"),
        ({"Title": "t" * 257}, "Title is 257 characters; the maximum is 256"),
        ({"Description": "  "}, "Description must be a non-empty string"),
        ({"AwsAccountId": "1234"}, "AwsAccountId must be a 12-digit account id"),
        ({"CreatedAt": "last tuesday"}, "CreatedAt is not a valid ISO 8601 timestamp"),
        ({"RecordState": "DELETED"}, "RecordState must be one of ACTIVE, ARCHIVED"),
        ({"Compliance": {"Status": "OK"}}, "Compliance.Status must be one of"),
        ({"Workflow": {"Status": "DONE"}}, "Workflow.Status must be one of"),
    ],
)
def test_invalid_findings_are_reported(unvalidated, overrides, message):
    bad = finding(**overrides)
    out = unvalidated.batch_import_findings(Findings=[bad])
    assert (out["SuccessCount"], out["FailedCount"]) == (0, 1)
    assert out["FailedFindings"][0]["Id"] == bad["Id"]
    assert out["FailedFindings"][0]["ErrorCode"] == "InvalidInput"
    assert message in out["FailedFindings"][0]["ErrorMessage"]


def test_import_does_not_need_enable_security_hub(emulator):
    """moto (and so the emulator) accepts findings in an account that never enabled
    Security Hub; real Security Hub fails them with InvalidAccess."""
    fresh = emulator.client_in("securityhub", "333333333333")
    imported(fresh, finding(AwsAccountId="333333333333"))


def test_new_findings_get_security_hubs_defaults(securityhub):
    (f,) = imported(securityhub, finding(Severity={"Normalized": 42}, Confidence=70))
    got = stored(securityhub, f["Id"])
    assert got["Workflow"] == {"Status": "NEW"}
    assert got["WorkflowState"] == "NEW"
    assert got["RecordState"] == "ACTIVE"
    assert got["Region"] == "us-east-1"
    assert got["Severity"] == {"Label": "MEDIUM", "Normalized": 42}
    assert got["FindingProviderFields"] == {"Confidence": 70, "Severity": {"Label": "MEDIUM"}, "Types": f["Types"]}
    assert TIMESTAMP.match(got["ProcessedAt"])


def test_reimport_keeps_what_customers_own(securityhub):
    (f,) = imported(securityhub, finding(UserDefinedFields={"from": "provider"}))
    securityhub.batch_update_findings(
        FindingIdentifiers=[ident(f)], Workflow={"Status": "NOTIFIED"},
        Note={"Text": "looking", "UpdatedBy": "analyst"}, VerificationState="TRUE_POSITIVE",
        Severity={"Label": "LOW"}, UserDefinedFields={"ticket": "SEC-1"},
    )
    later = "2024-01-11T00:00:00.000Z"
    imported(securityhub, dict(f, Title="new title", Workflow={"Status": "NEW"},
                               Note={"Text": "provider", "UpdatedBy": "p", "UpdatedAt": later},
                               UserDefinedFields={"from": "provider again"}, Severity={"Label": "CRITICAL"},
                               Criticality=50, UpdatedAt=later))
    got = stored(securityhub, f["Id"])
    assert got["Title"] == "new title"
    assert got["UpdatedAt"] == later
    assert got["Criticality"] == 50, "a field no customer changed follows the provider"
    assert got["Workflow"]["Status"] == "NOTIFIED"
    assert got["Note"]["Text"] == "looking"
    assert got["VerificationState"] == "TRUE_POSITIVE"
    assert got["UserDefinedFields"] == {"from": "provider", "ticket": "SEC-1"}
    assert got["Severity"]["Label"] == "LOW", "the customer's severity outlives re-imports"


def test_a_passed_control_finding_is_resolved_on_import(securityhub):
    passed, plain = imported(securityhub, finding(Compliance={"Status": "PASSED"}),
                             {k: v for k, v in finding().items() if k != "Compliance"})
    assert stored(securityhub, passed["Id"])["Workflow"]["Status"] == "RESOLVED"
    assert stored(securityhub, plain["Id"])["Workflow"]["Status"] == "NEW"


def compliance(status: str) -> dict[str, dict[str, str]]:
    return {"Compliance": {"Status": status, "SecurityControlId": "S3.8"}}


@pytest.mark.parametrize(
    "first, workflow, second, expected",
    [
        # Compliance.Status from PASSED to WARNING, FAILED or NOT_AVAILABLE reopens NOTIFIED/RESOLVED.
        (compliance("PASSED"), "RESOLVED", compliance("FAILED"), "NEW"),
        (compliance("PASSED"), "NOTIFIED", compliance("WARNING"), "NEW"),
        (compliance("PASSED"), "RESOLVED", compliance("NOT_AVAILABLE"), "NEW"),
        (compliance("PASSED"), "SUPPRESSED", compliance("FAILED"), "SUPPRESSED"),
        (compliance("FAILED"), "RESOLVED", compliance("FAILED"), "RESOLVED"),
        # RecordState from ARCHIVED to ACTIVE reopens NOTIFIED/RESOLVED, never SUPPRESSED.
        ({"RecordState": "ARCHIVED"}, "RESOLVED", {"RecordState": "ACTIVE"}, "NEW"),
        ({"RecordState": "ARCHIVED"}, "NOTIFIED", {"RecordState": "ACTIVE"}, "NEW"),
        ({"RecordState": "ARCHIVED"}, "SUPPRESSED", {"RecordState": "ACTIVE"}, "SUPPRESSED"),
        ({"RecordState": "ACTIVE"}, "NOTIFIED", {"RecordState": "ARCHIVED"}, "NOTIFIED"),
        # A control finding that passes is resolved, unless suppressed.
        (compliance("FAILED"), "NEW", compliance("PASSED"), "RESOLVED"),
        (compliance("FAILED"), "NOTIFIED", compliance("PASSED"), "RESOLVED"),
        (compliance("FAILED"), "SUPPRESSED", compliance("PASSED"), "SUPPRESSED"),
    ],
)
def test_automatic_workflow_transitions(securityhub, first, workflow, second, expected):
    (f,) = imported(securityhub, finding(**first))
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": workflow})
    imported(securityhub, dict(f, **second))
    assert stored(securityhub, f["Id"])["Workflow"]["Status"] == expected
