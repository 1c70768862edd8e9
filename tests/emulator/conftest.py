"""Fixtures: the emulator started as the Rust harness starts it, and boto3 clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import pytest

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "server.py")
READY = "HUBFIX_EMULATOR_READY "
REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


def start_server(*args: str) -> subprocess.Popen:
    """Starts server.py as the Rust harness does: stdin and stdout piped."""
    return subprocess.Popen(
        [sys.executable, SERVER, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def stop_server(process: subprocess.Popen) -> None:
    """Closes the server's stdin (its signal to exit) and reaps it; kills it if it lingers."""
    if process.poll() is None:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.stdout.close()


class Emulator:
    """A running emulator subprocess and boto3 clients for it."""

    def __init__(self) -> None:
        self.process = start_server("--port", "0")
        line = self.process.stdout.readline()
        if not line.startswith(READY):
            stop_server(self.process)
            raise AssertionError(f"unexpected first line {line!r}")
        self.endpoint = line[len(READY):].strip()

    def client(self, service: str, validate: bool = True, region: str = REGION, attempts: int = 2,
               **credentials: str) -> Any:
        """A boto3 client for the emulator (the default account unless credentials are
        given); `validate=False` turns botocore's own parameter checks off, so requests
        reach the server's validation; `attempts` counts the first try and botocore's
        retries."""
        return boto3.client(
            service,
            config=botocore.config.Config(parameter_validation=validate, retries={"total_max_attempts": attempts}),
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=credentials.get("key", "testing"),
            aws_secret_access_key=credentials.get("secret", "testing"),
            aws_session_token=credentials.get("token"),
        )

    def client_in(self, service: str, account: str, validate: bool = True, region: str = REGION) -> Any:
        """A client acting in `account`, through a role assumed there (moto does not
        require the role to exist: the account comes from the role ARN)."""
        creds = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/hubfix-tests", RoleSessionName="hubfix-tests"
        )["Credentials"]
        return self.client(service, validate=validate, region=region, key=creds["AccessKeyId"],
                           secret=creds["SecretAccessKey"], token=creds["SessionToken"])

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        """Calls one of the extension's admin endpoints (`/_hubfix/...`): (status, JSON answer)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def stop(self) -> None:
        """Stops the emulator."""
        stop_server(self.process)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """One emulator per test module."""
    server = Emulator()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def securityhub(emulator: Emulator) -> Any:
    """A Security Hub client in the default account."""
    return emulator.client("securityhub")


@pytest.fixture(scope="module")
def unvalidated(emulator: Emulator) -> Any:
    """A Security Hub client that sends what it is given, checked only by the server."""
    return emulator.client("securityhub", validate=False)


def make_organization(emulator: Emulator, management: str, accounts: list[str]) -> dict[str, Any]:
    """An organisation with `management` as its management account and `accounts` added
    by id (the extension's admin endpoint); answers DescribeOrganization's
    `Organization` and the root id under `RootId`."""
    orgs = emulator.client_in("organizations", management)
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    for account in accounts:
        status, answer = emulator.admin("POST", "/_hubfix/organizations/accounts",
                                        {"management_account": management, "account": account})
        assert status == 200, answer
    org["RootId"] = orgs.list_roots()["Roots"][0]["Id"]
    return org
