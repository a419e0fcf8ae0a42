"""The one label lookup that pages and reconciliation answers share."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.namespace import DEFAULT_BASE, KG, RDF, RDFS
from kg.publish.labels import Labels
from kg.store import KGStore

ACTOR = URIRef(DEFAULT_BASE + "armed-group/label-test")
SPELLINGS = ["Zulfiqar Brigade of the Shrine", "Liwa Dhu al-Fiqar", "Liwa' Dhulfiqar"]


def test_the_first_label_in_order_however_many_graphs_state_each(tmp_path: Path) -> None:
    store = KGStore(tmp_path / "store")
    # Restated by many documents, as a much-reported actor's label is; three documents
    # also give other spellings.
    for n in range(30):
        g = Graph()
        g.add((ACTOR, RDF.type, KG.ArmedGroup))
        g.add((ACTOR, RDFS.label, Literal("Zulfiqar Brigade")))
        if n in (5, 17, 29):
            g.add((ACTOR, RDFS.label, Literal(SPELLINGS[(5, 17, 29).index(n)])))
        store.replace_document(URIRef(DEFAULT_BASE + f"document/label-test-{n}"), g)
    labels = Labels(store)
    assert labels(str(ACTOR)) == "Liwa Dhu al-Fiqar"
    assert labels(DEFAULT_BASE + "armed-group/nobody") is None
