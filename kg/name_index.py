"""The name index: every label and alias the store holds, lower-cased, as `kg:nameKey`.

Analysts name actors as they spell them ("kata'ib hizballah", "PMF"), so the named
queries find an actor by any of its names, whatever the case. Compared in the query
(`FILTER(LCASE(STR(?alias)) = LCASE(STR(?name)))`), that lower-cases every label of the
KG on every call: 110 ms on a KG of a million triples before the query has started,
while a lookup of a stored key (`BIND(LCASE(STR(?name)) AS ?key) ?actor kg:nameKey ?key`)
takes under 10 ms on the same KG. The keys are data in their own graph, replaced after
every change to the store's names, so that they travel with the KG: a dump, `kg serve`'s
endpoint and a server `kg push` filled answer the named queries as the embedded store
does. A view of what the KG knew on a day (`kg query --as-of`) makes its own keys from
the names known then.

The key is the name's lexical form lower-cased as SPARQL's LCASE does (Unicode's
default case mapping; Python's str.lower is the same), and nothing more: the queries'
answers are those of the comparison they replace.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from kg.identity import kg_graph
from kg.namespace import KG, RDFS, SKOS
from kg.store import KGStore

_NAME_PROPERTIES = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.altLabel)))
_NAME_KEY = ox.NamedNode(str(KG.nameKey))


def graph_name(base: str) -> URIRef:
    return kg_graph(base, "names")


def name_key(name: str) -> str:
    return name.lower()


def key_triples(quads: Iterable[ox.Quad]) -> Iterator[tuple[ox.NamedNode, ox.Literal]]:
    """(subject, key) for each IRI's label or alias among `quads`, each pair once."""
    seen: set[tuple[ox.NamedNode, str]] = set()
    for quad in quads:
        if quad.predicate not in _NAME_PROPERTIES or not isinstance(quad.subject, ox.NamedNode):
            continue
        if not isinstance(quad.object, ox.Literal):
            continue
        pair = (quad.subject, name_key(quad.object.value))
        if pair not in seen:
            seen.add(pair)
            yield quad.subject, ox.Literal(pair[1])


def with_name_keys(quads: Iterable[ox.Quad], graph: str) -> Iterator[ox.Quad]:
    """The quads, then the name keys of their labels and aliases in the graph `graph`:
    one pass over a stream of quads that is read once (a view's bulk load)."""
    names: list[ox.Quad] = []

    def kept() -> Iterator[ox.Quad]:
        for quad in quads:
            if quad.predicate in _NAME_PROPERTIES:
                names.append(quad)
            yield quad

    yield from kept()
    index = ox.NamedNode(graph)
    for subject, key in key_triples(names):
        yield ox.Quad(subject, _NAME_KEY, key, index)


def index_names(store: KGStore, base: str) -> int:
    """Replace the store's name index with the keys of the names its other graphs hold
    now; how many keys."""
    db = store.db
    index = graph_name(base)
    own = ox.NamedNode(str(index))
    graph = Graph()
    for subject, key in key_triples(
            q for p in _NAME_PROPERTIES for q in db.quads_for_pattern(None, p, None, None)
            if q.graph_name != own):
        graph.add((URIRef(subject.value), KG.nameKey, Literal(key.value)))
    store.replace_document(index, graph)
    return len(graph)
