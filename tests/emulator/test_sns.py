"""SNS delivery status logging attributes (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

ROLE = "arn:aws:iam::123456789012:role/sns-delivery-status"


def test_delivery_status_attributes_read_back_and_unset_with_the_empty_string(emulator):
    sns = emulator.client("sns")
    topic = sns.create_topic(Name="orders-delivery")["TopicArn"]
    before = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert not any("Feedback" in name for name in before)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="LambdaFailureFeedbackRoleArn", AttributeValue=ROLE)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SQSSuccessFeedbackSampleRate", AttributeValue="25")
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["LambdaFailureFeedbackRoleArn"] == ROLE
    assert attributes["SQSSuccessFeedbackSampleRate"] == "25"
    assert "HTTPFailureFeedbackRoleArn" not in attributes
    sns.set_topic_attributes(TopicArn=topic, AttributeName="LambdaFailureFeedbackRoleArn", AttributeValue="")
    assert "LambdaFailureFeedbackRoleArn" not in sns.get_topic_attributes(TopicArn=topic)["Attributes"]
