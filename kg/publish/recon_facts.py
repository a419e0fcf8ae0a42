"""What the reconciliation service tells about one actor: the facts behind its previews
and its data extension, read from the store with the actor bound as a typed term."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import URIRef

from kg.publish.recon_queries import select

if TYPE_CHECKING:
    from kg.store import KGStore


@dataclass(frozen=True)
class Entity:
    """A value that is an IRI (with its label, when the store has one) or a literal."""

    value: str
    label: str
    is_iri: bool
    datatype: str = ""


@dataclass(frozen=True)
class Affiliation:
    kind: str
    """The kind's skos:notation (member, leader, part_of ...)."""
    forward: bool
    """Whether the actor is the member side (the leader, the part, the splinter ...)."""
    other: Entity
    role: str


@dataclass(frozen=True)
class Designation:
    authority: Entity
    programs: str
    status: str
    listed_on: str
    delisted_on: str

    def summary(self) -> str:
        """One line an analyst reads in a cell: who listed, under what, since when."""
        dates = ", ".join(d for d in (f"listed {self.listed_on}" if self.listed_on else "",
                                      f"delisted {self.delisted_on}" if self.delisted_on else "")
                          if d)
        status = self.status or "status unknown"
        return (f"{self.authority.label}: {self.programs or 'no program named'} "
                f"({status}{', ' + dates if dates else ''})")


@dataclass
class ActorFacts:
    iri: str
    facts: dict[str, list[Entity]] = field(default_factory=dict)
    """recon-facts' ?key -> values: label, alias, type, wikidata, nationality, birth_date."""
    affiliations: list[Affiliation] = field(default_factory=list)
    designations: list[Designation] = field(default_factory=list)

    def values(self, key: str) -> list[Entity]:
        return self.facts.get(key, [])

    @property
    def name(self) -> str:
        labels = sorted(e.value for e in self.values("label"))
        return labels[0] if labels else self.iri


def _entity(term: Any, label: Any = None) -> Entity:
    if isinstance(term, ox.Literal):
        return Entity(term.value, term.value, False, term.datatype.value)
    value = term.value if isinstance(term, ox.NamedNode | ox.BlankNode) else ""
    return Entity(value, label.value if isinstance(label, ox.Literal) else value, True)


def _text(term: Any) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


def load_facts(store: KGStore, iri: str) -> ActorFacts | None:
    """The facts of the actor `iri`, or None when the store knows no actor by it."""
    actor = URIRef(iri)
    facts = ActorFacts(iri)
    for row in select(store, "facts", actor=actor):
        entity = _entity(row["value"], row["valueLabel"])
        values = facts.facts.setdefault(_text(row["key"]), [])
        if entity not in values:
            values.append(entity)
    if not facts.values("type"):
        return None
    for row in select(store, "affiliations", actor=actor):
        facts.affiliations.append(Affiliation(
            _text(row["kind"]), _text(row["forward"]) == "true",
            _entity(row["other"], row["otherLabel"]), _text(row["role"])))
    for row in select(store, "designations", actor=actor):
        facts.designations.append(Designation(
            _entity(row["authority"], row["authorityLabel"]), _text(row["programs"]),
            _text(row["status"]), _text(row["listedOn"]), _text(row["delistedOn"])))
    return facts
