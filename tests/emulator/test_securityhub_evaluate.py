"""Security Hub's next check (`POST /_hubfix/securityhub/evaluate`), over HTTP: boto3
changes the resources, the admin endpoint re-checks them, GetFindings shows the result.

The findings are shaped as the sample events in `events/` (`s3-8-imported.json`,
`s3-1-imported.json`, `ec2-13-imported.json`), which cite the published findings they
follow: consolidated control findings, and the standard-specific findings of FSBP and
CIS v1.2.0.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from asff import finding, ident, imported, stored

ACCOUNT = "123456789012"
MEMBER = "222222222222"
REGION = "us-east-1"
HUB = {"account": ACCOUNT, "region": REGION}
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
          "RestrictPublicBuckets": True}


def evaluate(emulator, **body: Any) -> dict[str, Any]:
    """Runs the checks; the endpoint's answer."""
    status, answer = emulator.admin("POST", "/_hubfix/securityhub/evaluate", {**HUB, **body})
    assert status == 200, answer
    return answer


def result_of(answer: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    """The answer's entry for one finding."""
    (entry,) = [e for e in answer["evaluated"] if e["Id"] == f["Id"]]
    return entry


def new_bucket(emulator, account: str = ACCOUNT) -> str:
    """A bucket with no Block Public Access configuration."""
    name = f"evaluate-{uuid.uuid4().hex[:12]}"
    s3 = emulator.client("s3") if account == ACCOUNT else emulator.client_in("s3", account)
    s3.create_bucket(Bucket=name)
    return name


def bucket_finding(bucket: str, account: str = ACCOUNT, **overrides: Any) -> dict[str, Any]:
    """A FAILED consolidated S3.8 finding about a bucket."""
    return finding(AwsAccountId=account, Resources=[{"Type": "AwsS3Bucket", "Id": f"arn:aws:s3:::{bucket}",
                                                    "Partition": "aws", "Region": REGION}], **overrides)


def s3control_in(emulator, account: str) -> Any:
    """An S3 Control client acting in `account`, without the `<account>.` host prefix the
    SDKs add (hubfix's Rust clients strip it too; see test_server.py)."""
    client = emulator.client_in("s3control", account)

    def strip_account_prefix(request: Any, **_: Any) -> None:
        request.url = request.url.replace(f"://{account}.", "://", 1)

    client.meta.events.register("before-sign.s3-control", strip_account_prefix)
    return client


def new_group(emulator, *permissions: dict[str, Any]) -> str:
    """A security group with these ingress permissions."""
    ec2 = emulator.client("ec2")
    group = ec2.create_security_group(GroupName=f"evaluate-{uuid.uuid4().hex[:8]}", Description="d")["GroupId"]
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=list(permissions))
    return group


def tcp(port: int, cidr: str = "0.0.0.0/0", to_port: int | None = None, protocol: str = "tcp") -> dict[str, Any]:
    """An ingress permission from one CIDR."""
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != "-1":
        permission.update(FromPort=port, ToPort=to_port if to_port is not None else port)
    permission["Ipv6Ranges" if ":" in cidr else "IpRanges"] = [{"CidrIpv6" if ":" in cidr else "CidrIp": cidr}]
    return permission


def group_finding(group: str, control: str = "EC2.13") -> dict[str, Any]:
    """A FAILED consolidated finding of a security-group control."""
    return finding(GeneratorId=f"security-control/{control}",
                   Compliance={"Status": "FAILED", "SecurityControlId": control},
                   Resources=[{"Type": "AwsEc2SecurityGroup", "Region": REGION,
                               "Id": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}"}])


def test_a_bucket_still_public_stays_failed_and_new(emulator, securityhub):
    (f,) = imported(securityhub, bucket_finding(new_bucket(emulator)))
    entry = result_of(evaluate(emulator), f)
    assert (entry["ControlId"], entry["PreviousComplianceStatus"], entry["Compliance"]["Status"]) == \
        ("S3.8", "FAILED", "FAILED")
    got = stored(securityhub, f["Id"])
    assert (got["Compliance"]["Status"], got["Workflow"]["Status"], got["Severity"]["Label"]) == \
        ("FAILED", "NEW", "HIGH")


def test_a_fixed_bucket_passes_and_its_finding_is_resolved(emulator, securityhub):
    bucket = new_bucket(emulator)
    (f,) = imported(securityhub, bucket_finding(bucket))
    emulator.client("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
    entry = result_of(evaluate(emulator), f)
    assert (entry["Compliance"]["Status"], entry["Workflow"]["Status"], entry["RecordState"]) == \
        ("PASSED", "RESOLVED", "ACTIVE")
    got = stored(securityhub, f["Id"])
    assert got["Compliance"]["Status"] == "PASSED"
    assert got["Workflow"]["Status"] == "RESOLVED"
    assert got["Severity"]["Label"] == "INFORMATIONAL"
    assert got["FindingProviderFields"]["Severity"]["Label"] == "INFORMATIONAL"
    assert got["UpdatedAt"] > f["UpdatedAt"] and got["LastObservedAt"] == got["UpdatedAt"]


def test_three_settings_of_four_are_not_enough(emulator, securityhub):
    bucket = new_bucket(emulator)
    (f,) = imported(securityhub, bucket_finding(bucket))
    emulator.client("s3").put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={**ALL_ON, "RestrictPublicBuckets": False})
    assert result_of(evaluate(emulator), f)["Compliance"]["Status"] == "FAILED"


def test_a_note_and_a_notified_status_are_kept_and_passing_resolves_it(emulator, securityhub):
    bucket = new_bucket(emulator)
    (f,) = imported(securityhub, bucket_finding(bucket))
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": "NOTIFIED"},
                                      Note={"Text": "fixed by hubfix", "UpdatedBy": "hubfix"})
    evaluate(emulator)
    assert stored(securityhub, f["Id"])["Workflow"]["Status"] == "NOTIFIED", "still failing"
    emulator.client("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
    evaluate(emulator)
    got = stored(securityhub, f["Id"])
    assert (got["Workflow"]["Status"], got["Note"]["Text"]) == ("RESOLVED", "fixed by hubfix")


def test_a_resolved_finding_that_fails_again_is_new(emulator, securityhub):
    bucket = new_bucket(emulator)
    (f,) = imported(securityhub, bucket_finding(bucket))
    s3 = emulator.client("s3")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
    evaluate(emulator)
    s3.delete_public_access_block(Bucket=bucket)
    entry = result_of(evaluate(emulator), f)
    assert (entry["PreviousComplianceStatus"], entry["Compliance"]["Status"], entry["Workflow"]["Status"]) == \
        ("PASSED", "FAILED", "NEW")
    assert stored(securityhub, f["Id"])["Severity"]["Label"] == "HIGH", "the control's severity again"


def test_a_resolved_finding_still_failing_stays_resolved(emulator, securityhub):
    (f,) = imported(securityhub, bucket_finding(new_bucket(emulator)))
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": "RESOLVED"},
                                      Note={"Text": "done", "UpdatedBy": "someone"})
    evaluate(emulator)
    got = stored(securityhub, f["Id"])
    assert (got["Compliance"]["Status"], got["Workflow"]["Status"]) == ("FAILED", "RESOLVED")


def test_a_deleted_bucket_is_not_available_and_archived(emulator, securityhub):
    bucket = new_bucket(emulator)
    (f,) = imported(securityhub, bucket_finding(bucket))
    emulator.client("s3").delete_bucket(Bucket=bucket)
    entry = result_of(evaluate(emulator), f)
    assert (entry["Compliance"]["Status"], entry["RecordState"]) == ("NOT_AVAILABLE", "ARCHIVED")
    assert f["Id"] not in [e["Id"] for e in evaluate(emulator)["evaluated"]], "archived: no longer checked"


def test_suppressed_findings_are_no_longer_updated(emulator, securityhub):
    bucket = new_bucket(emulator)
    (f,) = imported(securityhub, bucket_finding(bucket))
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Workflow={"Status": "SUPPRESSED"})
    emulator.client("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
    assert f["Id"] not in [e["Id"] for e in evaluate(emulator)["evaluated"]]
    assert stored(securityhub, f["Id"])["Compliance"]["Status"] == "FAILED"


def test_a_customers_severity_is_kept(emulator, securityhub):
    bucket = new_bucket(emulator)
    (f,) = imported(securityhub, bucket_finding(bucket))
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f)], Severity={"Label": "LOW"})
    emulator.client("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
    evaluate(emulator)
    got = stored(securityhub, f["Id"])
    assert (got["Compliance"]["Status"], got["Severity"]["Label"]) == ("PASSED", "LOW")
    assert got["FindingProviderFields"]["Severity"]["Label"] == "INFORMATIONAL"


def test_a_member_accounts_bucket_is_checked_in_that_account(emulator, securityhub):
    bucket = new_bucket(emulator, MEMBER)
    (f,) = imported(securityhub, bucket_finding(bucket, MEMBER))
    assert result_of(evaluate(emulator), f)["Compliance"]["Status"] == "FAILED"
    emulator.client_in("s3", MEMBER).put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
    assert result_of(evaluate(emulator), f)["Compliance"]["Status"] == "PASSED"


def test_the_account_level_settings_decide_s3_1_of_a_standard_specific_finding(emulator, securityhub):
    account = f"3333{uuid.uuid4().int % 10**8:08d}"
    fsbp = finding(AwsAccountId=account, GeneratorId="aws-foundational-security-best-practices/v/1.0.0/S3.1",
                   Severity={"Label": "MEDIUM"}, Compliance={"Status": "FAILED"},
                   ProductFields={"StandardsArn": "arn:aws:securityhub:::standards/aws-foundational-security-best-practices/v/1.0.0",
                                  "ControlId": "S3.1"},
                   Resources=[{"Type": "AwsAccount", "Id": f"AWS::::Account:{account}"}])
    (f,) = imported(securityhub, fsbp)
    assert result_of(evaluate(emulator), f)["Compliance"]["Status"] == "FAILED"
    s3control_in(emulator, account).put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration=ALL_ON)
    entry = result_of(evaluate(emulator), f)
    assert (entry["ControlId"], entry["Compliance"]["Status"], entry["Workflow"]["Status"]) == \
        ("S3.1", "PASSED", "RESOLVED")
    assert stored(securityhub, f["Id"])["Severity"]["Label"] == "INFORMATIONAL"


def test_ssh_open_to_the_world_fails_a_cis_1_2_0_finding_until_revoked(emulator, securityhub):
    group = new_group(emulator, tcp(22), tcp(443))
    cis = finding(GeneratorId="arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1",
                  Compliance={"Status": "FAILED"}, ProductFields={"RuleId": "4.1"},
                  Resources=[{"Type": "AwsEc2SecurityGroup", "Id": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}"}])
    (f,) = imported(securityhub, cis)
    entry = result_of(evaluate(emulator), f)
    assert (entry["ControlId"], entry["Compliance"]["Status"]) == ("EC2.13", "FAILED")
    emulator.client("ec2").revoke_security_group_ingress(GroupId=group, IpPermissions=[tcp(22)])
    assert result_of(evaluate(emulator), f)["Compliance"]["Status"] == "PASSED", "443 is not EC2.13's"


@pytest.mark.parametrize(
    "control, permission, status",
    [
        ("EC2.13", tcp(22, "::/0"), "FAILED"),
        ("EC2.13", tcp(0, to_port=65535), "FAILED"),
        ("EC2.13", tcp(0, protocol="-1"), "FAILED"),
        ("EC2.13", tcp(22, "10.0.0.0/8"), "PASSED"),
        ("EC2.13", tcp(22, protocol="udp"), "PASSED"),
        ("EC2.14", tcp(3389), "FAILED"),
        ("EC2.14", tcp(22), "PASSED"),
        ("EC2.53", tcp(3389, protocol="udp"), "FAILED"),
        ("EC2.53", tcp(22, "::/0"), "PASSED"),
        ("EC2.54", tcp(22, "::/0"), "FAILED"),
        ("EC2.54", tcp(3389), "PASSED"),
    ],
)
def test_security_group_checks(emulator, securityhub, control, permission, status):
    (f,) = imported(securityhub, group_finding(new_group(emulator, permission), control))
    assert result_of(evaluate(emulator, controls=[control]), f)["Compliance"]["Status"] == status


def test_a_deleted_group_is_not_available(emulator, securityhub):
    group = new_group(emulator, tcp(22))
    (f,) = imported(securityhub, group_finding(group))
    emulator.client("ec2").delete_security_group(GroupId=group)
    assert result_of(evaluate(emulator), f)["Compliance"]["Status"] == "NOT_AVAILABLE"


def test_other_findings_are_left_as_they_are(emulator, securityhub):
    other_control = finding(GeneratorId="security-control/IAM.4",
                            Compliance={"Status": "FAILED", "SecurityControlId": "IAM.4"},
                            Resources=[{"Type": "AwsAccount", "Id": f"AWS::::Account:{ACCOUNT}"}])
    threat = finding(GeneratorId="guardduty", Resources=[{"Type": "AwsEc2Instance", "Id": "i-0123456789abcdef0"}])
    threat.pop("Compliance")
    wrong_type = finding(Resources=[{"Type": "AwsAccount", "Id": f"AWS::::Account:{ACCOUNT}"}])
    imported(securityhub, other_control, threat, wrong_type)
    answer = evaluate(emulator)
    evaluated = {e["Id"] for e in answer["evaluated"]}
    assert not evaluated & {other_control["Id"], threat["Id"], wrong_type["Id"]}
    assert answer["not_evaluated"] >= 2, "IAM.4 and the S3.8 finding without a bucket"
    assert stored(securityhub, other_control["Id"])["UpdatedAt"] == other_control["UpdatedAt"]


def test_the_named_controls_only_are_checked(emulator, securityhub):
    (f,) = imported(securityhub, bucket_finding(new_bucket(emulator)))
    answer = evaluate(emulator, controls=["EC2.13"])
    assert f["Id"] not in {e["Id"] for e in answer["evaluated"]}
    assert {e["ControlId"] for e in answer["evaluated"]} <= {"EC2.13"}


def test_every_check_emits_the_updated_finding_to_the_outbox(emulator, securityhub):
    emulator.admin("POST", "/_hubfix/securityhub/outbox", {"enabled": True})
    try:
        emulator.admin("POST", "/_hubfix/securityhub/outbox/drain", {"max": 100000})
        bucket = new_bucket(emulator)
        (f,) = imported(securityhub, bucket_finding(bucket))
        emulator.client("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
        evaluate(emulator, controls=["S3.8"])
        _, drained = emulator.admin("POST", "/_hubfix/securityhub/outbox/drain", {"max": 100000})
        mine = [e["detail"]["findings"][0] for e in drained["events"] if e["resources"] == [f["Id"]]]
        assert [m["Compliance"]["Status"] for m in mine] == ["FAILED", "PASSED"], "the import, then the check"
        assert mine[-1]["Workflow"]["Status"] == "RESOLVED"
    finally:
        emulator.admin("POST", "/_hubfix/securityhub/outbox", {"enabled": False})


@pytest.mark.parametrize(
    "body, message",
    [
        ({"account": "1234", "region": REGION}, "account must be a 12-digit account id"),
        ({"account": ACCOUNT, "region": "mars-1"}, "region must be a Region"),
        ({**HUB, "controls": "S3.8"}, "controls must be a list of control ids"),
        ({**HUB, "controls": ["S3.8", "IAM.4"]}, "the emulator has no check for IAM.4"),
    ],
)
def test_invalid_requests_are_refused(emulator, body, message):
    status, answer = emulator.admin("POST", "/_hubfix/securityhub/evaluate", body)
    assert status == 400 and message in answer["message"], answer
