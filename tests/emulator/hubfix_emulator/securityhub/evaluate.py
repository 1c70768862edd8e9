"""Security Hub's next check, on demand: `POST /_hubfix/securityhub/evaluate`.

Security Hub runs a control's check again on its schedule or when the resource
changes, and updates the control finding as its provider: a new `Compliance.Status`,
`Severity` (INFORMATIONAL when PASSED, the control's severity when FAILED), `UpdatedAt`
and `LastObservedAt`, with the automatic workflow rules applied (a NEW or NOTIFIED
finding that passes becomes RESOLVED; a NOTIFIED or RESOLVED one that goes from PASSED
back to FAILED becomes NEW). When the resource was deleted, the finding becomes
NOT_AVAILABLE and is archived at once (User Guide, "Evaluating compliance status and
control status"). SUPPRESSED findings are no longer updated (API reference, Workflow).

The request `{"account": "<hub account>", "region": "<hub Region>", "controls": [...]}`
re-checks the hub's ACTIVE control findings of the controls in `checks.CHECKS` (or of
the `controls` named) against moto's resource state in each finding's own account and
Region, and stores each result as a provider update (`imports.update`: what customers
own, such as notes and workflow, is kept, and an outbox event is recorded). A finding's
control is its `Compliance.SecurityControlId`, or for standard-specific findings the
control its generator id stands for (User Guide, "Generator ids before and after
consolidation"). Answer: `{"evaluated": [{"Id", "ProductArn", "ControlId",
"PreviousComplianceStatus", "Compliance": {"Status"}, "Workflow": {"Status"},
"RecordState"}, ...], "not_evaluated": n}`; `not_evaluated` counts the active control
findings left as they are because the emulator has no check for their control, or they
name no resource of the type it checks.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from moto.securityhub.models import SecurityHubBackend, securityhub_backends

from ..admin import AdminError, Handler, Route
from . import imports, model
from .checks import CHECKS, PASSED, Check, Resource
from .errors import LOCK, dig, now_iso
from .seed import ACCOUNT_ID

NOT_AVAILABLE = "NOT_AVAILABLE"
FSBP_GENERATOR = "aws-foundational-security-best-practices/v/1.0.0/"
CIS_120_GENERATOR = re.compile(r"^arn:aws[a-z-]*:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1\.2\.0/rule/(.+)$")
# CIS v1.2.0 requirements whose control the emulator checks, as the User Guide maps them.
CIS_120_CONTROLS = {"4.1": "EC2.13", "4.2": "EC2.14"}


def control_of(data: dict[str, Any]) -> str | None:
    """The security control a finding is about, if the finding says so."""
    control = dig(data, "Compliance", "SecurityControlId")
    if isinstance(control, str):
        return control
    generator = data.get("GeneratorId") or ""
    if generator.startswith(FSBP_GENERATOR):
        return generator[len(FSBP_GENERATOR):]
    cis = CIS_120_GENERATOR.match(generator)
    return CIS_120_CONTROLS.get(cis.group(1)) if cis else None


def resource_of(data: dict[str, Any], check: Check, hub_region: str) -> Resource | None:
    """The finding's first resource of the type the control checks, where it lives."""
    for resource in data.get("Resources") or []:
        if resource.get("Type") == check.resource_type:
            region = resource.get("Region") or data.get("Region") or hub_region
            return Resource(data["AwsAccountId"], region, resource.get("Partition") or "aws", resource["Id"])
    return None


def checked(data: dict[str, Any], status: str, check: Check, stamp: str) -> dict[str, Any]:
    """The finding as Security Hub's check updates it: a copy of `data` with the result."""
    out = copy.deepcopy(data)
    compliance = out.setdefault("Compliance", {})
    if compliance.get("Status") != status:
        compliance.pop("StatusReasons", None)  # they explained the previous status
    compliance["Status"] = status
    if status == NOT_AVAILABLE:
        out["RecordState"] = "ARCHIVED"
    else:
        label = "INFORMATIONAL" if status == PASSED else check.severity
        out["Severity"] = {"Label": label, "Normalized": model.NORMALIZED_OF_LABEL[label], "Original": label}
        out.setdefault("FindingProviderFields", {})["Severity"] = {"Label": label, "Original": label}
    out["UpdatedAt"] = out["LastObservedAt"] = stamp
    return out


def active_control_finding(data: dict[str, Any]) -> bool:
    """Whether Security Hub's checks update this finding: an ACTIVE control finding that
    is not SUPPRESSED."""
    return (data.get("RecordState") == "ACTIVE" and dig(data, "Compliance", "Status") is not None
            and dig(data, "Workflow", "Status") != "SUPPRESSED")


def evaluate_hub(backend: SecurityHubBackend, controls: set[str]) -> dict[str, Any]:
    """Runs the checks of `controls` on the hub's findings; the endpoint's answer."""
    stamp = now_iso()
    evaluated: list[dict[str, Any]] = []
    not_evaluated = 0
    for stored in list(backend.findings):
        if not active_control_finding(stored.data):
            continue
        control = control_of(stored.data)
        if control not in controls:  # another control's, or one the emulator has no check for
            not_evaluated += control not in CHECKS
            continue
        check = CHECKS[control]
        resource = resource_of(stored.data, check, backend.region_name)
        if resource is None:
            not_evaluated += 1
            continue
        previous = stored.data["Compliance"]["Status"]
        status = check.run(resource) or NOT_AVAILABLE
        imports.update(backend, stored, checked(stored.data, status, check, stamp))
        evaluated.append({
            "Id": stored.data["Id"], "ProductArn": stored.data["ProductArn"], "ControlId": control,
            "PreviousComplianceStatus": previous, "Compliance": {"Status": status},
            "Workflow": {"Status": dig(stored.data, "Workflow", "Status")},
            "RecordState": stored.data["RecordState"],
        })
    return {"evaluated": evaluated, "not_evaluated": not_evaluated}


def requested_controls(body: dict[str, Any]) -> set[str]:
    """The `controls` of a request (default: every control the emulator checks)."""
    controls = body.get("controls", sorted(CHECKS))
    if not isinstance(controls, list) or not all(isinstance(c, str) for c in controls):
        raise AdminError("controls must be a list of control ids")
    unknown = sorted(set(controls) - set(CHECKS))
    if unknown:
        raise AdminError(f"the emulator has no check for {', '.join(unknown)}; it checks {', '.join(sorted(CHECKS))}")
    return set(controls)


def evaluate(body: dict[str, Any]) -> dict[str, Any]:
    """POST /_hubfix/securityhub/evaluate."""
    account, region = body.get("account"), body.get("region")
    if not isinstance(account, str) or not ACCOUNT_ID.match(account):
        raise AdminError("account must be a 12-digit account id")
    if not isinstance(region, str) or region not in securityhub_backends[account]:
        raise AdminError("region must be a Region where Security Hub is available")
    controls = requested_controls(body)
    with LOCK:
        return evaluate_hub(securityhub_backends[account][region], controls)


ROUTES: dict[Route, Handler] = {("POST", "/_hubfix/securityhub/evaluate"): evaluate}
