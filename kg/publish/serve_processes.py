"""`kg serve --processes N`: N server processes answering on one listening socket.

The server answers in Python threads, and Python runs one thread at a time: building
pages, scoring reconciliation candidates and making documents used one core of the
bench machine's two, and at 10 clients its first visits to pages waited in line for it
(p95 around 95 ms for pages that take 4 ms to build). Each process opens the store
read-only, has its own caches and query workers, and warms up; the kernel hands each
new connection to one of them. The parent only watches: it starts another process for
one that dies, and stops them all on Ctrl-C or SIGTERM. It forks before anything opens
the store or starts a thread, so that each process starts clean. The processes share
the pages they keep through a folder the parent makes (kg.publish.shared_pages).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.publish.serve import serve
from kg.publish.server import KGApp

log = logging.getLogger("kg.publish.serve")

# Processes when none is asked for: the machine's cores, at most this many. Two is what
# the server is sized for (p95 under 100 ms for first visits to pages at 10 clients on a
# million triples, where one process gave 84-119 ms); each more holds the store open
# and its caches (330-390 MB each on a million triples, warmed up), so a machine with more cores
# gets more only when they are asked for.
MAX_DEFAULT_PROCESSES = 2

# A process that ends sooner than this after it started is not started again: it would
# only fail again (a store it cannot open, a port taken), so the server stops instead.
STEADY_SECONDS = 10.0


class ServeError(Exception):
    """The server processes could not be kept running."""


def default_processes() -> int:
    """The machine's cores, at most MAX_DEFAULT_PROCESSES; one where processes cannot be
    forked (Windows)."""
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES))


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=1024)


def serve_processes(make_app: Callable[[Path], KGApp], host: str, port: int, *,
                    processes: int, threads: int,
                    on_ready: Callable[[str], None] = lambda url: None) -> None:
    """Serve in `processes` processes, each with an app from `make_app` (called in the
    process with the folder where the processes share the pages they keep) and `threads`
    threads, until Ctrl-C or SIGTERM."""
    if not hasattr(os, "fork"):
        raise ServeError("this system cannot fork processes: serve with --processes 1")
    with tempfile.TemporaryDirectory(prefix="kg-shared-pages-") as shared:
        _serve(lambda: make_app(Path(shared)), host, port, processes=processes,
               threads=threads, on_ready=on_ready)


def _serve(make_app: Callable[[], KGApp], host: str, port: int, *, processes: int,
           threads: int, on_ready: Callable[[str], None]) -> None:
    listener = listening_socket(host, port)
    bound_host, bound_port = listener.getsockname()[:2]
    url = f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}/"
    children: dict[int, float] = {}

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    def start() -> None:
        pid = os.fork()
        if pid == 0:  # the server process: serve until stopped, never return
            code = 0
            try:
                serve(make_app(), host, port, threads=threads, sockets=[listener])
            except BaseException:  # whatever it was, the process ends here
                log.exception("a server process failed")
                code = 1
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for _ in range(processes):
            start()
        on_ready(url)
        while children:
            pid, status = os.wait()
            started = children.pop(pid, None)
            if started is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if time.monotonic() - started < STEADY_SECONDS:
                raise ServeError(f"a server process ended {code=} right after it started "
                                 "(the log above says why); stopping")
            log.error("server process %d ended (%s); starting another", pid, code)
            start()
    except KeyboardInterrupt:
        pass
    finally:
        _stop_all(children)
        listener.close()


def _stop_all(children: dict[int, float]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
