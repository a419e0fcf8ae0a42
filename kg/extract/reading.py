"""The parsed document with its actors laid over the tokens: what claim extractors read.

Claims relate actors that the actor extractor has already found; here each token learns
which actor it names, pronouns and definite descriptions ("the group", "its") learn which
actor they stand for, and two actors learn the dependency path that joins them. The
claim extractors are patterns over these paths, so they see grammar, not word order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rdflib import URIRef

from kg.extract import ActorMention, Context
from kg.extract.dates import DateMention, find_dates, parse_anchor
from kg.extract.gazetteer import demonym_states
from kg.namespace import KG
from kg.resources import lexicon_entries

Token = Any  # spaCy's Token; spaCy ships no type stubs
Span = Any

_ORGANIZED = (KG.ArmedGroup, KG.Organization, KG.GovernmentBody)
# Pronouns and the nouns of definite descriptions that stand for an actor named earlier,
# with the actor types each may stand for.
_PRONOUNS: dict[str, tuple[URIRef, ...]] = {
    "it": _ORGANIZED + (KG.State,), "its": _ORGANIZED + (KG.State,),
    "he": (KG.Person,), "his": (KG.Person,), "him": (KG.Person,),
    "she": (KG.Person,), "her": (KG.Person,),
    "they": _ORGANIZED, "their": _ORGANIZED, "them": _ORGANIZED,
}
_DESCRIPTIONS: dict[str, tuple[URIRef, ...]] = {
    "group": (KG.ArmedGroup, KG.Organization), "militia": (KG.ArmedGroup,),
    "organization": (KG.ArmedGroup, KG.Organization), "network": (KG.ArmedGroup,),
    "movement": (KG.ArmedGroup, KG.Organization), "department": (KG.GovernmentBody,),
    "country": (KG.State,), "party": (KG.Organization, KG.ArmedGroup),
}
# Branches of a phrase that name someone other than the phrase itself.
SIDE_BRANCHES = frozenset({"poss", "amod", "npadvmod", "prep", "relcl", "acl", "agent",
                           "advcl", "nmod"})
# How many sentences back an antecedent may be.
_REACH = 3


@dataclass(frozen=True)
class Path:
    """The dependency path between two tokens: up from `a` to their lowest common
    ancestor, then down to `b`."""

    up: tuple[Token, ...]  # from a (excluded) up to the common ancestor (included)
    down: tuple[Token, ...]  # from the common ancestor (excluded) down to b (excluded)

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.up + self.down

    def __len__(self) -> int:
        return len(self.up) + len(self.down)


class Reading:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.doc = context.parsed
        self.text: str = context.document.text
        self.by_token: dict[int, ActorMention] = {}
        self._antecedents: dict[int, ActorMention | None] = {}
        self._heads: dict[tuple[int, int], Token] = {}
        for m in context.mentions:
            span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    self.by_token.setdefault(token.i, m)
        # "Iranian-backed", "American troops": nationality words the actor extractor
        # read as their state
        demonyms = demonym_states()
        self.demonyms = {i for i, m in self.by_token.items()
                         if self.text[m.start : m.end] in demonyms}

    @cached_property
    def sentences(self) -> list[Span]:
        return list(self.doc.sents)

    @cached_property
    def dates(self) -> list[DateMention]:
        """The text's dates: relative ones resolved against the `published` header,
        narrative ones ("that same month", "a year later") against the date the text
        gave last."""
        return _narrative(self._dates_anchored())

    def _dates_anchored(self) -> list[DateMention]:
        """A header of month or year precision still places "last year" or "on
        Tuesday": they resolve against the period's last day, then are cut to the
        header's precision."""
        published = self.context.document.published or ""
        anchor = parse_anchor(published)
        if anchor is not None or not re.fullmatch(r"\d{4}(-\d{2})?", published):
            return find_dates(self.doc, anchor)
        year, _, month = published.partition("-")
        last = (dt.date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
                if month and 1 <= int(month) <= 12 else dt.date(int(year), 12, 31))
        explicit = {(d.start, d.end): d.value for d in find_dates(self.doc, None)}
        dates = []
        for d in find_dates(self.doc, last):
            if d.value and not explicit.get((d.start, d.end)):
                d = DateMention(d.start, d.end, d.text, d.value[: len(published)])
            dates.append(d)
        return dates

    def date_near(self, trigger: Token, within: Span) -> str | None:
        """The date the text gives for what `trigger` reports: one in the trigger's own
        phrase first, else the nearest in the sentence."""
        inside = [d for d in self.dates if within.start_char <= d.start < within.end_char
                  and d.value]
        if not inside:
            return None
        own = {t.idx for t in trigger.subtree}
        mine = [d for d in inside if any(d.start <= i < d.end for i in own)]
        best = min(mine or inside, key=lambda d: abs(d.start - trigger.idx))
        return best.value

    def head_of(self, mention: ActorMention) -> Token:
        key = (mention.start, mention.end)
        if key not in self._heads:
            span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
            self._heads[key] = span.root
        return self._heads[key]

    def mentions_in(self, sent: Span) -> list[tuple[ActorMention, Token]]:
        """Each actor mention of the sentence with its head token, plus the antecedents of
        its pronouns and definite descriptions (head = the pronoun or noun)."""
        found: list[tuple[ActorMention, Token]] = []
        seen: set[int] = set()
        for token in sent:
            m = self.by_token.get(token.i)
            if m is not None:
                if m.start not in seen:
                    seen.add(m.start)
                    found.append((m, self.head_of(m)))
                continue
            antecedent = self.actor_of(token)
            if antecedent is not None:
                found.append((ActorMention(token.idx, token.idx + len(token.text),
                                           antecedent.iri, antecedent.type), token))
        return found

    def antecedent(self, token: Token) -> ActorMention | None:
        """The actor a pronoun or a definite description ("the group") stands for: the
        nearest earlier mention of a fitting type within a few sentences."""
        word = token.lower_
        types: tuple[tuple[URIRef, ...], ...]  # tried in turn, the nearest of each
        if word in _PRONOUNS and token.pos_ == "PRON":
            types = (_PRONOUNS[word],)
        elif (word in _DESCRIPTIONS and token.pos_ == "NOUN" and token.tag_ == "NN"
              and any(c.dep_ == "det" and c.lower_ in ("the", "that", "this")
                      for c in token.children)
              and not any(c.dep_ in ("compound", "amod", "poss") for c in token.children)):
            # "the group": an armed group before any other organization
            types = tuple((t,) for t in _DESCRIPTIONS[word])
        else:
            return None
        first_sentence = max(0, self._sentence_index[token.sent.start] - _REACH)
        floor = self.sentences[first_sentence].start_char
        own_sentence = token.sent.start_char
        mentions = self.context.mentions  # sorted by start
        before = mentions[: bisect_left(self._starts, token.idx)]
        if token.pos_ == "NOUN":
            # "the network" is the Haqqani network: an earlier name with the same noun
            named = [m for m in reversed(before) if m.end <= token.idx
                     and word in self.text[m.start : m.end].lower().split()]
            if named:
                return named[0]
        window = mentions[bisect_left(self._starts, floor) : bisect_left(self._starts, token.idx)]
        # "Kata'ib Hizballah, one of its strongest factions": "its" is not the phrase it
        # sits in apposition to (though in "Iran and its commander" it is Iran)
        above = set()
        chain = token
        for ancestor in token.ancestors:
            if chain.dep_ == "conj":
                break
            if chain.dep_ == "appos":
                above.add(ancestor.i)
            chain = ancestor
        for wanted in types:
            fitting = [m for m in reversed(window) if m.end <= token.idx and m.type in wanted
                       and self.head_of(m).i not in above]
            if not fitting:
                continue
            if fitting[0].start >= own_sentence:
                return fitting[0]  # in the same sentence: the nearest
            # in an earlier sentence: its subject before a name in a side phrase ("Al-Qaeda
            # remained active in Syria. Its splinter group ...")
            subjects = [m for m in fitting if self.head_of(m).dep_ in ("nsubj", "nsubjpass")]
            return subjects[0] if subjects else fitting[0]
        return None

    @cached_property
    def _sentence_index(self) -> dict[int, int]:
        """Index of each sentence by its first token."""
        return {sent.start: i for i, sent in enumerate(self.sentences)}

    @cached_property
    def _starts(self) -> list[int]:
        return [m.start for m in self.context.mentions]

    def actor_of(self, token: Token) -> ActorMention | None:
        found = self.by_token.get(token.i)
        if found is None:
            if token.i not in self._antecedents:
                self._antecedents[token.i] = self.antecedent(token)
            found = self._antecedents[token.i]
        return found

    @cached_property
    def ents_by_token(self) -> dict[int, Span]:
        return {t.i: ent for ent in self.doc.ents for t in ent}

    def named_by(self, token: Token, side: frozenset[str] = SIDE_BRANCHES,
                 modifiers: bool = False) -> list[ActorMention]:
        """The actors a phrase names: its head, appositions and conjuncts (with
        `modifiers`, also a nationality that modifies it), not those in its side
        branches ("Yemen's Houthis", "an Iran-backed militia", "leaders of Hizballah",
        "Hamas leader Ismail Haniyeh", "which the Department designated")."""
        found: list[ActorMention] = []
        stack = [token]
        while stack:
            t = stack.pop()
            actor = self.actor_of(t)
            if actor is not None and all(actor.iri != f.iri for f in found):
                found.append(actor)
            whole_of_part = t.pos_ == "NOUN" and t.lemma_.lower() in part_words()
            for child in t.children:
                inside = actor is not None and actor.start <= child.idx < actor.end
                if whole_of_part and child.dep_ in ("compound", "poss"):
                    continue  # "the second PMF unit" is a unit, not the PMF
                if (actor is not None and actor.type == KG.Person and not inside
                        and child.dep_ in ("compound", "nmod")):
                    continue  # a person's title names someone else
                if inside or child.dep_ not in side:
                    stack.append(child)
                elif modifiers and child.dep_ == "amod" and child.i in self.demonyms:
                    stack.append(child)  # "American troops", not "Iran-backed militia"
        return sorted(found, key=lambda m: m.start)


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_SAME = re.compile(r"^(?:later )?(?:(?:that|the) (?:same )?|same )(day|month|year)$")
_NEXT = re.compile(r"^the (?:following|next) (day|week|month|year)$")
_LATER = re.compile(r"^(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+) "
                    r"(day|week|month|year)s? later$")


def _narrative(dates: list[DateMention]) -> list[DateMention]:
    """Resolve "that same month", "the following year", "two years later" against the
    nearest earlier date of enough precision; left unresolved when there is none."""
    resolved: list[DateMention] = []
    last: str | None = None
    for d in dates:
        value = d.value
        if value is None and last is not None:
            value = _shift(d.text.lower().strip(), last)
        if value is not None:
            last = value
        resolved.append(DateMention(d.start, d.end, d.text, value) if value != d.value else d)
    return resolved


def _shift(expression: str, last: str) -> str | None:
    if match := _SAME.match(expression):
        return _move(last, match.group(1), 0)
    if match := _NEXT.match(expression):
        return _move(last, match.group(1), 1)
    if match := _LATER.match(expression):
        count = match.group(1)
        return _move(last, match.group(2), int(count) if count.isdigit() else _NUMBERS[count])
    return None


def _move(last: str, unit: str, steps: int) -> str | None:
    year = int(last[:4])
    if unit == "year":
        return f"{year + steps:04d}"
    if unit in ("day", "week"):
        if len(last) < 10:
            return None  # days after a month are not known
        days = steps * (7 if unit == "week" else 1)
        return (dt.date.fromisoformat(last) + dt.timedelta(days=days)).isoformat()
    if len(last) < 7:
        return None  # a month after a bare year is not known
    months = year * 12 + int(last[5:7]) - 1 + steps
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


@functools.cache
def part_words() -> frozenset[str]:
    """Nouns for a piece of a larger actor ("unit", "wing"), from the affiliation cues."""
    return frozenset(row[0] for row in lexicon_entries("affiliation-cues.tsv")
                     if row[2] == "part")


def path_between(a: Token, b: Token) -> Path | None:
    """The dependency path from `a` to `b`, or None when they are in different sentences."""
    up_a = [a, *a.ancestors]
    index = {t.i: n for n, t in enumerate(up_a)}
    down: list[Token] = []
    for t in [b, *b.ancestors]:
        if t.i in index:
            return Path(tuple(up_a[1 : index[t.i] + 1]), tuple(reversed(down[1:])))
        down.append(t)
    return None


def sentence_span(sent: Span) -> tuple[int, int]:
    """Character offsets of a sentence without its surrounding whitespace."""
    text: str = sent.text
    start = sent.start_char + (len(text) - len(text.lstrip()))
    return start, start + len(text.strip())
