"""Extractors: each turns one document into triples, registered under a versioned name.

An extractor declares what it assigns (the classes it emits), like a spaCy component.
`extract_document` runs every registered extractor in order over one document and
returns one graph: the document's named graph before validation. The spaCy parse is made
once and shared through the context, never repeated by each extractor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from kg.documents import Document
from kg.extract.gazetteer import use_extra_files
from kg.namespace import DEFAULT_BASE, PREFIXES
from kg.provenance import Run, add_document, add_extraction


@dataclass(frozen=True)
class ExtractOptions:
    """What an extraction depends on besides the document.

    `now` is pinned by the caller (the time kg learns the facts), so that a test or a
    rebuild can reproduce an extraction exactly.
    """

    base: str = DEFAULT_BASE
    model: str | None = None
    # Gazetteer files beyond the shipped ones (the actors of ingested lists).
    gazetteer_files: tuple[str, ...] = ()
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class ActorMention:
    """A span of the text that names (or, through coreference, refers to) an actor."""

    start: int
    end: int
    iri: URIRef
    type: URIRef


@dataclass
class Context:
    """What extractors share about one document while it is being extracted.

    The actor extractor runs first and leaves its mentions here, so that the claim
    extractors relate the same actor nodes instead of finding names again.
    """

    document: Document
    document_iri: URIRef
    options: ExtractOptions
    graph: Graph
    mentions: list[ActorMention] = field(default_factory=list)

    @cached_property
    def parsed(self) -> Any:
        """The spaCy Doc of the document's text (parsed on first use, once)."""
        from kg.extract.nlp import load_nlp, model_name

        nlp = load_nlp(model_name(self.options.model))
        nlp.max_length = max(nlp.max_length, len(self.document.text) + 1)
        return nlp(self.document.text)

    @cached_property
    def reading(self) -> Any:
        """The parse with the actors laid over it (kg.extract.reading.Reading), made on
        first use, after the actor extractor has left its mentions."""
        from kg.extract.reading import Reading

        return Reading(self)


ExtractFunction = Callable[[Context, Run], Graph]


@dataclass(frozen=True)
class Extractor:
    name: str
    version: str
    assigns: tuple[URIRef, ...]
    function: ExtractFunction


REGISTRY: dict[str, Extractor] = {}


def register(
    name: str, *, version: str, assigns: tuple[URIRef, ...]
) -> Callable[[ExtractFunction], ExtractFunction]:
    """Register an extractor; the version must change whenever its output changes."""

    def wrap(function: ExtractFunction) -> ExtractFunction:
        if name in REGISTRY:
            raise ValueError(f"extractor {name!r} is registered twice")
        REGISTRY[name] = Extractor(name, version, assigns, function)
        return function

    return wrap


def extractor_versions() -> str:
    """One sorted string naming every registered extractor and version (to detect stale
    graphs; compared with what the store holds, sorted the same way)."""
    _load_builtin()
    return " ".join(sorted(f"{e.name}@{e.version}" for e in REGISTRY.values()))


def _load_builtin() -> None:
    # Importing the modules registers their extractors, in pipeline order.
    from kg.extract import actors, affiliations, designations, events  # noqa: F401


def extract_document(doc: Document, options: ExtractOptions | None = None) -> Graph:
    """Run every registered extractor over `doc`; the result is the document's graph."""
    _load_builtin()
    options = options or ExtractOptions()
    use_extra_files(tuple(Path(p) for p in options.gazetteer_files))
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    iri = add_document(graph, doc, options.base)
    if not doc.reads_as_english:
        return graph  # the document is recorded, with nothing read from it
    context = Context(document=doc, document_iri=iri, options=options, graph=graph)
    for extractor in REGISTRY.values():
        run = add_extraction(
            graph,
            iri,
            extractor=extractor.name,
            version=extractor.version,
            when=options.now,
            base=options.base,
        )
        graph += extractor.function(context, run)
    return graph
