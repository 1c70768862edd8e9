"""Stack notification topics kept by the extension's UpdateStack, through boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

TEMPLATE = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Parameters": {"Env": {"Type": "String"}}}'


def test_update_stack_sets_keeps_and_clears_notification_topics(emulator):
    cfn = emulator.client("cloudformation")
    topic = emulator.client("sns").create_topic(Name="stack-events")["TopicArn"]
    cfn.create_stack(StackName="web", TemplateBody=TEMPLATE, Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])

    def update(**extra):
        cfn.update_stack(StackName="web", UsePreviousTemplate=True, Parameters=[{"ParameterKey": "Env", "UsePreviousValue": True}], **extra)
        return cfn.describe_stacks(StackName="web")["Stacks"][0]

    stack = update(NotificationARNs=[topic])
    assert stack["NotificationARNs"] == [topic]
    assert stack["Parameters"] == [{"ParameterKey": "Env", "ParameterValue": "prod"}]
    with pytest.raises(ClientError) as raised:
        update()
    assert "No updates are to be performed" in str(raised.value)
    assert cfn.describe_stacks(StackName="web")["Stacks"][0]["NotificationARNs"] == [topic]
    assert update(NotificationARNs=[]).get("NotificationARNs", []) == []
