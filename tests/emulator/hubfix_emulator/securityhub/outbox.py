"""The `Security Hub Findings - Imported` events Security Hub would send to EventBridge.

Security Hub sends one event per finding for every finding that BatchImportFindings
creates or updates and every finding that BatchUpdateFindings changes (so a
remediator's own updates come back to it). When the outbox is on, the emulator appends
such an event for every finding BatchImportFindings, BatchUpdateFindings or the seed
endpoint stores, shaped as EventBridge delivers it (User Guide, "EventBridge event
formats for Security Hub CSPM",
https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html):

    {"version": "0", "id": <uuid>, "detail-type": "Security Hub Findings - Imported",
     "source": "aws.securityhub", "account": <hub account>, "time": <UTC, seconds>,
     "region": <hub Region>, "resources": [<finding Id>],
     "detail": {"findings": [<the finding as GetFindings returns it after the change>]}}

Events are kept encoded, oldest first, until drained. The outbox is off by default.
"""

from __future__ import annotations

import collections
import datetime
import json
import threading
import uuid
from typing import Any

from moto.securityhub.models import SecurityHubBackend

from ..admin import AdminError, Handler, Route

DETAIL_TYPE = "Security Hub Findings - Imported"
DEFAULT_DRAIN = 1000


def event_time() -> str:
    """An EventBridge event time: RFC 3339, UTC, whole seconds."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Outbox:
    """Encoded events, oldest first (thread safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.enabled = False
        self.events: collections.deque[bytes] = collections.deque()

    def record(self, backend: SecurityHubBackend, finding: dict[str, Any]) -> None:
        """Appends the event for a finding just stored in `backend`'s hub, if on."""
        if not self.enabled:
            return
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": DETAIL_TYPE,
            "source": "aws.securityhub",
            "account": backend.account_id,
            "time": event_time(),
            "region": backend.region_name,
            "resources": [finding["Id"]],
            "detail": {"findings": [finding]},
        }
        encoded = json.dumps(event).encode()
        with self.lock:
            self.events.append(encoded)

    def drain(self, limit: int) -> bytes:
        """Removes up to `limit` of the oldest events; the encoded drain answer."""
        with self.lock:
            taken = [self.events.popleft() for _ in range(min(limit, len(self.events)))]
            remaining = len(self.events)
        return b'{"events": [' + b", ".join(taken) + b'], "remaining": ' + str(remaining).encode() + b"}"

    def state(self) -> dict[str, Any]:
        """Whether the outbox is on and how many events wait in it."""
        with self.lock:
            return {"enabled": self.enabled, "remaining": len(self.events)}


OUTBOX = Outbox()


def set_outbox(body: dict[str, Any]) -> dict[str, Any]:
    """POST /_hubfix/securityhub/outbox `{"enabled": bool}`; events already recorded stay."""
    if not isinstance(body.get("enabled"), bool):
        raise AdminError("enabled must be true or false")
    OUTBOX.enabled = body["enabled"]
    return OUTBOX.state()


def get_outbox(_: dict[str, Any]) -> dict[str, Any]:
    """GET /_hubfix/securityhub/outbox."""
    return OUTBOX.state()


def drain(body: dict[str, Any]) -> bytes:
    """POST /_hubfix/securityhub/outbox/drain `{"max": n}` (default 1000)."""
    limit = body.get("max", DEFAULT_DRAIN)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise AdminError("max must be a positive integer")
    return OUTBOX.drain(limit)


ROUTES: dict[Route, Handler] = {
    ("POST", "/_hubfix/securityhub/outbox"): set_outbox,
    ("GET", "/_hubfix/securityhub/outbox"): get_outbox,
    ("POST", "/_hubfix/securityhub/outbox/drain"): drain,
}
