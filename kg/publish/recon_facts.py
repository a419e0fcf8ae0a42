"""What the reconciliation service tells about one actor: the facts behind its previews
and its data extension, read from the store with the actor bound as a typed term."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import URIRef

from kg.publish.labels import Labels
from kg.publish.merges import Merges
from kg.publish.recon_queries import select

if TYPE_CHECKING:
    from kg.publish.recon_index import ActorIndex
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
    """An IRI (or blank node) with its label, a literal as itself; `label` is a literal
    of a query's row, a text, or None (then the IRI is its own label)."""
    if isinstance(term, ox.Literal):
        return Entity(term.value, term.value, False, term.datatype.value)
    value = term.value if isinstance(term, ox.NamedNode | ox.BlankNode) else ""
    if isinstance(label, ox.Literal):
        label = label.value
    return Entity(value, label if isinstance(label, str) else value, True)


def _labelled(labels: Labels, term: Any) -> Entity:
    return _entity(term, labels(term.value) if isinstance(term, ox.NamedNode) else None)


def _text(term: Any) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


def load_facts(store: KGStore, iri: str, *, index: ActorIndex | None = None
               ) -> ActorFacts | None:
    """The facts of the actor `iri`, or None when the store knows no actor by it.

    With the service's `index`, a merged actor's facts are those of every IRI folded
    into it (`iri` may be any of them; the facts are the canonical IRI's): a document
    that names the actor otherwise may be the only one to state an affiliation, and an
    OpenRefine user extending a column sees the actor, not one spelling of it. The
    other IRIs' labels are its aliases, and an affiliation with a merged actor names
    that actor as the index does."""
    merges = index.merges if index is not None else Merges()
    cluster = merges.cluster(iri)
    facts = ActorFacts(cluster[0])
    for member in cluster:
        _read_facts(store, facts, member, own=member == facts.iri)
    if not facts.values("type"):
        return None
    labels = {e.value for e in facts.values("label")}
    if "alias" in facts.facts:
        facts.facts["alias"] = [e for e in facts.values("alias") if e.value not in labels]
    named = Labels(store)
    for member in cluster:
        for row in select(store, "affiliations", actor=URIRef(member)):
            other = _labelled(named, row["other"])
            canonical = merges.canonical_of(other.value) if other.is_iri else other.value
            if canonical == facts.iri:
                continue  # the actor with itself, once its IRIs are one
            if canonical != other.value:
                known = index.actors.get(canonical) if index is not None else None
                other = Entity(canonical, known.name if known else canonical, True)
            affiliation = Affiliation(_text(row["kind"]), _text(row["forward"]) == "true",
                                      other, _text(row["role"]))
            if affiliation not in facts.affiliations:
                facts.affiliations.append(affiliation)
        for row in select(store, "designations", actor=URIRef(member)):
            designation = Designation(
                _labelled(named, row["authority"]), _text(row["programs"]),
                _text(row["status"]), _text(row["listedOn"]), _text(row["delistedOn"]))
            if designation not in facts.designations:
                facts.designations.append(designation)
    facts.affiliations.sort(key=lambda a: (a.kind, a.other.label, a.other.value, a.role))
    facts.designations.sort(key=lambda d: (d.authority.label, d.programs, d.listed_on))
    return facts


def _read_facts(store: KGStore, facts: ActorFacts, iri: str, *, own: bool) -> None:
    """Add recon-facts' rows of `iri` to `facts`; a label of an IRI other than the
    actor's `own` is one of its other names."""
    for row in select(store, "facts", actor=URIRef(iri)):
        key = _text(row["key"])
        if key == "label" and not own:
            key = "alias"
        entity = _entity(row["value"], row["valueLabel"])
        values = facts.facts.setdefault(key, [])
        # One name however typed: one IRI's "KH" and another's "KH"@en are one alias.
        if all(e.value != entity.value for e in values):
            values.append(entity)
