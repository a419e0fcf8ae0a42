"""Content negotiation: which representation a client gets, from its Accept header.

One table per kind of answer (RDF graphs, SPARQL results, pages) so that the entity
documents, the SPARQL endpoint, the ontology and VoID all speak the same media types and
file extensions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox


@dataclass(frozen=True)
class Representation:
    """A way to answer: the media type sent, the ones accepted for it, the extension of
    the document URL that serves it whatever the Accept header says."""

    name: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(
            ("+json", "+xml", "/json", "/xml", "n-triples"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


HTML = Representation("html", "text/html", "html", ("application/xhtml+xml",))
SVG = Representation("svg", "image/svg+xml", "svg")

# Graph formats, in the order a client that accepts anything gets them (Turtle first).
RDF: dict[str, tuple[Representation, ox.RdfFormat]] = {
    "ttl": (Representation("turtle", "text/turtle", "ttl", ("application/x-turtle",)),
            ox.RdfFormat.TURTLE),
    "jsonld": (Representation("json-ld", "application/ld+json", "jsonld",
                              ("application/json",)), ox.RdfFormat.JSON_LD),
    "nt": (Representation("n-triples", "application/n-triples", "nt", ("text/plain",)),
           ox.RdfFormat.N_TRIPLES),
    "rdf": (Representation("rdf/xml", "application/rdf+xml", "rdf", ("application/xml",
                                                                     "text/xml")),
            ox.RdfFormat.RDF_XML),
}

# SPARQL result formats for SELECT and ASK, JSON first as most clients expect.
RESULTS: dict[str, tuple[Representation, ox.QueryResultsFormat]] = {
    "json": (Representation("json", "application/sparql-results+json", "srj",
                            ("application/json",)), ox.QueryResultsFormat.JSON),
    "xml": (Representation("xml", "application/sparql-results+xml", "srx",
                           ("application/xml", "text/xml")), ox.QueryResultsFormat.XML),
    "csv": (Representation("csv", "text/csv", "csv"), ox.QueryResultsFormat.CSV),
    "tsv": (Representation("tsv", "text/tab-separated-values", "tsv"),
            ox.QueryResultsFormat.TSV),
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, best first (a missing or
    empty header accepts anything). Ties keep the client's order, as browsers expect."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, quality) for media, quality, _ in ranges]


def _matches(media_range: str, rep: Representation) -> int:
    """How specifically a media range names a representation: 3 exactly, 2 by an alias,
    1 by type/*, 0 by */*, -1 not at all."""
    if media_range == rep.media_type:
        return 3
    if media_range in rep.aliases:
        return 2
    if media_range.endswith("/*") and rep.media_type.startswith(media_range[:-1]):
        return 1
    return 0 if media_range == "*/*" else -1


def negotiate(header: str | None, offers: list[Representation]) -> Representation | None:
    """The offer the client prefers, or None when it accepts none of them (406).

    Among the client's best-quality ranges an exact media type beats an alias and a
    wildcard, and offers come in server order for wildcards (so `*/*` gets the first)."""
    best: tuple[float, int, int] | None = None
    chosen: Representation | None = None
    for media_range, quality in parse_accept(header):
        if quality <= 0:
            continue
        for index, rep in enumerate(offers):
            specificity = _matches(media_range, rep)
            if specificity < 0:
                continue
            key = (quality, specificity, -index)
            if best is None or key > best:
                best, chosen = key, rep
    return chosen


def names_html(header: str | None) -> bool:
    """Whether the client names HTML itself (a browser does): a wildcard is not enough,
    since curl and SPARQL clients send `*/*` and want text they can print."""
    return any(quality > 0 and (media == HTML.media_type or media in HTML.aliases)
               for media, quality in parse_accept(header))


def negotiate_key(header: str | None, table: dict[str, tuple[Representation, Any]]
                  ) -> str | None:
    """Like negotiate, over a table of formats; the chosen format's key."""
    chosen = negotiate(header, [rep for rep, _ in table.values()])
    return next((key for key, (rep, _) in table.items() if rep == chosen), None)


def lookup(name: str, table: dict[str, tuple[Representation, Any]]) -> str | None:
    """The key of the format a client names in a parameter: by key, name, extension or
    media type (`csv`, `turtle`, `ttl`, `text/turtle`), case aside."""
    wanted = name.strip().lower()
    for key, (rep, _) in table.items():
        if wanted in (key, rep.name, rep.extension, rep.media_type):
            return key
    return None


def rdf_offers() -> list[Representation]:
    return [rep for rep, _ in RDF.values()]


def result_offers() -> list[Representation]:
    return [rep for rep, _ in RESULTS.values()]
