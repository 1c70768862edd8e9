"""Lambda without Docker: functions are invoked without running their code, so Secrets
Manager can turn on rotation with a rotation function."""

from __future__ import annotations

import io
import zipfile


def function(emulator, name):
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return None\n")
    role = emulator.client("iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return emulator.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]


def test_invoke_answers_without_docker(emulator):
    function(emulator, "echo")
    out = emulator.client("lambda").invoke(FunctionName="echo", Payload=b'{"ping": 1}')
    assert out["StatusCode"] == 200
    assert out["Payload"].read() == b'{"ping": 1}'


def test_rotation_turns_on_with_a_rotation_function(emulator):
    arn = function(emulator, "rotate")
    secrets = emulator.client("secretsmanager")
    secret = secrets.create_secret(Name="db/password", SecretString="hunter2")["ARN"]
    secrets.rotate_secret(SecretId=secret, RotationLambdaARN=arn,
                          RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    described = secrets.describe_secret(SecretId=secret)
    assert described["RotationEnabled"] is True
    assert described["RotationLambdaARN"] == arn
    assert described["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert secrets.get_secret_value(SecretId=secret)["SecretString"] == "hunter2"
    secrets.cancel_rotate_secret(SecretId=secret)
    assert secrets.describe_secret(SecretId=secret)["RotationEnabled"] is False
