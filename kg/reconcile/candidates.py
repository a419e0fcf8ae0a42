"""Candidate Wikidata items for many actors at once: by name, then what each item is.

Three kinds of request, each for a batch of actors (VALUES), so that a thousand actors
cost a few dozen requests: the items whose English label or alias is a spelling of an
actor's name; what those items are (classes, country, description); and which of kg's
aligned classes their classes reach by subclass-of.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef

from kg.namespace import KG
from kg.reconcile.classes import class_types
from kg.reconcile.client import Term
from kg.reconcile.items import is_item
from kg.reconcile.person_names import person_forms
from kg.reconcile.sparql import render
from kg.reconcile.variants import name_variants

# A SELECT sent to the endpoint: query text -> rows (SparqlClient.select).
Select = Callable[[str], Iterable[Mapping[str, Term]]]

# Language tags Wikidata writes names in: English, and "mul" (names that are the same in
# every language written in Latin script).
LANGUAGES = ("en", "mul")
NAMES_PER_ACTOR = 12
NAMES_PER_REQUEST = 1200
ITEMS_PER_REQUEST = 400


@dataclass(frozen=True)
class ActorToLink:
    """What the reconciler knows of one of our actors."""

    iri: URIRef
    type: URIRef
    label: str
    aliases: tuple[str, ...] = ()
    context_states: frozenset[URIRef] = frozenset()  # Wikidata items of states around it
    documents: frozenset[str] = frozenset()  # the graphs that name it (empty: one document)
    tied_to: frozenset[URIRef] = frozenset()  # our actors it is affiliated with, either way
    context_ties: frozenset[URIRef] = frozenset()  # Wikidata items of those, once linked


@dataclass
class Candidate:
    item: URIRef
    names: dict[str, str] = field(default_factory=dict)  # name that matched -> label|alias
    label: str | None = None
    description: str | None = None
    classes: set[URIRef] = field(default_factory=set)
    countries: set[URIRef] = field(default_factory=set)
    ties: set[URIRef] = field(default_factory=set)  # P361, P463, P749, P807, P112 values
    types: set[URIRef] = field(default_factory=set)  # kg actor types its classes stand for

    @property
    def qid(self) -> str:
        return str(self.item).rsplit("/", 1)[-1]


def batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def own_names(actor: ActorToLink) -> list[str]:
    """The actor's label and aliases, and for a person the forms Wikidata may use
    ("Mike Pompeo" for "Michael R. Pompeo")."""
    names = [actor.label, *actor.aliases]
    if actor.type == KG.Person:
        names = list(dict.fromkeys(f for n in names for f in person_forms(n)))
    return names


def spellings(actor: ActorToLink) -> list[str]:
    """The names to look up for an actor: variants of its own names, label first."""
    found: list[str] = []
    for name in own_names(actor):
        for variant in name_variants(name):
            if variant not in found:
                found.append(variant)
    return found[:NAMES_PER_ACTOR]


def _value(binding: Mapping[str, Term], name: str) -> str | None:
    cell = binding.get(name)
    return None if cell is None else cell.value


# The looser search for actors that no spelling finds (kg.reconcile.search): for each
# actor, (item, the item's name that was found, "label" or "alias").
Found = dict[URIRef, list[tuple[URIRef, str, str]]]
Search = Callable[[Sequence[ActorToLink]], Found]


def find_candidates(select: Select, actors: Sequence[ActorToLink],
                    search: Search | None = None) -> dict[URIRef, list[Candidate]]:
    """Each actor's candidate items, with what the endpoint says of them: the items that
    hold one of its spellings, else (with `search`) the items a word search finds."""
    by_name: dict[str, set[URIRef]] = defaultdict(set)
    for actor in actors:
        for name in spellings(actor):
            by_name[name].add(actor.iri)
    names = sorted(by_name)
    found: dict[URIRef, dict[URIRef, Candidate]] = defaultdict(dict)
    items: dict[URIRef, list[Candidate]] = defaultdict(list)
    per_request = max(1, NAMES_PER_REQUEST // len(LANGUAGES))
    for batch in batches(names, per_request):
        rows = [[Literal(n, lang=lang)] for n in batch for lang in LANGUAGES]
        for binding in select(render("candidates", ["name"], rows)):
            matched, item, how = (_value(binding, v) for v in ("name", "item", "how"))
            if not (matched and item and is_item(item)):
                continue
            for iri in by_name.get(matched, ()):
                candidate = found[iri].get(URIRef(item))
                if candidate is None:
                    candidate = found[iri][URIRef(item)] = Candidate(URIRef(item))
                    items[URIRef(item)].append(candidate)
                if candidate.names.get(matched) != "label":
                    candidate.names[matched] = how or "alias"
    if search is not None:
        unfound = [a for a in actors if a.iri not in found]
        for iri, hits in search(unfound).items():
            for item, name, how in hits:
                candidate = found[iri].get(item)
                if candidate is None:
                    candidate = found[iri][item] = Candidate(item)
                    items[item].append(candidate)
                if candidate.names.get(name) != "label":
                    candidate.names[name] = how
    _describe(select, items)
    return {actor: list(cands.values()) for actor, cands in found.items()}


def _describe(select: Select, items: dict[URIRef, list[Candidate]]) -> None:
    """Fill in each candidate's label, description, classes, country and ties."""
    classes: set[URIRef] = set()
    for batch in batches(sorted(items), ITEMS_PER_REQUEST):
        for binding in select(render("details", ["item"], [[i] for i in batch])):
            item, prop, value = (_value(binding, v) for v in ("item", "property", "value"))
            if not (item and prop and value):
                continue
            for candidate in items.get(URIRef(item), ()):
                if prop == "label":
                    candidate.label = candidate.label or value
                elif prop == "description":
                    candidate.description = candidate.description or value
                elif prop == "P31":
                    candidate.classes.add(URIRef(value))
                    classes.add(URIRef(value))
                elif prop in ("P17", "P27"):
                    candidate.countries.add(URIRef(value))
                elif prop == "tie":
                    candidate.ties.add(URIRef(value))
    reaches = class_reach(select, classes)
    for candidates in items.values():
        for candidate in candidates:
            for cls in candidate.classes:
                candidate.types |= reaches.get(cls, set())


def class_reach(select: Select, classes: Iterable[URIRef]) -> dict[URIRef, set[URIRef]]:
    """The kg actor types each Wikidata class stands for, itself or through P279."""
    table = class_types()
    reach: dict[URIRef, set[URIRef]] = {c: {table[c]} for c in classes if c in table}
    unknown = sorted(c for c in classes if c not in table)
    targets = sorted(table)
    for batch in batches(unknown, max(1, ITEMS_PER_REQUEST // max(1, len(targets)))):
        rows = [[c, t] for c in batch for t in targets]
        for binding in select(render("class-ancestors", ["class", "target"], rows)):
            cls, target = _value(binding, "class"), _value(binding, "target")
            if cls and target and URIRef(target) in table:
                reach.setdefault(URIRef(cls), set()).add(table[URIRef(target)])
    return reach
