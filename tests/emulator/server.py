"""The local AWS emulator for hubfix's tests and demo: moto in server mode plus
hubfix's extension, on a loopback port.

Usage: python tests/emulator/server.py [--host 127.0.0.1] [--port 0]

Port 0 (the default) binds a free port. When ready, prints one line
`HUBFIX_EMULATOR_READY http://<host>:<port>` to stdout. Exits when its stdin reaches
end-of-file (the parent process died or closed the pipe) and on SIGTERM or SIGINT, so
it never outlives the test that started it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hubfix_emulator  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    return parser.parse_args(argv)


def watch_stdin(stop: threading.Event) -> None:
    """Sets `stop` when stdin reaches end-of-file."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    stop.set()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Real accounts have AWS managed policies (AWSSupportAccess, ...); moto loads them on request.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    hubfix_emulator.install()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = hubfix_emulator.wsgi(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=watch_stdin, args=(stop,), daemon=True).start()
    print(f"HUBFIX_EMULATOR_READY http://{args.host}:{port}", flush=True)
    while not stop.wait(0.5):
        pass
    # The server thread is a daemon: exiting the process stops it at once.
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
