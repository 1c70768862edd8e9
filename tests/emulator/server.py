"""The local AWS emulator for hubfix's tests and demo: moto in server mode plus
hubfix's extension (`hubfix_emulator/`), on a loopback port.

Usage: python tests/emulator/server.py [--host 127.0.0.1] [--port 0] [--latency-ms 0]

Port 0 (the default) binds a free port chosen by the OS. `--latency-ms` holds every AWS
request that long before the emulator handles it: a model of the network round trip
and of AWS's own time serving a call, which, as against AWS, overlap across concurrent
requests (the wait releases Python's interpreter lock; the emulator's own work does
not overlap). The emulator's admin endpoints (`/_hubfix/...`) are not held. When ready, prints exactly one
line `HUBFIX_EMULATOR_READY http://<host>:<port>` to stdout and nothing more there.
Exits when its stdin reaches end-of-file (the parent process died or closed the pipe)
and on SIGTERM or SIGINT, so it never outlives the test that started it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hubfix_emulator

READY = "HUBFIX_EMULATOR_READY"
# How often the server loop and the main thread look for a stop request (seconds).
POLL = 0.1


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: --host, --port and --latency-ms."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="hold every AWS request this many milliseconds (0: none)")
    args = parser.parse_args(argv)
    if args.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    return args


def quiet_logging() -> None:
    """No per-request log lines; warnings and errors still reach stderr."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="emulator: %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def build_app() -> Callable:
    """moto's WSGI app with hubfix's extension installed (before moto builds anything)."""
    # Real accounts have AWS managed policies (AWSSupportAccess, ...); moto loads them on request.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    hubfix_emulator.install()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )

    return hubfix_emulator.wsgi(DomainDispatcherApplication(create_backend_app))


def with_latency(app: Callable, milliseconds: float) -> Callable:
    """Holds each AWS request for `milliseconds` before `app` handles it (admin endpoints
    are answered at once)."""
    seconds = milliseconds / 1000

    def wsgi(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not hubfix_emulator.admin.is_admin(environ):
            time.sleep(seconds)
        return app(environ, start_response)

    return wsgi


def watch_stdin(stop: threading.Event) -> None:
    """Sets `stop` when stdin reaches end-of-file (or cannot be read). Reads the file
    descriptor itself: a thread blocked in Python's buffered stdin would hold its lock
    and make the interpreter abort at exit."""
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except (OSError, ValueError):
        pass
    stop.set()


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())


def announce(host: str, port: int) -> None:
    """Prints the READY line, then sends anything else written to stdout to stderr, so
    the READY line stays the only line on stdout."""
    print(f"{READY} http://{host}:{port}", flush=True)
    sys.stdout = sys.stderr


def main(argv: list[str]) -> int:
    """Serves until stdin closes or a stop signal arrives."""
    args = parse_args(argv)
    quiet_logging()
    app = build_app()
    if args.latency_ms > 0:
        app = with_latency(app, args.latency_ms)
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    stop = threading.Event()
    stop_on_signals(stop)
    threading.Thread(target=server.serve_forever, args=(POLL,), name="serve", daemon=True).start()
    threading.Thread(target=watch_stdin, args=(stop,), name="stdin-watchdog", daemon=True).start()
    announce(args.host, server.server_port)
    while not stop.wait(POLL):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stderr.flush()
    sys.__stdout__.flush()
    # The server is closed and nothing is left to write: skip the interpreter's slow
    # teardown of moto's many modules, so a test suite's emulators stop at once.
    os._exit(code)
