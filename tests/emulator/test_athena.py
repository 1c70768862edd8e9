"""Athena workgroups updated by the extension, through boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_update_work_group_turns_cloudwatch_metrics_on_and_off(emulator):
    athena = emulator.client("athena")
    athena.create_work_group(Name="analysts", Configuration={"PublishCloudWatchMetricsEnabled": False})
    athena.update_work_group(WorkGroup="analysts", ConfigurationUpdates={"PublishCloudWatchMetricsEnabled": True})
    config = athena.get_work_group(WorkGroup="analysts")["WorkGroup"]["Configuration"]
    assert config["PublishCloudWatchMetricsEnabled"] is True
    assert config["EnforceWorkGroupConfiguration"] is True
    athena.update_work_group(WorkGroup="analysts", ConfigurationUpdates={"PublishCloudWatchMetricsEnabled": False})
    config = athena.get_work_group(WorkGroup="analysts")["WorkGroup"]["Configuration"]
    assert config["PublishCloudWatchMetricsEnabled"] is False


def test_an_unknown_workgroup_is_an_invalid_request(emulator):
    athena = emulator.client("athena")
    for call in (
        lambda: athena.get_work_group(WorkGroup="nobody"),
        lambda: athena.update_work_group(WorkGroup="nobody", ConfigurationUpdates={"PublishCloudWatchMetricsEnabled": True}),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
