"""Speed of every named query: p50 and p95 over repeated runs, with the example call of
each query's header as its parameters.

Meant for a KG of a million triples and more (scripts/synth_kg.py with `--build` of the
real corpus into the same store); the target is a p50 under 50 ms for each query. The view
the queries run on (kg.queries.query_view) is made or reused before the timing starts and
its time is printed apart; `--as-of` times the in-memory view of an as-of query once.

    python scripts/bench_queries.py --store /tmp/kg-bench --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from kg.queries import (
    NamedQuery,
    bind_params,
    example_params,
    list_queries,
    parse_as_of,
    query_view,
    query_view_as_of,
    run_query,
)
from kg.store import KGStore


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--as-of", default=None, metavar="DATE",
                        help="also time making the view of what the KG knew on DATE")
    parser.add_argument("--only", nargs="*", default=None, help="query names to time")
    args = parser.parse_args()
    store = KGStore(args.store, read_only=True)
    started = time.perf_counter()
    view = query_view(store)
    view_s = time.perf_counter() - started
    triples = sum(1 for _ in view.quads_for_pattern(None, None, None, None))
    print(f"store {args.store}: {len(store)} quads; view made or reused in {view_s:.1f} s "
          f"({triples} quads, the merged default graph included)")
    queries: list[NamedQuery] = [q for q in list_queries()
                                 if not args.only or q.name in args.only]
    print(f"{'query':28} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8}")
    slow = []
    for query in queries:
        params = bind_params(query, example_params(query))
        times = []
        rows = 0
        for _ in range(args.repeat):
            began = time.perf_counter()
            rows = len(run_query(view, query, params).rows)
            times.append((time.perf_counter() - began) * 1000)
        p50, p95 = statistics.median(times), _percentile(times, 0.95)
        if p50 >= 50:
            slow.append(query.name)
        print(f"{query.name:28} {rows:>6} {p50:>8.1f} {p95:>8.1f}")
    if args.as_of:
        began = time.perf_counter()
        as_of_view = query_view_as_of(store, parse_as_of(args.as_of))
        print(f"as-of {args.as_of}: view of the graphs known then made in "
              f"{time.perf_counter() - began:.1f} s")
        del as_of_view
    print("p50 under 50 ms for every query" if not slow
          else f"p50 of 50 ms or more: {', '.join(slow)}")
    sys.exit(0)


if __name__ == "__main__":
    main()
