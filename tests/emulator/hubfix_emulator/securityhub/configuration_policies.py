"""Central configuration, which moto 5.2.5 lacks: CreateConfigurationPolicy,
GetConfigurationPolicy, UpdateConfigurationPolicy, DeleteConfigurationPolicy,
ListConfigurationPolicies, StartConfigurationPolicyAssociation,
GetConfigurationPolicyAssociation and ListConfigurationPolicyAssociations, following
the Security Hub API reference.

Only the delegated administrator, in its home region (its aggregator's), with the
organisation on central configuration, manages policies. A policy is a
`SecurityHub` policy: `ServiceEnabled`, `EnabledStandardIdentifiers` (standards of the
catalogue), `SecurityControlsConfiguration`. Associating a policy with the root, an OU
or an account applies it at once (Security Hub does it within minutes) to the
organisation accounts under the target, in the home region and the aggregator's linked
regions: Security Hub is enabled (the account becomes an associated member) and exactly
the policy's standards are enabled; with `ServiceEnabled` false, Security Hub is
disabled. The association is then SUCCESS.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from moto.organizations.models import organizations_backends
from moto.securityhub.models import SecurityHubBackend, securityhub_backends

from . import standards
from .aggregator import aggregator_of
from .errors import InvalidInput, ResourceConflict, ResourceNotFound, now_iso
from .organization import (
    InvalidAccess,
    associate,
    org_accounts,
    page,
    require_administrator,
    settings,
)

# organisation id -> policy id -> policy.
POLICIES: dict[str, dict[str, dict[str, Any]]] = {}
# organisation id -> target id -> (policy id, target type).
ASSOCIATIONS: dict[str, dict[str, tuple[str, str]]] = {}


def home(backend: SecurityHubBackend) -> dict[str, Any]:
    """The organisation of an administrator calling from its home region under central
    configuration; InvalidAccess otherwise."""
    org = require_administrator(backend)
    if settings(org["Id"], backend.region_name)["configuration_type"] != "CENTRAL":
        raise InvalidAccess("The organization does not use central configuration in this Region")
    return org


def check_policy(policy: Any) -> dict[str, Any]:
    if not isinstance(policy, dict) or not isinstance(policy.get("SecurityHub"), dict):
        raise InvalidInput("ConfigurationPolicy must hold a SecurityHub policy")
    hub = policy["SecurityHub"]
    if not isinstance(hub.get("ServiceEnabled"), bool):
        raise InvalidInput("ConfigurationPolicy.SecurityHub.ServiceEnabled is required")
    identifiers = hub.get("EnabledStandardIdentifiers", [])
    if not isinstance(identifiers, list):
        raise InvalidInput("EnabledStandardIdentifiers must be a list")
    for arn in identifiers:
        if standards.path_of_any(arn) is None:
            raise InvalidInput(f"EnabledStandardIdentifiers: {arn!r} is not a standard")
    return policy


def find(org: dict[str, Any], identifier: Any) -> dict[str, Any]:
    for policy in POLICIES.get(org["Id"], {}).values():
        if identifier in (policy["Id"], policy["Arn"]):
            return policy
    raise ResourceNotFound(f"No configuration policy {identifier}")


def create_configuration_policy(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    org = home(backend)
    name = body.get("Name")
    if not isinstance(name, str) or not name.strip() or len(name) > 128:
        raise InvalidInput("Name is required (1-128 characters)")
    policies = POLICIES.setdefault(org["Id"], {})
    if any(p["Name"] == name for p in policies.values()):
        raise ResourceConflict(f"A configuration policy named {name} exists")
    policy_id = str(uuid.uuid4())
    now = now_iso()
    policy = {
        "Arn": f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:configuration-policy/{policy_id}",
        "Id": policy_id,
        "Name": name,
        "Description": body.get("Description", ""),
        "CreatedAt": now,
        "UpdatedAt": now,
        "ConfigurationPolicy": check_policy(body.get("ConfigurationPolicy")),
    }
    policies[policy_id] = policy
    return dict(policy)


def get_configuration_policy(backend: SecurityHubBackend, identifier: str) -> dict[str, Any]:
    return dict(find(home(backend), identifier))


def update_configuration_policy(backend: SecurityHubBackend, identifier: str, body: dict[str, Any]) -> dict[str, Any]:
    org = home(backend)
    policy = find(org, identifier)
    if "Name" in body:
        policy["Name"] = body["Name"]
    if "Description" in body:
        policy["Description"] = body["Description"]
    if "ConfigurationPolicy" in body:
        policy["ConfigurationPolicy"] = check_policy(body["ConfigurationPolicy"])
    policy["UpdatedAt"] = now_iso()
    for target, (policy_id, kind) in ASSOCIATIONS.get(org["Id"], {}).items():
        if policy_id == policy["Id"]:
            apply(backend, org, policy, target, kind)
    return dict(policy)


def delete_configuration_policy(backend: SecurityHubBackend, identifier: str) -> dict[str, Any]:
    org = home(backend)
    policy = find(org, identifier)
    if any(pid == policy["Id"] for pid, _ in ASSOCIATIONS.get(org["Id"], {}).values()):
        raise ResourceConflict("Disassociate the policy from every target before deleting it")
    del POLICIES[org["Id"]][policy["Id"]]
    return {}


def list_configuration_policies(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    org = home(backend)
    summaries = [{"Arn": p["Arn"], "Id": p["Id"], "Name": p["Name"], "Description": p["Description"],
                  "UpdatedAt": p["UpdatedAt"], "ServiceEnabled": p["ConfigurationPolicy"]["SecurityHub"]["ServiceEnabled"]}
                 for p in POLICIES.get(org["Id"], {}).values()]
    return page(summaries, query, "ConfigurationPolicySummaries", max_size=100)


def target_of(org: dict[str, Any], target: Any) -> tuple[str, str]:
    if not isinstance(target, dict) or len(target) != 1:
        raise InvalidInput("Target must name exactly one of AccountId, OrganizationalUnitId, RootId")
    (key, value), = target.items()
    kinds = {"AccountId": "ACCOUNT", "OrganizationalUnitId": "ORGANIZATIONAL_UNIT", "RootId": "ROOT"}
    if key not in kinds or not isinstance(value, str):
        raise InvalidInput("Target must name exactly one of AccountId, OrganizationalUnitId, RootId")
    management = organizations_backends[org["MasterAccountId"]]["aws"]
    if key == "RootId" and value != org_root(management):
        raise ResourceNotFound(f"No root {value} in {org['Id']}")
    if key == "AccountId" and value not in org_accounts(org):
        raise ResourceNotFound(f"No account {value} in {org['Id']}")
    return value, kinds[key]


def org_root(management: Any) -> str:
    return management.org.root_id


def accounts_under(org: dict[str, Any], target: str, kind: str) -> list[str]:
    if kind == "ROOT":
        return org_accounts(org)
    if kind == "ACCOUNT":
        return [target]
    management = organizations_backends[org["MasterAccountId"]]["aws"]
    under = []
    for account in management.accounts:
        parent = account.parent_id
        while parent and parent.startswith("ou-"):
            if parent == target:
                under.append(account.id)
                break
            parent = next((ou.parent_id for ou in management.ou if ou.id == parent), None)
    return under


def apply(backend: SecurityHubBackend, org: dict[str, Any], policy: dict[str, Any], target: str, kind: str) -> None:
    """Applies a policy to the accounts under a target in the home and linked regions."""
    hub_policy = policy["ConfigurationPolicy"]["SecurityHub"]
    aggregator = aggregator_of(backend.account_id)
    regions = {backend.region_name}
    if aggregator and aggregator["RegionLinkingMode"] == "SPECIFIED_REGIONS":
        regions |= set(aggregator["Regions"])
    for account in accounts_under(org, target, kind):
        for region in sorted(regions):
            member = securityhub_backends[account][region]
            if not hub_policy["ServiceEnabled"]:
                if member.enabled and account != backend.account_id:
                    member.disable_security_hub()
                continue
            if not member.enabled:
                member.enable_security_hub(enable_default_standards=False, tags={})
                member.hubfix_hub = {"ControlFindingGenerator": "SECURITY_CONTROL", "AutoEnableControls": True}
            wanted = {standards.path_of_any(arn) for arn in hub_policy.get("EnabledStandardIdentifiers", [])}
            subscriptions = standards.subscriptions_of(member)
            for sub in list(subscriptions):
                if standards.path_of_any(subscriptions[sub]["StandardsArn"]) not in wanted:
                    del subscriptions[sub]
            for path in sorted(wanted):
                standards.subscribe(member, path, {})
            if account != backend.account_id:
                admin = securityhub_backends[backend.account_id][region]
                associate(admin, account, "", organization=True)


def start_configuration_policy_association(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    org = home(backend)
    policy = find(org, body.get("ConfigurationPolicyIdentifier"))
    target, kind = target_of(org, body.get("Target"))
    ASSOCIATIONS.setdefault(org["Id"], {})[target] = (policy["Id"], kind)
    apply(backend, org, policy, target, kind)
    return association(policy["Id"], target, kind)


def association(policy_id: str, target: str, kind: str) -> dict[str, Any]:
    return {"ConfigurationPolicyId": policy_id, "TargetId": target, "TargetType": kind,
            "AssociationType": "APPLIED", "UpdatedAt": datetime.datetime.now(datetime.UTC).isoformat(),
            "AssociationStatus": "SUCCESS"}


def get_configuration_policy_association(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    org = home(backend)
    target, kind = target_of(org, body.get("Target"))
    found = ASSOCIATIONS.get(org["Id"], {}).get(target)
    if found is None:
        raise ResourceNotFound(f"No configuration policy is associated with {target}")
    return association(found[0], target, kind)


def list_configuration_policy_associations(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    org = home(backend)
    items = [association(pid, target, kind) for target, (pid, kind) in ASSOCIATIONS.get(org["Id"], {}).items()]
    return page(items, body, "ConfigurationPolicyAssociationSummaries", max_size=100)
