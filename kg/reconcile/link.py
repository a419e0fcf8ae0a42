"""Linking the actors of a graph to Wikidata items.

The link is skos:exactMatch, not owl:sameAs: owl:sameAs would make every statement about
one node true of the other, so a reasoner would give a Wikidata item our extracted
claims and their evidence, and a wrong link would spread. skos:exactMatch says the two
describe the same actor and leaves each graph its own statements.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.identity import ACTOR_TYPE_SEGMENTS
from kg.namespace import KG, RDF, RDFS, SKOS
from kg.reconcile.candidates import ActorToLink, Candidate, Search, Select, find_candidates
from kg.reconcile.client import SparqlClient
from kg.reconcile.scoring import Decision, decide


def actors_of(graph: Graph) -> list[ActorToLink]:
    """The actors a graph describes, with their label, aliases and the actors its
    affiliations tie them to."""
    pairs = ((graph.value(a, KG.member), graph.value(a, KG.organization))
             for a in graph.subjects(RDF.type, KG.Affiliation))
    ties = tie_map((m, o) for m, o in pairs
                   if isinstance(m, URIRef) and isinstance(o, URIRef))
    found = []
    for kind in ACTOR_TYPE_SEGMENTS:
        for iri in sorted(graph.subjects(RDF.type, kind), key=str):
            label = graph.value(iri, RDFS.label)
            if isinstance(iri, URIRef) and isinstance(label, Literal) and str(label).strip():
                aliases = tuple(sorted(str(a) for a in graph.objects(iri, SKOS.altLabel)
                                       if str(a).strip()))
                found.append(ActorToLink(iri, kind, str(label), aliases,
                                         tied_to=frozenset(ties.get(iri, set()) - {iri})))
    return found


def tie_map(pairs: Iterable[tuple[URIRef, URIRef]]) -> dict[URIRef, set[URIRef]]:
    """The actors each actor is tied to by (member, organization) pairs, either way."""
    ties: dict[URIRef, set[URIRef]] = defaultdict(set)
    for member, organization in pairs:
        ties[member].add(organization)
        ties[organization].add(member)
    return ties


def reconcile(select: Select, actors: Sequence[ActorToLink], search: Search | None = None
              ) -> list[Decision]:
    """A decision for each actor. Every actor is decided once on its names and type; the
    states so linked are then the context of the other actors named in the same documents
    (an Iraqi militia's country is Iraq), and the actors so linked that our affiliations
    tie an actor to are its ties (a unit of the PMF is part of the PMF's item). `search`
    looks for the actors that no spelling of their names finds (kg.reconcile.search)."""
    candidates = find_candidates(select, actors, search)
    first = {a.iri: decide(a, candidates.get(a.iri, [])) for a in actors}
    states = [(d.actor.documents, d.best.candidate.item) for d in first.values()
              if d.linked and d.best is not None and d.actor.type == KG.State]
    items = {d.actor.iri: d.best.candidate.item for d in first.values()
             if d.linked and d.best is not None}
    decisions = []
    for actor in actors:
        around = frozenset(item for documents, item in states
                           if not actor.documents or not documents
                           or actor.documents & documents)
        ties = frozenset(items[other] for other in actor.tied_to if other in items)
        if actor.type == KG.State or not (around or ties):
            decisions.append(first[actor.iri])
        else:
            with_context = replace(actor, context_states=around, context_ties=ties)
            found: list[Candidate] = candidates.get(actor.iri, [])
            decisions.append(decide(with_context, found))
    return decisions


def link_graph(graph: Graph, select: Select, search: Search | None = None) -> list[Decision]:
    """Add skos:exactMatch to the accepted item for each actor of `graph`, in place."""
    decisions = reconcile(select, actors_of(graph), search)
    for decision in decisions:
        if decision.linked and decision.best is not None:
            graph.add((decision.actor.iri, SKOS.exactMatch, decision.best.candidate.item))
    return decisions


def default_cache() -> Path:
    """Where answers are cached when no store is given: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg" / "wikidata-cache.sqlite"


def client_for(endpoint: str | None, *, cache: Path | None = None,
               offline: bool = False) -> SparqlClient:
    """The SPARQL client of a linking run: the endpoint (default: Wikidata's, or
    $KG_WIKIDATA_ENDPOINT), answers cached on disk so that a re-run sends nothing."""
    path = cache or default_cache()
    path.parent.mkdir(parents=True, exist_ok=True)
    return SparqlClient(endpoint, cache_path=path, offline=offline, method="POST")
