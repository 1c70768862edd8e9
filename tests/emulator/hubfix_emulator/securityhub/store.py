"""A backend's findings, indexed: moto 5.2.5 keeps them in a list that every import,
update and search scans, which makes an organisation's 60,000 findings quadratic.

`FindingStore` keeps the findings in import order (a finding's position never changes,
so GetFindings can page by position) and indexes them by identity, Id and ProductArn,
so BatchImportFindings and BatchUpdateFindings find a finding in constant time.
Findings are never removed one by one: DisableSecurityHub drops them all, which moto
does by assigning a new list to `backend.findings`; the `findings` property installed
on the backend turns any assigned list into a store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from moto.securityhub.models import Finding, SecurityHubBackend


class FindingStore:
    """Findings in import order, indexed by (Id, ProductArn)."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self.ordered: list[Finding] = []
        self.index: dict[tuple[str, Any], Finding] = {}
        for finding in findings:
            self.append(finding)

    def append(self, finding: Finding) -> None:
        """Adds a finding whose identity is not stored yet."""
        self.index[(finding.id, finding.data.get("ProductArn"))] = finding
        self.ordered.append(finding)

    def find(self, finding_id: str, product_arn: str) -> Finding | None:
        """The finding with this identity, if any."""
        return self.index.get((finding_id, product_arn))

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.ordered)

    def __len__(self) -> int:
        return len(self.ordered)

    def __getitem__(self, position: int) -> Finding:
        return self.ordered[position]


def get_findings_store(backend: SecurityHubBackend) -> FindingStore:
    """The backend's store."""
    return backend.__dict__["hubfix_findings"]


def set_findings_store(backend: SecurityHubBackend, findings: Iterable[Finding]) -> None:
    """Replaces the backend's findings (moto assigns a list on creation and on disable)."""
    backend.__dict__["hubfix_findings"] = findings if isinstance(findings, FindingStore) else FindingStore(findings)


def install() -> None:
    """Makes `SecurityHubBackend.findings` a FindingStore."""
    SecurityHubBackend.findings = property(get_findings_store, set_findings_store,
                                           doc="The backend's findings (a FindingStore).")
