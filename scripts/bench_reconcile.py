"""Benchmark of linking to Wikidata: requests per actor, a cached re-run, actors per second.

Why: issue 5 sets the reconciler's targets against a Wikidata-sized endpoint: at most one
request per 25 actors (batched VALUES queries, not one query per name), no request at all
when the same actors are linked again with the same cache, and a linking speed to watch.
Wikidata's query service is shared and rate-limited, so the figures are measured on a
local Oxigraph server holding a synthetic dataset in Wikidata's vocabulary
(scripts/synth_wikidata.py, 100,000 items by default), which also knows the right answer
for every actor, so the accuracy of the links is measured too.

Steps:

1. generate the dataset, or reuse the file a previous run left in --data (the file name
   holds the size, seed and a hash of the generator's source);
2. load it into a fresh Oxigraph store (``oxigraph load``), timed;
3. serve it read-only on a free loopback port (as tests/conftest.py's
   ``wikidata_endpoint`` does), and wait until it answers;
4. link --actors actors (`kg.reconcile.link.reconcile` with the word search that
   `kg.reconcile.search.search_for` picks for a non-Wikidata endpoint) with an empty
   cache, then again with the same cache;
5. print entities, actors, load time; for each run requests, requests per actor, cache
   hits, wall time, actors per second; the cost of each kind of query (count, seconds,
   rows); accepted/review/reject and the precision of accepted links against the truth.

The server is stopped at the end, also on error or Ctrl-C. Only 127.0.0.1 is contacted.

Run from the repository root: ``.venv/bin/python scripts/bench_reconcile.py
[--entities N] [--actors M] [--data DIR] [--timeout S] [--json]`` (or ``make
bench-reconcile``). Exit code 0: targets met; 1: a target missed (more than 1/25
requests per actor, or a request on the re-run); 2: the server or the load failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import URIRef

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth_wikidata  # noqa: E402  (a sibling script, not a package)
from synth_wikidata import (  # noqa: E402
    BenchActor,
    generate,
    sample_actors,
    write_ntriples,
)

from kg.namespace import KG, WD  # noqa: E402
from kg.reconcile.candidates import ActorToLink  # noqa: E402
from kg.reconcile.client import SelectResult, SparqlClient  # noqa: E402
from kg.reconcile.link import reconcile  # noqa: E402
from kg.reconcile.scoring import ACCEPTED, REJECTED, REVIEWED, Decision  # noqa: E402
from kg.reconcile.search import search_for  # noqa: E402
from kg.reconcile.sparql import MARKER, template  # noqa: E402

TARGET_REQUESTS_PER_ACTOR = 1 / 25
QUERY_KINDS = ("candidates", "details", "class-ancestors", "word-search")
KG_TYPES = {"person": KG.Person, "armed": KG.ArmedGroup, "org": KG.Organization,
            "gov": KG.GovernmentBody, "state": KG.State}
ACTOR_BASE = "https://example.org/kg-bench/actor/"


@dataclass
class KindCost:
    """What one kind of query (one template of queries/wikidata) cost in a run."""

    queries: int = 0
    requests: int = 0
    seconds: float = 0.0
    rows: int = 0
    values_rows: int = 0
    slowest: float = 0.0


class TimedClient(SparqlClient):
    """A SparqlClient that also counts and times each kind of query.

    A subclass rather than a wrapper around `select`: `search_for(client)` reads the
    client's endpoint to choose the word search and binds `client.select` itself, so only
    a subclass sees the word-search queries too. Built with the arguments `client_for`
    uses (POST, an sqlite cache).
    """

    def __init__(self, endpoint: str, cache: Path, timeout: float) -> None:
        super().__init__(endpoint, cache_path=cache, method="POST", timeout=timeout)
        self.costs = {kind: KindCost() for kind in (*QUERY_KINDS, "other")}

    def select(self, query: str) -> SelectResult:
        kind = query_kind(query)
        before = self.stats.requests
        start = time.perf_counter()
        result = super().select(query)
        elapsed = time.perf_counter() - start
        cost = self.costs[kind]
        cost.queries += 1
        cost.requests += self.stats.requests - before  # exact when queries run one by one
        cost.seconds += elapsed
        cost.slowest = max(cost.slowest, elapsed)
        cost.rows += len(result)
        cost.values_rows += query.count("\n    (")
        return result


def query_kind(query: str) -> str:
    """Which template of queries/wikidata a rendered query came from."""
    for kind in QUERY_KINDS:
        if query.startswith(template(kind).split(MARKER, 1)[0]):
            return kind
    return "other"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def oxigraph_server(oxigraph: Path, location: Path, log_path: Path) -> Iterator[str]:
    """Serve a store read-only on a free loopback port; yield the query URL; stop it."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    with log_path.open("w", encoding="utf-8") as log:
        # The log goes to a file: a pipe nobody reads could fill up and stall the server.
        server = subprocess.Popen(
            [str(oxigraph), "serve-read-only", "--location", str(location),
             "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(server, endpoint, log_path)
            yield endpoint
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_ready(server: subprocess.Popen[bytes], endpoint: str, log_path: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    ready_url = endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"oxigraph serve-read-only exited with {server.returncode}: "
                               f"{log_path.read_text(encoding='utf-8')}")
        try:
            with opener.open(ready_url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass  # not listening yet
        if time.monotonic() > deadline:
            raise RuntimeError(f"oxigraph did not answer on {endpoint} within 60 s")
        time.sleep(0.1)


def to_link(actors: Sequence[BenchActor]) -> list[ActorToLink]:
    return [ActorToLink(URIRef(f"{ACTOR_BASE}{i}"), KG_TYPES[a.kind], a.label, a.aliases)
            for i, a in enumerate(actors)]


def link_run(endpoint: str, cache: Path, actors: list[ActorToLink], timeout: float
             ) -> tuple[list[Decision], dict[str, Any]]:
    """One linking run as `kg reconcile` does it, with a new client on `cache`."""
    client = TimedClient(endpoint, cache, timeout)
    start = time.perf_counter()
    decisions = reconcile(client.select, actors, search_for(client))
    seconds = time.perf_counter() - start
    stats = client.stats
    query_seconds = sum(c.seconds for c in client.costs.values())
    return decisions, {
        "requests": stats.requests,
        "requests_per_actor": stats.requests / max(1, len(actors)),
        "cache_hits": stats.cache_hits,
        "retries": stats.retries,
        "failures": stats.failures,
        "seconds": round(seconds, 3),
        "query_seconds": round(query_seconds, 3),
        "local_seconds": round(seconds - query_seconds, 3),
        "actors_per_second": round(len(actors) / seconds, 1) if seconds else None,
        "by_query": {kind: {k: (round(v, 3) if isinstance(v, float) else v)
                            for k, v in vars(cost).items()}
                     for kind, cost in client.costs.items() if cost.queries},
    }


def accuracy(decisions: list[Decision], actors: Sequence[BenchActor]) -> dict[str, Any]:
    """Decisions against the truth: precision of accepted links, recall, per kind of name."""
    outcome: Counter[str] = Counter()
    by_how: dict[str, Counter[str]] = {}
    for decision, actor in zip(decisions, actors, strict=True):
        outcome[decision.decision] += 1
        how = by_how.setdefault(actor.how, Counter())
        how["actors"] += 1
        how[decision.decision] += 1
        if decision.linked and decision.best is not None:
            right = actor.truth is not None and decision.best.candidate.item == WD[actor.truth]
            outcome["correct" if right else "wrong"] += 1
            how["correct" if right else "wrong"] += 1
    linked = outcome[ACCEPTED]
    with_truth = sum(1 for a in actors if a.truth is not None)
    return {
        "linked": linked, "review": outcome[REVIEWED], "reject": outcome[REJECTED],
        "linked_correctly": outcome["correct"], "linked_wrongly": outcome["wrong"],
        "precision": round(outcome["correct"] / linked, 4) if linked else None,
        "actors_with_truth": with_truth,
        "recall": round(outcome["correct"] / with_truth, 4) if with_truth else None,
        "by_name_kind": {how: dict(c) for how, c in sorted(by_how.items())},
    }


def run(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    oxigraph = Path(sys.executable).parent / "oxigraph"
    if not oxigraph.is_file():
        raise RuntimeError(f"{oxigraph} is missing: pip install -e '.[test]'")
    data: Path = args.data
    data.mkdir(parents=True, exist_ok=True)
    items = generate(args.entities, args.seed)
    # The generator's own text is in the name: an edited generator never reuses a stale file.
    source = hashlib.sha256(Path(synth_wikidata.__file__).read_bytes()).hexdigest()[:10]
    dataset = data / f"synthetic-wikidata-{args.entities}-s{args.seed}-{source}.nt"
    reused = dataset.is_file()
    if not reused:
        partial = dataset.with_suffix(".part")
        write_ntriples(items, partial)
        partial.rename(dataset)  # a cut run leaves no half file to be reused
    bench_actors = sample_actors(items, args.actors, args.seed + 4)
    actors = to_link(bench_actors)

    store = data / "store"
    shutil.rmtree(store, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([str(oxigraph), "load", "--location", str(store), "--file", str(dataset)],
                   check=True, capture_output=True)
    load_seconds = time.perf_counter() - start

    cache = data / "cache.sqlite"
    cache.unlink(missing_ok=True)
    with oxigraph_server(oxigraph, store, data / "serve.log") as endpoint:
        first, first_run = link_run(endpoint, cache, actors, args.timeout)
        again, re_run = link_run(endpoint, cache, actors, args.timeout)
    same = [(d.decision, d.best and d.best.candidate.item) for d in first] == \
        [(d.decision, d.best and d.best.candidate.item) for d in again]
    report = {
        "entities": len(items), "dataset": str(dataset), "dataset_reused": reused,
        "dataset_mib": round(dataset.stat().st_size / 2**20, 1),
        "load_seconds": round(load_seconds, 2), "actors": len(actors),
        "actor_names": dict(Counter(a.how for a in bench_actors)),
        "first_run": first_run, "re_run": re_run, "re_run_same_decisions": same,
        "accuracy": accuracy(first, bench_actors),
        "target_requests_per_actor": TARGET_REQUESTS_PER_ACTOR,
    }
    met = (first_run["requests_per_actor"] <= TARGET_REQUESTS_PER_ACTOR
           and re_run["requests"] == 0 and same)
    report["targets_met"] = met
    return report, 0 if met else 1


def print_report(r: dict[str, Any]) -> None:
    acc = r["accuracy"]
    print(f"entities {r['entities']:,} ({r['dataset_mib']} MiB N-Triples"
          f"{', reused' if r['dataset_reused'] else ''}); load {r['load_seconds']} s")
    print(f"actors {r['actors']:,}: " + ", ".join(f"{k} {v}" for k, v in r["actor_names"].items()))
    for name in ("first_run", "re_run"):
        run_ = r[name]
        print(f"{name.replace('_', ' ')}: requests {run_['requests']} "
              f"({run_['requests_per_actor']:.4f}/actor, target <= "
              f"{r['target_requests_per_actor']:.4f}), cache hits {run_['cache_hits']}, "
              f"retries {run_['retries']}, {run_['seconds']} s "
              f"(queries {run_['query_seconds']} s, local {run_['local_seconds']} s), "
              f"{run_['actors_per_second']} actors/s")
        for kind, cost in run_["by_query"].items():
            print(f"  {kind:16} queries {cost['queries']:4} requests {cost['requests']:4} "
                  f"values {cost['values_rows']:6} rows {cost['rows']:7} "
                  f"{cost['seconds']:8.2f} s (slowest {cost['slowest']:.2f} s)")
    print(f"re-run decisions identical: {r['re_run_same_decisions']}")
    print(f"decisions: linked {acc['linked']}, review {acc['review']}, reject {acc['reject']}; "
          f"linked correctly {acc['linked_correctly']}/{acc['linked']} "
          f"(precision {acc['precision']}), recall {acc['recall']} of "
          f"{acc['actors_with_truth']} actors with an item")
    for how, c in acc["by_name_kind"].items():
        print(f"  {how:9} " + ", ".join(f"{k} {v}" for k, v in c.items()))
    print("targets met" if r["targets_met"] else "TARGETS MISSED")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--actors", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "kg-bench-reconcile",
                        help="folder for the dataset (reused), store, cache and server log")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds per request, as kg's client waits by default")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    # Loopback only, whatever proxy the environment names.
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    try:
        report, code = run(args)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None)
        print(f"bench_reconcile: {exc}{': ' + detail.decode() if detail else ''}",
              file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return code


if __name__ == "__main__":
    sys.exit(main())
