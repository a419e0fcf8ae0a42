"""Linking actors to Wikidata, against a real SPARQL server serving real Wikidata
statements (the `wikidata_endpoint` fixture): what links, what must not, and why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.namespace import KG, RDF, RDFS, SKOS, WD
from kg.reconcile.candidates import ActorToLink, Candidate
from kg.reconcile.client import SparqlClient, Term
from kg.reconcile.link import link_graph, reconcile
from kg.reconcile.scoring import ACCEPTED, REJECTED, Decision, decide
from kg.reconcile.search import api_search, search_for, sparql_word_search
from kg.store import KGStore

from .conftest import CORPUS, EXAMPLES, run_kg

ID = "https://w3id.org/kg/test/actor/"


def _client(endpoint: str, tmp_path: Path) -> SparqlClient:
    return SparqlClient(endpoint, cache_path=tmp_path / "cache.sqlite", method="POST")


def _actor(kind: URIRef, label: str, *aliases: str) -> ActorToLink:
    return ActorToLink(URIRef(ID + label.replace(" ", "-")), kind, label, aliases)


def _decisions(endpoint: str, tmp_path: Path, *actors: ActorToLink) -> dict[str, object]:
    found = reconcile(_client(endpoint, tmp_path).select, actors)
    return {d.actor.label: d for d in found}


def _search_decisions(endpoint: str, tmp_path: Path, *actors: ActorToLink
                      ) -> dict[str, Decision]:
    """As `_decisions`, with the word search for actors no spelling finds."""
    client = _client(endpoint, tmp_path)
    return {d.actor.label: d for d in reconcile(client.select, actors, search_for(client))}


def test_links_by_label_alias_and_spelling(wikidata_endpoint: str, tmp_path: Path) -> None:
    found = _decisions(
        wikidata_endpoint, tmp_path,
        _actor(KG.State, "Iraq"),
        _actor(KG.ArmedGroup, "Islamic State of Iraq and the Levant", "ISIL"),  # an alias
        _actor(KG.Organization, "Popular Mobilization Forces"),
        _actor(KG.GovernmentBody, "State Department"),
    )
    linked = {label: d.best.candidate.qid for label, d in found.items()  # type: ignore[attr-defined]
              if d.decision == ACCEPTED}  # type: ignore[attr-defined]
    assert linked == {"Iraq": "Q796", "Islamic State of Iraq and the Levant": "Q2429253",
                      "Popular Mobilization Forces": "Q19610107",
                      "State Department": "Q789915"}
    iraq = found["Iraq"].best  # type: ignore[attr-defined]
    assert iraq.features["type"] == 1.0 and "class fits" in iraq.why


def test_look_alikes_stay_unlinked(wikidata_endpoint: str, tmp_path: Path) -> None:
    found = _decisions(
        wikidata_endpoint, tmp_path,
        _actor(KG.Person, "Bashar al-Assad"),  # Hafez al-Assad is in the data; Bashar not
        _actor(KG.ArmedGroup, "Kata'ib Hizballah"),  # Turkish Hizbullah is in the data
        _actor(KG.ArmedGroup, "Lebanese Hezbollah", "Hizbullah"),
        _actor(KG.Person, "Iraq"),  # a person of that name is not the country
    )
    assert all(d.decision == REJECTED for d in found.values()), {  # type: ignore[attr-defined]
        k: (d.decision, d.best and d.best.why) for k, d in found.items()}  # type: ignore[attr-defined]
    person = found["Iraq"].best  # type: ignore[attr-defined]
    assert person is not None and person.features["type"] == 0.0 and "State" in person.why


@pytest.mark.parametrize("name", [
    'Brigade "Zero"', "back\\slash", "two\nlines", "braces } { in a name", "hash # here",
    "'; DROP GRAPH <x> ; '", "}} UNION { ?s ?p ?o }",
])
def test_hostile_names_are_sent_as_escaped_terms(wikidata_endpoint: str, tmp_path: Path,
                                                  name: str) -> None:
    client = _client(wikidata_endpoint, tmp_path)
    found = reconcile(client.select, [_actor(KG.ArmedGroup, name), _actor(KG.State, "Iraq")])
    by_label = {d.actor.label: d for d in found}
    assert by_label[name].decision == REJECTED and by_label[name].best is None
    assert by_label["Iraq"].decision == ACCEPTED  # the same request still answered
    assert client.stats.failures == 0


def test_a_rerun_sends_no_request_and_few_requests_per_actor(
        wikidata_endpoint: str, tmp_path: Path) -> None:
    actors = [_actor(KG.State, name) for name in ("Iraq", "Iran", "Syria", "United States")]
    actors += [_actor(KG.ArmedGroup, f"Unknown Brigade {n}") for n in range(40)]
    first = _client(wikidata_endpoint, tmp_path)
    reconcile(first.select, actors)
    assert first.stats.requests <= 3  # names, details, classes: for all 44 actors at once
    again = _client(wikidata_endpoint, tmp_path)
    reconcile(again.select, actors)
    assert again.stats.requests == 0 and again.stats.cache_hits >= 1


def test_link_graph_adds_exact_match_only_for_accepted(wikidata_endpoint: str,
                                                        tmp_path: Path) -> None:
    graph = Graph()
    for iri, kind, label in ((ID + "iraq", KG.State, "Iraq"),
                             (ID + "bashar", KG.Person, "Bashar al-Assad")):
        graph.add((URIRef(iri), RDF.type, kind))
        graph.add((URIRef(iri), RDFS.label, Literal(label, lang="en")))
    link_graph(graph, _client(wikidata_endpoint, tmp_path).select)
    assert set(graph.subject_objects(SKOS.exactMatch)) == {(URIRef(ID + "iraq"), WD.Q796)}


def test_extract_fills_the_wikidata_field(wikidata_endpoint: str, tmp_path: Path) -> None:
    article = CORPUS / "04-voa-iraq-parliament-expel-us-troops.txt"
    result = run_kg("extract", str(article), "--format", "facts", "--wikidata-endpoint",
                    wikidata_endpoint, "--wikidata-cache", str(tmp_path / "c.sqlite"))
    assert result.returncode == 0, result.stderr
    links = {a["name"]: a["wikidata"] for a in json.loads(result.stdout)["actors"]}
    assert links["Iraq"] == "Q796" and links["United States"] == "Q30"
    # A re-run from the cache alone gives the same links; a cache that lacks the answers
    # leaves the actors unlinked, with a warning, and the facts are still written.
    offline = run_kg("extract", str(article), "--format", "facts", "--offline",
                     "--wikidata-endpoint", wikidata_endpoint,
                     "--wikidata-cache", str(tmp_path / "c.sqlite"))
    assert json.loads(offline.stdout)["actors"] == json.loads(result.stdout)["actors"]
    empty = run_kg("extract", str(article), "--format", "facts", "--offline",
                   "--wikidata-endpoint", wikidata_endpoint,
                   "--wikidata-cache", str(tmp_path / "empty.sqlite"))
    assert empty.returncode == 0 and "no actor linked to Wikidata" in empty.stderr
    assert not any(a["wikidata"] for a in json.loads(empty.stdout)["actors"])


def test_reconcile_the_store_keeps_each_decision_and_its_reasons(
        wikidata_endpoint: str, examples_store: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "kg-data"
    shutil.copytree(examples_store, store_dir)
    review = tmp_path / "review.csv"
    result = run_kg("reconcile", "--store", str(store_dir), "--endpoint", wikidata_endpoint,
                    "--review", str(review))
    assert result.returncode == 0, result.stderr
    assert " linked, " in result.stdout and review.is_file()
    store = KGStore(store_dir, read_only=True)
    links = {(r["label"].value, r["item"].value) for r in store.select(
        "SELECT ?label ?item WHERE { ?d a kg:LinkDecision ; kg:decisionFor ?a ;"
        " kg:outcome 'accept' ; kg:candidate ?item . ?a rdfs:label ?label ;"
        " skos:exactMatch ?item }")}
    assert ("Iraq", str(WD.Q796)) in links
    # What Wikidata says of the linked items, in a graph of its own.
    arabic = {r["name"].value for r in store.select(
        "SELECT ?g ?name WHERE { GRAPH ?g { wd:Q796 rdfs:label ?name }"
        " FILTER(LANG(?name) = 'ar') }",
        {"g": URIRef("https://w3id.org/kg/id/graph/enrichment")}, union=False)}
    assert arabic == {"العراق"} and "facts about the" in result.stdout
    reasons = [r["why"].value for r in store.select(
        "SELECT ?why WHERE { ?d a kg:LinkDecision ; kg:explanation ?why }")]
    assert reasons and all(reasons)
    again = run_kg("reconcile", "--store", str(store_dir), "--endpoint", wikidata_endpoint)
    assert "0 requests" in again.stdout, again.stdout


def test_a_person_under_another_form_of_the_name(wikidata_endpoint: str,
                                                 tmp_path: Path) -> None:
    # Wikidata's label is "Mike Pompeo": the middle initial goes, Michael is Mike.
    found = _search_decisions(wikidata_endpoint, tmp_path,
                              _actor(KG.Person, "Michael R. Pompeo"))
    decision = found["Michael R. Pompeo"]
    assert decision.linked and decision.best is not None
    assert decision.best.candidate.qid == "Q473239"


def test_a_surname_alone_is_found_by_a_word_search(wikidata_endpoint: str,
                                                   tmp_path: Path) -> None:
    found = _search_decisions(
        wikidata_endpoint, tmp_path,
        _actor(KG.Person, "Trump"),  # no label or alias is "Trump" in the data
        _actor(KG.ArmedGroup, "Popular Mobilization Force"),  # the singular of the label
    )
    person = found["Trump"]
    assert person.linked and person.best is not None
    assert person.best.candidate.qid == "Q22686" and "surname" in person.best.why
    # Without the search, the surname finds nothing.
    plain = _decisions(wikidata_endpoint, tmp_path, _actor(KG.Person, "Trump"))
    assert plain["Trump"].best is None  # type: ignore[attr-defined]
    unit = found["Popular Mobilization Force"]
    assert unit.linked and unit.best is not None and unit.best.candidate.qid == "Q19610107"
    # A surname names a person, not a group of that name.
    group = _search_decisions(wikidata_endpoint, tmp_path, _actor(KG.Organization, "Trump"))
    assert group["Trump"].decision == REJECTED


def test_a_misspelt_name_goes_to_review_not_to_a_link(wikidata_endpoint: str,
                                                       tmp_path: Path) -> None:
    found = _search_decisions(wikidata_endpoint, tmp_path,
                              _actor(KG.Organization, "Exxon Mobile"))
    assert found["Exxon Mobile"].decision != ACCEPTED


def test_wikidata_is_searched_through_its_api(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    """On Wikidata's endpoint the word search is the search API (no label scan there):
    one GET per unfound actor, the name URL-encoded, the answer's items as candidates."""
    asked: list[str] = []

    def fetch(url: str) -> object:
        asked.append(url)
        return {"search": [
            {"id": "Q22686", "label": "Donald Trump", "match": {"type": "label"}},
            {"id": "not a QID", "label": "junk"},
            {"id": "Q1", "label": "Alias holder", "match": {"type": "alias", "text": "Trump"}},
        ]}

    search = api_search(fetch, "https://api.example/w/api.php")
    hits = search([_actor(KG.Person, 'Trump "}\n#')])
    assert len(asked) == 1 and "search=Trump+%22%7D%0A%23" in asked[0]
    assert asked[0].startswith("https://api.example/w/api.php?action=wbsearchentities")
    assert sorted(hits[URIRef(ID + 'Trump-"}\n#')]) == [
        (WD.Q1, "Alias holder", "label"), (WD.Q1, "Trump", "alias"),
        (WD.Q22686, "Donald Trump", "label")]
    client = SparqlClient(None, cache_path=None)
    monkeypatch.delenv("KG_WIKIDATA_SEARCH_API", raising=False)
    monkeypatch.delenv("KG_WIKIDATA_ENDPOINT", raising=False)
    assert search_for(client).__qualname__.startswith("api_search")
    local = SparqlClient("http://127.0.0.1:9/query", cache_path=None)
    assert search_for(local).__qualname__.startswith("sparql_word_search")


def _links(store_dir: Path) -> dict[str, str]:
    store = KGStore(store_dir, read_only=True)
    return {r["label"].value: r["item"].value for r in store.select(
        "SELECT ?label ?item WHERE { ?a skos:exactMatch ?item ; rdfs:label ?label }")}


def _actor_iri(store_dir: Path, kind: URIRef, label: str) -> str:
    store = KGStore(store_dir, read_only=True)
    rows = list(store.select("SELECT ?a ?kind ?name WHERE { ?a a ?kind ; rdfs:label ?l "
                             "FILTER(STR(?l) = ?name) }", {"name": Literal(label),
                                                           "kind": kind}))
    return str(rows[0]["a"].value)


def test_a_persons_decisions_override_and_survive_rebuilds(
        wikidata_endpoint: str, examples_store: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "kg-data"
    shutil.copytree(examples_store, store_dir)
    args = ("--store", str(store_dir), "--endpoint", wikidata_endpoint)
    assert run_kg("reconcile", *args).returncode == 0
    assert _links(store_dir)["Iraq"] == str(WD.Q796)
    iraq = _actor_iri(store_dir, KG.State, "Iraq")
    kh = _actor_iri(store_dir, KG.ArmedGroup, "Kata'ib Hizballah")
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "actor,label,candidate,decision\n"
        f"{iraq},Iraq,Q796,reject\n"
        f"{kh},Kata'ib Hizballah,,Q1355123\n"
        "https://w3id.org/kg/actor/nobody,Nobody,,reject\n"
        f"{kh},Kata'ib Hizballah,,maybe\n"
        f"{iraq},Iraq,,accept\n"
        f"{iraq},Iraq,Q796,\n", encoding="utf-8")
    applied = run_kg("reconcile", "--store", str(store_dir), "--apply", str(decisions))
    assert applied.returncode == 2  # some rows could not be applied; the others were
    assert "applied 2 decisions" in applied.stdout and "1 rows left undecided" in applied.stdout
    problems = [line for line in applied.stderr.splitlines() if line.startswith("error:")]
    assert len(problems) == 3 and all(f"row {n}:" in " ".join(problems) for n in (4, 5, 6))
    links = _links(store_dir)
    assert "Iraq" not in links and links["Kata'ib Hizballah"] == str(WD.Q1355123)
    # A rebuild and a new run of the reconciler keep the person's word.
    assert run_kg("build", str(EXAMPLES), "--store", str(store_dir), "--force",
                  "-q").returncode == 0
    assert run_kg("reconcile", *args).returncode == 0
    links = _links(store_dir)
    assert "Iraq" not in links and links["Kata'ib Hizballah"] == str(WD.Q1355123)
    store = KGStore(store_dir, read_only=True)
    outcome = list(store.select(
        "SELECT ?a ?o ?why WHERE { ?d a kg:LinkDecision ; kg:decisionFor ?a ; kg:outcome ?o ;"
        " kg:explanation ?why FILTER NOT EXISTS { ?d a kg:ReviewDecision } }",
        {"a": URIRef(iraq)}))
    assert outcome[0]["o"].value == "reject" and "a person decided" in outcome[0]["why"].value


@pytest.mark.parametrize("content", [b"\xff\xfe\x00binary", b"name,qid\nx,Q1\n", b""])
def test_a_bad_review_file_is_refused_and_changes_nothing(
        examples_store: Path, tmp_path: Path, content: bytes) -> None:
    store_dir = tmp_path / "kg-data"
    shutil.copytree(examples_store, store_dir)
    before = len(KGStore(store_dir, read_only=True))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    result = run_kg("reconcile", "--store", str(store_dir), "--apply", str(bad))
    assert result.returncode == 2 and f"error: {bad}" in result.stderr
    assert len(KGStore(store_dir, read_only=True)) == before


def test_a_word_in_too_many_labels_is_not_searched_by() -> None:
    """A word that a hundred labels hold ("bank") finds nothing, a rare one ("zarqawi")
    finds its item."""
    asked: list[str] = []

    def select(query: str) -> list[dict[str, Term]]:
        asked.append(query)
        rows = [{"word": Term("literal", "bank"), "item": Term("uri", str(WD[f"Q{n}"])),
                 "name": Term("literal", f"Bank {n}"), "how": Term("literal", "label")}
                for n in range(1, 102)]
        rows.append({"word": Term("literal", "zarqawi"), "item": Term("uri", str(WD.Q5000)),
                     "name": Term("literal", "Abu Musab al-Zarqawi"),
                     "how": Term("literal", "label")})
        return rows

    found = sparql_word_search(select)([_actor(KG.Organization, "Bank"),
                                        _actor(KG.Person, "Zarqawi")])
    assert len(asked) == 1 and '("bank")' in asked[0] and '("zarqawi")' in asked[0]
    assert URIRef(ID + "Bank") not in found
    assert found[URIRef(ID + "Zarqawi")] == [(WD.Q5000, "Abu Musab al-Zarqawi", "label")]


def test_an_item_whose_classes_are_no_actors_is_never_linked() -> None:
    film = Candidate(WD.Q1, {"Kata'ib Hezbollah": "label"}, classes={WD.Q11424})
    decision = decide(_actor(KG.ArmedGroup, "Kata'ib Hezbollah"), [film])
    assert decision.decision != ACCEPTED and decision.best is not None
    assert "none of its classes is a kind of actor" in decision.best.why
