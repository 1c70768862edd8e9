"""SSM service settings (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import botocore.exceptions
import pytest

SHARING = "/ssm/documents/console/public-sharing-permission"


def test_public_sharing_is_allowed_by_default_and_can_be_blocked_and_reset(emulator):
    ssm = emulator.client("ssm")
    setting = ssm.get_service_setting(SettingId=SHARING)["ServiceSetting"]
    assert (setting["SettingValue"], setting["Status"]) == ("Enable", "Default")
    ssm.update_service_setting(SettingId=SHARING, SettingValue="Disable")
    setting = ssm.get_service_setting(SettingId=setting["ARN"])["ServiceSetting"]
    assert (setting["SettingValue"], setting["Status"]) == ("Disable", "Customized")
    other_region = emulator.client("ssm", region="eu-west-1")
    assert other_region.get_service_setting(SettingId=SHARING)["ServiceSetting"]["SettingValue"] == "Enable"
    reset = ssm.reset_service_setting(SettingId=SHARING)["ServiceSetting"]
    assert reset["SettingValue"] == "Enable"


def test_unknown_settings_and_values_are_refused(emulator):
    ssm = emulator.client("ssm")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ssm.get_service_setting(SettingId="/ssm/no/such/setting")
    assert err.value.response["Error"]["Code"] == "ServiceSettingNotFound"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ssm.update_service_setting(SettingId=SHARING, SettingValue="Maybe")
    assert err.value.response["Error"]["Code"] == "ValidationException"
