"""Every named query is plain SPARQL 1.1: run as standalone text (`kg query --show`) on
rdflib over the same data, it gives the answers the embedded store gives."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.query import Result

from kg.name_index import graph_name as names_graph_name
from kg.namespace import DEFAULT_BASE
from kg.queries import (
    NamedQuery,
    bind_params,
    canonical_params,
    example_params,
    graphs_known,
    list_queries,
    query_view_as_of,
    run_query,
    sparql_text,
)
from kg.store import KGStore

from .query_kg import CORPUS_AT, EXAMPLES_AT, query_kg, view_of

QUERIES = list_queries()
# Values that GROUP_CONCAT joins: the order of the parts is the engine's choice.
SEPARATORS = ("; ", ", ")


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory, wikidata_endpoint: str) -> KGStore:
    return query_kg(tmp_path_factory, wikidata_endpoint)


def _dataset(store: KGStore | ox.Store, graphs: list[str] | None = None) -> Dataset:
    """The named graphs (or some of them) of a store or of a query view (whose actors are
    folded as `kg query` sees them) in rdflib, the default graph their union."""
    db = store if isinstance(store, ox.Store) else store.db
    data = ox.serialize(
        (q for g in db.named_graphs() if isinstance(g, ox.NamedNode)
         and (graphs is None or g.value in graphs)
         for q in db.quads_for_pattern(None, None, None, g)),
        format=ox.RdfFormat.N_QUADS)
    dataset = Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    return dataset


@pytest.fixture(scope="module")
def rdflib_kg(kg: KGStore) -> Dataset:
    return _dataset(view_of(kg))


def _cell(value: object) -> object:
    if value is None:
        return None
    # rdflib rewrites an xsd:dateTime's lexical form as it parses it ("Z" as "+00:00"):
    # the same literal, written two ways.
    text = str(value).replace("+00:00", "Z")
    for separator in SEPARATORS:
        if separator in text:
            return tuple(sorted(text.split(separator)))
    return text


def _answers(columns: list[str], rows: list[list[object]]) -> Counter[tuple[object, ...]]:
    return Counter(tuple(_cell(v) for v in row) for row in rows)


def _rdflib_rows(result: Result, columns: list[str]) -> list[list[object]]:
    out = []
    for row in result:
        values = []
        for column in columns:
            term = row[column]  # type: ignore[index]
            values.append(None if term is None else str(term))
        out.append(values)
    return out


def _run_rdflib(dataset: Dataset, query: NamedQuery,
                params: dict[str, URIRef | Literal]) -> Result:
    return dataset.query(sparql_text(query), initBindings=params)


def test_there_are_enough_queries() -> None:
    assert len(QUERIES) >= 15


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_same_answers_on_oxigraph_and_rdflib(kg: KGStore, rdflib_kg: Dataset,
                                             query: NamedQuery) -> None:
    for index in range(len(query.examples)):
        params = bind_params(query, example_params(query, index))
        view = view_of(kg)
        table = run_query(view, query, params)
        expected = _answers(table.columns, table.rows)
        result = _run_rdflib(rdflib_kg, query, canonical_params(view, params))
        got = _answers(table.columns, _rdflib_rows(result, table.columns))
        assert got == expected, (query.name, expected - got, got - expected)


def test_same_answers_as_of_a_day(kg: KGStore) -> None:
    """As of a day between the two builds: the same dataset (the graphs known then) on
    both engines gives the same answers, and they hold only what was known then."""
    store = kg
    before = dt.datetime.combine(EXAMPLES_AT.date() + dt.timedelta(days=1), dt.time(),
                                 dt.UTC)
    assert before < CORPUS_AT
    graphs = graphs_known(store, before)
    view = query_view_as_of(store, before)
    # The view holds the graphs known then and the keys of the names they give.
    names = str(names_graph_name(DEFAULT_BASE))
    assert {g.value for g in view.named_graphs()} == set(graphs) | {names}
    rdflib_kg = _dataset(view)
    for name in ("summary", "actors-by-type", "designations-by-authority"):
        query = next(q for q in QUERIES if q.name == name)
        params = bind_params(query, example_params(query))
        table = run_query(view, query, params)
        got = _answers(table.columns,
                       _rdflib_rows(_run_rdflib(rdflib_kg, query, params), table.columns))
        assert got == _answers(table.columns, table.rows), name
    summary = next(q for q in QUERIES if q.name == "summary")
    counts = {r[0]: int(str(r[1])) for r in run_query(view, summary, {}).rows}
    assert counts["documents"] == 5  # the five example articles, nothing of the corpus
