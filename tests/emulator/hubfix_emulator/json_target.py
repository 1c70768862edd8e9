"""The front of an operation the extension answers itself on a JSON 1.1 service
(`X-Amz-Target: <prefix><Operation>`): SigV4 scope, body, errors shaped as the service
answers them. Requests for other operations go to the app behind."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from .accessanalyzer import scope


class ApiError(Exception):
    """An error the service answers with `__type` `code`."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


#: Answers one operation: (operation, JSON body, (access key, region, service), WSGI environ).
Handler = Callable[[str, dict[str, Any], tuple[str, str, str], dict[str, Any]], dict[str, Any]]


def middleware(app: Callable, prefix: str, operations: set[str], handle: Handler) -> Callable:
    """Answers `operations` with `handle`; everything else goes to `app`."""

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target[len(prefix):] if target.startswith(prefix) else ""
        if operation not in operations:
            return app(environ, start_response)
        signed = scope(environ)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            if signed is None:
                raise ApiError("MissingAuthenticationTokenException", "unsigned request")
            body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
            if not isinstance(body, dict):
                raise ApiError("SerializationException", "the body is not a JSON object")
            result, code = handle(operation, body, signed, environ), "200 OK"
        except (ApiError, ValueError) as e:
            error = e if isinstance(e, ApiError) else ApiError("SerializationException", str(e))
            result, code = {"__type": error.code, "message": error.message}, "400 Bad Request"
        data = json.dumps(result).encode()
        start_response(code, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
        return [data]

    return wsgi
