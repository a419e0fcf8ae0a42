"""Score `kg extract --format facts` against every gold file, micro-averaged per section.

Why a script and not only factscore.py: the gold lives in three folders (the shared gold,
the project's own gold for the other corpus articles, the bundled examples' gold), and the
quality targets are over all of them together. This extracts each gold file's source once,
in parallel, and feeds factscore's own scoring function, so the figures are exactly what
`factscore.py GOLD PRED` prints, summed over the folders. The ratchet test calls `score`.

    python scripts/score_gold.py [--jobs N] [--out DIR] [--json] [GOLD_DIR ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLD_DIRS = (SHARED / "gold", ROOT / "tests" / "gold", ROOT / "tests" / "gold" / "examples")
SOURCE_DIRS = {GOLD_DIRS[0]: SHARED / "corpus", GOLD_DIRS[1]: SHARED / "corpus",
               GOLD_DIRS[2]: ROOT / "examples"}
SECTIONS = ("actors", "affiliations", "designations", "events")
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def factscore() -> ModuleType:
    spec = importlib.util.spec_from_file_location("factscore", SHARED / "tools" / "factscore.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def source_of(gold: Path, gold_dir: Path) -> Path:
    sources = sorted(SOURCE_DIRS.get(gold_dir, SHARED / "corpus").glob(f"{gold.stem}.*"))
    if not sources:
        raise FileNotFoundError(f"no source document for gold file {gold}")
    return sources[0]


def extract_facts(path: Path, endpoint: str | None = None, cache: Path | None = None
                  ) -> dict[str, Any]:
    from kg.documents import read_document
    from kg.extract import ExtractOptions, extract_document
    from kg.facts import document_facts
    from kg.identity import document_iri

    doc = read_document(path)
    graph = extract_document(doc, ExtractOptions(now=NOW))
    if endpoint:
        from kg.reconcile.link import client_for, link_graph
        from kg.reconcile.search import search_for

        client = client_for(endpoint, cache=cache)
        link_graph(graph, client.select, search_for(client))
    return document_facts(graph, document_iri(doc.url, doc.content_hash))


def score(gold_dirs: tuple[Path, ...] = GOLD_DIRS, jobs: int = 2,
          out: Path | None = None, endpoint: str | None = None) -> dict[str, Any]:
    """Micro-averaged figures over every gold file of `gold_dirs` (factscore's summary
    shape, plus per-folder figures under "folders")."""
    pairs = [(gold, source_of(gold, d), d) for d in gold_dirs for gold in sorted(d.glob("*.json"))]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        cache = Path(tempfile.mkdtemp(prefix="kg-wikidata-")) / "cache.sqlite"
        predictions = list(pool.map(extract_facts, [source for _, source, _ in pairs],
                                    [endpoint] * len(pairs), [cache] * len(pairs)))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for (gold, _, _), facts in zip(pairs, predictions, strict=True):
            (out / gold.name).write_text(json.dumps(facts, indent=1, ensure_ascii=False),
                                         encoding="utf-8")
    fs = factscore()
    totals: dict[str, list[int]] = {}
    folders: dict[str, dict[str, list[int]]] = {}
    for (gold, _, folder), predicted in zip(pairs, predictions, strict=True):
        tally = fs.score_document(json.loads(gold.read_text(encoding="utf-8")), predicted)
        for section, counts in tally.items():
            for bucket in (totals, folders.setdefault(str(folder.relative_to(ROOT.parent)), {})):
                before = bucket.get(section, [0] * len(counts))
                bucket[section] = [a + b for a, b in zip(before, counts, strict=True)]
    summary = _summary(fs, totals)
    summary["documents"] = len(pairs)
    summary["folders"] = {name: _summary(fs, counts) for name, counts in folders.items()}
    return summary


def _summary(fs: ModuleType, totals: dict[str, list[int]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for section in SECTIONS:
        tp, npred, ngold = totals.get(section, [0, 0, 0])
        p, r, f = fs.prf(tp, npred, ngold)
        result[section] = {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3),
                           "counts": [tp, npred, ngold]}
    correct, linked, with_qid = totals.get("linking", [0, 0, 0])
    result["linking"] = {"accuracy": round(correct / with_qid, 3) if with_qid else 1.0,
                         "precision": round(correct / linked, 3) if linked else 1.0,
                         "counts": [correct, linked, with_qid]}
    agree, attributed = totals.get("attribution", [0, 0])
    result["attribution"] = {"agreement": round(agree / attributed, 3) if attributed else 1.0,
                             "counts": [agree, attributed]}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold_dirs", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, help="also write each prediction here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--wikidata-endpoint", metavar="URL",
                        help="link actors through this SPARQL endpoint and score linking")
    args = parser.parse_args(argv)
    dirs = tuple(d.resolve() for d in args.gold_dirs) or GOLD_DIRS
    out = args.out or Path(tempfile.mkdtemp(prefix="kg-facts-"))
    summary = score(dirs, args.jobs, out, args.wikidata_endpoint)
    if args.json:
        print(json.dumps(summary))
        return 0
    for name, figures in [("all", summary), *summary["folders"].items()]:
        print(f"== {name}")
        for section in SECTIONS:
            s = figures[section]
            print(f"  {section:<13}{s['p']:7.3f}{s['r']:7.3f}{s['f1']:7.3f}   "
                  + "/".join(map(str, s["counts"])))
        a = figures["attribution"]
        print(f"  {'attribution':<13} agreement {a['agreement']:.3f}   "
              + "/".join(map(str, a["counts"])))
        if args.wikidata_endpoint:
            k = figures["linking"]
            print(f"  {'linking':<13} accuracy {k['accuracy']:.3f}  precision "
                  f"{k['precision']:.3f}   " + "/".join(map(str, k["counts"])))
    print(f"predictions in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
