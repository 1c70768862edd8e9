"""GuardDuty UpdateDetector `features`, merged by name as GuardDuty merges them.

The API reference: `features` in UpdateDetector lists the protection plans to change,
each by `name` with its `status` (and `additionalConfiguration`); the detector's other
features keep their status. moto 5.2.5 replaces the detector's whole feature list with
the request's, so turning one plan on turns every other off.
"""

from __future__ import annotations

from typing import Any

from moto.guardduty.models import Detector

_moto_update = Detector.update


def merged(current: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The detector's features with `changes` applied by name, in their first order."""
    result = [dict(f) for f in current]
    for change in changes:
        same = next((f for f in result if f.get("name") == change.get("name")), None)
        if same is None:
            result.append(dict(change))
        else:
            same.update(change)
    return result


def update(
    self: Detector,
    enable: bool,
    finding_publishing_frequency: str,
    data_sources: dict[str, Any],
    features: list[dict[str, Any]],
) -> None:
    """Detector.update, with `features` merged instead of replaced."""
    if features is not None:
        features = merged(self.features, features)
    _moto_update(self, enable, finding_publishing_frequency, data_sources, features)


def install() -> None:
    """Registers the GuardDuty fix with moto."""
    Detector.update = update
