"""The test bed's emulator (tests/emulator/server.py), unchanged, for the benchmark,
which can:

- log every API call it serves: one line per request, tab-separated,
  `<service>\t<operation>\t<seconds in the emulator>`, appended to the file named by
  HUBFIX_BENCH_CALL_LOG (`bench.py --calls` counts them per finding, by operation);
  the emulator's admin endpoints (`/_hubfix/...`) are not API calls and are not logged;
- hold every request for HUBFIX_BENCH_LATENCY_MS milliseconds before the emulator
  handles it: the server's own `--latency-ms` (a model of the network round trip and of
  AWS's own time serving a call; see tests/emulator/server.py), outside the call log,
  so the logged time is the emulator's alone.

Usage: python bench/counting_server.py [--host 127.0.0.1] [--port 0] [--latency-ms 0]
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

import hubfix_emulator  # noqa: E402  (the emulator's extension)
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
        if hubfix_emulator.admin.is_admin(environ):
            return app(environ, start_response)
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


def bench_app(build):
    """The emulator's app, logging its calls when the environment asks for it."""
    app = build()
    if os.environ.get("HUBFIX_BENCH_CALL_LOG"):
        app = counting(app, Path(os.environ["HUBFIX_BENCH_CALL_LOG"]))
    return app


def bench_args(argv: list[str]) -> list[str]:
    """The server's command line, with HUBFIX_BENCH_LATENCY_MS as its --latency-ms."""
    latency_ms = float(os.environ.get("HUBFIX_BENCH_LATENCY_MS") or 0)
    return argv + (["--latency-ms", str(latency_ms)] if latency_ms > 0 else [])


if __name__ == "__main__":
    build = server.build_app
    server.build_app = lambda: bench_app(build)
    code = server.main(bench_args(sys.argv[1:]))
    sys.stderr.flush()
    sys.__stdout__.flush()
    os._exit(code)
