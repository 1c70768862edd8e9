"""SSM Automation executions (added by the extension), through boto3 over HTTP."""

from __future__ import annotations

import time

import botocore.exceptions
import pytest


def wait(ssm, execution_id: str) -> dict:
    for _ in range(50):
        execution = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
        if execution["AutomationExecutionStatus"] != "InProgress":
            return execution
        time.sleep(0.1)
    raise AssertionError("the execution did not finish")


def test_aws_managed_runbook_succeeds_with_its_parameters(emulator):
    ssm = emulator.client("ssm")
    started = ssm.start_automation_execution(
        DocumentName="AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock",
        Parameters={"BucketName": ["my-bucket"]},
    )
    execution = ssm.get_automation_execution(AutomationExecutionId=started["AutomationExecutionId"])["AutomationExecution"]
    assert execution["AutomationExecutionStatus"] == "InProgress"
    assert execution["Parameters"] == {"BucketName": ["my-bucket"]}
    assert wait(ssm, started["AutomationExecutionId"])["AutomationExecutionStatus"] == "Success"


def test_own_documents_must_exist_and_can_fail_or_be_stopped(emulator):
    ssm = emulator.client("ssm")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ssm.start_automation_execution(DocumentName="Org-Missing")
    assert err.value.response["Error"]["Code"] == "AutomationDefinitionNotFoundException"
    content = '{"schemaVersion": "0.3", "mainSteps": [{"name": "s", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}}]}'
    ssm.create_document(Name="Org-AlwaysFail", Content=content, DocumentType="Automation", DocumentFormat="JSON")
    failed = ssm.start_automation_execution(DocumentName="Org-AlwaysFail")["AutomationExecutionId"]
    execution = wait(ssm, failed)
    assert execution["AutomationExecutionStatus"] == "Failed"
    assert "FailureMessage" in execution
    ssm.create_document(Name="Org-Slow", Content=content, DocumentType="Automation", DocumentFormat="JSON")
    slow = ssm.start_automation_execution(DocumentName="Org-Slow")["AutomationExecutionId"]
    ssm.stop_automation_execution(AutomationExecutionId=slow)
    assert wait(ssm, slow)["AutomationExecutionStatus"] == "Cancelled"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ssm.get_automation_execution(AutomationExecutionId="00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"]["Code"] == "AutomationExecutionNotFoundException"


PUBLIC_ACCESS_BLOCK = """
schemaVersion: '0.3'
parameters:
  BucketName: {type: String}
  AutomationAssumeRole: {type: String, default: ''}
mainSteps:
  - name: BlockPublicAccess
    action: aws:executeAwsApi
    inputs:
      Service: s3
      Api: PutPublicAccessBlock
      Bucket: '{{ BucketName }}'
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: true
        RestrictPublicBuckets: true
"""


def test_own_documents_run_their_api_steps_with_the_parameters(emulator):
    ssm, s3 = emulator.client("ssm"), emulator.client("s3")
    s3.create_bucket(Bucket="runbook-target")
    ssm.create_document(Name="Org-BlockPublicAccess", Content=PUBLIC_ACCESS_BLOCK, DocumentType="Automation", DocumentFormat="YAML")
    started = ssm.start_automation_execution(DocumentName="Org-BlockPublicAccess", Parameters={"BucketName": ["runbook-target"]})
    execution = wait(ssm, started["AutomationExecutionId"])
    assert execution["AutomationExecutionStatus"] == "Success", execution
    config = s3.get_public_access_block(Bucket="runbook-target")["PublicAccessBlockConfiguration"]
    assert all(config.values()), config

    failing = ssm.start_automation_execution(DocumentName="Org-BlockPublicAccess", Parameters={"BucketName": ["no-such-bucket"]})
    execution = wait(ssm, failing["AutomationExecutionId"])
    assert execution["AutomationExecutionStatus"] == "Failed"
    assert "BlockPublicAccess" in execution["FailureMessage"] and "NoSuchBucket" in execution["FailureMessage"]
