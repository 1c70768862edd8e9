"""Security Hub's API quotas, as token buckets per account, Region and operation, and a
count of every call, so a benchmark can show it kept within them.

The quotas are the ones the Security Hub API Reference lists in its introduction
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html, "The following
throttling limits apply to Security Hub CSPM API operations"): BatchEnableStandards
1 request per second with a burst of 1; GetFindings 3, burst 6; BatchImportFindings and
BatchUpdateFindings 10, burst 30; UpdateStandardsControl 1, burst 5; every other
operation 10, burst 30. Earlier editions of that page gave the deprecated UpdateFindings
1, burst 5, kept here too.

A bucket holds up to `burst` tokens, starts full and refills at `rate` tokens a second;
a call takes one token, or, when there is none, is refused as Security Hub refuses it:
HTTP 429, `x-amzn-ErrorType: TooManyRequestsException`, body `{"__type":
"TooManyRequestsException", "message": "Rate exceeded"}`, which the AWS SDKs retry as
throttling. A refused call takes no token.

Quotas are off unless `HUBFIX_EMULATOR_QUOTAS=1` is set when the server starts, or
`POST /_hubfix/securityhub/quotas` turns them on. Calls are counted either way:
`GET /_hubfix/securityhub/calls`.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from moto.securityhub.responses import SecurityHubResponse

from ..admin import AdminError, Handler, Route

# Operation: (requests per second, burst). See the module docstring for the source.
REFERENCE_RATES: dict[str, tuple[float, int]] = {
    "BatchEnableStandards": (1, 1),
    "GetFindings": (3, 6),
    "BatchImportFindings": (10, 30),
    "BatchUpdateFindings": (10, 30),
    "UpdateStandardsControl": (1, 5),
    "UpdateFindings": (1, 5),
}
OTHER_OPERATIONS = (10, 30)
ENV = "HUBFIX_EMULATOR_QUOTAS"
THROTTLED_BODY = json.dumps({"__type": "TooManyRequestsException", "message": "Rate exceeded"})


class Bucket:
    """A token bucket: up to `burst` tokens, `rate` more every second."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), now

    def take(self, now: float) -> bool:
        """Takes a token if there is one."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Counts:
    """One operation's calls in one account and Region."""

    def __init__(self) -> None:
        self.total = 0
        self.throttled = 0
        self.per_second: dict[int, int] = {}

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "throttled": self.throttled,
                "per_second": {str(second): n for second, n in sorted(self.per_second.items())}}


class Quotas:
    """The buckets, the configuration and the call counts (thread safe)."""

    def __init__(self, enabled: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.Lock()
        self.clock = clock
        self.enabled = enabled
        self.overrides: dict[str, tuple[float, int]] = {}
        self.buckets: dict[tuple[str, str, str], Bucket] = {}
        self.counts: dict[tuple[str, str, str], Counts] = {}

    def rate(self, operation: str) -> tuple[float, int]:
        """An operation's (rate, burst)."""
        return self.overrides.get(operation) or REFERENCE_RATES.get(operation) or OTHER_OPERATIONS

    def admit(self, operation: str, account: str, region: str) -> bool:
        """Counts a call; False if the quota refuses it."""
        key = (operation, account, region)
        with self.lock:
            counts = self.counts.get(key) or self.counts.setdefault(key, Counts())
            counts.total += 1
            if self.enabled:
                now = self.clock()
                bucket = self.buckets.get(key)
                if bucket is None:
                    bucket = self.buckets[key] = Bucket(*self.rate(operation), now)
                if not bucket.take(now):
                    counts.throttled += 1
                    return False
            second = int(time.time())
            counts.per_second[second] = counts.per_second.get(second, 0) + 1
            return True

    def configure(self, enabled: bool, rates: dict[str, tuple[float, int]]) -> None:
        """Sets the whole configuration; every bucket starts full again."""
        with self.lock:
            self.enabled, self.overrides = enabled, dict(rates)
            self.buckets.clear()

    def configuration(self) -> dict[str, Any]:
        """What `GET /_hubfix/securityhub/quotas` answers."""
        with self.lock:
            rates = {**REFERENCE_RATES, **self.overrides}
            return {"enabled": self.enabled, "rates": {op: list(r) for op, r in sorted(rates.items())},
                    "other_operations": list(OTHER_OPERATIONS)}

    def report(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every call so far: operation -> "account/region" -> counts."""
        with self.lock:
            out: dict[str, dict[str, dict[str, Any]]] = {}
            for (operation, account, region), counts in sorted(self.counts.items()):
                out.setdefault(operation, {})[f"{account}/{region}"] = counts.as_json()
            return out

    def reset_counts(self) -> None:
        """Forgets every call counted so far."""
        with self.lock:
            self.counts.clear()


QUOTAS = Quotas(enabled=os.environ.get(ENV) == "1")


# ------------------------------------------------------------------- admin endpoints


def parse_rates(rates: Any) -> dict[str, tuple[float, int]]:
    """`{"<Operation>": [rate, burst], ...}`: rate > 0, burst an integer >= 1."""
    if rates is None:
        return {}
    if not isinstance(rates, dict):
        raise AdminError("rates must map operation names to [rate, burst]")
    parsed: dict[str, tuple[float, int]] = {}
    for operation, pair in rates.items():
        valid = (isinstance(pair, list) and len(pair) == 2
                 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in pair)
                 and pair[0] > 0 and isinstance(pair[1], int) and pair[1] >= 1)
        if not operation or not valid:
            raise AdminError(f"rates[{operation!r}] must be [rate > 0, integer burst >= 1]")
        parsed[operation] = (pair[0], pair[1])
    return parsed


def set_quotas(body: dict[str, Any]) -> dict[str, Any]:
    """POST /_hubfix/securityhub/quotas `{"enabled": bool, "rates": {...}}`."""
    if not isinstance(body.get("enabled"), bool):
        raise AdminError("enabled must be true or false")
    QUOTAS.configure(body["enabled"], parse_rates(body.get("rates")))
    return QUOTAS.configuration()


def get_quotas(_: dict[str, Any]) -> dict[str, Any]:
    """GET /_hubfix/securityhub/quotas."""
    return QUOTAS.configuration()


def get_calls(_: dict[str, Any]) -> dict[str, Any]:
    """GET /_hubfix/securityhub/calls."""
    return QUOTAS.report()


def reset_calls(_: dict[str, Any]) -> dict[str, Any]:
    """POST /_hubfix/securityhub/calls/reset."""
    QUOTAS.reset_counts()
    return {}


ROUTES: dict[Route, Handler] = {
    ("POST", "/_hubfix/securityhub/quotas"): set_quotas,
    ("GET", "/_hubfix/securityhub/quotas"): get_quotas,
    ("GET", "/_hubfix/securityhub/calls"): get_calls,
    ("POST", "/_hubfix/securityhub/calls/reset"): reset_calls,
}


# ------------------------------------------------------------------- enforcement


moto_call_action = SecurityHubResponse.call_action


def call_action(self: SecurityHubResponse) -> tuple[int, dict[str, str], str]:
    """moto's dispatch of a Security Hub operation, counted and under the quotas."""
    operation = self._get_action()
    if operation and not QUOTAS.admit(operation, self.current_account, self.region):
        headers = {**self.response_headers, "Content-Type": "application/json",
                   "x-amzn-ErrorType": "TooManyRequestsException"}
        return 429, headers, THROTTLED_BODY
    return moto_call_action(self)


def install() -> None:
    """Counts and, when on, throttles every Security Hub operation."""
    SecurityHubResponse.call_action = call_action
