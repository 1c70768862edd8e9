"""The EC2 parameter fixes, through boto3 over HTTP."""

from __future__ import annotations


def test_describe_snapshots_honours_owner_and_restorable_by(emulator):
    ec2 = emulator.client("ec2")
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    public = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    private = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    shared = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=public, Attribute="createVolumePermission",
                                  OperationType="add", GroupNames=["all"])
    ec2.modify_snapshot_attribute(SnapshotId=shared, Attribute="createVolumePermission",
                                  OperationType="add", UserIds=["222222222222"])

    def ids(**kwargs):
        return {s["SnapshotId"] for s in ec2.describe_snapshots(**kwargs)["Snapshots"]}

    own = ids(OwnerIds=["self"])
    assert {public, private, shared} <= own
    assert all(s["OwnerId"] == "123456789012" for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"])
    assert ids(OwnerIds=["self"], RestorableByUserIds=["all"]) == {public}
    assert ids(OwnerIds=["self"], RestorableByUserIds=["222222222222"]) == {shared}
    assert private in ids()


def test_a_launch_template_version_from_a_source_version_inherits_what_it_does_not_give(emulator):
    ec2 = emulator.client("ec2")
    template = ec2.create_launch_template(
        LaunchTemplateName="web-asg",
        LaunchTemplateData={
            "ImageId": "ami-12c6146b",
            "InstanceType": "t3.micro",
            "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}],
        },
    )["LaunchTemplate"]["LaunchTemplateId"]
    created = ec2.create_launch_template_version(
        LaunchTemplateId=template, SourceVersion="1", VersionDescription="no public IP",
        LaunchTemplateData={"NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False}]},
    )["LaunchTemplateVersion"]
    assert created["VersionNumber"] == 2
    data = ec2.describe_launch_template_versions(LaunchTemplateId=template, Versions=["2"])[
        "LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert data["ImageId"] == "ami-12c6146b" and data["InstanceType"] == "t3.micro"
    assert data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is False
    plain = ec2.create_launch_template_version(
        LaunchTemplateId=template, LaunchTemplateData={"InstanceType": "t3.small"})["LaunchTemplateVersion"]
    assert "ImageId" not in plain["LaunchTemplateData"], "without SourceVersion only what is given"
