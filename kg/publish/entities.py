"""Dereferencing entity IRIs, the 303 way (Cool URIs for the Semantic Web, section 4.3).

The KG's IRIs are slash IRIs that name things in the world (a militia, a designation, a
news article), not web documents, so a GET on one answers 303 See Other to a document
about it, chosen by Accept: `IRI.html` for a browser, `IRI.ttl`, `.jsonld`, `.nt` or
`.rdf` for a program. Each document URL serves its one format whatever Accept says, so
it can be bookmarked, linked and cited. Hash IRIs were not an option: they would have
meant re-minting every IRI already published.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from kg.namespace import OWL, PREFIXES
from kg.publish.assets import query_text
from kg.publish.conneg import HTML, RDF, negotiate, rdf_offers
from kg.publish.http import HTTPError, Response, redirect
from kg.store import KGStore, xml_keep_carriage_returns

PREFIX_MAP = {k: str(v) for k, v in PREFIXES.items()}
DOCUMENT_EXTENSIONS = ("html", *RDF)
_SAME_AS = ox.NamedNode(str(OWL.sameAs))


def split_document_path(path: str) -> tuple[str, str | None]:
    """A request path as (entity path, document extension or None for the IRI itself)."""
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension and extension in DOCUMENT_EXTENSIONS:
        return stem, extension
    return path, None


def exists(store: KGStore, iris: list[str]) -> bool:
    """Whether the KG says anything about one of the IRIs (as subject): else the answer
    is 404."""
    return any(next(iter(store.db.quads_for_pattern(ox.NamedNode(iri), None, None, None)),
                    None) is not None for iri in iris)


def see_other(path: str, accept: str | None) -> Response:
    """The 303 from an entity IRI to the document the client prefers."""
    chosen = negotiate(accept, [HTML, *rdf_offers()])
    if chosen is None:
        types = ", ".join(rep.media_type for rep in [HTML, *rdf_offers()])
        raise HTTPError(406, f"this entity is described in {types}; the Accept header takes "
                             "none of them")
    return redirect(f"{path}.{chosen.extension}")


def describe(store: KGStore, iri: str) -> list[ox.Triple]:
    results: Any = store.query(query_text("describe"), {"entity": URIRef(iri)})
    return list(dict.fromkeys(results))


def serialize_triples(triples: list[ox.Triple], extension: str) -> Response:
    """Triples as a document in one of the RDF formats, with kg's prefixes where the
    format has prefixes."""
    return Response(200, rdf_document(triples, extension), RDF[extension][0].content_type)


def rdf_document(triples: list[ox.Triple], extension: str) -> bytes:
    """`triples` in the RDF format of `extension` (a key of conneg.RDF)."""
    rdf_format = RDF[extension][1]
    prefixes = PREFIX_MAP if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    data = ox.serialize(triples, None, rdf_format, prefixes=prefixes)
    assert data is not None
    return xml_keep_carriage_returns(data) if rdf_format == ox.RdfFormat.RDF_XML else data


def document_triples(store: KGStore, iris: list[str]) -> list[ox.Triple]:
    """The triples of the document of an entity named by `iris` (one IRI, or a merged
    actor's canonical IRI then its other IRIs): what is said about each IRI, as stated,
    and each other IRI's owl:sameAs link to the first, so that a client that follows
    owl:sameAs merges the facts as the page does."""
    triples = [t for iri in iris for t in describe(store, iri)]
    canonical = ox.NamedNode(iris[0])
    triples.extend(ox.Triple(ox.NamedNode(other), _SAME_AS, canonical) for other in iris[1:])
    return list(dict.fromkeys(triples))

