"""EC2 request parameters moto 5.2.5 ignores.

DescribeSnapshots: `OwnerIds` (account ids, `self`, `amazon`) and `RestorableByUserIds`
(account ids, or `all` for public snapshots) filter the result, as in the API reference;
moto returns every snapshot, its own AMI snapshots included.

CreateLaunchTemplateVersion: with `SourceVersion`, the new version inherits the source
version's launch parameters except those the request gives (the API reference), each
given parameter replacing the source's whole; moto keeps only the request's.
"""

from __future__ import annotations

from typing import Any

import copy

from moto.core.responses import ActionResult
from moto.ec2.responses.elastic_block_store import ElasticBlockStore
from moto.ec2.responses.launch_templates import LaunchTemplates


def owned_by(snapshot: Any, owners: list[str], caller: str) -> bool:
    """Whether a snapshot's owner is one of `owners` (`self` is the caller)."""
    wanted = {caller if o == "self" else o for o in owners}
    return snapshot.owner_id in wanted


def restorable_by(snapshot: Any, users: list[str], caller: str) -> bool:
    """Whether any of `users` (`all` for everyone) may create volumes from a snapshot."""
    for user in users:
        user = caller if user == "self" else user
        if user == "all" and "all" in snapshot.create_volume_permission_groups:
            return True
        if user in snapshot.create_volume_permission_userids or user == snapshot.owner_id:
            return True
    return False


def describe_snapshots(self: ElasticBlockStore) -> ActionResult:
    """DescribeSnapshots with OwnerIds and RestorableByUserIds applied."""
    filters = self._filters_from_querystring()
    snapshot_ids = self._get_param("SnapshotIds", [])
    snapshots = self.ec2_backend.describe_snapshots(snapshot_ids=snapshot_ids, filters=filters)
    owners = self._get_param("OwnerIds", [])
    users = self._get_param("RestorableByUserIds", [])
    caller = self.current_account
    if owners:
        snapshots = [s for s in snapshots if owned_by(s, owners, caller)]
    if users:
        snapshots = [s for s in snapshots if restorable_by(s, users, caller)]
    return ActionResult({"Snapshots": snapshots})


def create_launch_template_version(self: LaunchTemplates) -> ActionResult:
    """CreateLaunchTemplateVersion, the new version based on `SourceVersion` if given."""
    source = self._get_param("SourceVersion")
    if source is None:
        return _moto_create_launch_template_version(self)
    name = self._get_param("LaunchTemplateName")
    template = (self.ec2_backend.get_launch_template_by_name(name) if name
                else self.ec2_backend.get_launch_template(self._get_param("LaunchTemplateId")))
    data = {**copy.deepcopy(template.get_version(source).data), **self._get_param("LaunchTemplateData", {})}
    self.error_on_dryrun()
    version = template.create_version(data, self._get_param("VersionDescription"))
    return ActionResult({
        "LaunchTemplateVersion": {
            "CreateTime": version.create_time,
            "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
            "DefaultVersion": template.is_default(version),
            "LaunchTemplateData": version.data,
            "LaunchTemplateId": template.id,
            "LaunchTemplateName": template.name,
            "VersionDescription": version.description,
            "VersionNumber": version.number,
        },
    })


_moto_create_launch_template_version = LaunchTemplates.create_launch_template_version


def install() -> None:
    """Registers the EC2 fixes with moto."""
    ElasticBlockStore.describe_snapshots = describe_snapshots
    LaunchTemplates.create_launch_template_version = create_launch_template_version
