"""WebSocket API stages updated by the extension's UpdateStage, through boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_update_stage_sets_logging_and_keeps_other_route_settings(emulator):
    apigw = emulator.client("apigatewayv2")
    api = apigw.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    apigw.create_stage(
        ApiId=api["ApiId"],
        StageName="prod",
        DefaultRouteSettings={"LoggingLevel": "OFF", "ThrottlingRateLimit": 50.0},
        RouteSettings={"sendMessage": {"LoggingLevel": "OFF"}},
    )
    apigw.update_stage(
        ApiId=api["ApiId"],
        StageName="prod",
        DefaultRouteSettings={"LoggingLevel": "ERROR", "ThrottlingRateLimit": 50.0},
        RouteSettings={"sendMessage": {"LoggingLevel": "ERROR"}},
    )
    stage = apigw.get_stage(ApiId=api["ApiId"], StageName="prod")
    assert stage["DefaultRouteSettings"]["LoggingLevel"] == "ERROR"
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50.0
    assert stage["RouteSettings"]["sendMessage"]["LoggingLevel"] == "ERROR"


def test_an_unknown_stage_is_not_found(emulator):
    apigw = emulator.client("apigatewayv2")
    api = apigw.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    with pytest.raises(ClientError) as raised:
        apigw.update_stage(ApiId=api["ApiId"], StageName="nope", DefaultRouteSettings={"LoggingLevel": "ERROR"})
    assert raised.value.response["Error"]["Code"] == "NotFoundException"
