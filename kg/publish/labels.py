"""Labels of the entities that pages and reconciliation answers name, looked up one at
a time and kept.

Looked up apart from the queries that find the entities: a much-reported actor's label
is stated in hundreds of documents' graphs, each of which Oxigraph's union of the graphs
gives once, so joined into those queries it multiplied their rows by as many. The label
shown is the first in code-point order (kg.publish.neighbours), so that a page and a
reconciliation answer name an actor alike, and alike after every rebuild.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.publish.neighbours import Neighbours

if TYPE_CHECKING:
    from kg.store import KGStore

# Entries kept before the cache starts afresh: bounds memory on a store of many actors.
_KEPT = 200_000


class Labels:
    """The labels of one store. It is read-only while served, so a label once looked up
    stays right."""

    def __init__(self, store: KGStore) -> None:
        self._read = Neighbours(store.db)
        self._known: dict[str, str | None] = {}

    def __call__(self, iri: str) -> str | None:
        if iri not in self._known:
            if len(self._known) > _KEPT:
                self._known.clear()
            label = self._known[iri] = self._read.label(iri)
            return label
        return self._known[iri]
