"""The pipeline: read each input, extract its graph, validate it, store what conforms and
quarantine what does not. Documents are independent, so they are extracted in parallel
worker processes; only the main process writes to the store.

A document already stored with the same content hash and extractor versions is skipped,
which is also how a build that was killed midway resumes.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.documents import DEFAULT_MAX_BYTES, Document, iter_input_files, read_document
from kg.errors import InputError, KGError
from kg.extract import ExtractOptions, extract_document, extractor_versions
from kg.identity import document_iri
from kg.namespace import KG, PROV, RDF, RDFS, SH
from kg.store import KGStore
from kg.validate import ValidationReport, validate_graph

# How many rounds of moving failing nodes out before the whole document is quarantined.
_SPLIT_ROUNDS = 4


@dataclass(frozen=True)
class Split:
    """A document graph divided into what conforms and what goes to quarantine."""

    valid: Graph
    quarantined: Graph
    report: ValidationReport


def split_valid(graph: Graph) -> Split:
    """Validate `graph`; move the nodes that fail (and what only they refer to) out, so the
    rest of the document is kept. If the rest still fails after a few rounds, or the
    document node itself fails, the whole document goes to quarantine."""
    first = validate_graph(graph)
    if first.conforms:
        return Split(graph, Graph(), first)
    valid, bad = Graph(), Graph()
    valid += graph
    report = first
    for _ in range(_SPLIT_ROUNDS):
        failing = {v.focus for v in report.violations}
        if any((f, RDF.type, KG.Document) in valid for f in failing):
            break
        for node in failing:
            for triple in list(valid.triples((node, None, None))):
                valid.remove(triple)
                bad.add(triple)
                # Evidence that only the removed node cited goes with it.
                obj = triple[2]
                if (obj, RDF.type, KG.Evidence) in valid and not any(
                    s for s in valid.subjects(None, obj)
                ):
                    for t in list(valid.triples((obj, None, None))):
                        valid.remove(t)
                        bad.add(t)
        report = validate_graph(valid)
        if report.conforms:
            return Split(valid, bad, first)
    return Split(Graph(), graph, first)


@dataclass
class Outcome:
    """What happened to one input file."""

    path: str
    document: str | None = None
    triples: int = 0
    quarantined_triples: int = 0
    report_text: str = ""
    report_nt: str = ""
    valid_nt: str = ""
    quarantined_nt: str = ""
    content_hash: str = ""
    warnings: tuple[str, ...] = ()
    error: str | None = None
    skipped: bool = False


@dataclass
class BuildResult:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def quarantined(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.quarantined_triples]

    @property
    def stored(self) -> list[Outcome]:
        """Documents with output in the store (a wholly quarantined one has none)."""
        return [o for o in self.outcomes if not o.error and not o.skipped and o.triples]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.skipped]


def process_document(doc: Document, options: ExtractOptions) -> Outcome:
    """Extract and validate one document (runs in a worker process)."""
    try:
        graph = extract_document(doc, options)
        split = split_valid(graph)
    except KGError as exc:
        return Outcome(path=doc.path, error=str(exc))
    except Exception as exc:  # one odd document must not stop the build
        return Outcome(path=doc.path,
                       error=f"internal error while extracting ({type(exc).__name__}: {exc})")
    iri = document_iri(doc.url, doc.content_hash, options.base)
    outcome = Outcome(
        path=doc.path,
        document=str(iri),
        triples=len(split.valid),
        quarantined_triples=len(split.quarantined),
        valid_nt=split.valid.serialize(format="nt"),
        content_hash=doc.content_hash,
        warnings=doc.warnings,
    )
    if len(split.quarantined):
        outcome.quarantined_nt = split.quarantined.serialize(format="nt")
        report = split.report
        outcome.report_text = f"{doc.path}\n{iri}\n\n" + "\n".join(
            f"- {v}" for v in report.violations
        ) + "\n\n" + report.text
        report_graph = Graph()
        report_graph += report.graph
        for node in report.graph.subjects(RDF.type, SH.ValidationReport):
            report_graph.add((node, PROV.wasDerivedFrom, iri))
            report_graph.add((node, RDFS.comment, Literal(outcome.report_text)))
        outcome.report_nt = report_graph.serialize(format="nt")
    return outcome


def _graph(nt: str) -> Graph:
    graph = Graph()
    if nt.strip():
        graph.parse(data=nt, format="nt")
    return graph


def _store_outcome(store: KGStore, outcome: Outcome) -> None:
    if outcome.error or outcome.document is None:
        return
    iri = URIRef(outcome.document)
    # Quarantine first, the document's graph last: the stored graph (its content hash) is
    # what marks a document done, so a build killed between the two writes redoes it.
    if outcome.quarantined_triples:
        store.replace_quarantine(
            iri, _graph(outcome.quarantined_nt), _graph(outcome.report_nt), outcome.report_text,
            Path(outcome.path).name,
        )
    else:
        store.clear_quarantine(iri, Path(outcome.path).name)
    store.replace_document(iri, _graph(outcome.valid_nt))


Progress = Callable[[Outcome], None]


def build(
    paths: Iterable[Path],
    store: KGStore,
    *,
    jobs: int = 1,
    force: bool = False,
    options: ExtractOptions | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> BuildResult:
    """Build (or update) the KG in `store` from files and folders."""
    options = options or ExtractOptions(now=dt.datetime.now(dt.UTC))
    versions = extractor_versions()
    result = BuildResult()
    todo: list[Document] = []
    for path, problem in iter_input_files(list(paths)):
        outcome: Outcome | None = None
        if problem is not None:
            outcome = Outcome(path=str(path), error=problem.problem)
        else:
            try:
                doc = read_document(path, max_bytes=max_bytes)
            except InputError as exc:
                outcome = Outcome(path=str(path), error=exc.problem)
            else:
                iri = document_iri(doc.url, doc.content_hash, options.base)
                stored = store.stored_document(iri)
                if (not force and stored is not None and stored.content_hash == doc.content_hash
                        and stored.extractors == versions):
                    outcome = Outcome(path=str(path), document=str(iri), skipped=True,
                                      warnings=doc.warnings)
                else:
                    todo.append(doc)
        if outcome is not None:
            result.outcomes.append(outcome)
            if progress:
                progress(outcome)
    if on_total:
        on_total(len(todo))

    def finish(outcome: Outcome) -> None:
        _store_outcome(store, outcome)
        result.outcomes.append(outcome)
        if progress:
            progress(outcome)

    if jobs <= 1 or len(todo) <= 1:
        for doc in todo:
            finish(process_document(doc, options))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures: list[Future[Outcome]] = [
                pool.submit(process_document, doc, options) for doc in todo
            ]
            for future in futures:
                finish(future.result())
    store.flush()
    return result
