"""The State Department's Foreign Terrorist Organizations list, as state.gov publishes it
(an HTML table) or as a CSV transcription of that table.

The State Department publishes no data file: the list is a table on
https://www.state.gov/foreign-terrorist-organizations/ . What was confirmed, and where
(stored copies, not the live page):

* A copy of the page as of the 2021-12-01 designations (the `pages` corpus, the page's own
  address with a `?fbclid=` suffix) heads the table "Designated Foreign Terrorist
  Organizations", with header cells "Date Designated" and "Name", one organization a row,
  newest first, dates written "December 1, 2021". Amendments sit in the name cell on lines
  of their own: "al-Nusrah Front, aka Hay’at Tahrir al-Sham (ANF/HTS)" then "— Jabhat Fath
  al-Sham Amendment (November 14, 2016)". The page writes curly apostrophes and en dashes
  ("Gama’a al-Islamiyya (Islamic Group – IG)").
* Older copies (lni-resourcecenter.com; a Turkish mirror in the same corpus) show the same
  two columns with dates written "10/8/1997", oldest first.
* OpenSanctions' crawler (`opensanctions/opensanctions`,
  `datasets/us/state_terrorist_orgs/crawler.py`, dataset prefix `us-dos-fto`) expects
  exactly two tables on the page, designated and delisted, reads each through a header
  row whose cells it slugs to `date_designated` / `date_originally_designated`,
  `date_removed` and `name`, and parses dates as "%B %d, %Y"; its name lookups show the
  amendment form "al-Shabaab— al-Hijra Amendment (August 1, 2018)" on the current page.
  So the delisted table's headers are, by that slug, "Date Originally Designated",
  "Date Removed" and "Name"; the exact wording was not seen, so columns are found by the
  words "designated", "removed" and "name" in their header cells, not by position.
* No copy showed a "Last updated" line or a machine-readable modification date, so the
  reader gives no version date for a page; the caller dates it (the file name, or
  --list-date).

Every row becomes an entry whatever table it is in: the delisted table's rows carry their
removal date (`Entry.delisted_on`), so a version states both who is listed and who was
taken off. Row numbers (`record_id`) count the data rows of the page, or of the CSV, from
1, in the order they stand; they identify a record within one version only.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from kg.extract.dates import MONTHS
from kg.lists.model import GROUP, Entry, ListSource, ListVersion, Problem
from kg.lists.names import TRUNCATED, fto_names

SOURCE = ListSource(
    key="us-dos-fto",
    title="US State Department Foreign Terrorist Organizations list",
    publisher="United States Department of State",
)
PROGRAM = "FTO"  # lexicon/programs.tsv: us-dos-fto FTO

# The CSV transcription's header (the shared designations folder's us-dos-fto/fto-list.csv).
CSV_FIELDS = ("date_designated", "name")
_CSV_HEADER = re.compile(r"^\s*date_designated\s*,\s*name\s*(?:,|$)", re.I)

# An HTML table header cell reading "Date Designated" (whatever markup is inside it), and
# the page's own words.
_DATE_HEADER = re.compile(
    r"<t[hd]\b[^>]*>\s*(?:<[^>]+>\s*)*Date\s+(?:Originally\s+)?Designated", re.I)
_FTO_WORDS = re.compile(r"Foreign\s+Terrorist\s+Organization", re.I)
# A saved state.gov page carries tens of kilobytes of scripts and styles before the table,
# so its first 4 KB hold only the title and the page's address.
_FTO_TITLE = re.compile(
    r"<title[^>]*>\s*Foreign\s+Terrorist\s+Organizations\s*"
    r"(?:[-–—|:]\s*(?:the\s+)?(?:United\s+States\s+|U\.\s*S\.\s+)?Department\s+of\s+State\s*)?"
    r"</title>", re.I)
_STATE_GOV = re.compile(r"state\.gov|Department\s+of\s+State", re.I)

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_US_NUMERIC = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_US_WRITTEN = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")

# "revoked 2022-05-20 per ...", "revoked in 2021 per ...", "revoked on 2022-05-20".
_REVOKED = re.compile(r"\brevoked\s+(?:(?:on|in)\s+)?(\d{4}(?:-\d{2}-\d{2})?)\b", re.I)
# A line of a name cell that starts with a dash is an amendment, not a name.
_AMENDMENT_LINE = re.compile(r"^\s*[—–-]\s*")
_AMENDMENT = re.compile(
    r"^(?P<names>.+?)\s+Amendment(?P<plural>s)?\s*(?:\((?P<date>[^()]*)\))?\s*$")
_SPACED_DASH = re.compile(r"\s+[–—]\s+")
_BLOCK_TAGS = frozenset({"br", "p", "div", "li"})


def looks_like_fto(path: Path, head: str) -> bool:
    """Whether the start of a file is the FTO list: the CSV transcription (by its header)
    or state.gov's page (a "Date Designated" header cell and the words "Foreign Terrorist
    Organization", or, for a page saved whole, its title and the State Department's name).

    The file's name is not used: copies are saved under any name.
    """
    del path  # recognised by content alone
    text = head.lstrip("\ufeff")
    if _CSV_HEADER.match(text):
        return True
    if "<" not in text:
        return False
    if _DATE_HEADER.search(text) and _FTO_WORDS.search(text):
        return True
    return bool(_FTO_TITLE.search(text) and _STATE_GOV.search(text))


def fto_date(text: str) -> str | None:
    """An FTO list date as ISO, or None if not understood.

    The page has written "10/8/1997" and "October 8, 1997"; the CSV writes ISO dates,
    and its notes years alone ("revoked in 2021"), kept at the precision given.
    """
    text = " ".join(text.split())
    try:
        if match := _ISO.match(text):
            year, month, day = match.groups()
            if day:
                return dt.date(int(year), int(month), int(day)).isoformat()
            if month:
                dt.date(int(year), int(month), 1)  # validates the month
                return f"{year}-{month}"
            return year
        if match := _US_NUMERIC.match(text):
            month, day, year = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
        if match := _US_WRITTEN.match(text):
            name, day, year = match.groups()
            number = MONTHS.get(name.lower()) or next(
                (n for m, n in MONTHS.items() if len(name) >= 3 and m.startswith(name.lower())),
                None)
            if number is None:
                return None
            return dt.date(int(year), number, int(day)).isoformat()
    except ValueError:
        return None
    return None


def read_fto(path: Path, text: str) -> ListVersion:
    """Read the FTO list from `text`, the whole of `path`: the CSV transcription or the
    state.gov page, told apart by content as `looks_like_fto` does."""
    if _CSV_HEADER.match(text.lstrip("\ufeff")):
        return _read_csv(path, text)
    return _read_html(path, text)


# --- names ------------------------------------------------------------------------------


def _names(cell: str) -> tuple[list[str], list[str]]:
    """(names, amendment lines) of one name cell: the organization's names, the label
    first, and the amendments the page lists under it, whose names are aliases too
    ("— Marwan Hadid Brigades Amendment (November 2, 2017)")."""
    lines = [line.strip() for line in cell.splitlines() if line.strip()]
    # Amendments may also run on in the name's own line ("al-Shabaab— al-Hijra Amendment").
    parts: list[str] = []
    for line in lines:
        parts.extend(p.strip() for p in re.split(r"\s*—\s*(?=[^—]*\bAmendments?\b)", line))
    parts = [p for p in parts if p]
    head = parts[:1]
    amendments: list[str] = []
    for part in parts[1:]:
        unmarked = _AMENDMENT_LINE.sub("", part)
        if _AMENDMENT.match(unmarked):
            amendments.append(unmarked)
        elif not amendments:
            head.append(part)  # a long name broken over lines
    if not head:
        return [], amendments
    # fto_names splits "(Islamic Group - IG)" on a spaced hyphen; the page sets an en dash.
    names = fto_names(_SPACED_DASH.sub(" - ", " ".join(head)))
    for amendment in amendments:
        match = _AMENDMENT.match(amendment)
        if not match:
            continue
        found = match["names"]
        split = re.split(r",\s*(?:and\s+)?|\s+and\s+", found) if match["plural"] else [found]
        names.extend(n.strip() for n in split if n.strip() and n.strip() not in names)
    return names, amendments


def _entry(row_number: int, cell: str, where: str, version: ListVersion,
           *, start: int, end: int) -> Entry | None:
    """An entry for a row's name cell, or None (with a Problem) if it has no usable name."""
    if TRUNCATED in cell:
        version.problems.append(Problem(where, "the name is cut off (marked [...]); "
                                               "entry skipped"))
        return None
    names, amendments = _names(cell)
    if not names:
        version.problems.append(Problem(where, "no name; entry skipped"))
        return None
    return Entry(
        record_id=str(row_number), name=names[0], kind=GROUP, programs=[PROGRAM],
        aliases=names[1:], remarks="; ".join(amendments), start=start, end=end, armed=True,
    )


def _date(value: str, what: str, where: str, version: ListVersion) -> str | None:
    """An ISO date, or None with a Problem saying the date was not understood; the entry is
    kept, since a listing with no date still says the group is listed."""
    if not value.strip():
        version.problems.append(Problem(where, f"no {what}; entry kept without it", lost=False))
        return None
    date = fto_date(value)
    if date is None:
        version.problems.append(Problem(
            where, f"{what} {value.strip()!r} not understood; entry kept without it",
            lost=False))
    return date


# --- the CSV transcription --------------------------------------------------------------


def _csv_records(text: str) -> Iterator[tuple[int, int, int, list[str]]]:
    """(line number, start, end, fields) for each CSV record, with the span it occupies in
    `text` without its line end (a quoted field may run over lines)."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    consumed = 0  # lines the csv reader has taken

    def feed() -> Iterator[str]:
        nonlocal consumed
        for line in lines:
            consumed += 1
            yield line

    reader = csv.reader(feed())
    while True:
        first = consumed
        try:
            row = next(reader)
        except StopIteration:
            return
        start, end = offsets[first], offsets[consumed]
        yield first + 1, start, start + len(text[start:end].rstrip("\r\n")), row


def _read_csv(path: Path, text: str) -> ListVersion:
    """The CSV transcription: date_designated, name, then any of source_url and note; a
    note saying "revoked <date>" gives the removal date. The file states no version date."""
    version = ListVersion(SOURCE, str(path), text, None)
    records = _csv_records(text)
    header = next(records, None)
    if header is None:
        return version
    columns = [c.strip().lstrip("\ufeff").lower() for c in header[3]]
    note_at = columns.index("note") if "note" in columns else None
    row_number = 0
    for line, start, end, row in records:
        if not any(v.strip() for v in row):
            continue
        row_number += 1
        where = f"line {line}"
        if len(row) < len(CSV_FIELDS):
            version.problems.append(Problem(
                where, f"expected at least {len(CSV_FIELDS)} fields, found {len(row)}; "
                       "entry skipped"))
            continue
        entry = _entry(row_number, row[1].strip(), where, version, start=start, end=end)
        if entry is None:
            continue
        entry.listed_on = _date(row[0], "designation date", where, version)
        note = row[note_at] if note_at is not None and note_at < len(row) else ""
        if match := _REVOKED.search(note):
            entry.delisted_on = fto_date(match[1])
        version.entries.append(entry)
    return version


# --- the state.gov page -----------------------------------------------------------------


@dataclass
class _Row:
    start: int
    end: int = -1
    cells: list[str] = field(default_factory=list)


@dataclass
class _Table:
    rows: list[_Row] = field(default_factory=list)


class _TableParser(HTMLParser):
    """The tables of a page as rows of cell texts, each row with its span in the page.

    Cell text keeps line breaks where the page breaks lines (<br>, <p>), because the
    page puts amendments on lines of their own under the name.
    """

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0]
        for match in re.finditer("\n", text):
            self.line_starts.append(match.end())
        self.tables: list[_Table] = []
        self._depth = 0  # nested tables are read as text of the outer cell
        self._row: _Row | None = None
        self._cell: list[str] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _close_cell(self) -> None:
        if self._row is not None and self._cell is not None:
            raw = "".join(self._cell)
            lines = (" ".join(line.split()) for line in raw.splitlines())
            self._row.cells.append("\n".join(line for line in lines if line))
        self._cell = None

    def _close_row(self, end: int) -> None:
        self._close_cell()
        if self._row is not None:
            while end > self._row.start and self.text[end - 1].isspace():
                end -= 1
            self._row.end = end
            self.tables[-1].rows.append(self._row)
        self._row = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append(_Table())
            return
        if self._depth != 1:
            return
        if tag == "tr":
            self._close_row(self._offset())
            self._row = _Row(start=self._offset())
        elif tag in {"td", "th"} and self._row is not None:
            self._close_cell()
            self._cell = []
        elif tag in _BLOCK_TAGS and self._cell is not None:
            self._cell.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS and self._depth == 1 and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self._depth == 1:
                self._close_row(self._offset())
            self._depth = max(0, self._depth - 1)
            return
        if self._depth != 1:
            return
        if tag == "tr" and self._row is not None:
            offset = self._offset()
            self._close_row(self.text.index(">", offset) + 1)
        elif tag in {"td", "th"}:
            self._close_cell()
        elif tag in _BLOCK_TAGS and self._cell is not None:
            self._cell.append("\n")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@dataclass(frozen=True)
class _Columns:
    name: int
    designated: int | None
    removed: int | None


def _columns(cells: list[str]) -> _Columns | None:
    """Where the name and dates are, from a header row; None if it is not an FTO table."""
    words = [" ".join(c.lower().split()) for c in cells]
    name = next((i for i, w in enumerate(words) if w == "name" or w.endswith(" name")), None)
    designated = next((i for i, w in enumerate(words) if "designated" in w), None)
    removed = next((i for i, w in enumerate(words) if "removed" in w or "revoked" in w), None)
    if name is None or (designated is None and removed is None):
        return None
    return _Columns(name, designated, removed)


def _read_html(path: Path, text: str) -> ListVersion:
    """The state.gov page: every table whose header names a "Name" column and a date
    designated or removed; other tables on the page are left alone."""
    version = ListVersion(SOURCE, str(path), text, None)
    parser = _TableParser(text)
    parser.feed(text)
    parser.close()
    row_number = 0
    found = False
    for table in parser.tables:
        # The header is the first row naming the columns (a caption row may stand above it).
        headers = ((i, _columns(r.cells)) for i, r in enumerate(table.rows))
        at, columns = next(((i, c) for i, c in headers if c is not None), (0, None))
        if columns is None:
            continue
        found = True
        for row in table.rows[at + 1:]:
            if not any(row.cells) or _columns(row.cells) is not None:
                continue  # an empty row, or the header repeated
            row_number += 1
            where = f"row {row_number}"
            if len(row.cells) <= columns.name:
                version.problems.append(Problem(
                    where, f"{len(row.cells)} cells, no name cell; entry skipped"))
                continue
            entry = _entry(row_number, row.cells[columns.name], where, version,
                           start=row.start, end=row.end)
            if entry is None:
                continue
            if columns.designated is not None:
                entry.listed_on = _date(_cell(row, columns.designated), "designation date",
                                        where, version)
            if columns.removed is not None:
                entry.delisted_on = _date(_cell(row, columns.removed), "removal date", where,
                                          version)
            version.entries.append(entry)
    if not found:
        version.problems.append(Problem(
            "page", "no table with a 'Name' and a 'Date Designated' header; nothing read"))
    return version


def _cell(row: _Row, index: int | None) -> str:
    return row.cells[index] if index is not None and index < len(row.cells) else ""
