"""EMR block public access turned off and on (fixed by the extension), through boto3 over HTTP."""

from __future__ import annotations


def test_block_public_access_can_be_turned_off_and_on_with_its_ranges(emulator):
    emr = emulator.client("emr")
    emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={
        "BlockPublicSecurityGroupRules": False,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}, {"MinRange": 8080, "MaxRange": 8081}],
    })
    config = emr.get_block_public_access_configuration()["BlockPublicAccessConfiguration"]
    assert config["BlockPublicSecurityGroupRules"] is False
    assert config["PermittedPublicSecurityGroupRuleRanges"] == [
        {"MinRange": 22, "MaxRange": 22}, {"MinRange": 8080, "MaxRange": 8081},
    ]
    emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
    })
    config = emr.get_block_public_access_configuration()["BlockPublicAccessConfiguration"]
    assert config["BlockPublicSecurityGroupRules"] is True
    assert config["PermittedPublicSecurityGroupRuleRanges"] == [{"MinRange": 22, "MaxRange": 22}]
