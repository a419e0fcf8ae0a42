"""Benchmark of the reconciliation service: batches of 10 queries, as OpenRefine sends them.

Why: OpenRefine reconciles a column in batches of about 10 names and sends several at
once; a newsroom's shared kg serves several users. The figures are requests (batches)
per second and the latency of a batch, median and 95th percentile, with 10 and with 50
clients sending at the same time.

The store is built from examples/ (or given with --store); the service runs in this
process on a threaded wsgiref server on a free loopback port (or is given with --url,
e.g. `kg serve`'s /reconcile, which is how the server's own benchmark calls `bench`).
Each batch holds 10 names drawn, seeded, from the store's actors' labels and aliases,
spelt as a spreadsheet might (lower case, an article dropped, a word cut), so that
exact, fuzzy and missing names all take their path.

Run from the repository root: ``.venv/bin/python scripts/bench_recon_api.py
[--store DIR] [--url URL] [--requests N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests

ROOT = Path(__file__).resolve().parent.parent
BATCH = 10


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(store_dir: Path) -> Iterator[str]:
    """The service over the store at `store_dir`, on a free port, for the block."""
    from kg.namespace import DEFAULT_BASE
    from kg.publish.reconcile_api import make_app
    from kg.store import KGStore

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = make_app(KGStore(store_dir, read_only=True), DEFAULT_BASE, url, index_max_age=None)
    server = make_server("127.0.0.1", port, app, server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def names_of(url: str) -> list[str]:
    """Names to ask for: what suggest finds for each letter (labels and aliases)."""
    names: set[str] = set()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for cursor in ("0", "10"):
            answer = requests.get(url + "/suggest/entity",
                                  params={"prefix": letter, "cursor": cursor}, timeout=30)
            names.update(r["name"] for r in answer.json()["result"])
    return sorted(names)


def make_batches(names: list[str], count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)

    def spell(name: str) -> str:
        pick = rng.random()
        if pick < 0.3:
            return name.lower()
        if pick < 0.5:
            return name.replace("al-", "").replace("Al-", "")
        if pick < 0.6:
            return " ".join(name.split()[:-1]) or name
        if pick < 0.7:
            return f"{name} Unknown Brigade"
        return name

    return [json.dumps({f"q{i}": {"query": spell(rng.choice(names)), "limit": 5}
                        for i in range(BATCH)}) for _ in range(count)]


def bench(url: str, concurrency: int, batches: list[str]) -> dict[str, Any]:
    """Send every batch (POST queries=...) with `concurrency` clients; the figures."""
    local = threading.local()

    def one(batch: str) -> float:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        start = time.perf_counter()
        response = session.post(url, data={"queries": batch}, timeout=120)
        response.raise_for_status()
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(one, batches))
    elapsed = time.perf_counter() - start
    return {
        "clients": concurrency,
        "batches": len(batches),
        "queries_per_batch": BATCH,
        "batches_per_s": round(len(batches) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=None,
                        help="A built store (default: build one from examples/).")
    parser.add_argument("--url", default=None, help="A running service (default: serve here).")
    parser.add_argument("--requests", type=int, default=500, help="Batches per run.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None and args.url is None:
            from kg.build import build
            from kg.store import KGStore

            store = Path(tmp) / "kg-data"
            build([ROOT / "examples"], KGStore(store))
        with serve(store) if args.url is None else _given(args.url) as url:
            batches = make_batches(names_of(url), args.requests)
            bench(url, 4, batches[:20])  # warm-up: the index is read on first use
            runs = [bench(url, clients, batches) for clients in (10, 50)]
    if args.json:
        print(json.dumps(runs, indent=1))
    else:
        for run in runs:
            print(f"{run['clients']:>3} clients: {run['batches_per_s']:>7} batches/s "
                  f"({run['queries_per_batch']} queries each), p50 {run['p50_ms']} ms, "
                  f"p95 {run['p95_ms']} ms over {run['batches']} batches")
    return 0


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
