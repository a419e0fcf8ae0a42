"""Benchmark of `kg serve`: requests per second and p50/p95 latency of an entity page, the
page of one of the 20 most mentioned actors, a Turtle entity document, a simple SPARQL
query and (when the server has one mounted) a reconcile batch of 10 queries, at 10 and
50 concurrent clients.

Why: the targets are p95 under 100 ms for entity documents and simple queries on a KG
of a million triples (make one with `make bench-kg`: scripts/synth_kg.py). The server runs as users
run it (`kg serve` in its own process). The clients run on the same machine, with
keep-alive connections. They are wrk (Debian's package) when it is installed: written in
C, it leaves the server almost all of the processor. Otherwise they are threads of forked
Python processes, each client request costing about a millisecond of processor time that
the server does not get. Entities are drawn (seeded) from the KG's actors, so most pages
are of ordinary actors and a few of much-reported ones, as in use.

Run from the repository root: ``.venv/bin/python scripts/bench_serve.py --store DIR
[--seconds 5] [--concurrency 10 50] [--processes N] [--load wrk|python] [--json]``.
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

ACTORS_QUERY = ("SELECT DISTINCT ?actor WHERE { ?actor kg:mention ?m } "
                "ORDER BY ?actor LIMIT 5000")
WRK_SCRIPT = Path(__file__).with_name("bench_serve.lua")
# Scenarios whose answers the server keeps once made (kg.publish.page_cache), measured on
# first visits and on visits again. The much-reported actors' pages are made at start.
KEPT = ("entity page", "Turtle entity")
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


@dataclass(frozen=True)
class Request:
    """One request of a scenario, as either load generator sends it."""

    method: str
    path: str  # with its query string
    accept: str = "*/*"
    form: str = ""  # a urlencoded body, sent as a form

    def line(self) -> str:
        """The request as a line of bench_serve.lua's request file."""
        return "\t".join((self.method, self.path, self.accept, self.form))


def scenarios(url: str, actors: list[str]) -> dict[str, list[Request]]:
    """Each scenario's requests: a client sends them in turn, from the first."""
    probe = requests.Session()
    probe.trust_env = False
    answer = probe.get(url + "/sparql", params={"query": TOP_ACTORS_QUERY}, timeout=300,
                       headers={"Accept": "application/sparql-results+json"})
    answer.raise_for_status()
    top = [b["actor"]["value"] for b in answer.json()["results"]["bindings"]]

    def query(actor: str) -> Request:
        text = f"SELECT ?p ?o WHERE {{ <{actor}> ?p ?o }} LIMIT 100"
        return Request("GET", "/sparql?" + urlencode({"query": text}),
                       accept="application/sparql-results+json")

    def reconcile(n: int) -> Request:
        names = [actors[(n + i) % len(actors)].rsplit("/", 1)[1].replace("-", " ")
                 for i in range(10)]
        batch = {f"q{i}": {"query": name} for i, name in enumerate(names)}
        return Request("POST", "/reconcile", form=urlencode({"queries": json.dumps(batch)}))

    found = {
        "entity page": [Request("GET", _path(a) + ".html") for a in actors],
        "much-reported actor page": [Request("GET", _path(a) + ".html") for a in top],
        "Turtle entity": [Request("GET", _path(a) + ".ttl") for a in actors],
        "simple SPARQL query": [query(a) for a in actors]}
    if probe.get(url + "/reconcile", timeout=30).status_code == 200:
        found["reconcile batch of 10"] = [reconcile(n) for n in range(len(actors))]
    return found


def run_python(url: str, calls: list[Request], *, clients: int, seconds: float,
               once: bool = False, processes: int = 4) -> dict[str, float]:
    """`calls` sent in turn for `seconds` (or until each was sent, if `once`) by `clients`
    keep-alive clients spread over `processes` forked processes: threads of one
    interpreter take turns on its lock, and at 50 clients that wait was measured as
    latency."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    go = context.Event()
    answers: multiprocessing.Queue[tuple[list[float], int]] = context.Queue()

    def client(latencies: list[float], errors: list[int], lock: threading.Lock,
               deadline: float) -> None:
        with requests.Session() as session:
            session.trust_env = False
            while time.monotonic() < deadline:
                with counter.get_lock():
                    n = counter.value
                    counter.value += 1
                if once and n >= len(calls):
                    return
                call = calls[n % len(calls)]
                headers = {"Accept": call.accept}
                if call.form:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                started = time.perf_counter()
                response = session.request(call.method, url + call.path, data=call.form,
                                           headers=headers, timeout=120)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors[0] += response.status_code != 200

    def process(threads: int) -> None:
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        go.wait()
        deadline = time.monotonic() + seconds
        with ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(client, latencies, errors, lock, deadline)
                           for _ in range(threads)]:
                future.result()
        answers.put((latencies, errors[0]))

    processes = min(processes, clients)
    shares = [clients // processes + (i < clients % processes) for i in range(processes)]
    workers = [context.Process(target=process, args=(n,)) for n in shares]
    for worker in workers:
        worker.start()
    started = time.perf_counter()
    go.set()
    latencies: list[float] = []
    errors = 0
    for _ in workers:
        got, failed = answers.get()
        latencies += got
        errors += failed
    wall = time.perf_counter() - started
    for worker in workers:
        worker.join()
    _warn_if_cut(once, len(latencies), len(calls), seconds)
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / wall, "p50_ms": cuts[49] * 1000,
            "p95_ms": cuts[94] * 1000, "errors": errors, "requests": len(latencies)}


def _warn_if_cut(once: bool, answered: int, calls: int, seconds: float) -> None:
    if once and answered < calls:
        print(f"only {answered} of the {calls} first visits were answered in {seconds:g} s "
              "(--seconds)", file=sys.stderr)


def run_wrk(url: str, calls: list[Request], *, clients: int, seconds: int,
            once: bool = False) -> dict[str, float]:
    """The same requests sent by wrk, its two threads taking them in turn (bench_serve.lua
    reports the figures). A 4xx or 5xx answer, a timeout or a broken connection is an
    error."""
    threads = str(min(2, clients))
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8") as listing:
        listing.write("".join(call.line() + "\n" for call in calls))
        listing.flush()
        done = subprocess.run(
            ["wrk", "--threads", threads, "--connections", str(clients),
             "--duration", f"{seconds}s", "--timeout", "120s", "--script", str(WRK_SCRIPT),
             url, "--", listing.name, threads, "once" if once else "again"],
            capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    _warn_if_cut(once, figures["requests"], len(calls), seconds)
    errors = sum(figures["errors"].values())
    return {"rps": figures["requests"] / (figures["duration_us"] / 1e6),
            "p50_ms": figures["p50_us"] / 1000, "p95_ms": figures["p95_us"] / 1000,
            "errors": errors, "requests": figures["requests"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--seconds", type=int, default=5, help="per scenario and level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--processes", type=int, default=None,
                        help="kg serve --processes (default: the server's own default)")
    parser.add_argument("--load", choices=["wrk", "python"], default=None,
                        help="the load generator (default: wrk if installed, else python)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = args.load or ("wrk" if shutil.which("wrk") else "python")
    if load == "wrk" and not shutil.which("wrk"):
        raise SystemExit("--load wrk: wrk is not installed (Debian: apt-get install wrk)")
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
        if not args.json:
            print(f"clients: {load}, {args.seconds} s per row", flush=True)
        def measure(name: str, calls: list[Request], clients: int, once: bool) -> None:
            if load == "wrk":
                figures = run_wrk(url, calls, clients=clients, seconds=args.seconds,
                                  once=once)
            else:
                figures = run_python(url, calls, clients=clients, seconds=args.seconds,
                                     once=once)
            results.append({"scenario": name, "clients": clients, "load": load, **figures})
            if not args.json:
                print(f"{name:38} {clients:3} clients  {figures['rps']:7.1f} req/s  "
                      f"p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
                      f"  errors {figures['errors']}  ({figures['requests']} requests)",
                      flush=True)

        for name, calls in found.items():
            warm, rest = calls[:40], calls[40:]
            # Warm-up: query workers, connections, and for KEPT the first 40 entities.
            run_python(url, warm, clients=4, seconds=1, processes=1)
            if name in KEPT:
                # The server keeps these answers: each level first visits a share of the
                # entities once, then all levels visit them again.
                for i, clients in enumerate(args.concurrency):
                    measure(f"{name}, first visits", rest[i::len(args.concurrency)],
                            clients, once=True)
                for clients in args.concurrency:
                    measure(f"{name}, visited again", rest, clients, once=False)
            else:
                for clients in args.concurrency:
                    measure(name, calls, clients, once=False)
        if "reconcile batch of 10" not in found and not args.json:
            print("reconcile batch of 10: not measured, no Reconciliation API at /reconcile")
        if args.json:
            print(json.dumps(results, indent=2))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)


if __name__ == "__main__":
    main()
