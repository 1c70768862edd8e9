"""EC2 request parameters moto 5.2.5 ignores.

DescribeSnapshots: `OwnerIds` (account ids, `self`, `amazon`) and `RestorableByUserIds`
(account ids, or `all` for public snapshots) filter the result, as in the API reference;
moto returns every snapshot, its own AMI snapshots included.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.responses.elastic_block_store import ElasticBlockStore


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


def install() -> None:
    """Registers the EC2 fixes with moto."""
    ElasticBlockStore.describe_snapshots = describe_snapshots
