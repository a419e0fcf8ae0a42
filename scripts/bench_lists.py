"""Benchmark of list ingestion: a full-size OFAC SDN CSV, parsed, validated and stored.

Why: the real SDN list has about 18,000 entries with some 20,000 alias and 24,000 address
rows; an analyst reloads it whenever OFAC publishes. The target is the whole file into
the store in under a minute on a 2-core machine.

The input is generated (seeded, so every run reads the same file) in OFAC's legacy
format: sdn.csv without a header row, "-0- " for empty fields, programs joined as
"A] [B", remarks with DOB, POB, nationality and a.k.a.s, and alt.csv and add.csv beside
it. Names are made of random syllables: no real person is named. Program codes are drawn
from lexicon/programs.tsv, so every entry takes the full path (no unknown-code reports).

Phases, timed in one process after a warm-up of the gazetteer and shapes:

* **ingest**: `kg.lists.ingest.ingest_list` into a fresh store, which is what `kg build
  sdn.csv` does: the target figure.
* **breakdown** (a second run over the same file): reading; the version's triples made
  in one process; the triples made and validated in batches in as many processes as
  the machine has cores, as ingest does. The rest of the ingest time is the store.

Run from the repository root: ``.venv/bin/python scripts/bench_lists.py [--entries N]
[--keep DIR] [--json]``. Exit code 0 done, 1 the ingest failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.extract import ExtractOptions
from kg.lists import read_list
from kg.lists.ingest import content_hash, ingest_list, validate_batches
from kg.lists.triples import programs, version_graph
from kg.store import KGStore
from kg.validate import split_valid

TARGET_SECONDS = 60.0
_SYLLABLES = ("al", "ba", "da", "fa", "ha", "ja", "ka", "la", "ma", "na", "ra", "sa", "ta",
              "za", "qu", "ri", "mu", "di", "si", "ya", "ib", "ur", "om", "ek")
_COUNTRIES = ("Iraq", "Iran", "Syria", "Lebanon", "Yemen", "Somalia", "Afghanistan",
              "Pakistan", "Russia", "Mali", "Libya", "Sudan")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set of this process, or of the largest worker (RUSAGE_CHILDREN)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1048576


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).upper()


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def generate(folder: Path, entries: int, seed: int = 7) -> Path:
    """Write sdn.csv, alt.csv and add.csv with `entries` entries; return sdn.csv."""
    rng = random.Random(seed)
    codes = sorted(code for (key, code) in programs() if key == "ofac-sdn")
    empty = "-0- "
    sdn, alt, add = [], [], []
    alt_num = add_num = 1
    for ent_num in range(10_000, 10_000 + entries):
        roll = rng.random()
        kind = "individual" if roll < 0.6 else "vessel" if roll < 0.65 else ""
        chosen = rng.sample(codes, rng.choice((1, 1, 1, 2, 3)))
        remarks = []
        if kind == "individual":
            name = f"{_word(rng)}, {_word(rng).title()}"
            remarks.append(f"DOB {rng.randint(1, 28)} {rng.choice(_MONTHS)} "
                           f"{rng.randint(1940, 2000)}")
            if rng.random() < 0.3:
                remarks.append(f"alt. DOB {rng.randint(1940, 2000)}")
            country = rng.choice(_COUNTRIES)
            remarks.append(f"POB {_word(rng).title()}, {country}")
            remarks.append(f"nationality {country}")
        else:
            name = f"{_word(rng)} {_word(rng)} {rng.choice(('COMPANY', 'BRIGADES', 'FRONT'))}"
        for _ in range(rng.choice((0, 1, 1, 2))):
            remarks.append(f"a.k.a. '{_word(rng)} {_word(rng)}'")
        row = [str(ent_num), _quoted(name), _quoted(kind) if kind else empty,
               _quoted("] [".join(chosen)), *([empty] * 7),
               _quoted("; ".join(remarks) + ".") if remarks else empty]
        sdn.append(",".join(row))
        for _ in range(rng.choice((0, 1, 1, 2))):
            alias = _quoted(_word(rng) + " " + _word(rng))
            alt.append(f'{ent_num},{alt_num},"aka",{alias},{empty}')
            alt_num += 1
        for _ in range(rng.choice((1, 1, 2))):
            add.append(f'{ent_num},{add_num},{empty},{_quoted(_word(rng).title())},'
                       f'{_quoted(rng.choice(_COUNTRIES))},{empty}')
            add_num += 1
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("sdn.csv", sdn), ("alt.csv", alt), ("add.csv", add)):
        (folder / name).write_text("\r\n".join(rows) + "\r\n\x1a", encoding="utf-8")
    return folder / "sdn.csv"


def breakdown(path: Path, options: ExtractOptions, jobs: int) -> dict[str, float]:
    """Where the time goes: reading, making the triples alone (one process), and making
    and validating them in batches (`jobs` processes), as ingest_list does."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    version = read_list(path)
    times["read"] = time.perf_counter() - start
    digest = content_hash(version)
    start = time.perf_counter()
    version_graph(version, digest, options)
    times["triples (1 process)"] = time.perf_counter() - start
    start = time.perf_counter()
    validate_batches(version, digest, options, jobs)
    times[f"triples + SHACL ({jobs} processes)"] = time.perf_counter() - start
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=18_000)
    parser.add_argument("--keep", type=Path, help="write the generated list here and keep it")
    parser.add_argument("--no-breakdown", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    options = ExtractOptions(now=dt.datetime.now(dt.UTC))
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "sdn-2024-05-03"
        path = generate(folder, args.entries)
        size = sum(f.stat().st_size for f in folder.glob("*.csv"))
        print(f"generated {args.entries} entries in {folder} ({size / 1048576:.1f} MiB)")
        # Warm-up: the gazetteer and shapes load once per process, not per list.
        split_valid(Graph())
        from kg.extract.gazetteer import load_gazetteer
        load_gazetteer()
        start = time.perf_counter()
        outcome = ingest_list(path, KGStore(Path(tmp) / "kg"), options)
        seconds = time.perf_counter() - start
        if outcome.error:
            print(f"ingest failed: {outcome.error}", file=sys.stderr)
            return 1
        figures: dict[str, Any] = {
            "entries": args.entries, "seconds": round(seconds, 2),
            "entries_per_second": round(args.entries / seconds, 1),
            "triples": outcome.triples, "quarantined": outcome.quarantined_triples,
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "worker_peak_rss_mib": round(peak_rss_mib(resource.RUSAGE_CHILDREN), 1),
        }
        verdict = "meets" if seconds < TARGET_SECONDS else "MISSES"
        print(f"ingest: {seconds:.1f} s, {figures['entries_per_second']} entries/s, "
              f"{outcome.triples} triples, peak RSS {figures['peak_rss_mib']} MiB "
              f"(largest worker {figures['worker_peak_rss_mib']} MiB) "
              f"({verdict} the {TARGET_SECONDS:.0f} s target)")
        if not args.no_breakdown:
            times = breakdown(path, options, os.cpu_count() or 1)
            figures["breakdown"] = {k: round(v, 2) for k, v in times.items()}
            print("breakdown: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
