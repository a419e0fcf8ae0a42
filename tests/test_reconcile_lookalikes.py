"""Linking among look-alikes: synthetic items (tests/data/wikidata-lookalikes.ttl, under a
namespace that is not Wikidata's) whose names share words, served beside the real
statements, and the reconciler told that this Wikibase's items live there."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from kg.namespace import KG
from kg.reconcile.candidates import ActorToLink
from kg.reconcile.client import SparqlClient
from kg.reconcile.items import PREFIX_VARIABLE
from kg.reconcile.link import reconcile
from kg.reconcile.scoring import ACCEPTED, Decision
from kg.reconcile.search import search_for

from .conftest import LOOKALIKE_ITEMS

ID = "https://w3id.org/kg/test/actor/"


@pytest.fixture(autouse=True)
def lookalike_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREFIX_VARIABLE, LOOKALIKE_ITEMS)


def _decide(endpoint: str, tmp_path: Path, *actors: tuple[URIRef, str, tuple[str, ...]]
            ) -> dict[str, Decision]:
    client = SparqlClient(endpoint, cache_path=tmp_path / "cache.sqlite", method="POST")
    to_link = [ActorToLink(URIRef(ID + str(i)), kind, label, aliases)
               for i, (kind, label, aliases) in enumerate(actors)]
    return {d.actor.label: d for d in reconcile(client.select, to_link, search_for(client))}


def _linked(decisions: dict[str, Decision]) -> dict[str, str | None]:
    return {label: d.best.candidate.qid if d.decision == ACCEPTED and d.best else None
            for label, d in decisions.items()}


def test_each_look_alike_links_to_its_own_item(lookalike_endpoint: str,
                                                tmp_path: Path) -> None:
    found = _decide(
        lookalike_endpoint, tmp_path,
        (KG.ArmedGroup, "Kataib Hizballah", ()),
        (KG.ArmedGroup, "Lebanese Hezbollah", ()),
        (KG.ArmedGroup, "Turkish Hizbullah", ()),
        (KG.ArmedGroup, "Harakat Hezbollah al-Nujaba", ("Nujaba",)),
        (KG.Person, "Bashar al-Assad", ()),
        (KG.Person, "Hafez Assad", ()),
        (KG.Person, "Qays al-Khazali", ()),
        (KG.Person, "Laith Khazali", ()),
    )
    assert _linked(found) == {
        "Kataib Hizballah": "Q900001", "Lebanese Hezbollah": "Q900002",
        "Turkish Hizbullah": "Q900003", "Harakat Hezbollah al-Nujaba": "Q900004",
        "Bashar al-Assad": "Q900011", "Hafez Assad": "Q900012",
        "Qays al-Khazali": "Q900021", "Laith Khazali": "Q900022",
    }, {k: (d.decision, d.best and d.best.why) for k, d in found.items()}
    # The film that bears Kata'ib Hezbollah's name is a candidate, and loses on its class.
    ranked = [s.candidate.qid for s in found["Kataib Hizballah"].ranked]
    assert "Q900031" in ranked and ranked[0] == "Q900001"


def test_a_short_or_shared_name_is_never_linked_to_a_look_alike(
        lookalike_endpoint: str, tmp_path: Path) -> None:
    found = _decide(
        lookalike_endpoint, tmp_path,
        (KG.Person, "al-Assad", ()),   # Bashar or Hafez: two items, no link
        (KG.Person, "Khazali", ()),    # Qais or Laith
        (KG.ArmedGroup, "Brigades", ()),  # a word of many names
    )
    assert _linked(found) == {"al-Assad": None, "Khazali": None, "Brigades": None}, {
        k: (d.decision, d.best and d.best.why) for k, d in found.items()}


def test_items_outside_the_configured_namespace_are_no_candidates(
        lookalike_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PREFIX_VARIABLE)  # Wikidata's namespace: the synthetic items are not
    found = _decide(lookalike_endpoint, tmp_path, (KG.ArmedGroup, "Kataib Hizballah", ()))
    assert found["Kataib Hizballah"].best is None


def test_the_states_a_document_names_tell_two_groups_of_one_name_apart(
        lookalike_endpoint: str, tmp_path: Path) -> None:
    client = SparqlClient(lookalike_endpoint, cache_path=tmp_path / "cache.sqlite",
                          method="POST")

    def actors(separate: bool) -> list[ActorToLink]:
        def docs(name: str) -> frozenset[str]:
            return frozenset({name}) if separate else frozenset()
        return [ActorToLink(URIRef(ID + "n"), KG.State, "Northland", documents=docs("a")),
                ActorToLink(URIRef(ID + "s"), KG.State, "Southland", documents=docs("b")),
                ActorToLink(URIRef(ID + "in-a"), KG.ArmedGroup, "Martyrs Brigade",
                            documents=docs("a")),
                ActorToLink(URIRef(ID + "in-b"), KG.ArmedGroup, "Martyrs Brigade",
                            documents=docs("b"))]

    by_document = {str(d.actor.iri): d for d in reconcile(client.select, actors(True))}
    assert by_document[ID + "in-a"].decision == ACCEPTED
    assert by_document[ID + "in-a"].best.candidate.qid == "Q900041"  # type: ignore[union-attr]
    assert by_document[ID + "in-b"].best.candidate.qid == "Q900042"  # type: ignore[union-attr]
    assert "one the document names" in by_document[ID + "in-b"].best.why  # type: ignore[union-attr]
    # Both states around both mentions (one document, or no document known): a tie, review.
    together = {str(d.actor.iri): d for d in reconcile(client.select, actors(False))}
    assert together[ID + "in-a"].decision == together[ID + "in-b"].decision == "review"


def test_the_affiliations_the_documents_state_tell_two_units_of_one_name_apart(
        lookalike_endpoint: str, tmp_path: Path) -> None:
    client = SparqlClient(lookalike_endpoint, cache_path=tmp_path / "cache.sqlite",
                          method="POST")
    umbrella = URIRef(ID + "umbrella")
    unit = URIRef(ID + "unit")
    found = {d.actor.label: d for d in reconcile(client.select, [
        ActorToLink(umbrella, KG.ArmedGroup, "Northern Mobilization Forces",
                    tied_to=frozenset({unit})),
        ActorToLink(unit, KG.ArmedGroup, "Lions Brigade", tied_to=frozenset({umbrella}))])}
    lions = found["Lions Brigade"]
    assert lions.decision == ACCEPTED and lions.best is not None
    assert lions.best.candidate.qid == "Q900062"
    assert "tied to Q900061" in lions.best.why
    assert "another candidate has a tie" in lions.ranked[1].why
    # Without the affiliation, the two are a tie: review.
    alone = reconcile(client.select, [ActorToLink(unit, KG.ArmedGroup, "Lions Brigade")])
    assert alone[0].decision == "review"
