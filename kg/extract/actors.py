"""Actors named in a text: spaCy's entities and the gazetteer, merged into one node per
actor with every surface form the document uses for it.

Why both: spaCy finds names nobody listed (a local commander, an analyst), the gazetteer
knows the type and canonical name of actors spaCy mislabels ("Asaib Ahl Al-Haq" as a
PERSON) or misses. Within a document, short forms are joined to the one longer name they
abbreviate ("Al Mayahi" to "Hashem Al Mayahi", "Asaib" to "Asaib Ahl Al-Haq", an acronym
to the name it stands for); when the antecedent is ambiguous they stay apart.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef

from kg.extract import ActorMention, Context, register
from kg.extract.gazetteer import (
    Gazetteer,
    KnownActor,
    capital_states,
    demonym_states,
    is_acronym,
    load_gazetteer,
)
from kg.identity import actor_iri, normalize_name
from kg.namespace import KG, RDF, RDFS, SKOS
from kg.provenance import Run, add_evidence
from kg.resources import lexicon_entries

VERSION = "14"

_TYPES = {"ArmedGroup": KG.ArmedGroup, "GovernmentBody": KG.GovernmentBody,
          "Organization": KG.Organization}
_NER_LABELS = {"PERSON", "ORG", "GPE", "NORP"}
# A nationality adjective before an organization's name ("Iraqi", "Lebanese", "Afghan").
_DEMONYM = re.compile(r"^[a-z]+(i|ian|an|ese|ish)$")
_GOVERNMENT_OF = re.compile(r"^(?:the )?government of (.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    titles: frozenset[str]
    particles: frozenset[str]
    keywords: dict[str, URIRef]
    # Keywords that are also common nouns ("army", "council"): alone they name nobody.
    common: frozenset[str]
    # Names of list programs and instruments ("SDGT", "Foreign Terrorist Organization").
    not_actors: frozenset[str]


@functools.cache
def load_lexicon() -> Lexicon:
    return Lexicon(
        titles=frozenset(row[0].lower().rstrip(".") for row in lexicon_entries("titles.txt")),
        particles=frozenset(row[0].lower() for row in lexicon_entries("name-particles.txt")),
        keywords={row[0].lower(): _TYPES[row[1]] for row in lexicon_entries("actor-keywords.tsv")},
        common=frozenset(row[0].lower() for row in lexicon_entries("actor-keywords.tsv")
                         if row[2:] != ["name"]),
        not_actors=frozenset(normalize_name(row[0]) for row in lexicon_entries("not-actors.txt")),
    )


class Taken:
    """The characters already claimed by a mention: a later, weaker reading of the same
    text yields to them. A set of positions keeps the check linear in a long text."""

    def __init__(self) -> None:
        self.positions: set[int] = set()

    def add(self, start: int, end: int) -> None:
        self.positions.update(range(start, end))

    def overlaps(self, start: int, end: int) -> bool:
        return any(i in self.positions for i in range(start, end))


@dataclass
class Mention:
    """One span of text naming an actor, before the actors of the document are formed."""

    start: int
    end: int
    surface: str
    type: URIRef
    known: KnownActor | None = None
    # How sure the type is: 3 gazetteer, 2 a keyword of the name, 1 spaCy's PERSON,
    # 0 spaCy's ORG with nothing else to go on.
    certainty: int = 0
    # Whether the surface is a name of the actor (not so a nationality word, "Iranian").
    is_name: bool = True


@dataclass
class ActorInDoc:
    known: KnownActor | None
    mentions: list[Mention] = field(default_factory=list)

    @property
    def type(self) -> URIRef:
        if self.known is not None:
            if self.known.type == KG.Organization:
                # The catch-all type yields to what the name itself says ("... Forces").
                return _keyword_type(self.known.label, load_lexicon()) or KG.Organization
            return self.known.type
        return max(self.mentions, key=lambda m: (m.certainty, -m.start)).type

    @property
    def canonical(self) -> str:
        """The gazetteer's name, else the most used of the longest forms in the text."""
        if self.known is not None:
            return self.known.label
        counts: dict[str, int] = defaultdict(int)
        for m in self.mentions:
            counts[m.surface] += 1
        keys = {normalize_name(s) for s in counts}

        def qualified(surface: str) -> bool:  # "Iraqi X" when "X" is used too
            first, _, rest = normalize_name(surface).partition(" ")
            return _is_demonym(first) and rest in keys

        return max(counts, key=lambda s: (not qualified(s), len(s.split()), counts[s], len(s)))

    def names(self) -> set[str]:
        return {m.surface for m in self.mentions} | ({self.known.label} if self.known else set())


def _is_name_token(token: str, lexicon: Lexicon) -> bool:
    """A token that may belong to a proper name: capitalised, a particle, or punctuation
    inside a name (the hyphen of al-Haq, the apostrophe of Kata'ib)."""
    return token[:1].isupper() or token[:1].isdigit() or token.lower() in lexicon.particles or (
        not token[:1].isalnum())


def _gazetteer_mentions(parsed: object, text: str, gazetteer: Gazetteer) -> list[Mention]:
    tokens = list(parsed)  # type: ignore[call-overload]
    found: list[Mention] = []
    i = 0
    while i < len(tokens):
        match = None
        first = tokens[i].text
        first_key = normalize_name(first).split(" ", 1)[0]
        known_start = first_key in gazetteer.first_words or is_acronym(first)
        if known_start and (
            first[:1].isupper() or (first.lower() in ("al", "el") and i + 1 < len(tokens))
        ):
            for n in range(min(gazetteer.max_tokens + 2, len(tokens) - i), 0, -1):
                last = tokens[i + n - 1]
                if not last.text[:1].isalnum():
                    continue
                start, end = tokens[i].idx, last.idx + len(last.text)
                surface = text[start:end]
                if "\n" in surface:
                    continue
                if n == 1 and not (first[:1].isupper()):
                    continue
                candidates = gazetteer.lookup(surface)
                if candidates:
                    known = candidates[0]
                    match = Mention(start, end, surface, known.type, known, 3)
                    i += n
                    break
        if match:
            found.append(match)
        else:
            i += 1
    return found


def _inside_organizations(mentions: list[Mention], parsed: object) -> list[Mention]:
    """Drop a state found inside an organization's name ("the New America Foundation",
    "Bank of America"): the name is the organization's. A state at the start of the
    name ("U.S. Embassy") is kept, as the state it is."""
    names = [(e.start_char, e.end_char) for e in parsed.ents  # type: ignore[attr-defined]
             if e.label_ in ("ORG", "FAC")]
    return [m for m in mentions if m.type != KG.State or not any(
        start < m.start and m.end <= end for start, end in names)]


def _clean_entity(ent: object, text: str, lexicon: Lexicon) -> tuple[int, int] | None:
    """Trim an entity span to the name itself: no leading article or title, no possessive,
    no trailing punctuation; None when what is left is not a proper name."""
    tokens = [t for t in ent]  # type: ignore[attr-defined]
    if any(t.text == "(" for t in tokens):
        # "Office of Foreign Assets Control (OFAC": the acronym is read separately.
        tokens = tokens[: next(i for i, t in enumerate(tokens) if t.text == "(")]
    while tokens and (tokens[0].text.lower() in ("the", "a", "an", "by") or
                      tokens[0].text.lower().rstrip(".") in lexicon.titles):
        tokens = tokens[1:]
    while tokens and (tokens[-1].text in ("'s", "’s", "'", "’") or not tokens[-1].text[:1].isalnum()
                      or tokens[-1].text.lower().rstrip(".") in lexicon.titles):
        tokens = tokens[:-1]
    if any("/" in t.text for t in tokens):
        return None  # "AP Photo/Hadi Mizban": a credit line, not a name
    if not tokens:
        return None
    words = [t.text for t in tokens if t.text[:1].isalpha()]
    if not words or not all(_is_name_token(w, lexicon) for w in words):
        return None
    if not any(w[:1].isupper() for w in words):
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    if "\n" in text[start:end]:
        return None
    return start, end


_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or",
                          "the", "to", "with", "from", "after", "over"})


def _in_headline(text: str, position: int) -> bool:
    """Whether the line holding `position` is a title-case headline, where every word
    is capitalised and capitals say nothing about names."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if w.lower() not in _SMALL_WORDS]
    if len(words) < 4 or line.endswith((".", "?", "!", "”", '"')):
        return False
    return bool(sum(w[0].isupper() for w in words) >= 0.9 * len(words))


def _keyword_type(surface: str, lexicon: Lexicon) -> URIRef | None:
    words = normalize_name(surface).split()
    types = [lexicon.keywords[w] for w in words if w in lexicon.keywords]
    if KG.ArmedGroup in types:
        return KG.ArmedGroup
    return types[-1] if types else None


def _is_demonym(word: str) -> bool:
    """"Iraqi", "Afghan", "Lebanese"; not a group's own name that happens to end alike
    ("Taliban")."""
    return bool(_DEMONYM.match(word)) and word not in load_lexicon().keywords


def _state_forces(surface: str, gazetteer: Gazetteer) -> bool:
    """Whether a name starts with a state or its demonym ("US Army", "Iraqi Army")."""
    first = surface.split()[0]
    return _is_demonym(first.lower()) or any(
        k.type == KG.State for k in gazetteer.lookup(first))


def _ner_mentions(
    parsed: object, text: str, gazetteer: Gazetteer, taken: Taken
) -> list[Mention]:
    lexicon = load_lexicon()
    found: list[Mention] = []

    overlaps = taken.overlaps

    for ent in parsed.ents:  # type: ignore[attr-defined]
        if ent.label_ not in _NER_LABELS:
            continue
        span = _clean_entity(ent, text, lexicon)
        if span is None:
            continue
        start, end = span
        if ent.label_ == "PERSON":
            # spaCy often cuts a first name off ("Hashem" | "Al Mayahi"): take back the
            # capitalised tokens just before the span that are not titles.
            doc = ent.doc
            i = ent.start
            while i > 0 and doc[i - 1].idx < start and doc[i - 1].text[:1].isupper() and (
                doc[i - 1].text.lower().rstrip(".") not in lexicon.titles
                and doc[i - 1].is_alpha and doc[i - 1].idx + len(doc[i - 1].text) + 1 == start
                and (not doc[i - 1].is_sent_start or doc[i - 1].pos_ == "PROPN")
            ):
                start = doc[i - 1].idx
                i -= 1
        if overlaps(start, end):
            continue
        surface = text[start:end]
        words = normalize_name(surface).split()
        if all(w in lexicon.titles or w in lexicon.common or w in lexicon.particles
               for w in words):
            continue  # "State", "the Department": a bare title or common noun
        if normalize_name(surface) in lexicon.not_actors:
            continue
        known = gazetteer.lookup(surface)
        government = _GOVERNMENT_OF.match(surface)
        if government and not known:
            # "Government of Iraq" speaks for the state itself.
            known = [k for k in gazetteer.lookup(government.group(1)) if k.type == KG.State]
        if known:
            k = known[0]
            found.append(Mention(start, end, surface, k.type, k, 3))
            continue
        if ent.label_ in ("GPE", "NORP"):
            continue  # a place or a people, unless the gazetteer knows it as a state
        if ent.label_ != "PERSON" and _in_headline(text, start):
            continue  # "Expel US Troops": capitals that mark a headline, not a name
        actor_type, certainty = _keyword_type(surface, lexicon), 2
        if actor_type == KG.ArmedGroup and _state_forces(surface, gazetteer):
            actor_type = KG.GovernmentBody  # "US Army", "Iraqi army": a state's own forces
        if actor_type is None:
            actor_type, certainty = ((KG.Person, 1) if ent.label_ == "PERSON"
                                     else (KG.Organization, 0))
        found.append(Mention(start, end, surface, actor_type, None, certainty))
        taken.add(start, end)
    return found


_NAME_APOSTROPHES = frozenset("'‘’ʿʾ`")


def _join_apostrophe_split(mentions: list[Mention], text: str) -> list[Mention]:
    """ "Husayn Falih ‘Aziz al-Lami": the model cuts a name at the apostrophe that
    transliterates an Arabic letter; two person names that only an apostrophe parts are
    one."""
    joined: list[Mention] = []
    for m in sorted(mentions, key=lambda m: m.start):
        last = joined[-1] if joined else None
        gap = text[last.end : m.start] if last else ""
        if (last is not None and last.type == KG.Person and m.type == KG.Person
                and last.known is None and m.known is None and 0 < len(gap) <= 2
                and gap.strip() and set(gap.strip()) <= _NAME_APOSTROPHES):
            joined[-1] = Mention(last.start, m.end, text[last.start : m.end], KG.Person,
                                 None, max(last.certainty, m.certainty))
        else:
            joined.append(m)
    return joined


@functools.cache
def _role_words() -> frozenset[str]:
    return frozenset(row[0] for row in lexicon_entries("affiliation-cues.tsv")
                     if row[2] in ("role", "post"))


def _appositive_people(parsed: object, text: str, taken: Taken) -> list[Mention]:
    """ "Dmitry Utkin, a senior commander of the Wagner Group": a capitalised name with a
    post in apposition is a person, even where the model missed the name."""
    roles = _role_words()
    found = []
    for token in parsed:  # type: ignore[attr-defined]
        head = token.head
        if token.dep_ != "appos" or token.lemma_.lower() not in roles or head.pos_ != "PROPN":
            continue
        words = [c for c in head.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"] + [head]
        if len(words) < 2 or not all(w.text[:1].isupper() and w.is_alpha for w in words):
            continue
        start, end = words[0].idx, head.idx + len(head.text)
        if taken.overlaps(start, end) or "\n" in text[start:end]:
            continue
        found.append(Mention(start, end, text[start:end], KG.Person, None, 1))
        taken.add(start, end)
    return found


# Common nouns that, after a proper name, make the name an armed group's ("the Mahdi
# army", "the Badr brigades"); "movement" and "group" are left out, as they follow
# peoples' names too ("the Houthi movement" is the Houthis).
_GROUP_NOUNS = frozenset({"army", "militia", "militias", "brigade", "brigades", "battalion",
                          "battalions", "front", "network"})


def _named_by_keyword(parsed: object, text: str, gazetteer: Gazetteer,
                      taken: Taken) -> list[Mention]:
    """ "The Mahdi army": a capitalised name with a lower-case group noun after it, which
    the model does not take for a name."""
    found = []
    for token in parsed:  # type: ignore[attr-defined]
        if token.text not in _GROUP_NOUNS or token.i == 0:
            continue
        words: list[Any] = []
        for left in reversed(list(token.doc[max(0, token.i - 3) : token.i])):
            if left.pos_ != "PROPN" or not left.text[:1].isupper():
                break
            words.insert(0, left)
        if not words:
            continue
        start, end = words[0].idx, token.idx + len(token.text)
        surface = text[start:end]
        if (taken.overlaps(start, end) or "\n" in surface
                or normalize_name(words[0].text) in load_lexicon().not_actors
                or any(k.type == KG.State for k in gazetteer.lookup(words[0].text))
                or words[0].text in demonym_states()):
            continue  # "the Iraqi army", "the US Army": a state's own forces
        found.append(Mention(start, end, surface, KG.ArmedGroup, None, 2))
        taken.add(start, end)
    return found


def _demonym_mentions(parsed: object, taken: Taken) -> list[Mention]:
    """ "Iranian-backed", "American troops": a nationality word refers to its state (a
    mention of the state, though not one of its names)."""
    states = demonym_states()
    found = []
    for token in parsed:  # type: ignore[attr-defined]
        known = states.get(token.text)
        start, end = token.idx, token.idx + len(token.text)
        if known is not None and not taken.overlaps(start, end):
            found.append(Mention(start, end, token.text, KG.State, known, 3, is_name=False))
            taken.add(start, end)
    return found


def _bodies_of_states(parsed: object, mentions: list[Mention], gazetteer: Gazetteer,
                      taken: Taken) -> list[Mention]:
    """ "According to Iraq's constitution, Parliament cannot ...": a body's common name
    with a capital, in a sentence that names one state, is that state's body when the
    gazetteer knows it as "<state>'s <name>" or "<state> <name>"."""
    lexicon = load_lexicon()
    found = []
    for sent in parsed.sents:  # type: ignore[attr-defined]
        states = {m.known.label for m in mentions if m.type == KG.State and m.known
                  and sent.start_char <= m.start < sent.end_char}
        if len(states) != 1:
            continue
        state = next(iter(states))
        for token in sent:
            word = token.text
            start, end = token.idx, token.idx + len(word)
            if token.is_sent_start or not word[:1].isupper() or taken.overlaps(start, end) \
                    or lexicon.keywords.get(word.lower()) != KG.GovernmentBody:
                continue
            bodies = {k for form in (f"{state}'s {word}", f"{state} {word}")
                      for k in gazetteer.lookup(form) if k.type == KG.GovernmentBody}
            if len(bodies) == 1:
                found.append(Mention(start, end, word, KG.GovernmentBody, bodies.pop(), 3,
                                     is_name=False))
                taken.add(start, end)
    return found


_ALIAS_BETWEEN = re.compile(r"^\s*[,(]\s*(?:also known as|also spelled|formerly known as|"
                            r"a\.k\.a\.?|aka)\s+(?:the\s+)?$", re.IGNORECASE)
# After a stated alias, "... and (the) Z" goes on naming the same actor; before one,
# "X or Y, also known as Z" names one actor three ways.
_ALIAS_AND = re.compile(r"^\s*,?\s*and\s+(?:the\s+)?$", re.IGNORECASE)
_ALIAS_OR = re.compile(r"^\s*,?\s*or\s+(?:the\s+)?$", re.IGNORECASE)
_ASIDE = re.compile(r"\([^()]*\)")


def _between(text: str) -> str:
    """What stands between two names, without asides in brackets ("(Arabic: ...)") and
    the end of the bracket the first name stood in ("(PMF), also known as")."""
    return _ASIDE.sub("", text).lstrip(" )")


def _in_brackets(text: str, start: int) -> bool:
    """Whether `start` lies inside an unclosed bracket of its line: a name there is an
    aside ("(Arabic: ..., romanized: ...)") to the name before the bracket, unless the
    bracket states it as an alias ("(also known as Y)")."""
    line = text[text.rfind("\n", 0, start) + 1 : start]
    if line.count("(") <= line.count(")"):
        return False
    return not _ALIAS_BETWEEN.match(line[line.rfind("(") :])


def _alias_links(text: str, spans: list[tuple[int, int]]) -> list[bool]:
    """For each pair of neighbouring names, whether the text says they name one actor."""
    kinds = []
    for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        between = _between(text[e1:s2])
        kinds.append("aka" if _ALIAS_BETWEEN.match(between) else
                     "and" if _ALIAS_AND.match(between) else
                     "or" if _ALIAS_OR.match(between) else "")
    links: list[bool] = []
    for i, kind in enumerate(kinds):
        chained = bool(links) and links[-1] and kinds[i - 1] in ("aka", "and", "or")
        ahead = i + 1 < len(kinds) and kinds[i + 1] == "aka"
        links.append(kind == "aka" or (kind == "and" and chained)
                     or (kind == "or" and (chained or ahead)))
    return links


def _merge_stated_aliases(actors: list[ActorInDoc], text: str) -> list[ActorInDoc]:
    """ "Mahad Karate, also known as Abdirahim Mohamed Warsame", "Kata'ib Hizballah (KH),
    also spelled Kataib Hezbollah", "X or Y (...), also known as the PMC and the PMU":
    the text says the names are one actor's. Names in brackets are asides and skipped.
    Where two were typed apart, the surer reading decides."""
    merged = list(actors)
    owner = {(m.start, m.end): n for n, actor in enumerate(merged) for m in actor.mentions}
    spans = sorted(k for k in owner if not _in_brackets(text, k[0]))
    gone: set[int] = set()
    for linked, a_span, b_span in zip(_alias_links(text, spans), spans, spans[1:],
                                      strict=False):
        first, second = owner[a_span], owner[b_span]
        if first == second or not linked:
            continue
        a, b = merged[first], merged[second]
        if a.known and b.known:
            continue
        if a.type != b.type and min(_certainty(a), _certainty(b)) > 1:
            continue
        keep, drop = (second, first) if b.known and not a.known else (first, second)
        merged[keep].mentions.extend(merged[drop].mentions)
        merged[drop].mentions = []
        gone.add(drop)
        owner.update({k: keep for k, v in owner.items() if v == drop})
    return [actor for n, actor in enumerate(merged) if n not in gone]


def _certainty(actor: ActorInDoc) -> int:
    return 3 if actor.known else max(m.certainty for m in actor.mentions)


def _repeat_mentions(actors: dict[URIRef, ActorInDoc], text: str) -> None:
    """Every other place where the document repeats a name it uses for one actor: the
    model tags "Soleimani" in one sentence and misses it in the next; the name is the
    same actor all the same. A name used for two actors is left alone."""
    owners: dict[str, set[URIRef]] = defaultdict(set)
    taken = Taken()
    for iri, actor in actors.items():
        for m in actor.mentions:
            taken.add(m.start, m.end)
            if m.is_name and len(m.surface) >= 3 and m.surface[:1].isupper():
                owners[m.surface].add(iri)
                surname = m.surface.split()[-1]
                if actor.type == KG.Person and len(m.surface.split()) > 1 and len(surname) >= 4:
                    owners[surname].add(iri)  # "Soleimani" after "Qasem Soleimani"
    names = sorted((n for n, o in owners.items() if len(o) == 1), key=len, reverse=True)
    if not names:
        return
    pattern = re.compile(r"(?<![\w'’-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    for match in pattern.finditer(text):
        start, end = match.span()
        if taken.overlaps(start, end):
            continue
        actor = actors[next(iter(owners[match.group()]))]
        model = actor.mentions[0]
        actor.mentions.append(Mention(start, end, match.group(), model.type, model.known,
                                      model.certainty))
        taken.add(start, end)


def _dateline(text: str, start: int, end: int) -> bool:
    """A place name that opens a line and is followed by a dash: a dateline."""
    opens_line = start == 0 or text[start - 1] == "\n"
    return opens_line and text[end : end + 3].lstrip()[:1] in ("-", "–", "—")


@functools.cache
def _tie_words() -> frozenset[str]:
    return frozenset(row[0] for row in lexicon_entries("affiliation-cues.tsv")
                     if row[2] in ("ally", "support"))


def _capital_mentions(parsed: object, taken: Taken) -> list[Mention]:
    """ "Washington blamed KH", "Tehran's proxies", "Kremlin spokesman": a capital that
    acts, owns or employs stands for its state; "in Baghdad" stays a place."""
    capitals = capital_states()
    roles = _role_words()
    found = []
    for ent in parsed.ents:  # type: ignore[attr-defined]
        known = capitals.get(ent.text)
        root = ent.root
        acting = root.dep_ in ("nsubj", "poss") or (
            root.dep_ == "pobj" and root.head.dep_ == "agent") or (
            root.dep_ == "compound" and root.head.lemma_.lower() in roles) or (
            # "close ties to Tehran", "support from Moscow"
            root.dep_ == "pobj" and root.head.head.lemma_.lower() in _tie_words())
        if known is None or not acting or taken.overlaps(ent.start_char, ent.end_char):
            continue
        if _dateline(parsed.text, ent.start_char, ent.end_char):  # type: ignore[attr-defined]
            continue  # "WASHINGTON - Today, the Treasury ...": where the news was filed
        found.append(Mention(ent.start_char, ent.end_char, ent.text, KG.State, known, 3,
                             is_name=False))
        taken.add(ent.start_char, ent.end_char)
    return found


def _acronym_mentions(text: str, mentions: list[Mention]) -> list[tuple[Mention, Mention]]:
    """'Harakat al-Nujaba (HAN)': the acronym in brackets right after a name, as an alias."""
    pairs = []
    for m in mentions:
        rest = text[m.end : m.end + 16]
        if rest.startswith(" (") and ")" in rest:
            inner = rest[2 : rest.index(")")]
            if is_acronym(inner):
                start = m.end + 2
                pairs.append((m, Mention(start, start + len(inner), inner, m.type, m.known,
                                         m.certainty)))
    return pairs


def _initials(name: str, particles: frozenset[str]) -> str:
    return "".join(w[0] for w in normalize_name(name).split() if w not in particles).upper()


def _without_article(name: str) -> str:
    return " ".join(w for w in normalize_name(name).split() if w not in ("al", "el"))


def group_mentions(mentions: list[Mention], text: str) -> list[ActorInDoc]:
    """Form the document's actors from its mentions: gazetteer identity first, then exact
    names, then short forms joined to the single longer name they abbreviate."""
    lexicon = load_lexicon()
    actors: dict[str, ActorInDoc] = {}
    mentions = mentions + [short for _, short in _acronym_mentions(text, mentions)]

    by_key: dict[str, str] = {}
    # Person names without their Arabic article: "Qais Khazali" is "Qais al-Khazali".
    by_fold: dict[str, str] = {}

    def add(key: str, m: Mention) -> None:
        actor = actors.get(key)
        if actor is None:
            actor = actors[key] = ActorInDoc(known=m.known)
        actor.mentions.append(m)
        for name in actor.names():
            by_key.setdefault(normalize_name(name), key)
            if m.type == KG.Person:
                by_fold.setdefault(_without_article(name), key)

    ordered = sorted(mentions, key=lambda m: (-len(m.surface.split()), -len(m.surface), m.start))
    pending: list[Mention] = []
    for m in ordered:
        if m.known is not None:
            add(str(m.known.iri), m)
        else:
            pending.append(m)
    for m in pending:
        key = normalize_name(m.surface)
        if key in by_key:
            add(by_key[key], m)
            continue
        if m.type == KG.Person and _without_article(m.surface) in by_fold:
            add(by_fold[_without_article(m.surface)], m)
            continue
        target = _antecedent(m, actors, lexicon)
        if target is not None:
            add(target, m)
        else:
            add(f"name:{m.type}:{key}", m)
    return list(actors.values())


def _antecedent(m: Mention, actors: dict[str, ActorInDoc], lexicon: Lexicon) -> str | None:
    """The one longer actor name `m` abbreviates, if exactly one fits."""
    words = normalize_name(m.surface).split()
    fits = set()
    for key, actor in actors.items():
        for name in actor.names():
            full = normalize_name(name).split()
            if len(full) <= len(words):
                continue
            if is_acronym(m.surface) and _initials(name, lexicon.particles) == m.surface.replace(
                ".", ""
            ):
                fits.add(key)
            elif actor.type == KG.Person and (m.type == KG.Person or m.certainty == 0) and (
                full[-len(words):] == words or (len(words) == 1 and full[0] == words[0])
            ):
                fits.add(key)  # "Al Mayahi", "Saddam", an ORG "Trump" of "the Trump team"
            elif actor.type != KG.Person and full[: len(words)] == words and m.certainty < 3:
                fits.add(key)  # "Asaib" for "Asaib Ahl al-Haq"
            elif (actor.type != KG.Person and full[1:] == words and _is_demonym(full[0])):
                fits.add(key)  # "Popular Mobilization Forces" after "Iraqi Popular ..."
        if (actor.type != KG.Person and len(words) >= 2 and _is_demonym(words[0])
                and any(normalize_name(n).split() == words[1:] for n in actor.names())):
            fits.add(key)  # "Iraqi Popular Mobilization Forces"
    return fits.pop() if len(fits) == 1 else None


@register(
    "kg.extract.actors",
    version=VERSION,
    assigns=(KG.Person, KG.ArmedGroup, KG.Organization, KG.GovernmentBody, KG.State, KG.Evidence),
)
def extract_actors(context: Context, run: Run) -> Graph:
    """Actors named in the document, each with its surface forms and every mention."""
    text = context.document.text
    gazetteer = load_gazetteer()
    parsed = context.parsed
    known = _inside_organizations(_gazetteer_mentions(parsed, text, gazetteer), parsed)
    taken = Taken()
    for m in known:
        taken.add(m.start, m.end)
    known += _named_by_keyword(parsed, text, gazetteer, taken)
    mentions = known + _join_apostrophe_split(_ner_mentions(parsed, text, gazetteer, taken), text)
    mentions += _appositive_people(parsed, text, taken)
    mentions += _demonym_mentions(parsed, taken)
    mentions += _capital_mentions(parsed, taken)
    mentions += _bodies_of_states(parsed, mentions, gazetteer, taken)
    actors = _merge_stated_aliases(group_mentions(mentions, text), text)

    graph = Graph()
    seen: dict[URIRef, ActorInDoc] = {}
    for actor in actors:
        entry = actor.known
        iri = entry.iri if entry and entry.type == actor.type else actor_iri(
            actor.type, actor.canonical, context.options.base
        )
        if iri in seen:  # two groups that resolve to one IRI are one actor
            seen[iri].mentions.extend(actor.mentions)
            continue
        seen[iri] = actor
    _repeat_mentions(seen, text)
    surfaces_by_actor: dict[URIRef, set[str]] = defaultdict(set)
    for iri, actor in seen.items():
        canonical = actor.canonical
        graph.add((iri, RDF.type, actor.type))
        graph.add((iri, RDFS.label, Literal(canonical, lang="en")))
        for m in sorted(actor.mentions, key=lambda m: m.start):
            context.mentions.append(ActorMention(m.start, m.end, iri, actor.type))
            if m.surface != canonical and m.is_name:
                surfaces_by_actor[iri].add(m.surface)
            graph.add((iri, KG.mention, add_evidence(graph, run, text, m.start, m.end)))
        for surface in surfaces_by_actor[iri]:
            graph.add((iri, SKOS.altLabel, Literal(surface, lang="en")))
    context.mentions.sort(key=lambda m: m.start)
    return graph
