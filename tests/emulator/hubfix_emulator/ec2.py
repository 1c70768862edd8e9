"""EC2 request parameters moto 5.2.5 ignores.

DescribeSnapshots: `OwnerIds` (account ids, `self`, `amazon`) and `RestorableByUserIds`
(account ids, or `all` for public snapshots) filter the result, as in the API reference;
moto returns every snapshot, its own AMI snapshots included.

CreateLaunchTemplateVersion: with `SourceVersion`, the new version inherits the source
version's launch parameters except those the request gives (the API reference), each
given parameter replacing the source's whole; moto keeps only the request's.

ModifyInstanceAttribute `Groups` replaces the security groups of the instance's primary
network interface (API reference); moto 5.2.5 changed the instance's list only, and
DescribeInstances and DescribeNetworkInterfaces showed the interface with its launch
groups and the new ones together, so an isolation group did not isolate. It now replaces
both; ModifyNetworkInterfaceAttribute `Groups` on an instance's primary interface sets
the instance's groups too. An unknown group is `InvalidGroup.NotFound` (moto stored
nothing for it and failed later).

AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation: DescribeInstances'
`IamInstanceProfile` is the profile's ARN and ID (moto 5.2.5 put the association id
under `Id`, and a replaced profile left the instance with the old one).
"""

from __future__ import annotations

from typing import Any

import copy

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidSecurityGroupNotFoundError
from moto.ec2.models.elastic_network_interfaces import NetworkInterfaceBackend
from moto.ec2.models.iam_instance_profile import IamInstanceProfileAssociationBackend
from moto.ec2.models.instances import InstanceBackend
from moto.ec2.responses.elastic_block_store import ElasticBlockStore
from moto.ec2.responses.launch_templates import LaunchTemplates


def owned_by(snapshot: Any, owners: list[str], caller: str) -> bool:
    """Whether a snapshot's owner is one of `owners` (`self` is the caller)."""
    wanted = {caller if o == "self" else o for o in owners}
    return snapshot.owner_id in wanted


def restorable_by(snapshot: Any, users: list[str], caller: str) -> bool:
    """Whether any of `users` (`all` for everyone) may create volumes from a snapshot."""
    for user in users:
        user = caller if user == "self" else user
        if user == "all" and "all" in snapshot.create_volume_permission_groups:
            return True
        if user in snapshot.create_volume_permission_userids or user == snapshot.owner_id:
            return True
    return False


def describe_snapshots(self: ElasticBlockStore) -> ActionResult:
    """DescribeSnapshots with OwnerIds and RestorableByUserIds applied."""
    filters = self._filters_from_querystring()
    snapshot_ids = self._get_param("SnapshotIds", [])
    snapshots = self.ec2_backend.describe_snapshots(snapshot_ids=snapshot_ids, filters=filters)
    owners = self._get_param("OwnerIds", [])
    users = self._get_param("RestorableByUserIds", [])
    caller = self.current_account
    if owners:
        snapshots = [s for s in snapshots if owned_by(s, owners, caller)]
    if users:
        snapshots = [s for s in snapshots if restorable_by(s, users, caller)]
    return ActionResult({"Snapshots": snapshots})


def create_launch_template_version(self: LaunchTemplates) -> ActionResult:
    """CreateLaunchTemplateVersion, the new version based on `SourceVersion` if given."""
    source = self._get_param("SourceVersion")
    if source is None:
        return _moto_create_launch_template_version(self)
    name = self._get_param("LaunchTemplateName")
    template = (self.ec2_backend.get_launch_template_by_name(name) if name
                else self.ec2_backend.get_launch_template(self._get_param("LaunchTemplateId")))
    data = {**copy.deepcopy(template.get_version(source).data), **self._get_param("LaunchTemplateData", {})}
    self.error_on_dryrun()
    version = template.create_version(data, self._get_param("VersionDescription"))
    return ActionResult({
        "LaunchTemplateVersion": {
            "CreateTime": version.create_time,
            "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
            "DefaultVersion": template.is_default(version),
            "LaunchTemplateData": version.data,
            "LaunchTemplateId": template.id,
            "LaunchTemplateName": template.name,
            "VersionDescription": version.description,
            "VersionNumber": version.number,
        },
    })


_moto_create_launch_template_version = LaunchTemplates.create_launch_template_version


def security_groups(backend: Any, group_ids: list[str]) -> list[Any]:
    """The security groups with these ids (`InvalidGroup.NotFound` for an unknown one)."""
    groups = []
    for group_id in group_ids:
        group = backend.get_security_group_from_id(group_id)
        if group is None:
            raise InvalidSecurityGroupNotFoundError(group_id)
        groups.append(group)
    return groups


def modify_instance_security_groups(self: InstanceBackend, instance_id: str, new_group_id_list: list[str]) -> Any:
    """Replaces the groups of the instance and of its primary network interface."""
    instance = self.get_instance(instance_id)
    groups = security_groups(self, new_group_id_list)
    instance.security_groups = groups
    primary = getattr(instance, "nics", {}).get(0)
    if primary is not None:
        primary._group_set = list(groups)
    return instance


def modify_network_interface_attribute(self: NetworkInterfaceBackend, eni_id: str, group_ids: list[str],
                                       source_dest_check: bool | None = None, description: str | None = None) -> None:
    """moto's ModifyNetworkInterfaceAttribute; groups given for an instance's primary
    interface are the instance's groups too."""
    groups = security_groups(self, group_ids)
    _moto_modify_network_interface_attribute(self, eni_id, group_ids, source_dest_check, description)
    eni = self.get_network_interface(eni_id)
    if groups and eni.instance is not None and eni.device_index == 0:
        eni.instance.security_groups = list(groups)


_moto_modify_network_interface_attribute = NetworkInterfaceBackend.modify_network_interface_attribute


def show_profile(association: Any) -> Any:
    """Shows the association's instance profile on its instance (ARN and profile ID)."""
    profile = association.iam_instance_profile
    association.instance.iam_instance_profile = {"Arn": profile.arn, "Id": profile.id}
    return association


def associate_iam_instance_profile(self: IamInstanceProfileAssociationBackend, *args: Any, **kwargs: Any) -> Any:
    """moto's AssociateIamInstanceProfile, the instance showing the profile's own ID."""
    return show_profile(_moto_associate_iam_instance_profile(self, *args, **kwargs))


def replace_iam_instance_profile_association(self: IamInstanceProfileAssociationBackend, *args: Any,
                                             **kwargs: Any) -> Any:
    """moto's ReplaceIamInstanceProfileAssociation, the instance showing the new profile."""
    return show_profile(_moto_replace_iam_instance_profile_association(self, *args, **kwargs))


_moto_associate_iam_instance_profile = IamInstanceProfileAssociationBackend.associate_iam_instance_profile
_moto_replace_iam_instance_profile_association = (
    IamInstanceProfileAssociationBackend.replace_iam_instance_profile_association
)


def install() -> None:
    """Registers the EC2 fixes with moto."""
    ElasticBlockStore.describe_snapshots = describe_snapshots
    LaunchTemplates.create_launch_template_version = create_launch_template_version
    InstanceBackend.modify_instance_security_groups = modify_instance_security_groups
    NetworkInterfaceBackend.modify_network_interface_attribute = modify_network_interface_attribute
    IamInstanceProfileAssociationBackend.associate_iam_instance_profile = associate_iam_instance_profile
    IamInstanceProfileAssociationBackend.replace_iam_instance_profile_association = (
        replace_iam_instance_profile_association
    )
