"""CloudFormation's UpdateStack keeps the stack's notification topics.

moto 5.2.5's UpdateStack ignores `NotificationARNs`, so a stack never gains (or loses)
the SNS topics it notifies (CloudFormation API Reference, UpdateStack: the topics given
replace the stack's; an empty list removes them all; leaving the parameter out keeps
them), and a change of the topics alone is an update. This stores them after moto's update: given, they replace the stack's; given
empty (`NotificationARNs=`), they are removed; absent, they are kept.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult


def _given_topics(self: CloudFormationResponse) -> list[str] | None:
    """The topics of the request, `[]` for an empty list, `None` when absent."""
    keys = [k for k in self.querystring if k.startswith("NotificationARNs")]
    if not keys:
        return None
    return [v for v in self._get_param("NotificationARNs") or [] if v]


def with_notification_topics(update_stack: Any) -> Any:
    """Wraps moto's UpdateStack to store `NotificationARNs`. A change of the topics
    alone is an update, as CloudFormation takes it; moto's "No updates are to be
    performed" stands only when the topics do not change either."""

    def wrapped(self: CloudFormationResponse) -> Any:
        topics = _given_topics(self)
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        changes_topics = topics is not None and topics != list(stack.notification_arns or [])
        try:
            answer = update_stack(self)
        except ValidationError as error:
            if not changes_topics or "No updates" not in str(error.message):
                raise
            answer = ActionResult({"StackId": stack.stack_id})
        if topics is not None:
            stack.notification_arns = topics
        return answer

    return wrapped


def install() -> None:
    """Registers the UpdateStack fix with moto."""
    CloudFormationResponse.update_stack = with_notification_topics(CloudFormationResponse.update_stack)
