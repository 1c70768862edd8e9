"""Service control policies enforced, which moto 5.2.5 never does, for the calls an
organisation's Security Hub foundation is about: Security Hub and AWS Config.

A request signed by an account of an organisation (never its management account: SCPs
do not apply to it) is refused when a `Deny` statement of an SCP attached to the
account, to an OU above it or to the root matches it, as AWS refuses it: Security Hub
answers HTTP 403 `AccessDeniedException`, Config HTTP 400 `AccessDeniedException`, each
saying an explicit deny in a service control policy refused it.

A statement matches when its `Action` (or, with `NotAction`, no action of it) matches
the call's `<service>:<Operation>` (wildcards `*` and `?`, case-insensitive) and its
`Condition` holds. Conditions understood: `ArnLike`, `ArnNotLike`, `StringLike`,
`StringNotLike`, `StringEquals`, `StringNotEquals` on `aws:PrincipalARN` (an assumed
role's principal ARN is the role's ARN, as in IAM) and `aws:PrincipalAccount`; a
statement with any other condition is not applied (and a warning is logged). `Allow`
statements are not evaluated: every target keeps AWS's `FullAWSAccess`, as moto attaches
it.

The call's operation is the AWS model's: the `X-Amz-Target` header for Config (JSON
1.1), the HTTP method and path matched against botocore's model for Security Hub
(REST-JSON).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

import botocore.session
from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends

from . import iam

LOG = logging.getLogger(__name__)
SERVICES = ("securityhub", "config")
CONDITIONS = {"arnlike", "arnnotlike", "stringlike", "stringnotlike", "stringequals", "stringnotequals"}
CREDENTIAL = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def rest_operations(service: str) -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operation) of a REST service's model, literal paths first."""
    model = botocore.session.get_session().get_service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = http["requestUri"].split("?")[0]
        literal = len(re.sub(r"\{[^}]+\}", "", path))
        pattern = "^" + re.sub(r"\{[^}]+\+\}", ".+", re.sub(r"\{[^}+]+\}", "[^/]+", path)) + "/?$"
        routes.append((literal, http["method"], re.compile(pattern), name))
    routes.sort(key=lambda r: -r[0])
    return [(method, pattern, name) for _, method, pattern, name in routes]


SECURITYHUB_ROUTES: list[tuple[str, re.Pattern[str], str]] = []


def operation(environ: dict[str, Any], service: str) -> str | None:
    """The AWS operation a request calls."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if service == "securityhub":
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        for route_method, pattern, name in SECURITYHUB_ROUTES:
            if route_method == method and pattern.match(path):
                return name
    return None


def principal(access_key: str) -> tuple[str, str]:
    """(account, principal ARN) of an access key: an assumed role's key is the role."""
    account = iam.get_account_id_from(access_key)
    for backend in (dict.get(iam_backends, account) or {}).values():
        key = backend.access_keys.get(access_key) if hasattr(backend, "access_keys") else None
        role = getattr(key, "role_arn", None) if key is not None else None
        if role:
            return account, role
    return account, f"arn:aws:iam::{account}:root"


def policies_over(account: str) -> list[Any]:
    """The SCPs that apply to an account: its own, its OUs' and the root's."""
    owner = organizations_backends.master_accounts.get(account)
    if owner is None or owner[0] == account:
        return []
    backend = organizations_backends[owner[0]][owner[1]]
    found = next((a for a in backend.accounts if a.id == account), None)
    if found is None:
        return []
    policies = list(found.attached_policies)
    parent = found.parent_id
    while parent:
        node = next((ou for ou in backend.ou if ou.id == parent), None)
        if node is None:
            break
        policies.extend(node.attached_policies)
        parent = getattr(node, "parent_id", None) if node.id != backend.org.root_id else None
    return [p for p in policies if p.type == "SERVICE_CONTROL_POLICY"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool | None:
    """Whether a statement's conditions hold; None when one is not understood."""
    for operator, tests in condition.items():
        op = operator.lower()
        if op not in CONDITIONS or not isinstance(tests, dict):
            return None
        for key, patterns in tests.items():
            value = context.get(key.lower())
            if value is None:
                return None
            patterns = [str(p) for p in as_list(patterns)]
            if op.endswith("like"):
                matched = any(fnmatch.fnmatchcase(value, p) for p in patterns)
            else:
                matched = value in patterns
            if op.startswith(("arnnot", "stringnot")):
                matched = not matched
            if not matched:
                return False
    return True


def denied_by(policies: Iterable[Any], action: str, context: dict[str, str]) -> str | None:
    """The name of the first SCP whose Deny statement matches, if any."""
    for policy in policies:
        try:
            document = json.loads(policy.content)
        except (TypeError, json.JSONDecodeError):
            continue
        for statement in as_list(document.get("Statement", [])):
            if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
                continue
            match = lambda patterns: any(fnmatch.fnmatch(action.lower(), str(p).lower()) for p in as_list(patterns))
            if "Action" in statement:
                applies = match(statement["Action"])
            else:
                applies = "NotAction" in statement and not match(statement["NotAction"])
            if not applies:
                continue
            holds = condition_holds(statement.get("Condition", {}), context)
            if holds is None:
                LOG.warning("SCP %s: a condition the emulator does not evaluate; statement not applied", policy.name)
                continue
            if holds:
                return policy.name
    return None


def refusal(service: str, message: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """The AccessDeniedException each protocol answers."""
    if service == "securityhub":
        body = json.dumps({"message": message}).encode()
        return "403 Forbidden", [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")], body
    body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
    return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")], body


def middleware(app: Callable) -> Callable:
    """Refuses the calls an SCP denies; passes everything else to `app`."""

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        found = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        if found and found.group(3) in SERVICES and organizations_backends.master_accounts:
            service = found.group(3)
            account, arn = principal(found.group(1))
            policies = policies_over(account)
            name = operation(environ, service) if policies else None
            if name:
                context = {"aws:principalarn": arn, "aws:principalaccount": account}
                policy = denied_by(policies, f"{service}:{name}", context)
                if policy:
                    status, headers, body = refusal(
                        service,
                        f"User: {arn} is not authorized to perform: {service}:{name} with an explicit deny in a service control policy ({policy})",
                    )
                    start_response(status, headers + [("Content-Length", str(len(body)))])
                    return [body]
        return app(environ, start_response)

    return wsgi


def install() -> None:
    """Reads Security Hub's routes from the AWS model once."""
    if not SECURITYHUB_ROUTES:
        SECURITYHUB_ROUTES.extend(rest_operations("securityhub"))
