"""A person's link decisions: read from a review file, kept apart, applied over the
reconciler's.

The reconciliation graph is recomputed on every `kg reconcile`, so a person's word
cannot live there: it would be lost on the next run. It lives in a graph of its own
(`{base}graph/reviews`) that neither `kg build` nor `kg reconcile` replaces, and every
reconciliation applies it over its own decisions. A later decision for the same actor
replaces an earlier one.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.errors import InputError
from kg.identity import kg_graph, node_iri
from kg.namespace import KG, PROV, RDF, RDFS, SKOS
from kg.reconcile.candidates import ActorToLink
from kg.reconcile.items import parse_item
from kg.values import datetime_literal

ACCEPT, REJECT = "accept", "reject"
REQUIRED_COLUMNS = ("actor", "decision")


@dataclass(frozen=True)
class Review:
    actor: URIRef
    outcome: str  # ACCEPT or REJECT
    item: URIRef | None  # the accepted item
    source: str  # "review.csv, row 3"


@dataclass
class ReadReviews:
    reviews: list[Review] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "row 4: ..." for each bad row
    undecided: int = 0  # rows whose decision column is blank


def graph_name(base: str) -> URIRef:
    return kg_graph(base, "reviews")


def read_reviews(path: Path, actors: Iterable[URIRef]) -> ReadReviews:
    """The decisions of a review file (the CSV `kg reconcile --review` writes, with its
    `decision` column filled in: accept, reject, or a QID). Rows that cannot be applied
    are reported with their row number, never guessed at."""
    known = set(actors)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise InputError(path, f"not a UTF-8 CSV file ({exc})") from None
    rows = csv.DictReader(text.splitlines())
    missing = [c for c in REQUIRED_COLUMNS if c not in (rows.fieldnames or ())]
    if missing:
        raise InputError(path, f"no column {', '.join(missing)}; a review file has the "
                         "columns of `kg reconcile --review`: actor, ..., candidate, decision")
    read = ReadReviews()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        where = f"row {number}"
        decision = (row.get("decision") or "").strip()
        actor = (row.get("actor") or "").strip()
        if not decision:
            read.undecided += 1
            continue
        if URIRef(actor) not in known:
            read.problems.append(f"{where}: {actor!r} is no actor of the store")
            continue
        source = f"{path.name}, {where}"
        if decision.lower() == REJECT:
            read.reviews.append(Review(URIRef(actor), REJECT, None, source))
        elif decision.lower() == ACCEPT:
            item = parse_item(row.get("candidate") or "")
            if item is None:
                read.problems.append(f"{where}: 'accept' but the candidate column holds no "
                                     "QID; write the QID in the decision column instead")
            else:
                read.reviews.append(Review(URIRef(actor), ACCEPT, item, source))
        elif (item := parse_item(decision)) is not None:
            read.reviews.append(Review(URIRef(actor), ACCEPT, item, source))
        else:
            read.problems.append(f"{where}: decision {decision!r} is not accept, reject or "
                                 "a QID (Q followed by digits)")
    return read


def merge(older: Sequence[Review], newer: Sequence[Review]) -> list[Review]:
    """One decision per actor: the newer file's wins."""
    by_actor = {r.actor: r for r in older}
    by_actor.update({r.actor: r for r in newer})
    return [by_actor[a] for a in sorted(by_actor)]


def reviews_graph(reviews: Sequence[Review], actors: Mapping[URIRef, ActorToLink],
                  when: dt.datetime, base: str) -> Graph:
    """The decisions as a graph that stands alone (each actor with its type and label)."""
    graph = Graph()
    for review in reviews:
        node = node_iri("review-decision", review.actor, base=base)
        graph.add((node, RDF.type, KG.ReviewDecision))
        graph.add((node, KG.decisionFor, review.actor))
        actor = actors.get(review.actor)
        if actor is not None:
            graph.add((review.actor, RDF.type, actor.type))
            graph.add((review.actor, RDFS.label, Literal(actor.label, lang="en")))
        graph.add((node, KG.outcome, Literal(review.outcome)))
        if review.item is not None:
            graph.add((node, KG.candidate, review.item))
        graph.add((node, KG.reviewFile, Literal(review.source)))
        graph.add((node, PROV.generatedAtTime, datetime_literal(when)))
    return graph


def reviews_of(graph: Graph) -> list[Review]:
    """The decisions a reviews graph holds (as stored by `reviews_graph`)."""
    found = []
    for node in graph.subjects(RDF.type, KG.ReviewDecision):
        actor, outcome = graph.value(node, KG.decisionFor), graph.value(node, KG.outcome)
        item, source = graph.value(node, KG.candidate), graph.value(node, KG.reviewFile)
        if isinstance(actor, URIRef) and outcome is not None:
            found.append(Review(actor, str(outcome),
                                item if isinstance(item, URIRef) else None, str(source)))
    return sorted(found, key=lambda r: str(r.actor))


def apply_reviews(decisions: Graph, reviews: Sequence[Review]) -> None:
    """Put a person's decisions over the reconciler's, in a reconciliation graph, in
    place: the link is the person's, the reconciler's findings stay for the record."""
    for review in reviews:
        decisions.remove((review.actor, SKOS.exactMatch, None))
        if review.item is not None:
            decisions.add((review.actor, SKOS.exactMatch, review.item))
        for node in list(decisions.subjects(KG.decisionFor, review.actor)):
            decisions.set((node, KG.outcome, Literal(review.outcome)))
            why = decisions.value(node, KG.explanation)
            chosen = f" {str(review.item).rsplit('/', 1)[-1]}" if review.item else ""
            note = f"a person decided {review.outcome}{chosen} ({review.source})"
            previous = str(why).split(" | the reconciler found: ", 1)[-1] if why else ""
            decisions.set((node, KG.explanation, Literal(
                f"{note} | the reconciler found: {previous}" if previous else note)))
