"""GetFindings: Filters applied before paging, pages found by position.

A NextToken carries the position in the store (import order) where the next page's
search starts, and a digest of the request's Filters and SortCriteria: a token is
refused (InvalidInputException) with other filters, as moto's paginator refuses it.
A page scans from its position until it has MaxResults findings, then on to the next
match, whose position becomes the NextToken (none when there is no further match, so
the last page is never empty). Draining every page is therefore one pass over the
store, whatever the filters and page size.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
from typing import Any

from moto.securityhub.models import SecurityHubBackend

from . import filters as finding_filters
from .errors import InvalidInput

MAX_RESULTS = 100


def digest(filters: Any, sort_criteria: Any) -> str:
    """What a NextToken is bound to: the request's Filters and SortCriteria."""
    text = json.dumps([filters, sort_criteria], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(position: int, bound_to: str) -> str:
    """A NextToken for the page starting at `position`."""
    raw = json.dumps({"position": position, "request": bound_to}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token: str, bound_to: str) -> int:
    """The position a NextToken starts at; InvalidInput if it is not one of ours."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        position = data["position"]
        valid = isinstance(position, int) and position >= 0 and data["request"] == bound_to
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):
        valid = False
    if not valid:
        raise InvalidInput("NextToken is not valid for this request")
    return position


def get_findings(backend: SecurityHubBackend, filters: Any, sort_criteria: Any, max_results: Any,
                 next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of findings passing `filters`, in import order, and the next page's token.
    Call under the extension's lock."""
    if max_results is None:
        max_results = MAX_RESULTS
    if not isinstance(max_results, int) or isinstance(max_results, bool) or not 1 <= max_results <= MAX_RESULTS:
        raise InvalidInput(f"MaxResults must be an integer from 1 to {MAX_RESULTS}")
    passes = finding_filters.predicate(finding_filters.validate(filters))
    bound_to = digest(filters, sort_criteria)
    position = decode_token(next_token, bound_to) if next_token else 0
    store = backend.findings
    page: list[dict[str, Any]] = []
    while position < len(store):
        data = store[position].data
        if passes(data):
            if len(page) == max_results:
                return page, encode_token(position, bound_to)
            page.append(copy.deepcopy(data))
        position += 1
    return page, None
