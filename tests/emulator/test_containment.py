"""The AWS APIs hubfix's threat-containment playbook calls, through boto3 over HTTP:
ELBv2 target registration and health, Auto Scaling standby, EC2 instance profiles,
termination protection, snapshots, security groups and tags, and IAM access keys and
inline policies, each as the AWS API references describe it."""

from __future__ import annotations

import json
import urllib.parse

import botocore.exceptions
import pytest

TOKEN_CUTOFF = {"DateLessThan": {"aws:TokenIssueTime": "2026-12-07T08:00:00Z"}}
REVOKE = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "RevokeOlderSessions", "Effect": "Deny", "Action": "*", "Resource": "*",
                   "Condition": TOKEN_CUTOFF}],
}
TRUST_EC2 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
IMAGE = "ami-12c6146b"
# What ELB answers for a target that receives traffic (registration in progress, or checked).
ROUTED = ("initial", "healthy")


def error_code(call, *args, **kwargs) -> str:
    """The error code a call fails with."""
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call(*args, **kwargs)
    return err.value.response["Error"]["Code"]


def default_vpc(ec2) -> tuple[str, list[str]]:
    """The default VPC and its subnets, one an Availability Zone."""
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return vpc, [s["SubnetId"] for s in sorted(subnets, key=lambda s: s["AvailabilityZone"])]


def run(ec2, count: int = 1, **kwargs) -> list[str]:
    """Launches running instances; their ids."""
    out = ec2.run_instances(ImageId=IMAGE, InstanceType="t3.micro", MinCount=count, MaxCount=count, **kwargs)
    return [i["InstanceId"] for i in out["Instances"]]


def instance(ec2, instance_id: str) -> dict:
    """DescribeInstances' view of one instance."""
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def target_group_in_use(emulator, name: str, port: int = 80) -> str:
    """An `instance` target group of the default VPC that an Application Load Balancer's
    listener forwards to (a group no load balancer uses reports its targets `unused`,
    `Target.NotInUse`, in AWS); its ARN."""
    ec2, elbv2 = emulator.client("ec2"), emulator.client("elbv2")
    vpc, subnets = default_vpc(ec2)
    arn = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=port, VpcId=vpc,
                                    TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    balancer = elbv2.create_load_balancer(Name=f"{name}-alb", Subnets=subnets[:2], Type="application",
                                          Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.create_listener(LoadBalancerArn=balancer, Protocol="HTTP", Port=port,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}])
    return arn


def health(elbv2, group: str, instance_id: str, **port: int) -> dict:
    """DescribeTargetHealth of one instance (`Targets=[{Id[, Port]}]`)."""
    descriptions = elbv2.describe_target_health(TargetGroupArn=group, Targets=[{"Id": instance_id, **port}])[
        "TargetHealthDescriptions"]
    assert len(descriptions) == 1 and descriptions[0]["Target"]["Id"] == instance_id
    return descriptions[0]


def assert_not_routed(description: dict) -> None:
    """A target on its way out (`draining`, for the deregistration delay) or gone
    (`unused`, `Target.NotRegistered`)."""
    state = description["TargetHealth"]
    assert state["State"] in ("draining", "unused"), state
    expected = {"draining": "Target.DeregistrationInProgress", "unused": "Target.NotRegistered"}
    assert state["Reason"] == expected[state["State"]], state


# ELBv2


def test_targets_register_deregister_and_report_their_health(emulator):
    ec2, elbv2 = emulator.client("ec2"), emulator.client("elbv2")
    group = target_group_in_use(emulator, "contain-web")
    overridden, default, outsider = run(ec2, 3)
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": overridden, "Port": 8080}, {"Id": default}])

    registered = health(elbv2, group, overridden)
    assert registered["Target"]["Port"] == 8080, "the port override it was registered with"
    assert registered["TargetHealth"]["State"] in ROUTED
    assert health(elbv2, group, default)["Target"]["Port"] == 80, "without Port: the group's port"
    unregistered = health(elbv2, group, outsider)["TargetHealth"]
    assert (unregistered["State"], unregistered["Reason"]) == ("unused", "Target.NotRegistered")
    everything = elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    assert {(d["Target"]["Id"], d["Target"]["Port"]) for d in everything} == {(overridden, 8080), (default, 80)}

    # A port override must be given to deregister: without it nothing changes (and no error).
    elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": overridden}])
    assert health(elbv2, group, overridden)["TargetHealth"]["State"] in ROUTED
    elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": overridden, "Port": 8080}])
    assert_not_routed(health(elbv2, group, overridden, Port=8080))
    # Deregistering what is not registered is accepted; an instance that does not exist is not.
    elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": overridden, "Port": 8080}])
    elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": outsider}])
    assert error_code(elbv2.deregister_targets, TargetGroupArn=group,
                      Targets=[{"Id": "i-0123456789abcdef0"}]) == "InvalidTarget"
    assert health(elbv2, group, default)["TargetHealth"]["State"] in ROUTED, "others untouched"

    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": overridden, "Port": 8080}])
    back = health(elbv2, group, overridden)
    assert back["Target"]["Port"] == 8080 and back["TargetHealth"]["State"] in ROUTED


def test_describe_target_groups_pages_with_page_size_and_marker(emulator):
    ec2, elbv2 = emulator.client("ec2"), emulator.client("elbv2")
    vpc, _ = default_vpc(ec2)
    for n in range(5):
        elbv2.create_target_group(Name=f"page-{n}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance")
    every = [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]]
    assert {f"page-{n}" for n in range(5)} <= set(every)

    pages = list(elbv2.get_paginator("describe_target_groups").paginate(PaginationConfig={"PageSize": 2}))
    assert all(1 <= len(p["TargetGroups"]) <= 2 for p in pages)
    assert all("NextMarker" in p for p in pages[:-1]) and "NextMarker" not in pages[-1]
    paged = [g["TargetGroupName"] for p in pages for g in p["TargetGroups"]]
    assert paged == every, "every group once, in the same order"

    first = elbv2.describe_target_groups(Names=["page-0", "page-1", "page-2"], PageSize=2)
    assert [g["TargetGroupName"] for g in first["TargetGroups"]] == ["page-0", "page-1"]
    rest = elbv2.describe_target_groups(Names=["page-0", "page-1", "page-2"], PageSize=2,
                                        Marker=first["NextMarker"])
    assert [g["TargetGroupName"] for g in rest["TargetGroups"]] == ["page-2"] and "NextMarker" not in rest
    assert error_code(elbv2.describe_target_groups, PageSize=401) == "ValidationError"


# Auto Scaling


def auto_scaling_group(emulator, name: str, target_groups: list[str] = ()) -> str:
    """A group of one instance launched from a launch template in the default VPC; the
    instance's id."""
    ec2, autoscaling = emulator.client("ec2"), emulator.client("autoscaling")
    _, subnets = default_vpc(ec2)
    template = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={
        "ImageId": IMAGE, "InstanceType": "t3.micro"})["LaunchTemplate"]["LaunchTemplateId"]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        MinSize=1, MaxSize=3, DesiredCapacity=1, VPCZoneIdentifier=subnets[0], TargetGroupARNs=list(target_groups))
    instances = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0][
        "Instances"]
    assert len(instances) == 1
    return instances[0]["InstanceId"]


def lifecycle(autoscaling, instance_id: str) -> str:
    """DescribeAutoScalingInstances' lifecycle state of one instance."""
    found = autoscaling.describe_auto_scaling_instances(InstanceIds=[instance_id])["AutoScalingInstances"]
    assert len(found) == 1 and found[0]["InstanceId"] == instance_id
    return found[0]["LifecycleState"]


def group_of(autoscaling, name: str) -> dict:
    """DescribeAutoScalingGroups' view of one group."""
    return autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


def test_standby_takes_an_instance_out_of_service_and_the_group_replaces_it(emulator):
    ec2, autoscaling = emulator.client("ec2"), emulator.client("autoscaling")
    suspect = auto_scaling_group(emulator, "contain-asg")
    assert instance(ec2, suspect)["State"]["Name"] == "running"
    found = autoscaling.describe_auto_scaling_instances(InstanceIds=[suspect])["AutoScalingInstances"][0]
    assert (found["AutoScalingGroupName"], found["LifecycleState"]) == ("contain-asg", "InService")

    activities = autoscaling.enter_standby(AutoScalingGroupName="contain-asg", InstanceIds=[suspect],
                                           ShouldDecrementDesiredCapacity=False)["Activities"]
    assert len(activities) == 1 and suspect in activities[0]["Description"]
    assert lifecycle(autoscaling, suspect) == "Standby"
    group = group_of(autoscaling, "contain-asg")
    assert group["DesiredCapacity"] == 1, "not decremented"
    states = {i["InstanceId"]: i["LifecycleState"] for i in group["Instances"]}
    replacements = [i for i, state in states.items() if i != suspect and state == "InService"]
    assert len(replacements) == 1, "the group launches a replacement to keep its desired capacity"
    assert instance(ec2, suspect)["State"]["Name"] == "running", "a standby instance keeps running"

    autoscaling.exit_standby(AutoScalingGroupName="contain-asg", InstanceIds=[suspect])
    assert lifecycle(autoscaling, suspect) == "InService"
    assert group_of(autoscaling, "contain-asg")["DesiredCapacity"] == 2, "ExitStandby increments the capacity"


def test_standby_deregisters_the_instance_from_the_groups_target_groups(emulator):
    elbv2, autoscaling = emulator.client("elbv2"), emulator.client("autoscaling")
    group = target_group_in_use(emulator, "contain-asg-tg")
    suspect = auto_scaling_group(emulator, "contain-asg-tg", [group])
    assert health(elbv2, group, suspect)["TargetHealth"]["State"] in ROUTED

    autoscaling.enter_standby(AutoScalingGroupName="contain-asg-tg", InstanceIds=[suspect],
                              ShouldDecrementDesiredCapacity=False)
    assert_not_routed(health(elbv2, group, suspect))
    routed = {d["Target"]["Id"] for d in elbv2.describe_target_health(TargetGroupArn=group)[
        "TargetHealthDescriptions"] if d["TargetHealth"]["State"] in ROUTED}
    replacement = {i["InstanceId"] for i in group_of(autoscaling, "contain-asg-tg")["Instances"]} - {suspect}
    assert routed == replacement and len(routed) == 1, "the replacement is registered in its place"
    # The playbook deregisters it itself too: accepted, as it is already out.
    elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": suspect, "Port": 80}])

    autoscaling.exit_standby(AutoScalingGroupName="contain-asg-tg", InstanceIds=[suspect])
    assert health(elbv2, group, suspect)["TargetHealth"]["State"] in ROUTED, "registered again"
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": suspect, "Port": 80}])
    assert health(elbv2, group, suspect)["Target"]["Port"] == 80


# EC2


def test_instance_profile_association_cycle(emulator):
    ec2, iam = emulator.client("ec2"), emulator.client("iam")
    iam.create_role(RoleName="contain-app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    app = iam.create_instance_profile(InstanceProfileName="contain-app")["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="contain-app", RoleName="contain-app")
    (suspect,) = run(ec2)

    def associations():
        return ec2.describe_iam_instance_profile_associations(
            Filters=[{"Name": "instance-id", "Values": [suspect]}])["IamInstanceProfileAssociations"]

    made = ec2.associate_iam_instance_profile(IamInstanceProfile={"Name": "contain-app"}, InstanceId=suspect)[
        "IamInstanceProfileAssociation"]
    assert made["State"] == "associating" and made["IamInstanceProfile"]["Arn"] == app["Arn"]
    (current,) = associations()
    assert current["AssociationId"] == made["AssociationId"] and current["State"] in ("associating", "associated")
    assert instance(ec2, suspect)["IamInstanceProfile"] == {"Arn": app["Arn"], "Id": app["InstanceProfileId"]}
    assert error_code(ec2.associate_iam_instance_profile, IamInstanceProfile={"Name": "contain-app"},
                      InstanceId=suspect) == "IncorrectState", "one association an instance"

    gone = ec2.disassociate_iam_instance_profile(AssociationId=made["AssociationId"])["IamInstanceProfileAssociation"]
    assert gone["State"] == "disassociating"
    assert all(a["State"] in ("disassociating", "disassociated") for a in associations())
    assert "IamInstanceProfile" not in instance(ec2, suspect)

    again = ec2.associate_iam_instance_profile(IamInstanceProfile={"Arn": app["Arn"]}, InstanceId=suspect)[
        "IamInstanceProfileAssociation"]
    assert again["AssociationId"] != made["AssociationId"]
    assert [a["AssociationId"] for a in associations() if a["State"] == "associated"] == [again["AssociationId"]]

    other = iam.create_instance_profile(InstanceProfileName="contain-other")["InstanceProfile"]
    ec2.replace_iam_instance_profile_association(IamInstanceProfile={"Name": "contain-other"},
                                                 AssociationId=again["AssociationId"])
    assert instance(ec2, suspect)["IamInstanceProfile"] == {"Arn": other["Arn"], "Id": other["InstanceProfileId"]}


def test_termination_protection_on_and_off(emulator):
    ec2 = emulator.client("ec2")
    (suspect,) = run(ec2)

    def protected():
        return ec2.describe_instance_attribute(InstanceId=suspect, Attribute="disableApiTermination")[
            "DisableApiTermination"]["Value"]

    assert protected() is False
    ec2.modify_instance_attribute(InstanceId=suspect, DisableApiTermination={"Value": True})
    assert protected() is True
    assert error_code(ec2.terminate_instances, InstanceIds=[suspect]) == "OperationNotPermitted"
    ec2.modify_instance_attribute(InstanceId=suspect, DisableApiTermination={"Value": False})
    assert protected() is False


def test_snapshots_created_with_tags_are_found_by_tag(emulator):
    ec2 = emulator.client("ec2")
    (suspect,) = run(ec2)
    volume = instance(ec2, suspect)["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    tags = [{"Key": "hubfix:contained", "Value": "finding-1"}, {"Key": "Name", "Value": "forensics"}]
    made = ec2.create_snapshot(VolumeId=volume, Description="containment",
                               TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}])
    assert made["VolumeId"] == volume and sorted(made["Tags"], key=str) == sorted(tags, key=str)
    ec2.create_snapshot(VolumeId=volume, TagSpecifications=[
        {"ResourceType": "snapshot", "Tags": [{"Key": "hubfix:contained", "Value": "finding-2"}]}])

    found = ec2.describe_snapshots(Filters=[{"Name": "tag:hubfix:contained", "Values": ["finding-1"]}])["Snapshots"]
    assert [s["SnapshotId"] for s in found] == [made["SnapshotId"]]
    assert found[0]["Description"] == "containment"
    both = ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag-key", "Values": ["hubfix:contained"]}])
    assert len(both["Snapshots"]) == 2
    assert ec2.describe_snapshots(Filters=[{"Name": "tag:hubfix:contained", "Values": ["none"]}])["Snapshots"] == []


def test_modify_instance_groups_replaces_the_groups_of_the_instance_and_its_interface(emulator):
    ec2 = emulator.client("ec2")
    vpc, _ = default_vpc(ec2)
    web = ec2.create_security_group(GroupName="contain-web", Description="web", VpcId=vpc)["GroupId"]
    isolation = ec2.create_security_group(GroupName="contain-iso", Description="isolation", VpcId=vpc)["GroupId"]
    (suspect,) = run(ec2, SecurityGroupIds=[web])

    def groups():
        seen = instance(ec2, suspect)
        eni = seen["NetworkInterfaces"][0]["NetworkInterfaceId"]
        described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
        return ({g["GroupId"] for g in seen["SecurityGroups"]},
                {g["GroupId"] for g in seen["NetworkInterfaces"][0]["Groups"]},
                {g["GroupId"] for g in described["Groups"]},
                {g["GroupId"] for g in ec2.describe_instance_attribute(InstanceId=suspect, Attribute="groupSet")[
                    "Groups"]})

    assert groups() == ({web},) * 4
    ec2.modify_instance_attribute(InstanceId=suspect, Groups=[isolation])
    assert groups() == ({isolation},) * 4, "replaced, not added to"
    ec2.modify_instance_attribute(InstanceId=suspect, Groups=[web])
    assert groups() == ({web},) * 4
    assert error_code(ec2.modify_instance_attribute, InstanceId=suspect,
                      Groups=["sg-0123456789abcdef0"]) == "InvalidGroup.NotFound"
    assert groups() == ({web},) * 4

    eni = instance(ec2, suspect)["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[isolation])
    assert groups() == ({isolation},) * 4, "the primary interface's groups are the instance's"


def test_instance_tags_are_created_and_deleted(emulator):
    ec2 = emulator.client("ec2")
    (suspect,) = run(ec2)
    ec2.create_tags(Resources=[suspect], Tags=[{"Key": "hubfix:contained", "Value": "finding-1"},
                                               {"Key": "team", "Value": "web"}])
    assert {t["Key"]: t["Value"] for t in instance(ec2, suspect)["Tags"]} == {
        "hubfix:contained": "finding-1", "team": "web"}
    tagged = ec2.describe_instances(Filters=[{"Name": "tag:hubfix:contained", "Values": ["finding-1"]}])
    assert [i["InstanceId"] for r in tagged["Reservations"] for i in r["Instances"]] == [suspect]

    ec2.delete_tags(Resources=[suspect], Tags=[{"Key": "team", "Value": "other"}])
    assert len(instance(ec2, suspect)["Tags"]) == 2, "a value given must match"
    ec2.delete_tags(Resources=[suspect], Tags=[{"Key": "hubfix:contained"}])
    assert instance(ec2, suspect)["Tags"] == [{"Key": "team", "Value": "web"}]


# IAM


def test_access_keys_last_used_and_deactivated(emulator):
    iam = emulator.client("iam")
    iam.create_user(UserName="contain-alice")
    key = iam.create_access_key(UserName="contain-alice")["AccessKey"]["AccessKeyId"]

    used = iam.get_access_key_last_used(AccessKeyId=key)
    assert used["UserName"] == "contain-alice"
    assert "LastUsedDate" not in used["AccessKeyLastUsed"], "never used"
    # The reference lists no error of its own; moto answers NoSuchEntity (404).
    assert error_code(iam.get_access_key_last_used, AccessKeyId="AKIAIOSFODNN7EXAMPLE") == "NoSuchEntity"

    iam.update_access_key(UserName="contain-alice", AccessKeyId=key, Status="Inactive")
    (listed,) = iam.list_access_keys(UserName="contain-alice")["AccessKeyMetadata"]
    assert (listed["AccessKeyId"], listed["Status"]) == (key, "Inactive")
    iam.update_access_key(UserName="contain-alice", AccessKeyId=key, Status="Active")
    assert iam.list_access_keys(UserName="contain-alice")["AccessKeyMetadata"][0]["Status"] == "Active"


def raw_bodies(client, operation: str) -> list[str]:
    """The HTTP bodies of the client's answers to `operation`, as they come."""
    bodies: list[str] = []
    client.meta.events.register(f"after-call.iam.{operation}",
                                lambda http_response, **_: bodies.append(http_response.text))
    return bodies


def test_user_inline_policy_round_trips_exactly(emulator):
    iam = emulator.client("iam")
    bodies = raw_bodies(iam, "GetUserPolicy")
    iam.create_user(UserName="contain-bob")
    text = json.dumps(REVOKE)
    iam.put_user_policy(UserName="contain-bob", PolicyName="hubfix-revoke", PolicyDocument=text)

    got = iam.get_user_policy(UserName="contain-bob", PolicyName="hubfix-revoke")
    assert (got["UserName"], got["PolicyName"]) == ("contain-bob", "hubfix-revoke")
    assert got["PolicyDocument"] == REVOKE
    assert got["PolicyDocument"]["Statement"][0]["Condition"] == TOKEN_CUTOFF
    assert f"<PolicyDocument>{urllib.parse.quote(text, safe='')}</PolicyDocument>" in bodies[-1], \
        "URL-encoded in the XML"
    assert iam.list_user_policies(UserName="contain-bob")["PolicyNames"] == ["hubfix-revoke"]

    iam.delete_user_policy(UserName="contain-bob", PolicyName="hubfix-revoke")
    assert error_code(iam.get_user_policy, UserName="contain-bob", PolicyName="hubfix-revoke") == "NoSuchEntity"
    assert error_code(iam.delete_user_policy, UserName="contain-bob", PolicyName="hubfix-revoke") == "NoSuchEntity"
    assert iam.list_user_policies(UserName="contain-bob")["PolicyNames"] == []


def test_role_inline_policy_round_trips_exactly_and_service_role_paths_show(emulator):
    iam = emulator.client("iam")
    bodies = raw_bodies(iam, "GetRolePolicy")
    role = iam.create_role(RoleName="AWSServiceRoleForContain", Path="/aws-service-role/",
                           AssumeRolePolicyDocument=json.dumps(TRUST_EC2))["Role"]
    assert role["Arn"].endswith(":role/aws-service-role/AWSServiceRoleForContain")
    got_role = iam.get_role(RoleName="AWSServiceRoleForContain")["Role"]
    assert got_role["Path"] == "/aws-service-role/" and got_role["Arn"] == role["Arn"]

    text = json.dumps(REVOKE, separators=(",", ":"))
    iam.put_role_policy(RoleName="AWSServiceRoleForContain", PolicyName="hubfix-revoke", PolicyDocument=text)
    got = iam.get_role_policy(RoleName="AWSServiceRoleForContain", PolicyName="hubfix-revoke")
    assert (got["RoleName"], got["PolicyName"]) == ("AWSServiceRoleForContain", "hubfix-revoke")
    assert got["PolicyDocument"] == REVOKE
    assert f"<PolicyDocument>{urllib.parse.quote(text, safe='')}</PolicyDocument>" in bodies[-1]

    iam.delete_role_policy(RoleName="AWSServiceRoleForContain", PolicyName="hubfix-revoke")
    assert error_code(iam.get_role_policy, RoleName="AWSServiceRoleForContain",
                      PolicyName="hubfix-revoke") == "NoSuchEntity"
    assert iam.list_role_policies(RoleName="AWSServiceRoleForContain")["PolicyNames"] == []
