"""A KG for the query tests: examples/ learned on one day, then ../shared/corpus and
../shared/designations on a later one, then links to Wikidata, each at a pinned time,
so that as-of answers and extraction times are known in advance."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.extract import ExtractOptions
from kg.namespace import DEFAULT_BASE
from kg.queries import Table, bind_params, find_query, query_view, run_query
from kg.store import KGStore

from .conftest import CORPUS, EXAMPLES, SHARED

EXAMPLES_AT = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)
CORPUS_AT = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
LINKED_AT = dt.datetime(2025, 3, 2, 9, 0, tzinfo=dt.UTC)


def build_query_kg(path: Path, wikidata_endpoint: str) -> KGStore:
    from kg.reconcile.link import client_for
    from kg.reconcile.run import reconcile_store

    store = KGStore(path)
    for inputs, when in (([EXAMPLES], EXAMPLES_AT),
                         ([CORPUS, SHARED / "designations"], CORPUS_AT)):
        result = build(inputs, store, options=ExtractOptions(now=when))
        assert not result.failed and not result.quarantined, result.outcomes
    client = client_for(wikidata_endpoint, cache=path / "reconcile" / "cache.sqlite",
                        offline=False)
    reconcile_store(store, client.select, client.endpoint, base=DEFAULT_BASE, when=LINKED_AT)
    store.flush()
    return store


@functools.cache
def view_of(store: KGStore) -> ox.Store:
    return query_view(store, in_memory=True)


def rows(store: KGStore, name: str, /, **params: str) -> list[dict[str, object]]:
    """A named query's answer as a user reads it: one dict per row."""
    query = find_query(name)
    table: Table = run_query(view_of(store), query, bind_params(query, params))
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


_BUILT: dict[str, KGStore] = {}


def query_kg(factory: pytest.TempPathFactory, wikidata_endpoint: str) -> KGStore:
    """The query KG of this test session, built on first use (a plain cache rather than a
    session fixture, so that every test module that needs it shares one build); kept open,
    since RocksDB may still be compacting what the build wrote."""
    if "kg" not in _BUILT:
        _BUILT["kg"] = build_query_kg(factory.mktemp("query-kg") / "kg-data", wikidata_endpoint)
    return _BUILT["kg"]
