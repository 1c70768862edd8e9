"""SSM Automation executions, which moto 5.2.5 does not have: StartAutomationExecution,
GetAutomationExecution and StopAutomationExecution (JSON 1.1, `X-Amz-Target:
AmazonSSM.<Operation>`), following the API reference.

Executing a document's steps is out of scope: an execution is recorded with its
document and parameters, is `InProgress` for `HUBFIX_EMULATOR_AUTOMATION_SECONDS`
(default 1) and then `Success`, or `Failed` when the document's name contains `Fail`.
A document must exist in moto's SSM (CreateDocument), unless it is AWS-managed (its name
starts with `AWS`).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from typing import Any, Callable, Iterable

from .accessanalyzer import account_of, scope

PREFIX = "AmazonSSM."
OPERATIONS = {"StartAutomationExecution", "GetAutomationExecution", "StopAutomationExecution"}
DOCUMENT = re.compile(r"^(arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d{12}:document/)?[A-Za-z0-9_.-]{3,128}$")


class ApiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class Automation:
    def __init__(self) -> None:
        self.executions: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def handle(self, operation: str, body: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        with self.lock:
            own = self.executions.setdefault((account, region), {})
            if operation == "StartAutomationExecution":
                return self.start(own, body, account, region)
            execution = own.get(str(body.get("AutomationExecutionId", "")))
            if execution is None:
                raise ApiError("AutomationExecutionNotFoundException",
                               f"Automation execution {body.get('AutomationExecutionId')} not found")
            if operation == "StopAutomationExecution":
                if status(execution) == "InProgress":
                    execution["stopped"] = time.time()
                return {}
            return {"AutomationExecution": shape(execution)}

    @staticmethod
    def start(own: dict[str, dict[str, Any]], body: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        name = body.get("DocumentName")
        if not isinstance(name, str) or not DOCUMENT.match(name):
            raise ApiError("ValidationException", "DocumentName must be a document name or ARN")
        short = name.rsplit("/", 1)[-1]
        if not short.startswith("AWS"):
            from moto.ssm.models import ssm_backends

            if short not in ssm_backends[account][region]._documents:
                raise ApiError("AutomationDefinitionNotFoundException", f"Document {short} does not exist")
        parameters = body.get("Parameters", {})
        if not isinstance(parameters, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in parameters.values()
        ):
            raise ApiError("InvalidAutomationExecutionParametersException", "Parameters must map names to lists of strings")
        execution_id = str(uuid.uuid4())
        own[execution_id] = {
            "id": execution_id,
            "document": short,
            "version": body.get("DocumentVersion", "$DEFAULT"),
            "parameters": parameters,
            "started": time.time(),
            "delay": float(os.environ.get("HUBFIX_EMULATOR_AUTOMATION_SECONDS", "1")),
            "stopped": None,
        }
        return {"AutomationExecutionId": execution_id}


def status(execution: dict[str, Any]) -> str:
    if execution["stopped"] is not None:
        return "Cancelled"
    if time.time() - execution["started"] < execution["delay"]:
        return "InProgress"
    return "Failed" if "Fail" in execution["document"] else "Success"


def shape(execution: dict[str, Any]) -> dict[str, Any]:
    state = status(execution)
    out: dict[str, Any] = {
        "AutomationExecutionId": execution["id"],
        "DocumentName": execution["document"],
        "DocumentVersion": execution["version"],
        "ExecutionStartTime": execution["started"],
        "AutomationExecutionStatus": state,
        "Parameters": execution["parameters"],
        "Outputs": {},
        "Mode": "Auto",
    }
    if state != "InProgress":
        out["ExecutionEndTime"] = execution["stopped"] or execution["started"] + execution["delay"]
    if state == "Failed":
        out["FailureMessage"] = f"Step fails when it is Executing. Document {execution['document']} failed (emulated)."
    return out


STATE = Automation()


def middleware(app: Callable) -> Callable:
    """Answers the three Automation operations; everything else goes to moto."""

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target[len(PREFIX):] if target.startswith(PREFIX) else ""
        if operation not in OPERATIONS:
            return app(environ, start_response)
        signed = scope(environ)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            if signed is None:
                raise ApiError("MissingAuthenticationTokenException", "unsigned request")
            body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
            if not isinstance(body, dict):
                raise ApiError("SerializationException", "the body is not a JSON object")
            result, code = STATE.handle(operation, body, account_of(signed[0]), signed[1]), "200 OK"
        except (ApiError, ValueError) as e:
            error = e if isinstance(e, ApiError) else ApiError("SerializationException", str(e))
            result, code = {"__type": error.code, "message": error.message}, "400 Bad Request"
        data = json.dumps(result).encode()
        start_response(code, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
        return [data]

    return wsgi


__all__ = ["middleware"]
