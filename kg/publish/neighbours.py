"""What a page reads of a node: its properties and the nodes that point to it, read from
the store's quad indexes, each triple once.

A page's reads are fixed patterns from nodes it already knows (the actor, then each of
its claims, then each claim's evidence), which is what a quad index answers directly.
Through SPARQL the same reads took eight queries a page, each with its parse and plan,
and each had to undo Oxigraph's union of the graphs, where a triple stated in k
documents' graphs comes k times, with LATERAL and DISTINCT subqueries. On the
million-triple bench KG, the median actor's page built in 3.2 ms that way and builds in
0.8 ms this way; here the k copies fall into a set. What this costs: pyoxigraph decodes
every copy (some 5 microseconds a quad), so a claim restated by 40 reports reads 255
quads, where a SPARQL DISTINCT decodes its 90 distinct triples only; the pages of the
few most reported actors build slower this way (and are made at start).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.namespace import RDFS

_LABEL = ox.NamedNode(str(RDFS.label))
# A node as callers name it: an IRI as text, or a term.
Node = str | ox.NamedNode | ox.BlankNode
# SPARQL's order of terms (ORDER BY): blank nodes, then IRIs, then literals.
_RANK = {ox.BlankNode: 0, ox.NamedNode: 1, ox.Literal: 2}


def term_order(term: Any) -> tuple[int, str]:
    """A key that sorts terms as SPARQL's ORDER BY does, but for literals, which it
    sorts by their text rather than by their typed values."""
    return _RANK.get(type(term), 3), str(term.value)


def node(term: Node) -> ox.NamedNode | ox.BlankNode:
    """An IRI given as text as a term; a term as it is."""
    return ox.NamedNode(term) if isinstance(term, str) else term


class Neighbours:
    """Reads of one store, which is read-only while served."""

    def __init__(self, db: ox.Store) -> None:
        self.db = db

    def properties(self, subject: Node) -> dict[str, list[Any]]:
        """Each predicate of `subject` (by IRI) with its distinct objects, in term order."""
        found: dict[str, set[Any]] = {}
        for quad in self.db.quads_for_pattern(node(subject), None, None, None):
            found.setdefault(quad.predicate.value, set()).add(quad.object)
        return {p: sorted(objects, key=term_order) for p, objects in found.items()}

    def objects(self, subject: Node, predicate: ox.NamedNode) -> list[Any]:
        """The distinct objects of one property of `subject`, in term order."""
        return sorted({quad.object for quad in
                       self.db.quads_for_pattern(node(subject), predicate, None, None)},
                      key=term_order)

    def subjects(self, predicate: ox.NamedNode, obj: Node) -> list[Any]:
        """The distinct subjects of `predicate` with object `obj`, in term order."""
        return sorted({quad.subject for quad in
                       self.db.quads_for_pattern(None, predicate, node(obj), None)},
                      key=term_order)

    def pointing(self, obj: Node, most: int) -> list[tuple[Any, Any]]:
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
        """The first of an entity's labels in code-point order (kg/publish/labels.py)."""
        return min((quad.object.value for quad in
                    self.db.quads_for_pattern(ox.NamedNode(iri), _LABEL, None, None)
                    if isinstance(quad.object, ox.Literal)), default=None)


def first(values: Iterable[Any]) -> Any:
    """The first of some terms in term order, or None."""
    return min(values, key=term_order, default=None)
