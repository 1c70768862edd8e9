"""ELBv2: DescribeTargetGroups pages its answer; DeregisterTargets of a target that is
not registered changes nothing.

The API reference: `PageSize` (1-400) is the most target groups one call returns, and
`NextMarker`, when there are more, is the `Marker` of the call that returns the next
page. moto 5.2.5 ignores both and answers every target group at once, so a caller's
paging is never exercised. This pages moto's list (sorted by name, names being unique in
a Region): the marker is the name of a page's last group, and the next page starts with
the first group after it by name, so a group deleted between pages does not break the
walk. Without `PageSize` a page holds up to 400 groups.

DeregisterTargets: a target is its id and port, the port being the group's unless given
("If you specified a port override when you registered a target, you must specify both
the target ID and the port when you deregister it"). Deregistering an instance that is
not registered on that port is accepted and changes nothing, as ELB answers; moto 5.2.5
failed it with `InvalidTarget` and deregistered an instance whatever port was given. An
instance that does not exist is still `InvalidTarget`. (An instance taken out of service
by Auto Scaling is already deregistered when a caller deregisters it too.)
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.elbv2.exceptions import InvalidTargetError, ValidationError
from moto.elbv2.models import FakeTargetGroup
from moto.elbv2.responses import ELBV2Response

MAX_PAGE_SIZE = 400


def describe_target_groups(self: ELBV2Response) -> ActionResult:
    """DescribeTargetGroups, one page of at most `PageSize` groups from `Marker` on."""
    page_size = self._get_int_param("PageSize", MAX_PAGE_SIZE)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"1 validation error detected: Value '{page_size}' at 'pageSize' failed to satisfy "
            f"constraint: Member must have value between 1 and {MAX_PAGE_SIZE}"
        )
    groups = list(self.elbv2_backend.describe_target_groups(
        self._get_param("LoadBalancerArn"), self._get_param("TargetGroupArns", []), self._get_param("Names", [])
    ))
    marker = self._get_param("Marker")
    if marker:
        groups = [g for g in groups if g.name > marker]
    page = groups[:page_size]
    result = {"TargetGroups": page}
    if len(groups) > page_size:
        result["NextMarker"] = page[-1].name
    return ActionResult(result)


def deregister(self: FakeTargetGroup, targets: list[dict[str, Any]]) -> None:
    """Deregisters each target registered with that id and port (the group's port unless
    given); one that is not is left as it is."""
    for target in targets:
        target_id = target["Id"]
        if target_id.startswith("i-") and self.ec2_backend.get_instance_by_id(target_id) is None:
            raise InvalidTargetError()
        registered = self.targets.get(target_id)
        port = target.get("Port") or self.port
        if registered is not None and str(registered["Port"]) == str(port):
            self.deregistered_targets[target_id] = self.targets.pop(target_id)


def install() -> None:
    """Registers the ELBv2 fixes with moto."""
    ELBV2Response.describe_target_groups = describe_target_groups
    FakeTargetGroup.deregister = deregister
