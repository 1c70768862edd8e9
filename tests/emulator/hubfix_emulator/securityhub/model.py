"""The ASFF vocabulary the extension checks against, and access to stored findings."""

from __future__ import annotations

from typing import Any

from moto.securityhub.models import Finding, SecurityHubBackend

WORKFLOW_STATUSES = ("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED")
SEVERITY_LABELS = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
VERIFICATION_STATES = ("UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE")
RECORD_STATES = ("ACTIVE", "ARCHIVED")
COMPLIANCE_STATUSES = ("PASSED", "WARNING", "FAILED", "NOT_AVAILABLE")

# Top-level fields that customers change with BatchUpdateFindings and finding providers
# mirror in FindingProviderFields. A re-import leaves them alone once a customer has
# changed them.
PROVIDER_MIRRORED = ("Confidence", "Criticality", "RelatedFindings", "Severity", "Types")

# The Severity.Normalized a Label stands for when only the Label is given.
NORMALIZED_OF_LABEL = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}


def label_of_normalized(normalized: int) -> str:
    """The Severity.Label for a Normalized score (0; 1-39; 40-69; 70-89; 90-100)."""
    if normalized == 0:
        return "INFORMATIONAL"
    if normalized < 40:
        return "LOW"
    if normalized < 70:
        return "MEDIUM"
    if normalized < 90:
        return "HIGH"
    return "CRITICAL"


def completed_severity(severity: dict[str, Any]) -> dict[str, Any]:
    """A Severity with whichever of Label and Normalized is missing filled from the other."""
    out = dict(severity)
    if "Label" in out and "Normalized" not in out:
        out["Normalized"] = NORMALIZED_OF_LABEL[out["Label"]]
    elif "Normalized" in out and "Label" not in out:
        out["Label"] = label_of_normalized(out["Normalized"])
    return out


def find(backend: SecurityHubBackend, finding_id: str, product_arn: str) -> Finding | None:
    """The stored finding with this Id and ProductArn (a finding's identity), if any."""
    return backend.findings.find(finding_id, product_arn)


def customer_updated(stored: Finding) -> set[str]:
    """The PROVIDER_MIRRORED fields a customer has changed on this finding."""
    if not hasattr(stored, "hubfix_customer_updated"):
        stored.hubfix_customer_updated = set()
    return stored.hubfix_customer_updated
