"""BatchImportFindings as Security Hub does it (moto 5.2.5 stores whatever it is sent).

- At most 100 findings a call (InvalidInputException otherwise).
- A finding lacking a required ASFF attribute, or with an invalid one, is not imported:
  it is listed in FailedFindings with ErrorCode InvalidInput and a message naming it.
- A finding is identified by Id and ProductArn. A new one gets RecordState ACTIVE,
  Workflow.Status NEW and WorkflowState NEW unless given, Region (the caller's), the
  missing one of Severity Label/Normalized, and FindingProviderFields copied from the
  top-level attributes when absent.
- Updating an existing finding cannot change what customers own (Note,
  UserDefinedFields, VerificationState, Workflow, and the deprecated WorkflowState),
  nor the top-level Confidence, Criticality, RelatedFindings, Severity and Types once a
  customer has changed them with BatchUpdateFindings.
- Workflow status changes by itself as the reference describes: NOTIFIED or RESOLVED
  goes back to NEW when RecordState changes from ARCHIVED to ACTIVE, or when
  Compliance.Status changes from PASSED to WARNING, FAILED or NOT_AVAILABLE; a control
  finding (one with Compliance.Status) that is PASSED is RESOLVED unless a customer
  SUPPRESSED it. SUPPRESSED never changes by itself.
- Every finding created or updated goes to the outbox (`outbox`), as Security Hub sends
  an Imported event for it.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from moto.securityhub.models import Finding, SecurityHubBackend

from . import model, updates
from .outbox import OUTBOX
from .errors import InvalidInput, dig, is_ratio, is_text, now_iso, parse_time

MAX_FINDINGS = 100
MAX_RESOURCES = 32
REQUIRED = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types",
            "CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources")
MAX_LENGTHS = {"Id": 512, "GeneratorId": 512, "Title": 256, "Description": 1024}
TEXT_FIELDS = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId",
               "CreatedAt", "UpdatedAt", "Title", "Description")
CUSTOMER_OWNED = ("Note", "UserDefinedFields", "VerificationState", "Workflow", "WorkflowState")
REOPENING_COMPLIANCE = ("WARNING", "FAILED", "NOT_AVAILABLE")
ACCOUNT_ID = re.compile(r"^\d{12}$")


# ------------------------------------------------------------------- validation


def check_required(finding: dict[str, Any]) -> None:
    """Every required attribute is present, and the textual ones are non-blank strings."""
    for field in REQUIRED:
        if finding.get(field) in (None, "", [], {}):
            raise InvalidInput(f"{field} is missing or empty")
    for field in TEXT_FIELDS:
        if not is_text(finding[field]):
            raise InvalidInput(f"{field} must be a non-empty string")
    for field, limit in MAX_LENGTHS.items():
        if len(finding[field]) > limit:
            raise InvalidInput(f"{field} is {len(finding[field])} characters; the maximum is {limit}")
    if not ACCOUNT_ID.match(finding["AwsAccountId"]):
        raise InvalidInput("AwsAccountId must be a 12-digit account id")
    for field in ("CreatedAt", "UpdatedAt"):
        parse_time(finding[field], field)


def check_resources(resources: Any) -> None:
    """Resources: 1 to 32 objects, each with a Type and an Id."""
    if not isinstance(resources, list) or not 1 <= len(resources) <= MAX_RESOURCES:
        raise InvalidInput(f"Resources must list 1 to {MAX_RESOURCES} resources")
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict) or not is_text(resource.get("Type")) or not is_text(resource.get("Id")):
            raise InvalidInput(f"Resources[{i}] needs a Type and an Id")


def check_severity(severity: Any) -> None:
    """Severity: Label or Normalized (Security Hub fills in the other)."""
    if not isinstance(severity, dict) or not ("Label" in severity or "Normalized" in severity):
        raise InvalidInput("Severity needs a Label or a Normalized score")
    if "Label" in severity and severity["Label"] not in model.SEVERITY_LABELS:
        raise InvalidInput(f"Severity.Label must be one of {', '.join(model.SEVERITY_LABELS)}")
    if "Normalized" in severity and not is_ratio(severity["Normalized"]):
        raise InvalidInput("Severity.Normalized must be an integer from 0 to 100")


def check_optional(finding: dict[str, Any]) -> None:
    """The optional attributes the extension relies on, when present."""
    if "RecordState" in finding and finding["RecordState"] not in model.RECORD_STATES:
        raise InvalidInput(f"RecordState must be one of {', '.join(model.RECORD_STATES)}")
    status = dig(finding, "Compliance", "Status")
    if status is not None and status not in model.COMPLIANCE_STATUSES:
        raise InvalidInput(f"Compliance.Status must be one of {', '.join(model.COMPLIANCE_STATUSES)}")
    if "Workflow" in finding:
        updates.check_workflow(finding["Workflow"])
    if "Note" in finding:
        updates.check_note(finding["Note"])
    if "UserDefinedFields" in finding:
        updates.check_user_defined_fields(finding["UserDefinedFields"])
    updates.check_scalars(finding)


def validate(finding: Any) -> None:
    """Raises InvalidInput naming the first attribute that breaks the ASFF rules."""
    if not isinstance(finding, dict):
        raise InvalidInput("each finding must be an object")
    check_required(finding)
    updates.check_types(finding["Types"])
    check_severity(finding["Severity"])
    check_resources(finding["Resources"])
    check_optional(finding)


# ------------------------------------------------------------------- workflow


def is_control_finding(finding: dict[str, Any]) -> bool:
    """Control findings are the ones with compliance details."""
    return dig(finding, "Compliance", "Status") is not None


def automatic_status(old: dict[str, Any] | None, new: dict[str, Any], status: str) -> str:
    """The workflow status after a provider's update, per Security Hub's automatic rules."""
    if old is not None and status in ("NOTIFIED", "RESOLVED"):
        reactivated = old.get("RecordState") == "ARCHIVED" and new["RecordState"] == "ACTIVE"
        failing_again = (dig(old, "Compliance", "Status") == "PASSED"
                         and dig(new, "Compliance", "Status") in REOPENING_COMPLIANCE)
        if reactivated or failing_again:
            status = "NEW"
    if is_control_finding(new) and dig(new, "Compliance", "Status") == "PASSED" and status in ("NEW", "NOTIFIED"):
        status = "RESOLVED"
    return status


# ------------------------------------------------------------------- storing


def provider_fields(finding: dict[str, Any]) -> dict[str, Any]:
    """FindingProviderFields as Security Hub fills them from the top-level attributes."""
    fields = {k: copy.deepcopy(finding[k]) for k in ("Confidence", "Criticality", "RelatedFindings", "Types")
              if k in finding}
    severity = finding.get("Severity") or {}
    fields["Severity"] = {k: severity[k] for k in ("Label", "Original") if k in severity}
    return fields


def normalised(finding: dict[str, Any], region: str) -> dict[str, Any]:
    """A copy of an imported finding with the attributes Security Hub fills in."""
    data = copy.deepcopy(finding)
    data.setdefault("RecordState", "ACTIVE")
    data.setdefault("Region", region)
    data["Severity"] = model.completed_severity(data["Severity"])
    data.setdefault("FindingProviderFields", provider_fields(data))
    data["ProcessedAt"] = now_iso()
    return data


def create(backend: SecurityHubBackend, finding: dict[str, Any]) -> None:
    """Stores a new finding."""
    data = normalised(finding, backend.region_name)
    data.setdefault("Workflow", {"Status": "NEW"})
    data.setdefault("WorkflowState", "NEW")
    data["Workflow"]["Status"] = automatic_status(None, data, data["Workflow"]["Status"])
    backend.findings.append(Finding(data["Id"], data))
    OUTBOX.record(backend, data)


def keep(data: dict[str, Any], old: dict[str, Any], fields: tuple[str, ...] | set[str]) -> None:
    """Sets `fields` of `data` to their values in `old` (dropping those `old` lacks)."""
    for field in fields:
        data.pop(field, None)
        if field in old:
            data[field] = copy.deepcopy(old[field])


def update(backend: SecurityHubBackend, stored: Finding, finding: dict[str, Any]) -> None:
    """Replaces a stored finding with a provider's update, keeping what customers own."""
    old = stored.data
    data = normalised(finding, backend.region_name)
    keep(data, old, CUSTOMER_OWNED)
    keep(data, old, model.customer_updated(stored))
    status = dig(old, "Workflow", "Status") or "NEW"
    data["Workflow"] = {"Status": automatic_status(old, data, status)}
    stored.data = data
    OUTBOX.record(backend, data)


def batch_import_findings(backend: SecurityHubBackend, findings: Any) -> tuple[int, int, list[dict[str, Any]]]:
    """BatchImportFindings on the caller's account and region: (failed, succeeded, failures)."""
    if not isinstance(findings, list) or not findings:
        raise InvalidInput("Findings must list at least one finding")
    if len(findings) > MAX_FINDINGS:
        raise InvalidInput(f"Findings has {len(findings)} items; the maximum is {MAX_FINDINGS}")
    return import_findings(backend, findings)


def import_findings(backend: SecurityHubBackend, findings: list[Any]) -> tuple[int, int, list[dict[str, Any]]]:
    """Validates and stores any number of findings in `backend`'s hub: (failed,
    succeeded, failures), each failure a FailedFindings entry."""
    failed: list[dict[str, Any]] = []
    for finding in findings:
        try:
            validate(finding)
        except InvalidInput as err:
            ident = finding.get("Id") if isinstance(finding, dict) else None
            failed.append({"Id": ident if isinstance(ident, str) else "", "ErrorCode": "InvalidInput",
                           "ErrorMessage": f"Finding does not adhere to ASFF: {err.message}"})
            continue
        stored = model.find(backend, finding["Id"], finding["ProductArn"])
        if stored is None:
            create(backend, finding)
        else:
            update(backend, stored, finding)
    return len(failed), len(findings) - len(failed), failed
