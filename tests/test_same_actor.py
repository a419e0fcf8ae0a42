"""One actor across documents: which actor IRIs kg folds into one, and which it keeps apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.identity import actor_iri
from kg.namespace import DEFAULT_BASE, KG, OWL, RDF, RDFS, SKOS, WD
from kg.queries import bind_params, find_query, query_view, run_query
from kg.reconcile.run import graph_name, merge_store
from kg.reconcile.same_actor import Identity, StoredActor, identity_graph, same_actors
from kg.store import KGStore
from kg.validate import split_valid

from .conftest import run_kg

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def actor(kind: URIRef, label: str, *aliases: str, docs: tuple[str, ...] = ("d1",)
          ) -> StoredActor:
    return StoredActor(actor_iri(kind, label), kind, label, aliases, frozenset(docs))


def folded(identity: Identity) -> dict[str, str]:
    return {str(s.merged).rsplit("/", 1)[-1]: str(s.canonical).rsplit("/", 1)[-1]
            for s in identity.same}


def test_look_alikes_that_share_a_word_stay_apart() -> None:
    # Each in its own document, each with the short forms texts use for it.
    actors = [
        actor(KG.ArmedGroup, "Kata'ib Hezbollah", "Kataib Hizballah", "Hizballah", "KH",
              docs=("a",)),
        actor(KG.ArmedGroup, "Hezbollah", "Lebanese Hezbollah", "Party of God", docs=("b",)),
        actor(KG.ArmedGroup, "Turkish Hizbullah", "Hizbullah", docs=("c",)),
        actor(KG.Person, "Bashar al-Assad", "Assad", "Bashar", docs=("d",)),
        actor(KG.Person, "Hafez al-Assad", "Assad", docs=("e",)),
        actor(KG.Person, "Qais al-Khazali", "Khazali", docs=("f",)),
        actor(KG.Person, "Laith al-Khazali", "Khazali", docs=("g",)),
        actor(KG.Person, "Assad", docs=("h",)),
        actor(KG.Person, "Khazali", docs=("i",)),
        # A by-name that two men are given, and a third document that uses only it.
        actor(KG.Person, "Hadi al-Amiri", "Abu Hassan", docs=("j",)),
        actor(KG.Person, "Ahmad al-Hamidawi", "Abu Hassan", docs=("k",)),
        actor(KG.Person, "Abu Hassan", docs=("l",)),
    ]
    identity = same_actors(actors, {})
    assert identity.same == []
    assert any("'abu hassan' is given to 2 actors" in why for why in identity.kept_apart)


def test_other_names_spellings_and_types_of_one_actor_are_folded() -> None:
    actors = [
        actor(KG.ArmedGroup, "Asa'ib Ahl al-Haq", "AAH", "League of the Righteous",
              docs=("a", "b")),
        actor(KG.ArmedGroup, "AAH", docs=("c",)),
        actor(KG.Organization, "League of the Righteous", docs=("d",)),
        actor(KG.Person, "Qais al-Khazali", docs=("a",)),
        actor(KG.Person, "Qays Khazali", docs=("e",)),
        actor(KG.GovernmentBody, "Mahdi Army", docs=("f",)),
        actor(KG.ArmedGroup, "Mahdi army", docs=("g", "h")),
    ]
    identity = same_actors(actors, {})
    assert folded(identity) == {
        "aah": "asaib-ahl-al-haq",
        "league-of-the-righteous": "asaib-ahl-al-haq",
        "qays-khazali": "qais-al-khazali",
        "mahdi-army": "mahdi-army",  # the government body into the armed group (2 graphs)
    }
    why = {str(s.merged).rsplit("/", 1)[-1]: s.why for s in identity.same}
    assert why["aah"] == "\"Asa'ib Ahl al-Haq\" is also called 'AAH', the name of 'AAH'"
    assert "spellings of one name" in why["qays-khazali"]
    assert why["mahdi-army"] == ("'Mahdi army' is typed armed group in some documents and "
                                 "government body in others")


def test_a_person_a_state_and_a_group_never_fold_into_each_other() -> None:
    actors = [actor(KG.State, "Iraq", docs=("a",)),
              actor(KG.GovernmentBody, "Iraq", docs=("b",)),
              actor(KG.Person, "Hamas", docs=("c",)),
              actor(KG.ArmedGroup, "Hamas", docs=("d",))]
    assert same_actors(actors, {}).same == []


def test_wikidata_items_join_and_part_actors() -> None:
    muhandis = actor(KG.Person, "Abu Mahdi al-Muhandis", docs=("a",))
    jamal = actor(KG.Person, "Jamal Jafaar Ibrahimi", docs=("b",))
    identity = same_actors([muhandis, jamal], {muhandis.iri: WD.Q1, jamal.iri: WD.Q1})
    assert [(s.merged, s.canonical, s.why) for s in identity.same] == [
        (jamal.iri, muhandis.iri, "both linked to Wikidata's Q1")]
    # One name, but two items: kept apart, and the reason is given.
    hezbollah = actor(KG.ArmedGroup, "Hezbollah", docs=("a",))
    hizballah = actor(KG.ArmedGroup, "Hizballah", docs=("b",))
    parted = same_actors([hezbollah, hizballah], {hezbollah.iri: WD.Q1, hizballah.iri: WD.Q2})
    assert parted.same == []
    assert parted.kept_apart == ["'Hezbollah' and 'Hizballah' are spellings of one name, but "
                                 "they are linked to different Wikidata items: kept apart"]


def test_an_alias_never_joins_two_actors_one_document_states_side_by_side() -> None:
    # A list with an entry for a group, a.k.a. "Khazali", and another entry "AL-KHAZALI".
    group = actor(KG.ArmedGroup, "Asa'ib Ahl al-Haq", "Khazali", docs=("list",))
    other = actor(KG.Organization, "AL-KHAZALI", docs=("list",))
    identity = same_actors([group, other], {})
    assert identity.same == []
    assert "a document states both" in identity.kept_apart[0]
    # Two spellings of one name in one article are still one actor.
    one = actor(KG.ArmedGroup, "Hizballah", docs=("article",))
    two = actor(KG.ArmedGroup, "Hezbollah", docs=("article",))
    assert len(same_actors([one, two], {}).same) == 1


def test_names_full_of_syntax_fold_and_validate() -> None:
    hostile = 'Brigade "X" }\n# DROP ALL'
    a = actor(KG.ArmedGroup, hostile, "B\\X", docs=("a",))
    b = actor(KG.Organization, hostile.lower(), docs=("b",))
    identity = same_actors([a, b], {})
    assert len(identity.same) == 1
    graph = identity_graph(identity, {a.iri: a, b.iri: b}, NOW, DEFAULT_BASE)
    split = split_valid(graph)
    assert len(split.quarantined) == 0, split.report
    assert len(list(graph.subject_objects(OWL.sameAs))) == 1


def _doc(folder: Path, name: str, title: str, day: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"url: https://news.example/{name}\ntitle: {title}\npublisher: Example\n"
                    f"published: {day}\n---\n{body}\n", encoding="utf-8")
    return path


def test_build_folds_an_actor_named_otherwise_in_another_document(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _doc(docs, "one.txt", "Militia leader", "2024-03-01",
         "Qais al-Khazali, the leader of Asa'ib Ahl al-Haq, spoke in Baghdad on Monday.")
    _doc(docs, "two.txt", "Militia leader again", "2024-04-01",
         "Qais Khazali, the leader of Asa'ib Ahl al-Haq, met supporters in Basra on Friday.")
    store_dir = tmp_path / "kg"
    result = run_kg("build", str(docs), "--store", str(store_dir), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "actors under several IRIs: 1 IRIs folded into 1 actors" in result.stdout
    store = KGStore(store_dir, read_only=True)
    view = query_view(store, in_memory=True)
    same = run_query(view, find_query("same-actors"), {}).rows
    assert [(r[1], r[3]) for r in same] == [("Qais al-Khazali", "Qais Khazali")]
    # Under either IRI, one actor with the leadership both documents report.
    for name in ("Qais al-Khazali", "Qais Khazali"):
        query = find_query("affiliations-of-actor")
        answer = run_query(view, query, bind_params(query, {"name": name}))
        documents = {row[answer.columns.index("document")] for row in answer.rows}
        assert len(documents) == 2, (name, answer.rows)
    kinds = run_query(view, find_query("actors-by-type"), {"type": KG.Person}).rows
    assert sum(1 for row in kinds if "Khazali" in str(row)) == 1


def test_links_stored_by_the_reconciler_join_actors_and_a_new_run_parts_them(
        tmp_path: Path) -> None:
    store = KGStore(tmp_path / "kg")
    one = actor_iri(KG.Person, "Abu Mahdi al-Muhandis")
    two = actor_iri(KG.Person, "Jamal Jafaar Ibrahimi")
    for doc, iri, label in (("a", one, "Abu Mahdi al-Muhandis"),
                            ("b", two, "Jamal Jafaar Ibrahimi")):
        graph = Graph()
        graph.add((iri, RDF.type, KG.Person))
        graph.add((iri, RDFS.label, Literal(label, lang="en")))
        store.replace_document(URIRef(f"{DEFAULT_BASE}document/{doc}"), graph)
    links = Graph()
    links.add((one, SKOS.exactMatch, WD.Q1))
    links.add((two, SKOS.exactMatch, WD.Q1))
    store.replace_document(graph_name(DEFAULT_BASE), links)
    assert folded(merge_store(store, DEFAULT_BASE, NOW)) == {
        "jamal-jafaar-ibrahimi": "abu-mahdi-al-muhandis"}
    links.remove((two, SKOS.exactMatch, WD.Q1))
    links.add((two, SKOS.exactMatch, WD.Q2))
    store.replace_document(graph_name(DEFAULT_BASE), links)
    assert merge_store(store, DEFAULT_BASE, NOW).same == []
    identity = store.document_graph(f"{DEFAULT_BASE}graph/identity")
    assert len(identity) == 0
