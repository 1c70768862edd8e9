"""S3 behaviour moto 5.2.5 gets wrong for the AWS SDK for Rust, or under concurrency.

GetBucketVersioning on a bucket that was never versioned: moto answers with an empty
`<GetBucketVersioningResponse/>` root, which strict clients reject; S3 answers with an
empty `<VersioningConfiguration/>` (and with `<Status>` once versioning was set).

GetBucketNotificationConfiguration of a bucket without notifications: moto answers with
the same empty root; S3 answers with an empty `<NotificationConfiguration/>`.

Listing a bucket while another request deletes one of its keys: moto iterates a copy of
the bucket's key names, then looks each up again, and a key deleted in between raises
`KeyError` (an InternalError answer). S3 lists a consistent view; the items iterated now
come from the copy itself.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from collections.abc import Iterator
from typing import Any

from moto.s3.responses import S3Response
from moto.s3.utils import _VersionedKeyStore

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def versioning_xml(status: str | None) -> str:
    """The GetBucketVersioning body S3 sends."""
    inner = f"<Status>{escape(status)}</Status>" if status else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<VersioningConfiguration xmlns="{S3_NAMESPACE}">{inner}</VersioningConfiguration>'
    )


def get_bucket_versioning(self: S3Response):
    """GetBucketVersioning with S3's root element."""
    status = self.backend.get_bucket_versioning(self.bucket_name)
    return 200, {"Content-Type": "application/xml"}, versioning_xml(status)


_moto_get_bucket_notification = S3Response.get_bucket_notification


def get_bucket_notification(self: S3Response):
    """GetBucketNotificationConfiguration, with S3's root element when there is none."""
    if self.backend.get_bucket_notification_configuration(self.bucket_name):
        return _moto_get_bucket_notification(self)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<NotificationConfiguration xmlns="{S3_NAMESPACE}"></NotificationConfiguration>'
    )
    return 200, {"Content-Type": "application/xml"}, body


def snapshot_items(self: _VersionedKeyStore) -> Iterator[tuple[str, Any]]:
    """Each key's latest version, from one copy of the store."""
    for key, versions in self._self_iterable().items():
        if versions:
            yield key, versions[-1]


def snapshot_values(self: _VersionedKeyStore) -> Iterator[Any]:
    """Each key's latest version, from one copy of the store."""
    for _, value in snapshot_items(self):
        yield value


def install() -> None:
    """Registers the S3 fixes with moto."""
    S3Response.get_bucket_versioning = get_bucket_versioning
    S3Response.get_bucket_notification = get_bucket_notification
    _VersionedKeyStore.items = _VersionedKeyStore.iteritems = snapshot_items
    _VersionedKeyStore.values = _VersionedKeyStore.itervalues = snapshot_values
