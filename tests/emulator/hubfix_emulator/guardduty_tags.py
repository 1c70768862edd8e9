"""GuardDuty TagResource, UntagResource and ListTagsForResource, which moto 5.2.5 lacks.

The API reference (REST-JSON): `POST /tags/{resourceArn}` with `{"tags": {...}}` adds
or overwrites tags, `DELETE /tags/{resourceArn}?tagKeys=k&tagKeys=...` removes them,
`GET /tags/{resourceArn}` answers `{"tags": {...}}`. Resources are detectors
(`arn:aws:guardduty:<region>:<account>:detector/<id>`), their filters
(`.../detector/<id>/filter/<name>`), IP sets and threat intel sets; this layer serves
detectors and filters, keeping a detector's tags where moto keeps the ones it was
created with. A resource of another account or region, or one that does not exist, is
`BadRequestException` (400), as GuardDuty answers; a request without `tags` or
`tagKeys` too.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, unquote

from .accessanalyzer import account_of, scope

SIGNING_NAME = "guardduty"
ARN = re.compile(
    r"^arn:aws[a-z-]*:guardduty:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"detector/(?P<detector>[a-z0-9]+)(?:/filter/(?P<filter>[A-Za-z0-9_.-]+))?$"
)


class BadRequest(Exception):
    """GuardDuty's BadRequestException."""


def tagged(account: str, region: str, arn: str) -> Any:
    """The detector or filter `arn` names, in the caller's account and region."""
    from moto.guardduty.models import guardduty_backends

    match = ARN.match(arn)
    if not match or (match["account"], match["region"]) != (account, region):
        raise BadRequest(f"The request is rejected because the resource {arn} is not owned by the current account.")
    backend = guardduty_backends[account][region]
    try:
        detector = backend.get_detector(match["detector"])
        if match["filter"] is None:
            return detector
        found = detector.get_filter(match["filter"])
    except Exception as err:
        raise BadRequest(f"The request is rejected because the resource {arn} does not exist.") from err
    if not hasattr(found, "tags"):
        found.tags = {}
    return found


def handle(method: str, arn: str, query: dict[str, list[str]], body: dict[str, Any],
           account: str, region: str) -> tuple[int, dict[str, Any]]:
    """One tagging request; returns (status, JSON body)."""
    resource = tagged(account, region, arn)
    if method == "GET":
        return 200, {"tags": dict(resource.tags)}
    if method == "POST":
        tags = body.get("tags")
        if not isinstance(tags, dict) or not tags:
            raise BadRequest("tags must be a non-empty map")
        resource.tags.update({str(k): str(v) for k, v in tags.items()})
        return 204, {}
    if method == "DELETE":
        keys = query.get("tagKeys", [])
        if not keys:
            raise BadRequest("tagKeys is required")
        for key in keys:
            resource.tags.pop(key, None)
        return 204, {}
    raise BadRequest(f"No GuardDuty tagging operation for {method}")


def middleware(app: Callable) -> Callable:
    """Answers GuardDuty's tagging requests; passes the rest to `app` (moto)."""

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        signed = scope(environ)
        path = environ.get("PATH_INFO", "")
        if not signed or signed[2] != SIGNING_NAME or not path.startswith("/tags/"):
            return app(environ, start_response)
        access_key, region, _ = signed
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
            status, payload = handle(environ["REQUEST_METHOD"], unquote(path[len("/tags/"):]),
                                     parse_qs(environ.get("QUERY_STRING", "")), body,
                                     account_of(access_key), region)
            headers = [("Content-Type", "application/json")]
        except (BadRequest, json.JSONDecodeError) as err:
            status, payload = 400, {"message": str(err)}
            headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "BadRequestException")]
        text = b"" if status == 204 else json.dumps(payload).encode()
        reasons = {200: "OK", 204: "No Content", 400: "Bad Request"}
        start_response(f"{status} {reasons[status]}", headers + [("Content-Length", str(len(text)))])
        return [text]

    return wsgi
