"""CodeBuild UpdateProject, which moto 5.2.5 lacks.

As in the CodeBuild API reference: `name` (the project's name or ARN) is required and
names an existing project (`ResourceNotFoundException` otherwise); each field given
replaces the project's. `environment` is replaced whole and needs `type`, `image` and
`computeType`; every environment variable needs a `name` and a `value`, and its `type`,
when given, is `PLAINTEXT`, `PARAMETER_STORE` or `SECRETS_MANAGER`
(`InvalidInputException` otherwise). The answer is `{"project": <the project>}`, with
`lastModified` set to the time of the update.
"""

from __future__ import annotations

from typing import Any

from moto.codebuild.exceptions import InvalidInputException, ResourceNotFoundException
from moto.codebuild.responses import (
    CodeBuildResponse,
    _validate_required_params_artifacts,
    _validate_required_params_environment,
    _validate_required_params_service_role,
    _validate_required_params_source,
)
from moto.core.responses import ActionResult
from moto.core.utils import unix_time

VARIABLE_TYPES = ("PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER")
# UpdateProject fields and the keys moto keeps them under in a project's metadata.
FIELDS = {
    "description": "description",
    "source": "source",
    "sourceVersion": "sourceVersion",
    "artifacts": "artifacts",
    "environment": "environment",
    "serviceRole": "serviceRole",
    "timeoutInMinutes": "timeoutInMinutes",
    "queuedTimeoutInMinutes": "queuedTimeoutInMinutes",
    "encryptionKey": "encryptionKey",
    "tags": "tags",
    "vpcConfig": "vpcConfig",
    "logsConfig": "logsConfig",
    "cache": "cache",
}


def validate_environment(environment: dict[str, Any]) -> None:
    """The environment's required fields and its variables, as the API checks them."""
    for field in ("type", "image", "computeType"):
        if not environment.get(field):
            raise InvalidInputException(f"Invalid environment: {field} is required")
    _validate_required_params_environment(environment)
    for variable in environment.get("environmentVariables", []):
        if not variable.get("name") or "value" not in variable:
            raise InvalidInputException("Invalid environment variable: name and value are required")
        if variable.get("type", "PLAINTEXT") not in VARIABLE_TYPES:
            raise InvalidInputException(f"Invalid environment variable type: {variable.get('type')}")


def update_project(self: CodeBuildResponse) -> ActionResult:
    """UpdateProject: replaces the given fields of an existing project."""
    name = self._get_param("name") or ""
    backend = self.codebuild_backend
    project = backend.codebuild_projects.get(name) or next(
        (p for p in backend.codebuild_projects.values() if p.arn == name), None
    )
    if project is None:
        raise ResourceNotFoundException(f"Project cannot be found: {name}")
    if self._get_param("source") is not None:
        _validate_required_params_source(self._get_param("source"))
    if self._get_param("artifacts") is not None:
        _validate_required_params_artifacts(self._get_param("artifacts"))
    if self._get_param("environment") is not None:
        validate_environment(self._get_param("environment"))
    if self._get_param("serviceRole") is not None:
        _validate_required_params_service_role(self.current_account, self.region, self._get_param("serviceRole"))
    for field, key in FIELDS.items():
        value = self._get_param(field)
        if value is not None:
            project.project_metadata[key] = value
    if self._get_param("tags") is not None:
        project.tags = self._get_param("tags")
    if self._get_param("serviceRole") is not None:
        project.service_role = self._get_param("serviceRole")
    project.project_metadata["lastModified"] = unix_time()
    return ActionResult({"project": project.project_metadata})


def install() -> None:
    """Registers UpdateProject with moto."""
    CodeBuildResponse.update_project = update_project
