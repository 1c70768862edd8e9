"""Product integrations (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

GUARDDUTY = "arn:aws:securityhub:us-east-1::product/aws/guardduty"


def code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


def test_enable_list_disable(emulator):
    hub = emulator.client_in("securityhub", "888888888888")
    with pytest.raises(ClientError) as err:
        hub.enable_import_findings_for_product(ProductArn=GUARDDUTY)
    assert code(err) == "InvalidAccessException"
    hub.enable_security_hub()
    sub = hub.enable_import_findings_for_product(ProductArn=GUARDDUTY)["ProductSubscriptionArn"]
    assert sub == "arn:aws:securityhub:us-east-1:888888888888:product-subscription/aws/guardduty"
    with pytest.raises(ClientError) as err:
        hub.enable_import_findings_for_product(ProductArn=GUARDDUTY)
    assert code(err) == "ResourceConflictException"
    hub.enable_import_findings_for_product(ProductArn="arn:aws:securityhub:us-east-1::product/crowdstrike/crowdstrike-falcon")
    listed = hub.list_enabled_products_for_import()["ProductSubscriptions"]
    assert listed[0] == sub and len(listed) == 2
    page = hub.list_enabled_products_for_import(MaxResults=1)
    assert page["ProductSubscriptions"] == [sub] and page["NextToken"]
    hub.disable_import_findings_for_product(ProductSubscriptionArn=sub)
    assert sub not in hub.list_enabled_products_for_import()["ProductSubscriptions"]
    with pytest.raises(ClientError) as err:
        hub.disable_import_findings_for_product(ProductSubscriptionArn=sub)
    assert code(err) == "ResourceNotFoundException"


@pytest.mark.parametrize("arn", [
    "arn:aws:securityhub:eu-west-1::product/aws/guardduty",
    "arn:aws:securityhub:us-east-1:123456789012:product/aws/guardduty",
    "arn:aws:s3:::bucket",
    "guardduty",
])
def test_product_arns_are_checked(emulator, arn):
    hub = emulator.client_in("securityhub", "999999999999")
    try:
        hub.enable_security_hub()
    except ClientError:
        pass
    with pytest.raises(ClientError) as err:
        hub.enable_import_findings_for_product(ProductArn=arn)
    assert code(err) == "InvalidInputException"
