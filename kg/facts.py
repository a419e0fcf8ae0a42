"""The facts view of a document's graph: the plain JSON of ../shared/facts-format.md.

It is a yardstick that any reader can check by eye and that factscore.py scores; the KG
itself stays RDF. Kinds and statuses are written with the skos:notation the ontology
gives them, read from the ontology file rather than repeated here.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.identity import ACTOR_TYPE_SEGMENTS, EVENT_TYPES
from kg.namespace import KG, RDF, RDFS, SKOS, WD
from kg.notations import notations


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _text(graph: Graph, node: Node | None, prop: URIRef) -> str | None:
    value = graph.value(node, prop) if node is not None else None
    return str(value) if value is not None else None


class _View:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.notation: dict[Node, str] = {k: v for k, v in notations().items()}

    def name(self, actor: Node | None) -> str | None:
        return _text(self.graph, actor, RDFS.label) if actor is not None else None

    def evidence(self, claim: Node) -> tuple[str | None, str | None]:
        """The quote and speaker of a claim's first evidence (by offset)."""
        records = []
        for ev in self.graph.objects(claim, KG.evidence):
            start = self.graph.value(ev, KG.startOffset)
            records.append((int(start) if isinstance(start, Literal) else 0, ev))
        if not records:
            return None, None
        ev = min(records, key=lambda r: (r[0], str(r[1])))[1]
        return _text(self.graph, ev, KG.quote), self.name(self.graph.value(ev, KG.attributedTo))

    def actors(self) -> list[dict[str, Any]]:
        rows = []
        for actor_type in ACTOR_TYPE_SEGMENTS:
            for actor in self.graph.subjects(RDF.type, actor_type):
                link = next(
                    (str(o)[len(str(WD)):] for o in self.graph.objects(actor, SKOS.exactMatch)
                     if str(o).startswith(str(WD))),
                    None,
                )
                rows.append({
                    "name": self.name(actor),
                    "type": _local(actor_type),
                    "aliases": sorted(str(a) for a in self.graph.objects(actor, SKOS.altLabel)),
                    "wikidata": link,
                })
        return sorted(rows, key=lambda r: (r["type"], str(r["name"])))

    def affiliations(self) -> list[dict[str, Any]]:
        rows = []
        for claim in self.graph.subjects(RDF.type, KG.Affiliation):
            quote, speaker = self.evidence(claim)
            rows.append({
                "member": self.name(self.graph.value(claim, KG.member)),
                "organization": self.name(self.graph.value(claim, KG.organization)),
                "kind": self.notation.get(self.graph.value(claim, KG.affiliationKind)),  # type: ignore[arg-type]
                "role": _text(self.graph, claim, KG.role),
                "start": _text(self.graph, claim, KG.start),
                "end": _text(self.graph, claim, KG.end),
                "attributed_to": speaker,
                "evidence": quote,
            })
        return sorted(rows, key=lambda r: [str(v) for v in r.values()])

    def designations(self) -> list[dict[str, Any]]:
        rows = []
        for claim in self.graph.subjects(RDF.type, KG.Designation):
            quote, speaker = self.evidence(claim)
            date = (_text(self.graph, claim, KG.listedOn)
                    or _text(self.graph, claim, KG.delistedOn)
                    or _text(self.graph, claim, KG.start))
            rows.append({
                "entity": self.name(self.graph.value(claim, KG.designatedActor)),
                "authority": self.name(self.graph.value(claim, KG.authority)),
                "kind": self.notation.get(self.graph.value(claim, KG.designationKind)),  # type: ignore[arg-type]
                "status": self.notation.get(self.graph.value(claim, KG.status)),  # type: ignore[arg-type]
                "date": date,
                "programs": sorted(str(p) for p in self.graph.objects(claim, KG.program))
                + sorted(str(p) for p in self.graph.objects(claim, KG.legalBasis)),
                "attributed_to": speaker,
                "evidence": quote,
            })
        # One listing read twice counts once: the dated reading first.
        return sorted(rows, key=lambda r: (r["date"] is None, str(r["entity"]),
                                           str(r["authority"]), str(r["evidence"])))

    def events(self) -> list[dict[str, Any]]:
        rows = []
        for event_type in EVENT_TYPES:
            for event in self.graph.subjects(RDF.type, event_type):
                quote, speaker = self.evidence(event)
                place = self.graph.value(event, KG.place)
                participants = sorted(
                    ({"actor": self.name(self.graph.value(p, KG.participant)),
                      "role": _text(self.graph, p, KG.participantRole)}
                     for p in self.graph.objects(event, KG.participation)),
                    key=lambda p: (str(p["actor"]), str(p["role"])))
                rows.append({
                    "type": _local(event_type),
                    "date": _text(self.graph, event, KG.date) or _text(self.graph, event, KG.start),
                    "place": _text(self.graph, place, RDFS.label) if place is not None else None,
                    "participants": participants,
                    "attributed_to": speaker,
                    "evidence": quote,
                })
        return sorted(rows, key=lambda r: (str(r["evidence"]), r["type"]))


def document_facts(graph: Graph, document: URIRef) -> dict[str, Any]:
    """The facts of one document's graph, in the facts format."""
    view = _View(graph)
    name = _text(graph, document, KG.fileName)
    return {
        "document": name,
        "actors": view.actors(),
        "affiliations": view.affiliations(),
        "designations": view.designations(),
        "events": view.events(),
    }
