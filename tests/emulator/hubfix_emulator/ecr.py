"""ECR PutImageScanningConfiguration with `scanOnPush` left out.

The API reference: when `scanOnPush` is not specified it defaults to false. The AWS SDKs
leave a false `scanOnPush` out of the request (it is the member's default), so turning
scan on push off sends `"imageScanningConfiguration": {}`; moto 5.2.5 ignores an empty
configuration and leaves scan on push on.
"""

from __future__ import annotations

from typing import Any

from moto.ecr.models import Repository


def update_image_scanning_configuration(self: Repository, image_scanning_configuration: dict[str, Any] | None) -> None:
    """Sets the repository's scanning configuration; a missing `scanOnPush` is false."""
    if image_scanning_configuration is not None:
        self.image_scanning_configuration = {
            "scanOnPush": bool(image_scanning_configuration.get("scanOnPush", False))
        }


def install() -> None:
    """Registers the ECR fix with moto."""
    Repository._update_image_scanning_configuration = update_image_scanning_configuration
