"""Fixtures: the emulator started as the Rust harness starts it, and boto3 clients."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Iterator

import boto3
import botocore.config
import pytest

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "server.py")
READY = "HUBFIX_EMULATOR_READY "


class Emulator:
    """A running emulator subprocess."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, SERVER, "--port", "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line.startswith(READY), f"unexpected first line {line!r}"
        self.endpoint = line[len(READY):].strip()

    def client(self, service: str, validate: bool = True, region: str = "us-east-1", **credentials: str):
        """A boto3 client for the emulator (default account unless credentials given);
        `validate=False` turns botocore's own parameter checks off, so requests reach
        the server's validation."""
        return boto3.client(
            service,
            config=botocore.config.Config(parameter_validation=validate),
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=credentials.get("key", "testing"),
            aws_secret_access_key=credentials.get("secret", "testing"),
            aws_session_token=credentials.get("token"),
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    server = Emulator()
    yield server
    server.stop()


@pytest.fixture
def securityhub(emulator: Emulator):
    return emulator.client("securityhub")


@pytest.fixture
def unvalidated(emulator: Emulator):
    """A Security Hub client that sends what it is given, checked only by the server."""
    return emulator.client("securityhub", validate=False)
