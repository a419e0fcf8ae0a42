"""Synthetic documents for the benchmarks: a KG of a million triples and more.

Each synthetic document is one named graph shaped as the extractors shape theirs: the
document, its extraction run, the actors it mentions (restated in every graph that names
them, with a mention and its evidence), affiliations, designations and events with
evidence, some of it attributed to a speaker. Actors are drawn from a pool with a long
tail, and the pool begins with real actors of the gazetteer, so that the named queries'
examples ("Kata'ib Hizballah", "Popular Mobilization Forces") meet thousands of documents,
as popular actors do in a real corpus. A graph of link decisions covers the pool.

Terms are minted with kg.identity and the kg namespace, as the extractors mint them; the
quads go to the store through pyoxigraph, with nothing serialised by hand, and without SHACL
validation: they exercise the queries and the server, not the extractors. `--build` then
builds real inputs into the same store, as `kg build` does.

Both benchmarks use it: scripts/bench_queries.py (`make bench-queries`) and
scripts/bench_serve.py (`make bench-kg` makes the store they share).

    python scripts/synth_kg.py --store /tmp/kg-bench --documents 8000 \
        --build examples ../shared/corpus ../shared/designations
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.build import build
from kg.identity import ACTOR_TYPE_SEGMENTS, EVENT_TYPES, actor_iri, document_iri, node_iri
from kg.namespace import DCTERMS, KG, PROV, RDF, RDFS, SKOS, WD, XSD
from kg.store import KGStore
from kg.values import count_literal, date_literal, datetime_literal, decimal_literal

BASE = "https://w3id.org/kg/id/"
# Real actors first: the queries' examples name them.
REAL = [
    (KG.ArmedGroup, "Kata'ib Hizballah", "Hizballah Brigades"),
    (KG.ArmedGroup, "Asa'ib Ahl al-Haq", "AAH"),
    (KG.ArmedGroup, "Popular Mobilization Forces", "PMF"),
    (KG.ArmedGroup, "Harakat al-Nujaba", "Nujaba"),
    (KG.State, "Iran", "Islamic Republic of Iran"),
    (KG.State, "United States", "US"),
    (KG.GovernmentBody, "United States Department of State", "State Department"),
    (KG.GovernmentBody, "Office of Foreign Assets Control", "OFAC"),
]
AUTHORITIES = [actor_iri(KG.GovernmentBody, REAL[6][1], BASE),
               actor_iri(KG.GovernmentBody, REAL[7][1], BASE)]
KINDS = [KG.MemberAffiliation, KG.LeaderAffiliation, KG.PartOfAffiliation,
         KG.SplinterAffiliation, KG.SupportAffiliation, KG.AllianceAffiliation]
PROGRAMS = ["SDGT", "FTO", "IRAQ3", "GLOMAG", "SYRIA"]
PLACES = [f"Town {i:03d}" for i in range(300)]


def _t(term: URIRef | Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


class _Graph:
    """Quads of one named graph."""

    def __init__(self, name: URIRef) -> None:
        self.name = ox.NamedNode(str(name))
        self.quads: list[ox.Quad] = []

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.quads.append(ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)), _t(o),
                                  self.name))


def _actor_pool(size: int, rng: random.Random) -> list[tuple[URIRef, URIRef, str, str]]:
    pool = [(actor_iri(t, label, BASE), t, label, alias) for t, label, alias in REAL]
    types = list(ACTOR_TYPE_SEGMENTS)
    for i in range(size - len(pool)):
        kind = types[i % len(types)]
        label = f"Synthetic {str(kind).rsplit('#', 1)[-1]} {i:05d}"
        pool.append((actor_iri(kind, label, BASE), kind, label, f"SYN{i:05d}"))
    rng.shuffle(pool[len(REAL):])
    return pool


def _day(rng: random.Random) -> str:
    day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9000))
    precision = rng.random()
    if precision < 0.15:
        return day.isoformat()[:4]
    if precision < 0.4:
        return day.isoformat()[:7]
    return day.isoformat()


def _stated_day(claim: object, rng: random.Random) -> str:
    """The date a source gives for a claim: most sources restate the same date (one drawn
    for the claim), one in ten gives another. Each source drawing its own date made the
    most-reported affiliations carry hundreds of start dates, so that "where sources
    disagree" compared every pair of them, which no real corpus does."""
    return _day(random.Random(str(claim)) if rng.random() >= 0.1 else rng)


def _document(i: int, pool: list[tuple[URIRef, URIRef, str, str]], rng: random.Random,
              read_at: dt.datetime) -> _Graph:
    url = f"https://news.example.org/synthetic/{i}"
    doc = document_iri(url, f"{i:064d}", BASE)
    g = _Graph(doc)
    g.add(doc, RDF.type, KG.Document)
    g.add(doc, KG.contentHash, Literal(f"{i:064d}"))
    g.add(doc, KG.textLength, count_literal(4000))
    g.add(doc, KG.fileName, Literal(f"synthetic-{i}.txt"))
    g.add(doc, KG.sourceUrl, Literal(url, datatype=XSD.anyURI))
    g.add(doc, DCTERMS.title, Literal(f"Synthetic report {i}"))
    issued = date_literal(_day(rng))
    assert issued is not None
    g.add(doc, DCTERMS.issued, issued)
    agent = node_iri("extractor", "kg.extract.synthetic", "1", base=BASE)
    g.add(agent, RDF.type, KG.Extractor)
    g.add(agent, RDFS.label, Literal("kg.extract.synthetic"))
    g.add(agent, KG.extractorVersion, Literal("1"))
    run = node_iri("extraction", doc, "kg.extract.synthetic", "1", base=BASE)
    g.add(run, RDF.type, KG.Extraction)
    g.add(run, PROV.used, doc)
    g.add(run, PROV.wasAssociatedWith, agent)
    g.add(run, PROV.endedAtTime, datetime_literal(read_at))
    offset = 0

    def evidence(speaker: URIRef | None = None) -> URIRef:
        nonlocal offset
        node = node_iri("evidence", run, offset, speaker or "", base=BASE)
        g.add(node, RDF.type, KG.Evidence)
        g.add(node, KG.quote, Literal(f"Sentence {offset} of synthetic report {i}."))
        g.add(node, KG.startOffset, count_literal(offset))
        g.add(node, KG.endOffset, count_literal(offset + 40))
        g.add(node, KG.inDocument, doc)
        g.add(node, PROV.wasGeneratedBy, run)
        if speaker is not None:
            g.add(node, KG.attributedTo, speaker)
        offset += 41
        return node

    # A long tail: a few actors in most documents, most actors in a few.
    named = {pool[min(int(rng.paretovariate(0.6)) - 1, len(pool) - 1)] for _ in range(6)}
    actors = sorted(named)
    for iri, kind, label, alias in actors:
        g.add(iri, RDF.type, kind)
        g.add(iri, RDFS.label, Literal(label, lang="en"))
        g.add(iri, SKOS.altLabel, Literal(alias, lang="en"))
        g.add(iri, KG.mention, evidence())
    if len(actors) < 2:
        return g
    speaker = actors[0][0] if rng.random() < 0.2 else None
    for _ in range(2):
        member, organization = rng.sample(actors, 2)
        kind = rng.choice(KINDS)
        claim = node_iri("affiliation", member[0], kind, organization[0], base=BASE)
        g.add(claim, RDF.type, KG.Affiliation)
        g.add(claim, KG.member, member[0])
        g.add(claim, KG.organization, organization[0])
        g.add(claim, KG.affiliationKind, kind)
        g.add(claim, PROV.wasDerivedFrom, doc)
        g.add(claim, KG.evidence, evidence(speaker))
        if rng.random() < 0.3:
            start = date_literal(_stated_day(claim, rng))
            assert start is not None
            g.add(claim, KG.start, start)
        if kind in (KG.MemberAffiliation, KG.LeaderAffiliation):
            g.add(claim, KG.role, Literal(rng.choice(["commander", "spokesman", "founder"])))
    if rng.random() < 0.4:
        listed = actors[-1][0]
        authority = rng.choice(AUTHORITIES)
        when = date_literal(_stated_day((listed, authority), rng))
        assert when is not None
        claim = node_iri("designation", listed, authority, KG.DesignatedStatus, str(when),
                         base=BASE)
        g.add(claim, RDF.type, KG.Designation)
        g.add(claim, KG.designatedActor, listed)
        g.add(claim, KG.authority, authority)
        g.add(claim, KG.designationKind, KG.TerroristDesignation)
        g.add(claim, KG.status, KG.DesignatedStatus)
        g.add(claim, KG.program, Literal(rng.choice(PROGRAMS)))
        g.add(claim, KG.listedOn, when)
        g.add(claim, PROV.wasDerivedFrom, doc)
        g.add(claim, KG.evidence, evidence())
    event_type = rng.choice(EVENT_TYPES)
    when = date_literal(_day(rng))
    assert when is not None
    place_name = rng.choice(PLACES)
    event = node_iri(str(event_type).rsplit("#", 1)[-1].lower(), actors[0][0], str(when),
                     place_name, base=BASE)
    place = node_iri("place", place_name, base=BASE)
    g.add(event, RDF.type, event_type)
    g.add(event, KG.date, when)
    g.add(event, KG.place, place)
    g.add(place, RDF.type, KG.Place)
    g.add(place, RDFS.label, Literal(place_name, lang="en"))
    g.add(event, PROV.wasDerivedFrom, doc)
    g.add(event, KG.evidence, evidence(speaker))
    for (iri, _kind, _label, _alias), role in zip(actors[:2], ("perpetrator", "target"),
                                                  strict=True):
        participation = node_iri("participation", event, iri, base=BASE)
        g.add(event, KG.participation, participation)
        g.add(participation, RDF.type, KG.Participation)
        g.add(participation, KG.participant, iri)
        g.add(participation, KG.participantRole, Literal(role))
    return g


def _decisions(pool: list[tuple[URIRef, URIRef, str, str]], rng: random.Random,
               when: dt.datetime) -> _Graph:
    g = _Graph(URIRef(f"{BASE}graph/reconciliation-synthetic"))
    for n, (iri, kind, label, _alias) in enumerate(pool[len(REAL):]):
        node = node_iri("link-decision", iri, base=BASE)
        outcome = ("accept", "review", "reject")[n % 3]
        g.add(node, RDF.type, KG.LinkDecision)
        g.add(node, KG.decisionFor, iri)
        g.add(iri, RDF.type, kind)
        g.add(iri, RDFS.label, Literal(label, lang="en"))
        g.add(node, KG.outcome, Literal(outcome))
        g.add(node, PROV.generatedAtTime, datetime_literal(when))
        g.add(node, KG.endpoint, Literal("https://query.wikidata.org/sparql",
                                         datatype=XSD.anyURI))
        item = WD[f"Q{900000 + n}"]
        g.add(node, KG.candidate, item)
        g.add(node, KG.score, decimal_literal(rng.random()))
        g.add(node, KG.explanation, Literal("synthetic"))
        if outcome == "accept":
            g.add(iri, SKOS.exactMatch, item)
    return g


def synthetic_graphs(documents: int, *, seed: int = 7, actors: int = 20000,
                     start: dt.datetime | None = None) -> Iterator[_Graph]:
    """The synthetic documents' graphs, read one hour apart from `start`, then the link
    decisions; the same arguments give the same quads."""
    rng = random.Random(seed)
    pool = _actor_pool(actors, rng)
    start = start or dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for i in range(documents):
        yield _document(i, pool, rng, start + dt.timedelta(hours=i))
    yield _decisions(pool, rng, start + dt.timedelta(hours=documents))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="store folder (made if absent)")
    parser.add_argument("--documents", type=int, default=8000)
    parser.add_argument("--actors", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--build", type=Path, nargs="*", default=[], metavar="PATH",
                        help="files or folders to build into the store afterwards, as "
                             "`kg build` does (the real corpus beside the synthetic one)")
    args = parser.parse_args()
    store = KGStore(args.store)
    added = 0
    batch: list[ox.Quad] = []
    for graph in synthetic_graphs(args.documents, seed=args.seed, actors=args.actors):
        batch.extend(graph.quads)
        if len(batch) > 200_000:
            store.db.bulk_extend(batch)
            added += len(batch)
            batch = []
    store.db.bulk_extend(batch)
    added += len(batch)
    store.flush()
    print(f"added {added} synthetic quads; the store holds {len(store)} quads")
    if args.build:
        result = build(args.build, store)
        store.flush()
        print(f"built {len(result.outcomes)} inputs ({len(result.failed)} failed, "
              f"{len(result.quarantined)} quarantined); the store holds {len(store)} quads")


if __name__ == "__main__":
    main()
