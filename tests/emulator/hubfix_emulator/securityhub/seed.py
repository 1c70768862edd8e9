"""Findings aggregated into an administrator's hub, which moto cannot do by itself.

In an organisation, Security Hub's delegated administrator sees its members' findings
from every linked Region in its aggregation Region. `POST /_hubfix/securityhub/seed`
stands for that: `{"account": "<hub account>", "region": "<hub Region>", "findings":
[ASFF, ...]}` stores the findings in that account's hub in that Region exactly as
BatchImportFindings would (same validation, defaults and re-import rules, and an
outbox event per finding), but with no limit on their number, no quota, and whatever
their AwsAccountId. Answer: `{"imported": n, "failed": [FailedFindings entries]}`.
"""

from __future__ import annotations

import re
from typing import Any

from moto.securityhub.models import securityhub_backends

from ..admin import AdminError, Handler, Route
from . import imports
from .errors import LOCK

ACCOUNT_ID = re.compile(r"^\d{12}$")


def seed(body: dict[str, Any]) -> dict[str, Any]:
    """POST /_hubfix/securityhub/seed."""
    account, region, findings = body.get("account"), body.get("region"), body.get("findings")
    if not isinstance(account, str) or not ACCOUNT_ID.match(account):
        raise AdminError("account must be a 12-digit account id")
    if not isinstance(region, str) or region not in securityhub_backends[account]:
        raise AdminError("region must be a Region where Security Hub is available")
    if not isinstance(findings, list):
        raise AdminError("findings must be a list of ASFF findings")
    with LOCK:
        _, imported, failed = imports.import_findings(securityhub_backends[account][region], findings)
    return {"imported": imported, "failed": failed}


ROUTES: dict[Route, Handler] = {("POST", "/_hubfix/securityhub/seed"): seed}
