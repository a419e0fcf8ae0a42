"""Benchmark of text extraction speed: kg's full extraction against a bare spaCy parse.

Why: most of kg's extraction time should be spaCy's parse, which kg cannot make faster;
what kg adds around it (gazetteer matching, merging mentions, building the RDF graph,
the facts view) must stay small. The target is that kg extracts at least 0.7 times as
many articles per second as bare spaCy parses with the same model on the same texts.

Phases, each in a fresh Python process (so that one's memory peak does not hide the
other's, and nothing one loads warms the other):

* **kg extract**: for every document, `read_document` -> `extract_document` ->
  `document_facts`, all in-process, as `kg extract --format facts` does for one file.
* **bare spaCy**: `nlp.pipe(texts)` over the same `Document.text`s (read before the
  timing), with the model `kg.extract.nlp.load_nlp` loads; then, for the breakdown only,
  `nlp(text)` one text at a time, which is how kg parses.

Model loading and a warm-up extraction (or parse) of the first document are excluded
from every timing. `--repeat N` goes through the inputs N times within one timing.

How to read the figures:

* articles/s and chars/s: higher is better; chars/s compares runs over different inputs.
* ratio kg/bare: kg's articles/s over bare spaCy's (pipe); the target is >= 0.7.
* peak RSS: the largest resident set of the phase's process (model and all), in MiB.
  bare spaCy's includes the Docs of a whole `nlp.pipe` batch (up to 1000) held at once,
  so it grows with the inputs; kg parses and drops one document at a time.
* breakdown: kg's time split into reading, `extract_document` and `document_facts`;
  the spaCy share of `extract_document` is estimated by the one-at-a-time parse of the
  bare phase (the same calls kg makes), the rest is "ours". Estimates, not a profile.

Run from the repository root: ``.venv/bin/python scripts/bench_extract.py [PATH ...]``
(default: every file in ../shared/corpus). ``--json`` adds one JSON object with all
figures as the last line of the output. Exit codes: 0 done, 1 a phase failed, 2 no input
files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kg.documents import iter_input_files, read_document
from kg.errors import InputError
from kg.extract.nlp import model_name

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
TARGET_RATIO = 0.7
PHASES = ("kg", "spacy")


def peak_rss_mib() -> float:
    """The process's peak resident set so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_kg_phase(paths: list[Path], model: str, repeat: int) -> dict[str, Any]:
    """Time read -> extract_document -> document_facts over every file, `repeat` times."""
    from kg.extract import ExtractOptions, extract_document
    from kg.extract.nlp import load_nlp
    from kg.facts import document_facts
    from kg.identity import document_iri

    options = ExtractOptions(model=model, now=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    load_nlp(model)
    warm = read_document(paths[0])
    document_facts(extract_document(warm, options),
                   document_iri(warm.url, warm.content_hash, options.base))
    rss_warm = peak_rss_mib()

    read = extract = facts = 0.0
    articles = chars = 0
    for _ in range(repeat):
        for path in paths:
            t0 = time.perf_counter()
            doc = read_document(path)
            t1 = time.perf_counter()
            graph = extract_document(doc, options)
            t2 = time.perf_counter()
            document_facts(graph, document_iri(doc.url, doc.content_hash, options.base))
            t3 = time.perf_counter()
            read += t1 - t0
            extract += t2 - t1
            facts += t3 - t2
            articles += 1
            chars += len(doc.text)
    return {"articles": articles, "chars": chars, "seconds": read + extract + facts,
            "read_seconds": read, "extract_seconds": extract, "facts_seconds": facts,
            "rss_after_warmup_mib": rss_warm, "peak_rss_mib": peak_rss_mib()}


def run_spacy_phase(paths: list[Path], model: str, repeat: int) -> dict[str, Any]:
    """Time nlp.pipe over the same texts, then nlp(text) one by one (for the breakdown)."""
    from kg.extract.nlp import load_nlp

    texts = [read_document(path).text for path in paths]
    nlp = load_nlp(model)
    nlp.max_length = max(nlp.max_length, max(len(text) for text in texts) + 1)
    nlp(texts[0])
    rss_warm = peak_rss_mib()

    t0 = time.perf_counter()
    for _parsed in nlp.pipe(texts * repeat):
        pass
    pipe = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            nlp(text)
    one_by_one = time.perf_counter() - t0
    return {"articles": len(texts) * repeat, "chars": sum(map(len, texts)) * repeat,
            "seconds": pipe, "one_by_one_seconds": one_by_one,
            "rss_after_warmup_mib": rss_warm, "peak_rss_mib": peak_rss_mib()}


def run_phase_in_subprocess(phase: str, paths: list[Path], model: str,
                            repeat: int) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; its result is the last line of its stdout."""
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase,
               "--model", model, "--repeat", str(repeat), *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench_extract: phase {phase!r} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def input_files(arguments: list[str]) -> list[Path]:
    """The readable input files below the arguments, expanded like `kg build` does;
    unreadable ones are reported on stderr and left out."""
    roots = [Path(a) for a in arguments] or [DEFAULT_CORPUS]
    files: list[Path] = []
    for path, problem in iter_input_files(roots):
        if problem is None:
            try:
                read_document(path)
            except InputError as exc:
                problem = exc
        if problem is not None:
            print(f"bench_extract: skipped {problem}", file=sys.stderr)
        else:
            files.append(path)
    return files


def rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def report(files: list[Path], model: str, repeat: int,
           kg: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    """Print the figures for people; return them all for --json."""
    kg_aps, bare_aps = rate(kg["articles"], kg["seconds"]), rate(bare["articles"], bare["seconds"])
    ratio = kg_aps / bare_aps if bare_aps else 0.0
    met = ratio >= TARGET_RATIO
    ours = kg["extract_seconds"] - bare["one_by_one_seconds"]
    total = kg["seconds"]

    def share(seconds: float) -> str:
        return f"{seconds:8.3f} s {100 * seconds / total:5.1f} %" if total else f"{seconds:.3f} s"

    print(f"inputs: {len(files)} files x {repeat} repeat(s) = {kg['articles']} articles, "
          f"{kg['chars']:,} characters; model {model}")
    print("model loading and a one-document warm-up are excluded from the timings; "
          "each phase runs in its own process")
    for label, phase in (("kg extract", kg), ("bare spaCy", bare)):
        print(f"{label:<11} {rate(phase['articles'], phase['seconds']):8.2f} articles/s "
              f"{rate(phase['chars'], phase['seconds']):10,.0f} chars/s "
              f"{phase['seconds']:8.3f} s   peak RSS {phase['peak_rss_mib']:7.1f} MiB "
              f"(after warm-up {phase['rss_after_warmup_mib']:.1f} MiB)")
    print(f"ratio kg/bare: {ratio:.2f} (target >= {TARGET_RATIO}: "
          f"{'met' if met else 'NOT met'})")
    print(f"kg extract breakdown (total {total:.3f} s):")
    print(f"  read_document             {share(kg['read_seconds'])}")
    print(f"  extract_document          {share(kg['extract_seconds'])}")
    print(f"    spaCy parse (estimate)  {share(bare['one_by_one_seconds'])}"
          "   [bare nlp(text) one by one]")
    print(f"    ours (the rest)         {share(ours)}")
    print(f"  document_facts            {share(kg['facts_seconds'])}")
    print(f"  kg - bare pipe            {total - bare['seconds']:8.3f} s")
    return {
        "files": len(files), "repeat": repeat, "model": model,
        "articles": kg["articles"], "chars": kg["chars"],
        "kg": {**kg, "articles_per_second": kg_aps,
               "chars_per_second": rate(kg["chars"], kg["seconds"])},
        "spacy": {**bare, "articles_per_second": bare_aps,
                  "chars_per_second": rate(bare["chars"], bare["seconds"])},
        "ratio": ratio, "target_ratio": TARGET_RATIO, "target_met": met,
        "ours_seconds": ours, "kg_minus_bare_seconds": total - bare["seconds"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Articles per second of kg's extraction against bare spaCy "
                    "(model loading excluded).")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help=f"files or folders (default: {DEFAULT_CORPUS})")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="go through the inputs N times per timing (default 1)")
    parser.add_argument("--model", default=None,
                        help=f"spaCy model (default: the configured one, {model_name()})")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with all figures as the last line")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    model = model_name(args.model)

    if args.phase:  # inside a phase's own process: the paths are already checked
        paths = [Path(p) for p in args.paths]
        run = run_kg_phase if args.phase == "kg" else run_spacy_phase
        print(json.dumps(run(paths, model, args.repeat)))
        return 0

    files = input_files(args.paths)
    if not files:
        where = " ".join(args.paths) or str(DEFAULT_CORPUS)
        print(f"bench_extract: no readable input files found in {where}", file=sys.stderr)
        return 2
    results: dict[str, dict[str, Any]] = {}
    for phase, label in (("kg", "kg extract"), ("spacy", "bare spaCy")):
        print(f"bench_extract: running {label} over {len(files)} files x {args.repeat} ...",
              file=sys.stderr, flush=True)
        results[phase] = run_phase_in_subprocess(phase, files, model, args.repeat)
    figures = report(files, model, args.repeat, results["kg"], results["spacy"])
    if args.json:
        print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
