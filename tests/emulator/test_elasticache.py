"""ModifyCacheCluster and ModifyReplicationGroup's AutoMinorVersionUpgrade (added by the
extension), through boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_modify_cache_cluster_sets_backups_and_minor_upgrades_and_reads_back(emulator):
    elasticache = emulator.client("elasticache")
    elasticache.create_cache_cluster(
        CacheClusterId="sessions", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1,
        AutoMinorVersionUpgrade=False, SnapshotRetentionLimit=0,
    )
    cluster = elasticache.modify_cache_cluster(
        CacheClusterId="sessions", SnapshotRetentionLimit=7, AutoMinorVersionUpgrade=True,
        ApplyImmediately=True,
    )["CacheCluster"]
    assert (cluster["SnapshotRetentionLimit"], cluster["AutoMinorVersionUpgrade"]) == (7, True)
    read = elasticache.describe_cache_clusters(CacheClusterId="sessions")["CacheClusters"][0]
    assert (read["SnapshotRetentionLimit"], read["AutoMinorVersionUpgrade"]) == (7, True)
    elasticache.modify_cache_cluster(CacheClusterId="sessions", AutoMinorVersionUpgrade=False)
    read = elasticache.describe_cache_clusters(CacheClusterId="sessions")["CacheClusters"][0]
    assert (read["SnapshotRetentionLimit"], read["AutoMinorVersionUpgrade"]) == (7, False)


def test_a_missing_cluster_and_memcached_backups_are_refused(emulator):
    elasticache = emulator.client("elasticache")
    with pytest.raises(ClientError) as missing:
        elasticache.modify_cache_cluster(CacheClusterId="nowhere", AutoMinorVersionUpgrade=True)
    assert missing.value.response["Error"]["Code"] == "CacheClusterNotFound"
    elasticache.create_cache_cluster(
        CacheClusterId="pages", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1,
    )
    with pytest.raises(ClientError) as memcached:
        elasticache.modify_cache_cluster(CacheClusterId="pages", SnapshotRetentionLimit=1)
    assert memcached.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_replication_group_minor_upgrades_are_kept(emulator):
    elasticache = emulator.client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="carts", ReplicationGroupDescription="carts", Engine="redis",
        CacheNodeType="cache.t3.micro", NumCacheClusters=2, AutoMinorVersionUpgrade=False,
    )
    elasticache.modify_replication_group(ReplicationGroupId="carts", AutoMinorVersionUpgrade=True)
    group = elasticache.describe_replication_groups(ReplicationGroupId="carts")["ReplicationGroups"][0]
    assert group["AutoMinorVersionUpgrade"] is True
