"""The gazetteer: known actors with their names and aliases, read from `gazetteer/*.ttl`.

Names are indexed by their normalised form (kg.identity.normalize_name), so spelling
variants that differ only in case, apostrophes or hyphens meet. All-capital acronyms are
also indexed by their exact spelling, because "US" must not match the pronoun "us".
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.identity import ACTOR_TYPE_SEGMENTS, normalize_name
from kg.namespace import KG, RDF, RDFS, SKOS
from kg.resources import gazetteer_paths, lexicon_entries


@dataclass(frozen=True)
class KnownActor:
    iri: URIRef
    type: URIRef
    label: str
    # Position of its file among the gazetteer files: where two files name the same
    # thing differently, the earlier file (the curated one sorts first) wins.
    rank: int = 0


@dataclass
class Gazetteer:
    by_key: dict[str, list[KnownActor]]
    acronyms: dict[str, list[KnownActor]]
    max_tokens: int

    def lookup(self, surface: str) -> list[KnownActor]:
        """Known actors a surface form can name, best first; acronyms only in their exact
        case."""
        if is_acronym(surface):
            return self.acronyms.get(surface.replace(".", ""), [])
        return self.by_key.get(normalize_name(surface), [])

    @functools.cached_property
    def first_words(self) -> frozenset[str]:
        """The first word of every known name: a span starting with any other word
        cannot be one, which spares the lookups of most spans of a long text."""
        return frozenset(key.split(" ", 1)[0] for key in self.by_key)

    @functools.cached_property
    def _by_iri(self) -> dict[URIRef, KnownActor]:
        table: dict[URIRef, KnownActor] = {}
        for entries in self.by_key.values():
            for known in entries:
                table.setdefault(known.iri, known)
        return table

    def by_iri(self, iri: URIRef) -> KnownActor | None:
        return self._by_iri.get(iri)


def is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return 1 < len(letters) <= 6 and letters.isalpha() and letters.isupper()


def build_gazetteer(graphs: list[Graph]) -> Gazetteer:
    by_key: dict[str, list[KnownActor]] = defaultdict(list)
    acronyms: dict[str, list[KnownActor]] = defaultdict(list)
    max_tokens = 1
    for rank, graph in enumerate(graphs):
        max_tokens = max(max_tokens, _index(graph, rank, by_key, acronyms))
    _add_singulars(by_key)

    def best_first(index: dict[str, list[KnownActor]]) -> dict[str, list[KnownActor]]:
        return {k: sorted(v, key=lambda a: (a.rank, str(a.iri))) for k, v in index.items()}

    return Gazetteer(by_key=best_first(by_key), acronyms=best_first(acronyms),
                     max_tokens=max_tokens)


def _index(graph: Graph, rank: int, by_key: dict[str, list[KnownActor]],
           acronyms: dict[str, list[KnownActor]]) -> int:
    max_tokens = 1
    for actor_type in ACTOR_TYPE_SEGMENTS:
        for iri in graph.subjects(RDF.type, actor_type):
            if not isinstance(iri, URIRef):
                continue
            label = graph.value(iri, RDFS.label)
            if not isinstance(label, Literal):
                continue
            known = KnownActor(iri=iri, type=actor_type, label=str(label), rank=rank)
            names = {str(label)} | {str(n) for n in graph.objects(iri, SKOS.altLabel)}
            for name in names:
                if is_acronym(name):
                    bucket = acronyms[name.replace(".", "")]
                else:
                    key = normalize_name(name)
                    if not key:
                        continue
                    max_tokens = max(max_tokens, len(key.split()))
                    bucket = by_key[key]
                if known not in bucket:
                    bucket.append(known)
    return max_tokens


@functools.cache
def _plural_heads() -> frozenset[str]:
    """Head words of group names that texts also write in the singular ("forces")."""
    return frozenset(row[0].lower() for row in lexicon_entries("actor-keywords.tsv")
                     if row[0].lower().endswith("s") and len(row[0]) > 3)


def _add_singulars(by_key: dict[str, list[KnownActor]]) -> None:
    """ "Popular Mobilization Force" for "Popular Mobilization Forces": a name whose head
    word is plural is known in the singular too, unless that names something else."""
    for key in list(by_key):
        words = key.split(" ")
        if len(words) > 1 and words[-1] in _plural_heads():
            singular = " ".join([*words[:-1], words[-1][:-1]])
            if singular not in by_key:
                by_key[singular] = list(by_key[key])


# Gazetteer files beyond the shipped ones, for this process: the actors of the lists a
# build has ingested (see kg.build), so that a name only a user's list gives is known.
_extra_files: tuple[Path, ...] = ()


def use_extra_files(paths: tuple[Path, ...]) -> None:
    """Add these Turtle files, after the shipped ones, to the default gazetteer."""
    global _extra_files
    _extra_files = paths


def load_gazetteer(paths: tuple[Path, ...] | None = None) -> Gazetteer:
    """The gazetteer from the given Turtle files (default: every file kg ships, then the
    extra files of this process; the shipped ones rank first)."""
    return _load(paths if paths is not None else (*gazetteer_paths(), *_extra_files))


@functools.cache
def _load(files: tuple[Path, ...]) -> Gazetteer:
    return build_gazetteer([Graph().parse(path, format="turtle") for path in files])


@functools.cache
def demonym_states() -> dict[str, KnownActor]:
    """Each demonym of lexicon/demonyms.tsv ("Iranian") with its state, as known here."""
    return _states_of("demonyms.tsv")


@functools.cache
def capital_states() -> dict[str, KnownActor]:
    """Each capital of lexicon/capitals.tsv ("Washington") with its state."""
    return _states_of("capitals.tsv")


def _states_of(lexicon: str) -> dict[str, KnownActor]:
    gazetteer = load_gazetteer()
    table = {}
    for word, state in lexicon_entries(lexicon):
        known = next((k for k in gazetteer.lookup(state) if k.type == KG.State), None)
        if known is not None:
            table[word] = known
    return table
