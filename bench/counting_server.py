"""The test bed's emulator (tests/emulator/server.py), unchanged, behind a WSGI
middleware for the benchmark, which can:

- log every API call it serves: one line per request, tab-separated,
  `<service>\t<operation>\t<seconds in the emulator>`, appended to the file named by
  HUBFIX_BENCH_CALL_LOG (`bench.py --calls` counts them per finding, by operation);
- hold every request for HUBFIX_BENCH_LATENCY_MS milliseconds before the emulator
  handles it: a model of the network round trip and of AWS's own time serving a call,
  which, as against AWS, overlap across concurrent requests (the wait releases
  Python's interpreter lock; the emulator's own work, under that lock, does not
  overlap).

Usage: python bench/counting_server.py [--host 127.0.0.1] [--port 0]
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests/emulator"))

import server  # noqa: E402  (the emulator's own entry point)

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]*/[^/]*/[^/]*/([^/]*)/")


def operation(environ: dict, body: bytes) -> tuple[str, str]:
    """The service (from the signature's credential scope) and the operation: the JSON
    target, the query protocol's Action, or the REST method, path shape and S3
    sub-resource."""
    scope = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else "?"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, target.rsplit(".", 1)[-1]
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    form = parse_qs(body.decode("utf-8", "replace")) if body[:7] == b"Action=" else {}
    action = (form.get("Action") or query.get("Action") or [None])[0]
    if action:
        return service, action
    method = environ.get("REQUEST_METHOD", "?")
    path = environ.get("PATH_INFO", "/")
    if service == "s3":
        sub = ",".join(sorted(k for k in query if k not in ("x-id",)))
        parts = [p for p in path.split("/") if p]
        shape = "/" if not parts else "/bucket" if len(parts) == 1 else "/bucket/key"
        return service, f"{method} {shape}{'?' + sub if sub else ''}"
    return service, f"{method} {re.sub(r'/[0-9a-f-]{8,}', '/{id}', path)}"


def counting(app, log: Path):
    """Logs each request's service, operation and time in the emulator to `log`."""
    lock = threading.Lock()

    def middleware(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, op = operation(environ, body)
        start = time.perf_counter()
        result = list(app(environ, start_response))
        seconds = time.perf_counter() - start
        with lock, log.open("a") as f:
            f.write(f"{service}\t{op}\t{seconds:.6f}\n")
        return result

    return middleware


def delayed(app, seconds: float):
    """Holds each request for `seconds` before `app` handles it."""

    def middleware(environ, start_response):
        time.sleep(seconds)
        return app(environ, start_response)

    return middleware


def bench_app(build):
    """The emulator's app with the middlewares the environment asks for."""
    app = build()
    if os.environ.get("HUBFIX_BENCH_CALL_LOG"):
        app = counting(app, Path(os.environ["HUBFIX_BENCH_CALL_LOG"]))
    latency_ms = float(os.environ.get("HUBFIX_BENCH_LATENCY_MS") or 0)
    if latency_ms > 0:
        app = delayed(app, latency_ms / 1000)
    return app


if __name__ == "__main__":
    build = server.build_app
    server.build_app = lambda: bench_app(build)
    code = server.main(sys.argv[1:])
    sys.stderr.flush()
    sys.__stdout__.flush()
    os._exit(code)
