"""S3 responses moto 5.2.5 gets wrong for the AWS SDK for Rust.

GetBucketVersioning on a bucket that was never versioned: moto answers with an empty
`<GetBucketVersioningResponse/>` root, which strict clients reject; S3 answers with an
empty `<VersioningConfiguration/>` (and with `<Status>` once versioning was set).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from moto.s3.responses import S3Response

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


def install() -> None:
    """Registers the S3 fixes with moto."""
    S3Response.get_bucket_versioning = get_bucket_versioning
