"""The outbox of `Security Hub Findings - Imported` events, over HTTP."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from asff import finding, ident, imported, stored
from conftest import DEFAULT_ACCOUNT, REGION, Emulator

EVENT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def drain(emulator: Emulator, limit: int = 1000) -> tuple[list[dict[str, Any]], int]:
    """The oldest events (removed from the outbox) and how many remain."""
    status, answer = emulator.admin("POST", "/_hubfix/securityhub/outbox/drain", {"max": limit})
    assert status == 200, answer
    return answer["events"], answer["remaining"]


@pytest.fixture
def outbox(emulator: Emulator) -> Iterator[Emulator]:
    """The outbox on and empty; off and emptied afterwards."""
    assert emulator.admin("POST", "/_hubfix/securityhub/outbox", {"enabled": True})[0] == 200
    drain(emulator, 1_000_000)
    yield emulator
    emulator.admin("POST", "/_hubfix/securityhub/outbox", {"enabled": False})
    drain(emulator, 1_000_000)


def test_the_outbox_is_off_by_default(emulator):
    assert emulator.admin("GET", "/_hubfix/securityhub/outbox") == (200, {"enabled": False, "remaining": 0})
    imported(emulator.client("securityhub"), finding())
    assert drain(emulator) == ([], 0)


def test_an_import_emits_one_event_per_finding_as_eventbridge_delivers_it(outbox):
    securityhub = outbox.client("securityhub")
    first, second = imported(securityhub, finding(), finding())
    events, remaining = drain(outbox)
    assert remaining == 0
    assert [e["resources"] for e in events] == [[first["Id"]], [second["Id"]]]
    event = events[0]
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert event["version"] == "0"
    assert uuid.UUID(event["id"])
    assert event["detail-type"] == "Security Hub Findings - Imported"
    assert event["source"] == "aws.securityhub"
    assert (event["account"], event["region"]) == (DEFAULT_ACCOUNT, REGION)
    assert EVENT_TIME.match(event["time"]), event["time"]
    assert event["detail"] == {"findings": [stored(securityhub, first["Id"])]}
    assert events[0]["id"] != events[1]["id"]


def test_updates_and_reimports_emit_the_changed_finding(outbox):
    securityhub = outbox.client("securityhub")
    (f,) = imported(securityhub, finding())
    securityhub.batch_update_findings(FindingIdentifiers=[ident(f), {"Id": "missing", "ProductArn": f["ProductArn"]}],
                                      Workflow={"Status": "NOTIFIED"}, Note={"Text": "on it", "UpdatedBy": "hubfix"})
    imported(securityhub, dict(f, Title="renamed"))
    events, _ = drain(outbox)
    assert len(events) == 3, "the unknown finding emits nothing"
    created, updated, reimported = (e["detail"]["findings"][0] for e in events)
    assert created["Workflow"] == {"Status": "NEW"}
    assert updated["Workflow"] == {"Status": "NOTIFIED"}
    assert updated["Note"]["Text"] == "on it"
    assert reimported["Title"] == "renamed"
    assert reimported["Workflow"] == {"Status": "NOTIFIED"}, "what customers own survives the re-import"
    assert reimported == stored(securityhub, f["Id"])


def test_failed_findings_emit_nothing(outbox):
    unvalidated = outbox.client("securityhub", validate=False)
    bad = finding()
    del bad["Title"]
    out = unvalidated.batch_import_findings(Findings=[bad])
    assert out["FailedCount"] == 1
    assert drain(outbox) == ([], 0)


def test_events_are_drained_oldest_first_in_chunks(outbox):
    securityhub = outbox.client("securityhub")
    findings = imported(securityhub, *[finding() for _ in range(25)])
    assert outbox.admin("GET", "/_hubfix/securityhub/outbox") == (200, {"enabled": True, "remaining": 25})
    first, remaining = drain(outbox, 10)
    assert (len(first), remaining) == (10, 15)
    rest, remaining = drain(outbox, 100)
    assert (len(rest), remaining) == (15, 0)
    assert [e["resources"][0] for e in first + rest] == [f["Id"] for f in findings]


def test_events_recorded_stay_when_the_outbox_is_turned_off(outbox):
    imported(outbox.client("securityhub"), finding())
    assert outbox.admin("POST", "/_hubfix/securityhub/outbox", {"enabled": False}) == \
        (200, {"enabled": False, "remaining": 1})
    imported(outbox.client("securityhub"), finding())
    events, remaining = drain(outbox)
    assert (len(events), remaining) == (1, 0)


def test_seeded_findings_emit_events_from_the_hub(outbox):
    member = finding(AwsAccountId="210987654321", Region="eu-west-1")
    status, _ = outbox.admin("POST", "/_hubfix/securityhub/seed",
                             {"account": "777788889999", "region": "eu-central-1", "findings": [member]})
    assert status == 200
    (event,), _ = drain(outbox)
    assert (event["account"], event["region"]) == ("777788889999", "eu-central-1")
    assert event["detail"]["findings"][0]["AwsAccountId"] == "210987654321"
    assert event["detail"]["findings"][0]["Region"] == "eu-west-1"


@pytest.mark.parametrize("body", [{"enabled": 1}, {}])
def test_invalid_outbox_settings_are_refused(emulator, body):
    status, answer = emulator.admin("POST", "/_hubfix/securityhub/outbox", body)
    assert (status, answer) == (400, {"message": "enabled must be true or false"})


@pytest.mark.parametrize("limit", [0, -1, "10", True])
def test_invalid_drain_sizes_are_refused(emulator, limit):
    status, answer = emulator.admin("POST", "/_hubfix/securityhub/outbox/drain", {"max": limit})
    assert (status, answer) == (400, {"message": "max must be a positive integer"})
