"""Auto Scaling keeps only InService instances registered with a group's target groups.

The Amazon EC2 Auto Scaling User Guide (temporarily removing instances, "How the standby
state works"): an instance put into Standby is deregistered from the group's load
balancers and target groups, and registered again when it returns to service. moto
5.2.5 does this for Classic Load Balancers but registers every instance of the group,
Standby ones included, with its target groups, so an instance taken out of service for
containment kept receiving traffic. This registers the group's InService instances
(each one not yet registered, on the group's port) and deregisters its other instances
that are registered.
"""

from __future__ import annotations

from moto.autoscaling.models import AutoScalingBackend


def update_attached_target_groups(self: AutoScalingBackend, group_name: str) -> None:
    """Registers the group's InService instances with its target groups and deregisters
    the rest of its instances (Standby)."""
    group = self.autoscaling_groups[group_name]
    if not group.target_group_arns:
        return
    in_service = [s.instance.id for s in group.instance_states if s.lifecycle_state == "InService"]
    out_of_service = [s.instance.id for s in group.instance_states if s.lifecycle_state != "InService"]
    target_groups = self.elbv2_backend.describe_target_groups(
        target_group_arns=group.target_group_arns, load_balancer_arn=None, names=None
    )
    for target_group in target_groups:
        joining = [{"Id": i, "Port": target_group.port} for i in in_service if i not in target_group.targets]
        if joining:
            self.elbv2_backend.register_targets(target_group.arn, joining)
        leaving = [{"Id": i} for i in out_of_service if i in target_group.targets]
        if leaving:
            self.elbv2_backend.deregister_targets(target_group.arn, leaving)


def install() -> None:
    """Registers the Auto Scaling fix with moto."""
    AutoScalingBackend.update_attached_target_groups = update_attached_target_groups
