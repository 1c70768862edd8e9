"""Security standards, which moto 5.2.5 lacks: DescribeStandards, BatchEnableStandards,
BatchDisableStandards and GetEnabledStandards, and the default standards that
EnableSecurityHub turns on.

Subscriptions are kept per account and region (on moto's per-account, per-region
backend), in the order they were enabled. A standard's ARN is
`arn:aws:securityhub:<region>::standards/<name>/v/<version>` (CIS 1.2.0, the oldest, is
`arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0`); its subscription
ARN is `arn:aws:securityhub:<region>:<account>:subscription/<name>/v/<version>`.

Security Hub sets up a standard's controls asynchronously: BatchEnableStandards answers
PENDING and BatchDisableStandards DELETING. The emulator has nothing to wait for, so a
later GetEnabledStandards shows an enabled standard READY and no longer lists a disabled
one.
"""

from __future__ import annotations

from typing import Any

from moto.securityhub.models import SecurityHubBackend

from .errors import InvalidInput, is_text

MAX_BATCH = 25
MAX_RESULTS = 100

# (path after the ARN's resource type, Name, EnabledByDefault); the ARN's resource type
# is `ruleset` for CIS 1.2.0 and `standards` for every other standard.
CATALOGUE = (
    ("aws-foundational-security-best-practices/v/1.0.0", "AWS Foundational Security Best Practices v1.0.0", True),
    ("cis-aws-foundations-benchmark/v/1.2.0", "CIS AWS Foundations Benchmark v1.2.0", True),
    ("cis-aws-foundations-benchmark/v/1.4.0", "CIS AWS Foundations Benchmark v1.4.0", False),
    ("cis-aws-foundations-benchmark/v/3.0.0", "CIS AWS Foundations Benchmark v3.0.0", False),
    ("cis-aws-foundations-benchmark/v/5.0.0", "CIS AWS Foundations Benchmark v5.0.0", False),
    ("pci-dss/v/3.2.1", "PCI DSS v3.2.1", False),
    ("pci-dss/v/4.0.1", "PCI DSS v4.0.1", False),
    ("nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5", False),
    ("nist-800-171/v/2.0.0", "NIST SP 800-171 Revision 2", False),
    ("aws-resource-tagging-standard/v/1.0.0", "AWS Resource Tagging Standard v1.0.0", False),
)
RULESETS = {"cis-aws-foundations-benchmark/v/1.2.0"}

Subscription = dict[str, Any]


def standard_arn(region: str, path: str) -> str:
    """The ARN of a standard in a region."""
    if path in RULESETS:
        return f"arn:aws:securityhub:::ruleset/{path}"
    return f"arn:aws:securityhub:{region}::standards/{path}"


def standards(region: str) -> list[dict[str, Any]]:
    """The standards available in a region, as DescribeStandards lists them."""
    return [
        {
            "StandardsArn": standard_arn(region, path),
            "Name": name,
            "Description": f"Security Hub's checks for {name}.",
            "EnabledByDefault": default,
            "StandardsManagedBy": {"Company": "AWS", "Product": "Security Hub"},
        }
        for path, name, default in CATALOGUE
    ]


def path_of(region: str, arn: Any) -> str:
    """The catalogue path of a standard's ARN; InvalidInput if no standard in this
    region has that ARN."""
    for path, _, _ in CATALOGUE:
        if arn == standard_arn(region, path):
            return path
    raise InvalidInput(f"StandardsArn {arn!r} is not a standard available in {region}; see DescribeStandards")


def path_of_any(arn: Any) -> str | None:
    """The catalogue path of a standard's ARN in any region, or None."""
    if not isinstance(arn, str):
        return None
    for marker in (":standards/", ":ruleset/"):
        if marker in arn:
            path = arn.split(marker, 1)[1]
            if any(path == p for p, _, _ in CATALOGUE):
                return path
    return None


def subscriptions_of(backend: SecurityHubBackend) -> dict[str, Subscription]:
    """The standards subscriptions of one account and region, by subscription ARN."""
    if not hasattr(backend, "hubfix_standards"):
        backend.hubfix_standards = {}
    return backend.hubfix_standards


def subscription_arn(backend: SecurityHubBackend, path: str) -> str:
    """The subscription ARN of a standard in the backend's account and region."""
    return f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:subscription/{path}"


def check_batch(items: Any, field: str) -> list[Any]:
    """A required list of 1 to 25 items."""
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise InvalidInput(f"{field} must be a list of 1 to {MAX_BATCH} items")
    return items


def check_input(standards_input: Any) -> dict[str, str]:
    """StandardsInput: a map of non-empty strings to non-empty strings."""
    if standards_input is None:
        return {}
    if not isinstance(standards_input, dict) or not all(
        is_text(k) and is_text(v) for k, v in standards_input.items()
    ):
        raise InvalidInput("StandardsInput must map non-empty strings to non-empty strings")
    return dict(standards_input)


def subscribe(backend: SecurityHubBackend, path: str, standards_input: dict[str, str]) -> Subscription:
    """Enables a standard (READY from now on); an enabled standard stays as it is."""
    subscriptions = subscriptions_of(backend)
    arn = subscription_arn(backend, path)
    if arn not in subscriptions:
        subscriptions[arn] = {
            "StandardsSubscriptionArn": arn,
            "StandardsArn": standard_arn(backend.region_name, path),
            "StandardsInput": standards_input,
            "StandardsStatus": "READY",
            "StandardsControlsUpdatable": "READY_FOR_UPDATES",
        }
    return subscriptions[arn]


def batch_enable_standards(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """BatchEnableStandards: 1-25 requests, each a known StandardsArn and an optional
    StandardsInput. Every request is checked before any standard is enabled."""
    requests = check_batch(body.get("StandardsSubscriptionRequests"), "StandardsSubscriptionRequests")
    checked = []
    for request in requests:
        if not isinstance(request, dict):
            raise InvalidInput("each StandardsSubscriptionRequest must be an object")
        checked.append((path_of(backend.region_name, request.get("StandardsArn")),
                        check_input(request.get("StandardsInput"))))
    enabled = []
    for path, standards_input in checked:
        answer = dict(subscribe(backend, path, standards_input))
        answer["StandardsStatus"] = "PENDING"
        enabled.append(answer)
    return {"StandardsSubscriptions": enabled}


def batch_disable_standards(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """BatchDisableStandards: 1-25 subscription ARNs of enabled standards."""
    arns = check_batch(body.get("StandardsSubscriptionArns"), "StandardsSubscriptionArns")
    subscriptions = subscriptions_of(backend)
    for arn in arns:
        if arn not in subscriptions:
            raise InvalidInput(f"StandardsSubscriptionArn {arn!r} is not an enabled standard of this account")
    disabled = []
    for arn in dict.fromkeys(arns):
        answer = dict(subscriptions.pop(arn))
        answer["StandardsStatus"] = "DELETING"
        disabled.append(answer)
    return {"StandardsSubscriptions": disabled}


def page(items: list[Any], max_results: Any, token: Any) -> tuple[list[Any], str | None]:
    """One page of `items` from NextToken and MaxResults (1-100, default 100)."""
    size = MAX_RESULTS if max_results is None else max_results
    if isinstance(size, str) and size.isdigit():
        size = int(size)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_RESULTS:
        raise InvalidInput(f"MaxResults must be an integer from 1 to {MAX_RESULTS}")
    start = 0
    if token is not None:
        if not isinstance(token, str) or not token.isdigit() or int(token) > len(items):
            raise InvalidInput("NextToken is not valid")
        start = int(token)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def get_enabled_standards(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """GetEnabledStandards: every enabled standard, or those whose subscription ARNs
    (1-25) are given, a page at a time."""
    subscriptions = subscriptions_of(backend)
    wanted = body.get("StandardsSubscriptionArns")
    if wanted is None:
        listed = list(subscriptions.values())
    else:
        check_batch(wanted, "StandardsSubscriptionArns")
        listed = [subscriptions[arn] for arn in dict.fromkeys(wanted) if arn in subscriptions]
    items, token = page(listed, body.get("MaxResults"), body.get("NextToken"))
    response: dict[str, Any] = {"StandardsSubscriptions": items}
    if token:
        response["NextToken"] = token
    return response


def describe_standards(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    """DescribeStandards: the standards available in the region, a page at a time
    (`MaxResults` and `NextToken` come in the query string)."""
    items, token = page(standards(backend.region_name), query.get("MaxResults"), query.get("NextToken"))
    response: dict[str, Any] = {"Standards": items}
    if token:
        response["NextToken"] = token
    return response


def enable_defaults(backend: SecurityHubBackend) -> None:
    """Enables the standards Security Hub enables by default (EnableSecurityHub with
    EnableDefaultStandards left true)."""
    for path, _, default in CATALOGUE:
        if default:
            subscribe(backend, path, {})


def disable_all(backend: SecurityHubBackend) -> None:
    """Disabling Security Hub disables every standard."""
    subscriptions_of(backend).clear()
