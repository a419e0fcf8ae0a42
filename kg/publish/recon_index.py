"""The reconciliation service's in-memory index of actors: names, types and relations.

A batch of reconciliation queries asks for the best few actors among all of them by a
fuzzy name, which SPARQL over the store cannot answer without reading every label for
every query. So the service reads the actors' names once (three queries, `recon-names`,
`recon-relations`, `recon-types`) and keys them by `kg.reconcile.variants.variant_keys`
(the same spelling folds the Wikidata linker uses), by the words of those keys for
partial names, and by folded word prefixes for suggest. The index is rebuilt when it is
older than its `max_age`, so a store that a build updates is seen without a restart.
"""

from __future__ import annotations

import bisect
import heapq
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.identity import normalize_name
from kg.publish.merges import Merges, read_merges
from kg.publish.recon_queries import select
from kg.reconcile.variants import variant_keys

if TYPE_CHECKING:
    from kg.store import KGStore

# How many actors sharing words with a query are scored in full, at most: bounds the
# work of a query made of common words ("Islamic", "Army") on a store of many actors.
CANDIDATE_POOL = 60

# A word more actors than this hold is "common": its holders are not walked one by one
# (see `ActorIndex.name_candidates`); up to `_MAX_COMMON_WORDS` of them in one query are
# combined by set operations (2^n - 1 combinations), more are walked after all.
_COMMON_WORD = 500
_MAX_COMMON_WORDS = 4

# Suggest reads at most this many index entries for one prefix before ranking them: a
# one-letter prefix must not rank the whole index.
_SUGGEST_SCAN = 2000


@dataclass
class Actor:
    iri: str
    labels: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """The name shown for the actor: its first label in code-point order (the label
        the named query actors-by-type shows), else its first alias."""
        return min(self.labels or self.aliases or [self.iri])

    @property
    def names(self) -> list[str]:
        return [*self.labels, *self.aliases]


@dataclass(frozen=True)
class ActorType:
    iri: str
    label: str
    comment: str
    broader: tuple[str, ...]


@dataclass(frozen=True)
class Value:
    """A value of an actor's relation: an IRI (a related actor, a Wikidata item) or a
    text (a nationality a list writes as it found it)."""

    text: str
    is_iri: bool


@dataclass
class ActorIndex:
    actors: dict[str, Actor]
    types: dict[str, ActorType]
    relations: dict[str, dict[str, set[Value]]]
    """actor IRI -> relation (recon-relations' ?relation) -> values."""
    merges: Merges = field(default_factory=Merges)
    """The merges folded into `actors`, kept so that an id a client holds from before a
    merge (or types in) is answered for its actor, and the actor's facts are read from
    every IRI of it, with the same reading of the identity graph as the index."""
    _by_key: dict[str, set[str]] = field(default_factory=dict)
    _by_word: dict[str, set[str]] = field(default_factory=dict)
    _by_value: dict[tuple[str, Value], set[str]] = field(default_factory=dict)
    _prefixes: list[tuple[str, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        by_key: dict[str, set[str]] = defaultdict(set)
        by_word: dict[str, set[str]] = defaultdict(set)
        prefixes: list[tuple[str, int, str]] = []
        for actor in self.actors.values():
            for rank, names in ((0, actor.labels), (1, actor.aliases)):
                for name in names:
                    for key in variant_keys(name):
                        by_key[key].add(actor.iri)
                        for word in key.split():
                            by_word[word].add(actor.iri)
                    folded = normalize_name(name)
                    words = folded.split()
                    for i in range(len(words)):
                        prefixes.append((" ".join(words[i:]), rank if i == 0 else 2, actor.iri))
        by_value: dict[tuple[str, Value], set[str]] = defaultdict(set)
        for iri, relations in self.relations.items():
            for relation, values in relations.items():
                for value in values:
                    by_value[relation, value].add(iri)
        self._by_key, self._by_word, self._by_value = dict(by_key), dict(by_word), dict(by_value)
        self._prefixes = sorted(prefixes)

    # -- types ------------------------------------------------------------------------

    def narrower(self, type_iri: str) -> set[str]:
        """A class and every class under it: asking for organizations finds armed
        groups and government bodies too."""
        found = {type_iri}
        changed = True
        while changed:
            changed = False
            for t in self.types.values():
                if t.iri not in found and found.intersection(t.broader):
                    found.add(t.iri)
                    changed = True
        return found & set(self.types) if type_iri in self.types else set()

    def type_label(self, type_iri: str) -> str:
        known = self.types.get(type_iri)
        return known.label if known else type_iri

    # -- names ------------------------------------------------------------------------

    def by_name(self, text: str) -> set[str]:
        """Actors with a name that is `text` up to spelling (shares a variant key)."""
        found: set[str] = set()
        for key in variant_keys(text):
            found |= self._by_key.get(key, set())
        return found

    def name_candidates(self, text: str, pool: int = CANDIDATE_POOL) -> list[str]:
        """Actors worth scoring against `text`: those that share a variant key with it,
        then the `pool` best of those sharing its words, weighted by rarity (idf),
        ties by IRI.

        A word most actors share ("brigades" in a store of brigades, "synthetic" in the
        benchmark's) would make every query walk and rank thousands of actors in
        Python. So only the rarer words' holders are walked; an actor reached by common
        words alone is weighed by which of them it holds, a few set operations per
        combination of common words, which ranks exactly as walking them would."""
        exact = self.by_name(text)
        words = sorted({w for key in variant_keys(text) for w in key.split()})
        total = max(len(self.actors), 1)
        held = [(math.log(1 + total / len(h)), h) for w in words if (h := self._by_word.get(w))]
        common = [(idf, h) for idf, h in held if len(h) > _COMMON_WORD]
        if len(common) > _MAX_COMMON_WORDS:
            common = []
        weight: dict[str, float] = defaultdict(float)
        for idf, holders in held:
            if len(holders) <= _COMMON_WORD or not common:
                for iri in holders - exact:
                    weight[iri] += idf
        for idf, holders in common:
            for iri in weight:
                if iri in holders:
                    weight[iri] += idf
        ranked = [(-w, iri) for iri, w in weight.items()]
        seen = exact | weight.keys()
        for subset in range(1, 1 << len(common)):
            inside = [common[i] for i in range(len(common)) if subset >> i & 1]
            outside = [common[i][1] for i in range(len(common)) if not subset >> i & 1]
            members = set.intersection(*(h for _, h in inside)).difference(seen, *outside)
            summed = sum(idf for idf, _ in inside)
            ranked.extend((-summed, iri) for iri in heapq.nsmallest(pool, members))
        return sorted(exact) + [iri for _, iri in heapq.nsmallest(pool, ranked)]

    def actor_iri(self, iri: str | None) -> str | None:
        """The IRI the index knows the actor `iri` names by: a merged IRI's canonical
        one, any other IRI as it is (None stays None)."""
        return self.merges.canonical_of(iri) if iri is not None else None

    def with_value(self, relation: str, value: Value) -> set[str]:
        """Actors that have `value` for `relation` (the reverse of `relations`)."""
        return self._by_value.get((relation, value), set())

    def suggest(self, prefix: str) -> list[str]:
        """Actors with a name, or a word of a name, that starts with `prefix` (folded):
        names that start with it first, labels before aliases, shorter names first."""
        folded = normalize_name(prefix)
        if not folded:
            return []
        start = bisect.bisect_left(self._prefixes, (folded, -1, ""))
        best: dict[str, tuple[int, int, str]] = {}
        for text, rank, iri in self._prefixes[start:start + _SUGGEST_SCAN]:
            if not text.startswith(folded):
                break
            key = (rank, len(text), text)
            if iri not in best or key < best[iri]:
                best[iri] = key
        return sorted(best, key=lambda iri: (best[iri], iri))


def _text(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else ""


def _fold_merges(actors: dict[str, Actor], relations: dict[str, dict[str, set[Value]]],
                 merges: Merges) -> None:
    """One entry per merged actor, at its canonical IRI: the other IRIs' names become its
    other names, their types and relations its own, and a relation to a merged IRI points
    to the canonical one. Without this a user reconciling a name would be offered the
    same actor twice, once under an IRI that the server redirects."""
    for other, canonical in merges.canonical.items():
        actor = actors.pop(other, None)
        if actor is not None:
            target = actors.setdefault(canonical, Actor(canonical))
            target.aliases.extend(actor.labels + actor.aliases)
            target.types |= actor.types
        for relation, values in relations.pop(other, {}).items():
            relations[canonical][relation] |= values
    for by_relation in relations.values():
        for relation, values in by_relation.items():
            by_relation[relation] = {Value(merges.canonical_of(v.text), True) if v.is_iri
                                     else v for v in values}


def load_index(store: KGStore, *, base: str | None = None) -> ActorIndex:
    """Read the actors, their relations and the ontology's actor classes from `store`;
    with the KG's `base`, merged actors (kg.publish.merges) are one entry each."""
    actors: dict[str, Actor] = {}
    for row in select(store, "names"):
        iri = _text(row["actor"])
        actor = actors.setdefault(iri, Actor(iri))
        actor.types.add(_text(row["type"]))
        name = " ".join(_text(row["name"]).split())
        target = actor.aliases if _text(row["alias"]) == "true" else actor.labels
        if name and name not in target:
            target.append(name)
    relations: dict[str, dict[str, set[Value]]] = defaultdict(lambda: defaultdict(set))
    for row in select(store, "relations"):
        value = row["value"]
        relations[_text(row["actor"])][_text(row["relation"])].add(
            Value(_text(value), isinstance(value, ox.NamedNode)))
    merges = read_merges(store, base) if base is not None else Merges()
    if merges.canonical:
        _fold_merges(actors, relations, merges)
    for actor in actors.values():
        actor.labels.sort()
        actor.aliases = sorted({a for a in actor.aliases if a not in actor.labels})
    broader: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, tuple[str, str]] = {}
    for row in select(store, "types"):
        iri = _text(row["type"])
        labels.setdefault(iri, (_text(row["label"]), _text(row["comment"])))
        if row["broader"] is not None:
            broader[iri].add(_text(row["broader"]))
    types = {iri: ActorType(iri, label, comment, tuple(sorted(broader[iri])))
             for iri, (label, comment) in labels.items()}
    return ActorIndex(actors, types, {k: dict(v) for k, v in relations.items()}, merges)


class IndexCache:
    """One index shared by the service's threads, rebuilt when older than `max_age`
    seconds (None: never). While one thread rebuilds, the others answer from the old
    index rather than wait."""

    def __init__(self, store: KGStore, max_age: float | None, *, base: str | None = None
                 ) -> None:
        self.store = store
        self.max_age = max_age
        self.base = base
        self._lock = threading.Lock()
        self._index: ActorIndex | None = None
        self._built = 0.0

    def _rebuild(self) -> ActorIndex:
        index = load_index(self.store, base=self.base)
        self._index, self._built = index, time.monotonic()
        return index

    def get(self) -> ActorIndex:
        index = self._index
        if index is None:
            with self._lock:
                return self._index if self._index is not None else self._rebuild()
        if self.max_age is not None and time.monotonic() - self._built > self.max_age \
                and self._lock.acquire(blocking=False):
            try:
                return self._rebuild()
            finally:
                self._lock.release()
        return index


def names_of(index: ActorIndex, values: Iterable[Value]) -> list[str]:
    """The names to compare a condition with: an actor value's names, a text as is."""
    names: list[str] = []
    for value in values:
        actor = index.actors.get(value.text) if value.is_iri else None
        names.extend(actor.names if actor else [value.text] if not value.is_iri else [])
    return names
