"""A KG of about a million triples for benchmarks: the corpus built as usual, then
synthetic documents added beside it, each in its own named graph and shaped like an
extractor's output (a document, mentions of actors with evidence, affiliations, an event,
sometimes a designation, each claim with its quote and sometimes a speaker).

Why synthetic: the corpus and the examples hold a few thousand triples, and the server's
speed targets are stated for a million. Names are made of random syllables from a fixed
seed, so every run makes the same KG and no real person is named. A fifth of the
synthetic documents also mention actors of the corpus (Kata'ib Hizballah, Soleimani...),
so their pages grow as a much-reported actor's would. The synthetic graphs are loaded
without SHACL validation: they exercise the server, not the extractors.

Run from the repository root: ``.venv/bin/python scripts/synthetic_kg.py --store DIR
[--triples 1000000] [--corpus ../shared/corpus]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kg.build import build
from kg.identity import ACTOR_TYPE_SEGMENTS, actor_iri, document_iri, node_iri
from kg.namespace import DCTERMS, DEFAULT_BASE, KG, PROV, RDF, RDFS, XSD
from kg.store import KGStore

_SYLLABLES = ("al", "ba", "da", "fa", "ha", "ja", "ka", "la", "ma", "na", "ra", "sa", "ta",
              "za", "qu", "ri", "mu", "di", "si", "ya", "ib", "ur", "om", "ek")
_KINDS = (KG.MemberAffiliation, KG.LeaderAffiliation, KG.PartOfAffiliation,
          KG.SupportAffiliation, KG.AllianceAffiliation, KG.SplinterAffiliation)
_EVENTS = (KG.Attack, KG.MilitaryOperation, KG.Visit, KG.Rally)
# Actors of the corpus that synthetic documents mention now and then.
CORPUS_ACTORS = [(KG.ArmedGroup, "Kata'ib Hizballah"), (KG.Person, "Qasem Soleimani"),
                 (KG.ArmedGroup, "Asaib Ahl al-Haq"), (KG.State, "Iran"),
                 (KG.State, "United States")]
AUTHORITY = (KG.GovernmentBody, "United States Department of the Treasury")


def _n(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _lit(value: str | int, datatype: URIRef | None = None, lang: str | None = None
         ) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    return ox.Literal(str(value), datatype=_n(datatype or XSD.string))


def _name(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).title()
                    for _ in range(words))


def synthetic_document(number: int, rng: random.Random, pool: list[tuple[URIRef, str]]
                       ) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """One synthetic document's graph name and triples."""
    url = f"https://news.example.org/synthetic/{number}"
    doc = document_iri(url, f"{number:040d}")
    d = _n(doc)
    day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
    run = _n(node_iri("extraction", doc, "synthetic"))
    triples = [
        ox.Triple(d, _n(RDF.type), _n(KG.Document)),
        ox.Triple(d, _n(DCTERMS.title), _lit(f"Synthetic report {number}: {_name(rng, 3)}")),
        ox.Triple(d, _n(DCTERMS.issued), _lit(day.isoformat(), XSD.date)),
        ox.Triple(d, _n(KG.sourceUrl), _lit(url, XSD.anyURI)),
        ox.Triple(d, _n(KG.contentHash), _lit(f"{number:064d}")),
        ox.Triple(run, _n(RDF.type), _n(KG.Extraction)),
        ox.Triple(run, _n(PROV.used), d),
    ]
    offset = [0]

    def evidence(quote: str, speaker: URIRef | None = None) -> ox.NamedNode:
        e = _n(node_iri("evidence", doc, offset[0], quote))
        triples.extend([
            ox.Triple(e, _n(RDF.type), _n(KG.Evidence)),
            ox.Triple(e, _n(KG.quote), _lit(quote)),
            ox.Triple(e, _n(KG.startOffset), _lit(offset[0], XSD.integer)),
            ox.Triple(e, _n(KG.endOffset), _lit(offset[0] + len(quote), XSD.integer)),
            ox.Triple(e, _n(KG.inDocument), d),
            ox.Triple(e, _n(PROV.wasGeneratedBy), run),
        ])
        if speaker is not None:
            triples.append(ox.Triple(e, _n(KG.attributedTo), _n(speaker)))
        offset[0] += len(quote) + 1
        return e

    cast = rng.sample(pool, 6)
    if rng.random() < 0.2:
        cast[0] = rng.choice(CORPUS_ACTORS)
    actors = [actor_iri(t, name) for t, name in cast]
    for (actor_type, name), iri in zip(cast, actors, strict=True):
        a = _n(iri)
        triples.extend([ox.Triple(a, _n(RDF.type), _n(actor_type)),
                        ox.Triple(a, _n(RDFS.label), _lit(name, lang="en")),
                        ox.Triple(a, _n(KG.mention), evidence(name))])
    for index in range(3):
        member, organization = actors[index], actors[index + 3]
        kind = rng.choice(_KINDS)
        aff = _n(node_iri("affiliation", member, kind, organization, base=DEFAULT_BASE))
        quote = f"{cast[index][1]} and {cast[index + 3][1]} were linked, the report said."
        speaker = actors[5] if rng.random() < 0.3 else None
        triples.extend([
            ox.Triple(aff, _n(RDF.type), _n(KG.Affiliation)),
            ox.Triple(aff, _n(KG.member), _n(member)),
            ox.Triple(aff, _n(KG.organization), _n(organization)),
            ox.Triple(aff, _n(KG.affiliationKind), _n(kind)),
            ox.Triple(aff, _n(KG.evidence), evidence(quote, speaker)),
            ox.Triple(aff, _n(PROV.wasDerivedFrom), d),
        ])
        if rng.random() < 0.5:
            triples.append(ox.Triple(aff, _n(KG.start), _lit(str(day.year - rng.randrange(10)),
                                                             XSD.gYear)))
    event_type = rng.choice(_EVENTS)
    event = _n(node_iri(str(event_type).rpartition("#")[2].lower(), doc, number))
    triples.extend([ox.Triple(event, _n(RDF.type), _n(event_type)),
                    ox.Triple(event, _n(KG.date), _lit(day.isoformat(), XSD.date)),
                    ox.Triple(event, _n(KG.evidence),
                              evidence(f"On {day.isoformat()} {cast[0][1]} struck again.")),
                    ox.Triple(event, _n(PROV.wasDerivedFrom), d)])
    for role, actor in (("perpetrator", actors[0]), ("target", actors[1])):
        part = _n(node_iri("participation", event, role, actor))
        triples.extend([ox.Triple(event, _n(KG.participation), part),
                        ox.Triple(part, _n(RDF.type), _n(KG.Participation)),
                        ox.Triple(part, _n(KG.participant), _n(actor)),
                        ox.Triple(part, _n(KG.participantRole), _lit(role))])
    if rng.random() < 0.2:
        authority = actor_iri(*AUTHORITY)
        designation = _n(node_iri("designation", actors[2], authority, "SDGT"))
        triples.extend([
            ox.Triple(designation, _n(RDF.type), _n(KG.Designation)),
            ox.Triple(designation, _n(KG.designatedActor), _n(actors[2])),
            ox.Triple(designation, _n(KG.authority), _n(authority)),
            ox.Triple(_n(authority), _n(RDFS.label), _lit(AUTHORITY[1], lang="en")),
            ox.Triple(_n(authority), _n(RDF.type), _n(AUTHORITY[0])),
            ox.Triple(designation, _n(KG.designationKind), _n(KG.TerroristDesignation)),
            ox.Triple(designation, _n(KG.status), _n(KG.DesignatedStatus)),
            ox.Triple(designation, _n(KG.program), _lit("SDGT")),
            ox.Triple(designation, _n(KG.listedOn), _lit(day.isoformat(), XSD.date)),
            ox.Triple(designation, _n(KG.evidence),
                      evidence(f"Treasury designated {cast[2][1]} today.")),
        ])
    return d, triples


def make(store_path: Path, *, triples: int, corpus: Path | None, seed: int = 6) -> int:
    """Build the corpus (if given) into `store_path`, then add synthetic documents until the
    store holds about `triples` quads; returns the number of quads."""
    store = KGStore(store_path)
    if corpus is not None:
        result = build([corpus], store)
        print(f"corpus: {len(result.outcomes)} inputs, {len(store)} quads", file=sys.stderr)
    rng = random.Random(seed)
    types = list(ACTOR_TYPE_SEGMENTS)
    pool = [(rng.choice(types), _name(rng, rng.randint(2, 3))) for _ in range(20_000)]
    number, batch = 0, []
    while len(store) < triples:
        for _ in range(500):
            graph, doc_triples = synthetic_document(number, rng, pool)
            batch.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in doc_triples)
            number += 1
        store.db.bulk_extend(batch)
        batch = []
    store.flush()
    print(f"synthetic: {number} documents; {len(store)} quads", file=sys.stderr)
    return len(store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    args = parser.parse_args()
    started = time.perf_counter()
    make(args.store, triples=args.triples,
         corpus=args.corpus if args.corpus.is_dir() else None)
    print(f"made in {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
