"""The CloudTrail extension, through boto3 over HTTP."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"


def bucket_for_trails(emulator, name: str, region: str = "us-east-1") -> str:
    s3 = emulator.client("s3", region=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{name}/AWSLogs/*"}]}))
    return name


def code(err: pytest.ExceptionInfo) -> str:
    return err.value.response["Error"]["Code"]


def test_selectors_default_replace_and_validate(emulator):
    ct = emulator.client("cloudtrail")
    ct.create_trail(Name="sel-trail", S3BucketName=bucket_for_trails(emulator, "sel-trail-logs"))
    got = ct.get_event_selectors(TrailName="sel-trail")
    assert got["EventSelectors"] == [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                      "DataResources": [], "ExcludeManagementEventSources": []}]
    assert ct.get_trail(Name="sel-trail")["Trail"]["HasCustomEventSelectors"] is False

    advanced = [{"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]
    ct.put_event_selectors(TrailName="sel-trail", AdvancedEventSelectors=advanced)
    got = ct.get_event_selectors(TrailName="sel-trail")
    assert got["AdvancedEventSelectors"] == advanced and "EventSelectors" not in got

    basic = [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
              "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]
    ct.put_event_selectors(TrailName="sel-trail", EventSelectors=basic)
    got = ct.get_event_selectors(TrailName="sel-trail")
    assert "AdvancedEventSelectors" not in got
    assert got["EventSelectors"][0]["DataResources"] == basic[0]["DataResources"]
    assert ct.get_trail(Name="sel-trail")["Trail"]["HasCustomEventSelectors"] is True

    with pytest.raises(ClientError) as e:
        ct.put_event_selectors(TrailName="sel-trail", EventSelectors=basic * 6)
    assert code(e) == "InvalidEventSelectorsException"
    with pytest.raises(ClientError) as e:
        ct.put_event_selectors(TrailName="sel-trail", EventSelectors=basic, AdvancedEventSelectors=advanced)
    assert code(e) == "InvalidParameterCombinationException"


def test_kms_key_must_exist_and_admit_cloudtrail(emulator):
    ct, kms = emulator.client("cloudtrail"), emulator.client("kms")
    ct.create_trail(Name="kms-trail", S3BucketName=bucket_for_trails(emulator, "kms-trail-logs"))
    plain = kms.create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError) as e:
        ct.update_trail(Name="kms-trail", KmsKeyId=plain)
    assert code(e) == "InsufficientEncryptionPolicyException"
    with pytest.raises(ClientError) as e:
        ct.update_trail(Name="kms-trail", KmsKeyId="alias/missing")
    assert code(e) == "KmsKeyNotFoundException"

    policy = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                             "Action": "kms:GenerateDataKey*", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/trail", TargetKeyId=key)
    ct.update_trail(Name="kms-trail", KmsKeyId="alias/trail")
    assert ct.get_trail(Name="kms-trail")["Trail"]["KmsKeyId"] == key
    ct.update_trail(Name="kms-trail", KmsKeyId="")
    assert "KmsKeyId" not in ct.get_trail(Name="kms-trail")["Trail"]


def test_cloudwatch_logs_delivery_needs_a_group_and_a_role_cloudtrail_trusts(emulator):
    ct, logs, iam = emulator.client("cloudtrail"), emulator.client("logs"), emulator.client("iam")
    ct.create_trail(Name="cw-trail", S3BucketName=bucket_for_trails(emulator, "cw-trail-logs"))
    logs.create_log_group(logGroupName="trail-group")
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:trail-group:*"
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="trail-logs", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    other = iam.create_role(RoleName="ec2-role", AssumeRolePolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    for g, r, expected in [
        (group, None, "InvalidCloudWatchLogsRoleArnException"),
        (group, other, "InvalidCloudWatchLogsRoleArnException"),
        (group.replace("trail-group", "missing"), role, "InvalidCloudWatchLogsLogGroupArnException"),
    ]:
        kwargs = {"CloudWatchLogsLogGroupArn": g} | ({"CloudWatchLogsRoleArn": r} if r else {})
        with pytest.raises(ClientError) as e:
            ct.update_trail(Name="cw-trail", **kwargs)
        assert code(e) == expected, kwargs
    ct.update_trail(Name="cw-trail", CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=role)
    assert ct.get_trail(Name="cw-trail")["Trail"]["CloudWatchLogsLogGroupArn"] == group
    ct.update_trail(Name="cw-trail", CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="")
    assert "CloudWatchLogsLogGroupArn" not in ct.get_trail(Name="cw-trail")["Trail"]


def test_bucket_policy_must_admit_cloudtrail_and_names_are_unique(emulator):
    ct, s3 = emulator.client("cloudtrail"), emulator.client("s3")
    s3.create_bucket(Bucket="no-policy-logs")
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="no-policy", S3BucketName="no-policy-logs")
    assert code(e) == "InsufficientS3BucketPolicyException"
    ct.create_trail(Name="unique-trail", S3BucketName=bucket_for_trails(emulator, "unique-trail-logs"))
    with pytest.raises(ClientError) as e:
        ct.create_trail(Name="unique-trail", S3BucketName="unique-trail-logs")
    assert code(e) == "TrailAlreadyExistsException"


def test_other_regions_multi_region_trails_are_read_only_here(emulator):
    home = emulator.client("cloudtrail", region="eu-west-1")
    bucket = bucket_for_trails(emulator, "eu-trail-logs", region="eu-west-1")
    arn = home.create_trail(Name="eu-trail", S3BucketName=bucket, IsMultiRegionTrail=True)["TrailARN"]
    here = emulator.client("cloudtrail")
    assert here.get_trail(Name=arn)["Trail"]["HomeRegion"] == "eu-west-1"
    assert here.get_event_selectors(TrailName=arn)["EventSelectors"][0]["ReadWriteType"] == "All"
    for call in (lambda: here.update_trail(Name=arn, EnableLogFileValidation=True),
                 lambda: here.start_logging(Name=arn),
                 lambda: here.delete_trail(Name=arn),
                 lambda: here.put_event_selectors(TrailName=arn, EventSelectors=[{"ReadWriteType": "All"}])):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "InvalidHomeRegionException"
    home.delete_trail(Name=arn)
    assert home.describe_trails()["trailList"] == []
