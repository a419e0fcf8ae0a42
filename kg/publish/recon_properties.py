"""The properties the reconciliation service offers: as conditions of a reconciliation
query, and as columns of data extension.

Conditions are the few facts that tell namesakes apart in a sanctions spreadsheet: the
Wikidata item, the nationality, an actor the entity is affiliated with, the authority
that designated it. Extension adds what an analyst wants beside a matched name: types,
aliases, dates, each kind of affiliation (named after the ontology's affiliation kinds)
and the designations. Entity values (affiliated actors, authorities, states) are given
by their ids in the service's identifier space, so OpenRefine keeps them reconciled.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from kg.namespace import KG, RDF, RDFS, SKOS, WD, XSD
from kg.publish.recon_facts import ActorFacts, Designation, Entity
from kg.publish.recon_ids import Ids
from kg.resources import ontology_path

Cells = Callable[[ActorFacts], list[Entity | str]]

# The inverse of each directed affiliation kind, by the kind's notation: the column seen
# from the organization's side (who leads it, what is part of it). "allied_with" is
# symmetric and has none.
INVERSES: dict[str, tuple[str, str]] = {
    "member": ("has_member", "has member"),
    "leader": ("led_by", "led by"),
    "part_of": ("has_part", "has part"),
    "splinter_of": ("has_splinter", "has splinter"),
    "supported_by": ("supports", "supports"),
}
SYMMETRIC = frozenset({"allied_with"})

_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ReconProperty:
    id: str
    name: str
    description: str
    cells: Cells
    condition: bool = False
    """Whether reconciliation queries may use it as a property condition; its id is then
    a relation of queries/recon-relations.rq."""
    entity_type: str | None = None
    """The class of its values when they are kg entities; None for literal values."""
    domain: str | None = None
    """The class of the actors that can have it (the ontology's rdfs:domain); None: any."""


def _values(key: str) -> Cells:
    return lambda facts: list(facts.values(key))


def _types(facts: ActorFacts) -> list[Entity | str]:
    return [e.label for e in facts.values("type")]


def _affiliated(kinds: frozenset[str] | None, forward: bool | None) -> Cells:
    """The other actors of the affiliations of `kinds` (None: any) in which the actor is
    on the member side (`forward`), the organization side (not `forward`) or either
    (None, and always for a symmetric kind)."""
    def cells(facts: ActorFacts) -> list[Entity | str]:
        found: list[Entity | str] = []
        for a in facts.affiliations:
            if (kinds is None or a.kind in kinds) and (
                    forward is None or a.forward == forward or a.kind in SYMMETRIC) \
                    and a.other not in found:
                found.append(a.other)
        return found
    return cells


def _designation_cells(pick: Callable[[Designation], list[str]], *,
                       entities: bool = False) -> Cells:
    def cells(facts: ActorFacts) -> list[Entity | str]:
        found: list[Entity | str] = []
        for designation in facts.designations:
            for value in ([designation.authority] if entities else pick(designation)):
                if value and value not in found:
                    found.append(value)
        return found
    return cells


@functools.cache
def affiliation_kinds() -> list[tuple[str, str, str]]:
    """(notation, label, comment) of each affiliation kind, from the ontology file."""
    ontology = Graph().parse(ontology_path(), format="turtle")
    kinds = []
    for kind in ontology.subjects(RDF.type, KG.AffiliationKind):
        kinds.append((str(ontology.value(kind, SKOS.notation)),
                      str(ontology.value(kind, RDFS.label)),
                      str(ontology.value(kind, RDFS.comment))))
    return sorted(kinds)


@functools.cache
def catalogue() -> dict[str, ReconProperty]:
    """Every property, by id, in the order the service lists them."""
    actor, state, person = str(KG.Actor), str(KG.State), str(KG.Person)
    props = [
        ReconProperty("type", "type", "The actor's classes in the kg ontology.", _types),
        ReconProperty("alias", "alias", "Other names of the actor (skos:altLabel).",
                      _values("alias")),
        ReconProperty("wikidata", "Wikidata item",
                      "The Wikidata item the actor is linked to (skos:exactMatch), as a QID "
                      "such as Q12345; as a condition, Q12345, wd:Q12345 or the item's URI.",
                      _values("wikidata"), condition=True),
        ReconProperty("nationality", "nationality",
                      "A state whose nationality a source gives the person (a kg state, or "
                      "the name as the source writes it).",
                      _values("nationality"), condition=True, entity_type=state,
                      domain=person),
        ReconProperty("birth_date", "birth date", "A date of birth a source gives.",
                      _values("birth_date"), domain=person),
        ReconProperty("affiliated_with", "affiliated with",
                      "Any actor it is affiliated with, in any relation and either direction "
                      "(member, leader, part, splinter, support, alliance).",
                      _affiliated(None, None), condition=True, entity_type=actor),
    ]
    for notation, label, comment in affiliation_kinds():
        props.append(ReconProperty(notation, label, comment,
                                   _affiliated(frozenset({notation}), True), entity_type=actor))
        if notation in INVERSES:
            pid, name = INVERSES[notation]
            props.append(ReconProperty(pid, name, f"The actors of which this one is the other "
                                       f"side of '{label}'.",
                                       _affiliated(frozenset({notation}), False),
                                       entity_type=actor))
    props += [
        ReconProperty("designated_by", "designated by",
                      "An authority that lists the actor as terrorist or under sanctions.",
                      _designation_cells(lambda d: [], entities=True), condition=True,
                      entity_type=actor),
        ReconProperty("designation", "designation",
                      "Each designation in one line: authority, programs, status and dates.",
                      _designation_cells(lambda d: [d.summary()])),
        ReconProperty("designation_program", "designation program",
                      "The programs the actor is listed under (SDGT, FTO ...).",
                      _designation_cells(lambda d: [p.strip() for p in d.programs.split(",")])),
        ReconProperty("designation_status", "designation status",
                      "Where each listing stands: designated, proposed or revoked.",
                      _designation_cells(lambda d: [d.status])),
    ]
    return {p.id: p for p in props}


def cell_json(value: Entity | str, ids: Ids) -> dict[str, Any]:
    """A value as data extension sends it: an entity as id and name, a full date as a
    date, anything else (a QID, a year, a name) as a string."""
    if isinstance(value, str):
        return {"str": value}
    if value.is_iri:
        if value.value.startswith(ids.base):
            return {"id": ids.entity_id(value.value), "name": value.label}
        wikidata = str(WD)
        return {"str": value.value[len(wikidata):] if value.value.startswith(wikidata)
                else value.value}
    if value.datatype == str(XSD.date) and _DATE.match(value.value):
        return {"date": f"{value.value}T00:00:00Z"}
    return {"str": value.value}


def property_json(prop: ReconProperty) -> dict[str, str]:
    return {"id": prop.id, "name": prop.name, "description": prop.description}


def suggest_properties(prefix: str) -> list[ReconProperty]:
    """Properties whose id or name has a word starting with `prefix` (all for none)."""
    wanted = prefix.strip().lower()
    return [p for p in catalogue().values()
            if not wanted or any(w.startswith(wanted) for w in
                                 re.split(r"[\s_]+", f"{p.id} {p.name}".lower()))
            or p.name.lower().startswith(wanted)]
