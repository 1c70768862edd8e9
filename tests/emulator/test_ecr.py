"""The ECR fix, through boto3 over HTTP."""

from __future__ import annotations


def test_scan_on_push_left_out_means_off(emulator):
    ecr = emulator.client("ecr")
    ecr.create_repository(repositoryName="shop/web", imageScanningConfiguration={"scanOnPush": True})

    def scan_on_push():
        return ecr.describe_repositories(repositoryNames=["shop/web"])["repositories"][0]["imageScanningConfiguration"]

    assert scan_on_push() == {"scanOnPush": True}
    ecr.put_image_scanning_configuration(repositoryName="shop/web", imageScanningConfiguration={})
    assert scan_on_push() == {"scanOnPush": False}
    ecr.put_image_scanning_configuration(repositoryName="shop/web", imageScanningConfiguration={"scanOnPush": True})
    assert scan_on_push() == {"scanOnPush": True}
