"""SNS delivery status logging attributes in GetTopicAttributes.

SNS topics log the delivery status of their messages to CloudWatch Logs when a topic has
a feedback role for an endpoint type: `<Type>SuccessFeedbackRoleArn`,
`<Type>FailureFeedbackRoleArn` and `<Type>SuccessFeedbackSampleRate` for the types
HTTP, Firehose, Lambda, Application and SQS (SNS API Reference, SetTopicAttributes and
GetTopicAttributes). moto 5.2.5 stores them on SetTopicAttributes but GetTopicAttributes
leaves them out, so a topic always reads as not logging. This returns the ones set to a
value; an attribute set to the empty string is unset, as SNS treats it.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import camelcase_to_underscores
from moto.sns.responses import SNSResponse

ENDPOINT_TYPES = ("HTTP", "Firehose", "Lambda", "Application", "SQS")
SUFFIXES = ("SuccessFeedbackRoleArn", "FailureFeedbackRoleArn", "SuccessFeedbackSampleRate")
ATTRIBUTES = tuple(f"{t}{s}" for t in ENDPOINT_TYPES for s in SUFFIXES)


def with_delivery_logging(get_topic_attributes: Any) -> Any:
    """Wraps moto's GetTopicAttributes to add the delivery status attributes set."""

    def wrapped(self: SNSResponse) -> Any:
        out = get_topic_attributes(self)
        topic = self.backend.get_topic(self._get_param("TopicArn"))
        attributes = out.result["Attributes"]
        for name in ATTRIBUTES:
            value = getattr(topic, camelcase_to_underscores(name), None)
            if value not in (None, ""):
                attributes[name] = str(value)
        return out

    return wrapped


def install() -> None:
    """Registers the SNS fix with moto."""
    SNSResponse.get_topic_attributes = with_delivery_logging(SNSResponse.get_topic_attributes)
