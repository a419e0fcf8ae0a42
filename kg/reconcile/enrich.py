"""Facts copied from Wikidata about the items kg's actors are linked to.

Analysts want the Arabic name, the country and Wikidata's own designations beside kg's,
without a second query to Wikidata. The copies go into one graph of their own, which
says where and when they were read, so nobody mistakes them for kg's extractions; and a
statement whose end time has passed is left out, because a copied triple has no way to
say "no longer".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from kg.identity import kg_graph
from kg.namespace import PROV, RDF, RDFS, SKOS, WDT, XSD
from kg.reconcile.candidates import ITEMS_PER_REQUEST, Select, batches
from kg.reconcile.sparql import render
from kg.values import datetime_literal

STATEMENTS = ("P31", "P17", "P571", "P3461")


def graph_name(base: str) -> URIRef:
    return kg_graph(base, "enrichment")


@dataclass
class Enrichment:
    graph: Graph
    items: int
    facts: int
    ended: int  # statements left out because their end time has passed
    not_yet: int  # statements left out because their start time is still to come


def _day(value: str | None) -> str | None:
    """The date part of a Wikidata time ("2019-03-05T00:00:00Z" -> "2019-03-05")."""
    return value[:10] if value else None


def enrich(select: Select, items: Sequence[URIRef], *, endpoint: str, when: dt.datetime,
           base: str) -> Enrichment:
    """The enrichment graph for `items`, as the endpoint has them at `when`."""
    name = graph_name(base)
    graph = Graph()
    graph.add((name, RDF.type, PROV.Entity))
    graph.add((name, PROV.wasDerivedFrom, Literal(endpoint, datatype=XSD.anyURI)))
    graph.add((name, PROV.generatedAtTime, datetime_literal(when)))
    today = when.date().isoformat()
    ended = not_yet = 0
    for batch in batches(sorted(set(items)), ITEMS_PER_REQUEST):
        for row in select(render("enrichment", ["item"], [[i] for i in batch])):
            item, prop, value = row.get("item"), row.get("property"), row.get("value")
            if item is None or prop is None or value is None or item.type != "uri":
                continue
            end, start = _day(getattr(row.get("end"), "value", None)), \
                _day(getattr(row.get("start"), "value", None))
            if end is not None and end < today:
                ended += 1
                continue
            if start is not None and start > today:
                not_yet += 1
                continue
            subject, term = URIRef(item.value), value.to_rdflib()
            if prop.value == "label" and isinstance(term, Literal):
                graph.add((subject, RDFS.label, term))
            elif prop.value == "alias" and isinstance(term, Literal):
                graph.add((subject, SKOS.altLabel, term))
            elif prop.value in STATEMENTS:
                graph.add((subject, WDT[prop.value], term))
    facts = len(graph) - 3
    return Enrichment(graph, len(set(items)), facts, ended, not_yet)
