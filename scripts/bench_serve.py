"""Benchmark of `kg serve`: requests per second and p50/p95 latency of an entity page, the
page of one of the 20 most mentioned actors, a Turtle entity document, a simple SPARQL
query and (when the server has one mounted) a reconcile batch of 10 queries, at 10 and
50 concurrent clients.

Why: the targets are p95 under 100 ms for entity documents and simple queries on a KG
of a million triples (make one with `make bench-kg`: scripts/synth_kg.py). The server runs as users
run it (`kg serve` in its own process); the clients are threads of this process with
keep-alive sessions, on the same machine, so the figures include the clients' share of
the CPU. Entities are drawn (seeded) from the KG's actors, so most pages are of ordinary
actors and a few of much-reported ones, as in use.

Run from the repository root: ``.venv/bin/python scripts/bench_serve.py --store DIR
[--requests 400] [--concurrency 10 50] [--processes N] [--json]``. Never part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ACTORS_QUERY = ("SELECT DISTINCT ?actor WHERE { ?actor kg:mention ?m } "
                "ORDER BY ?actor LIMIT 5000")
Call = Callable[[requests.Session, str], requests.Response]
# The most mentioned actors: their pages are the largest (hundreds of claims, each with
# its sources) and, in use, the most visited.
TOP_ACTORS_QUERY = ("SELECT ?actor (COUNT(?m) AS ?mentions) WHERE { ?actor kg:mention ?m } "
                    "GROUP BY ?actor ORDER BY DESC(?mentions) ?actor LIMIT 20")


def _start(store: Path, processes: int | None = None) -> tuple[subprocess.Popen[str], str]:
    kg = Path(sys.executable).parent / "kg"
    asked = ["--processes", str(processes)] if processes else []
    process = subprocess.Popen([str(kg), "serve", "--store", str(store), "--port", "0",
                                *asked], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://\S+?)/? ", line + " ")
    if not match:
        process.kill()
        raise SystemExit(f"kg serve did not start: {line!r}")
    return process, match.group(1).rstrip("/")


def _wait_until_idle(pid: int, *, quiet_seconds: float = 1.0, limit: float = 300.0) -> None:
    """Wait until the process has used (almost) no processor time for `quiet_seconds`
    (Linux's /proc; elsewhere, not at all)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    deadline = time.monotonic() + limit
    before = used()
    while time.monotonic() < deadline:
        time.sleep(quiet_seconds)
        now = used()
        if now - before < 0.05 * quiet_seconds:
            return
        before = now


def _children(pid: int) -> list[int]:
    """The server processes of `kg serve --processes N` (Linux's /proc; else none)."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.exists():
        return []
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def _path(iri: str) -> str:
    return "/" + iri.split("/", 3)[3]


def scenarios(url: str, actors: list[str]) -> dict[str, Callable[[requests.Session, int],
                                                                 requests.Response]]:
    def page(session: requests.Session, n: int) -> requests.Response:
        return session.get(url + _path(actors[n % len(actors)]) + ".html", timeout=120)

    def turtle(session: requests.Session, n: int) -> requests.Response:
        return session.get(url + _path(actors[n % len(actors)]) + ".ttl", timeout=120)

    def query(session: requests.Session, n: int) -> requests.Response:
        text = (f"SELECT ?p ?o WHERE {{ <{actors[n % len(actors)]}> ?p ?o }} LIMIT 100")
        return session.get(url + "/sparql", params={"query": text}, timeout=120,
                           headers={"Accept": "application/sparql-results+json"})

    def reconcile(session: requests.Session, n: int) -> requests.Response:
        names = [actors[(n + i) % len(actors)].rsplit("/", 1)[1].replace("-", " ")
                 for i in range(10)]
        batch = {f"q{i}": {"query": name} for i, name in enumerate(names)}
        return session.post(url + "/reconcile", data={"queries": json.dumps(batch)},
                            timeout=120)

    probe = requests.Session()
    probe.trust_env = False
    answer = probe.get(url + "/sparql", params={"query": TOP_ACTORS_QUERY}, timeout=300,
                       headers={"Accept": "application/sparql-results+json"})
    answer.raise_for_status()
    top = [b["actor"]["value"] for b in answer.json()["results"]["bindings"]]

    def top_page(session: requests.Session, n: int) -> requests.Response:
        return session.get(url + _path(top[n % len(top)]) + ".html", timeout=120)

    found: dict[str, Callable[[requests.Session, int], requests.Response]] = {
        "entity page": page, "much-reported actor page": top_page, "Turtle entity": turtle,
        "simple SPARQL query": query}
    if probe.get(url + "/reconcile", timeout=30).status_code == 200:
        found["reconcile batch of 10"] = reconcile
    return found


def run(call: Callable[[requests.Session, int], requests.Response], *, clients: int,
        total: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        with requests.Session() as session:
            session.trust_env = False
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                response = call(session, n)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        errors[0] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / wall, "p50_ms": cuts[49] * 1000,
            "p95_ms": cuts[94] * 1000, "errors": errors[0], "requests": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=400, help="per scenario and level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--processes", type=int, default=None,
                        help="kg serve --processes (default: the server's own default)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    process, url = _start(args.store, args.processes)
    try:
        session = requests.Session()
        session.trust_env = False
        # The server warms up in the background when it starts (counts for its home page
        # and VoID, the most reported actors' pages: seconds of processor time on a
        # million triples); wait for that, so that it is not measured as part of the
        # first scenario.
        for path in ("/", "/.well-known/void"):
            session.get(url + path, timeout=300).raise_for_status()
        for pid in [process.pid, *_children(process.pid)]:
            _wait_until_idle(pid)
        answer = session.get(url + "/sparql", params={"query": ACTORS_QUERY}, timeout=300,
                             headers={"Accept": "application/sparql-results+json"})
        answer.raise_for_status()
        actors = [b["actor"]["value"] for b in answer.json()["results"]["bindings"]]
        random.Random(6).shuffle(actors)
        found = scenarios(url, actors)
        results: list[dict[str, Any]] = []
        for name, call in found.items():
            run(call, clients=4, total=40)  # warm-up: caches, query workers
            for clients in args.concurrency:
                figures = run(call, clients=clients, total=args.requests)
                results.append({"scenario": name, "clients": clients, **figures})
                if not args.json:
                    print(f"{name:24} {clients:3} clients  {figures['rps']:7.1f} req/s  "
                          f"p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
                          f"  errors {figures['errors']}", flush=True)
        if "reconcile batch of 10" not in found and not args.json:
            print("reconcile batch of 10: not measured, no Reconciliation API at /reconcile")
        if args.json:
            print(json.dumps(results, indent=2))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)


if __name__ == "__main__":
    main()
