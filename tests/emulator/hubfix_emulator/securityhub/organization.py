"""Security Hub in an organisation, which moto 5.2.5 models only in part (its members
are always ENABLED, nobody is ever invited, the administrator is one per organisation
for every region, hubs have no configuration): following the Security Hub API
reference,

- hub configuration: EnableSecurityHub (ResourceConflictException when enabled,
  `ControlFindingGenerator`), DescribeHub (the administrator's generator for its
  members), UpdateSecurityHubConfiguration, DisableSecurityHub (refused for an
  administrator; removes the account's association);
- the delegated administrator, per region: EnableOrganizationAdminAccount (management
  account only; enables Security Hub's trusted access and registers the delegated
  administrator in Organizations), DisableOrganizationAdminAccount,
  ListOrganizationAdminAccounts;
- the organisation configuration, per region: UpdateOrganizationConfiguration (CENTRAL
  needs a finding aggregator in that region, `AutoEnable` false and
  `AutoEnableStandards` NONE), DescribeOrganizationConfiguration; administrator only;
- members: CreateMembers (organisation accounts are associated at once, their hub and
  default standards enabled; other accounts are CREATED), InviteMembers (only accounts
  outside the organisation), ListMembers, GetMembers, DisassociateMembers,
  DeleteMembers;
- invitations, in the member: ListInvitations, AcceptAdministratorInvitation (and the
  deprecated AcceptInvitation), GetAdministratorAccount (GetMasterAccount),
  DisassociateFromAdministratorAccount (DisassociateFromMasterAccount; accounts outside
  an organisation only), DeclineInvitations, DeleteInvitations.

State lives on moto's per-account, per-region Security Hub backends, and, for what is
the organisation's, in `ORGANIZATIONS` keyed by (organisation id, region).
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.core.exceptions import ServiceException
from moto.organizations.models import organizations_backends
from moto.securityhub.models import SecurityHubBackend, securityhub_backends

from .errors import InvalidInput, ResourceConflict, ResourceNotFound, now_iso

MAX_MEMBERS = 50
GENERATORS = ("SECURITY_CONTROL", "STANDARD_CONTROL")
SECURITY_HUB_PRINCIPAL = "securityhub.amazonaws.com"

# (organisation id, region) -> the organisation's Security Hub settings in that region.
ORGANIZATIONS: dict[tuple[str, str], dict[str, Any]] = {}


class InvalidAccess(ServiceException):
    """The account is not allowed this (HTTP 401): Security Hub is not enabled, or the
    account is not the administrator."""

    code = "InvalidAccessException"


class AccessDenied(ServiceException):
    """The caller may not do this (HTTP 403)."""

    code = "AccessDeniedException"


# --- the organisation -------------------------------------------------------------


def organization_of(account: str) -> dict[str, Any] | None:
    """The account's organisation (`Organization` of DescribeOrganization), if any."""
    try:
        return organizations_backends[account]["aws"].describe_organization()["Organization"]
    except Exception:  # moto raises AWSOrganizationsNotInUseException outside one
        return None


def org_accounts(org: dict[str, Any]) -> list[str]:
    """The ids of the organisation's active accounts."""
    backend = organizations_backends[org["MasterAccountId"]]["aws"]
    return [a.id for a in backend.accounts if a.status == "ACTIVE"]


def settings(org_id: str, region: str) -> dict[str, Any]:
    """The organisation's Security Hub settings in a region."""
    return ORGANIZATIONS.setdefault((org_id, region), {
        "admin": None,
        "auto_enable": False,
        "auto_enable_standards": "DEFAULT",
        "configuration_type": "LOCAL",
    })


def administrator_of(backend: SecurityHubBackend) -> str | None:
    """The delegated administrator of the backend's organisation in its region."""
    org = organization_of(backend.account_id)
    return settings(org["Id"], backend.region_name)["admin"] if org else None


def require_enabled(backend: SecurityHubBackend) -> None:
    if not backend.enabled:
        raise InvalidAccess(f"Account {backend.account_id} is not subscribed to AWS Security Hub in {backend.region_name}")


def require_administrator(backend: SecurityHubBackend) -> dict[str, Any]:
    """The organisation of an administrator calling; InvalidAccess for anyone else."""
    org = organization_of(backend.account_id)
    if org is None or settings(org["Id"], backend.region_name)["admin"] != backend.account_id:
        raise InvalidAccess(
            f"Account {backend.account_id} is not the Security Hub administrator of an organization in {backend.region_name}")
    return org


def require_management(backend: SecurityHubBackend) -> dict[str, Any]:
    org = organization_of(backend.account_id)
    if org is None:
        raise AccessDenied("The request was rejected because AWS Organizations is not in use for this account")
    if org["MasterAccountId"] != backend.account_id:
        raise AccessDenied("Only the organization management account can perform this operation")
    return org


def account_ids(body: dict[str, Any], field: str = "AccountIds") -> list[str]:
    ids = body.get(field)
    if not isinstance(ids, list) or not ids or len(ids) > MAX_MEMBERS or not all(
            isinstance(a, str) and a.isdigit() and len(a) == 12 for a in ids):
        raise InvalidInput(f"{field} must be a list of 1 to {MAX_MEMBERS} 12-digit account ids")
    return ids


# --- hub configuration -------------------------------------------------------------


def hub_settings(backend: SecurityHubBackend) -> dict[str, Any]:
    if not hasattr(backend, "hubfix_hub"):
        backend.hubfix_hub = {"ControlFindingGenerator": "SECURITY_CONTROL", "AutoEnableControls": True}
    return backend.hubfix_hub


def enable_security_hub(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """EnableSecurityHub: ResourceConflict when already enabled."""
    if backend.enabled:
        raise ResourceConflict(f"Account {backend.account_id} is already subscribed to Security Hub")
    generator = body.get("ControlFindingGenerator", "SECURITY_CONTROL")
    if generator not in GENERATORS:
        raise InvalidInput(f"ControlFindingGenerator must be one of {', '.join(GENERATORS)}")
    defaults = body.get("EnableDefaultStandards", True)
    if not isinstance(defaults, bool):
        raise InvalidInput("EnableDefaultStandards must be a boolean")
    backend.enable_security_hub(enable_default_standards=defaults, tags=body.get("Tags") or {})
    backend.hubfix_hub = {"ControlFindingGenerator": generator, "AutoEnableControls": True}
    return {}


def describe_hub(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    """DescribeHub, with the hub's configuration; an associated member reports its
    administrator's control finding generator, which governs it."""
    require_enabled(backend)
    arn = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:hub/default"
    if query.get("HubArn") and query["HubArn"] != arn:
        raise ResourceNotFound(f"No hub with ARN {query['HubArn']}")
    hub = dict(hub_settings(backend))
    admin = getattr(backend, "hubfix_administrator", None)
    if admin and admin["MemberStatus"] == "ENABLED":
        admin_backend = securityhub_backends[admin["AccountId"]][backend.region_name]
        hub["ControlFindingGenerator"] = hub_settings(admin_backend)["ControlFindingGenerator"]
    return {"HubArn": arn, "SubscribedAt": backend.enabled_at, **hub}


def update_security_hub_configuration(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateSecurityHubConfiguration: a member of an organisation cannot change its
    control finding generator (its administrator's governs it)."""
    require_enabled(backend)
    hub = hub_settings(backend)
    generator = body.get("ControlFindingGenerator")
    if generator is not None:
        if generator not in GENERATORS:
            raise InvalidInput(f"ControlFindingGenerator must be one of {', '.join(GENERATORS)}")
        admin = getattr(backend, "hubfix_administrator", None)
        if admin and admin.get("Organization") and admin["MemberStatus"] == "ENABLED":
            raise InvalidInput("A member account of an organization cannot change ControlFindingGenerator; its administrator's applies")
        hub["ControlFindingGenerator"] = generator
    if "AutoEnableControls" in body:
        if not isinstance(body["AutoEnableControls"], bool):
            raise InvalidInput("AutoEnableControls must be a boolean")
        hub["AutoEnableControls"] = body["AutoEnableControls"]
    return {}


def disable_security_hub(backend: SecurityHubBackend) -> dict[str, Any]:
    """DisableSecurityHub: refused for an administrator; standards, product
    subscriptions and the account's association with its administrator go."""
    require_enabled(backend)
    if administrator_of(backend) == backend.account_id or any(
            m["MemberStatus"] == "ENABLED" for m in members_of(backend).values()):
        raise InvalidInput(
            f"You can't disable Security Hub in {backend.account_id}: it is the Security Hub administrator account")
    admin = getattr(backend, "hubfix_administrator", None)
    if admin:
        record = members_of(securityhub_backends[admin["AccountId"]][backend.region_name]).get(backend.account_id)
        if record:
            record.update(MemberStatus="RESIGNED", UpdatedAt=now_iso())
        backend.hubfix_administrator = None
    backend.disable_security_hub()
    backend.hubfix_products = {}
    return {}


# --- the delegated administrator ----------------------------------------------------


def enable_organization_admin_account(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """EnableOrganizationAdminAccount, from the management account."""
    org = require_management(backend)
    admin = body.get("AdminAccountId")
    if admin not in org_accounts(org):
        raise InvalidInput(f"The account {admin} is not a member of organization {org['Id']}")
    region_settings = settings(org["Id"], backend.region_name)
    if region_settings["admin"] not in (None, admin):
        raise InvalidInput(
            f"{region_settings['admin']} is already the Security Hub administrator of {org['Id']} in {backend.region_name}")
    region_settings["admin"] = admin
    management = organizations_backends[org["MasterAccountId"]]["aws"]
    management.enable_aws_service_access(ServicePrincipal=SECURITY_HUB_PRINCIPAL)
    delegated = next((d for d in management.admins if d.account.id == admin), None)
    if delegated is None or SECURITY_HUB_PRINCIPAL not in delegated.services:
        management.register_delegated_administrator(AccountId=admin, ServicePrincipal=SECURITY_HUB_PRINCIPAL)
    return {}


def disable_organization_admin_account(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """DisableOrganizationAdminAccount, from the management account."""
    org = require_management(backend)
    region_settings = settings(org["Id"], backend.region_name)
    if region_settings["admin"] != body.get("AdminAccountId"):
        raise InvalidInput(f"{body.get('AdminAccountId')} is not the Security Hub administrator in {backend.region_name}")
    region_settings["admin"] = None
    return {}


def list_organization_admin_accounts(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    """ListOrganizationAdminAccounts, from the management account."""
    org = require_management(backend)
    admin = settings(org["Id"], backend.region_name)["admin"]
    return {"AdminAccounts": [{"AccountId": admin, "Status": "ENABLED"}] if admin else []}


# --- the organisation configuration -------------------------------------------------


def update_organization_configuration(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateOrganizationConfiguration, by the administrator."""
    org = require_administrator(backend)
    auto_enable = body.get("AutoEnable")
    if not isinstance(auto_enable, bool):
        raise InvalidInput("AutoEnable is required and must be a boolean")
    auto_standards = body.get("AutoEnableStandards", "DEFAULT")
    if auto_standards not in ("NONE", "DEFAULT"):
        raise InvalidInput("AutoEnableStandards must be NONE or DEFAULT")
    configuration = body.get("OrganizationConfiguration") or {}
    kind = configuration.get("ConfigurationType", "LOCAL")
    if kind not in ("LOCAL", "CENTRAL"):
        raise InvalidInput("OrganizationConfiguration.ConfigurationType must be LOCAL or CENTRAL")
    if kind == "CENTRAL":
        if auto_enable or auto_standards != "NONE":
            raise InvalidInput("Central configuration needs AutoEnable false and AutoEnableStandards NONE")
        from .aggregator import aggregator_of
        aggregator = aggregator_of(backend.account_id)
        if aggregator is None or aggregator["FindingAggregationRegion"] != backend.region_name:
            raise InvalidInput(
                f"Central configuration needs a finding aggregator in {backend.region_name}, its home region")
    settings(org["Id"], backend.region_name).update(
        auto_enable=auto_enable, auto_enable_standards=auto_standards, configuration_type=kind)
    return {}


def describe_organization_configuration(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    """DescribeOrganizationConfiguration, by the administrator."""
    org = require_administrator(backend)
    s = settings(org["Id"], backend.region_name)
    return {
        "AutoEnable": s["auto_enable"],
        "MemberAccountLimitReached": False,
        "AutoEnableStandards": s["auto_enable_standards"],
        "OrganizationConfiguration": {"ConfigurationType": s["configuration_type"], "Status": "ENABLED"},
    }


# --- members -----------------------------------------------------------------------


def members_of(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
    """The administrator's member records, by account."""
    if not hasattr(backend, "hubfix_members"):
        backend.hubfix_members = {}
    return backend.hubfix_members


def associate(admin: SecurityHubBackend, account: str, email: str, organization: bool) -> None:
    """Makes `account` an associated (ENABLED) member of `admin`."""
    now = now_iso()
    members_of(admin)[account] = {"AccountId": account, "Email": email, "AdministratorId": admin.account_id,
                                  "MasterId": admin.account_id, "MemberStatus": "ENABLED",
                                  "InvitedAt": now, "UpdatedAt": now}
    member = securityhub_backends[account][admin.region_name]
    member.hubfix_administrator = {"AccountId": admin.account_id, "InvitationId": str(uuid.uuid4()),
                                   "InvitedAt": now, "MemberStatus": "ENABLED", "Organization": organization}


def create_members(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateMembers: organisation accounts (by their administrator) are associated at
    once, Security Hub and its default standards enabled where off (never in the
    management account); other accounts are CREATED, to be invited."""
    require_enabled(backend)
    details = body.get("AccountDetails")
    if not isinstance(details, list) or not details or len(details) > MAX_MEMBERS:
        raise InvalidInput(f"AccountDetails must be a list of 1 to {MAX_MEMBERS} accounts")
    org = organization_of(backend.account_id)
    in_org = set(org_accounts(org)) if org else set()
    is_admin = bool(org) and settings(org["Id"], backend.region_name)["admin"] == backend.account_id
    members = members_of(backend)
    unprocessed = []
    for detail in details:
        account = detail.get("AccountId") if isinstance(detail, dict) else None
        email = detail.get("Email", "") if isinstance(detail, dict) else ""
        if not isinstance(account, str) or not account.isdigit() or len(account) != 12:
            unprocessed.append({"AccountId": str(account), "ProcessingResult": "AccountId must be a 12-digit account id"})
            continue
        if account == backend.account_id:
            unprocessed.append({"AccountId": account, "ProcessingResult": "An account cannot be its own member"})
            continue
        if members.get(account, {}).get("MemberStatus") in ("ENABLED", "INVITED", "CREATED"):
            unprocessed.append({"AccountId": account, "ProcessingResult": f"Account {account} is already a member"})
            continue
        other = getattr(securityhub_backends[account][backend.region_name], "hubfix_administrator", None)
        if other and other["AccountId"] != backend.account_id and other["MemberStatus"] == "ENABLED":
            unprocessed.append({"AccountId": account,
                                "ProcessingResult": f"Account {account} is already a member of {other['AccountId']}"})
            continue
        if account in in_org and is_admin:
            member = securityhub_backends[account][backend.region_name]
            if not member.enabled:
                if account == org["MasterAccountId"]:
                    unprocessed.append({"AccountId": account, "ProcessingResult":
                                        "Security Hub must be enabled in the organization management account first"})
                    continue
                member.enable_security_hub(enable_default_standards=True, tags={})
                member.hubfix_hub = {"ControlFindingGenerator": "SECURITY_CONTROL", "AutoEnableControls": True}
            associate(backend, account, email, organization=True)
            continue
        now = now_iso()
        members[account] = {"AccountId": account, "Email": email, "AdministratorId": backend.account_id,
                            "MasterId": backend.account_id, "MemberStatus": "CREATED", "UpdatedAt": now}
    return {"UnprocessedAccounts": unprocessed}


def invite_members(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """InviteMembers: CREATED members outside the organisation get an invitation."""
    require_enabled(backend)
    org = organization_of(backend.account_id)
    in_org = set(org_accounts(org)) if org else set()
    members = members_of(backend)
    unprocessed = []
    for account in account_ids(body):
        record = members.get(account)
        if record is None:
            unprocessed.append({"AccountId": account, "ProcessingResult": "The account is not a member; CreateMembers first"})
        elif account in in_org:
            unprocessed.append({"AccountId": account,
                                "ProcessingResult": "Organization accounts don't receive invitations"})
        elif record["MemberStatus"] == "ENABLED":
            unprocessed.append({"AccountId": account, "ProcessingResult": "The account is already associated"})
        else:
            now = now_iso()
            invitation = {"AccountId": backend.account_id, "InvitationId": str(uuid.uuid4()),
                          "InvitedAt": now, "MemberStatus": "Pending"}
            member = securityhub_backends[account][backend.region_name]
            invitations_of(member)[backend.account_id] = invitation
            record.update(MemberStatus="INVITED", InvitedAt=now, UpdatedAt=now)
    return {"UnprocessedAccounts": unprocessed}


def page(items: list[Any], query: dict[str, Any], key: str, max_size: int = 50) -> dict[str, Any]:
    """One page of `items` under `key`, from MaxResults (1 to `max_size`) and NextToken."""
    size = query.get("MaxResults", max_size)
    try:
        size = int(size)
    except (TypeError, ValueError):
        raise InvalidInput("MaxResults must be an integer") from None
    if not 1 <= size <= max_size:
        raise InvalidInput(f"MaxResults must be from 1 to {max_size}")
    start = 0
    if query.get("NextToken"):
        token = query["NextToken"]
        if not token.isdigit() or int(token) > len(items):
            raise InvalidInput("NextToken is not valid")
        start = int(token)
    out: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        out["NextToken"] = str(start + size)
    return out


def list_members(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    """ListMembers: associated members only unless OnlyAssociated is false."""
    require_enabled(backend)
    only = str(query.get("OnlyAssociated", "true")).lower() != "false"
    listed = [dict(m) for m in members_of(backend).values() if not only or m["MemberStatus"] == "ENABLED"]
    return page(listed, query, "Members")


def get_members(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    require_enabled(backend)
    members = members_of(backend)
    ids = account_ids(body)
    return {"Members": [dict(members[a]) for a in ids if a in members],
            "UnprocessedAccounts": [{"AccountId": a, "ProcessingResult": "The account is not a member"}
                                    for a in ids if a not in members]}


def disassociate_members(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """DisassociateMembers: the members' status becomes REMOVED."""
    require_enabled(backend)
    members = members_of(backend)
    for account in account_ids(body):
        record = members.get(account)
        if record is None:
            raise InvalidInput(f"The account {account} is not a member of {backend.account_id}")
        record.update(MemberStatus="REMOVED", UpdatedAt=now_iso())
        member = securityhub_backends[account][backend.region_name]
        if getattr(member, "hubfix_administrator", None):
            member.hubfix_administrator = None
    return {}


def delete_members(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteMembers: associated organisation members must be disassociated first."""
    require_enabled(backend)
    members = members_of(backend)
    unprocessed = []
    for account in account_ids(body):
        record = members.get(account)
        member = securityhub_backends[account][backend.region_name]
        admin = getattr(member, "hubfix_administrator", None)
        if record is None:
            unprocessed.append({"AccountId": account, "ProcessingResult": "The account is not a member"})
        elif record["MemberStatus"] == "ENABLED" and admin and admin.get("Organization"):
            unprocessed.append({"AccountId": account,
                                "ProcessingResult": "Disassociate an organization account before deleting it"})
        else:
            del members[account]
            if admin and admin["AccountId"] == backend.account_id:
                member.hubfix_administrator = None
            invitations_of(member).pop(backend.account_id, None)
    return {"UnprocessedAccounts": unprocessed}


# --- invitations, in the member ------------------------------------------------------


def invitations_of(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
    """The account's pending invitations, by administrator."""
    if not hasattr(backend, "hubfix_invitations"):
        backend.hubfix_invitations = {}
    return backend.hubfix_invitations


def list_invitations(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    return page([dict(i) for i in invitations_of(backend).values()], query, "Invitations")


def accept_administrator_invitation(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """AcceptAdministratorInvitation: the member's hub must be on and the invitation
    pending; the administrator's record becomes ENABLED."""
    admin_id = body.get("AdministratorId", body.get("MasterId"))
    invitation_id = body.get("InvitationId")
    if not isinstance(admin_id, str) or not isinstance(invitation_id, str):
        raise InvalidInput("AdministratorId and InvitationId are required")
    require_enabled(backend)
    invitation = invitations_of(backend).get(admin_id)
    if invitation is None or invitation["InvitationId"] != invitation_id:
        raise ResourceNotFound(f"No pending invitation {invitation_id} from {admin_id}")
    admin = securityhub_backends[admin_id][backend.region_name]
    record = members_of(admin).get(backend.account_id)
    if record is None:
        raise ResourceNotFound(f"{admin_id} no longer has {backend.account_id} as a member")
    del invitations_of(backend)[admin_id]
    record.update(MemberStatus="ENABLED", UpdatedAt=now_iso())
    backend.hubfix_administrator = {"AccountId": admin_id, "InvitationId": invitation_id,
                                    "InvitedAt": invitation["InvitedAt"], "MemberStatus": "ENABLED",
                                    "Organization": False}
    return {}


def accept_invitation(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """AcceptInvitation (deprecated): AcceptAdministratorInvitation with MasterId."""
    return accept_administrator_invitation(backend, body)


def get_administrator_account(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    admin = getattr(backend, "hubfix_administrator", None)
    if not admin:
        return {}
    return {"Administrator": {k: admin[k] for k in ("AccountId", "InvitationId", "InvitedAt", "MemberStatus")}}


def get_master_account(backend: SecurityHubBackend, query: dict[str, Any]) -> dict[str, Any]:
    admin = get_administrator_account(backend, query)
    return {"Master": admin["Administrator"]} if admin else {}


def disassociate_from_administrator_account(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    """DisassociateFromAdministratorAccount: accounts outside an organisation only."""
    admin = getattr(backend, "hubfix_administrator", None)
    if not admin:
        raise ResourceNotFound(f"{backend.account_id} has no administrator")
    if admin.get("Organization"):
        raise InvalidInput("An organization account cannot disassociate itself; only its administrator can")
    record = members_of(securityhub_backends[admin["AccountId"]][backend.region_name]).get(backend.account_id)
    if record:
        record.update(MemberStatus="RESIGNED", UpdatedAt=now_iso())
    backend.hubfix_administrator = None
    return {}


def decline_invitations(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    invitations = invitations_of(backend)
    unprocessed = []
    for account in account_ids(body):
        if invitations.pop(account, None) is None:
            unprocessed.append({"AccountId": account, "ProcessingResult": "No invitation from this account"})
    return {"UnprocessedAccounts": unprocessed}


def delete_invitations(backend: SecurityHubBackend, body: dict[str, Any]) -> dict[str, Any]:
    return decline_invitations(backend, body)
