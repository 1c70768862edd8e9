"""The finding aggregator (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


def test_create_get_update_list_delete(emulator):
    hub = emulator.client_in("securityhub", "666666666666")
    with pytest.raises(ClientError) as err:
        hub.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS")
    assert code(err) == "InvalidAccessException", "Security Hub must be on"
    hub.enable_security_hub()
    created = hub.create_finding_aggregator(RegionLinkingMode="SPECIFIED_REGIONS", Regions=["eu-west-1", "ap-southeast-2"])
    arn = created["FindingAggregatorArn"]
    assert arn.startswith("arn:aws:securityhub:us-east-1:666666666666:finding-aggregator/")
    assert (created["FindingAggregationRegion"], created["Regions"]) == ("us-east-1", ["ap-southeast-2", "eu-west-1"])
    elsewhere = emulator.client_in("securityhub", "666666666666", region="eu-west-1")
    assert elsewhere.list_finding_aggregators()["FindingAggregators"] == [{"FindingAggregatorArn": arn}]
    got = hub.get_finding_aggregator(FindingAggregatorArn=arn)
    assert got["RegionLinkingMode"] == "SPECIFIED_REGIONS"
    with pytest.raises(ClientError) as err:
        hub.create_finding_aggregator(RegionLinkingMode="ALL_REGIONS")
    assert code(err) == "InvalidInputException", "one aggregator per account"
    hub.update_finding_aggregator(FindingAggregatorArn=arn, RegionLinkingMode="ALL_REGIONS")
    assert hub.get_finding_aggregator(FindingAggregatorArn=arn)["Regions"] == []
    with pytest.raises(ClientError) as err:
        elsewhere.update_finding_aggregator(FindingAggregatorArn=arn, RegionLinkingMode="NO_REGIONS")
    assert code(err) == "InvalidInputException", "only from the aggregation region"
    hub.delete_finding_aggregator(FindingAggregatorArn=arn)
    assert hub.list_finding_aggregators()["FindingAggregators"] == []
    with pytest.raises(ClientError) as err:
        hub.get_finding_aggregator(FindingAggregatorArn=arn)
    assert code(err) == "ResourceNotFoundException"


@pytest.mark.parametrize("mode,regions", [
    ("SPECIFIED_REGIONS", None),
    ("ALL_REGIONS_EXCEPT_SPECIFIED", []),
    ("ALL_REGIONS", ["eu-west-1"]),
    ("NO_REGIONS", ["eu-west-1"]),
    ("SPECIFIED_REGIONS", ["us-east-1"]),
    ("SPECIFIED_REGIONS", ["Europe"]),
    ("SOME_REGIONS", None),
])
def test_linking_is_checked(emulator, mode, regions):
    hub = emulator.client_in("securityhub", "777777777777", validate=False)
    try:
        hub.enable_security_hub()
    except ClientError:
        pass
    args = {"RegionLinkingMode": mode}
    if regions is not None:
        args["Regions"] = regions
    with pytest.raises(ClientError) as err:
        hub.create_finding_aggregator(**args)
    assert code(err) == "InvalidInputException"
