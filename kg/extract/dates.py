"""Date expressions in news text, resolved to ISO 8601 at the precision the text supports.

Why regexes beside spaCy: the small model tags most dates, but it also tags counts
("Some 1950 troops"), stops at "1980" in "the 1980's", files "late Wednesday" and
"tonight" under TIME, and gives ranges ("between 2006 and 2011") as one span. So the
expressions themselves are found by the patterns below, and spaCy decides the doubtful
ones: a bare year, month or weekday inside a number, person or organisation ("About 2000",
"June Smith", "The Sunday Times") is dropped. A DATE entity holding nothing we can resolve
("the past four years", "the 20th century") is still a mention, with value None.

Relative expressions resolve against the publication date, read as news is written: in
the past tense, so "Friday" or "in March" is the latest one on or before that day.
An impossible day ("February 30, 2019") falls back to the month ("2019-02"): the writer
got the day wrong more likely than the month. Decades and weeks have no precision in
our value space (year, month, day), so "the 1980s" and "last week" resolve to None.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Full name first, then the abbreviations news style uses ("Sept. 11", "Oct. 5, 2019").
_MONTH_NAMES = (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
                ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
                ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
                ("december", "dec"))
MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}

# Names are matched capitalised only: "may", "march" and "sunday" in lower case are words.
_FULL_MONTH = "|".join(names[0].title() for names in _MONTH_NAMES)
_SHORT_MONTH = "|".join(short.title() for names in _MONTH_NAMES for short in names[1:])
_MONTH = rf"(?P<month>(?:{_FULL_MONTH})\b|(?:{_SHORT_MONTH})(?:\.|\b))"
_WEEKDAY = "|".join(w.title() for w in WEEKDAYS)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
# Years outside 1900-2100 are taken for numbers: order, resolution or troop counts.
_YEAR = r"(?P<year>19\d\d|20\d\d|2100)(?!\d)"
_ON_WEEKDAY = rf"(?:(?:{_WEEKDAY}),?\s+(?:the\s+)?)?"
_NUMBER = "|".join([r"\d+", *NUMBERS])


@dataclass(frozen=True)
class DateMention:
    start: int  # character offsets into the text
    end: int
    text: str  # text[start:end]
    value: str | None  # "2019", "2019-03" or "2019-03-05"; None when it cannot be resolved


def parse_anchor(published: str | None) -> datetime.date | None:
    """Only a day-precise publication date can anchor "yesterday" or "on Friday"."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d)(?:[T ].*)?", (published or "").strip())
    if match is None:
        return None
    try:
        return datetime.date.fromisoformat(match[1])
    except ValueError:
        return None


def _month(match: re.Match[str]) -> int:
    return MONTHS[match["month"].lower().rstrip(".")]


def _day_or_month(year: int, month: int, day: int) -> str:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def _full_date(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    return _day_or_month(int(m["year"]), _month(m), int(m["day"]))


def _iso_date(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    return _day_or_month(int(m["year"]), int(m["mm"]), int(m["dd"]))


def _month_year(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    return f"{int(m['year']):04d}-{_month(m):02d}"


def _month_day(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    if anchor is None:
        return None
    month, day = _month(m), int(m["day"])
    year = anchor.year if (month, day) <= (anchor.month, anchor.day) else anchor.year - 1
    return _day_or_month(year, month, day)


def _month_alone(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    if anchor is None:
        return None
    month, relation = _month(m), " ".join((m["rel"] or "").lower().split())
    if relation == "this":
        year = anchor.year
    elif relation in ("next", "this coming"):
        year = anchor.year if month > anchor.month else anchor.year + 1
    elif relation == "last":
        year = anchor.year if month < anchor.month else anchor.year - 1
    else:
        year = anchor.year if month <= anchor.month else anchor.year - 1
    return f"{year:04d}-{month:02d}"


def _weekday(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    if anchor is None:
        return None
    relation = " ".join((m["rel"] or "").lower().split())
    back = (anchor.weekday() - WEEKDAYS.index(m["weekday"].lower())) % 7
    if relation in ("next", "this coming"):
        return (anchor + datetime.timedelta(days=(7 - back) % 7 or 7)).isoformat()
    if relation == "last" and back == 0:
        back = 7
    return (anchor - datetime.timedelta(days=back)).isoformat()


def _year(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    return m["year"]


def _relative_day(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    if anchor is None:
        return None
    shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}
    word = " ".join(m[0].lower().split())
    return (anchor + datetime.timedelta(days=shift.get(word, 0))).isoformat()


def _relative_period(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    if anchor is None or m["unit"].lower() == "week":
        return None
    shift = {"this": 0, "last": -1, "next": 1}[m["rel"].lower()]
    if m["unit"].lower() == "year":
        return f"{anchor.year + shift:04d}"
    months = anchor.year * 12 + anchor.month - 1 + shift
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


def _ago(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    if anchor is None:
        return None
    count, unit = m["count"].lower(), m["unit"].lower()
    n = int(count) if count.isdigit() else NUMBERS[count]
    if unit == "year":
        return f"{anchor.year - n:04d}"
    if unit == "month":
        months = anchor.year * 12 + anchor.month - 1 - n
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    return (anchor - datetime.timedelta(days=n * (7 if unit == "week" else 1))).isoformat()


def _no_value(m: re.Match[str], anchor: datetime.date | None) -> str | None:
    return None


_Resolver = Callable[[re.Match[str], datetime.date | None], str | None]

# (kind, pattern, resolver). Where matches overlap the longest wins (see _candidates), so
# a pattern need not guard against being part of a longer one.
_PATTERNS: tuple[tuple[str, re.Pattern[str], _Resolver], ...] = tuple(
    (kind, re.compile(pattern), resolver)
    for kind, pattern, resolver in [
        ("date", rf"\b{_ON_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}", _full_date),
        ("date", rf"\b{_ON_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", _full_date),
        ("date", r"(?<![\d-])(?P<year>19\d\d|20\d\d)-(?P<mm>[01]\d)-(?P<dd>[0-3]\d)(?!\d)",
         _iso_date),
        ("month_year", rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}", _month_year),
        ("month_day", rf"\b{_ON_WEEKDAY}{_MONTH}\s+{_DAY}", _month_day),
        ("month_day", rf"\b{_ON_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}", _month_day),
        ("month", rf"\b(?:(?P<rel>(?i:this\s+past|this\s+coming|last|next|this))\s+)?"
                  rf"(?P<month>{_FULL_MONTH})\b", _month_alone),
        ("weekday", rf"\b(?:(?i:late|early)\s+)?(?:(?P<rel>(?i:this\s+past|this\s+coming|last"
                    rf"|next))\s+)?(?P<weekday>{_WEEKDAY})\b", _weekday),
        ("year", rf"(?<![\d.,:/$£€#'’]){_YEAR}(?![.,:]\d|-year|\s*%|\s*per\s*cent)", _year),
        ("relative", r"\b(?i:today|tonight|yesterday|tomorrow|last\s+night"
                     r"|this\s+(?:morning|afternoon|evening))\b", _relative_day),
        ("relative", r"\b(?P<rel>(?i:this|last|next))\s+(?P<unit>(?i:week|month|year))\b",
         _relative_period),
        ("relative", rf"(?<![,.])\b(?P<count>(?i:{_NUMBER}))\s+"
                     r"(?P<unit>(?i:day|week|month|year))s?\s+(?i:ago)\b", _ago),
        ("decade", r"(?:\b(?i:the)\s+)?(?:\b(?i:early|mid|late)[-\s]+)?"
                   r"(?:\b(?:19|20)\d0['’]?s|['’]\d0s)\b", _no_value),
    ]
)

# A number, not a year, after these: "Resolution 2003", "Order No. 1950", "flight 2014".
_NUMBERED_BEFORE = re.compile(
    r"(?i:\b(?:order|resolution|res\.|number|nos?\.|e\.o\.|article|section|chapter"
    r"|decree|flight|route|room|page|p\.|highway))\s*$"
)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: str
    match: re.Match[str]
    resolver: _Resolver


def _candidates(text: str) -> list[_Candidate]:
    """Every pattern's matches, longest first: "Tuesday, May 7, 2019" is one date, not a
    weekday, a day of May and a year, and "this October 19, 2001" is not "this October"."""
    found = [
        _Candidate(m.start(), m.end(), kind, m, resolver)
        for kind, pattern, resolver in _PATTERNS
        for m in pattern.finditer(text)
    ]
    found.sort(key=lambda c: (c.start - c.end, c.start))
    taken = bytearray(len(text))
    chosen: list[_Candidate] = []
    for c in found:
        if not any(taken[c.start:c.end]):
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


# What the resolvers may return; arithmetic near year 1 or 9999 can leave it.
_ISO = re.compile(r"(?!0000)\d{4}(?:-\d\d){0,2}")


def _value(c: _Candidate, anchor: datetime.date | None) -> str | None:
    try:
        value = c.resolver(c.match, anchor)
    except OverflowError:  # "9999999999 days ago"
        return None
    return value if value is None or _ISO.fullmatch(value) else None


def _is_numbered(text: str, c: _Candidate) -> bool:
    before = text[max(0, c.start - 20):c.start]
    return c.kind == "year" and _NUMBERED_BEFORE.search(before) is not None


def resolve(expression: str, anchor: datetime.date | None) -> str | None:
    """The value of a span that holds exactly one date; a range or a list of dates has
    no single value, so it is None, as is an expression with none."""
    found = [c for c in _candidates(expression) if not _is_numbered(expression, c)]
    if len(found) != 1:
        return None
    return _value(found[0], anchor)


# Entities whose numbers and names are not dates: "About 2000", "June Smith", "USA Today".
_NOT_DATE_LABELS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL",
                              "PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "FAC", "NORP"})
# A bare month needs a sign of being a date: "May God", "March was" otherwise.
_BEFORE_MONTH = re.compile(
    r"(?i:\b(?:in|since|until|till|by|during|from|to|through|between|and|or|of|early|late"
    r"|mid|before|after|on|around|last|this|next))[\s-]+$"
)
# The model's DATE spans are kept when they speak of time ("just weeks", "Quds Day") and
# are not an age; that leaves out "E.O. 13224", "3229B" and "the 41st, 42nd" (brigades).
_TIME_WORD = re.compile(r"(?i:\b(?:days?|nights?|weeks?|weekends?|months?|years?|decades?"
                        r"|century|centuries|ago|later|earlier|spring|summer|autumn|fall"
                        r"|winter|ramadan|eid)\b)")
_AGE = re.compile(r"(?i:\byears?[-\s]old\b)")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "its", "their", "his", "her"})


def _is_count(token: Any) -> bool:
    """A number before a plural noun counts it ("It sent 2000 fighters"), unless a
    determiner makes it an attribute ("the 2018 elections")."""
    if token is None or token.dep_ != "nummod" or token.head.tag_ not in ("NNS", "NNPS"):
        return False
    before = token.nbor(-1) if token.i > 0 else None
    return before is None or (before.lower_ not in _DETERMINERS and before.tag_ != "POS"
                              and before.tag_ != "PRP$")


def find_dates(parsed: Any, anchor: datetime.date | None) -> list[DateMention]:
    """Every date expression in a spaCy Doc (`parsed`), with spaCy's entities to veto
    doubtful matches and to add DATE spans that no pattern covers."""
    text: str = parsed.text
    entities = [(e.start_char, e.end_char, e.label_) for e in parsed.ents]
    tokens = {t.idx: t for t in parsed}
    starts = [s for s, _, _ in entities]

    def label_at(start: int, end: int) -> str | None:
        """The label of the entity that holds [start, end), entities being disjoint."""
        i = bisect.bisect_right(starts, start) - 1
        return entities[i][2] if i >= 0 and end <= entities[i][1] else None

    mentions: list[DateMention] = []
    candidates = _candidates(text)
    ends = [c.end for c in candidates]
    for c in candidates:
        label = label_at(c.start, c.end)
        if _is_numbered(text, c) or (c.kind != "date" and label in _NOT_DATE_LABELS):
            continue
        if c.kind == "year" and _is_count(tokens.get(c.start)):
            continue
        if (c.kind == "month" and c.match["rel"] is None and label != "DATE"
                and not _BEFORE_MONTH.search(text, max(0, c.start - 12), c.start)):
            continue
        mentions.append(DateMention(c.start, c.end, text[c.start:c.end],
                                    _value(c, anchor)))
    for start, end, label in entities:
        span = text[start:end]
        if label != "DATE" or not _TIME_WORD.search(span) or _AGE.search(span):
            continue
        i = bisect.bisect_right(ends, start)  # the first candidate ending after start
        if i < len(candidates) and candidates[i].start < end:
            continue
        mentions.append(DateMention(start, end, span, None))
    return sorted(mentions, key=lambda m: m.start)
