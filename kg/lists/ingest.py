"""A list version into the store: beside the versions already there, in the list's one
named graph, with statuses derived again over all of them.

A list is one growing record rather than one document per file, because a delisting is a
fact about two versions at once: the entry the newer one no longer has. The version's
triples are made and validated in batches of entries, in worker processes: pyshacl
costs milliseconds per entry, and the SDN list has 18,000 of them.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.errors import InputError, KGError
from kg.extract import ExtractOptions
from kg.identity import ACTOR_TYPE_SEGMENTS, node_iri
from kg.lists import read_list
from kg.lists.model import ListVersion, Problem
from kg.lists.triples import EXTRACTOR, VERSION, list_iri, version_graph, version_iri
from kg.lists.versions import Listing, derive, set_statuses
from kg.namespace import KG, RDF, RDFS, SKOS
from kg.outcomes import Outcome, store_quarantine
from kg.store import KGStore
from kg.validate import split_valid
from kg.values import date_literal

# Entries per validation batch: large enough that a batch's fixed cost (the shapes, the
# version's own nodes) is small, small enough that the workers share the work evenly.
BATCH = 1000


def content_hash(version: ListVersion) -> str:
    """The version's identity: its main file and the files read with it (a new alt.csv
    beside an unchanged sdn.csv is a new version)."""
    digest = hashlib.sha256(version.text.encode("utf-8"))
    if version.companion_text:
        digest.update(b"\x00" + version.companion_text.encode("utf-8"))
    return digest.hexdigest()


def _messages(version: ListVersion) -> tuple[str, ...]:
    problems = [f"{p.where}: {p.problem}" for p in version.problems]
    skipped = ([f"{version.skipped_property} vessels and aircraft left out (property, not "
                f"actors)"] if version.skipped_property else [])
    return (*version.warnings, *problems, *skipped)


def standalone_graph(version: ListVersion, options: ExtractOptions) -> tuple[Graph, URIRef]:
    """One version's graph with statuses as that version alone gives them (for `kg
    extract`, which reads a file without the store), and the version's IRI."""
    digest = content_hash(version)
    graph = version_graph(version, digest, options)
    set_statuses(graph, list_iri(version.source.key, options.base))
    return graph, version_iri(version, digest, options.base)


@dataclass
class BatchResult:
    valid_nt: str
    quarantined_nt: str
    report_nt: str
    violations: list[str]
    problems: list[tuple[str, str]]  # (where, problem) the triples stage found
    triples: int
    quarantined: int


def validate_batch(version: ListVersion, digest: str, options: ExtractOptions,
                   entry_count: int) -> BatchResult:
    """Triples of a batch of entries, validated with the statuses this version alone
    gives them; the statuses stored are derived afterwards over every version."""
    graph = version_graph(version, digest, options, entry_count=entry_count)
    set_statuses(graph, list_iri(version.source.key, options.base))
    split = split_valid(graph)
    return BatchResult(
        valid_nt=split.valid.serialize(format="nt"),
        quarantined_nt=split.quarantined.serialize(format="nt") if len(split.quarantined) else "",
        report_nt=split.report.graph.serialize(format="nt") if len(split.quarantined) else "",
        violations=[str(v) for v in split.report.violations] if len(split.quarantined) else [],
        problems=[(p.where, p.problem) for p in version.problems],
        triples=len(split.valid),
        quarantined=len(split.quarantined),
    )


def _batches(version: ListVersion) -> list[ListVersion]:
    entries = version.entries
    return [replace(version, entries=entries[i:i + BATCH], problems=[], warnings=[])
            for i in range(0, max(len(entries), 1), BATCH)]


def validate_batches(version: ListVersion, digest: str, options: ExtractOptions,
                 jobs: int) -> list[BatchResult]:
    batches = _batches(version)
    count = len(version.entries)
    if jobs <= 1 or len(batches) <= 1:
        return [validate_batch(b, digest, options, count) for b in batches]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(batches)), mp_context=context) as pool:
        futures = [pool.submit(validate_batch, b, digest, options, count) for b in batches]
        return [f.result() for f in futures]


def _completion(document: URIRef, digest: str) -> str:
    """The triple that marks a version wholly stored, as N-Triples: the batches are
    bulk-loaded without it and it is written last, so a load cut short is redone."""
    graph = Graph()
    graph.add((document, KG.contentHash, Literal(digest)))
    return graph.serialize(format="nt")


def _stored(store: KGStore, name: URIRef, document: URIRef, base: str) -> bool:
    """Whether the version is wholly in the list's graph, read by this reader version."""
    reader = node_iri("extractor", EXTRACTOR, VERSION, base=base)
    rows = store.select(
        "SELECT ?g ?d ?r WHERE { GRAPH ?g { ?d kg:contentHash ?hash ."
        " ?x prov:used ?d ; prov:wasAssociatedWith ?r } }",
        {"g": name, "d": document, "r": reader}, union=False)
    return next(iter(rows), None) is not None


def _forget_version(store: KGStore, name: URIRef, document: URIRef) -> None:
    """Remove one version's own nodes from the list's graph, to read it again."""
    rows = store.select(
        "SELECT ?g ?d ?node WHERE { GRAPH ?g {"
        " { ?node kg:inDocument ?d } UNION { ?node prov:used ?d } } }",
        {"g": name, "d": document}, union=False)
    nodes = [URIRef(row["node"].value) for row in rows]
    for node in nodes:
        store.remove_matching(name, node, None)
        store.remove_matching(name, None, KG.evidence, node)
    store.remove_matching(name, document, None)


def _collect_garbage(store: KGStore, name: URIRef) -> None:
    """Drop what no version supports any more: designations left with no evidence (a
    version read again, or by a newer reader, no longer lists them) and actors nothing
    in the list's graph refers to, so that a re-read leaves no stale name behind."""
    for query, var in (
            ("SELECT ?g ?c WHERE { GRAPH ?g { ?c a kg:Designation"
             " FILTER NOT EXISTS { ?c kg:evidence ?e } } }", "c"),
            ("SELECT ?g ?a WHERE { GRAPH ?g { ?a rdfs:label ?l FILTER NOT EXISTS { ?x ?p ?a }"
             " FILTER NOT EXISTS { ?a kg:versionOf ?v } FILTER NOT EXISTS { ?a a kg:Designation }"
             " FILTER NOT EXISTS { ?a a kg:DesignationList } } }", "a")):
        for row in list(store.select(query, {"g": name}, union=False)):
            store.remove_matching(name, URIRef(row[var].value), None)


def _derive_in_store(store: KGStore, name: URIRef) -> None:
    """Statuses of every designation of the list, from every version in the store."""
    dates, complete = {}, set()
    for row in store.select(
            "SELECT ?g ?v ?date ?complete WHERE { GRAPH ?g { ?v kg:versionOf ?g ;"
            " kg:versionDate ?date OPTIONAL { ?v kg:complete ?complete } } }",
            {"g": name}, union=False):
        dates[row["v"].value] = row["date"].value
        if row["complete"] is None or row["complete"].value == "true":
            complete.add(row["date"].value)
    listings = []
    for row in store.select(
            "SELECT ?g ?c ?v ?stated WHERE { GRAPH ?g { ?c a kg:Designation ; kg:evidence ?e ."
            " ?e kg:inDocument ?v . OPTIONAL { ?e kg:statesDelisting ?stated } } }",
            {"g": name}, union=False):
        version = row["v"].value
        if version in dates:
            stated = row["stated"]
            listings.append(Listing(URIRef(row["c"].value), dates[version],
                                    date_literal(stated.value) if stated is not None else None))
    store.remove_matching(name, None, KG.status)
    store.remove_matching(name, None, KG.delistedOn)
    derived = Graph()
    for designation, status in derive(listings, complete).items():
        for triple in status.triples(designation):
            derived.add(triple)
    store.add_ntriples(name, derived.serialize(format="nt"))


def ingest_list(path: Path, store: KGStore, options: ExtractOptions, *,
                list_date: str | None = None, force: bool = False,
                jobs: int | None = None) -> Outcome:
    """Read one list file and add it to its list's graph in `store`."""
    try:
        version = read_list(path, version_date=list_date)
        digest = content_hash(version)
        name = list_iri(version.source.key, options.base)
        document = version_iri(version, digest, options.base)
        if not force and _stored(store, name, document, options.base):
            return Outcome(path=str(path), document=str(document), skipped=True,
                           warnings=_messages(version))
        results = validate_batches(version, digest, options, jobs or os.cpu_count() or 1)
        if not version.complete:
            version.warnings.append(
                "some entries were not read: this version delists nothing (what it lacks "
                "may be what was lost)")
    except KGError as exc:
        problem = exc.problem if isinstance(exc, InputError) else str(exc)
        return Outcome(path=str(path), error=problem)
    version.problems.extend(Problem(w, p) for r in results for (w, p) in r.problems)
    outcome = Outcome(
        path=str(path), document=str(document),
        triples=sum(r.triples for r in results),
        quarantined_triples=sum(r.quarantined for r in results),
        content_hash=digest, warnings=_messages(version),
        quarantined_nt="".join(r.quarantined_nt for r in results),
        report_nt="".join(r.report_nt for r in results),
    )
    if outcome.quarantined_triples:
        violations = [v for r in results for v in r.violations]
        outcome.report_text = f"{path}\n{document}\n\n" + "\n".join(f"- {v}" for v in violations)
    _forget_version(store, name, document)
    store_quarantine(store, document, outcome)
    done = _completion(document, digest)
    for result in results:
        store.add_ntriples(name, result.valid_nt.replace(done, ""), bulk=True)
    whole = Graph()
    whole.add((document, KG.complete,
               Literal(version.complete and not outcome.quarantined_triples)))
    store.add_ntriples(name, whole.serialize(format="nt"))
    _collect_garbage(store, name)
    _derive_in_store(store, name)
    store.add_ntriples(name, done)
    return outcome


def write_list_gazetteer(store: KGStore, base: str) -> Path | None:
    """The actors of every list in the store, with their aliases, as a gazetteer file in
    the store's folder (None if the store has no list): a name a list gives ("League of
    the Righteous") is then recognised in articles as that actor."""
    graph = Graph()
    for row in store.select(
            "SELECT ?lists ?actor ?type ?name WHERE { GRAPH ?g {"
            " ?actor a ?type ; rdfs:label|skos:altLabel ?name }"
            " FILTER(STRSTARTS(STR(?g), ?lists)) }",
            {"lists": Literal(f"{base}list/")}, union=False):
        actor, kind = URIRef(row["actor"].value), URIRef(row["type"].value)
        if kind in ACTOR_TYPE_SEGMENTS:
            graph.add((actor, RDF.type, kind))
            name = row["name"]
            label = (actor, RDFS.label, None) in graph
            graph.add((actor, SKOS.altLabel if label else RDFS.label,
                       Literal(name.value, lang=name.language)))
    if not len(graph):
        return None
    path = store.path / "gazetteer" / "lists.ttl"
    path.parent.mkdir(parents=True, exist_ok=True)
    graph.serialize(path, format="turtle")
    return path
