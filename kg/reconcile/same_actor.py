"""One actor across documents: which actor IRIs are one actor, and which IRI stands for it.

Actor IRIs are minted from names (kg.identity), so a militia that one article calls
"Asa'ib Ahl al-Haq (AAH)" and another only "AAH", or that an extractor types as an armed
group and a list as an organization, gets two IRIs. Two kinds of evidence join them:

- both are linked to the same Wikidata item (the reconciliation graph, reviews applied);
- one is named, in full, by a name the other was given: its label is a spelling
  (kg.reconcile.variants.variant_keys) of the other's label or of one of its aliases.

What must stay apart is what shares only a word: "Kata'ib Hezbollah", "Hezbollah" and
"Turkish Hizbullah"; Bashar and Hafez al-Assad; Qais and Laith al-Khazali. So names are
compared whole, never word by word; an alias that is only part of its actor's name (a
surname, "Hezbollah" for "Kata'ib Hezbollah") never joins two actors, since a text uses it
for whichever actor it has just named; a name that two actors were both given joins
neither; actors linked to different items never join, whatever their names; and a person,
a state and a group never join each other.

The result is not a rewrite of the documents' graphs, which stay as extracted: each IRI
folded into another gets `owl:sameAs` its canonical IRI in an identity graph of its own,
with the reasons, replaced on every build and reconciliation. Readers (the query view,
the server) fold on that one step.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from kg.identity import (
    ACTOR_TYPE_SEGMENTS,
    GROUP_TYPES,
    kg_graph,
    node_iri,
    normalize_name,
)
from kg.namespace import KG, OWL, PROV, RDF, RDFS
from kg.reconcile.variants import name_words, variant_keys
from kg.values import datetime_literal


@dataclass(frozen=True)
class StoredActor:
    """An actor IRI as the store states it, over all the graphs that name it."""

    iri: URIRef
    type: URIRef
    label: str
    aliases: tuple[str, ...] = ()
    graphs: frozenset[str] = frozenset()  # the documents and lists that state it


@dataclass(frozen=True)
class SameActor:
    merged: URIRef
    canonical: URIRef
    why: str


@dataclass
class Identity:
    """The IRIs folded into others, and the merges refused, in words, for the log."""

    same: list[SameActor] = field(default_factory=list)
    kept_apart: list[str] = field(default_factory=list)

    def canonical(self) -> dict[URIRef, URIRef]:
        return {s.merged: s.canonical for s in self.same}


def family(actor_type: URIRef) -> str:
    """The kinds of actor that may be one actor: an extractor and a list may type one group
    differently (armed group, organization, government body), never a person as a group."""
    return "group" if actor_type in GROUP_TYPES else str(actor_type)


def _partial(alias: str, label: str) -> bool:
    """Whether an alias is only part of its actor's own name (a surname, a short form)."""
    words, whole = set(name_words(alias)), set(name_words(label))
    return bool(words) and words < whole


class _Clusters:
    """Union-find over actor IRIs that refuses to join two sets linked to different items,
    and, on an alias, two sets that one document or list states side by side: a list's
    entries are distinct entries, and an article's extractor, which folds "X (Y)" into
    one actor, has read the two names in context and kept them apart. (It does not fold
    spellings: "Hizballah" and "Hezbollah" in one article can still be one actor.)"""

    def __init__(self, actors: Sequence[StoredActor], items: Mapping[URIRef, URIRef]) -> None:
        self.parent = {a.iri: a.iri for a in actors}
        self.items = {a.iri: {items[a.iri]} if a.iri in items else set() for a in actors}
        self.graphs = {a.iri: set(a.graphs) for a in actors}
        self.reasons: dict[URIRef, str] = {}

    def find(self, iri: URIRef) -> URIRef:
        root = iri
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[iri] != root:
            self.parent[iri], iri = root, self.parent[iri]
        return root

    def join(self, a: URIRef, b: URIRef, why: str, *, by_alias: bool) -> str | None:
        """Join the sets of `a` and `b`; if refused, why."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if len(self.items[ra] | self.items[rb]) > 1:
            return "they are linked to different Wikidata items"
        if by_alias and self.graphs[ra] & self.graphs[rb]:
            return "a document states both"
        self.parent[rb] = ra
        self.items[ra] |= self.items.pop(rb)
        self.graphs[ra] |= self.graphs.pop(rb)
        for iri in (a, b):
            self.reasons.setdefault(iri, why)
        return None


def _qid(item: URIRef) -> str:
    return str(item).rsplit("/", 1)[-1]


def _name_owners(actors: Iterable[StoredActor]
                 ) -> dict[tuple[str, str], dict[URIRef, tuple[bool, str]]]:
    """For each (family, name key): the actors named so, and whether as their own label
    (True) or as an alias only (False), with the name as written."""
    owners: dict[tuple[str, str], dict[URIRef, tuple[bool, str]]] = defaultdict(dict)
    for actor in actors:
        kind = family(actor.type)
        for key in variant_keys(actor.label):
            owners[(kind, key)][actor.iri] = (True, actor.label)
        for alias in actor.aliases:
            if _partial(alias, actor.label):
                continue
            for key in variant_keys(alias):
                owners[(kind, key)].setdefault(actor.iri, (False, alias))
    return owners


def _canonical(members: Sequence[StoredActor]) -> StoredActor:
    """The IRI that stands for a set of IRIs of one actor: not one named by another's
    alias ("AAH" yields to "Asa'ib Ahl al-Haq"), then the one most graphs state, then the
    longer name, then the IRI (so that the choice is the same on every run)."""
    def is_short(actor: StoredActor) -> bool:
        keys = variant_keys(actor.label)
        return any(keys & variant_keys(alias)
                   for other in members if other.iri != actor.iri for alias in other.aliases)
    return min(members,
               key=lambda a: (is_short(a), -len(a.graphs), -len(a.label), str(a.iri)))


def _kind(actor_type: URIRef) -> str:
    return ACTOR_TYPE_SEGMENTS[actor_type].replace("-", " ")


def _why_same_name(a: StoredActor, a_named: tuple[bool, str],
                   b: StoredActor, b_named: tuple[bool, str]) -> str:
    if a_named[0] and b_named[0]:
        if normalize_name(a.label) == normalize_name(b.label):
            return (f"{a.label!r} is typed {_kind(a.type)} in some documents and "
                    f"{_kind(b.type)} in others")
        return f"{a.label!r} and {b.label!r} are spellings of one name"
    full, other, alias = (b, a, b_named[1]) if a_named[0] else (a, b, a_named[1])
    return f"{full.label!r} is also called {alias!r}, the name of {other.label!r}"


def same_actors(actors: Sequence[StoredActor], items: Mapping[URIRef, URIRef]) -> Identity:
    """Which of `actors` are one actor; `items` maps an actor IRI to its Wikidata item."""
    by_iri = {a.iri: a for a in actors}
    clusters = _Clusters(actors, items)
    result = Identity()
    linked: dict[tuple[str, URIRef], list[URIRef]] = defaultdict(list)
    for actor in actors:
        if actor.iri in items:
            linked[(family(actor.type), items[actor.iri])].append(actor.iri)
    for (_, item), iris in sorted(linked.items(), key=lambda kv: str(kv[0])):
        for other in iris[1:]:
            clusters.join(iris[0], other, f"both linked to Wikidata's {_qid(item)}",
                          by_alias=False)
    for (_, key), named in sorted(_name_owners(actors).items()):
        if len(named) < 2:
            continue
        full = {clusters.find(iri) for iri, (own, _) in named.items() if not own}
        iris = sorted(named, key=str)
        if len(full) > 1:
            result.kept_apart.append(
                f"the name {key!r} is given to {len(full)} actors: "
                + ", ".join(by_iri[i].label for i in iris) + "; none joined by it")
            continue
        first = iris[0]
        for other in iris[1:]:
            why = _why_same_name(by_iri[first], named[first], by_iri[other], named[other])
            refused = clusters.join(first, other, why,
                                    by_alias=not (named[first][0] and named[other][0]))
            if refused:
                result.kept_apart.append(f"{why}, but {refused}: kept apart")
    members: dict[URIRef, list[StoredActor]] = defaultdict(list)
    for actor in actors:
        members[clusters.find(actor.iri)].append(actor)
    for group in members.values():
        if len(group) < 2:
            continue
        canonical = _canonical(group)
        for actor in sorted(group, key=lambda a: str(a.iri)):
            if actor.iri != canonical.iri:
                result.same.append(SameActor(actor.iri, canonical.iri,
                                             clusters.reasons[actor.iri]))
    result.same.sort(key=lambda s: (str(s.canonical), str(s.merged)))
    return result


def graph_name(base: str) -> URIRef:
    return kg_graph(base, "identity")


def identity_graph(identity: Identity, actors: Mapping[URIRef, StoredActor],
                   when: dt.datetime, base: str) -> Graph:
    """The identity graph: `merged owl:sameAs canonical`, and a decision node with why."""
    graph = Graph()
    for same in identity.same:
        node = node_iri("same-actor", same.merged, base=base)
        graph.add((node, RDF.type, KG.SameActorDecision))
        graph.add((node, KG.mergedActor, same.merged))
        graph.add((node, KG.canonicalActor, same.canonical))
        graph.add((node, KG.explanation, Literal(same.why)))
        graph.add((node, PROV.generatedAtTime, datetime_literal(when)))
        graph.add((same.merged, OWL.sameAs, same.canonical))
        for iri in (same.merged, same.canonical):  # for the graph to stand alone
            graph.add((iri, RDF.type, actors[iri].type))
            graph.add((iri, RDFS.label, Literal(actors[iri].label, lang="en")))
    return graph
