"""The most reported actors, a merged actor counted as one: the home page lists them
and VoID gives the first as its example resources, from this one ranking so that the
two agree.

An actor is ranked by the documents that mention it under any of its IRIs, then by its
mentions: a group that most articles spell one way and a few another is as reported as
one spelt alike everywhere. The ranking is made after folding (kg.publish.merges), not
per IRI then limited, so that an actor whose IRIs each fall below the cut still comes
in at its place.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.publish.assets import query_text

if TYPE_CHECKING:
    from kg.publish.merges import MergeCache, Merges
    from kg.store import KGStore

# How many actors the home page lists.
SHOWN = 50


@dataclass(frozen=True)
class ReportedActor:
    iri: str
    """The canonical IRI."""
    documents: int
    mentions: int


def top_actors(store: KGStore, merges: Merges, *, limit: int = SHOWN) -> list[ReportedActor]:
    """The `limit` actors mentioned in most documents, most first (ties: more mentions,
    then the IRI, so that the list is the same on every start)."""
    documents: dict[str, set[str]] = {}
    mentions: dict[str, int] = {}
    for row in store.select(query_text("actor-documents")):
        iri = merges.canonical_of(row["actor"].value)
        documents.setdefault(iri, set()).add(row["document"].value)
        mentions[iri] = mentions.get(iri, 0) + int(row["mentions"].value)
    ranked = sorted(documents, key=lambda iri: (-len(documents[iri]), -mentions[iri], iri))
    return [ReportedActor(iri, len(documents[iri]), mentions[iri]) for iri in ranked[:limit]]


class TopActors:
    """The ranking of a served store, made once for the home page and VoID both: on a
    million triples it takes seconds, and the store does not change while served."""

    def __init__(self, store: KGStore, merges: MergeCache) -> None:
        self.store = store
        self.merges = merges
        self._ranked: list[ReportedActor] | None = None
        self._lock = threading.Lock()

    def get(self) -> list[ReportedActor]:
        with self._lock:
            if self._ranked is None:
                self._ranked = top_actors(self.store, self.merges.get())
            return self._ranked
