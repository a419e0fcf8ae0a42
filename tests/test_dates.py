"""Date expressions through real spaCy parses (find_dates) and on their own (resolve)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from kg.extract.dates import DateMention, find_dates, parse_anchor, resolve
from kg.extract.nlp import load_nlp, model_name

WED = datetime.date(2019, 6, 12)  # a Wednesday
JAN = datetime.date(2020, 1, 5)
THU = datetime.date(2020, 3, 12)  # a Thursday

Expected = list[tuple[str, str | None]]

# (text, anchor, every mention as (text, value), in order)
FIND_CASES: list[tuple[str, datetime.date | None, Expected]] = [
    # explicit days
    ("The attack happened on May 7, 2019 near Baghdad.", WED, [("May 7, 2019", "2019-05-07")]),
    ("On Tuesday, May 7, 2019, militiamen fired rockets.", WED,
     [("Tuesday, May 7, 2019", "2019-05-07")]),
    ("It was 7 May 2019 when they came.", WED, [("7 May 2019", "2019-05-07")]),
    ("He was killed on June 24, 2009.", WED, [("June 24, 2009", "2009-06-24")]),
    ("The deal expires December 27, 2019 and November 17, 2023.", WED,
     [("December 27, 2019", "2019-12-27"), ("November 17, 2023", "2023-11-17")]),
    ("On Oct. 5, 2019, they met.", WED, [("Oct. 5, 2019", "2019-10-05")]),
    ("It happened 2019-03-05.", WED, [("2019-03-05", "2019-03-05")]),
    # explicit months
    ("In March 2019, the group moved.", WED, [("March 2019", "2019-03")]),
    ("By October 2019 it had grown. In December 2014 it was founded.", WED,
     [("October 2019", "2019-10"), ("December 2014", "2014-12")]),
    # months without a year: the latest on or before the anchor
    ("In March, the group moved.", WED, [("March", "2019-03")]),
    ("In December the council met.", JAN, [("December", "2019-12")]),
    ("This past December they returned.", JAN, [("This past December", "2019-12")]),
    ("In December the council met.", WED, [("December", "2018-12")]),
    ("The vote is due next March.", WED, [("next March", "2020-03")]),
    ("The group withdrew on 4 June.", WED, [("4 June", "2019-06-04")]),
    # years
    ("The group was formed in 2003.", WED, [("2003", "2003")]),
    ("2003 was a turning point.", WED, [("2003", "2003")]),
    ("A 2016 law made it legal.", WED, [("2016", "2016")]),
    ("It has fought since 2015.", WED, [("2015", "2015")]),
    ("It fought from 2014 until 2018.", WED, [("2014", "2014"), ("2018", "2018")]),
    ("It was active between 2006 and 2011.", WED, [("2006", "2006"), ("2011", "2011")]),
    ("The 2014-2018 war ended.", WED, [("2014", "2014"), ("2018", "2018")]),
    ("The 2018 elections and the 2019 protests.", WED, [("2018", "2018"), ("2019", "2019")]),
    # relative periods
    ("This month the PMF said so.", WED, [("This month", "2019-06")]),
    ("Last month they said so.", WED, [("Last month", "2019-05")]),
    ("This year, last year and next year.", WED,
     [("This year", "2019"), ("last year", "2018"), ("next year", "2020")]),
    ("Last year's elections were rigged.", WED, [("Last year", "2018")]),
    ("Last week the group said so.", WED, [("Last week", None)]),
    # relative days
    ("Today the militia said so.", WED, [("Today", "2019-06-12")]),
    ("They said so today.", WED, [("today", "2019-06-12")]),
    ("The group said so yesterday.", WED, [("yesterday", "2019-06-11")]),
    ("The vote is tonight.", WED, [("tonight", "2019-06-12")]),
    # weekdays: the latest on or before the anchor
    ("The group attacked on Friday.", WED, [("Friday", "2019-06-07")]),
    ("Friday was quiet.", WED, [("Friday", "2019-06-07")]),
    ("Late Wednesday, rockets hit the base.", WED, [("Late Wednesday", "2019-06-12")]),
    ("Rockets hit the base late Wednesday.", THU, [("late Wednesday", "2020-03-11")]),
    ("Sunday, the group said so.", WED, [("Sunday", "2019-06-09")]),
    # ago
    ("Four years ago the group was small.", WED, [("Four years ago", "2015")]),
    ("Two weeks ago it attacked.", WED, [("Two weeks ago", "2019-05-29")]),
    ("Three months ago it split.", WED, [("Three months ago", "2019-03")]),
    ("Ten days ago the leader died.", WED, [("Ten days ago", "2019-06-02")]),
    ("A year ago it met.", WED, [("A year ago", "2018")]),
    # decades are mentions without a value
    ("In the 1980s the group formed.", WED, [("the 1980s", None)]),
    ("In the 1980's it grew.", WED, [("the 1980's", None)]),
    ("The 1980's were hard.", WED, [("The 1980's", None)]),
    # no anchor: relative ones have no value, explicit ones still do
    ("Yesterday, on Friday, last year and in March.", None,
     [("Yesterday", None), ("Friday", None), ("last year", None), ("March", None)]),
    ("On May 7, 2019 and in March 2019 and in 2003.", None,
     [("May 7, 2019", "2019-05-07"), ("March 2019", "2019-03"), ("2003", "2003")]),
    # an impossible day falls back to its month
    ("February 30, 2019 was invalid.", WED, [("February 30, 2019", "2019-02")]),
    # not dates
    ("They sent 5,200 troops and won 15 seats.", WED, []),
    ("25 militiamen were killed.", WED, []),
    ("Executive Order 13224 and E.O. 13224 and Resolution 2231 apply.", WED, []),
    ("UN Resolution 2003 was adopted.", WED, []),
    ("At 3:00 p.m. a 46-year-old man was killed.", WED, []),
    ("About 2000 fighters joined. Some 1950 troops left.", WED, []),
    ("June Smith said so. May God protect us. The march began.", WED, []),
    ("The Sunday Times and USA Today reported it.", WED, []),
    # from the shared corpus
    ("He looks on in this October 19, 2001 photograph.", None,
     [("October 19, 2001", "2001-10-19")]),
    ("It was merged into the 41st, 42nd, and 43rd Brigades.", None, []),
    ("It invoked 18 U.S.C. §3229B in 2025.", None, [("2025", "2025")]),
    ("Iran hadn’t sanctioned Iraq in the ’90s.", WED, [("the ’90s", None)]),
    ("They shared word of Wednesday’s rocket attack.", THU, [("Wednesday", "2020-03-11")]),
    ("Strikes culminated this past January with a killing.", THU,
     [("this past January", "2020-01")]),
    ("The parliament urged the government Sunday to expel 5,200 troops.", JAN,
     [("Sunday", "2020-01-05")]),
    ("Militia leaders formed it in late 2019.", WED, [("2019", "2019")]),
    # durations: a mention at most, never a value
    ("The war lasted for three years and decades.", WED, [("three years and decades", None)]),
    ("Over the past four years the group grew.", WED, [("the past four years", None)]),
]

RESOLVE_CASES: list[tuple[str, datetime.date | None, str | None]] = [
    ("May 7, 2019", WED, "2019-05-07"),
    ("Tuesday, May 7, 2019", WED, "2019-05-07"),
    ("7 May 2019", WED, "2019-05-07"),
    ("June 24, 2009", None, "2009-06-24"),
    ("December 27, 2019", WED, "2019-12-27"),
    ("November 17, 2023", WED, "2023-11-17"),
    ("March 2019", WED, "2019-03"),
    ("in March 2019", None, "2019-03"),
    ("October 2019", WED, "2019-10"),
    ("December 2014", WED, "2014-12"),
    ("in March", WED, "2019-03"),
    ("in December", JAN, "2019-12"),
    ("this past December", JAN, "2019-12"),
    ("in March", None, None),
    ("2003", None, "2003"),
    ("in 2003", WED, "2003"),
    ("A 2016 law", WED, "2016"),
    ("since 2015", WED, "2015"),
    ("mid-2014", WED, "2014"),
    ("between 2006 and 2011", WED, None),
    ("this month", WED, "2019-06"),
    ("last month", WED, "2019-05"),
    ("last month", JAN, "2019-12"),
    ("next month", datetime.date(2019, 12, 3), "2020-01"),
    ("this year", WED, "2019"),
    ("last year", WED, "2018"),
    ("next year", WED, "2020"),
    ("earlier this year", WED, "2019"),
    ("this week", WED, None),
    ("today", WED, "2019-06-12"),
    ("Today", WED, "2019-06-12"),
    ("yesterday", WED, "2019-06-11"),
    ("yesterday", JAN, "2020-01-04"),
    ("tomorrow", WED, "2019-06-13"),
    ("tonight", WED, "2019-06-12"),
    ("last night", WED, "2019-06-11"),
    ("on Friday", WED, "2019-06-07"),
    ("Friday", WED, "2019-06-07"),
    ("Wednesday", WED, "2019-06-12"),
    ("last Wednesday", WED, "2019-06-05"),
    ("next Monday", WED, "2019-06-17"),
    ("late Wednesday", THU, "2020-03-11"),
    ("Sunday", WED, "2019-06-09"),
    ("Friday", None, None),
    ("four years ago", WED, "2015"),
    ("two weeks ago", WED, "2019-05-29"),
    ("three months ago", WED, "2019-03"),
    ("seven months ago", WED, "2018-11"),
    ("5 days ago", WED, "2019-06-07"),
    ("four years ago", None, None),
    ("the 1980s", WED, None),
    ("the 1980's", WED, None),
    ("in the 1980's", WED, None),
    ("Sept. 11", WED, "2018-09-11"),
    ("June 12", WED, "2019-06-12"),
    ("June 13", WED, "2018-06-13"),
    ("February 30, 2019", WED, "2019-02"),
    ("February 29", WED, "2019-02"),
    ("Resolution 2003", WED, None),
    ("E.O. 13224", WED, None),
    ("46-year-old", WED, None),
    ("for three years", WED, None),
    ("decades", WED, None),
    ("3:00 p.m.", WED, None),
    ("1850", WED, None),
    ("2150", WED, None),
    ("", WED, None),
    ("Ã©Ã¨ â€™ ï»¿", WED, None),
    ("9999999999 days ago", WED, None),
    ("3000 years ago", WED, None),
]

ANCHOR_CASES: list[tuple[str | None, datetime.date | None]] = [
    ("2019-06-12", WED),
    ("2019-06-12T10:00:00Z", WED),
    (" 2020-01-05 ", JAN),
    ("2019", None),
    ("2019-06", None),
    ("2019-02-30", None),
    ("unknown", None),
    ("", None),
    (None, None),
]

NONSENSE = ["", " ", "\n\n\n", "...", "Ã©Ã¨ â€™ ï»¿ Ã¢â‚¬Å“", "\x00\x01", "May", "2019",
            "31 31 31 31", "Tuesday, February 30, 2019", "Sept. Oct. Nov.", "'s 's 's"]


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_nlp(model_name(None))


def _ids(cases: list[Any]) -> list[str]:
    return [f"{case[0]!r}@{case[1]}" for case in cases]


def test_case_counts() -> None:
    assert len(FIND_CASES) > 50 and len(RESOLVE_CASES) > 60


@pytest.mark.parametrize(("text", "anchor", "expected"), FIND_CASES, ids=_ids(FIND_CASES))
def test_find_dates(nlp: Any, text: str, anchor: datetime.date | None,
                    expected: Expected) -> None:
    mentions = find_dates(nlp(text), anchor)
    assert [(m.text, m.value) for m in mentions] == expected


@pytest.mark.parametrize(("text", "anchor", "expected"), FIND_CASES, ids=_ids(FIND_CASES))
def test_offsets(nlp: Any, text: str, anchor: datetime.date | None,
                 expected: Expected) -> None:
    mentions = find_dates(nlp(text), anchor)
    for mention in mentions:
        assert text[mention.start:mention.end] == mention.text
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))


def test_offsets_in_a_longer_text(nlp: Any) -> None:
    text = ("Militiamen fired rockets on Tuesday, May 7, 2019. Last year's elections, held in "
            "May, followed a 2016 law. Four years ago, in the 1980's and since 2015 ...")
    mentions = find_dates(nlp(text), WED)
    assert mentions == [
        DateMention(28, 48, "Tuesday, May 7, 2019", "2019-05-07"),
        DateMention(50, 59, "Last year", "2018"),
        DateMention(81, 84, "May", "2019-05"),
        DateMention(97, 101, "2016", "2016"),
        DateMention(107, 121, "Four years ago", "2015"),
        DateMention(126, 136, "the 1980's", None),
        DateMention(147, 151, "2015", "2015"),
    ]
    assert all(text[m.start:m.end] == m.text for m in mentions)


@pytest.mark.parametrize(("expression", "anchor", "expected"), RESOLVE_CASES,
                         ids=_ids(RESOLVE_CASES))
def test_resolve(expression: str, anchor: datetime.date | None, expected: str | None) -> None:
    assert resolve(expression, anchor) == expected


@pytest.mark.parametrize(("published", "expected"), ANCHOR_CASES,
                         ids=[repr(c[0]) for c in ANCHOR_CASES])
def test_parse_anchor(published: str | None, expected: datetime.date | None) -> None:
    assert parse_anchor(published) == expected


@pytest.mark.parametrize("text", NONSENSE, ids=[repr(t) for t in NONSENSE])
def test_nonsense_does_not_crash(nlp: Any, text: str) -> None:
    mentions = find_dates(nlp(text), WED)
    assert all(text[m.start:m.end] == m.text for m in mentions)
    assert all(m.value is None or m.value.startswith("2019") for m in mentions)


EXTREMES = ["yesterday", "tomorrow", "Friday", "next Friday", "in March", "next March",
            "June 13", "last month", "next month", "next year", "last year", "a year ago",
            "two weeks ago", "three months ago"]


@pytest.mark.parametrize("expression", EXTREMES)
def test_anchor_at_the_ends_of_the_calendar(nlp: Any, expression: str) -> None:
    """Arithmetic past year 1 or 9999 gives no value rather than an exception or "0000"."""
    for anchor in (datetime.date.min, datetime.date.max):
        value = resolve(expression, anchor)
        assert value is None or re.fullmatch(r"(000[1-9]|999\d)(-\d\d){0,2}", value)
        assert [m.value for m in find_dates(nlp(f"It happened {expression}."), anchor)] \
            == [value]
