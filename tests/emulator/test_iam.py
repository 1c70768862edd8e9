"""IAM per account (the extension's `iam` module): requests find their account in
constant time, and AWS managed policies are there when read, over HTTP."""

from __future__ import annotations

import time

from asff import client_error
from conftest import DEFAULT_ACCOUNT

SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
TRUST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'


def test_aws_managed_policies_exist_in_every_account(emulator):
    iam = emulator.client_in("iam", "313131313131")
    assert iam.get_policy(PolicyArn=SUPPORT)["Policy"]["PolicyName"] == "AWSSupportAccess"
    version = iam.get_policy_version(PolicyArn=SUPPORT, VersionId=iam.get_policy(PolicyArn=SUPPORT)["Policy"]["DefaultVersionId"])
    assert version["PolicyVersion"]["Document"]["Statement"]
    listed = [p for page in iam.get_paginator("list_policies").paginate(Scope="AWS") for p in page["Policies"]]
    assert len(listed) > 1000
    assert SUPPORT in {p["Arn"] for p in listed}


def test_attachments_of_aws_managed_policies_are_per_account(emulator):
    one, other = emulator.client_in("iam", "323232323232"), emulator.client_in("iam", "333333333334")
    one.create_role(RoleName="support", AssumeRolePolicyDocument=TRUST)
    one.attach_role_policy(RoleName="support", PolicyArn=SUPPORT)
    assert one.list_attached_role_policies(RoleName="support")["AttachedPolicies"] == [
        {"PolicyName": "AWSSupportAccess", "PolicyArn": SUPPORT}]
    assert one.get_policy(PolicyArn=SUPPORT)["Policy"]["AttachmentCount"] == 1
    assert other.get_policy(PolicyArn=SUPPORT)["Policy"]["AttachmentCount"] == 0
    customer = one.create_policy(PolicyName="own", PolicyDocument=TRUST.replace("sts:AssumeRole", "s3:GetObject")
                                 .replace('"Principal": {"Service": "ec2.amazonaws.com"}, ', '"Resource": "*", '))
    local = [p["Arn"] for p in one.list_policies(Scope="Local")["Policies"]]
    assert local == [customer["Policy"]["Arn"]]


def test_requests_act_in_the_account_of_their_key(emulator):
    accounts = [f"{400000000000 + i}" for i in range(30)]
    for account in accounts:
        assert emulator.client_in("sts", account).get_caller_identity()["Account"] == account
    assert emulator.client("sts").get_caller_identity()["Account"] == DEFAULT_ACCOUNT, "an unknown key"


def test_a_users_key_acts_in_its_account_until_deleted(emulator):
    iam = emulator.client_in("iam", "343434343434")
    iam.create_user(UserName="deployer")
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    as_user = emulator.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert as_user.get_caller_identity()["Account"] == "343434343434"
    iam.delete_access_key(UserName="deployer", AccessKeyId=key["AccessKeyId"])
    assert as_user.get_caller_identity()["Account"] == DEFAULT_ACCOUNT, "moto's answer for a key it does not know"


def test_requests_do_not_slow_down_with_the_number_of_accounts(emulator):
    sqs = emulator.client_in("sqs", "350000000000")

    def per_call() -> float:
        sqs.list_queues()
        started = time.monotonic()
        for _ in range(30):
            sqs.list_queues()
        return (time.monotonic() - started) / 30

    before = per_call()
    sts = emulator.client("sts")
    started = time.monotonic()
    for i in range(300):
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{360000000000 + i}:role/r", RoleSessionName="storm")["Credentials"]
    assume = (time.monotonic() - started) / 300
    member = emulator.client("s3", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    started = time.monotonic()
    member.list_buckets()
    first_call = time.monotonic() - started
    after = per_call()
    assert assume < 0.1, f"AssumeRole into a new account: {assume * 1000:.0f} ms"
    assert first_call < 1, f"the first call of a new account: {first_call:.2f} s"
    assert after < 2 * before + 0.005, f"{before * 1000:.1f} ms a call with 30 accounts, {after * 1000:.1f} ms with 330"


def test_an_unknown_policy_is_still_not_found(emulator):
    iam = emulator.client_in("iam", "373737373737")
    error = client_error(iam.get_policy, PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert error["Error"]["Code"] == "NoSuchEntity"
