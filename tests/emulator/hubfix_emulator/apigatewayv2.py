"""API Gateway v2's UpdateStage.

moto 5.2.5 creates, gets and deletes HTTP and WebSocket API stages but has no
UpdateStage (`PATCH /v2/apis/{apiId}/stages/{stageName}`). hubfix changes a WebSocket
stage's execution logging level (API Gateway v2 API Reference, UpdateStage:
`defaultRouteSettings` and `routeSettings`, whose route entries replace that route's
settings). This adds UpdateStage for the route settings, the access log settings, the
description and the stage variables, answering the stage as GetStage does; an unknown
API or stage answers `NotFoundException` as moto's GetStage does.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from moto.apigatewayv2.responses import ApiGatewayV2Response

TYPE_RESPONSE = tuple[int, dict[str, str], str]


def update_stage(self: ApiGatewayV2Response) -> TYPE_RESPONSE:
    """UpdateStage: route settings, access logs, description, stage variables."""
    api_id = self.path.split("/")[-3]
    stage_name = unquote(self.path.split("/")[-1])
    stage = self.apigatewayv2_backend.get_stage(api_id, stage_name)
    params = json.loads(self.body or "{}")
    if "defaultRouteSettings" in params:
        stage.default_route_settings = {**(stage.default_route_settings or {}), **params["defaultRouteSettings"]}
    for route, settings in (params.get("routeSettings") or {}).items():
        stage.route_settings[route] = settings
    if "accessLogSettings" in params:
        stage.access_log_settings = params["accessLogSettings"]
    if "description" in params:
        stage.description = params["description"]
    if "stageVariables" in params:
        stage.stage_variables = params["stageVariables"]
    return 200, {}, json.dumps(stage.to_json())


def install() -> None:
    """Registers UpdateStage with moto."""
    ApiGatewayV2Response.update_stage = update_stage
