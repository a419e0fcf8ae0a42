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
from dataclasses import replace
from pathlib import Path

from rdflib import URIRef

from kg.documents import DEFAULT_MAX_BYTES, Document, iter_input_files, read_document
from kg.errors import InputError, KGError
from kg.extract import ExtractOptions, extract_document, extractor_versions
from kg.identity import document_iri
from kg.lists import LIST_ONLY_SUFFIXES, is_companion, is_list_file
from kg.lists.ingest import ingest_list, write_list_gazetteer
from kg.name_index import index_names
from kg.outcomes import BuildResult, Outcome, graph_of, outcome_of, store_quarantine
from kg.reconcile.run import merge_store
from kg.store import KGStore
from kg.validate import split_valid


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
    return outcome_of(doc.path, iri, split, content_hash=doc.content_hash,
                      warnings=doc.warnings)


def _store_outcome(store: KGStore, outcome: Outcome) -> None:
    if outcome.error or outcome.document is None:
        return
    iri = URIRef(outcome.document)
    # Quarantine first, the document's graph last: the stored graph (its content hash) is
    # what marks a document done, so a build killed between the two writes redoes it.
    store_quarantine(store, iri, outcome)
    store.replace_document(iri, graph_of(outcome.valid_nt))


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
    list_date: str | None = None,
    on_list: Callable[[Path], None] | None = None,
) -> BuildResult:
    """Build (or update) the KG in `store` from files and folders: designation lists
    first (each merged into its list's graph), then documents."""
    options = options or ExtractOptions(now=dt.datetime.now(dt.UTC))
    versions = extractor_versions()
    result = BuildResult()
    todo: list[Document] = []
    lists: list[Path] = []
    for path, problem in iter_input_files(list(paths)):
        outcome: Outcome | None = None
        if problem is not None:
            outcome = Outcome(path=str(path), error=problem.problem)
        elif is_companion(path):
            continue  # read with the list file it completes
        elif path.suffix.lower() in LIST_ONLY_SUFFIXES or is_list_file(path):
            lists.append(path)
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
    for path in lists:
        if on_list:
            on_list(path)
        outcome = ingest_list(path, store, options, list_date=list_date, force=force,
                              jobs=jobs)
        result.outcomes.append(outcome)
        if progress:
            progress(outcome)
    extra = write_list_gazetteer(store, options.base)
    if extra is not None:
        options = replace(options, gazetteer_files=(str(extra),))
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
    if result.stored or lists:
        # The actors of the new documents may be actors of earlier ones under other names.
        result.identity = merge_store(store, options.base, options.now)
        index_names(store, options.base)  # the new documents' names, for the queries
    store.flush()
    return result
