"""Macie paused and resumed by the extension's UpdateMacieSession, through boto3 over HTTP."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def test_a_session_is_paused_and_resumed(emulator):
    macie = emulator.client("macie2")
    macie.disable_macie()  # moto starts every account with Macie enabled
    with pytest.raises(ClientError) as raised:
        macie.update_macie_session(status="PAUSED")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    macie.enable_macie()
    macie.update_macie_session(status="PAUSED", findingPublishingFrequency="ONE_HOUR")
    session = macie.get_macie_session()
    assert (session["status"], session["findingPublishingFrequency"]) == ("PAUSED", "ONE_HOUR")
    macie.update_macie_session(status="ENABLED")
    assert macie.get_macie_session()["status"] == "ENABLED"

    sent: dict = {}
    macie.meta.events.register("after-call.macie2.GetMacieSession", lambda http_response, **_: sent.update(body=http_response.text))
    macie.get_macie_session()
    answer = json.loads(sent["body"])
    assert answer["createdAt"].endswith("Z") and answer["updatedAt"].endswith("Z"), answer
    with pytest.raises(ClientError) as raised:
        macie.update_macie_session(status="STOPPED")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
