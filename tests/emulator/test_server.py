"""The emulator process: its contract with the Rust harness, modelled latency (also the
benchmark's counting server's), and S3 Control routing."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

from asff import client_error
from conftest import DEFAULT_ACCOUNT, SERVER, start_server, stop_server

COUNTING_SERVER = str(Path(__file__).resolve().parents[2] / "bench" / "counting_server.py")

READY_LINE = re.compile(r"^HUBFIX_EMULATOR_READY http://127\.0\.0\.1:(\d+)\n$")


def ready_port(process: subprocess.Popen) -> int:
    """The port announced on the READY line (which must be the first line)."""
    line = process.stdout.readline()
    match = READY_LINE.match(line)
    assert match, f"not a READY line: {line!r}"
    return int(match.group(1))


def exit_code_within(process: subprocess.Popen, seconds: float) -> int:
    """The process's exit code, asserting it exits in time."""
    started = time.monotonic()
    code = process.wait(timeout=seconds)
    assert time.monotonic() - started < seconds
    return code


def test_exits_when_stdin_closes_and_prints_nothing_but_the_ready_line():
    process = start_server()
    try:
        port = ready_port(process)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert conn.recv(64).startswith(b"HTTP/1.")
        process.stdin.close()
        assert exit_code_within(process, 5) == 0
        assert process.stdout.read() == "", "stdout carries only the READY line"
    finally:
        stop_server(process)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_exits_on_a_stop_signal(signum):
    process = start_server()
    try:
        ready_port(process)
        process.send_signal(signum)
        assert exit_code_within(process, 5) == 0
    finally:
        stop_server(process)


def test_binds_the_port_it_is_given():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    process = start_server("--host", "127.0.0.1", "--port", str(free))
    try:
        assert ready_port(process) == free
    finally:
        stop_server(process)


def test_serves_concurrent_requests(emulator):
    s3 = emulator.client("s3")
    names = [f"concurrent-{i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda name: s3.create_bucket(Bucket=name), names))
    assert set(names) <= {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_s3_control_reaches_moto_without_the_account_host_prefix(emulator):
    """The AWS SDKs send S3 Control to `<account>.<host>`; hubfix's Rust interceptor
    strips the prefix under an endpoint override. A botocore hook does the same here,
    and moto's S3 Control backend answers on the bare loopback host."""
    s3control = emulator.client("s3control")
    sent: list[str] = []

    def strip_account_prefix(request, **_):
        request.url = request.url.replace(f"://{DEFAULT_ACCOUNT}.", "://", 1)
        sent.append(request.url)

    s3control.meta.events.register("before-sign.s3-control", strip_account_prefix)
    missing = client_error(s3control.get_public_access_block, AccountId=DEFAULT_ACCOUNT)
    assert missing["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration"
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404
    config = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
              "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    s3control.put_public_access_block(AccountId=DEFAULT_ACCOUNT, PublicAccessBlockConfiguration=config)
    got = s3control.get_public_access_block(AccountId=DEFAULT_ACCOUNT)
    assert got["PublicAccessBlockConfiguration"] == config
    assert sent and all(url.startswith(f"{emulator.endpoint}/v20180820/configuration/publicAccessBlock")
                        for url in sent), sent


def started(*args: str, script: str = SERVER, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """A server process started with `args`, and its endpoint."""
    process = subprocess.Popen([sys.executable, script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, env={**os.environ, **(env or {})})
    return process, f"http://127.0.0.1:{ready_port(process)}"


def sts(endpoint: str) -> Any:
    return boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_latency_holds_aws_requests_concurrently_but_not_admin_ones():
    process, endpoint = started("--latency-ms", "400")
    try:
        client = sts(endpoint)
        client.get_caller_identity()
        began = time.monotonic()
        client.get_caller_identity()
        assert time.monotonic() - began >= 0.4
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda _: sts(endpoint).get_caller_identity(), range(8)))
        assert time.monotonic() - began < 8 * 0.4 / 2, "held requests overlap"
        began = time.monotonic()
        with urllib.request.urlopen(f"{endpoint}/_hubfix/securityhub/calls") as response:
            assert response.status == 200
        assert time.monotonic() - began < 0.4, "admin endpoints are not held"
    finally:
        stop_server(process)


def test_a_negative_latency_is_refused():
    process = subprocess.Popen([sys.executable, SERVER, "--latency-ms", "-1"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "--latency-ms must not be negative" in err


def test_the_benchmarks_counting_server_logs_calls_and_holds_them(tmp_path):
    log = tmp_path / "calls.tsv"
    process, endpoint = started(script=COUNTING_SERVER,
                                env={"HUBFIX_BENCH_CALL_LOG": str(log), "HUBFIX_BENCH_LATENCY_MS": "300"})
    try:
        client = sts(endpoint)
        client.get_caller_identity()
        client.get_caller_identity()
        began = time.monotonic()
        client.get_caller_identity()
        assert time.monotonic() - began >= 0.3
        with urllib.request.urlopen(f"{endpoint}/_hubfix/securityhub/calls") as response:
            assert response.status == 200
    finally:
        stop_server(process)
    lines = [line.split("\t") for line in log.read_text().splitlines()]
    assert [(service, operation) for service, operation, _ in lines] == [("sts", "GetCallerIdentity")] * 3
    assert float(lines[-1][2]) < 0.3, "the held time is not the emulator's (the first calls build backends)"
