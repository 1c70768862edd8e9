"""Athena's UpdateWorkGroup, and GetWorkGroup of a workgroup that does not exist.

moto 5.2.5 creates, gets and deletes workgroups but has no UpdateWorkGroup, and answers
GetWorkGroup of an unknown name with `{"WorkGroup": null}`. hubfix turns a workgroup's
CloudWatch metrics on and off (Athena API Reference, UpdateWorkGroup,
`ConfigurationUpdates.PublishCloudWatchMetricsEnabled`). This adds UpdateWorkGroup for
the configuration's flags, the description and the state, and answers an unknown
workgroup with `InvalidRequestException`, as Athena does.
"""

from __future__ import annotations

from typing import Any

from moto.athena.responses import AthenaResponse
from moto.core.exceptions import JsonRESTError

#: The `ConfigurationUpdates` flags stored under their `Configuration` names.
FLAGS = (
    "EnforceWorkGroupConfiguration",
    "PublishCloudWatchMetricsEnabled",
    "RequesterPaysEnabled",
    "EnableMinimumEncryptionConfiguration",
)


def _unknown(name: str) -> JsonRESTError:
    return JsonRESTError("InvalidRequestException", f"WorkGroup {name} is not found.")


def update_work_group(self: AthenaResponse) -> str:
    """UpdateWorkGroup: the configuration flags, the description and the state."""
    name = self._get_param("WorkGroup")
    workgroup = self.athena_backend.work_groups.get(name)
    if workgroup is None:
        raise _unknown(name)
    updates: dict[str, Any] = self._get_param("ConfigurationUpdates") or {}
    for flag in FLAGS:
        if flag in updates:
            workgroup.configuration[flag] = bool(updates[flag])
    description = self._get_param("Description")
    if description is not None:
        workgroup.description = description
    state = self._get_param("State")
    if state in ("ENABLED", "DISABLED"):
        workgroup.state = state
    return "{}"


def with_unknown_workgroups(get_work_group: Any) -> Any:
    """Wraps moto's GetWorkGroup to refuse a workgroup that does not exist."""

    def wrapped(self: AthenaResponse) -> str:
        name = self._get_param("WorkGroup")
        if self.athena_backend.get_work_group(name) is None:
            raise _unknown(name)
        return get_work_group(self)

    return wrapped


def install() -> None:
    """Registers the Athena additions with moto."""
    AthenaResponse.update_work_group = update_work_group
    AthenaResponse.get_work_group = with_unknown_workgroups(AthenaResponse.get_work_group)
