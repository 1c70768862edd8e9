"""AWS Organizations where moto 5.2.5 falls short for an organisation's Security Hub
foundation, following the Organizations API reference:

- Security Hub (`securityhub.amazonaws.com`) can be a delegated administrator (moto's
  list of services that support one lacks it).
- Service control policies: CreatePolicy and UpdatePolicy check an SCP's document (JSON
  with `Version` and a `Statement` list: MalformedPolicyDocumentException) and its
  size (at most 5,120 characters: ConstraintViolationException
  `POLICY_CONTENT_LIMIT_EXCEEDED`); AttachPolicy refuses an SCP while SCPs are not
  enabled on the root (PolicyTypeNotEnabledException).
- Service control policies are enforced (`scp.py`) for the Security Hub, AWS Config and
  Organizations calls of accounts they apply to.
- `POST /_hubfix/organizations/accounts` (admin endpoint) adds an existing account, by
  its id, to an organisation, as InviteAccountToOrganization and AcceptHandshake would
  (moto's CreateAccount makes up ids): `{"management_account": "...", "account":
  "...", "name": "...", "email": "..."}` answers `{"account": {...}}` as
  DescribeAccount would.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.core.exceptions import ServiceException
from moto.organizations import models
from moto.organizations.models import FakeAccount, FakeDelegatedAdministrator, OrganizationsBackend, organizations_backends
from moto.organizations.utils import DEFAULT_RCP_POLICY_ID, DEFAULT_SCP_POLICY_ID

from .admin import AdminError, Handler, Route

MAX_SCP_CHARS = 5120
ACCOUNT_ID = re.compile(r"^\d{12}$")
SCP = "SERVICE_CONTROL_POLICY"


class MalformedPolicyDocument(ServiceException):
    """The policy document is not valid."""

    code = "MalformedPolicyDocumentException"


class ConstraintViolation(ServiceException):
    """A limit of Organizations (the reason says which)."""

    code = "ConstraintViolationException"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.Reason = reason


class PolicyTypeNotEnabled(ServiceException):
    """The policy type is not enabled on the root."""

    code = "PolicyTypeNotEnabledException"
    message = "This operation can be performed only for enabled policy types."


def check_document(policy_type: str, content: Any) -> None:
    """An SCP's document: JSON, Version and Statement, at most 5,120 characters."""
    if policy_type != SCP or content is None:
        return
    try:
        document = json.loads(content)
    except (TypeError, json.JSONDecodeError) as err:
        raise MalformedPolicyDocument(f"The policy is not valid JSON: {err}") from None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(document, dict) or "Version" not in document or not isinstance(statements, (list, dict)):
        raise MalformedPolicyDocument("The policy needs a Version and a Statement")
    if len(content) > MAX_SCP_CHARS:
        raise ConstraintViolation(
            f"The policy is {len(content)} characters; a service control policy may have at most {MAX_SCP_CHARS}",
            "POLICY_CONTENT_LIMIT_EXCEEDED")


moto_create_policy = OrganizationsBackend.create_policy
moto_update_policy = OrganizationsBackend.update_policy
moto_attach_policy = OrganizationsBackend.attach_policy


def create_policy(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    check_document(kwargs.get("Type", ""), kwargs.get("Content"))
    return moto_create_policy(self, **kwargs)


def update_policy(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    policy = self.get_policy_by_id(kwargs["PolicyId"])
    check_document(policy.type, kwargs.get("Content"))
    return moto_update_policy(self, **kwargs)


def attach_policy(self: OrganizationsBackend, **kwargs: Any) -> None:
    policy = self.get_policy_by_id(kwargs["PolicyId"])
    if policy.type == SCP and not policy.aws_managed and self.org is not None:
        root = next((ou for ou in self.ou if ou.id == self.org.root_id), None)
        if root is not None and not any(t["Type"] == SCP for t in root.policy_types):
            raise PolicyTypeNotEnabled
    return moto_attach_policy(self, **kwargs)


def add_account(body: dict[str, Any]) -> dict[str, Any]:
    """POST /_hubfix/organizations/accounts."""
    management, account = body.get("management_account"), body.get("account")
    for name, value in (("management_account", management), ("account", account)):
        if not isinstance(value, str) or not ACCOUNT_ID.match(value):
            raise AdminError(f"{name} must be a 12-digit account id")
    backend = organizations_backends[management]["aws"]
    if backend.org is None:
        raise AdminError(f"{management} has no organization (CreateOrganization first)")
    if account in organizations_backends.master_accounts or any(a.id == account for a in backend.accounts):
        raise AdminError(f"{account} is already in an organization")
    name = body.get("name") or f"account-{account}"
    email = body.get("email") or f"{account}@example.com"
    joined = FakeAccount(backend.org, AccountName=name, Email=email)
    joined.id = account
    joined.joined_method = "INVITED"
    backend.accounts.append(joined)
    for policy_id in (DEFAULT_SCP_POLICY_ID, DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=account)
    organizations_backends.master_accounts[account] = (management, backend.partition)
    return {"account": joined.describe()}


ROUTES: dict[Route, Handler] = {("POST", "/_hubfix/organizations/accounts"): add_account}


def install() -> None:
    """Installs the changes to moto's Organizations."""
    if "securityhub.amazonaws.com" not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append("securityhub.amazonaws.com")
    OrganizationsBackend.create_policy = create_policy
    OrganizationsBackend.update_policy = update_policy
    OrganizationsBackend.attach_policy = attach_policy
    assert models.organizations_backends is organizations_backends
