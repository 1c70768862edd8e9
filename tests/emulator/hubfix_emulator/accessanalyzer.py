"""IAM Access Analyzer, which moto 5.2.5 does not have: ListAnalyzers, CreateAnalyzer,
GetAnalyzer and DeleteAnalyzer, following the API reference (REST-JSON).

It is a WSGI layer in front of moto: requests signed for the `access-analyzer` service
are answered here, everything else goes to moto. Analyzers are kept per account (the
account of the signing credentials, as moto derives it) and region.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, unquote

ANALYZER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,254}$")
TYPES = {"ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"}
SIGNING_NAME = "access-analyzer"

Store = dict[tuple[str, str], dict[str, dict[str, Any]]]


class ApiError(Exception):
    """An Access Analyzer error: HTTP status, error type and message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def scope(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    """(access key, region, service) of a SigV4-signed request."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def account_of(access_key: str) -> str:
    """The account moto associates with an access key (assumed roles included)."""
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def summary(analyzer: dict[str, Any]) -> dict[str, Any]:
    return {k: analyzer[k] for k in ("arn", "name", "type", "createdAt", "status", "tags")}


class AccessAnalyzer:
    """The service's state and operations."""

    def __init__(self) -> None:
        self.analyzers: Store = {}
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any],
               account: str, region: str) -> tuple[int, dict[str, Any]]:
        """Routes one request; returns (status, JSON body)."""
        with self.lock:
            own = self.analyzers.setdefault((account, region), {})
            if path == "/analyzer" and method == "GET":
                return 200, self.list(own, query)
            if path == "/analyzer" and method == "PUT":
                return 200, self.create(own, body, account, region)
            name_match = re.fullmatch(r"/analyzer/([^/]+)", path)
            if name_match and method == "GET":
                return 200, {"analyzer": summary(self.get(own, unquote(name_match.group(1))))}
            if name_match and method == "DELETE":
                self.get(own, unquote(name_match.group(1)))
                del own[unquote(name_match.group(1))]
                return 200, {}
        raise ApiError(404, "ResourceNotFoundException", f"No Access Analyzer operation for {method} {path}")

    @staticmethod
    def list(own: dict[str, dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
        wanted = query.get("type", [None])[0]
        if wanted is not None and wanted not in TYPES:
            raise ApiError(400, "ValidationException", f"type must be one of {sorted(TYPES)}")
        found = [summary(a) for a in own.values() if wanted in (None, a["type"])]
        start = int(query.get("nextToken", ["0"])[0] or 0)
        size = int(query.get("maxResults", ["100"])[0] or 100)
        page: dict[str, Any] = {"analyzers": found[start:start + size]}
        if start + size < len(found):
            page["nextToken"] = str(start + size)
        return page

    @staticmethod
    def create(own: dict[str, dict[str, Any]], body: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        name, kind = body.get("analyzerName", ""), body.get("type")
        if not ANALYZER_NAME.match(name):
            raise ApiError(400, "ValidationException", "analyzerName must match [A-Za-z][A-Za-z0-9_.-]{0,254}")
        if kind not in TYPES:
            raise ApiError(400, "ValidationException", f"type must be one of {sorted(TYPES)}")
        if kind.startswith("ORGANIZATION"):
            raise ApiError(400, "ValidationException", "the emulator has no organization; use an ACCOUNT analyzer")
        if name in own:
            raise ApiError(409, "ConflictException", f"Analyzer {name} already exists")
        arn = f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        own[name] = {"arn": arn, "name": name, "type": kind, "createdAt": stamp, "status": "ACTIVE",
                     "tags": body.get("tags") or {}}
        return {"arn": arn}

    @staticmethod
    def get(own: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
        if name not in own:
            raise ApiError(404, "ResourceNotFoundException", f"Analyzer {name} not found")
        return own[name]


def middleware(app: Callable, service: AccessAnalyzer | None = None) -> Callable:
    """Answers Access Analyzer requests; passes the rest to `app` (moto)."""
    service = service or AccessAnalyzer()

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        signed = scope(environ)
        if not signed or signed[2] != SIGNING_NAME:
            return app(environ, start_response)
        access_key, region, _ = signed
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
            status, payload = service.handle(
                environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                parse_qs(environ.get("QUERY_STRING", "")), body, account_of(access_key), region)
            headers = [("Content-Type", "application/json")]
        except ApiError as err:
            status, payload = err.status, {"message": err.message}
            headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", err.code)]
        except json.JSONDecodeError as err:
            status, payload = 400, {"message": f"the request body is not JSON: {err}"}
            headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ValidationException")]
        text = json.dumps(payload).encode()
        reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict"}
        start_response(f"{status} {reasons.get(status, 'Error')}", headers + [("Content-Length", str(len(text)))])
        return [text]

    return wsgi
