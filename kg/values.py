"""Typed values at the boundary: raw strings become typed literals here, or None.

A date keeps the precision its source gives: "2019" is an xsd:gYear, "2019-06" an
xsd:gYearMonth, "2019-06-12" an xsd:date. Widening "2019-06" to "2019-06-01" would
invent a day nobody stated.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from rdflib import Literal

from kg.namespace import XSD

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.+\-Z]*)?$")


def date_literal(text: str) -> Literal | None:
    """An ISO 8601 date at year, month or day precision; None if `text` is not one."""
    match = _ISO.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return Literal(dt.date(int(year), int(month), int(day)).isoformat(), datatype=XSD.date)
        if month:
            if not 1 <= int(month) <= 12:
                return None
            return Literal(f"{year}-{month}", datatype=XSD.gYearMonth)
    except ValueError:
        return None
    return Literal(year, datatype=XSD.gYear)


def datetime_literal(moment: dt.datetime) -> Literal:
    """An xsd:dateTime in UTC, to the second."""
    utc = moment.astimezone(dt.UTC).replace(microsecond=0)
    return Literal(utc.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)


def count_literal(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def decimal_literal(value: float) -> Literal:
    """An xsd:decimal to three places (a score): from its text, so that a float's binary
    noise never reaches the literal."""
    return Literal(Decimal(f"{value:.3f}"), datatype=XSD.decimal)
