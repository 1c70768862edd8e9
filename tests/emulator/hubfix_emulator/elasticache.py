"""ElastiCache's ModifyCacheCluster, and automatic minor version upgrades on
ModifyReplicationGroup.

moto 5.2.5 creates, describes and deletes cache clusters but has no ModifyCacheCluster,
and its ModifyReplicationGroup ignores `AutoMinorVersionUpgrade`. hubfix changes two
settings of a cluster (ElastiCache API Reference, ModifyCacheCluster):
`SnapshotRetentionLimit` (days of automatic backups, 0 turns them off; Redis OSS and
Valkey only) and `AutoMinorVersionUpgrade`, and the same two of a replication group.
This adds ModifyCacheCluster for those settings (with `SnapshotWindow`), answering the
cluster as DescribeCacheClusters does, and reads `AutoMinorVersionUpgrade` on
ModifyReplicationGroup. A cluster that does not exist answers `CacheClusterNotFound`;
backups of a Memcached cluster answer `InvalidParameterCombination`, as ElastiCache
does.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.elasticache.exceptions import CacheClusterNotFound, InvalidParameterCombinationException
from moto.elasticache.responses import ElastiCacheResponse


def modify_cache_cluster(self: ElastiCacheResponse) -> ActionResult:
    """ModifyCacheCluster: the backup and upgrade settings of one cluster."""
    cluster_id = self._get_param("CacheClusterId")
    clusters = self.elasticache_backend.cache_clusters
    if cluster_id not in clusters:
        raise CacheClusterNotFound(cluster_id)
    cluster = clusters[cluster_id]
    retention = self._get_int_param("SnapshotRetentionLimit")
    if retention is not None:
        if cluster.engine == "memcached":
            raise InvalidParameterCombinationException(
                "Snapshotting is not supported for engine memcached."
            )
        cluster.snapshot_retention_limit = retention
    window = self._get_param("SnapshotWindow")
    if window:
        cluster.snapshot_window = window
    upgrades = self._get_bool_param("AutoMinorVersionUpgrade")
    if upgrades is not None:
        cluster.auto_minor_version_upgrade = upgrades
    return ActionResult({"CacheCluster": cluster})


def with_minor_upgrades(modify_replication_group: Any) -> Any:
    """Wraps moto's ModifyReplicationGroup to read `AutoMinorVersionUpgrade` too."""

    def wrapped(self: ElastiCacheResponse) -> Any:
        out = modify_replication_group(self)
        upgrades = self._get_bool_param("AutoMinorVersionUpgrade")
        if upgrades is not None:
            group_id = self._get_param("ReplicationGroupId")
            self.elasticache_backend.replication_groups[group_id].auto_minor_version_upgrade = upgrades
        return out

    return wrapped


def install() -> None:
    """Registers the ElastiCache additions with moto."""
    ElastiCacheResponse.modify_cache_cluster = modify_cache_cluster
    ElastiCacheResponse.modify_replication_group = with_minor_upgrades(
        ElastiCacheResponse.modify_replication_group
    )
