"""SSM service settings, which moto 5.2.5 does not have: GetServiceSetting,
UpdateServiceSetting and ResetServiceSetting (JSON 1.1, `X-Amz-Target:
AmazonSSM.<Operation>`), following the API reference.

Each account and region has the settings below at their AWS defaults until a call
updates them; `ResetServiceSetting` puts the default back. A setting the emulator does
not know is `ServiceSettingNotFound`, and a value outside a setting's allowed ones is a
`ValidationException`, as the service answers. Only the settings hubfix reads are
modelled: `/ssm/documents/console/public-sharing-permission` (`Enable`, the default,
lets documents be shared publicly; `Disable` blocks it; control SSM.7).
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any, Callable

from . import json_target
from .accessanalyzer import account_of
from .json_target import ApiError

PREFIX = "AmazonSSM."
OPERATIONS = {"GetServiceSetting", "UpdateServiceSetting", "ResetServiceSetting"}

#: Each known setting: its default and the values it accepts.
SETTINGS: dict[str, tuple[str, set[str]]] = {
    "/ssm/documents/console/public-sharing-permission": ("Enable", {"Enable", "Disable"}),
}


class ServiceSettings:
    """The settings of every account and region, as changed from their defaults."""

    def __init__(self) -> None:
        self.changed: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.lock = threading.Lock()

    def handle(self, operation: str, body: dict[str, Any], account: str, region: str, user: str) -> dict[str, Any]:
        setting_id = setting_path(body.get("SettingId"))
        if setting_id not in SETTINGS:
            raise ApiError("ServiceSettingNotFound", f"Setting {body.get('SettingId')} is not found.")
        default, allowed = SETTINGS[setting_id]
        key = (account, region, setting_id)
        with self.lock:
            if operation == "UpdateServiceSetting":
                value = body.get("SettingValue")
                if value not in allowed:
                    raise ApiError("ValidationException", f"SettingValue must be one of {sorted(allowed)}")
                self.changed[key] = {"value": value, "modified": now(), "user": user, "status": "Customized"}
                return {}
            if operation == "ResetServiceSetting":
                self.changed.pop(key, None)
            state = self.changed.get(key, {"value": default, "modified": 0, "user": "System", "status": "Default"})
            return {"ServiceSetting": {
                "SettingId": setting_id,
                "SettingValue": state["value"],
                "LastModifiedDate": state["modified"],
                "LastModifiedUser": state["user"],
                "ARN": f"arn:aws:ssm:{region}:{account}:servicesetting{setting_id}",
                "Status": state["status"],
            }}


def setting_path(setting_id: Any) -> str:
    """The setting's path, from the path or the setting's ARN."""
    text = setting_id if isinstance(setting_id, str) else ""
    marker = ":servicesetting"
    return text.split(marker, 1)[1] if marker in text else text


def now() -> float:
    return datetime.now(timezone.utc).timestamp()


STATE = ServiceSettings()


def middleware(app: Callable) -> Callable:
    """Answers the three service-setting operations; everything else goes to moto."""

    def handle(operation: str, body: dict[str, Any], signed: tuple[str, str, str],
               _environ: dict[str, Any]) -> dict[str, Any]:
        account = account_of(signed[0])
        return STATE.handle(operation, body, account, signed[1], f"arn:aws:iam::{account}:root")

    return json_target.middleware(app, PREFIX, OPERATIONS, handle)


__all__ = ["middleware"]
