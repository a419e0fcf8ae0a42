"""What a page reads of a node: its properties and the nodes that point to it, read from
the store's quad indexes, each triple once.

A page's reads are fixed patterns from nodes it already knows (the actor, then each of
its claims, then each claim's evidence), which is what a quad index answers directly:
about 5 microseconds a lookup on the million-triple bench KG. Through SPARQL the same
reads took eight queries a page, each with its parse and plan, and each had to undo
Oxigraph's union of the graphs, where a triple stated in k documents' graphs comes k
times (LATERAL and DISTINCT subqueries, see queries/README.md): 2.6 ms for the median
actor's page, against under 0.5 ms this way. Here the k copies fall into a set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.namespace import RDFS

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_LABEL = ox.NamedNode(str(RDFS.label))
# SPARQL's order of terms (ORDER BY): blank nodes, then IRIs, then literals.
_RANK = {ox.BlankNode: 0, ox.NamedNode: 1, ox.Literal: 2}


def term_order(term: Any) -> tuple[int, str]:
    """A key that sorts terms as SPARQL's ORDER BY does, but for literals, which it
    sorts by their text rather than by their typed values."""
    return _RANK.get(type(term), 3), str(term.value)


def node(iri: str | ox.NamedNode) -> ox.NamedNode:
    return iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(iri)


class Neighbours:
    """Reads of one store, which is read-only while served."""

    def __init__(self, db: ox.Store) -> None:
        self.db = db

    def properties(self, subject: str | ox.NamedNode) -> dict[str, list[Any]]:
        """Each predicate of `subject` (by IRI) with its distinct objects, in term order."""
        found: dict[str, set[Any]] = {}
        for quad in self.db.quads_for_pattern(node(subject), None, None, None):
            found.setdefault(quad.predicate.value, set()).add(quad.object)
        return {p: sorted(objects, key=term_order) for p, objects in found.items()}

    def objects(self, subject: str | ox.NamedNode, predicate: ox.NamedNode) -> list[Any]:
        """The distinct objects of one property of `subject`, in term order."""
        return sorted({quad.object for quad in
                       self.db.quads_for_pattern(node(subject), predicate, None, None)},
                      key=term_order)

    def subjects(self, predicate: ox.NamedNode, obj: str | ox.NamedNode) -> list[Any]:
        """The distinct subjects of `predicate` with object `obj`, in term order."""
        return sorted({quad.subject for quad in
                       self.db.quads_for_pattern(None, predicate, node(obj), None)},
                      key=term_order)

    def pointing(self, obj: str | ox.NamedNode, most: int) -> list[tuple[Any, Any]]:
        """Up to `most` distinct (subject, predicate) pairs that name `obj`: a document
        cited by thousands of pieces of evidence lists the first few (the SPARQL endpoint
        has them all)."""
        pairs: set[tuple[Any, Any]] = set()
        for quad in self.db.quads_for_pattern(None, None, node(obj), None):
            pairs.add((quad.subject, quad.predicate))
            if len(pairs) >= most:
                break
        return sorted(pairs, key=lambda pair: (term_order(pair[1]), term_order(pair[0])))

    def label(self, iri: str) -> str | None:
        """The first of an entity's labels in code-point order, so that every page and
        reconciliation answer names it alike, and alike after every rebuild."""
        return min((quad.object.value for quad in
                    self.db.quads_for_pattern(ox.NamedNode(iri), _LABEL, None, None)
                    if isinstance(quad.object, ox.Literal)), default=None)


def first(values: Iterable[Any]) -> Any:
    """The first of some terms in term order, or None."""
    return min(values, key=term_order, default=None)
