"""SSM Automation executions, which moto 5.2.5 does not have: StartAutomationExecution,
GetAutomationExecution and StopAutomationExecution (JSON 1.1, `X-Amz-Target:
AmazonSSM.<Operation>`), following the API reference.

An execution is `InProgress` for `HUBFIX_EMULATOR_AUTOMATION_SECONDS` (default 1).
A document of the account's own (created with CreateDocument, which moto has) then runs:
its `aws:executeAwsApi` steps, in order, with `{{ Parameter }}` references filled from
the execution's parameters, as API calls to this emulator with the caller's credentials;
the execution ends `Success`, or `Failed` with the failing step's error as
`FailureMessage` (also for any other step action, which the emulator does not run).
AWS-managed documents (names starting with `AWS`) are not in moto: their executions are
recorded with their parameters and end `Success` without changing anything, or `Failed`
when the document's name contains `Fail`.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from typing import Any, Callable

from . import json_target
from .accessanalyzer import account_of
from .json_target import ApiError

PREFIX = "AmazonSSM."
OPERATIONS = {"StartAutomationExecution", "GetAutomationExecution", "StopAutomationExecution"}
DOCUMENT = re.compile(r"^(arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d{12}:document/)?[A-Za-z0-9_.-]{3,128}$")


class Automation:
    def __init__(self) -> None:
        self.executions: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def handle(self, operation: str, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        with self.lock:
            own = self.executions.setdefault((caller.account, caller.region), {})
            if operation == "StartAutomationExecution":
                return self.start(own, body, caller)
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
    def start(own: dict[str, dict[str, Any]], body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        name = body.get("DocumentName")
        if not isinstance(name, str) or not DOCUMENT.match(name):
            raise ApiError("ValidationException", "DocumentName must be a document name or ARN")
        short = name.rsplit("/", 1)[-1]
        steps = None
        if not short.startswith("AWS"):
            steps = document_steps(caller, short)
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
            "result": None,
            "runs_steps": steps is not None,
        }
        if steps is not None:
            execution = own[execution_id]
            threading.Thread(target=run_steps, args=(execution, steps, caller), daemon=True).start()
        return {"AutomationExecutionId": execution_id}


class Caller:
    """Who started an execution, and how to call this emulator back as them."""

    def __init__(self, access_key: str, region: str, port: str) -> None:
        self.access_key, self.region, self.port = access_key, region, port
        self.account = account_of(access_key)

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key="emulated",
        )


def document_steps(caller: Caller, name: str) -> list[dict[str, Any]]:
    """The `mainSteps` of one of the account's own Automation documents."""
    from moto.ssm.models import ssm_backends

    documents = ssm_backends[caller.account][caller.region]._documents
    if name not in documents:
        raise ApiError("AutomationDefinitionNotFoundException", f"Document {name} does not exist")
    document = documents[name].get_default_version()
    content = document.content
    try:
        parsed = json.loads(content) if document.document_format == "JSON" else yaml_load(content)
    except ValueError as e:
        raise ApiError("InvalidDocumentContent", f"Document {name} cannot be read: {e}") from e
    if not isinstance(parsed, dict) or not isinstance(parsed.get("mainSteps"), list):
        raise ApiError("InvalidDocumentContent", f"Document {name} has no mainSteps")
    return parsed["mainSteps"]


def yaml_load(content: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(content)
    except yaml.YAMLError as e:
        raise ValueError(str(e)) from e


REFERENCE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def fill(value: Any, parameters: dict[str, list[str]]) -> Any:
    """A step input with `{{ Name }}` references replaced by the parameters' values."""
    if isinstance(value, str):
        whole = REFERENCE.fullmatch(value.strip())
        if whole and len(parameters.get(whole.group(1), [])) > 1:
            return parameters[whole.group(1)]
        return REFERENCE.sub(lambda m: (parameters.get(m.group(1)) or [""])[0], value)
    if isinstance(value, list):
        return [fill(v, parameters) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, parameters) for k, v in value.items()}
    return value


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])|(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def run_steps(execution: dict[str, Any], steps: list[dict[str, Any]], caller: Caller) -> None:
    """Runs the `aws:executeAwsApi` steps once the execution's delay has passed."""
    time.sleep(execution["delay"])
    if execution["stopped"] is not None:
        return
    failure = None
    for step in steps:
        name = step.get("name", "?")
        if step.get("action") != "aws:executeAwsApi":
            failure = f"Step {name}: the emulator runs aws:executeAwsApi steps only, not {step.get('action')}"
            break
        inputs = fill(dict(step.get("inputs", {})), execution["parameters"])
        service, api = str(inputs.pop("Service", "")), str(inputs.pop("Api", ""))
        try:
            getattr(caller.client(service), snake(api))(**inputs)
        except Exception as e:  # noqa: BLE001 - the step's error becomes the FailureMessage
            failure = f"Step fails when it is Executing. Fail step {name}: {type(e).__name__}: {e}"
            break
    execution["result"] = ("Failed", failure) if failure else ("Success", None)


def status(execution: dict[str, Any]) -> str:
    if execution["stopped"] is not None:
        return "Cancelled"
    if execution.get("result") is not None:
        return execution["result"][0]
    if execution["runs_steps"] or time.time() - execution["started"] < execution["delay"]:
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
        result = execution.get("result")
        out["FailureMessage"] = (result and result[1]) or (
            f"Step fails when it is Executing. Document {execution['document']} failed (emulated)."
        )
    return out


STATE = Automation()


def middleware(app: Callable) -> Callable:
    """Answers the three Automation operations; everything else goes to moto."""

    def handle(operation: str, body: dict[str, Any], signed: tuple[str, str, str],
               environ: dict[str, Any]) -> dict[str, Any]:
        caller = Caller(signed[0], signed[1], environ.get("SERVER_PORT", "80"))
        return STATE.handle(operation, body, caller)

    return json_target.middleware(app, PREFIX, OPERATIONS, handle)


__all__ = ["middleware"]
