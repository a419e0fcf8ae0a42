"""The parsed document with its actors laid over the tokens: what claim extractors read.

Claims relate actors that the actor extractor has already found; here each token learns
which actor it names, pronouns and definite descriptions ("the group", "its") learn which
actor they stand for, and two actors learn the dependency path that joins them. The
claim extractors are patterns over these paths, so they see grammar, not word order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rdflib import URIRef

from kg.extract import ActorMention, Context
from kg.extract.dates import DateMention, find_dates, parse_anchor
from kg.namespace import KG

Token = Any  # spaCy's Token; spaCy ships no type stubs
Span = Any

_ORGANIZED = (KG.ArmedGroup, KG.Organization, KG.GovernmentBody)
# Pronouns and the nouns of definite descriptions that stand for an actor named earlier,
# with the actor types each may stand for.
_PRONOUNS: dict[str, tuple[URIRef, ...]] = {
    "it": _ORGANIZED + (KG.State,), "its": _ORGANIZED + (KG.State,),
    "he": (KG.Person,), "his": (KG.Person,), "him": (KG.Person,),
    "she": (KG.Person,), "her": (KG.Person,),
}
_DESCRIPTIONS: dict[str, tuple[URIRef, ...]] = {
    "group": (KG.ArmedGroup, KG.Organization), "militia": (KG.ArmedGroup,),
    "organization": (KG.ArmedGroup, KG.Organization), "network": (KG.ArmedGroup,),
    "movement": (KG.ArmedGroup, KG.Organization), "department": (KG.GovernmentBody,),
    "country": (KG.State,),
}
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
        for m in context.mentions:
            span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    self.by_token.setdefault(token.i, m)

    @cached_property
    def sentences(self) -> list[Span]:
        return list(self.doc.sents)

    @cached_property
    def dates(self) -> list[DateMention]:
        """The text's dates, relative ones resolved against the `published` header. A
        header of month or year precision still places "last year" or "on Tuesday": they
        resolve against the period's last day, then are cut to the header's precision."""
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
        return self.doc.char_span(mention.start, mention.end, alignment_mode="expand").root

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
            antecedent = self.antecedent(token)
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
        first_sentence = max(0, self._sentence_index(token) - _REACH)
        floor = self.sentences[first_sentence].start_char
        for wanted in types:
            for m in reversed(self.context.mentions):
                if floor <= m.start and m.end <= token.idx and m.type in wanted:
                    return m
        return None

    def _sentence_index(self, token: Token) -> int:
        for i, sent in enumerate(self.sentences):
            if sent.start <= token.i < sent.end:
                return i
        return 0

    def actor_of(self, token: Token) -> ActorMention | None:
        return self.by_token.get(token.i) or self.antecedent(token)


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


def conjuncts(token: Token) -> Iterator[Token]:
    """The token and those coordinated with it ("Iran and Russia")."""
    yield token
    yield from token.conjuncts


def sentence_span(sent: Span) -> tuple[int, int]:
    """Character offsets of a sentence without its surrounding whitespace."""
    text: str = sent.text
    start = sent.start_char + (len(text) - len(text.lstrip()))
    return start, start + len(text.strip())
