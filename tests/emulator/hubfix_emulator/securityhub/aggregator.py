"""The finding aggregator, which moto 5.2.5 lacks: CreateFindingAggregator,
GetFindingAggregator, UpdateFindingAggregator, DeleteFindingAggregator and
ListFindingAggregators, following the Security Hub API reference.

An account has at most one aggregator, in its aggregation region, which it lists from
every region. `RegionLinkingMode` is ALL_REGIONS, ALL_REGIONS_EXCEPT_SPECIFIED,
SPECIFIED_REGIONS or NO_REGIONS; `Regions` is required with the two "specified" modes
and refused with the others, and never names the aggregation region. The ARN is
`arn:aws:securityhub:<region>:<account>:finding-aggregator/<uuid>`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from moto.securityhub.models import SecurityHubBackend

from .errors import InvalidInput, ResourceNotFound
from .organization import require_enabled

MODES = ("ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED", "SPECIFIED_REGIONS", "NO_REGIONS")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")

# account -> its aggregator.
AGGREGATORS: dict[str, dict[str, Any]] = {}


def aggregator_of(account: str) -> dict[str, Any] | None:
    """The account's aggregator, if it has one."""
    return AGGREGATORS.get(account)


def linking(body: dict[str, Any], home: str) -> tuple[str, list[str]]:
    mode = body.get("RegionLinkingMode")
    if mode not in MODES:
        raise InvalidInput(f"RegionLinkingMode must be one of {', '.join(MODES)}")
    regions = body.get("Regions")
    if mode in ("ALL_REGIONS_EXCEPT_SPECIFIED", "SPECIFIED_REGIONS"):
        if not isinstance(regions, list) or not regions:
            raise InvalidInput(f"Regions is required when RegionLinkingMode is {mode}")
    elif regions:
        raise InvalidInput(f"Regions must not be given when RegionLinkingMode is {mode}")
    regions = list(regions or [])
    for region in regions:
        if not isinstance(region, str) or not REGION.match(region):
            raise InvalidInput(f"{region!r} is not a Region")
        if region == home:
            raise InvalidInput(f"Regions must not include the aggregation Region {home}")
    return mode, sorted(set(regions))


def described(aggregator: dict[str, Any]) -> dict[str, Any]:
    return {k: aggregator[k] for k in ("FindingAggregatorArn", "FindingAggregationRegion", "RegionLinkingMode", "Regions")}


def find(backend: SecurityHubBackend, arn: Any) -> dict[str, Any]:
    aggregator = AGGREGATORS.get(backend.account_id)
    if aggregator is None or aggregator["FindingAggregatorArn"] != arn:
        raise ResourceNotFound(f"No finding aggregator {arn}")
    return aggregator


def create_finding_aggregator(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    require_enabled(backend)
    if backend.account_id in AGGREGATORS:
        raise InvalidInput(
            f"{backend.account_id} already has a finding aggregator in {AGGREGATORS[backend.account_id]['FindingAggregationRegion']}")
    mode, regions = linking(body, backend.region_name)
    aggregator = {
        "FindingAggregatorArn": f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:finding-aggregator/{uuid.uuid4()}",
        "FindingAggregationRegion": backend.region_name,
        "RegionLinkingMode": mode,
        "Regions": regions,
    }
    AGGREGATORS[backend.account_id] = aggregator
    return described(aggregator)


def get_finding_aggregator(backend: SecurityHubBackend, arn: str) -> dict[str, Any]:
    return described(find(backend, arn))


def update_finding_aggregator(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    aggregator = find(backend, body.get("FindingAggregatorArn"))
    if backend.region_name != aggregator["FindingAggregationRegion"]:
        raise InvalidInput(f"Update the aggregator from its aggregation Region {aggregator['FindingAggregationRegion']}")
    mode, regions = linking(body, aggregator["FindingAggregationRegion"])
    aggregator.update(RegionLinkingMode=mode, Regions=regions)
    return described(aggregator)


def delete_finding_aggregator(backend: SecurityHubBackend, arn: str) -> dict[str, Any]:
    find(backend, arn)
    del AGGREGATORS[backend.account_id]
    return {}


def list_finding_aggregators(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    aggregator = AGGREGATORS.get(backend.account_id)
    return {"FindingAggregators": [{"FindingAggregatorArn": aggregator["FindingAggregatorArn"]}] if aggregator else []}
