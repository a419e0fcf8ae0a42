"""Running the application under waitress, a production WSGI server with a thread pool,
until Ctrl-C; the CLI's `kg serve` calls `serve`."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from typing import Any

from waitress.server import create_server

from kg.publish.serve_log import quiet_queue_warnings
from kg.publish.server import KGApp

DEFAULT_THREADS = 16


def create(app: KGApp, host: str, port: int, *, threads: int = DEFAULT_THREADS,
           sockets: list[socket.socket] | None = None) -> Any:
    """A bound waitress server (port 0 picks a free port: read it from `.effective_port`),
    or one that answers on `sockets`, bound already (kg.publish.serve_processes).
    Enough threads that page loads are not queued behind slow SPARQL queries, and a
    connection limit well above the 50 clients the server is tested with. Waitress caps
    bodies too (a chunked body has no length the app could check first), above the app's
    own limit so that the app's message, which says what the limit is, is the one seen.
    Its warning per request that waits for a thread is summed up instead (serve_log)."""
    quiet_queue_warnings()
    where: dict[str, Any] = {"sockets": sockets} if sockets else {"host": host, "port": port}
    return create_server(app, threads=threads, connection_limit=200, channel_timeout=120,
                         ident="kg", max_request_body_size=2 * app.limits.body_bytes + 65536,
                         **where)


def serve(app: KGApp, host: str, port: int, *, threads: int = DEFAULT_THREADS,
          on_ready: Callable[[str], None] = lambda url: None,
          sockets: list[socket.socket] | None = None) -> None:
    server = create(app, host, port, threads=threads, sockets=sockets)
    app.warm_up()
    url = f"http://{server.effective_host}:{server.effective_port}/"
    on_ready(url)

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    # Both set here: a shell that starts a program in the background makes it ignore
    # SIGINT, and a service manager stops it with SIGTERM.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.close()
