"""The name index (kg.name_index): a build writes a key for every name, the keys are what
SPARQL's LCASE makes of the names, and the named queries find actors by them in any case,
hostile names included, on the store as kg wrote it and on a store filled by hand."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal

from kg.build import build
from kg.identity import is_kg_graph
from kg.name_index import graph_name, index_names, name_key
from kg.namespace import DEFAULT_BASE, KG, RDFS
from kg.queries import bind_params, find_query, query_view, run_query
from kg.store import KGStore

HOSTILE = 'Kata\'ib "Al-Haq" }\nBrigade İSTANBUL ΟΔΟΣ Straße'
NAMES = ["Kata'ib Hizballah", "ΟΔΟΣ", "İstanbul", "STRASSE Straße", "ǅemal", HOSTILE]


def test_keys_are_what_sparql_lcase_makes() -> None:
    db = ox.Store()
    for name in NAMES:
        (row,) = db.query("SELECT ?n (LCASE(?n) AS ?k) WHERE {}",
                          substitutions={ox.Variable("n"): ox.Literal(name)})
        assert row["k"].value == name_key(name), name


def _article(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text("url: https://example.org/" + name + "\ntitle: A report\npublisher: "
                    "Example\npublished: 2024-05-01\n---\n" + text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> KGStore:
    folder = tmp_path_factory.mktemp("articles")
    _article(folder, "a.txt", "Abu Fadak al-Mohammadawi, the leader of Kata'ib Hizballah, "
             "spoke in Baghdad on Monday. Kata'ib Hizballah is part of the Popular "
             "Mobilization Forces.")
    store = KGStore(tmp_path_factory.mktemp("kg") / "kg-data")
    build([folder], store)
    return store


def test_a_build_writes_a_key_for_every_name(built: KGStore) -> None:
    index = built.document_graph(str(graph_name(DEFAULT_BASE)))
    keys = {str(o) for o in index.objects(None, KG.nameKey)}
    assert "kata'ib hizballah" in keys and "popular mobilization forces" in keys
    names = {name_key(str(q.object.value)) for q in built.db.quads_for_pattern(
        None, ox.NamedNode(str(RDFS.label)), None, None)}
    assert names <= keys
    # Run again, the index is replaced, not added to.
    assert index_names(built, DEFAULT_BASE) == len(index)
    # Derived data: not a document's graph, so neither counted nor validated as one.
    assert built.document_graphs() and str(graph_name(DEFAULT_BASE)) not in built.document_graphs()
    assert is_kg_graph(str(graph_name("https://example.org/other/")))
    assert not is_kg_graph("https://example.org/graph/documents")


def test_queries_find_an_actor_in_any_case(built: KGStore) -> None:
    query = find_query("affiliations-of-actor")
    view = query_view(built, in_memory=True)
    answers = [run_query(view, query, bind_params(query, {"name": name})).rows
               for name in ("Kata'ib Hizballah", "KATA'IB HIZBALLAH", "kata'ib hizballah")]
    assert answers[0] and answers[0] == answers[1] == answers[2]
    assert not run_query(view, query, bind_params(query, {"name": HOSTILE})).rows


def test_a_hostile_name_is_indexed_and_found(tmp_path: Path) -> None:
    store = KGStore(tmp_path / "kg-data")
    actor = ox.NamedNode("https://w3id.org/kg/id/armed-group/hostile")
    graph = ox.NamedNode("https://example.org/doc")
    store.db.extend([
        ox.Quad(actor, ox.NamedNode(str(RDFS.label)), ox.Literal(HOSTILE, language="en"), graph),
        ox.Quad(actor, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode(str(KG.ArmedGroup)), graph),
    ])
    index_names(store, DEFAULT_BASE)
    query = find_query("actors-by-type")
    index = store.document_graph(str(graph_name(DEFAULT_BASE)))
    assert (None, KG.nameKey, Literal(name_key(HOSTILE))) in index
    # A store filled by hand, with no index: the query view keys its names itself.
    bare = KGStore(tmp_path / "bare")
    bare.db.extend(list(store.db.quads_for_pattern(None, None, None, graph)))
    history = find_query("designation-history")
    for kgstore in (store, bare):
        view = query_view(kgstore, in_memory=True)
        found = view.query("SELECT ?a ?k WHERE { ?a kg:nameKey ?k }",
                           prefixes={"kg": str(KG)},
                           substitutions={ox.Variable("k"): ox.Literal(name_key(HOSTILE))})
        assert [s["a"] for s in found] == [actor]
        assert run_query(view, history, bind_params(history, {"name": HOSTILE})).rows == []
    assert run_query(query_view(store, in_memory=True), query,
                     bind_params(query, {"type": "kg:ArmedGroup"})).rows


def test_an_empty_name_is_refused() -> None:
    from kg.errors import QueryError
    query = find_query("affiliations-of-actor")
    with pytest.raises(QueryError, match="parameter name: an empty name"):
        bind_params(query, {"name": "  "})
