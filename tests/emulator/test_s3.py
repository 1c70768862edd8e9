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


def test_a_bucket_without_notifications_answers_with_notification_configuration_root(emulator):
    s3 = emulator.client("s3")
    bucket = f"n-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    bodies = []
    s3.meta.events.register(
        "after-call.s3.GetBucketNotificationConfiguration",
        lambda http_response, **_: bodies.append(http_response.content.decode()),
    )
    s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "<NotificationConfiguration" in bodies[0] and "Response" not in bodies[0], bodies[0]
    topic = emulator.client("sns").create_topic(Name=f"{bucket}-events")["TopicArn"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "TopicConfigurations": [{"Id": "t", "TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}]})
    configured = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert configured["TopicConfigurations"][0]["TopicArn"] == topic


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
