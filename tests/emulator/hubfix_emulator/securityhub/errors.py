"""Security Hub's error types and the small helpers every operation shares."""

from __future__ import annotations

import datetime
import threading
from typing import Any

from moto.core.exceptions import ServiceException

# moto's server is threaded and its Security Hub backend has no locks of its own: every
# operation the extension adds or replaces runs under this lock.
LOCK = threading.RLock()


class InvalidInput(ServiceException):
    """The request is malformed (HTTP 400, from the API model)."""

    code = "InvalidInputException"


class ResourceConflict(ServiceException):
    """The resource already exists (HTTP 409)."""

    code = "ResourceConflictException"


class ResourceNotFound(ServiceException):
    """No such resource (HTTP 404)."""

    code = "ResourceNotFoundException"


def now_iso() -> str:
    """The current time as Security Hub writes it: ISO 8601 UTC with milliseconds and Z."""
    stamp = datetime.datetime.now(datetime.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def parse_time(text: Any, field: str) -> datetime.datetime:
    """An ASFF timestamp as an aware datetime; InvalidInput naming `field` if it is not one."""
    if not isinstance(text, str):
        raise InvalidInput(f"{field} must be an ISO 8601 timestamp string")
    try:
        moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{field} is not a valid ISO 8601 timestamp: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def dig(data: Any, *path: str) -> Any:
    """The value at `path` in nested dicts, or None when any step is missing."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def is_text(value: Any) -> bool:
    """Whether a value satisfies the model's NonEmptyString (`.*\\S.*`)."""
    return isinstance(value, str) and bool(value.strip())


def is_ratio(value: Any) -> bool:
    """Whether a value is an integer from 0 to 100 (the model's RatioScale)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100
