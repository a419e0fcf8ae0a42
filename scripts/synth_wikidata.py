"""A synthetic, Wikidata-shaped dataset for benchmarking the reconciler, with its truth.

Why: the reconciler's targets (requests per actor, zero requests on a cached re-run,
actors linked per second) must be measured against an endpoint of Wikidata's size and
shape, without the network and without asking a public service thousands of questions.
The real Wikidata subset under ../shared is a few hundred items: too small to show what
a scan costs. So this script writes N items (default 100,000) in Wikidata's own RDF
vocabulary, which `oxigraph load` reads and `oxigraph serve-read-only` serves:

* items are ``wd:Q...`` IRIs from Q900000000 up, a range far above real QIDs, so a
  synthetic item can never be mistaken for a real one;
* ``rdfs:label`` and ``skos:altLabel`` in English (a few in ``mul``, a few French labels
  that the English-only filters must skip), ``schema:description`` in English;
* ``wdt:P31`` to real class items (Q5 human, Q6256 country, Q17149090 armed organization,
  Q327333 government agency, Q43229 organization and the classes of
  lexicon/wikidata-classes.tsv), and to synthetic subclasses that reach them through
  ``wdt:P279`` chains of up to three steps, so that ``class-ancestors.rq`` does real work;
  also non-actor classes (film, book, village, ship) whose items share actors' names;
* ``wdt:P17``/``wdt:P27`` to synthetic countries, ``wdt:P361``/``wdt:P463`` to groups.

Names are made of syllables with a seeded generator, so every run writes the same file,
and are built to make scoring work: surnames shared by many people, namesakes (two people
with one name), group names sharing their distinctive word ("Zorama Brigades", "Jaysh
al-Zorama"), ministries called "Ministry of Defence" in every country, films named after
people. Given names and particles come from lexicon/transliteration.tsv and
lexicon/given-names.tsv, so that spelling variants ("Mohammed" for "Muhammad", "Kataib"
for "Kata'ib") exercise kg.reconcile.variants.

`sample_actors` picks the actors the benchmark links, each with the item it should link
to (the truth) or None: exact labels, aliases, spelling variants, names in capitals as
designation lists write them, surnames alone, near misses only a word search finds, and
names no item has.

Run from the repository root::

    .venv/bin/python scripts/synth_wikidata.py [--entities N] [--seed S] [--out FILE.nt]
        [--actors M] [--truth FILE.tsv]

It writes the N-Triples file and, with --truth, the actors and their truth as TSV.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SKOS_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
SCHEMA_DESC = "<http://schema.org/description>"
FIRST_QID = 900_000_000  # far above real Wikidata QIDs (about Q130,000,000 in 2025)

# Real Wikidata classes. Those kg knows (ontology alignments and wikidata-classes.tsv):
HUMAN, COUNTRY, SOVEREIGN = "Q5", "Q6256", "Q3624078"
ARMED_ORG, TERRORIST_ORG = "Q17149090", "Q17127659"
GOV_AGENCY, MINISTRY, GOV_ORG = "Q327333", "Q192350", "Q2659904"
ORGANIZATION, COMPANY, NGO, PARTY, NONPROFIT = "Q43229", "Q783794", "Q79913", "Q7278", "Q163740"
# ... and classes kg does not know: their items are not actors.
FILM, BOOK, VILLAGE, SHIP = "Q11424", "Q571", "Q532", "Q11446"
REAL_CLASS_LABELS = {
    HUMAN: "human", COUNTRY: "country", SOVEREIGN: "sovereign state",
    ARMED_ORG: "armed organization", TERRORIST_ORG: "terrorist organization",
    GOV_AGENCY: "government agency", MINISTRY: "ministry", GOV_ORG: "government organization",
    ORGANIZATION: "organization", COMPANY: "company", NGO: "non-governmental organization",
    PARTY: "political party", NONPROFIT: "nonprofit organization", FILM: "film",
    BOOK: "book", VILLAGE: "village", SHIP: "ship",
}

_ONSETS = ("b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "r", "s", "t", "v", "z",
           "sh", "kh", "q", "th", "w", "y")
_VOWELS = ("a", "e", "i", "o", "u", "a", "i", "ou", "ai")
_CODAS = ("", "", "", "n", "r", "m", "l", "d", "s", "b", "k")
# Given names from the lexicons (variants of them are what kg must see through) and
# generic English ones; the rest of the given names are made of syllables.
_LEXICON_GIVEN = ("Muhammad", "Hussein", "Ahmad", "Qais", "Qasem", "Mike", "Bill", "Bob",
                  "Jim", "Joe", "Tom", "Dave", "Ted", "Kate", "Maggie", "Michael", "William",
                  "Robert", "James", "Elizabeth")
_SPELLING_SWAPS = {  # canonical spelling in the data -> how a text writes it
    "Muhammad": "Mohammed", "Hussein": "Husayn", "Ahmad": "Ahmed", "Qais": "Qays",
    "Qasem": "Qassem", "Kata'ib": "Kataib", "Hezbollah": "Hizballah", "Asa'ib": "Asaib",
    "al-": "al ",
}
_SHORT_FORMS = {"Mike": "Michael", "Bill": "William", "Bob": "Robert", "Jim": "James",
                "Joe": "Joseph", "Tom": "Thomas", "Dave": "David", "Ted": "Edward",
                "Kate": "Katherine", "Maggie": "Margaret"}
_GROUP_PATTERNS = ("{w} Brigades", "Kata'ib {w}", "Jaysh al-{w}", "{w} Liberation Front",
                   "Army of {w}", "{w} Movement", "Saraya al-{w}", "Asa'ib al-{w}",
                   "Hezbollah {w}", "{w} Martyrs Battalion")
_ORG_PATTERNS = ("{w} Holdings", "{w} Trading Company", "{w} Foundation", "{w} Party",
                 "{w} Relief Society", "{w} Shipping Line", "Bank of {w}")
_MINISTRIES = ("Defence", "Interior", "Finance", "Foreign Affairs", "Justice", "Oil",
               "Health", "Intelligence", "Security", "Energy")
_OTHER_CLASSES = (FILM, BOOK, VILLAGE, SHIP)

KINDS = ("person", "armed", "org", "gov", "state", "other", "class")


@dataclass
class Item:
    """One synthetic Wikidata item: what the N-Triples file says about it."""

    qid: str
    kind: str  # one of KINDS
    label: str
    label_lang: str = "en"
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    classes: list[str] = field(default_factory=list)  # P31 (or P279 for a class)
    countries: list[str] = field(default_factory=list)  # P17 (P27 for a person)
    part_of: list[str] = field(default_factory=list)  # P361 / P463
    french: str | None = None
    surname: str | None = None


@dataclass(frozen=True)
class BenchActor:
    """An actor for the reconciler and the item it should link to (None: no item)."""

    label: str
    kind: str  # person, armed, org, gov, state
    how: str  # exact, alias, variant, capitals, surname, near, none
    truth: str | None
    aliases: tuple[str, ...] = ()


class Names:
    """Seeded syllable names; each call to `fresh` gives a word not given before."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def word(self, syllables: int) -> str:
        rng = self.rng
        parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                 for _ in range(syllables)]
        return "".join(parts).capitalize()

    def fresh(self, low: int = 2, high: int = 3) -> str:
        while True:
            word = self.word(self.rng.randint(low, high))
            if len(word) >= 4 and word.lower() not in self.used:
                self.used.add(word.lower())
                return word


def _qids(start: int) -> Iterator[str]:
    n = start
    while True:
        yield f"Q{n}"
        n += 1


def _synthetic_classes(qid: Iterator[str]) -> tuple[list[Item], dict[str, list[str]]]:
    """Subclass chains to kg's classes (and one that reaches none), by actor kind."""
    items: list[Item] = []

    def cls(label: str, parent: str | None) -> str:
        item = Item(next(qid), "class", label, description="synthetic class",
                    classes=[parent] if parent else [])
        items.append(item)
        return item.qid

    militant = cls("militant wing", ARMED_ORG)
    brigade = cls("insurgent brigade", militant)
    unit = cls("rebel unit", brigade)  # three steps to armed organization
    paramilitary = cls("paramilitary force", ARMED_ORG)
    cell = cls("designated cell", TERRORIST_ORG)
    holding = cls("holding company", COMPANY)
    charity = cls("charitable foundation", NONPROFIT)
    league = cls("political league", PARTY)
    provincial = cls("provincial ministry", MINISTRY)
    security = cls("security agency", GOV_AGENCY)
    directorate = cls("intelligence directorate", security)
    fictional = cls("fictional entity", None)  # reaches no class kg knows
    fictional_group = cls("fictional armed group", fictional)
    return items, {
        "armed": [unit, brigade, militant, paramilitary, cell, fictional_group],
        "org": [holding, charity, league],
        "gov": [provincial, security, directorate],
    }


def generate(entities: int = 100_000, seed: int = 7) -> list[Item]:
    """The items of the dataset: `entities` items in all (classes and countries included),
    the same for the same arguments."""
    rng = random.Random(seed)
    names = Names(rng)
    qid = _qids(FIRST_QID)
    classes, subclasses = _synthetic_classes(qid)
    items: list[Item] = list(classes)
    n_states = max(10, entities // 500)
    rest = entities - len(classes) - n_states
    n_person, n_armed, n_org, n_gov = (int(rest * f) for f in (0.5, 0.15, 0.15, 0.07))
    n_other = rest - n_person - n_armed - n_org - n_gov

    states: list[Item] = []
    for _ in range(n_states):
        stem = names.fresh(2, 3)
        label = stem + rng.choice(("istan", "ia", "land", "ania", "stan", "ea"))
        states.append(Item(next(qid), "state", label, aliases=[f"Republic of {label}"],
                           description="synthetic sovereign state",
                           classes=[COUNTRY] if rng.random() < 0.7 else [COUNTRY, SOVEREIGN]))
    items += states

    def country() -> str:
        return rng.choice(states).qid

    def typed(kind: str, direct: list[str]) -> list[str]:
        return [rng.choice(subclasses[kind])] if rng.random() < 0.3 else [rng.choice(direct)]

    # People: most surnames shared by about six people each; given names from a small pool.
    surnames = [("al-" if rng.random() < 0.3 else "") + names.fresh(2, 3)
                for _ in range(max(1, n_person // 6))]
    given = list(_LEXICON_GIVEN) + [names.fresh(2, 2) for _ in range(400)]
    people: list[Item] = []
    for _ in range(n_person):
        if people and rng.random() < 0.03:  # a namesake: same name, another person
            twin = rng.choice(people)
            first, surname = twin.label.rsplit(" ", 1)[0], twin.surname or ""
        else:
            first = rng.choice(given)
            # Most surnames are shared; one in eight is the person's alone.
            surname = rng.choice(surnames) if rng.random() < 0.875 else names.fresh(2, 3)
        label = f"{first} {surname}"
        where = country()
        person = Item(next(qid), "person", label, surname=surname, classes=[HUMAN],
                      countries=[where],
                      description=rng.choice(("politician", "military commander", "businessman",
                                              "cleric", "militant", "journalist")))
        if rng.random() < 0.25:
            person.aliases.append(f"Abu {names.fresh(2, 2)}")
        if rng.random() < 0.1:
            person.aliases.append(f"{first} {names.fresh(2, 2)} {surname}")
        if rng.random() < 0.02:  # Wikidata's "mul" label, the same in every Latin script
            person.label_lang = "mul"
        people.append(person)
    items += people

    group_words = [names.fresh(2, 3) for _ in range(max(1, n_armed // 3))]
    armed: list[Item] = []
    taken: set[str] = set()  # group names are unique: namesakes are people's lot

    def unique(patterns: tuple[str, ...], words: list[str]) -> tuple[str, str]:
        while True:
            word = rng.choice(words)
            label = rng.choice(patterns).format(w=word)
            if label not in taken:
                taken.add(label)
                return label, word

    for _ in range(n_armed):
        label, word = unique(_GROUP_PATTERNS, group_words)
        group = Item(next(qid), "armed", label, description="synthetic armed group",
                     classes=typed("armed", [ARMED_ORG, ARMED_ORG, TERRORIST_ORG]),
                     countries=[country()])
        if rng.random() < 0.3:
            group.aliases.append("".join(w[0] for w in label.replace("-", " ").split()).upper())
        if rng.random() < 0.2:
            group.aliases.append(f"{word} Militia")
        if armed and rng.random() < 0.15:
            group.part_of.append(rng.choice(armed).qid)
        armed.append(group)
    items += armed
    for person in rng.sample(people, min(len(people), len(armed))):
        person.part_of.append(rng.choice(armed).qid)  # P463 member of

    org_words = [names.fresh(2, 3) for _ in range(max(1, n_org // 2))]
    for _ in range(n_org):
        items.append(Item(next(qid), "org", unique(_ORG_PATTERNS, org_words)[0],
                          description="synthetic organization",
                          classes=typed("org", [ORGANIZATION, COMPANY, NGO, PARTY, NONPROFIT]),
                          countries=[country()]))

    for _ in range(n_gov):
        state = rng.choice(states)
        if rng.random() < 0.6:
            domain = rng.choice(_MINISTRIES)
            label = f"Ministry of {domain} of {state.label}"
            aliases = [f"Ministry of {domain}"] if rng.random() < 0.3 else []
        else:
            label, aliases = f"{state.label} {names.fresh(2, 3)} Agency", []
        items.append(Item(next(qid), "gov", label, aliases=aliases,
                          description="synthetic government body",
                          classes=typed("gov", [GOV_AGENCY, MINISTRY, GOV_ORG]),
                          countries=[state.qid], part_of=[state.qid]))

    # Things that are not actors but carry actors' names (a film named after a person).
    named = [i for i in items if i.kind in ("person", "armed")]
    for _ in range(n_other):
        cls = rng.choice(_OTHER_CLASSES)
        label = rng.choice(named).label if rng.random() < 0.5 else names.fresh(2, 4)
        items.append(Item(next(qid), "other", label, classes=[cls],
                          description=f"synthetic {REAL_CLASS_LABELS[cls]}",
                          countries=[country()] if cls == VILLAGE else []))

    for item in items:
        if item.kind != "class" and rng.random() < 0.2:
            item.french = item.label
    return items


def _literal(text: str, lang: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"@{lang}'


def triples(items: Iterable[Item]) -> Iterator[str]:
    """N-Triples lines for the items, and labels for the real classes they use."""
    for qid, label in REAL_CLASS_LABELS.items():
        yield f"<{WD}{qid}> {RDFS_LABEL} {_literal(label, 'en')} .\n"
    for item in items:
        s = f"<{WD}{item.qid}>"
        yield f"{s} {RDFS_LABEL} {_literal(item.label, item.label_lang)} .\n"
        if item.french:
            yield f"{s} {RDFS_LABEL} {_literal(item.french, 'fr')} .\n"
        for alias in item.aliases:
            yield f"{s} {SKOS_ALT} {_literal(alias, 'en')} .\n"
        if item.description:
            yield f"{s} {SCHEMA_DESC} {_literal(item.description, 'en')} .\n"
        prop = "P279" if item.kind == "class" else "P31"
        for cls in item.classes:
            yield f"{s} <{WDT}{prop}> <{WD}{cls}> .\n"
        prop = "P27" if item.kind == "person" else "P17"
        for where in item.countries:
            yield f"{s} <{WDT}{prop}> <{WD}{where}> .\n"
        prop = "P463" if item.kind == "person" else "P361"
        for whole in item.part_of:
            yield f"{s} <{WDT}{prop}> <{WD}{whole}> .\n"


def write_ntriples(items: Iterable[Item], path: Path) -> int:
    """Write the dataset; return the number of triples."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for line in triples(items):
            out.write(line)
            count += 1
    return count


def _variant(item: Item, rng: random.Random) -> str | None:
    """How a text may write the item's name where Wikidata has another spelling."""
    label = item.label
    if item.kind == "person":
        first, _, rest = label.partition(" ")
        if first in _SHORT_FORMS:  # Wikidata's "Mike X" as "Michael R. X"
            return f"{_SHORT_FORMS[first]} {rng.choice('ABRJKM')}. {rest}"
    swaps = [(a, b) for a, b in _SPELLING_SWAPS.items() if a in label]
    if swaps:
        a, b = rng.choice(swaps)
        return label.replace(a, b, 1)
    return None


def _near(item: Item) -> str | None:
    """A name no spelling rule finds but a word search does (a singular, a word dropped)."""
    label = item.label
    if label.endswith(" Brigades"):
        return label[:-1]
    if label.endswith(" Liberation Front"):
        return label.replace(" Liberation Front", " Front")
    if label.endswith(" Martyrs Battalion"):
        return label.replace(" Martyrs Battalion", " Battalion")
    if label.endswith(" Trading Company"):
        return label.replace(" Trading Company", " Trading Co")
    return None


def sample_actors(items: list[Item], count: int = 2000, seed: int = 11) -> list[BenchActor]:
    """`count` actors to link, each with its truth; the same for the same arguments.

    Mix: 40% an item's exact label, 12% an alias, 15% a spelling variant, 5% in capitals,
    8% a person's surname alone, 8% a near miss, 12% a name no item has; then the
    countries of the items linked to, by their labels, as many as fit in 10% of `count`
    (a store that names a militia names its country: the states are the context
    `kg.reconcile.link.reconcile` weighs the other actors' countries against).
    """
    rng = random.Random(seed)
    by_qid = {i.qid: i for i in items}
    n_states = count // 10
    count -= n_states
    actors_kinds = ("person", "armed", "org", "gov")
    pool = [i for i in items if i.kind in actors_kinds]
    known = {n.lower() for i in items for n in (i.label, *i.aliases)}
    surname_count = Counter(i.surname for i in items if i.surname)
    names = Names(random.Random(seed + 1))
    names.used |= {w for n in known for w in n.split()}
    chosen: list[BenchActor] = []
    plan = ([("exact", 0.40), ("alias", 0.12), ("variant", 0.15), ("capitals", 0.05),
             ("surname", 0.08), ("near", 0.08)])
    targets = {how: int(count * share) for how, share in plan}
    targets["none"] = count - sum(targets.values())
    for how, wanted in targets.items():
        made = 0
        while made < wanted:
            item = rng.choice(pool)
            actor: BenchActor | None = None
            if how == "exact":
                actor = BenchActor(item.label, item.kind, how, item.qid)
            elif how == "alias" and item.aliases:
                actor = BenchActor(rng.choice(item.aliases), item.kind, how, item.qid)
            elif how == "variant":
                name = _variant(item, rng)
                if name:
                    actor = BenchActor(name, item.kind, how, item.qid)
            elif how == "capitals" and item.kind in ("armed", "org"):
                actor = BenchActor(item.label.upper(), item.kind, how, item.qid)
            elif how == "surname" and item.kind == "person" and item.surname:
                # Several people share most surnames: the truth is one of them, so a
                # link is right only when the surname is the item's alone.
                truth = item.qid if surname_count[item.surname] == 1 else None
                bare = item.surname.removeprefix("al-")
                actor = BenchActor(bare if rng.random() < 0.5 else item.surname,
                                   item.kind, how, truth)
            elif how == "near":
                name = _near(item)
                if name and name.lower() not in known:
                    actor = BenchActor(name, item.kind, how, item.qid)
            elif how == "none":
                actor = _unknown(item.kind, names, rng, items)
            if actor is not None:
                chosen.append(actor)
                made += 1
    countries = Counter(c for a in chosen if a.truth for c in by_qid[a.truth].countries)
    for qid, _ in countries.most_common(n_states):
        chosen.append(BenchActor(by_qid[qid].label, "state", "exact", qid))
    return chosen


def _unknown(kind: str, names: Names, rng: random.Random, items: list[Item]) -> BenchActor:
    """A name that no item has, some sharing a word with items (a known surname)."""
    if kind == "person":
        surname = rng.choice([i.surname for i in items[:5000] if i.surname] or ["x"])
        label = f"{names.fresh(2, 2)} {surname if rng.random() < 0.5 else names.fresh()}"
    elif kind == "armed":
        label = rng.choice(_GROUP_PATTERNS).format(w=names.fresh())
    elif kind == "org":
        label = rng.choice(_ORG_PATTERNS).format(w=names.fresh())
    elif kind == "gov":
        label = f"{names.fresh()} Agency"
    else:
        label = names.fresh(3, 3) + "ia"
    return BenchActor(label, kind, "none", None)


def write_truth(actors: Iterable[BenchActor], path: Path) -> None:
    """The actors as TSV: label, kind, how it was made, the QID it should link to."""
    with path.open("w", encoding="utf-8") as out:
        out.write("label\tkind\thow\ttruth\n")
        for a in actors:
            out.write(f"{a.label}\t{a.kind}\t{a.how}\t{a.truth or ''}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("synthetic-wikidata.nt"))
    parser.add_argument("--actors", type=int, default=2000)
    parser.add_argument("--truth", type=Path, help="write the actors and their truth here")
    args = parser.parse_args(argv)
    items = generate(args.entities, args.seed)
    n = write_ntriples(items, args.out)
    kinds = Counter(i.kind for i in items)
    print(f"{len(items)} items, {n} triples -> {args.out}; "
          + ", ".join(f"{k} {kinds[k]}" for k in KINDS))
    if args.truth:
        actors = sample_actors(items, args.actors)
        write_truth(actors, args.truth)
        print(f"{len(actors)} actors with their truth -> {args.truth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
