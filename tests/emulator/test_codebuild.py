"""CodeBuild UpdateProject, through boto3 over HTTP."""

from __future__ import annotations

import botocore.exceptions
import pytest

ROLE = "arn:aws:iam::123456789012:role/codebuild"


def project(codebuild, name="build"):
    return codebuild.create_project(
        name=name,
        source={"type": "S3", "location": "sources/app.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
            "environmentVariables": [
                {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE", "type": "PLAINTEXT"},
                {"name": "STAGE", "value": "prod", "type": "PLAINTEXT"},
            ],
        },
        serviceRole=ROLE,
        tags=[{"key": "team", "value": "ci"}],
    )["project"]


def test_update_project_replaces_the_environment_and_keeps_the_rest(emulator):
    codebuild = emulator.client("codebuild")
    before = project(codebuild)
    environment = dict(before["environment"])
    environment["environmentVariables"] = [{"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}]
    updated = codebuild.update_project(name="build", environment=environment)["project"]
    assert updated["environment"]["environmentVariables"] == [{"name": "STAGE", "value": "prod", "type": "PLAINTEXT"}]
    got = codebuild.batch_get_projects(names=["build"])["projects"][0]
    assert got["environment"]["environmentVariables"] == environment["environmentVariables"]
    assert got["source"] == before["source"]
    assert got["tags"] == [{"key": "team", "value": "ci"}]
    assert got["lastModified"] >= before["created"]


def test_update_project_by_arn_and_description(emulator):
    codebuild = emulator.client("codebuild")
    arn = project(codebuild, "by-arn")["arn"]
    codebuild.update_project(name=arn, description="nightly")
    assert codebuild.batch_get_projects(names=["by-arn"])["projects"][0]["description"] == "nightly"


def test_update_project_errors(emulator):
    codebuild = emulator.client("codebuild", validate=False)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        codebuild.update_project(name="missing", description="x")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    project(codebuild, "invalid")
    bad_type = {"type": "LINUX_CONTAINER", "image": "i", "computeType": "BUILD_GENERAL1_SMALL",
                "environmentVariables": [{"name": "A", "value": "b", "type": "CLEARTEXT"}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        codebuild.update_project(name="invalid", environment=bad_type)
    assert e.value.response["Error"]["Code"] == "InvalidInputException"
    no_image = {"type": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        codebuild.update_project(name="invalid", environment=no_image)
    assert e.value.response["Error"]["Code"] == "InvalidInputException"
