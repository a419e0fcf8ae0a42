"""Provenance nodes: the document, the extraction run and its extractor, evidence spans.

Every extractor records what it read and when through these builders, so that the
provenance of any claim has one shape whatever produced it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from kg.documents import Document
from kg.identity import document_iri, node_iri
from kg.namespace import DCTERMS, DEFAULT_BASE, KG, PROV, RDF, RDFS, XSD
from kg.values import count_literal, date_literal, datetime_literal


@dataclass(frozen=True)
class Run:
    """One extractor applied to one document at one time: what every evidence node cites."""

    document: URIRef
    extraction: URIRef
    base: str


def add_document(graph: Graph, doc: Document, base: str = DEFAULT_BASE) -> URIRef:
    """Describe the source document in `graph` and return its IRI (also its graph name)."""
    iri = document_iri(doc.url, doc.content_hash, base)
    graph.add((iri, RDF.type, KG.Document))
    graph.add((iri, KG.contentHash, Literal(doc.content_hash)))
    graph.add((iri, KG.textLength, count_literal(len(doc.text))))
    graph.add((iri, KG.fileName, Literal(doc.name)))
    if doc.url:
        graph.add((iri, KG.sourceUrl, Literal(doc.url, datatype=XSD.anyURI)))
    if doc.title:
        graph.add((iri, DCTERMS.title, Literal(doc.title)))
    if doc.publisher:
        graph.add((iri, KG.publisherName, Literal(doc.publisher)))
    if doc.published and (issued := date_literal(doc.published)) is not None:
        graph.add((iri, DCTERMS.issued, issued))
    if doc.retrieved and (retrieved := date_literal(doc.retrieved)) is not None:
        graph.add((iri, KG.retrievedOn, retrieved))
    if doc.retrieved_via:
        graph.add((iri, KG.retrievedVia, Literal(doc.retrieved_via)))
    return iri


def add_extraction(
    graph: Graph,
    document: URIRef,
    *,
    extractor: str,
    version: str,
    when: dt.datetime,
    base: str = DEFAULT_BASE,
) -> Run:
    """Record one run of an extractor over a document; `when` is when kg learned its output."""
    agent = node_iri("extractor", extractor, version, base=base)
    graph.add((agent, RDF.type, KG.Extractor))
    graph.add((agent, RDFS.label, Literal(extractor)))
    graph.add((agent, KG.extractorVersion, Literal(version)))
    activity = node_iri("extraction", document, extractor, version, base=base)
    graph.add((activity, RDF.type, KG.Extraction))
    graph.add((activity, PROV.used, document))
    graph.add((activity, PROV.wasAssociatedWith, agent))
    graph.add((activity, PROV.endedAtTime, datetime_literal(when)))
    return Run(document=document, extraction=activity, base=base)


def add_evidence(
    graph: Graph,
    run: Run,
    text: str,
    start: int,
    end: int,
    *,
    speaker: URIRef | None = None,
) -> URIRef:
    """An evidence node for `text[start:end]`, optionally attributed to a speaker."""
    iri = node_iri("evidence", run.document, start, end, speaker or "", base=run.base)
    graph.add((iri, RDF.type, KG.Evidence))
    graph.add((iri, KG.quote, Literal(text[start:end])))
    graph.add((iri, KG.startOffset, count_literal(start)))
    graph.add((iri, KG.endOffset, count_literal(end)))
    graph.add((iri, KG.inDocument, run.document))
    graph.add((iri, PROV.wasGeneratedBy, run.extraction))
    if speaker is not None:
        graph.add((iri, KG.attributedTo, speaker))
    return iri
