"""One list version as triples: the version (a document), its listed actors with every
alias and personal detail, one designation per (actor, authority, program), and evidence
quoting each record.

Actors are named as the gazetteer names them when it knows them, so the actor a list
lists is the actor the articles mention; status is left to `kg.lists.versions`, which
alone sees every version of a list.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from kg.extract import ExtractOptions
from kg.extract.gazetteer import KnownActor, is_acronym, load_gazetteer
from kg.identity import GROUP_TYPES, actor_iri, node_iri
from kg.lists.model import GROUP, PERSON, Entry, ListVersion, Problem
from kg.lists.names import case_name, looks_like_acronym, person_name
from kg.namespace import DCTERMS, KG, PROV, RDF, RDFS, SKOS, XSD
from kg.notations import term
from kg.provenance import Run, add_evidence, add_extraction
from kg.resources import lexicon_entries
from kg.values import count_literal, date_literal

# Bumped whenever what a list version's triples say changes.
VERSION = "1"
EXTRACTOR = "kg.lists"


@dataclass(frozen=True)
class Program:
    list_key: str
    code: str
    kind: str  # notation of a kg:DesignationKind
    authority: str | None  # gazetteer label; None: the list's publisher
    legal_basis: str | None
    description: str


@functools.cache
def programs() -> dict[tuple[str, str], Program]:
    table = {}
    for row in lexicon_entries("programs.tsv"):
        list_key, code, kind, authority, basis, description = row
        table[list_key, code] = Program(
            list_key, code, kind, None if authority == "-" else authority,
            None if basis == "-" else basis, description)
    return table


def list_iri(key: str, base: str) -> URIRef:
    return URIRef(f"{base}list/{key}")


def version_iri(version: ListVersion, content_hash: str, base: str) -> URIRef:
    return node_iri("list-version", version.source.key, content_hash, base=base)


def _body(label: str) -> KnownActor:
    """A designating body, by its gazetteer label."""
    for known in load_gazetteer().lookup(label):
        if known.type == KG.GovernmentBody and known.label == label:
            return known
    raise KeyError(f"the gazetteer has no government body labelled {label!r}")


def _known(names: list[str], actor_type: URIRef) -> KnownActor | None:
    """The gazetteer's actor for a listed one: by its primary name, else by the one actor
    all its other names agree on. A person matches only a person; a group any kind of
    group, since lists and reference data type the same group differently."""
    def fits(known: KnownActor) -> bool:
        if actor_type == KG.Person:
            return known.type == KG.Person
        return known.type in GROUP_TYPES

    gazetteer = load_gazetteer()
    primary = [k for k in gazetteer.lookup(names[0]) if fits(k)]
    if primary:
        return primary[0]
    found = {k.iri: k for name in names[1:] if not is_acronym(name)
             for k in gazetteer.lookup(name)[:1] if fits(k)}
    return next(iter(found.values())) if len(found) == 1 else None


def _state(name: str) -> KnownActor | None:
    for known in load_gazetteer().lookup(name):
        if known.type == KG.State:
            return known
    return None


class _Writer:
    """Writes one version's graph; holds what every entry needs."""

    def __init__(self, version: ListVersion, content_hash: str, options: ExtractOptions,
                 entry_count: int) -> None:
        self.version = version
        self.base = options.base
        self.graph = Graph()
        self.list = list_iri(version.source.key, self.base)
        self.document = version_iri(version, content_hash, self.base)
        self.run: Run = add_extraction(self.graph, self.document, extractor=EXTRACTOR,
                                       version=VERSION, when=options.now, base=self.base)
        self.publisher = _body(version.source.publisher)
        self.acronyms = frozenset(
            a for e in version.entries if e.kind == GROUP for a in e.aliases
            if looks_like_acronym(a))
        self.programs = {p.code: p for p in programs().values()
                         if p.list_key == version.source.key}
        self._describe_version(content_hash, entry_count)

    def _describe_version(self, content_hash: str, entry_count: int) -> None:
        g, version = self.graph, self.version
        g.add((self.list, RDF.type, KG.DesignationList))
        g.add((self.list, RDFS.label, Literal(version.source.title, lang="en")))
        g.add((self.list, DCTERMS.publisher, self.publisher.iri))
        self._body(self.publisher)
        doc = self.document
        g.add((doc, RDF.type, KG.Document))
        g.add((doc, RDF.type, KG.ListVersion))
        g.add((doc, KG.versionOf, self.list))
        if version.version_date and (issued := date_literal(version.version_date)) is not None:
            g.add((doc, KG.versionDate, issued))
        g.add((doc, KG.contentHash, Literal(content_hash)))
        g.add((doc, KG.textLength, count_literal(len(version.text))))
        g.add((doc, KG.fileName, Literal(version.path.rsplit("/", 1)[-1])))
        g.add((doc, KG.entryCount, count_literal(entry_count)))
        if version.url:
            g.add((doc, KG.sourceUrl, Literal(version.url, datatype=XSD.anyURI)))


    def _body(self, known: KnownActor) -> None:
        """Type and label of an actor the list refers to, for the graph to stand alone."""
        self.graph.add((known.iri, RDF.type, known.type))
        self.graph.add((known.iri, RDFS.label, Literal(known.label, lang="en")))

    def _cased(self, entry: Entry, name: str) -> str:
        if entry.kind == PERSON:
            return person_name(name, self.acronyms)
        return case_name(name, self.acronyms)

    def actor(self, entry: Entry, actor_type: URIRef) -> URIRef:
        g = self.graph
        names = [self._cased(entry, n) for n in (entry.name, *entry.aliases)]
        known = _known(names, actor_type)
        if known is not None:
            iri, actor_type, label = known.iri, known.type, known.label
        else:
            iri, label = actor_iri(actor_type, names[0], self.base), names[0]
        g.add((iri, RDF.type, actor_type))
        g.add((iri, RDFS.label, Literal(label, lang="en")))
        for name in names:
            if name != label:
                g.add((iri, SKOS.altLabel, Literal(name, lang=_language(name))))
        if entry.kind == PERSON:
            for date in entry.birth_dates:
                if (literal := date_literal(date)) is not None:
                    g.add((iri, KG.birthDate, literal))
            for place in entry.birth_places:
                g.add((iri, KG.birthPlaceName, Literal(place)))
            for nationality in entry.nationalities:
                state = _state(nationality)
                if state is not None:
                    self._body(state)
                    g.add((iri, KG.nationality, state.iri))
                else:
                    g.add((iri, KG.nationalityName, Literal(nationality)))
        return iri

    def entry(self, entry: Entry) -> None:
        known = self.programs
        terrorist = any(known[c].kind == "terrorist" for c in entry.programs if c in known)
        actor_type = (KG.Person if entry.kind == PERSON
                      else KG.ArmedGroup if entry.armed or terrorist else KG.Organization)
        actor = self.actor(entry, actor_type)
        evidence = add_evidence(self.graph, self.run, self.version.text, entry.start, entry.end)
        self.graph.add((evidence, KG.recordId, Literal(entry.record_id)))
        if entry.delisted_on and (revoked := date_literal(entry.delisted_on)) is not None:
            self.graph.add((evidence, KG.statesDelisting, revoked))
        for code in entry.programs:
            program = known.get(code)
            if program is None:
                self.version.problems.append(Problem(
                    f"record {entry.record_id}",
                    f"unknown program code {code!r}: kept as a sanctions listing with no "
                    f"legal basis (add it to lexicon/programs.tsv)", lost=False))
            authority = _body(program.authority) if program and program.authority \
                else self.publisher
            self._body(authority)
            self.designation(entry, actor, authority.iri, code, program, evidence)

    def designation(self, entry: Entry, actor: URIRef, authority: URIRef, code: str,
                    program: Program | None, evidence: URIRef) -> None:
        g = self.graph
        iri = node_iri("designation", actor, authority, code, base=self.base)
        g.add((iri, RDF.type, KG.Designation))
        g.add((iri, KG.designatedActor, actor))
        g.add((iri, KG.authority, authority))
        g.add((iri, KG.designationKind, term(program.kind if program else "sanctions")))
        g.add((iri, KG.program, Literal(code)))
        if program and program.legal_basis:
            g.add((iri, KG.legalBasis, Literal(program.legal_basis)))
        if entry.reference:
            g.set((iri, KG.referenceNumber, Literal(entry.reference)))
        if entry.listed_on and (listed := date_literal(entry.listed_on)) is not None:
            g.set((iri, KG.listedOn, listed))
        g.add((iri, KG.evidence, evidence))
        g.add((iri, PROV.wasDerivedFrom, self.document))


def _language(name: str) -> str:
    """Names in Arabic script (UN original-script names) are tagged ar, the rest en."""
    return "ar" if any("\u0600" <= c <= "\u06ff" for c in name) else "en"


def version_graph(version: ListVersion, content_hash: str, options: ExtractOptions, *,
                  entry_count: int | None = None) -> Graph:
    """The triples of one list version, without statuses (see kg.lists.versions).
    `version.entries` may be a batch of the version's entries; `entry_count` is then how
    many the whole version has."""
    writer = _Writer(version, content_hash, options,
                     len(version.entries) if entry_count is None else entry_count)
    for entry in version.entries:
        writer.entry(entry)
    return writer.graph
