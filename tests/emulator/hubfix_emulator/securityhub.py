"""Security Hub APIs moto 5.2.5 lacks or simplifies, following the AWS API reference.

Added: BatchUpdateFindings, CreateActionTarget, DescribeActionTargets,
DeleteActionTarget. Changed: GetFindings applies its Filters (moto ignores them) and
BatchImportFindings validates its input, keeps the fields only BatchUpdateFindings may
change, and applies Security Hub's automatic workflow transitions.

Known gaps: GetFindings ignores SortCriteria; number, map, boolean and IP filters are
refused with a clear InvalidInputException rather than silently ignored.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable, Iterable

from moto.core.exceptions import ServiceException
from moto.securityhub import urls
from moto.securityhub.models import Finding, SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse
from moto.utilities.paginator import paginate

MAX_UPDATE_IDENTIFIERS = 100
MAX_IMPORT_FINDINGS = 100
MAX_NOTE_TEXT = 512
MAX_UPDATED_BY = 128
WORKFLOW_STATUSES = {"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
SEVERITY_LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
VERIFICATION_STATES = {"UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"}
REQUIRED_ASFF_FIELDS = (
    "SchemaVersion",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "Types",
    "CreatedAt",
    "UpdatedAt",
    "Severity",
    "Title",
    "Description",
    "Resources",
)
# Fields a finding provider cannot change with BatchImportFindings once the finding
# exists: customers own them, through BatchUpdateFindings.
CUSTOMER_FIELDS = ("Note", "Workflow", "WorkflowState", "UserDefinedFields", "VerificationState")
ACTION_TARGET_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")


class InvalidInput(ServiceException):
    """The request is malformed; HTTP 400."""

    code = "InvalidInputException"


class ResourceConflict(ServiceException):
    """The resource already exists; HTTP 409."""

    code = "ResourceConflictException"


class ResourceNotFound(ServiceException):
    """No such resource; HTTP 404."""

    code = "ResourceNotFoundException"


def now_iso() -> str:
    """The current time as Security Hub writes it: ISO 8601 UTC with milliseconds."""
    stamp = datetime.datetime.now(datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------- BatchUpdateFindings


def validate_update_request(body: dict[str, Any]) -> list[dict[str, str]]:
    """Checks a BatchUpdateFindings request; returns its finding identifiers."""
    identifiers = body.get("FindingIdentifiers")
    if not isinstance(identifiers, list) or not identifiers:
        raise InvalidInput("FindingIdentifiers must list at least one finding")
    if len(identifiers) > MAX_UPDATE_IDENTIFIERS:
        raise InvalidInput(
            f"FindingIdentifiers has {len(identifiers)} items; the maximum is {MAX_UPDATE_IDENTIFIERS}"
        )
    for ident in identifiers:
        if not isinstance(ident, dict) or not ident.get("Id") or not ident.get("ProductArn"):
            raise InvalidInput("each FindingIdentifier needs Id and ProductArn")
    updatable = ("Note", "Severity", "VerificationState", "Confidence", "Criticality",
                 "Types", "UserDefinedFields", "Workflow", "RelatedFindings")
    if not any(key in body for key in updatable):
        raise InvalidInput(f"at least one of {', '.join(updatable)} must be given")
    note = body.get("Note")
    if note is not None:
        text, updated_by = note.get("Text"), note.get("UpdatedBy")
        if not text:
            raise InvalidInput("Note.Text is required")
        if len(text) > MAX_NOTE_TEXT:
            raise InvalidInput(f"Note.Text is {len(text)} characters; the maximum is {MAX_NOTE_TEXT}")
        if not updated_by:
            raise InvalidInput("Note.UpdatedBy is required")
        if len(updated_by) > MAX_UPDATED_BY:
            raise InvalidInput(f"Note.UpdatedBy is longer than {MAX_UPDATED_BY} characters")
    status = (body.get("Workflow") or {}).get("Status")
    if "Workflow" in body and status not in WORKFLOW_STATUSES:
        raise InvalidInput(f"Workflow.Status must be one of {sorted(WORKFLOW_STATUSES)}")
    label = (body.get("Severity") or {}).get("Label")
    if label is not None and label not in SEVERITY_LABELS:
        raise InvalidInput(f"Severity.Label must be one of {sorted(SEVERITY_LABELS)}")
    state = body.get("VerificationState")
    if state is not None and state not in VERIFICATION_STATES:
        raise InvalidInput(f"VerificationState must be one of {sorted(VERIFICATION_STATES)}")
    for field in ("Confidence", "Criticality"):
        value = body.get(field)
        if value is not None and not (isinstance(value, int) and 0 <= value <= 100):
            raise InvalidInput(f"{field} must be an integer from 0 to 100")
    return identifiers


def apply_update(data: dict[str, Any], body: dict[str, Any], stamp: str) -> None:
    """Applies the fields of a BatchUpdateFindings request to one stored finding."""
    if "Note" in body:
        data["Note"] = {"Text": body["Note"]["Text"], "UpdatedBy": body["Note"]["UpdatedBy"],
                        "UpdatedAt": stamp}
    if "Workflow" in body:
        data["Workflow"] = {"Status": body["Workflow"]["Status"]}
        data["WorkflowState"] = {"NOTIFIED": "ASSIGNED", "SUPPRESSED": "DEFERRED"}.get(
            body["Workflow"]["Status"], body["Workflow"]["Status"]
        )
    if "Severity" in body:
        data["Severity"] = {**data.get("Severity", {}), **body["Severity"]}
    for field in ("VerificationState", "Confidence", "Criticality", "Types",
                  "RelatedFindings"):
        if field in body:
            data[field] = body[field]
    if "UserDefinedFields" in body:
        data["UserDefinedFields"] = {**data.get("UserDefinedFields", {}),
                                     **body["UserDefinedFields"]}
    data["UpdatedAt"] = stamp
    data["ProcessedAt"] = stamp


def batch_update_findings(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """BatchUpdateFindings on one account's backend."""
    identifiers = validate_update_request(body)
    stamp = now_iso()
    processed, unprocessed, seen = [], [], set()
    for ident in identifiers:
        key = (ident["Id"], ident["ProductArn"])
        if key in seen:
            unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "DuplicatedFindingIdentifier",
                                "ErrorMessage": "The finding identifier appears more than once in the request."})
            continue
        seen.add(key)
        stored = next((f for f in backend.findings
                       if f.id == ident["Id"] and f.data.get("ProductArn") == ident["ProductArn"]), None)
        if stored is None:
            unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound",
                                "ErrorMessage": "Finding not found."})
            continue
        apply_update(stored.data, body, stamp)
        processed.append({"Id": ident["Id"], "ProductArn": ident["ProductArn"]})
    return {"ProcessedFindings": processed, "UnprocessedFindings": unprocessed}


# ---------------------------------------------------------------------- GetFindings

POSITIVE = {"EQUALS", "PREFIX", "CONTAINS"}
NEGATIVE = {"NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS"}


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


STRING_FIELDS: dict[str, Callable[[dict[str, Any]], Iterable[Any]]] = {
    "Id": lambda f: [f.get("Id")],
    "ProductArn": lambda f: [f.get("ProductArn")],
    "AwsAccountId": lambda f: [f.get("AwsAccountId")],
    "Region": lambda f: [f.get("Region")],
    "GeneratorId": lambda f: [f.get("GeneratorId")],
    "Title": lambda f: [f.get("Title")],
    "ProductName": lambda f: [f.get("ProductName") or _get(f, "ProductFields", "aws/securityhub/ProductName")],
    "ComplianceSecurityControlId": lambda f: [_get(f, "Compliance", "SecurityControlId")],
    "ComplianceStatus": lambda f: [_get(f, "Compliance", "Status")],
    "RecordState": lambda f: [f.get("RecordState")],
    "WorkflowStatus": lambda f: [_get(f, "Workflow", "Status")],
    "SeverityLabel": lambda f: [_get(f, "Severity", "Label")],
    "ResourceType": lambda f: [r.get("Type") for r in f.get("Resources", [])],
    "ResourceId": lambda f: [r.get("Id") for r in f.get("Resources", [])],
    "NoteText": lambda f: [_get(f, "Note", "Text")],
    "NoteUpdatedBy": lambda f: [_get(f, "Note", "UpdatedBy")],
}
DATE_FIELDS = {"CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"}


def _string_match(value: Any, comparison: str, wanted: str) -> bool:
    if not isinstance(value, str):
        return False
    if comparison in ("EQUALS", "NOT_EQUALS"):
        return value == wanted
    if comparison in ("PREFIX", "PREFIX_NOT_EQUALS"):
        return value.startswith(wanted)
    return wanted in value


def matches_string_filters(values: list[Any], conditions: list[dict[str, str]]) -> bool:
    """One field's string filters: positive comparisons OR'ed, negative ones AND'ed."""
    positive = [c for c in conditions if c.get("Comparison") in POSITIVE]
    negative = [c for c in conditions if c.get("Comparison") in NEGATIVE]
    unknown = [c for c in conditions if c.get("Comparison") not in POSITIVE | NEGATIVE]
    if unknown:
        raise InvalidInput(f"unsupported string comparison {unknown[0].get('Comparison')!r}")
    if positive and not any(_string_match(v, c["Comparison"], c["Value"])
                            for c in positive for v in values):
        return False
    return all(not _string_match(v, c["Comparison"], c["Value"]) for c in negative for v in values)


def _parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def matches_date_filters(value: Any, conditions: list[dict[str, Any]]) -> bool:
    """A date field's filters (Start/End, or DateRange in DAYS): all must hold."""
    if not isinstance(value, str):
        return False
    moment = _parse_time(value)
    for c in conditions:
        if "DateRange" in c:
            days = c["DateRange"].get("Value", 0)
            if moment < datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days):
                return False
        if c.get("Start") and moment < _parse_time(c["Start"]):
            return False
        if c.get("End") and moment > _parse_time(c["End"]):
            return False
    return True


def matches(finding: dict[str, Any], filters: dict[str, Any] | None) -> bool:
    """Whether a stored finding passes GetFindings' Filters (fields AND'ed)."""
    for field, conditions in (filters or {}).items():
        if not conditions:
            continue
        if field in STRING_FIELDS:
            if not matches_string_filters(list(STRING_FIELDS[field](finding)), conditions):
                return False
        elif field in DATE_FIELDS:
            if not matches_date_filters(finding.get(field), conditions):
                return False
        else:
            raise InvalidInput(f"the emulator does not support the filter {field!r}")
    return True


@paginate(pagination_model=SecurityHubBackend.PAGINATION_MODEL)
def get_findings(self: SecurityHubBackend, filters: dict[str, Any] | None = None,
                 sort_criteria: list[dict[str, str]] | None = None,
                 max_results: int | None = None) -> list[dict[str, Any]]:
    """GetFindings with Filters applied before paging; SortCriteria is not implemented."""
    if max_results is not None and not 1 <= int(max_results) <= 100:
        raise InvalidInput("MaxResults must be a number from 1 to 100")
    return [f.as_dict() for f in self.findings if matches(f.as_dict(), filters)]


# -------------------------------------------------------------- BatchImportFindings


def missing_required_field(finding: dict[str, Any]) -> str | None:
    """The first required ASFF field a finding lacks, if any."""
    for field in REQUIRED_ASFF_FIELDS:
        if finding.get(field) in (None, "", []):
            return field
    resources = finding.get("Resources")
    if not isinstance(resources, list) or not 1 <= len(resources) <= 32:
        return "Resources"
    return None


def transitioned_workflow(old: dict[str, Any], new: dict[str, Any], status: str) -> str:
    """Security Hub's automatic workflow changes when a provider updates a finding."""
    old_record, new_record = old.get("RecordState", "ACTIVE"), new.get("RecordState", "ACTIVE")
    old_compliance = _get(old, "Compliance", "Status")
    new_compliance = _get(new, "Compliance", "Status")
    if status in ("NOTIFIED", "RESOLVED"):
        if old_record == "ARCHIVED" and new_record == "ACTIVE":
            return "NEW"
        if old_compliance == "PASSED" and new_compliance in ("FAILED", "WARNING", "NOT_AVAILABLE"):
            return "NEW"
    if status in ("NEW", "NOTIFIED"):
        if old_record == "ACTIVE" and new_record == "ARCHIVED":
            return "RESOLVED"
        if new_compliance == "PASSED" and old_compliance != "PASSED":
            return "RESOLVED"
    return status


def batch_import_findings(self: SecurityHubBackend, findings: list[dict[str, Any]]):
    """BatchImportFindings with validation, customer-owned fields kept, transitions."""
    if len(findings) > MAX_IMPORT_FINDINGS:
        raise InvalidInput(f"Findings has {len(findings)} items; the maximum is {MAX_IMPORT_FINDINGS}")
    failed, success = [], 0
    for data in findings:
        missing = missing_required_field(data)
        if missing:
            failed.append({"Id": data.get("Id", ""), "ErrorCode": "InvalidInput",
                           "ErrorMessage": f"Finding does not adhere to ASFF: {missing} is missing or invalid"})
            continue
        stored = next((f for f in self.findings if f.id == data["Id"]), None)
        data = dict(data)
        data.setdefault("RecordState", "ACTIVE")
        if stored is None:
            data.setdefault("Workflow", {"Status": "NEW"})
            data.setdefault("WorkflowState", "NEW")
            data["ProcessedAt"] = now_iso()
            self.findings.append(Finding(data["Id"], data))
        else:
            old = stored.data
            status = transitioned_workflow(old, data, _get(old, "Workflow", "Status") or "NEW")
            for field in CUSTOMER_FIELDS:
                data.pop(field, None)
                if field in old:
                    data[field] = old[field]
            data["Workflow"] = {"Status": status}
            data["CreatedAt"] = old.get("CreatedAt", data["CreatedAt"])
            data["ProcessedAt"] = now_iso()
            stored.data = data
        success += 1
    return len(failed), success, failed


# ------------------------------------------------------------------- Action targets


def _action_targets(backend: SecurityHubBackend) -> dict[str, dict[str, str]]:
    if not hasattr(backend, "hubfix_action_targets"):
        backend.hubfix_action_targets = {}
    return backend.hubfix_action_targets


def create_action_target(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, str]:
    """CreateActionTarget: Id of at most 20 alphanumeric characters, unique."""
    name, description, ident = body.get("Name"), body.get("Description"), body.get("Id", "")
    if not name or not description:
        raise InvalidInput("Name and Description are required")
    if len(name) > 20:
        raise InvalidInput("Name is longer than 20 characters")
    if not ACTION_TARGET_ID.match(ident):
        raise InvalidInput("Id must be 1 to 20 alphanumeric characters")
    arn = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:action/custom/{ident}"
    targets = _action_targets(backend)
    if arn in targets:
        raise ResourceConflict(f"The action target {arn} already exists.")
    targets[arn] = {"ActionTargetArn": arn, "Name": name, "Description": description}
    return {"ActionTargetArn": arn}


def describe_action_targets(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeActionTargets, all or by ARN; MaxResults and NextToken page by index."""
    targets = _action_targets(backend)
    wanted = body.get("ActionTargetArns")
    listed = [targets[a] for a in wanted if a in targets] if wanted else list(targets.values())
    start = int(body.get("NextToken") or 0)
    size = int(body.get("MaxResults") or 100)
    page = listed[start:start + size]
    response: dict[str, Any] = {"ActionTargets": page}
    if start + size < len(listed):
        response["NextToken"] = str(start + size)
    return response


def delete_action_target(backend: SecurityHubBackend, arn: str) -> dict[str, str]:
    """DeleteActionTarget by ARN."""
    if _action_targets(backend).pop(arn, None) is None:
        raise ResourceNotFound(f"The action target {arn} does not exist.")
    return {"ActionTargetArn": arn}


# ---------------------------------------------------------------------- Wiring


def _body(response: SecurityHubResponse) -> dict[str, Any]:
    raw = response.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    return json.loads(raw) if raw else {}


def install() -> None:
    """Registers the extension with moto; call before the server app is built."""
    for path in (r"{0}/findings/batchupdate$", r"{0}/actionTargets$", r"{0}/actionTargets/get$",
                 r"{0}/actionTargets/(?P<arn>.+)$"):
        urls.url_paths[path] = SecurityHubResponse.dispatch

    SecurityHubBackend.get_findings = get_findings
    SecurityHubBackend.batch_import_findings = batch_import_findings

    def respond(handler: Callable[[SecurityHubBackend, dict[str, Any]], dict[str, Any]]):
        def method(self: SecurityHubResponse) -> str:
            return json.dumps(handler(self.securityhub_backend, _body(self)))
        return method

    SecurityHubResponse.batch_update_findings = respond(batch_update_findings)
    SecurityHubResponse.create_action_target = respond(create_action_target)
    SecurityHubResponse.describe_action_targets = respond(describe_action_targets)

    def delete(self: SecurityHubResponse) -> str:
        from urllib.parse import unquote
        arn = unquote(self.parsed_url.path.split("/actionTargets/", 1)[1])
        return json.dumps(delete_action_target(self.securityhub_backend, arn))

    SecurityHubResponse.delete_action_target = delete
