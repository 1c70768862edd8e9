"""The emulator process: its contract with the Rust harness, and S3 Control routing."""

from __future__ import annotations

import subprocess
import sys

from conftest import READY, SERVER


def test_exits_when_stdin_closes():
    process = subprocess.Popen([sys.executable, SERVER], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith(READY)
    process.stdin.close()
    assert process.wait(timeout=10) == 0


def test_s3_control_reaches_moto_without_the_account_host_prefix(emulator):
    """The Rust SDK sends S3 Control to `<account>.<host>`; hubfix's interceptor strips
    the prefix. This does the same with a botocore hook and checks moto answers."""
    s3control = emulator.client("s3control")

    def strip_account_prefix(request, **_):
        request.url = request.url.replace("://123456789012.", "://", 1)

    s3control.meta.events.register("before-sign.s3-control.*", strip_account_prefix)
    config = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
              "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    s3control.put_public_access_block(AccountId="123456789012", PublicAccessBlockConfiguration=config)
    got = s3control.get_public_access_block(AccountId="123456789012")
    assert got["PublicAccessBlockConfiguration"] == config
