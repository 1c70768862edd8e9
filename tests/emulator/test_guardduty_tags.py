"""GuardDuty resource tags (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import botocore.exceptions
import pytest


def test_detector_and_filter_tags_are_added_listed_and_removed(emulator):
    gd = emulator.client("guardduty")
    detector = gd.create_detector(Enable=True, Tags={"team": "security"})["DetectorId"]
    arn = f"arn:aws:guardduty:us-east-1:123456789012:detector/{detector}"
    assert gd.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "security"}
    gd.tag_resource(ResourceArn=arn, Tags={"owner": "platform", "team": "secops"})
    assert gd.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "secops", "owner": "platform"}
    assert gd.get_detector(DetectorId=detector)["Tags"]["owner"] == "platform"
    gd.untag_resource(ResourceArn=arn, TagKeys=["owner"])
    assert gd.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "secops"}

    gd.create_filter(DetectorId=detector, Name="archive-low", FindingCriteria={"Criterion": {}})
    filter_arn = f"{arn}/filter/archive-low"
    assert gd.list_tags_for_resource(ResourceArn=filter_arn)["Tags"] == {}
    gd.tag_resource(ResourceArn=filter_arn, Tags={"owner": "platform"})
    assert gd.list_tags_for_resource(ResourceArn=filter_arn)["Tags"] == {"owner": "platform"}


def test_unknown_and_foreign_resources_are_bad_requests(emulator):
    gd = emulator.client("guardduty")
    for arn in ["arn:aws:guardduty:us-east-1:123456789012:detector/0123456789abcdef0123456789abcdef",
                "arn:aws:guardduty:us-east-1:999999999999:detector/abc",
                "arn:aws:s3:::bucket"]:
        with pytest.raises(botocore.exceptions.ClientError) as err:
            gd.list_tags_for_resource(ResourceArn=arn)
        assert err.value.response["Error"]["Code"] == "BadRequestException", arn
