"""The named queries, run as a user runs them, with the answers checked."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from kg.name_index import index_names
from kg.namespace import DEFAULT_BASE
from kg.queries import bind_params, find_query, list_queries, run_query
from kg.store import KGStore
from kg.validate import validate_graph

from .conftest import ROOT

CLAIMS = ROOT / "tests" / "cases" / "queries" / "claims.trig"


@pytest.fixture(scope="module")
def claims_store(tmp_path_factory: pytest.TempPathFactory) -> KGStore:
    store = KGStore(tmp_path_factory.mktemp("claims") / "kg-data")
    store.db.load(path=str(CLAIMS), format=ox.RdfFormat.TRIG)
    index_names(store, DEFAULT_BASE)  # as kg does after every write of names
    return store


def _rows(store: KGStore, query_name: str, /, **params: str) -> list[dict[str, object]]:
    query = find_query(query_name)
    table = run_query(store, query, bind_params(query, params))
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def test_fixture_is_valid_kg() -> None:
    dataset = Dataset()
    dataset.parse(CLAIMS, format="trig")
    graph = Graph()
    for quad in dataset.quads():
        graph.add(quad[:3])
    report = validate_graph(graph)
    assert report.conforms, [str(v) for v in report.violations]


def test_every_query_declares_itself() -> None:
    queries = list_queries()
    assert len(queries) >= 6
    for q in queries:
        assert q.title and q.purpose and q.examples, q.name
        projected = re.search(r"SELECT(.*?)WHERE", q.text, re.S | re.I)
        assert projected, q.name
        for p in q.params:
            # Oxigraph binds only projected variables (see KGStore.select).
            assert f"?{p.name}" in projected.group(1), (q.name, p.name)
            assert f"--param {p.name}=" in " ".join(q.examples) or p.optional, (q.name, p.name)


def test_actors_by_type_on_examples(examples_store: Path) -> None:
    store = KGStore(examples_store, read_only=True)
    groups = {str(r["label"]) for r in _rows(store, "actors-by-type", type="kg:ArmedGroup")}
    # One armed group of each example's region, named as the gazetteer names it.
    assert {"Kata'ib Hizballah", "Houthis", "al-Shabaab", "Haqqani Network", "Taliban"} <= groups
    everyone = _rows(store, "actors-by-type")
    types = {str(r["type"]).rsplit("#", 1)[-1] for r in everyone}
    assert {"Person", "ArmedGroup", "State"} <= types
    assert all(int(str(r["sources"])) >= 1 for r in everyone)
    # Actors only the example FTO list names are mentioned by no article.
    assert any(int(str(r["documents"])) == 0 for r in everyone)


def test_summary_on_examples(examples_store: Path) -> None:
    store = KGStore(examples_store, read_only=True)
    counts = {str(r["item"]): int(str(r["count"])) for r in _rows(store, "summary")}
    assert counts["documents"] == 5
    assert counts["Person"] >= 10 and counts["Evidence"] > 100


def test_provenance_of_an_actor_on_examples(examples_store: Path) -> None:
    store = KGStore(examples_store, read_only=True)
    actor = next(r["actor"] for r in _rows(store, "actors-by-type", type="kg:Person"))
    rows = _rows(store, "provenance-of-claim", claim=str(actor))
    assert rows
    for row in rows:
        assert row["extractor"] == "kg.extract.actors" and row["extractedAt"]
        assert len(str(row["quote"])) == int(str(row["end"])) - int(str(row["start"]))


def test_affiliations_of_actor_by_any_alias(claims_store: KGStore) -> None:
    by_label = _rows(claims_store, "affiliations-of-actor", name="Kata'ib Hizballah")
    by_alias = _rows(claims_store, "affiliations-of-actor", name="hizballah brigades")
    # The name comes back as the key it was looked up by: lower-cased.
    assert by_label == [{**r, "name": "kata'ib hizballah"} for r in by_alias]
    kinds = {(r["memberLabel"], r["kind"], r["organizationLabel"]) for r in by_label}
    assert kinds == {
        ("Abu Mahdi al-Muhandis", "leader", "Kata'ib Hizballah"),
        ("Kata'ib Hizballah", "part_of", "Popular Mobilization Forces"),
    }
    leader = next(r for r in by_label if r["kind"] == "leader")
    assert leader["role"] == "founder" and leader["end"] == "2020-01-03"


def test_designations_by_authority(claims_store: KGStore) -> None:
    rows = _rows(claims_store, "designations-by-authority", authority="State Department")
    assert [(r["actorLabel"], r["kind"], r["status"], r["programs"], r["listedOn"])
            for r in rows] == [("Kata'ib Hizballah", "terrorist", "designated", "FTO", "2009-07")]
    assert _rows(claims_store, "designations-by-authority", authority="UN Security Council") == []
    assert len(_rows(claims_store, "designations-by-authority")) == 1


def test_events_in_year(claims_store: KGStore) -> None:
    rows = _rows(claims_store, "events-in-year", year="2020")
    assert len(rows) == 1
    assert rows[0]["placeLabel"] == "Baghdad" and rows[0]["date"] == "2020-01-03"
    assert set(str(rows[0]["participants"]).split("; ")) == {
        "United States (perpetrator)", "Abu Mahdi al-Muhandis (target)"}
    assert _rows(claims_store, "events-in-year", year="2019") == []


def test_provenance_names_the_speaker(claims_store: KGStore) -> None:
    rows = _rows(claims_store, "provenance-of-claim",
                 claim="https://w3id.org/kg/test/data#des1")
    assert [(r["quote"], r["speakerLabel"], r["title"]) for r in rows] == [
        ("designated in July 2009", "United States Department of State", "A test report")]
