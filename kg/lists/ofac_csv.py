"""OFAC's legacy SDN CSV: `sdn.csv`, with `alt.csv` (aliases) beside it when present.

The files have no header row, write an empty field as "-0- ", join programs as "A] [B",
and pack dates and places of birth, nationality and a.k.a.s into one remarks field
("DOB 20 Jun 1974; alt. DOB 1974; POB Baghdad, Iraq; nationality Iraq; a.k.a. 'X'.").
OFAC ends the file with a DOS end-of-file byte (0x1A) on a line of its own.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from kg.extract.dates import MONTHS
from kg.lists.model import GROUP, PERSON, PROPERTY_KINDS, Entry, ListSource, ListVersion, Problem
from kg.lists.names import remark_aliases
from kg.values import date_literal

SOURCE = ListSource(
    key="ofac-sdn",
    title="OFAC Specially Designated Nationals and Blocked Persons List",
    publisher="Office of Foreign Assets Control",
)
SDN_FIELDS = 12
ALT_FIELDS = 5
_EOF = "\x1a"

# The first fields of a sdn.csv row: a number, a quoted name, a type, programs.
_SDN_ROW = re.compile(r'^\s*\d+,"[^"\n]*",(?:-0- |"[a-z]+"),"[^"\n]*"', re.MULTILINE)

_DATE = re.compile(r"^(?:circa\s+)?(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\s+)?(\d{4})\b")

# Words in an entity's names or remarks that say it is an armed group ("network" is left
# out: OFAC also uses it for financial and procurement networks).
ARMED_WORDS = re.compile(r"\b(?:militias?|brigades?|army|front|movement|hizballah)\b", re.I)


def looks_like_sdn_csv(head: str) -> bool:
    """Whether the start of a file reads as OFAC's sdn.csv (no header row to go by)."""
    return bool(_SDN_ROW.match(head))


def field_value(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def ofac_date(text: str) -> str | None:
    """"20 Jun 1974" -> "1974-06-20", "Jun 1974" -> "1974-06", "circa 1976" -> "1976"."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    day, month, year = match.groups()
    if month and month.lower()[:3] not in MONTHS:
        return None
    if not month:
        return year
    number = MONTHS[month.lower()[:3]]
    found = f"{year}-{number:02d}-{int(day):02d}" if day else f"{year}-{number:02d}"
    return found if date_literal(found) is not None else None  # "31 Feb 1974"


def _records(text: str) -> Iterator[tuple[int, int, int, list[str]]]:
    """(line number, start, end, fields) for each CSV record, with the character span it
    occupies in `text` (a quoted field may run over lines)."""
    lines = text.splitlines(keepends=True)
    position = {"offset": 0, "line": 0}

    def feed() -> Iterator[str]:
        for line in lines:
            position["line"] += 1
            yield line
            position["offset"] += len(line)

    reader = csv.reader(feed())
    start = 0
    while True:
        line = position["line"] + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        # The generator is paused on the record's last line, not yet counted in offset.
        end = position["offset"] + len(lines[position["line"] - 1])
        quote = text[start:end].rstrip("\r\n")
        yield line, start, start + len(quote), row
        start = end


def _remarks(entry: Entry, remarks: str, where: str, version: ListVersion) -> None:
    entry.remarks = remarks
    entry.aliases.extend(remark_aliases(remarks))
    for part in remarks.rstrip(".").split(";"):
        part = re.sub(r"^alt\.\s+", "", part.strip())
        label, _, value = part.partition(" ")
        if label == "DOB":
            date = ofac_date(value)
            if date:
                entry.birth_dates.append(date)
            else:
                version.problems.append(Problem(
                    where, f"date of birth {value!r} not understood; left out, the rest of "
                           f"the entry is read", lost=False))
        elif label == "POB" and value:
            entry.birth_places.append(value.strip())
        elif label in {"nationality", "citizen"} and value and value not in entry.nationalities:
            entry.nationalities.append(value.strip())


def _aliases(path: Path, version: ListVersion) -> dict[str, list[str]]:
    """alt.csv's names by ent_num: ent_num, alt_num, alt_type (aka/fka/nka), name, remarks."""
    found: dict[str, list[str]] = defaultdict(list)
    if not path.is_file():
        return found
    text = path.read_text(encoding="utf-8", errors="replace")
    version.companion_text += text
    for line, _start, _end, row in _records(text):
        if row == [_EOF] or not row:
            continue
        if len(row) != ALT_FIELDS:
            version.problems.append(Problem(
                f"{path.name} line {line}",
                f"expected {ALT_FIELDS} fields, found {len(row)}; alias row skipped"))
            continue
        ent_num, _alt_num, alt_type, name = (field_value(v) for v in row[:4])
        if alt_type.lower() in {"aka", "fka", "nka"} and name:
            found[ent_num].append(name)
    return found


def read_sdn_csv(path: Path, text: str) -> ListVersion:
    """Read sdn.csv (`text` is its content) and the alt.csv beside it."""
    version = ListVersion(SOURCE, str(path), text, None)
    aliases = _aliases(path.with_name("alt.csv"), version)
    seen: set[str] = set()
    for line, start, end, row in _records(text):
        if row == [_EOF] or not row:
            continue
        ent_num = field_value(row[0])
        where = f"line {line}" + (f" (ent_num {ent_num})" if ent_num else "")
        if len(row) != SDN_FIELDS:
            version.problems.append(Problem(
                where, f"expected {SDN_FIELDS} fields, found {len(row)}; entry skipped"))
            continue
        name, sdn_type, programs = (field_value(v) for v in row[1:4])
        if not ent_num.isdigit() or not name:
            version.problems.append(Problem(where, "no entry number or no name; entry skipped"))
            continue
        if ent_num in seen:
            version.problems.append(Problem(where, "entry number repeated; entry skipped"))
            continue
        seen.add(ent_num)
        if sdn_type in PROPERTY_KINDS:
            version.skipped_property += 1
            continue
        if sdn_type not in {"", "individual"}:
            version.problems.append(Problem(where, f"unknown entry type {sdn_type!r}; skipped"))
            continue
        entry = Entry(
            record_id=ent_num, name=name, kind=PERSON if sdn_type == "individual" else GROUP,
            programs=[p.strip() for p in programs.split("] [") if p.strip()],
            reference=ent_num, start=start, end=end,
        )
        _remarks(entry, field_value(row[11]), where, version)
        entry.aliases.extend(a for a in aliases.pop(ent_num, []) if a not in entry.aliases)
        entry.armed = entry.kind == GROUP and any(
            ARMED_WORDS.search(t) for t in (entry.name, *entry.aliases, entry.remarks))
        if not entry.programs:
            version.problems.append(Problem(where, "no program given; entry skipped"))
            continue
        version.entries.append(entry)
    if aliases:
        version.warnings.append(
            f"alt.csv has aliases for {len(aliases)} entry numbers not in sdn.csv "
            f"(e.g. {sorted(aliases)[0]}); they are not used")
    return version
