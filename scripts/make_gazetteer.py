"""Generate the text extractor's gazetteer of known actors, one Turtle file per source.

The extractor recognises an actor it has never seen only as "some organization"; the
gazetteer tells it the type and canonical name of the actors that official lists and
reference data already know, with every alias those sources give. Every name here comes
from a data source (pycountry, the OFAC / State Department / UN designation lists, the
Wikidata subset), never from an article, so the gazetteer cannot be tuned to a test text.
The one hand-written table, CONVENTIONAL_NAMES, holds general English short forms of
country names that ISO 3166 lacks ("UK", "Russia").

Output (byte-stable: sorted, no timestamps, so a re-run with the same inputs is no diff):

* ``states.ttl``: every ISO 3166-1 country as kg:State.
* ``designations.ttl``: OFAC SDN (sdn.csv + alt.csv), the State Department FTO list and
  the UN consolidated list, entries that name one actor merged into one node.
* ``wikidata.ttl``: the typable items of the offline Wikidata subset, with skos:exactMatch.

Run ``.venv/bin/python scripts/make_gazetteer.py --shared ../shared`` from the repository
root. Exit codes: 0 written, 2 a source file is missing or unreadable.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pycountry
from rdflib import Graph, Literal, URIRef

from kg.extract.gazetteer import is_acronym
from kg.identity import actor_iri, normalize_name
from kg.lists import fto, ofac_csv, un_xml
from kg.lists.model import PERSON, Entry, ListVersion
from kg.lists.names import case_name, looks_like_acronym, person_name
from kg.namespace import DCTERMS, KG, PREFIXES, RDF, RDFS, SCHEMA, SKOS, WD, WDT
from kg.reconcile.classes import class_types

REPO_ROOT = Path(__file__).resolve().parent.parent

# Source files, relative to --shared.
OFAC_DIR = Path("designations/ofac-sdn-2024-05-03")
FTO_CSV = Path("designations/us-dos-fto/fto-list.csv")
UN_XML = Path("designations/un-consolidated-2026-02-27/consolidated.xml")
WIKIDATA_TTL = Path("wikidata/wikidata-subset.ttl")

# dcterms:source values: short names of the sources, as a reader would cite them.
SRC_PYCOUNTRY = "pycountry (ISO 3166-1)"
SRC_OFAC = "OFAC SDN list"
SRC_FTO = "US State Department FTO list"
SRC_UN = "UN Security Council Consolidated List"
SRC_WIKIDATA = "Wikidata"

# Which list's spelling becomes the label when entries merge: the FTO list is written in
# mixed case by the State Department, so its casing beats our conversion of OFAC's capitals.
LABEL_PRIORITY = {SRC_FTO: 0, SRC_OFAC: 1, SRC_UN: 2}


class SourceMissingError(Exception):
    """A source file the gazetteer is built from is absent or unreadable."""


# ---------------------------------------------------------------------------------------
# Actors and their output
# ---------------------------------------------------------------------------------------


@dataclass
class Actor:
    """One gazetteer node: its type, canonical label and every other name sources give."""

    type: URIRef
    label: str
    aliases: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    exact_matches: set[URIRef] = field(default_factory=set)

    @property
    def iri(self) -> URIRef:
        return actor_iri(self.type, self.label)


def _language(name: str) -> str:
    """Language tag of a name: Arabic script (UN original-script names) or English."""
    return "ar" if any("\u0600" <= c <= "\u06ff" for c in name) else "en"


def _name_literal(name: str) -> Literal:
    return Literal(name, lang=_language(name))


def _variant_key(name: str) -> tuple[str, bool]:
    """A name with case and apostrophe style folded, and nothing else; acronyms apart,
    because the extractor matches them in exact case only ("HAMAS" will not find "Hamas")."""
    return re.sub(r"[’‘ʼ`´]", "'", name).casefold(), is_acronym(name)


def actors_graph(actors: Iterable[Actor]) -> Graph:
    """The Turtle-ready graph of actors, one node per IRI.

    Alternative labels that differ from the label or from each other only in case or in
    the style of apostrophe (UN ’ against OFAC ') are dropped: the extractor folds both
    (except for acronyms, which sources write in one case), so they would be noise.
    """
    graph = Graph(bind_namespaces="none")
    for prefix in ("kg", "rdfs", "skos", "dcterms", "wd"):
        graph.bind(prefix, PREFIXES[prefix])
    for actor in actors:
        iri = actor.iri
        graph.add((iri, RDF.type, actor.type))
        graph.add((iri, RDFS.label, _name_literal(actor.label)))
        seen = {_variant_key(actor.label)}
        for alias in actor.aliases:
            if _variant_key(alias) not in seen:
                seen.add(_variant_key(alias))
                graph.add((iri, SKOS.altLabel, _name_literal(alias)))
        for source in actor.sources:
            graph.add((iri, DCTERMS.source, Literal(source)))
        for match in actor.exact_matches:
            graph.add((iri, SKOS.exactMatch, match))
    return graph


def write_turtle(graph: Graph, path: Path, header: str) -> None:
    """Write the graph with a comment header; rdflib sorts subjects and objects."""
    body = graph.serialize(format="turtle")
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    path.write_text(comment + "\n" + body, encoding="utf-8")


def _require(path: Path) -> Path:
    if not path.is_file():
        raise SourceMissingError(f"missing source file: {path}")
    return path


# ---------------------------------------------------------------------------------------
# 1. States from pycountry
# ---------------------------------------------------------------------------------------


class Conventional(NamedTuple):
    """English names of a country that ISO 3166 (and so pycountry) does not carry."""

    short: str | None  # the label, when pycountry has no common name
    aliases: tuple[str, ...]


# Keyed by ISO 3166-1 alpha-3. General English usage in news and official prose, kept
# short: only what pycountry lacks (it already has "Iran", "Syria", "South Korea" ...).
CONVENTIONAL_NAMES: dict[str, Conventional] = {
    # The usual abbreviations and the colloquial "America".
    "USA": Conventional(None, ("U.S.", "US", "U.S.A.", "America", "United States of America")),
    # pycountry's official name is the long form only.
    "GBR": Conventional(None, ("UK", "U.K.", "Britain", "Great Britain")),
    # ISO name "Russian Federation" has no common-name entry in pycountry.
    "RUS": Conventional("Russia", ()),
    # ISO adopted "Türkiye" in 2022; English prose still mostly writes "Turkey".
    "TUR": Conventional(None, ("Turkey",)),
    # ISO name is "Palestine, State of"; "Palestine" is the usual short form.
    "PSE": Conventional("Palestine", ()),
    # "Korea, Republic of" / "Korea, Democratic People's Republic of": spell out the
    # official English forms pycountry has only in inverted order.
    "KOR": Conventional(None, ("Republic of Korea",)),
    "PRK": Conventional(None, ("DPRK",)),
    # The Congos: the usual disambiguating short forms.
    "COD": Conventional("Democratic Republic of the Congo", ("DR Congo", "DRC")),
    "COG": Conventional(None, ("Congo-Brazzaville",)),
    # English exonyms still current beside the ISO names.
    "CIV": Conventional(None, ("Ivory Coast",)),
    "CPV": Conventional(None, ("Cape Verde",)),
    "MMR": Conventional(None, ("Burma",)),
    "TLS": Conventional(None, ("East Timor",)),
    "SWZ": Conventional(None, ("Swaziland",)),
    "CZE": Conventional(None, ("Czech Republic",)),
    "ARE": Conventional(None, ("UAE",)),
    "VAT": Conventional("Vatican City", ("Vatican",)),
    "BRN": Conventional("Brunei", ()),
}

# ISO alpha-3 codes that English prose uses as a name of the country; the others ("IRN",
# "SYR") are not written as names, and as gazetteer entries they would only add noise.
ALPHA3_AS_NAME = frozenset({"USA"})

# A comma form is ISO's inverted order ("Korea, Republic of", "Virgin Islands, British")
# when what follows the comma ends in "of"/"of the" or is a single word; otherwise it is
# a list or a qualifier ("Bonaire, Sint Eustatius and Saba", "Taiwan, Province of China").
_INVERTED = re.compile(r"^(?P<head>[^,]+), (?P<tail>(?:[^,]* of(?: the)?)|(?:\S+))$")


def uninvert(name: str) -> str | None:
    """ISO's "Korea, Republic of" as "Republic of Korea"; None if `name` is not inverted."""
    match = _INVERTED.match(name)
    if not match:
        return None
    text = f"{match['tail']} {match['head']}"
    return re.sub(r"^[Tt]he ", "", text)


def _usable(name: str | None) -> str | None:
    """A pycountry name fit to be a label or alias: not a comma form, no leading "the"."""
    if not name:
        return None
    if "," in name:
        return uninvert(name)
    return re.sub(r"^the ", "", name)


def state_actors() -> list[Actor]:
    actors = []
    for country in pycountry.countries:
        alpha3: str = country.alpha_3
        name: str = country.name
        common: str | None = getattr(country, "common_name", None)
        official: str | None = getattr(country, "official_name", None)
        conventional = CONVENTIONAL_NAMES.get(alpha3, Conventional(None, ()))
        label = common or conventional.short or _usable(name) or _usable(official) or name
        aliases = [n for n in (_usable(name), _usable(official)) if n]
        if alpha3 in ALPHA3_AS_NAME:
            aliases.append(alpha3)
        aliases.extend(conventional.aliases)
        actors.append(Actor(KG.State, label, aliases, {SRC_PYCOUNTRY}))
    return actors


# ---------------------------------------------------------------------------------------
# 2. Designation lists
# ---------------------------------------------------------------------------------------

# The lists are read by kg.lists' readers and their names cased by kg.lists.names, the
# code kg ingests lists into the graph with, so a name gets one spelling (and actor IRI).


@dataclass
class Listing:
    """One entry of one list, before entries naming the same actor are merged."""

    type: URIRef
    names: list[str]  # the first is the list's primary name
    source: str
    order: int  # position in the source, to keep merges deterministic


@dataclass
class DesignationStats:
    listings: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: list[str] = field(default_factory=list)
    merged: list[list[str]] = field(default_factory=list)


# OFAC programmes for terrorist groups: an entity listed under one is an armed group even
# when no word of its names or remarks says so (the reader's `armed` flag reads only those).
_ARMED_PROGRAMS = frozenset({"FTO", "SDGT"})


def read_designations(
    path: Path, reader: Callable[[Path, str], ListVersion], source: str, stats: DesignationStats
) -> list[Entry]:
    """The entries of one list file, read by its kg.lists reader; the records the reader
    could not read (and OFAC's vessels and aircraft, which are not actors) are noted in
    `stats.skipped`."""
    try:
        text = _require(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceMissingError(f"{path}: not UTF-8 text: {error}") from error
    version = reader(path, text)
    if not version.entries:
        raise SourceMissingError(f"{path}: no entry could be read as the {source}")
    stats.skipped.extend(f"{source} {p.where}: {p.problem}" for p in version.problems)
    stats.skipped.extend(f"{source}: {warning}" for warning in version.warnings)
    if version.skipped_property:
        stats.skipped.append(
            f"{source}: {version.skipped_property} vessels and aircraft, not actors"
        )
    return version.entries


def _names(entry: Entry) -> list[str]:
    """An entry's names as the list writes them, the primary name first."""
    return [entry.name, *entry.aliases]


def ofac_type(entry: Entry) -> URIRef:
    """People are people; a group is an armed group if the reader marks it armed (a word
    such as "brigades" or "militia" in its names or remarks) or it is listed under FTO or
    SDGT, else an organization."""
    if entry.kind == PERSON:
        return KG.Person
    if entry.armed or _ARMED_PROGRAMS & set(entry.programs):
        return KG.ArmedGroup
    return KG.Organization


def _merge_keys(listing: Listing) -> Iterator[tuple[URIRef, str]]:
    """The keys under which listings meet: the normalised primary name and every alias
    except acronyms, which lists share between unrelated groups (AAA, ASG, IG)."""
    for n, name in enumerate(listing.names):
        key = normalize_name(name)
        if key and (n == 0 or not looks_like_acronym(name.replace(".", ""))):
            yield listing.type, key


def merge_listings(listings: list[Listing], stats: DesignationStats) -> list[Actor]:
    """One actor per group of listings that share a type and a normalised name."""
    parent = list(range(len(listings)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with_key: dict[tuple[URIRef, str], int] = {}
    for i, listing in enumerate(listings):
        for key in _merge_keys(listing):
            if key in first_with_key:
                parent[find(i)] = find(first_with_key[key])
            else:
                first_with_key[key] = i
    groups: dict[int, list[Listing]] = defaultdict(list)
    for i, listing in enumerate(listings):
        groups[find(i)].append(listing)
    actors = []
    for members in groups.values():
        members.sort(key=lambda m: (LABEL_PRIORITY[m.source], m.order))
        if len(members) > 1:
            stats.merged.append([f"{m.source}: {m.names[0]}" for m in members])
        names = [name for m in members for name in m.names]
        actors.append(Actor(members[0].type, names[0], names[1:], {m.source for m in members}))
    return actors


def designation_actors(shared: Path) -> tuple[list[Actor], DesignationStats]:
    stats = DesignationStats()
    # The reader does without alt.csv; the gazetteer would silently lose OFAC's aliases.
    _require(shared / OFAC_DIR / "alt.csv")
    ofac = read_designations(shared / OFAC_DIR / "sdn.csv", ofac_csv.read_sdn_csv, SRC_OFAC, stats)
    fto_entries = read_designations(shared / FTO_CSV, fto.read_fto, SRC_FTO, stats)
    # UN individuals, then entities (the list's own sections), as the merge order has been.
    un = sorted(
        read_designations(shared / UN_XML, un_xml.read_un_xml, SRC_UN, stats),
        key=lambda entry: entry.kind != PERSON,
    )
    # Acronyms the lists themselves give: OFAC a.k.a.s that are a single acronym-shaped
    # word, and the parenthesised acronyms of the FTO list. A word of a longer OFAC name
    # that is one of them stays in capitals ("Hizballah ESO", "Force of the IRGC").
    acronyms = frozenset(
        {
            n
            for entry in ofac
            if entry.kind != PERSON
            for n in _names(entry)
            if looks_like_acronym(n)
        }
        | {n for entry in fto_entries for n in entry.aliases if n.isupper() and "/" not in n}
    )
    # The FTO list is written in mixed case and its entries are all armed groups.
    listings = [
        Listing(KG.ArmedGroup, _names(entry), SRC_FTO, n) for n, entry in enumerate(fto_entries)
    ]
    for n, entry in enumerate(ofac):
        cased = [
            person_name(x, acronyms) if entry.kind == PERSON else case_name(x, acronyms)
            for x in _names(entry)
        ]
        listings.append(Listing(ofac_type(entry), cased, SRC_OFAC, n))
    # UN entities are all on terrorism or non-proliferation regimes: armed groups.
    for n, entry in enumerate(un):
        person = entry.kind == PERSON
        cased = [case_name(x, acronyms, person=person) for x in _names(entry)]
        listings.append(Listing(KG.Person if person else KG.ArmedGroup, cased, SRC_UN, n))
    for listing in listings:
        stats.listings[listing.source] += 1
    return merge_listings(listings, stats), stats


# ---------------------------------------------------------------------------------------
# 3. Wikidata subset
# ---------------------------------------------------------------------------------------

# What an item's place in a statement says about it, for items the subset gives no P31:
# Wikidata's property constraints fix what may stand as subject or value.
ROLE_TYPES: dict[tuple[str, URIRef], URIRef] = {
    ("subject", WDT.P530): KG.State,  # diplomatic relation: between states
    ("value", WDT.P530): KG.State,
    ("subject", WDT.P122): KG.State,  # basic form of government
    ("value", WDT.P17): KG.State,  # country
    ("value", WDT.P194): KG.GovernmentBody,  # legislative body
    ("value", WDT.P463): KG.Organization,  # member of: what one is a member of
}

# Places in statements that make an item a non-actor: a class, a continent, a capital
# city, a form of government. Such items are skipped whatever their name matches.
NON_ACTOR_ROLES = frozenset(
    {
        ("value", WDT.P31),  # instance of: a class
        ("value", WDT.P279),  # subclass of: a class
        ("value", WDT.P30),  # continent
        ("value", WDT.P36),  # capital: a city
        ("value", WDT.P122),  # basic form of government
    }
)

# English descriptions, for items with no P31 and no telling role; first match wins, so
# "militant leader" is a person and "jihadist militant organization" an armed group.
DESCRIPTION_TYPES: tuple[tuple[re.Pattern[str], URIRef], ...] = (
    (re.compile(r"^(?:sovereign )?(?:country|state) in\b"), KG.State),
    (
        re.compile(
            r"\b(?:militant|militia|paramilitary|terrorist|insurgent|rebel|guerrilla"
            r"|jihadist|armed) (?:\w+ )?(?:organi[sz]ation|group|movement)\b"
        ),
        KG.ArmedGroup,
    ),
    (re.compile(r"\b(?:ministry|legislature|parliament|government agency)\b"), KG.GovernmentBody),
    (
        re.compile(r"\b(?:politician|diplomat|cleric|military officer|businessperson|leader)\b"),
        KG.Person,
    ),
    (re.compile(r"\b(?:organi[sz]ation|company|political party)\b"), KG.Organization),
)

_ORGANIZATION_SUBTYPES = frozenset({KG.ArmedGroup, KG.GovernmentBody})


@dataclass
class WikidataItem:
    qid: URIRef
    label: str
    aliases: list[str]
    description: str
    classes: set[URIRef] = field(default_factory=set)
    roles: set[tuple[str, URIRef]] = field(default_factory=set)


@dataclass
class WikidataStats:
    typed_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: list[str] = field(default_factory=list)
    aligned: list[str] = field(default_factory=list)


def _english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return sorted(
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == "en"
    )


def read_wikidata(path: Path) -> list[WikidataItem]:
    graph = Graph()
    try:
        graph.parse(_require(path), format="turtle")
    except SyntaxError as error:
        raise SourceMissingError(f"{path}: not readable as Turtle: {error}") from error
    items: dict[URIRef, WikidataItem] = {}
    subjects = {s for s in graph.subjects(RDFS.label, None) if isinstance(s, URIRef)}
    for subject in sorted(subjects):
        if not subject.startswith(str(WD)):
            continue
        labels = _english(graph, subject, RDFS.label)
        if labels:
            description = _english(graph, subject, SCHEMA.description)
            items[subject] = WikidataItem(
                subject,
                labels[0],
                labels[1:] + _english(graph, subject, SKOS.altLabel),
                description[0] if description else "",
            )
    for node, predicate, value in graph:
        if not (isinstance(predicate, URIRef) and predicate.startswith(str(WDT))):
            continue
        if isinstance(node, URIRef) and node in items:
            items[node].roles.add(("subject", predicate))
            if predicate == WDT.P31 and isinstance(value, URIRef):
                items[node].classes.add(value)
        if isinstance(value, URIRef) and value in items:
            items[value].roles.add(("value", predicate))
    return [items[k] for k in sorted(items)]


def _most_specific(types: set[URIRef]) -> URIRef | None:
    """The one type the evidence agrees on; Organization yields to its subtypes."""
    if types & _ORGANIZATION_SUBTYPES:
        types = types - {KG.Organization}
    return next(iter(types)) if len(types) == 1 else None


class NameIndex:
    """The actors of the other gazetteer files by normalised label and by alias."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.by_label: dict[str, list[Actor]] = defaultdict(list)
        self.by_alias: dict[str, list[Actor]] = defaultdict(list)
        for actor in actors:
            self.by_label[normalize_name(actor.label)].append(actor)
            for alias in actor.aliases:
                if not looks_like_acronym(alias.replace(".", "")):
                    self.by_alias[normalize_name(alias)].append(actor)

    def matches(self, item: WikidataItem) -> list[Actor]:
        """Actors that are this item by name: any of its names is their label, or its
        label is one of their aliases. An alias of the item against an alias of theirs is
        not enough: lists give a group the names of others it absorbed or fronted for."""
        found: dict[URIRef, Actor] = {}
        for name in [item.label, *item.aliases]:
            for actor in self.by_label.get(normalize_name(name), []):
                found[actor.iri] = actor
        for actor in self.by_alias.get(normalize_name(item.label), []):
            found[actor.iri] = actor
        return [found[k] for k in sorted(found)]


def wikidata_type(
    item: WikidataItem, classes: dict[URIRef, URIRef], index: NameIndex
) -> tuple[URIRef | None, str]:
    """An item's actor type and the evidence used, or None and why it is skipped."""
    if item.classes:
        kind = _most_specific({classes[c] for c in item.classes if c in classes})
        return (kind, "P31") if kind else (None, "no P31 class is an actor class")
    if item.roles & NON_ACTOR_ROLES:
        return None, "a class, continent, capital or form of government"
    kind = _most_specific({ROLE_TYPES[r] for r in item.roles if r in ROLE_TYPES})
    if kind:
        return kind, "statement role"
    for pattern, pattern_type in DESCRIPTION_TYPES:
        if pattern.search(item.description):
            return pattern_type, "description"
    kind = _most_specific({a.type for a in index.matches(item)})
    if kind:
        return kind, "name in another source"
    return None, "no P31, role, description or name that tells its type"


def wikidata_actors(path: Path, others: list[Actor]) -> tuple[list[Actor], WikidataStats]:
    """Typable items of the Wikidata subset, each on the node of the actor it names in
    the other sources when exactly one actor of its type does (so that
    skos:exactMatch lands on the designated ISIL node, not on a twin), else on its own."""
    stats = WikidataStats()
    classes = class_types()
    index = NameIndex(others)
    actors = []
    for item in read_wikidata(path):
        kind, evidence = wikidata_type(item, classes, index)
        if kind is None:
            stats.skipped.append(f"{item.qid.removeprefix(str(WD))} {item.label}: {evidence}")
            continue
        stats.typed_by[evidence] += 1
        names = [item.label, *item.aliases]
        same = [a for a in index.matches(item) if a.type == kind]
        label = item.label
        if len(same) == 1:
            label = same[0].label
            if label != item.label:
                stats.aligned.append(f"{item.qid.removeprefix(str(WD))} {item.label} -> {label}")
        actors.append(
            Actor(kind, label, [n for n in names if n != label], {SRC_WIKIDATA}, {item.qid})
        )
    return actors, stats


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------


def _type_counts(actors: list[Actor]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for actor in actors:
        counts[actor.type.removeprefix(str(KG._NS))] += 1
    return ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))


def _check_unique(actors: list[Actor], filename: str) -> None:
    """Warn when two actors of one file land on one IRI: look-alike names of one type."""
    by_iri: dict[URIRef, list[str]] = defaultdict(list)
    for actor in actors:
        by_iri[actor.iri].append(actor.label)
    for iri, labels in sorted(by_iri.items()):
        if len(labels) > 1:
            print(f"  warning: {filename}: {labels} share {iri}", file=sys.stderr)


def build(shared: Path, out: Path, *, verbose: bool = False) -> None:
    states = state_actors()
    designations, dstats = designation_actors(shared)
    wikidata, wstats = wikidata_actors(shared / WIKIDATA_TTL, states + designations)
    out.mkdir(parents=True, exist_ok=True)
    files = (
        (
            "states.ttl",
            states,
            "Every ISO 3166-1 country (pycountry) as kg:State, with "
            "conventional English short forms.",
        ),
        (
            "designations.ttl",
            designations,
            "Actors on the OFAC SDN list, the US State "
            "Department FTO list and the UN Security Council Consolidated List,\nentries "
            "naming one actor merged.",
        ),
        (
            "wikidata.ttl",
            wikidata,
            "Typable items of the offline Wikidata subset, with skos:exactMatch to their QID.",
        ),
    )
    for filename, actors, what in files:
        _check_unique(actors, filename)
        header = (
            f"{what}\nGenerated by scripts/make_gazetteer.py; do not edit by hand (see README.md)."
        )
        write_turtle(actors_graph(actors), out / filename, header)
        nodes = len({a.iri for a in actors})
        print(f"{out / filename}: {nodes} actors ({_type_counts(actors)})")
    sources = ", ".join(f"{n} {s}" for s, n in sorted(dstats.listings.items()))
    print(
        f"  designations: {sources} entries; {len(dstats.merged)} merged groups; "
        f"{len(dstats.skipped)} skipped"
    )
    typed = ", ".join(f"{n} by {e}" for e, n in sorted(wstats.typed_by.items()))
    print(
        f"  wikidata: typed {typed}; {len(wstats.aligned)} on another source's node; "
        f"{len(wstats.skipped)} skipped"
    )
    if verbose:
        for group in dstats.merged:
            print("  merged: " + " + ".join(group))
        for line in dstats.skipped + wstats.skipped:
            print(f"  skipped: {line}")
        for line in wstats.aligned:
            print(f"  aligned: {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO_ROOT.parent / "shared",
        help="folder with designations/ and wikidata/ (default: ../shared)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "gazetteer",
        help="folder to write the .ttl files to (default: gazetteer/)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list merged entries, skipped items and cross-source alignments",
    )
    args = parser.parse_args(argv)
    try:
        build(args.shared, args.out, verbose=args.verbose)
    except SourceMissingError as error:
        print(f"make_gazetteer: {error} (check --shared, now {args.shared})", file=sys.stderr)
        return 2
    except (OSError, csv.Error) as error:
        print(f"make_gazetteer: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
