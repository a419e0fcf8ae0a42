"""What kg copies of the Wikidata items its actors link to, and what it leaves out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.namespace import PROV, RDFS, SKOS, WDT
from kg.reconcile.client import Term
from kg.reconcile.enrich import enrich

DATA = Path(__file__).parent / "data" / "wikibase-statements.ttl"
EX = "http://wikibase.example/entity/"
WHEN = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)


def _select(store: ox.Store, asked: list[str]) -> object:
    def select(query: str) -> Iterator[Mapping[str, Term]]:
        asked.append(query)
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row = {}
            for name in names:
                value = solution[name]
                if isinstance(value, ox.NamedNode):
                    row[name] = Term("uri", value.value)
                elif isinstance(value, ox.Literal):
                    row[name] = Term("literal", value.value, value.language,
                                     None if value.language else value.datatype.value)
            yield row
    return select


def test_current_facts_are_copied_and_ended_ones_left_out() -> None:
    store = ox.Store()
    store.load(path=str(DATA), format=ox.RdfFormat.TURTLE)
    asked: list[str] = []
    items = [URIRef(EX + "Q1"), URIRef(EX + "Q2")]
    result = enrich(_select(store, asked), items, endpoint="http://mirror.example/sparql",  # type: ignore[arg-type]
                    when=WHEN, base="https://w3id.org/kg/id/")
    graph, q1, q2 = result.graph, URIRef(EX + "Q1"), URIRef(EX + "Q2")
    assert len(asked) == 1  # both items in one request
    assert set(graph.objects(q1, RDFS.label)) == {Literal("Brigade of the Example", lang="en"),
                                                  Literal("كتيبة المثال", lang="ar")}
    assert set(graph.objects(q1, SKOS.altLabel)) == {Literal("Example Brigade", lang="en")}
    # Designated by Q20 still; by Q10 only until 2015: not asserted as current.
    assert set(graph.objects(q1, WDT.P3461)) == {URIRef(EX + "Q20")}
    assert set(graph.objects(q1, WDT.P17)) == {URIRef(EX + "Q30")}  # Q31 only from 2999
    assert result.ended == 1 and result.not_yet == 1
    # A truthy-only item is read through its truthy statements.
    assert set(graph.objects(q2, WDT.P571)) and set(graph.objects(q2, WDT.P31))
    name = URIRef("https://w3id.org/kg/id/graph/enrichment")
    assert str(graph.value(name, PROV.wasDerivedFrom)) == "http://mirror.example/sparql"
    assert graph.value(name, PROV.generatedAtTime).toPython().date() == WHEN.date()  # type: ignore[union-attr]


def test_no_items_no_request() -> None:
    asked: list[str] = []
    result = enrich(_select(ox.Store(), asked), [], endpoint="http://x.example/",  # type: ignore[arg-type]
                    when=WHEN, base="https://w3id.org/kg/id/")
    assert not asked and result.facts == 0
