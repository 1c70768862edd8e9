"""The S3 response fixes, checked on the raw XML a strict client parses."""

from __future__ import annotations

import uuid


def raw_versioning_body(emulator, bucket: str) -> str:
    s3 = emulator.client("s3")
    bodies = []
    s3.meta.events.register(
        "after-call.s3.GetBucketVersioning",
        lambda http_response, **_: bodies.append(http_response.content.decode()),
    )
    s3.get_bucket_versioning(Bucket=bucket)
    return bodies[0]


def test_unversioned_bucket_answers_with_versioning_configuration_root(emulator):
    s3 = emulator.client("s3")
    bucket = f"v-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    body = raw_versioning_body(emulator, bucket)
    assert "<VersioningConfiguration" in body and "<Status>" not in body, body


def test_versioned_bucket_reports_its_status(emulator):
    s3 = emulator.client("s3")
    bucket = f"v-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert "<Status>Suspended</Status>" in raw_versioning_body(emulator, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_listing_survives_a_key_deleted_while_it_iterates():
    """A key deleted after a listing took its copy of the names is still listed from
    that copy, not looked up again (moto's KeyError under concurrent requests)."""
    import hubfix_emulator

    hubfix_emulator.install()
    from moto.s3.utils import _VersionedKeyStore

    store = _VersionedKeyStore()
    store["a"] = "A1"
    store["a"] = "A2"
    store["b"] = "B1"
    items = store.items()
    first = next(items)
    super(_VersionedKeyStore, store).pop("b")
    assert [first, *items] == [("a", "A2"), ("b", "B1")]
    assert list(store.values()) == ["A2"]
