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
