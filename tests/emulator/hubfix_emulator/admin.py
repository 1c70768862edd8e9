"""The emulator's own admin endpoints, under `/_hubfix/`: not AWS APIs, so never
signed, checked, throttled or counted. Requests and answers are JSON objects; an
unreadable or invalid request is a 400 and an unknown path a 404, each with
`{"message": ...}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

PREFIX = "/_hubfix/"

Route = tuple[str, str]  # (HTTP method, path)
# A handler takes the request's JSON object and answers a JSON object, or its encoding.
Handler = Callable[[dict[str, Any]], dict[str, Any] | bytes]


class AdminError(Exception):
    """A request the admin endpoint refuses (HTTP 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_admin(environ: dict[str, Any]) -> bool:
    """Whether a request is for an admin endpoint."""
    return environ.get("PATH_INFO", "").startswith(PREFIX)


def read_body(environ: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON object (an empty body is `{}`)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        body = json.loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise AdminError(f"the request body is not JSON: {err}") from None
    if not isinstance(body, dict):
        raise AdminError("the request body must be a JSON object")
    return body


def middleware(app: Callable, routes: dict[Route, Handler]) -> Callable:
    """Answers `/_hubfix/` requests from `routes`; passes everything else to `app`."""

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not is_admin(environ):
            return app(environ, start_response)
        handler = routes.get((environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")))
        try:
            if handler is None:
                status, payload = "404 Not Found", {"message": f"no admin endpoint {environ.get('PATH_INFO')}"}
            else:
                status, payload = "200 OK", handler(read_body(environ))
        except AdminError as err:
            status, payload = "400 Bad Request", {"message": err.message}
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return wsgi
