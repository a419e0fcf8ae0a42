"""Merged actors: IRIs that the identity stage decided name the same actor.

The identity stage keeps its decisions in one named graph, `{base}graph/identity`, with
one `<other> owl:sameAs <canonical>` triple per merged IRI. The documents keep the IRIs
they minted (their graphs are replaced whole on a rebuild, and a decision can be undone),
so the server does the merging when it reads: a non-canonical IRI answers 303 to the
canonical actor's documents, and the canonical actor's page and documents gather what is
said about every IRI of the actor.

The graph is read once, on the first request that needs it, as the server's other caches
are: the store is read-only while served. Without the graph, every IRI is its own actor
and the server behaves as it did before there were merges.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespace import OWL
from kg.reconcile.same_actor import graph_name
from kg.store import KGStore

_SAME_AS = ox.NamedNode(str(OWL.sameAs))


@dataclass(frozen=True)
class Merges:
    """Which IRI stands for which: `canonical` maps each merged IRI to its actor's
    canonical IRI, `others` each canonical IRI to its merged IRIs (sorted)."""

    canonical: dict[str, str] = field(default_factory=dict)
    others: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def canonical_of(self, iri: str) -> str:
        return self.canonical.get(iri, iri)

    def cluster(self, iri: str) -> list[str]:
        """Every IRI of the actor `iri` names, its canonical IRI first."""
        canonical = self.canonical_of(iri)
        return [canonical, *self.others.get(canonical, ())]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, str]]) -> Merges:
        """From (other, canonical) pairs. A chain (a sameAs b, b sameAs c) ends at its
        last IRI, and a cycle, which the identity stage should not write, at its smallest
        IRI, so that every IRI has exactly one canonical IRI whatever the graph holds."""
        target = {other: canonical for other, canonical in pairs if other != canonical}
        resolved: dict[str, str] = {}
        for start in target:
            seen = [start]
            node = target[start]
            while node in target and node not in seen:
                seen.append(node)
                node = target[node]
            if node in seen:  # a cycle: its smallest IRI stands for it
                node = min(seen[seen.index(node):])
            for iri in seen:
                if iri != node:
                    resolved[iri] = node
        others: dict[str, list[str]] = {}
        for other, canonical in resolved.items():
            others.setdefault(canonical, []).append(other)
        return cls(resolved, {c: tuple(sorted(o)) for c, o in others.items()})


class MergeCache:
    """The merges of one store, read from its identity graph on first use."""

    def __init__(self, store: KGStore, base: str) -> None:
        self.store = store
        self.base = base
        self._merges: Merges | None = None
        self._lock = threading.Lock()

    def get(self) -> Merges:
        merges = self._merges
        if merges is None:
            with self._lock:
                if self._merges is None:
                    self._merges = self._load()
                merges = self._merges
        return merges

    def _load(self) -> Merges:
        return read_merges(self.store, self.base)


def read_merges(store: KGStore, base: str) -> Merges:
    """The merges the store's identity graph states. The KG's own IRIs only: a link to
    an IRI outside the base (Wikidata's, say) says nothing about which of the KG's IRIs
    describes an actor."""
    graph = ox.NamedNode(str(graph_name(base)))
    pairs = [(q.subject.value, q.object.value)
             for q in store.db.quads_for_pattern(None, _SAME_AS, None, graph)
             if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
             and q.subject.value.startswith(base) and q.object.value.startswith(base)]
    return Merges.from_pairs(pairs)
