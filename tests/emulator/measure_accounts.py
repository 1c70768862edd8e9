"""What an organisation's account-regions cost the emulator: wall time, the server's CPU
time and its resident memory, phase by phase, in one emulator process.

Usage: python tests/emulator/measure_accounts.py [--accounts 500]
           [--regions us-east-1,eu-west-1,ap-southeast-2] [--buckets 10] [--ec2-sample 50]
           [--extra-keys 3000] [--threads 8] [--server tests/emulator/server.py]

Phases:
  assume   AssumeRole into each account (from the default account)
  touch    one light regional call (SQS ListQueues) per account-region, with the
           account's assumed-role credentials
  buckets  `--buckets` S3 buckets per account-region (unique names), each then read
           (GetPublicAccessBlock, absent: 404) and set (PutPublicAccessBlock)
  ec2      DescribeSecurityGroups in a sample of account-regions (each builds the
           account-region's EC2 backend: default VPC, subnets, group), extrapolated
  keys     `--extra-keys` more assumed-role keys across the accounts, and the cost of
           one request before and after them
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import conftest  # noqa: E402  (starts the server as the tests do)

CONFIG = botocore.config.Config(retries={"total_max_attempts": 1}, max_pool_connections=64)
PUBLIC_ACCESS_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                       "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--regions", default="us-east-1,eu-west-1,ap-southeast-2")
    parser.add_argument("--buckets", type=int, default=10, help="buckets per account-region")
    parser.add_argument("--ec2-sample", type=int, default=50, help="account-regions given an EC2 backend")
    parser.add_argument("--extra-keys", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--server", default=conftest.SERVER, help="the emulator script to start")
    return parser.parse_args(argv)


class Server:
    """The emulator process, and its resident memory and CPU time."""

    def __init__(self, script: str) -> None:
        conftest.SERVER = script
        self.emulator = conftest.Emulator()
        self.pid = self.emulator.process.pid

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clients:
    """boto3 clients for the emulator from one session (its service models loaded once)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.session = boto3.Session()

    def client(self, service: str, region: str, credentials: dict[str, str] | None = None) -> Any:
        credentials = credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing", "SessionToken": None}
        return self.session.client(service, region_name=region, endpoint_url=self.endpoint, config=CONFIG,
                                   aws_access_key_id=credentials["AccessKeyId"],
                                   aws_secret_access_key=credentials["SecretAccessKey"],
                                   aws_session_token=credentials["SessionToken"])


def phase(server: Server, name: str, work: Callable[[], int]) -> dict[str, float]:
    """Runs one phase; prints and returns its figures."""
    rss, cpu, started = server.rss_mb(), server.cpu_seconds(), time.monotonic()
    calls = work()
    figures = {"calls": calls, "wall": time.monotonic() - started, "cpu": server.cpu_seconds() - cpu,
               "rss_after": server.rss_mb(), "rss_delta": server.rss_mb() - rss}
    print(f"{name:8} {calls:7d} calls  wall {figures['wall']:7.1f} s  server CPU {figures['cpu']:7.1f} s "
          f"({figures['cpu'] / max(calls, 1) * 1000:6.2f} ms a call)  RSS {figures['rss_after']:7.0f} MB "
          f"(+{figures['rss_delta']:.0f})", flush=True)
    return figures


def in_parallel(threads: int, jobs: Iterable[Callable[[], int]]) -> int:
    """Runs the jobs on `threads` threads; the sum of the calls they made."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(lambda job: job(), list(jobs)))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    regions = args.regions.split(",")
    accounts = [f"{200000000000 + i}" for i in range(args.accounts)]
    server = Server(args.server)
    clients = Clients(server.emulator.endpoint)
    credentials: dict[str, dict[str, str]] = {}
    print(f"{len(accounts)} accounts x {len(regions)} regions; server RSS at start {server.rss_mb():.0f} MB", flush=True)
    try:
        sts = clients.client("sts", "us-east-1")

        def assume(account: str) -> Callable[[], int]:
            def job() -> int:
                credentials[account] = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/hubfix-remediation",
                                                       RoleSessionName="storm")["Credentials"]
                return 1
            return job

        phase(server, "assume", lambda: in_parallel(args.threads, map(assume, accounts)))

        def touch(account: str, region: str) -> Callable[[], int]:
            def job() -> int:
                clients.client("sqs", region, credentials[account]).list_queues()
                return 1
            return job

        pairs = [(a, r) for a in accounts for r in regions]
        phase(server, "touch", lambda: in_parallel(args.threads, (touch(a, r) for a, r in pairs)))

        def buckets(account: str, region: str) -> Callable[[], int]:
            def job() -> int:
                s3 = clients.client("s3", region, credentials[account])
                names = [f"storm-{account}-{region}-{i}" for i in range(args.buckets)]
                for name in names:
                    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
                    s3.create_bucket(Bucket=name, **extra)
                for name in names:
                    try:
                        s3.get_public_access_block(Bucket=name)
                    except botocore.exceptions.ClientError:
                        pass
                    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
                return 3 * len(names)
            return job

        phase(server, "buckets", lambda: in_parallel(args.threads, (buckets(a, r) for a, r in pairs)))

        def security_groups(account: str, region: str) -> Callable[[], int]:
            def job() -> int:
                clients.client("ec2", region, credentials[account]).describe_security_groups()
                return 1
            return job

        sample = pairs[:: max(1, len(pairs) // args.ec2_sample)][: args.ec2_sample]
        ec2 = phase(server, "ec2", lambda: in_parallel(args.threads, (security_groups(a, r) for a, r in sample)))
        factor = len(pairs) / max(len(sample), 1)
        print(f"ec2 extrapolated to {len(pairs)} account-regions: server CPU {ec2['cpu'] * factor:.0f} s, "
              f"RSS +{ec2['rss_delta'] * factor:.0f} MB", flush=True)

        probe = clients.client("s3", regions[0], credentials[accounts[0]])
        probe_bucket = f"storm-{accounts[0]}-{regions[0]}-0"

        def per_request() -> float:
            started = time.monotonic()
            for _ in range(200):
                probe.get_public_access_block(Bucket=probe_bucket)
            return (time.monotonic() - started) / 200

        before = per_request()
        extra = [accounts[i % len(accounts)] for i in range(args.extra_keys)]
        phase(server, "keys", lambda: in_parallel(args.threads, map(assume, extra)))
        after = per_request()
        print(f"a GetPublicAccessBlock: {before * 1000:.2f} ms before the extra keys, {after * 1000:.2f} ms after",
              flush=True)
    finally:
        server.emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
