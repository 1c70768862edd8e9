"""The security checks the emulator runs itself, against moto's own resource state.

Security Hub evaluates a control's resources again on its schedule (every 12 or 24
hours) or when they change, and updates their control findings (User Guide,
"Schedule for running security checks" and "Evaluating compliance status and control
status"). moto has no AWS Config and runs no checks, so the emulator does the checks of
the controls hubfix's demo and tests fix, as the Security Hub controls reference and
the AWS Config managed rules behind them define them:

- `S3.1` (`s3-account-level-public-access-blocks-periodic`): the account's four S3
  Block Public Access settings are all on.
- `S3.8` (`s3-bucket-level-public-access-prohibited`): the bucket's four Block Public
  Access settings are all on.
- `EC2.13` (`restricted-ssh`), `EC2.14` (port 3389): no ingress rule lets TCP (or all
  traffic) reach the port from 0.0.0.0/0 or ::/0.
- `EC2.53`, `EC2.54` (`vpc-sg-port-restriction-check`): no ingress rule lets TCP, UDP
  or all traffic reach the remote administration ports 22 and 3389 from 0.0.0.0/0
  (`EC2.53`) or ::/0 (`EC2.54`).

A check answers PASSED, FAILED, or None when the resource no longer exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.ec2.models import ec2_backends
from moto.s3.models import s3_backends
from moto.s3control.models import s3control_backends

PASSED = "PASSED"
FAILED = "FAILED"

BPA_SETTINGS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
ANY_IPV4 = "0.0.0.0/0"
ANY_IPV6 = "::/0"
ALL_TRAFFIC = "-1"


@dataclass(frozen=True)
class Resource:
    """The resource a finding is about, where it lives."""

    account: str
    region: str
    partition: str
    id: str  # as the finding names it: an ARN, or a bare id or name


@dataclass(frozen=True)
class Check:
    """One control's security check."""

    resource_type: str  # the ASFF resource type the control is about
    severity: str  # the control's severity (Severity.Label of its FAILED findings)
    run: Callable[[Resource], str | None]


def name_in(resource_id: str) -> str:
    """The last part of an ARN (`arn:aws:s3:::bucket` -> `bucket`,
    `arn:...:security-group/sg-1` -> `sg-1`), or the id itself."""
    return resource_id.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def all_on(block: Any) -> bool:
    """Whether a Block Public Access configuration has its four settings on."""
    return block is not None and all(getattr(block, setting) is True for setting in BPA_SETTINGS)


def verdict(passed: bool) -> str:
    """PASSED or FAILED."""
    return PASSED if passed else FAILED


def account_block_public_access(resource: Resource) -> str | None:
    """S3.1: the account-level Block Public Access settings (S3 Control)."""
    backend = s3control_backends[resource.account][resource.partition]
    return verdict(all_on(backend.public_access_block))


def bucket_block_public_access(resource: Resource) -> str | None:
    """S3.8: the bucket-level Block Public Access settings."""
    bucket = s3_backends[resource.account][resource.partition].buckets.get(name_in(resource.id))
    if bucket is None:
        return None
    return verdict(all_on(bucket.public_access_block))


def reaches(rule: Any, ports: tuple[int, ...], protocols: tuple[str, ...]) -> bool:
    """Whether an ingress rule lets one of `protocols` reach one of `ports`."""
    if rule.ip_protocol == ALL_TRAFFIC:
        return ALL_TRAFFIC in protocols
    if rule.ip_protocol not in protocols or rule.from_port is None or rule.to_port is None:
        return False
    return any(rule.from_port <= port <= rule.to_port for port in ports)


def open_ingress(ports: tuple[int, ...], cidrs: tuple[str, ...],
                 protocols: tuple[str, ...]) -> Callable[[Resource], str | None]:
    """A security-group check: FAILED when an ingress rule opens one of `ports` to one
    of `cidrs` over one of `protocols`."""

    def run(resource: Resource) -> str | None:
        group = ec2_backends[resource.account][resource.region].get_security_group_from_id(name_in(resource.id))
        if group is None:
            return None
        exposed = any(
            (rule.ip_range.get("CidrIp") or rule.ip_range.get("CidrIpv6")) in cidrs and reaches(rule, ports, protocols)
            for rule in group.ingress_rules
        )
        return verdict(not exposed)

    return run


TCP = ("tcp", ALL_TRAFFIC)
TCP_UDP = ("tcp", "udp", ALL_TRAFFIC)
REMOTE_ADMINISTRATION = (22, 3389)

CHECKS: dict[str, Check] = {
    "S3.1": Check("AwsAccount", "MEDIUM", account_block_public_access),
    "S3.8": Check("AwsS3Bucket", "HIGH", bucket_block_public_access),
    "EC2.13": Check("AwsEc2SecurityGroup", "HIGH", open_ingress((22,), (ANY_IPV4, ANY_IPV6), TCP)),
    "EC2.14": Check("AwsEc2SecurityGroup", "HIGH", open_ingress((3389,), (ANY_IPV4, ANY_IPV6), TCP)),
    "EC2.53": Check("AwsEc2SecurityGroup", "HIGH", open_ingress(REMOTE_ADMINISTRATION, (ANY_IPV4,), TCP_UDP)),
    "EC2.54": Check("AwsEc2SecurityGroup", "HIGH", open_ingress(REMOTE_ADMINISTRATION, (ANY_IPV6,), TCP_UDP)),
}
