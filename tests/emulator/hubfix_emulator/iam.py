"""IAM's cost per account, which decides what an organisation of 500 accounts costs.

moto 5.2.5 builds an IAM backend per account and partition on first touch, and with
MOTO_IAM_LOAD_MANAGED_POLICIES (which the server sets: real accounts have AWS managed
policies) each one parses the 4.6 MB catalogue of AWS managed policies and builds its
1,582 policies: 0.17 s and 4 MB. Worse, moto finds a request's account by looking for
its access key in every account's IAM backend of every partition (six), building the
ones missing: the first request signed by an assumed role's key builds five more IAM
backends in every account known so far (26 MB and over a second each), and every
request costs a scan of all accounts.

Here:
- Access keys are indexed as IAM backends store them (`AccessKeys`), so a request's
  account is found in constant time and no backend is built to find it. A key moto does
  not know still means the default account.
- An IAM backend loads the AWS managed policies when something first reads them (any
  policy API; `get_policy` of `AWSSupportAccess` finds it as before), not when the
  account is first touched: an account used only through S3 or EC2 never pays for
  them. The catalogue is parsed once for all accounts and the policies' documents are
  shared (AWS managed policies cannot be changed); each account still gets its own
  policy objects, whose attachment counts are its own.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam import models as iam_models
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, ManagedPolicy, iam_backends
from moto.settings import load_iam_aws_managed_policies

# Access key id -> (account, partition) of the IAM backend that stored it.
KEY_OWNERS: dict[str, tuple[str, str]] = {}


class AccessKeys(dict):
    """An IAM backend's access keys (moto's dict), entered in KEY_OWNERS as they are stored."""

    def __init__(self, account_id: str, partition: str) -> None:
        super().__init__()
        self.owner = (account_id, partition)

    def __setitem__(self, key_id: str, key: Any) -> None:
        super().__setitem__(key_id, key)
        KEY_OWNERS[key_id] = self.owner

    def __delitem__(self, key_id: str) -> None:
        super().__delitem__(key_id)
        KEY_OWNERS.pop(key_id, None)


def get_account_id_from(access_key: str) -> str:
    """The account whose IAM backend holds `access_key`, else the default account
    (moto's answer, without scanning or building any backend)."""
    owner = KEY_OWNERS.get(access_key)
    if owner is not None:
        account_id, partition = owner
        backend = dict.get(dict.get(iam_backends, account_id) or {}, partition)
        if backend is not None and access_key in backend.access_keys:
            return account_id
    return DEFAULT_ACCOUNT_ID


@functools.cache
def catalogue() -> tuple[tuple[str, dict[str, Any], str], ...]:
    """The AWS managed policies, parsed once: (name, data, document as JSON text)."""
    parsed = json.loads(aws_managed_policies_data)
    return tuple((name, data, json.dumps(data.get("Document"))) for name, data in parsed.items())


def build_aws_policies(backend: IAMBackend) -> list[ManagedPolicy]:
    """One account's AWS managed policies (as moto's `AWSManagedPolicy.from_data` makes
    them, with the shared document text)."""
    if not load_iam_aws_managed_policies():
        return []
    return [
        AWSManagedPolicy(name, account_id=backend.account_id, region=backend.region_name,
                         default_version_id=data.get("DefaultVersionId"), path=data.get("Path"),
                         document=document, create_date=datetime.datetime.fromisoformat(data["CreateDate"]),
                         update_date=datetime.datetime.fromisoformat(data["UpdateDate"]))
        for name, data, document in catalogue()
    ]


def loaded(backend: IAMBackend) -> dict[str, Any]:
    """The backend's state, with the AWS managed policies loaded, first in the policy
    map as moto keeps them."""
    state = backend.__dict__
    if state.get("hubfix_aws_policies") is None:
        policies = build_aws_policies(backend)
        state["hubfix_managed_policies"] = {**{p.arn: p for p in policies}, **state["hubfix_managed_policies"]}
        state["hubfix_aws_policies"] = policies
    return state


def aws_managed_policies(backend: IAMBackend) -> list[ManagedPolicy]:
    """IAMBackend.aws_managed_policies, loaded on first read."""
    return loaded(backend)["hubfix_aws_policies"]


def set_aws_managed_policies(backend: IAMBackend, policies: list[ManagedPolicy] | None) -> None:
    backend.__dict__["hubfix_aws_policies"] = policies


def managed_policies(backend: IAMBackend) -> dict[str, ManagedPolicy]:
    """IAMBackend.managed_policies (AWS's and the account's), loaded on first read."""
    return loaded(backend)["hubfix_managed_policies"]


def set_managed_policies(backend: IAMBackend, policies: dict[str, ManagedPolicy]) -> None:
    backend.__dict__["hubfix_managed_policies"] = policies


moto_init = IAMBackend.__init__


def init(self: IAMBackend, region_name: str, account_id: str) -> None:
    """moto's IAMBackend, with indexed access keys and the AWS managed policies not loaded yet."""
    moto_init(self, region_name, account_id)
    self.access_keys = AccessKeys(account_id, region_name)


def install() -> None:
    """Indexes access keys and loads AWS managed policies when first read."""
    iam_models.get_account_id_from = get_account_id_from
    IAMBackend.__init__ = init
    IAMBackend._init_aws_policies = lambda self: None
    IAMBackend._init_managed_policies = lambda self: {}
    IAMBackend.aws_managed_policies = property(aws_managed_policies, set_aws_managed_policies)
    IAMBackend.managed_policies = property(managed_policies, set_managed_policies)
