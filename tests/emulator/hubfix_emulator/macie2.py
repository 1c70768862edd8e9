"""Macie's UpdateMacieSession, and GetMacieSession's timestamps.

moto 5.2.5 enables, reads and disables a Macie session but has no UpdateMacieSession
(`PATCH /macie`), with which Macie is paused and resumed (Macie API Reference,
UpdateMacieSession: `status` `ENABLED` or `PAUSED`, `findingPublishingFrequency`).
This adds it; an account without a session answers `ResourceNotFoundException`, as
moto's GetMacieSession does. moto's GetMacieSession also answers `createdAt` and
`updatedAt` without a time zone, which the API's `timestampFormat: iso8601` does not
allow (the AWS SDK for Rust refuses the answer); they are answered in UTC with `Z`.
"""

from __future__ import annotations

import json

from moto.core.exceptions import JsonRESTError
from moto.core.utils import utcnow
from moto.macie2.responses import MacieResponse

STATUSES = ("ENABLED", "PAUSED")
FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")


def update_macie_session(self: MacieResponse) -> str:
    """UpdateMacieSession: the session's status and publishing frequency."""
    session = self.macie_backend.macie_session
    if not session:
        raise JsonRESTError(
            "ResourceNotFoundException",
            "The request failed because the specified resource doesn't exist.",
        )
    status = self._get_param("status")
    frequency = self._get_param("findingPublishingFrequency")
    if status is not None and status not in STATUSES or frequency is not None and frequency not in FREQUENCIES:
        raise JsonRESTError("ValidationException", "The request failed because it contains a syntax error.")
    if status is not None:
        session["status"] = status
    if frequency is not None:
        session["findingPublishingFrequency"] = frequency
    session["updatedAt"] = utcnow()
    return "{}"


def get_macie_session(self: MacieResponse) -> str:
    """GetMacieSession, with its timestamps in UTC (`...Z`)."""
    answer = self.macie_backend.get_macie_session()
    session = self.macie_backend.macie_session or {}
    for key in ("createdAt", "updatedAt"):
        if key in session:
            answer[key] = session[key].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return json.dumps(answer)


def install() -> None:
    """Registers UpdateMacieSession and the timestamp fix with moto."""
    MacieResponse.update_macie_session = update_macie_session
    MacieResponse.get_macie_session = get_macie_session
