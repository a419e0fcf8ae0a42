"""Merged actors: the identity stage's owl:sameAs decisions, honoured by the server.

The store is the examples KG plus a second document that names Kata'ib Hizballah and the
Popular Mobilization Forces under IRIs of its own, and the identity graph that says
they are the same actors. Without the identity graph (the examples KG alone, served by
the other test modules) every IRI is its own actor.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID

from kg import namespace
from kg.namespace import DCTERMS, DEFAULT_BASE, KG, OWL, RDF, RDFS, WD
from kg.publish.merges import MergeCache, Merges
from kg.publish.recon_index import load_index
from kg.publish.site import Site
from kg.publish.top_actors import ReportedActor, TopActors, top_actors
from kg.publish.void import EXAMPLES, VoidDescription
from kg.reconcile.run import merge_store
from kg.reconcile.same_actor import graph_name
from kg.store import KGStore
from tests.conftest import RunningServer, serving
from tests.test_recon_api_schemas import assert_valid

KH = URIRef(DEFAULT_BASE + "armed-group/kataib-hizballah")
KH_VARIANT = URIRef(DEFAULT_BASE + "armed-group/kataib-hezbollah")
PMF = URIRef(DEFAULT_BASE + "armed-group/popular-mobilization-forces")
PMF_VARIANT = URIRef(DEFAULT_BASE + "armed-group/pmf")
DOC_B = URIRef(DEFAULT_BASE + "document/merge-test-b")
IRAN = URIRef(DEFAULT_BASE + "state/iran")
EU = URIRef(DEFAULT_BASE + "government-body/council-of-the-european-union")
EU_DESIGNATION = URIRef(DEFAULT_BASE + "designation/merge-test-eu")
PMF_AFFILIATION = URIRef(DEFAULT_BASE + "affiliation/merge-test-pmf")
ATTACK = URIRef(DEFAULT_BASE + "attack/merge-test")
AAH = URIRef(DEFAULT_BASE + "armed-group/asaib-ahl-al-haq")  # an actor of the examples
AAH_ALLIANCE = URIRef(DEFAULT_BASE + "affiliation/merge-test-aah")
# Reached through its module: pytest inspects a test module's globals, and rdflib's
# closed XSD namespace warns about each name it is asked for.
_DATE = namespace.XSD.date
EU_QUOTE = "The Council listed Kata'ib Hezbollah under its terrorism regime in March 2021."


def second_document() -> Graph:
    """A document that knows the group as Kata'ib Hezbollah, part of "the PMF"."""
    g = Graph()
    g.add((DOC_B, DCTERMS.title, Literal("Merge test article")))
    g.add((DOC_B, DCTERMS.issued, Literal("2021-06-02", datatype=_DATE)))
    for actor, label in ((KH_VARIANT, "Kata'ib Hezbollah"), (PMF_VARIANT, "PMF"),
                         (EU, "Council of the European Union")):
        g.add((actor, RDF.type, KG.GovernmentBody if actor == EU else KG.ArmedGroup))
        g.add((actor, RDFS.label, Literal(label)))
    g.add((KH_VARIANT, KG.mention, URIRef(DEFAULT_BASE + "mention/merge-test-kh")))

    def evidence(name: str, quote: str) -> URIRef:
        node = URIRef(DEFAULT_BASE + f"evidence/merge-test-{name}")
        g.add((node, RDF.type, KG.Evidence))
        g.add((node, KG.quote, Literal(quote)))
        g.add((node, KG.inDocument, DOC_B))
        return node

    g.add((EU_DESIGNATION, RDF.type, KG.Designation))
    g.add((EU_DESIGNATION, KG.designatedActor, KH_VARIANT))
    g.add((EU_DESIGNATION, KG.authority, EU))
    g.add((EU_DESIGNATION, KG.status, KG.DesignatedStatus))
    g.add((EU_DESIGNATION, KG.designationKind, KG.TerroristDesignation))
    g.add((EU_DESIGNATION, KG.listedOn, Literal("2021-03-01", datatype=_DATE)))
    g.add((EU_DESIGNATION, KG.evidence, evidence("eu", EU_QUOTE)))
    g.add((PMF_AFFILIATION, RDF.type, KG.Affiliation))
    g.add((PMF_AFFILIATION, KG.member, KH_VARIANT))
    g.add((PMF_AFFILIATION, KG.organization, PMF_VARIANT))
    g.add((PMF_AFFILIATION, KG.affiliationKind, KG.PartOfAffiliation))
    g.add((PMF_AFFILIATION, KG.evidence, evidence("pmf", "Kata'ib Hezbollah, part of the PMF")))
    # Stated only under the variant IRI: the canonical IRI has no tie to this group.
    g.add((AAH_ALLIANCE, RDF.type, KG.Affiliation))
    g.add((AAH_ALLIANCE, KG.member, KH_VARIANT))
    g.add((AAH_ALLIANCE, KG.organization, AAH))
    g.add((AAH_ALLIANCE, KG.affiliationKind, KG.AllianceAffiliation))
    g.add((AAH_ALLIANCE, KG.evidence, evidence(
        "aah", "Kata'ib Hezbollah fought beside Asa'ib Ahl al-Haq")))
    participation = URIRef(DEFAULT_BASE + "participation/merge-test")
    g.add((ATTACK, RDF.type, KG.Attack))
    g.add((ATTACK, KG.date, Literal("2021-06-01", datatype=_DATE)))
    g.add((ATTACK, KG.participation, participation))
    g.add((participation, RDF.type, KG.Participation))
    g.add((participation, KG.participant, KH_VARIANT))
    g.add((participation, KG.participantRole, Literal("perpetrator")))
    g.add((ATTACK, KG.evidence, evidence("attack", "Kata'ib Hezbollah claimed the attack")))
    return g




@pytest.fixture(scope="module")
def merged_store(examples_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples store, the second document and the identity graph."""
    path = tmp_path_factory.mktemp("merged") / "kg-data"
    shutil.copytree(examples_store, path)
    store = KGStore(path)
    store.replace_document(DOC_B, second_document())
    # The identity stage itself decides: another spelling, and the examples' alias "PMF".
    identity = merge_store(store, DEFAULT_BASE, dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    assert {(s.merged, s.canonical) for s in identity.same} >= {(KH_VARIANT, KH),
                                                               (PMF_VARIANT, PMF)}
    # A statement of the graph that leaves the KG (none the stage writes): not a merge.
    decisions = store.document_graph(str(graph_name(DEFAULT_BASE)))
    decisions.add((IRAN, OWL.sameAs, WD.Q794))
    store.replace_document(graph_name(DEFAULT_BASE), decisions)
    store.flush()
    del store, identity, decisions
    gc.collect()  # closed before the server opens it: RocksDB may still be compacting
    return path


@pytest.fixture(scope="module")
def merged_server(merged_store: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[RunningServer]:
    with serving(merged_store, tmp_path_factory.mktemp("merged-dumps"),
                 query_workers=1) as running:
        yield running


def _path(iri: str) -> str:
    return "/kg/id/" + iri[len(DEFAULT_BASE):]


@pytest.mark.parametrize(("accept", "extension"), [
    ("text/html", "html"), ("text/turtle", "ttl"), ("application/ld+json", "jsonld")])
def test_a_merged_iri_answers_303_to_the_canonical_actor(
        merged_server: RunningServer, http: Any, accept: str, extension: str) -> None:
    response = http.get(merged_server.url + _path(KH_VARIANT), headers={"Accept": accept},
                        allow_redirects=False, timeout=30)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{_path(KH)}.{extension}"


def test_a_merged_iri_s_documents_answer_303_to_the_canonical_ones(
        merged_server: RunningServer, http: Any) -> None:
    for extension in ("html", "nt"):
        response = http.get(f"{merged_server.url}{_path(KH_VARIANT)}.{extension}",
                            allow_redirects=False, timeout=30)
        assert response.status_code == 303
        assert response.headers["Location"] == f"{_path(KH)}.{extension}"


def test_the_canonical_page_gathers_the_facts_of_every_iri(
        merged_server: RunningServer, http: Any) -> None:
    page = http.get(merged_server.url + _path(KH_VARIANT), timeout=60).text  # follows 303
    also = page.split('id="also"', 1)[1].split("</p>", 1)[0]
    assert str(KH_VARIANT) in also and f'href="{_path(KH_VARIANT)}"' in also
    assert "Kata&#39;ib Hezbollah" in page.split('id="wikidata"', 1)[0]  # an other name
    in_force = page.split('id="in-force"', 1)[1].split("</ul>", 1)[0]
    assert "Council of the European Union" in in_force
    assert "United States Department of State" in in_force  # the examples' own facts
    designations = page.split('id="designations"', 1)[1].split("</table>", 1)[0]
    assert EU_QUOTE.replace("'", "&#39;") in designations
    assert "Merge test article" in designations
    events = page.split('id="events"', 1)[1].split("</table>", 1)[0]
    assert events.index("2019-12-27") < events.index("2021-06-01")
    affiliations = page.split('id="affiliations"', 1)[1].split("</table>", 1)[0]
    assert "part of the PMF" in affiliations
    assert f'href="{_path(PMF_VARIANT)}"' not in affiliations  # linked to the actor
    assert affiliations.count(f'href="{_path(PMF)}"') == 2  # two affiliations, one actor


def test_the_home_page_lists_a_merged_actor_once(merged_server: RunningServer,
                                                 http: Any) -> None:
    home = http.get(merged_server.url + "/", timeout=60).text
    actors = home.split('id="actors"', 1)[1].split("</table>", 1)[0]
    assert actors.count(f'href="{_path(KH)}"') == 1
    assert _path(KH_VARIANT) not in actors
    # Its documents and mentions are those of both its IRIs: the canonical one's, and
    # the variant's one mention in the second document.
    own = list(merged_server.app.store.db.quads_for_pattern(
        ox.NamedNode(str(KH)), ox.NamedNode(str(KG.mention)), None, None))
    documents = {q.graph_name for q in own}
    assert DOC_B not in {URIRef(d.value) for d in documents if isinstance(d, ox.NamedNode)}
    row = actors.split(f'href="{_path(KH)}"', 1)[1].split("</tr>", 1)[0]
    assert f"<td>{len(documents) + 1}</td><td>{len(own) + 1}</td>" in row


RANK_A, RANK_A2, RANK_B, RANK_C = (URIRef(DEFAULT_BASE + f"armed-group/rank-{n}")
                                   for n in ("a", "a2", "b", "c"))


def _ranking_store(path: Path) -> KGStore:
    """A is named A in d1 and d3 and A2 in d1 and d2: three documents (d1 once), though
    each IRI alone has two, fewer than C, which has two with more mentions."""
    named = {"d1": [RANK_A, RANK_A2], "d2": [RANK_A2], "d3": [RANK_A],
             "d4": [RANK_B, *[RANK_C] * 5], "d5": [RANK_B, RANK_C], "d6": [RANK_B],
             "d7": [RANK_B]}
    store = KGStore(path / "kg-data")
    for document, actors in named.items():
        g = Graph()
        for n, actor in enumerate(actors):
            g.add((actor, KG.mention, URIRef(DEFAULT_BASE + f"mention/{document}-{n}")))
        store.replace_document(URIRef(DEFAULT_BASE + f"document/{document}"), g)
    return store


def test_the_home_page_ranks_an_actor_by_the_documents_of_all_its_iris(
        tmp_path: Path) -> None:
    store = _ranking_store(tmp_path)
    merges = Merges.from_pairs([(str(RANK_A2), str(RANK_A))])
    assert top_actors(store, merges, limit=2) == [
        ReportedActor(str(RANK_B), 4, 4), ReportedActor(str(RANK_A), 3, 4)]
    assert [r.iri for r in top_actors(store, Merges(), limit=2)] == [str(RANK_B), str(RANK_C)]


def test_void_examples_are_the_home_pages_first_actors(tmp_path: Path) -> None:
    """At their canonical IRIs, in the home page's order. Ranked per IRI by mentions, as
    VoID once did, C would come first and A's IRIs apart."""
    store = _ranking_store(tmp_path)
    decisions = Graph()
    decisions.add((RANK_A2, OWL.sameAs, RANK_A))
    store.replace_document(graph_name(DEFAULT_BASE), decisions)
    ranking = TopActors(store, MergeCache(store, DEFAULT_BASE))
    void = VoidDescription(store, Site(DEFAULT_BASE), ranking)
    home = [actor.iri for actor in ranking.get()]
    assert void.statistics().examples == home[:EXAMPLES] == [
        str(RANK_B), str(RANK_A), str(RANK_C)]
    graph = void.graph("http://localhost:8000")
    assert set(graph.objects(None, VOID.exampleResource)) == {
        URIRef(iri) for iri in home[:EXAMPLES]}


def test_the_network_draws_each_merged_actor_once(merged_server: RunningServer,
                                                  http: Any) -> None:
    page = http.get(f"{merged_server.url}{_path(KH)}.html", timeout=60).text
    svg = page.split('<figure id="network">', 1)[1].split("</figure>", 1)[0]
    root = ET.fromstring(svg)
    hrefs = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert hrefs.count(_path(PMF)) == 1 and _path(PMF_VARIANT) not in hrefs
    assert _path(KH_VARIANT) not in hrefs and hrefs[-1] == _path(KH)
    assert len(hrefs) == len(set(hrefs))


def test_the_canonical_document_holds_the_facts_of_every_iri(
        merged_server: RunningServer, http: Any) -> None:
    response = http.get(f"{merged_server.url}{_path(KH)}.ttl", timeout=60)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (KH_VARIANT, OWL.sameAs, KH) in graph
    assert (EU_DESIGNATION, KG.designatedActor, KH_VARIANT) in graph
    assert (KH_VARIANT, RDFS.label, Literal("Kata'ib Hezbollah")) in graph
    assert (None, KG.participant, KH_VARIANT) in graph
    assert (None, KG.designatedActor, KH) in graph  # and the canonical IRI's own


@pytest.mark.parametrize("iri", [EU_DESIGNATION, IRAN])
def test_other_entities_are_served_as_before(merged_server: RunningServer, http: Any,
                                             iri: URIRef) -> None:
    response = http.get(merged_server.url + _path(iri),
                        headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=30)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{_path(iri)}.ttl"


def test_only_links_between_the_kg_s_own_iris_are_merges(
        merged_server: RunningServer) -> None:
    merges = merged_server.app.merges.get()
    assert merges.canonical == {str(KH_VARIANT): str(KH), str(PMF_VARIANT): str(PMF)}


def test_reconciliation_offers_a_merged_actor_once(merged_store: Path) -> None:
    index = load_index(KGStore(merged_store, read_only=True), base=DEFAULT_BASE)
    assert str(KH_VARIANT) not in index.actors and str(PMF_VARIANT) not in index.actors
    assert index.by_name("Kata'ib Hezbollah") == {str(KH)}
    assert "Kata'ib Hezbollah" in index.actors[str(KH)].aliases
    assert index.actors[str(KH)].name == "Kata'ib Hizballah"
    related = {v.text for values in index.relations[str(KH)].values() for v in values}
    assert str(PMF) in related and str(PMF_VARIANT) not in related
    unmerged = load_index(KGStore(merged_store, read_only=True))
    assert unmerged.by_name("Kata'ib Hezbollah") >= {str(KH_VARIANT)}


def test_without_an_identity_graph_nothing_is_merged(kg_server: RunningServer) -> None:
    merges = kg_server.app.merges.get()
    assert merges.canonical == {} and merges.cluster(str(KH)) == [str(KH)]


def test_chains_and_cycles_end_at_one_canonical_iri() -> None:
    merges = Merges.from_pairs([("a", "b"), ("b", "c"), ("x", "y"), ("y", "x"), ("s", "s")])
    assert merges.canonical == {"a": "c", "b": "c", "y": "x"}
    assert merges.cluster("a") == ["c", "a", "b"] and merges.cluster("c") == ["c", "a", "b"]
    assert merges.cluster("x") == ["x", "y"] and merges.cluster("s") == ["s"]


# -- the Reconciliation API, as OpenRefine sees a merged actor -------------------------

def _id(iri: str) -> str:
    return iri[len(DEFAULT_BASE):]


def _reconcile(server: RunningServer, http: Any, path: str = "", **params: str) -> Any:
    response = http.post(f"{server.url}/reconcile{path}", data=params, timeout=60)
    assert response.status_code == 200, response.text
    return response


def test_extension_of_a_merged_actor_gathers_the_facts_of_every_iri(
        merged_server: RunningServer, http: Any) -> None:
    """The alliance, the EU designation and the other spelling are stated only under the
    variant IRI; a user extending a column of Kata'ib Hizballah sees them, under either
    id, and every actor value is given by the id of its actor, never of a merged IRI."""
    columns = ["allied_with", "alias", "designated_by", "part_of", "has_part"]
    query = {"ids": [_id(KH), _id(KH_VARIANT), _id(PMF)],
             "properties": [{"id": c} for c in columns]}
    assert_valid("data-extension-query", query)
    answer = _reconcile(merged_server, http, extend=json.dumps(query)).json()
    assert_valid("data-extension-response", answer)
    rows = answer["rows"]
    kh = rows[_id(KH)]
    assert {"id": _id(AAH), "name": "Asa'ib Ahl al-Haq"} in kh["allied_with"]
    assert {"id": _id(EU), "name": "Council of the European Union"} in kh["designated_by"]
    aliases = [cell["str"] for cell in kh["alias"]]
    assert aliases.count("Kata'ib Hezbollah") == 1 and "Kata'ib Hizballah" not in aliases
    assert kh["part_of"] == [{"id": _id(PMF), "name": "Popular Mobilization Forces"}]
    assert rows[_id(KH_VARIANT)] == kh  # a folded id answers for its actor
    assert rows[_id(PMF)]["has_part"] == [{"id": _id(KH), "name": "Kata'ib Hizballah"}]
    cells = [cell for row in rows.values() for column in row.values() for cell in column]
    assert not {cell.get("id") for cell in cells} & {_id(KH_VARIANT), _id(PMF_VARIANT)}


def test_preview_and_flyout_of_a_folded_id_show_the_canonical_actor(
        merged_server: RunningServer, http: Any) -> None:
    for iri in (KH, KH_VARIANT):
        page = http.get(f"{merged_server.url}/reconcile/preview", params={"id": _id(iri)},
                        timeout=60)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith(
            "text/html")
        card = page.text
        assert "<title>Kata&#x27;ib Hizballah</title>" in card
        assert f'href="{KH}"' in card and f'href="{KH_VARIANT}"' not in card
        assert "Kata&#x27;ib Hezbollah" in card.split("also:", 1)[1].split("</div>", 1)[0]
        assert "allied with Asa&#x27;ib Ahl al-Haq" in card
        assert "Council of the European Union" in card
        flyout = http.get(f"{merged_server.url}/reconcile/flyout/entity",
                          params={"id": _id(iri)}, timeout=60).json()
        assert flyout["id"] == _id(iri) and "Council of the European Union" in flyout["html"]


def test_a_condition_on_a_folded_id_matches_the_canonical_actor(
        merged_server: RunningServer, http: Any) -> None:
    batch = {
        "named": {"query": "Kataib Hizballah",
                  "properties": [{"pid": "affiliated_with", "v": {"id": _id(PMF_VARIANT)}}]},
        "unnamed": {"properties": [{"pid": "affiliated_with",
                                    "v": {"id": _id(PMF_VARIANT)}}]},
    }
    assert_valid("reconciliation-query-batch", batch)
    results = _reconcile(merged_server, http, queries=json.dumps(batch)).json()
    assert_valid("reconciliation-result-batch", results)
    named = results["named"]["result"][0]
    assert named["id"] == _id(KH)
    assert {"id": "affiliated_with", "value": 1.0} in named["features"]
    assert _id(KH) in {r["id"] for r in results["unnamed"]["result"]}
