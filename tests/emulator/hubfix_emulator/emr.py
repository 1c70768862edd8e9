"""EMR's PutBlockPublicAccessConfiguration keeps `BlockPublicSecurityGroupRules` false.

moto 5.2.5 reads the flag as `value or True`, so turning block public access off (EMR
API Reference, PutBlockPublicAccessConfiguration) stores it on, and a Region can never
read as failing `EMR.2`. This stores the flag as given; a configuration without it is
refused with `ValidationException`, as the API requires it.
"""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError
from moto.core.responses import EmptyResult
from moto.emr.responses import ElasticMapReduceResponse


def put_block_public_access_configuration(self: ElasticMapReduceResponse) -> EmptyResult:
    """PutBlockPublicAccessConfiguration, with the flag stored as given."""
    config = self._get_params().get("BlockPublicAccessConfiguration") or {}
    flag = config.get("BlockPublicSecurityGroupRules")
    if flag is None:
        raise JsonRESTError("ValidationException", "BlockPublicSecurityGroupRules is required")
    if isinstance(flag, str):
        flag = flag.lower() == "true"
    self.backend.put_block_public_access_configuration(
        block_public_security_group_rules=bool(flag),
        rule_ranges=config.get("PermittedPublicSecurityGroupRuleRanges"),
    )
    return EmptyResult()


def install() -> None:
    """Registers the EMR fix with moto."""
    ElasticMapReduceResponse.put_block_public_access_configuration = put_block_public_access_configuration
