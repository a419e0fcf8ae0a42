"""The UN Security Council Consolidated List as XML (`consolidated.xml`).

The root CONSOLIDATED_LIST states when the file was made (dateGenerated); INDIVIDUALS/
INDIVIDUAL and ENTITIES/ENTITY hold the records: DATAID, FIRST_NAME..FOURTH_NAME,
UN_LIST_TYPE (the sanctions regime: "Al-Qaida", "Iran", "Taliban", ...), REFERENCE_NUMBER
(IRi.039), LISTED_ON, COMMENTS1, NAME_ORIGINAL_SCRIPT, the *_ALIAS elements (QUALITY,
ALIAS_NAME, NOTE), INDIVIDUAL_DATE_OF_BIRTH, INDIVIDUAL_PLACE_OF_BIRTH and NATIONALITY/VALUE
(schema https://www.un.org/sc/resources/sc-sanctions.xsd; the sample read by the tests is
../shared/designations/un-consolidated-2026-02-27/consolidated.xml).

The first half of this module is what both XML readers need (`kg.lists.ofac_xml` uses it):
record elements together with the span of their text, which is the evidence a designation
quotes and which ElementTree does not give, and a file that breaks part-way (cut short by a
download, or one malformed record) read up to the break and record by record after it.
"""

from __future__ import annotations

import bisect
import functools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.lists.model import GROUP, PERSON, Entry, ListSource, ListVersion, Problem
from kg.lists.names import un_alias_names
from kg.resources import lexicon_entries

# --- Record elements and their text spans (shared with kg.lists.ofac_xml) -------------------

# Markup that may hold text looking like a tag, skipped when scanning for record tags.
_SKIP = r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
_FIRST_TAG = re.compile(_SKIP + r"|<(?P<name>[A-Za-z_][\w.:-]*)(?P<rest>[^>]*)>", re.S)


@functools.cache
def local_name(tag: str) -> str:
    """An element's name without its namespace: lists move namespaces, not names. (Cached:
    a list has a few dozen distinct tags and millions of elements.)"""
    return tag.rsplit("}", 1)[-1]


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    """The first child with this local name, or None."""
    if element is None:
        return None
    for item in element:
        if local_name(item.tag) == name:
            return item
    return None


def children(element: ET.Element | None, *path: str) -> list[ET.Element]:
    """The elements at a path of local names below `element` ("akaList", "aka")."""
    found = [] if element is None else [element]
    for name in path:
        found = [item for parent in found for item in parent if local_name(item.tag) == name]
    return found


def clean(text: str | None) -> str:
    """Element text with its whitespace collapsed: the lists wrap long values over lines."""
    return " ".join((text or "").split())


def child_text(element: ET.Element | None, name: str) -> str:
    """The cleaned text of the first child with this local name; "" if there is none."""
    return clean(item.text) if (item := child(element, name)) is not None else ""


def texts(element: ET.Element | None, *path: str) -> list[str]:
    """The non-empty cleaned texts of the elements at a path, without repeats, in order."""
    return unique(clean(item.text) for item in children(element, *path))


def unique(values: Iterable[str], *, besides: str = "") -> list[str]:
    """Non-empty values in their first order, once each, leaving out `besides`."""
    seen = {besides}
    out = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


class _Lines:
    """Line and column of a character offset, and back: problems name lines, spans offsets."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.size = len(text)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def column(self, offset: int) -> int:
        return offset - self.starts[self.line(offset) - 1]

    def offset(self, line: int, column: int) -> int:
        """The offset of a (1-based line, 0-based column) position, kept on its line."""
        line = min(max(line, 1), len(self.starts))
        end = self.starts[line] if line < len(self.starts) else self.size
        return min(self.starts[line - 1] + max(column, 0), end)


@dataclass(frozen=True)
class _Span:
    tag: str
    number: int  # place among the file's records with this tag, from 1
    start: int
    end: int | None  # None: the record is never closed


@dataclass(frozen=True)
class XmlRecord:
    """One record element of a list file, with the span of its text in the file."""

    tag: str  # local name: INDIVIDUAL, ENTITY, sdnEntry
    element: ET.Element
    start: int
    end: int
    where: str  # how a Problem names it: "ENTITY 1 (DATAID 113966, line 139)"


@dataclass
class XmlRecords:
    """What `read_xml_records` found: the records it could read, and why it missed others."""

    root: ET.Element | None  # the document element as far as it was read (header data)
    records: list[XmlRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    found: int = 0  # record elements in the text, read or not


def _record_tags(tags: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(t) for t in sorted(tags))
    return re.compile(
        _SKIP + rf"|<(?P<close>/?)(?:[\w.-]+:)?(?P<tag>{names})(?=[\s/>])[^>]*?(?P<empty>/?)>",
        re.S)


def _spans(text: str, tags: frozenset[str]) -> list[_Span]:
    """Every record element's text in document order, found by its tags (records do not
    nest; a record opened while another is open leaves that one unclosed)."""
    spans: list[_Span] = []
    counts: Counter[str] = Counter()
    opened: tuple[str, int, int] | None = None
    for match in _record_tags(tags).finditer(text):
        tag = match["tag"]
        if tag is None:  # a comment, CDATA section, processing instruction or doctype
            continue
        if match["close"]:
            if opened and opened[0] == tag:
                spans.append(_Span(*opened, match.end()))
                opened = None
            continue  # a stray end tag: the parser reports it
        if opened:
            spans.append(_Span(*opened, None))
        counts[tag] += 1
        opened = (tag, counts[tag], match.start())
        if match["empty"]:
            spans.append(_Span(*opened, match.end()))
            opened = None
    if opened:
        spans.append(_Span(*opened, None))
    return spans


def _pull(text: str, tags: frozenset[str]) -> tuple[
        ET.Element | None, list[ET.Element], ET.ParseError | None]:
    """The document element, the complete outermost record elements in order, and the error
    that stopped the parse: incremental parsing keeps all that came before a break."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(("start", "end"))
    root: ET.Element | None = None
    records: list[ET.Element] = []
    depth = 0

    def take(events: Iterable[tuple[object, ...]]) -> None:
        nonlocal root, depth
        for event, *rest in events:
            element = rest[0] if rest else None
            if not isinstance(element, ET.Element):
                continue  # only "start" and "end" events were asked for
            if root is None:
                root = element
            if local_name(element.tag) not in tags:
                continue
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 0:
                records.append(element)

    try:
        parser.feed(text)
        take(parser.read_events())
        parser.close()
        take(parser.read_events())
    except ET.ParseError as error:
        return root, records, error
    return root, records, None


def _first_value(text: str, key: str) -> str:
    """The text of the first `key` element in a record's XML (its own id comes first)."""
    match = re.search(rf"<(?:[\w.-]+:)?{re.escape(key)}\s*>([^<]*)<", text)
    return clean(match[1]) if match else ""


def _position(error: ET.ParseError) -> tuple[int, int]:
    line, column = getattr(error, "position", (1, 0))
    return int(line), int(column)


def _reason(error: ET.ParseError) -> str:
    """The parser's message without the position it appends (stated separately)."""
    return re.sub(r": line \d+, column \d+$", "", str(error))


def read_xml_records(text: str, tags: frozenset[str], *, key: str) -> XmlRecords:
    """The record elements (local names `tags`) of an XML list, each with its text span.

    The text is parsed incrementally and the complete records are paired, in document order,
    with the record tags found by scanning the text, checking that each pair is the same
    record (its tag, and the `key` element's value, such as DATAID or uid). Where the XML
    breaks, the records before the break are kept, each record after it is parsed on its
    own (inside the document element's start tag, for its namespace declarations), and a
    Problem names the line and column of the break: a malformed record costs that record,
    not the rest of the list.
    """
    lines = _Lines(text)
    spans = _spans(text, tags)
    root, parsed, error = _pull(text, tags)
    result = XmlRecords(root, found=len(spans))

    def where(span: _Span, value: str) -> str:
        detail = f"{key} {value}, " if value else ""
        return f"{span.tag} {span.number} ({detail}line {lines.line(span.start)})"

    paired = 0
    for element in parsed:
        span = spans[paired] if paired < len(spans) else None
        value = child_text(element, key)
        if (span is None or span.end is None or local_name(element.tag) != span.tag
                or (value and _first_value(text[span.start:span.end], key) != value)):
            break  # the scan and the parse disagree from here: read the rest one by one
        result.records.append(XmlRecord(span.tag, element, span.start, span.end,
                                        where(span, value)))
        paired += 1
    if error is None and paired == len(parsed) == len(spans):
        return result

    head, tail = _wrapper(text, tags)
    broken_at = lines.offset(*_position(error)) if error is not None else None
    explained = False
    for span in spans[paired:]:
        value = _first_value(text[span.start:span.end or len(text)], key)
        holds_break = broken_at is not None and span.start <= broken_at and (
            span.end is None or broken_at < span.end)
        if span.end is None:
            if holds_break and error is not None:
                line, column = _position(error)
                ends = f"the XML breaks at line {line}, column {column + 1} ({_reason(error)})"
            else:
                ends = "it has no end tag"
            result.problems.append(Problem(where(span, value), f"the record is not complete: "
                                           f"{ends}; entry skipped"))
            explained = explained or holds_break
            continue
        try:
            wrapped = ET.fromstring(head + text[span.start:span.end] + tail)
        except ET.ParseError as own:
            line, column = _position(own)
            start_column = lines.column(span.start) - len(head) if line == 1 else 0
            line += lines.line(span.start) - 1
            result.problems.append(Problem(where(span, value), (
                f"malformed XML at line {line}, column {column + start_column + 1} "
                f"({_reason(own)}); entry skipped")))
            explained = explained or holds_break
            continue
        element = wrapped if not head else wrapped[0]
        result.records.append(XmlRecord(span.tag, element, span.start, span.end,
                                        where(span, child_text(element, key))))
    if error is not None and not explained:
        line, column = _position(error)
        after = len(spans) - paired
        result.problems.append(Problem(f"line {line}, column {column + 1}", (
            f"the XML breaks here ({_reason(error)}); "
            + (f"{_count(paired)} before it read" if paired else "no record before it")
            + (f", {_count(after)} after it each read on its own" if after else ""))))
    return result


def _count(records: int) -> str:
    return f"{records} record" + ("" if records == 1 else "s")


def _wrapper(text: str, tags: frozenset[str]) -> tuple[str, str]:
    """The document element's start tag (on one line) and end tag, to parse one record in
    the namespaces the document declares; empty if there is none to borrow."""
    for match in _FIRST_TAG.finditer(text):
        name = match["name"]
        if name is None:
            continue
        if name.rsplit(":", 1)[-1] in tags or match["rest"].endswith("/"):
            return "", ""
        rest = re.sub(r"[\r\n]", " ", match["rest"])
        return f"<{name}{rest}>", f"</{name}>"
    return "", ""


# --- The UN consolidated list -----------------------------------------------------------------

SOURCE = ListSource(
    key="un-consolidated",
    title="United Nations Security Council Consolidated List",
    publisher="United Nations Security Council",
)
RECORD_TAGS = frozenset({"INDIVIDUAL", "ENTITY"})
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

_ROOT = re.compile(r"<CONSOLIDATED_LIST[\s/>]")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_YEAR = re.compile(r"^\d{4}$")


def looks_like_un_xml(head: str) -> bool:
    """Whether the start of a file reads as the UN consolidated list (its document element)."""
    return bool(_ROOT.search(head))


@functools.cache
def terrorist_programs() -> frozenset[str]:
    """The UN_LIST_TYPE values programs.tsv marks as terrorist regimes ("Al-Qaida"): an
    entity listed under one is an armed group; Iran or DPRK entities are companies."""
    return frozenset(row[1] for row in lexicon_entries("programs.tsv")
                     if row[0] == SOURCE.key and row[2] == "terrorist")


def _iso_date(text: str) -> str | None:
    match = _ISO_DATE.match(text)
    return match[1] if match else None


def _birth_date(item: ET.Element) -> str | None:
    """DATE when exact, else YEAR, else FROM_YEAR (TYPE_OF_DATE BETWEEN): the list states
    no more precision than that, and the triples keep the precision given."""
    date = _iso_date(child_text(item, "DATE"))
    if date:
        return date
    for name in ("YEAR", "FROM_YEAR"):
        year = child_text(item, name)
        if _YEAR.match(year):
            return year
    return None


def _birth_place(item: ET.Element) -> str:
    return ", ".join(p for p in (child_text(item, n) for n in
                                 ("CITY", "STATE_PROVINCE", "COUNTRY")) if p)


def _aliases(record: ET.Element, tag: str) -> list[str]:
    """Every alias the list gives, whatever its QUALITY (Good, a.k.a., Low): ALIAS_NAME
    with the transliterations in its brackets, those in NOTE brackets (the gazetteer reads
    the same), and the name in its original script."""
    names = []
    for alias in children(record, f"{tag}_ALIAS"):
        names.extend(un_alias_names(child_text(alias, "ALIAS_NAME")))
        names.extend(un_alias_names(child_text(alias, "NOTE"), note=True))
    names.append(child_text(record, "NAME_ORIGINAL_SCRIPT"))
    return names


def _entry(record: XmlRecord, version: ListVersion) -> Entry | None:
    """The entry a record states, or None and a Problem if it lacks what an entry needs."""
    element = record.element
    parts = NAME_PARTS if record.tag == "INDIVIDUAL" else NAME_PARTS[:1]
    name = " ".join(p for p in (child_text(element, n) for n in parts) if p)
    data_id = child_text(element, "DATAID")
    reference = child_text(element, "REFERENCE_NUMBER")
    program = child_text(element, "UN_LIST_TYPE")
    missing = [what for what, value in (("DATAID", data_id), ("name", name),
                                        ("REFERENCE_NUMBER", reference),
                                        ("UN_LIST_TYPE", program)) if not value]
    if missing:
        version.problems.append(Problem(record.where, f"no {', no '.join(missing)}; "
                                                      "entry skipped"))
        return None
    entry = Entry(
        record_id=data_id, name=name, kind=PERSON if record.tag == "INDIVIDUAL" else GROUP,
        programs=[program], reference=reference,
        listed_on=_iso_date(child_text(element, "LISTED_ON")),
        aliases=unique(_aliases(element, record.tag), besides=name),
        birth_dates=unique(d for item in children(element, "INDIVIDUAL_DATE_OF_BIRTH")
                           if (d := _birth_date(item))),
        birth_places=unique(_birth_place(item)
                            for item in children(element, "INDIVIDUAL_PLACE_OF_BIRTH")),
        nationalities=texts(element, "NATIONALITY", "VALUE"),
        remarks=child_text(element, "COMMENTS1"),
        start=record.start, end=record.end,
    )
    entry.armed = entry.kind == GROUP and any(p in terrorist_programs() for p in entry.programs)
    return entry


def read_un_xml(path: Path, text: str) -> ListVersion:
    """Read the UN consolidated list (`text` is the file's content); the version date is
    the date of dateGenerated."""
    read = read_xml_records(text, RECORD_TAGS, key="DATAID")
    generated = read.root.get("dateGenerated", "") if read.root is not None else ""
    version = ListVersion(SOURCE, str(path), text, _iso_date(generated.strip()))
    version.problems.extend(read.problems)
    seen: set[str] = set()
    for record in read.records:
        entry = _entry(record, version)
        if entry is None:
            continue
        if entry.record_id in seen:
            version.problems.append(Problem(record.where, "DATAID repeated; entry skipped"))
            continue
        seen.add(entry.record_id)
        version.entries.append(entry)
    return version
