"""`kg reconcile`: link every actor of the store, and keep each decision with its reasons.

The decisions go into one named graph of their own, replaced on each run, so that a
rebuild of the documents never mixes old links into new extractions and a re-run over
the cached answers gives the same graph.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.identity import ACTOR_TYPE_SEGMENTS, kg_graph, node_iri
from kg.name_index import index_names
from kg.namespace import KG, PROV, RDF, RDFS, SKOS, XSD
from kg.reconcile.candidates import ActorToLink, Search, Select
from kg.reconcile.enrich import Enrichment, enrich
from kg.reconcile.enrich import graph_name as enrichment_graph_name
from kg.reconcile.link import reconcile, tie_map
from kg.reconcile.reviews import (
    ReadReviews,
    Review,
    apply_reviews,
    merge,
    read_reviews,
    reviews_graph,
    reviews_of,
)
from kg.reconcile.reviews import graph_name as reviews_graph_name
from kg.reconcile.same_actor import Identity, StoredActor, identity_graph, same_actors
from kg.reconcile.same_actor import graph_name as identity_graph_name
from kg.reconcile.scoring import ACCEPTED, REVIEWED, Decision
from kg.resources import queries_dir
from kg.store import KGStore
from kg.validate import split_valid
from kg.values import datetime_literal, decimal_literal


def graph_name(base: str) -> URIRef:
    return kg_graph(base, "reconciliation")


def stored_actors(store: KGStore, base: str) -> list[StoredActor]:
    """Every actor the documents and lists of the store state (kg's own graphs left out),
    each with its first type and label, all its aliases and the graphs that state it."""
    query = _store_query("actor-names")
    labels: dict[URIRef, str] = {}
    kinds: dict[URIRef, URIRef] = {}
    aliases: dict[URIRef, set[str]] = defaultdict(set)
    graphs: dict[URIRef, set[str]] = defaultdict(set)
    for row in store.select(query, {"prefix": Literal(f"{base}graph/")}, union=False):
        kind = URIRef(row["type"].value)
        if kind not in ACTOR_TYPE_SEGMENTS:
            continue
        actor = URIRef(row["actor"].value)
        kinds.setdefault(actor, kind)
        labels.setdefault(actor, row["label"].value)
        graphs[actor].add(row["g"].value)
        if row["alias"] is not None:
            aliases[actor].add(row["alias"].value)
    return [StoredActor(a, kinds[a], labels[a], tuple(sorted(aliases[a] - {labels[a]})),
                        frozenset(graphs[a]))
            for a in sorted(labels)]


def _store_query(name: str) -> str:
    return (queries_dir() / "store" / f"{name}.rq").read_text(encoding="utf-8")


def store_actors(store: KGStore, base: str) -> list[ActorToLink]:
    """Every actor the store's documents and lists state, as the reconciler sees it: with
    the documents that name it and the actors its affiliations tie it to."""
    rows = store.select(_store_query("actor-ties"), {"prefix": Literal(f"{base}graph/")},
                        union=False)
    ties = tie_map((URIRef(r["member"].value), URIRef(r["organization"].value)) for r in rows)
    return [ActorToLink(a.iri, a.type, a.label, a.aliases, documents=a.graphs,
                        tied_to=frozenset(ties.get(a.iri, set()) - {a.iri}))
            for a in stored_actors(store, base)]


def merge_store(store: KGStore, base: str, when: dt.datetime) -> Identity:
    """Decide which actor IRIs are one actor (by their names and by the Wikidata links
    stored now) and replace the identity graph with the decisions."""
    actors = stored_actors(store, base)
    links = store.document_graph(str(graph_name(base)))
    items = {s: o for s, o in links.subject_objects(SKOS.exactMatch)
             if isinstance(s, URIRef) and isinstance(o, URIRef)}
    identity = same_actors(actors, items)
    split = split_valid(identity_graph(identity, {a.iri: a for a in actors}, when, base))
    if len(split.quarantined):  # a bug, not bad input: the decisions are kg's own
        raise AssertionError(f"the identity decisions do not conform:\n{split.report}")
    store.replace_document(identity_graph_name(base), split.valid)
    return identity


@dataclass
class ReconcileResult:
    decisions: list[Decision]
    quarantined: int
    enrichment: Enrichment
    identity: Identity

    def count(self, outcome: str) -> int:
        return sum(1 for d in self.decisions if d.decision == outcome)


def decisions_graph(decisions: Sequence[Decision], endpoint: str, when: dt.datetime,
                    base: str) -> Graph:
    graph = Graph()
    for decision in decisions:
        actor = decision.actor
        node = node_iri("link-decision", actor.iri, base=base)
        graph.add((node, RDF.type, KG.LinkDecision))
        graph.add((node, KG.decisionFor, actor.iri))
        graph.add((actor.iri, RDF.type, actor.type))  # for the graph to stand alone
        graph.add((actor.iri, RDFS.label, Literal(actor.label, lang="en")))
        graph.add((node, KG.outcome, Literal(decision.decision)))
        graph.add((node, KG.endpoint, Literal(endpoint, datatype=XSD.anyURI)))
        graph.add((node, PROV.generatedAtTime, datetime_literal(when)))
        best = decision.best
        if best is None:
            graph.add((node, KG.score, decimal_literal(0.0)))
            graph.add((node, KG.explanation, Literal("no candidate has one of its names")))
            continue
        graph.add((node, KG.candidate, best.candidate.item))
        graph.add((node, KG.score, decimal_literal(best.score)))
        for feature, prop in (("name", KG.nameScore), ("type", KG.typeScore),
                              ("context", KG.contextScore)):
            graph.add((node, prop, decimal_literal(best.features[feature])))
        graph.add((node, KG.explanation, Literal(best.why)))
        if decision.decision == ACCEPTED:
            graph.add((actor.iri, SKOS.exactMatch, best.candidate.item))
    return graph


def reconcile_store(store: KGStore, select: Select, endpoint: str, *, base: str,
                    when: dt.datetime, search: Search | None = None) -> ReconcileResult:
    """Link the store's actors; replace the reconciliation graph with the decisions."""
    # All at once: the states linked anywhere are the context of every other actor, and
    # the requests are batched inside (many actors per request) all the same.
    decisions = reconcile(select, store_actors(store, base), search)
    graph = decisions_graph(decisions, endpoint, when, base)
    apply_reviews(graph, stored_reviews(store, base))
    split = split_valid(graph)
    linked = [o for o in split.valid.objects(None, SKOS.exactMatch) if isinstance(o, URIRef)]
    # Fetched before anything is written: an endpoint that fails here changes nothing.
    enrichment = enrich(select, linked, endpoint=endpoint, when=when, base=base)
    store.replace_document(graph_name(base), split.valid)
    store.replace_document(enrichment_graph_name(base), enrichment.graph)
    index_names(store, base)  # Wikidata's labels and aliases are names to find actors by
    identity = merge_store(store, base, when)  # the new links may join actors, or part them
    return ReconcileResult(decisions, len(split.quarantined), enrichment, identity)


def stored_reviews(store: KGStore, base: str) -> list[Review]:
    return reviews_of(store.document_graph(str(reviews_graph_name(base))))


def apply_review_file(store: KGStore, path: Path, *, base: str, when: dt.datetime
                      ) -> ReadReviews:
    """Keep a person's decisions from a review file (over earlier ones for the same actors)
    and put them over the current links at once, with no request to any endpoint."""
    actors = {a.iri: a for a in store_actors(store, base)}
    read = read_reviews(path, actors)
    kept = merge(stored_reviews(store, base), read.reviews)
    links = store.document_graph(str(graph_name(base)))
    apply_reviews(links, read.reviews)
    splits = {reviews_graph_name(base): split_valid(reviews_graph(kept, actors, when, base)),
              graph_name(base): split_valid(links)}
    for name, split in splits.items():
        if len(split.quarantined):  # a bug, not bad input: every row was checked
            raise AssertionError(f"{name}: the decisions do not conform:\n{split.report}")
    for name, split in splits.items():
        store.replace_document(name, split.valid)
    return read


def write_review(decisions: Sequence[Decision], path: Path) -> int:
    """The decisions a person should look at, with up to three candidates each, as CSV
    (decision column left for them: accept, reject, or another QID)."""
    rows = [d for d in decisions if d.decision == REVIEWED]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["actor", "label", "type", "score", "candidate", "why",
                         "other candidates", "decision"])
        for d in rows:
            best = d.best
            others = "; ".join(f"{s.candidate.qid} {s.score:.2f}" for s in d.ranked[1:3])
            writer.writerow([str(d.actor.iri), d.actor.label,
                             str(d.actor.type).rsplit("#", 1)[-1],
                             f"{best.score:.3f}" if best else "",
                             best.candidate.qid if best else "", best.why if best else "",
                             others, ""])
    return len(rows)
