"""Custom action targets, which moto 5.2.5 lacks: CreateActionTarget,
DescribeActionTargets, UpdateActionTarget and DeleteActionTarget.

Targets are kept per account and region (on moto's per-account, per-region backend).
The ARN is `arn:aws:securityhub:<region>:<account>:action/custom/<Id>`.
DescribeActionTargets lists the targets in creation order; given ActionTargetArns, it
lists those that exist, in the order asked (unknown ARNs are left out).
"""

from __future__ import annotations

import re
from typing import Any

from moto.securityhub.models import SecurityHubBackend

from .errors import InvalidInput, ResourceConflict, ResourceNotFound, is_text

MAX_NAME = 20
MAX_RESULTS = 100
TARGET_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")

Target = dict[str, str]


def targets_of(backend: SecurityHubBackend) -> dict[str, Target]:
    """The action targets of one account and region, by ARN."""
    if not hasattr(backend, "hubfix_action_targets"):
        backend.hubfix_action_targets = {}
    return backend.hubfix_action_targets


def check_name(name: Any) -> None:
    """Name: 1 to 20 characters."""
    if not is_text(name) or len(name) > MAX_NAME:
        raise InvalidInput(f"Name must be 1 to {MAX_NAME} characters")


def check_description(description: Any) -> None:
    """Description: a non-empty string."""
    if not is_text(description):
        raise InvalidInput("Description must be a non-empty string")


def create_action_target(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, str]:
    """CreateActionTarget: Name, Description and an Id of 1-20 alphanumeric characters."""
    check_name(body.get("Name"))
    check_description(body.get("Description"))
    ident = body.get("Id")
    if not isinstance(ident, str) or not TARGET_ID.match(ident):
        raise InvalidInput("Id must be 1 to 20 alphanumeric characters")
    arn = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:action/custom/{ident}"
    targets = targets_of(backend)
    if arn in targets:
        raise ResourceConflict(f"The action target {arn} already exists.")
    targets[arn] = {"ActionTargetArn": arn, "Name": body["Name"], "Description": body["Description"]}
    return {"ActionTargetArn": arn}


def page_bounds(body: dict[str, Any], total: int) -> tuple[int, int]:
    """(start, size) from NextToken and MaxResults (1-100, default 100)."""
    size = body.get("MaxResults", MAX_RESULTS)
    if not isinstance(size, int) or not 1 <= size <= MAX_RESULTS:
        raise InvalidInput(f"MaxResults must be an integer from 1 to {MAX_RESULTS}")
    token = body.get("NextToken")
    if token is None:
        return 0, size
    if not isinstance(token, str) or not token.isdigit() or int(token) > total:
        raise InvalidInput("NextToken is not valid")
    return int(token), size


def describe_action_targets(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeActionTargets: all targets, or the ones named, a page at a time."""
    targets = targets_of(backend)
    wanted = body.get("ActionTargetArns")
    if wanted is not None and not isinstance(wanted, list):
        raise InvalidInput("ActionTargetArns must be a list of ARNs")
    listed = [targets[arn] for arn in wanted if arn in targets] if wanted else list(targets.values())
    start, size = page_bounds(body, len(listed))
    response: dict[str, Any] = {"ActionTargets": listed[start:start + size]}
    if start + size < len(listed):
        response["NextToken"] = str(start + size)
    return response


def existing(backend: SecurityHubBackend, arn: str) -> Target:
    """The target with this ARN; ResourceNotFoundException if there is none."""
    target = targets_of(backend).get(arn)
    if target is None:
        raise ResourceNotFound(f"The action target {arn} does not exist.")
    return target


def update_action_target(backend: SecurityHubBackend, arn: str, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateActionTarget: a new Name and/or Description."""
    target = existing(backend, arn)
    if "Name" in body:
        check_name(body["Name"])
    if "Description" in body:
        check_description(body["Description"])
    target.update({k: body[k] for k in ("Name", "Description") if k in body})
    return {}


def delete_action_target(backend: SecurityHubBackend, arn: str) -> dict[str, str]:
    """DeleteActionTarget."""
    existing(backend, arn)
    del targets_of(backend)[arn]
    return {"ActionTargetArn": arn}
