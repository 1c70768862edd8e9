"""BatchUpdateFindings (PATCH /findings/batchupdate), which moto 5.2.5 lacks.

Follows the API reference: 1-100 FindingIdentifiers; at least one of the updatable
fields; request-level validation errors are InvalidInputException (HTTP 400), while
per-finding problems go to UnprocessedFindings (FindingNotFound,
DuplicatedFindingIdentifier). As in Security Hub, an update does not change the
finding's UpdatedAt (that belongs to the finding provider); it sets Note.UpdatedAt and
ProcessedAt. The deprecated WorkflowState is left as it is. Every finding updated goes
to the outbox (`outbox`), as Security Hub sends an Imported event for it.
"""

from __future__ import annotations

from typing import Any

from moto.securityhub.models import SecurityHubBackend

from . import model
from .outbox import OUTBOX
from .errors import InvalidInput, is_ratio, is_text, now_iso

MAX_IDENTIFIERS = 100
MAX_NOTE_TEXT = 512
MAX_UPDATED_BY = 128
MAX_TYPES = 50
MAX_USER_DEFINED_FIELDS = 50
MAX_FIELD_KEY = 128
MAX_FIELD_VALUE = 1024
UPDATABLE = ("Note", "Severity", "VerificationState", "Confidence", "Criticality", "Types",
             "UserDefinedFields", "Workflow", "RelatedFindings")
NOT_FOUND = ("FindingNotFound", "Finding Not Found")
DUPLICATED = ("DuplicatedFindingIdentifier", "Finding Identifier is duplicated")


def check_identifiers(identifiers: Any, field: str = "FindingIdentifiers") -> list[dict[str, str]]:
    """A list of {Id, ProductArn}: 1 to 100 items, both members non-empty strings."""
    if not isinstance(identifiers, list) or not identifiers:
        raise InvalidInput(f"{field} must list at least one finding")
    if len(identifiers) > MAX_IDENTIFIERS:
        raise InvalidInput(f"{field} has {len(identifiers)} items; the maximum is {MAX_IDENTIFIERS}")
    for ident in identifiers:
        if not isinstance(ident, dict) or not is_text(ident.get("Id")) or not is_text(ident.get("ProductArn")):
            raise InvalidInput(f"each item of {field} needs a non-empty Id and ProductArn")
    return identifiers


def check_note(note: Any) -> None:
    """Note: Text (1-512 characters) and UpdatedBy (1-128 characters), both required."""
    if not isinstance(note, dict):
        raise InvalidInput("Note must be an object with Text and UpdatedBy")
    text, updated_by = note.get("Text"), note.get("UpdatedBy")
    if not is_text(text):
        raise InvalidInput("Note.Text is required and must not be blank")
    if len(text) > MAX_NOTE_TEXT:
        raise InvalidInput(f"Note.Text is {len(text)} characters; the maximum is {MAX_NOTE_TEXT}")
    if not is_text(updated_by):
        raise InvalidInput("Note.UpdatedBy is required and must not be blank")
    if len(updated_by) > MAX_UPDATED_BY:
        raise InvalidInput(f"Note.UpdatedBy is {len(updated_by)} characters; the maximum is {MAX_UPDATED_BY}")


def check_workflow(workflow: Any) -> None:
    """Workflow.Status: one of NEW, NOTIFIED, RESOLVED, SUPPRESSED."""
    if not isinstance(workflow, dict) or workflow.get("Status") not in model.WORKFLOW_STATUSES:
        raise InvalidInput(f"Workflow.Status must be one of {', '.join(model.WORKFLOW_STATUSES)}")


def check_severity(severity: Any) -> None:
    """Severity: at least one of Label (enum), Normalized (0-100), Product (number)."""
    if not isinstance(severity, dict) or not any(k in severity for k in ("Label", "Normalized", "Product")):
        raise InvalidInput("Severity must give at least one of Label, Normalized, Product")
    if "Label" in severity and severity["Label"] not in model.SEVERITY_LABELS:
        raise InvalidInput(f"Severity.Label must be one of {', '.join(model.SEVERITY_LABELS)}")
    if "Normalized" in severity and not is_ratio(severity["Normalized"]):
        raise InvalidInput("Severity.Normalized must be an integer from 0 to 100")
    product = severity.get("Product")
    if "Product" in severity and (isinstance(product, bool) or not isinstance(product, (int, float))):
        raise InvalidInput("Severity.Product must be a number")


def check_types(types: Any) -> None:
    """Types: up to 50 non-empty strings."""
    if not isinstance(types, list) or not all(is_text(t) for t in types):
        raise InvalidInput("Types must be a list of non-empty strings")
    if len(types) > MAX_TYPES:
        raise InvalidInput(f"Types has {len(types)} items; the maximum is {MAX_TYPES}")


def check_user_defined_fields(fields: Any) -> None:
    """UserDefinedFields: up to 50 pairs, keys up to 128 and values up to 1024 characters."""
    if not isinstance(fields, dict):
        raise InvalidInput("UserDefinedFields must be a map of strings")
    if len(fields) > MAX_USER_DEFINED_FIELDS:
        raise InvalidInput(f"UserDefinedFields has {len(fields)} pairs; the maximum is {MAX_USER_DEFINED_FIELDS}")
    for key, value in fields.items():
        if not is_text(key) or len(key) > MAX_FIELD_KEY:
            raise InvalidInput(f"UserDefinedFields keys must be 1 to {MAX_FIELD_KEY} characters")
        if not is_text(value) or len(value) > MAX_FIELD_VALUE:
            raise InvalidInput(f"UserDefinedFields[{key!r}] must be 1 to {MAX_FIELD_VALUE} characters")


def check_scalars(body: dict[str, Any]) -> None:
    """VerificationState (enum), Confidence and Criticality (0-100)."""
    state = body.get("VerificationState")
    if state is not None and state not in model.VERIFICATION_STATES:
        raise InvalidInput(f"VerificationState must be one of {', '.join(model.VERIFICATION_STATES)}")
    for field in ("Confidence", "Criticality"):
        if field in body and not is_ratio(body[field]):
            raise InvalidInput(f"{field} must be an integer from 0 to 100")


def validate(body: dict[str, Any]) -> list[dict[str, str]]:
    """Checks a whole BatchUpdateFindings request; returns its finding identifiers."""
    identifiers = check_identifiers(body.get("FindingIdentifiers"))
    if not any(body.get(field) is not None for field in UPDATABLE):
        raise InvalidInput(f"at least one of {', '.join(UPDATABLE)} must be given")
    checks = {"Note": check_note, "Workflow": check_workflow, "Severity": check_severity,
              "Types": check_types, "UserDefinedFields": check_user_defined_fields,
              "RelatedFindings": lambda v: check_identifiers(v, "RelatedFindings")}
    for field, check in checks.items():
        if body.get(field) is not None:
            check(body[field])
    check_scalars(body)
    return identifiers


def apply(data: dict[str, Any], body: dict[str, Any], stamp: str) -> set[str]:
    """Applies a validated update to one stored finding; returns the fields it changed."""
    changed = {field for field in UPDATABLE if body.get(field) is not None}
    if "Note" in changed:
        data["Note"] = {"Text": body["Note"]["Text"], "UpdatedBy": body["Note"]["UpdatedBy"],
                        "UpdatedAt": stamp}
    if "Workflow" in changed:
        data["Workflow"] = {"Status": body["Workflow"]["Status"]}
    if "Severity" in changed:
        update = model.completed_severity(body["Severity"])
        data["Severity"] = {**(data.get("Severity") or {}), **update}
    if "UserDefinedFields" in changed:
        data["UserDefinedFields"] = {**(data.get("UserDefinedFields") or {}), **body["UserDefinedFields"]}
    for field in ("VerificationState", "Confidence", "Criticality", "Types", "RelatedFindings"):
        if field in changed:
            data[field] = body[field]
    data["ProcessedAt"] = stamp
    return changed


def unprocessed(ident: dict[str, str], error: tuple[str, str]) -> dict[str, Any]:
    """One UnprocessedFindings entry."""
    return {"FindingIdentifier": {"Id": ident["Id"], "ProductArn": ident["ProductArn"]},
            "ErrorCode": error[0], "ErrorMessage": error[1]}


def batch_update_findings(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """BatchUpdateFindings on the caller's account and region."""
    identifiers = validate(body)
    stamp = now_iso()
    processed: list[dict[str, str]] = []
    failed: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for ident in identifiers:
        key = (ident["Id"], ident["ProductArn"])
        stored = model.find(backend, *key)
        if key in seen:
            failed.append(unprocessed(ident, DUPLICATED))
        elif stored is None:
            failed.append(unprocessed(ident, NOT_FOUND))
        else:
            changed = apply(stored.data, body, stamp)
            model.customer_updated(stored).update(changed & set(model.PROVIDER_MIRRORED))
            OUTBOX.record(backend, stored.data)
            processed.append({"Id": key[0], "ProductArn": key[1]})
        seen.add(key)
    return {"ProcessedFindings": processed, "UnprocessedFindings": failed}
