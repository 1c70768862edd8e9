"""Security Hub APIs moto 5.2.5 lacks or simplifies, following the AWS API reference.

Added: BatchUpdateFindings (`updates`), CreateActionTarget, DescribeActionTargets,
UpdateActionTarget and DeleteActionTarget (`action_targets`). Changed: GetFindings
applies its Filters (`filters`) and BatchImportFindings validates its input, keeps what
customers own and applies the automatic workflow transitions (`imports`).

This module only wires them into moto: URL paths, response methods and backend methods.
`install()` must run before moto's server app is built.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import InvalidToken
from moto.securityhub import urls
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse
from moto.utilities.paginator import paginate

from . import action_targets, imports, updates
from . import filters as finding_filters
from .errors import LOCK, InvalidInput

URL_PATHS = (
    r"{0}/findings/batchupdate$",
    r"{0}/actionTargets$",
    r"{0}/actionTargets/get$",
    r"{0}/actionTargets/(?P<ActionTargetArn>.+)$",
)
MAX_RESULTS = 100
PAGINATION = {
    "matching_findings": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": MAX_RESULTS,
        "unique_attribute": ["Id", "ProductArn"],
        "fail_on_invalid_token": True,
    },
}


@paginate(pagination_model=PAGINATION)
def matching_findings(backend: SecurityHubBackend, active: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Copies of the stored findings that pass validated filters, in import order."""
    return [copy.deepcopy(f.data) for f in backend.findings if finding_filters.matches(f.data, active)]


def get_findings(self: SecurityHubBackend, filters: Any = None, sort_criteria: Any = None,
                 max_results: Any = None, next_token: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """GetFindings with Filters applied before paging. SortCriteria is accepted and ignored."""
    if max_results is not None and (not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS):
        raise InvalidInput(f"MaxResults must be an integer from 1 to {MAX_RESULTS}")
    active = finding_filters.validate(filters)
    with LOCK:
        try:
            return matching_findings(self, active=active, max_results=max_results, next_token=next_token)
        except InvalidToken:
            raise InvalidInput("NextToken is not valid for this request") from None


def batch_import_findings(self: SecurityHubBackend, findings: Any) -> tuple[int, int, list[dict[str, Any]]]:
    """BatchImportFindings (see `imports`), under the extension's lock."""
    with LOCK:
        return imports.batch_import_findings(self, findings)


def request_body(response: SecurityHubResponse) -> dict[str, Any]:
    """The request's JSON body; InvalidInput if it is not a JSON object."""
    raw = response.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    try:
        body = json.loads(raw) if raw else {}
    except json.JSONDecodeError as err:
        raise InvalidInput(f"the request body is not JSON: {err}") from None
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object")
    return body


def target_arn(response: SecurityHubResponse) -> str:
    """The action target ARN in the request's path (`/actionTargets/{ActionTargetArn+}`)."""
    arn = (getattr(response, "uri_match", None) or {}).get("ActionTargetArn")
    if not arn:
        arn = response.parsed_url.path.split("/actionTargets/", 1)[1]
    return unquote(arn)


Handler = Callable[[SecurityHubBackend, dict[str, Any]], dict[str, Any]]
ResponseMethod = Callable[[SecurityHubResponse], str]


def body_handler(handler: Handler) -> ResponseMethod:
    """A response method that calls `handler(backend, body)` under the lock."""
    def method(self: SecurityHubResponse) -> str:
        body = request_body(self)
        with LOCK:
            return json.dumps(handler(self.securityhub_backend, body))
    method.__name__ = handler.__name__
    return method


def arn_handler(handler: Callable[..., dict[str, Any]], with_body: bool) -> ResponseMethod:
    """A response method that calls `handler(backend, arn[, body])` under the lock."""
    def method(self: SecurityHubResponse) -> str:
        args: list[Any] = [target_arn(self)] + ([request_body(self)] if with_body else [])
        with LOCK:
            return json.dumps(handler(self.securityhub_backend, *args))
    method.__name__ = handler.__name__
    return method


def install() -> None:
    """Registers the extension with moto; call before the server app is built."""
    for path in URL_PATHS:
        urls.url_paths[path] = SecurityHubResponse.dispatch
    SecurityHubBackend.get_findings = get_findings
    SecurityHubBackend.batch_import_findings = batch_import_findings
    SecurityHubResponse.batch_update_findings = body_handler(updates.batch_update_findings)
    SecurityHubResponse.create_action_target = body_handler(action_targets.create_action_target)
    SecurityHubResponse.describe_action_targets = body_handler(action_targets.describe_action_targets)
    SecurityHubResponse.update_action_target = arn_handler(action_targets.update_action_target, with_body=True)
    SecurityHubResponse.delete_action_target = arn_handler(action_targets.delete_action_target, with_body=False)
