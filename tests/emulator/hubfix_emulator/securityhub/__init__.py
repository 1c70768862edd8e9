"""Security Hub APIs moto 5.2.5 lacks or simplifies, following the AWS API reference.

Added: BatchUpdateFindings (`updates`), CreateActionTarget, DescribeActionTargets,
UpdateActionTarget and DeleteActionTarget (`action_targets`), DescribeStandards,
BatchEnableStandards, BatchDisableStandards and GetEnabledStandards (`standards`).
Changed: GetFindings applies its Filters (`filters`) and pages by position (`search`),
BatchImportFindings validates its input, keeps what customers own and applies the
automatic workflow transitions (`imports`), findings are indexed by identity (`store`),
and EnableSecurityHub/DisableSecurityHub turn the default standards on and every
standard off (`standards`). For organisation-scale benchmarks: API quotas and call
counts (`quotas`), the Imported events Security Hub would send (`outbox`) and findings
aggregated into an administrator's hub (`seed`), driven through admin endpoints, as is
Security Hub's next check of the controls hubfix's demo fixes (`evaluate`, `checks`).

This module only wires them into moto: URL paths, response methods, backend methods
and the admin routes.
`install()` must run before moto's server app is built.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.securityhub import urls
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse

from .. import admin
from . import action_targets, evaluate, imports, outbox, quotas, search, seed, standards, store, updates
from .errors import LOCK, InvalidInput

URL_PATHS = (
    r"{0}/findings/batchupdate$",
    r"{0}/actionTargets$",
    r"{0}/actionTargets/get$",
    r"{0}/actionTargets/(?P<ActionTargetArn>.+)$",
    r"{0}/standards$",
    r"{0}/standards/get$",
    r"{0}/standards/register$",
    r"{0}/standards/deregister$",
)

# The admin endpoints (`/_hubfix/securityhub/...`).
ADMIN_ROUTES: dict[admin.Route, admin.Handler] = {**quotas.ROUTES, **outbox.ROUTES, **seed.ROUTES, **evaluate.ROUTES}


def get_findings(self: SecurityHubBackend, filters: Any = None, sort_criteria: Any = None,
                 max_results: Any = None, next_token: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """GetFindings with Filters applied before paging (see `search`). SortCriteria is
    accepted and ignored."""
    with LOCK:
        return search.get_findings(self, filters, sort_criteria, max_results, next_token)


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


def describe_standards(self: SecurityHubResponse) -> str:
    """DescribeStandards: MaxResults and NextToken come in the query string."""
    query = {k: v[0] for k, v in self.querystring.items() if v}
    with LOCK:
        return json.dumps(standards.describe_standards(self.securityhub_backend, query))


moto_enable_security_hub = SecurityHubBackend.enable_security_hub
moto_disable_security_hub = SecurityHubBackend.disable_security_hub


def enable_security_hub(self: SecurityHubBackend, enable_default_standards: bool = True,
                        tags: dict[str, str] | None = None) -> dict[str, Any]:
    """EnableSecurityHub; with EnableDefaultStandards (the default) the default standards
    are enabled too, as Security Hub does."""
    with LOCK:
        first = not self.enabled
        out = moto_enable_security_hub(self, enable_default_standards=enable_default_standards, tags=tags)
        if first and enable_default_standards is not False:
            standards.enable_defaults(self)
        return out


def disable_security_hub(self: SecurityHubBackend) -> dict[str, Any]:
    """DisableSecurityHub, which disables every standard too."""
    with LOCK:
        out = moto_disable_security_hub(self)
        standards.disable_all(self)
        return out


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
    store.install()
    quotas.install()
    for path in URL_PATHS:
        urls.url_paths[path] = SecurityHubResponse.dispatch
    SecurityHubBackend.get_findings = get_findings
    SecurityHubBackend.batch_import_findings = batch_import_findings
    SecurityHubBackend.enable_security_hub = enable_security_hub
    SecurityHubBackend.disable_security_hub = disable_security_hub
    SecurityHubResponse.batch_update_findings = body_handler(updates.batch_update_findings)
    SecurityHubResponse.create_action_target = body_handler(action_targets.create_action_target)
    SecurityHubResponse.describe_action_targets = body_handler(action_targets.describe_action_targets)
    SecurityHubResponse.update_action_target = arn_handler(action_targets.update_action_target, with_body=True)
    SecurityHubResponse.delete_action_target = arn_handler(action_targets.delete_action_target, with_body=False)
    SecurityHubResponse.describe_standards = describe_standards
    SecurityHubResponse.batch_enable_standards = body_handler(standards.batch_enable_standards)
    SecurityHubResponse.batch_disable_standards = body_handler(standards.batch_disable_standards)
    SecurityHubResponse.get_enabled_standards = body_handler(standards.get_enabled_standards)
