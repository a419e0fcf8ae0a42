"""Official designation lists: which reader a file needs (by content, then by name), and
the version date of what it reads.

Each reader turns a file into a `ListVersion` (kg.lists.model); `kg.lists.triples` turns
that into triples and `kg.lists.ingest` puts it in the store beside earlier versions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.documents import LIST_SUFFIXES as LIST_ONLY_SUFFIXES
from kg.errors import InputError
from kg.lists.model import ListVersion

# Files that only complete another list file; read with it, never alone.
COMPANIONS = {"alt.csv": "sdn.csv", "add.csv": "sdn.csv", "sdn_comments.csv": "sdn.csv"}
LIST_SUFFIXES = frozenset({".csv", ".xml", ".html", ".htm"})
# Files that can only be lists (read as one, or refused with the reason): LIST_ONLY_SUFFIXES.
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_HEAD = 4096

__all__ = ["LIST_ONLY_SUFFIXES", "is_companion", "is_list_file", "read_list"]


@dataclass(frozen=True)
class Reader:
    name: str
    recognises: Callable[[Path, str], bool]  # (path, first characters) -> bool
    read: Callable[[Path, str], ListVersion]  # (path, whole text) -> version


def readers() -> list[Reader]:
    from kg.lists import fto, ofac_csv, ofac_xml, un_xml

    return [
        Reader("OFAC SDN CSV", lambda _p, head: ofac_csv.looks_like_sdn_csv(head),
               ofac_csv.read_sdn_csv),
        Reader("OFAC SDN XML", lambda _p, head: ofac_xml.looks_like_sdn_xml(head),
               ofac_xml.read_sdn_xml),
        Reader("UN consolidated list XML", lambda _p, head: un_xml.looks_like_un_xml(head),
               un_xml.read_un_xml),
        Reader("State Department FTO list", fto.looks_like_fto, fto.read_fto),
    ]


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file (contains NUL bytes), not a list")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # OFAC's legacy files are Windows-1252; decoding never fails with it.
        return data.decode("cp1252", errors="replace")


def is_companion(path: Path) -> bool:
    """Whether a file completes a list file beside it (OFAC's alt.csv next to sdn.csv)."""
    main = COMPANIONS.get(path.name.lower())
    return main is not None and (path.parent / main).is_file()


def reader_for(path: Path, head: str) -> Reader | None:
    """The reader that recognises the file's content, or None: not a list kg can read."""
    for reader in readers():
        if reader.recognises(path, head):
            return reader
    return None


def is_list_file(path: Path) -> bool:
    """Whether a file is a designation list (cheap: its first few kilobytes)."""
    if path.suffix.lower() not in LIST_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return False
    return reader_for(path, head) is not None


def read_list(path: Path, *, version_date: str | None = None) -> ListVersion:
    """Read one list file; InputError if it is not a list kg can read or is unreadable.

    The version date is, in order: the one the file states, an ISO date in the file's
    or its folder's name (how archived copies are usually named), `version_date`, else
    the file's modification date, with a warning. A name's date comes before the option
    so that one `--list-date` given to a build of many dated folders cannot erase their
    history.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise InputError(path, "file is empty")
    text = _decode(path, data)
    reader = reader_for(path, text[:_HEAD])
    if reader is None:
        raise InputError(path, "not a designation list kg can read (OFAC SDN CSV or XML, "
                               "UN consolidated list XML, State Department FTO list)")
    version = reader.read(path, text)
    if not version.entries and version.problems:
        first = version.problems[0]
        raise InputError(path, f"no entry could be read ({len(version.problems)} problems; "
                               f"first, {first.where}: {first.problem})")
    if version.version_date is None:
        version.version_date = _named_date(path) or version_date or _modified(path, version)
    return version


def _named_date(path: Path) -> str | None:
    for part in (path.name, path.parent.name):
        match = _ISO_DATE.search(part)
        if match:
            try:
                return dt.date(*map(int, match.groups())).isoformat()
            except ValueError:
                continue
    return None


def _modified(path: Path, version: ListVersion) -> str:
    date = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date().isoformat()
    version.warnings.append(
        f"the file does not say when the list was published: dated {date} from the file's "
        f"modification time (give the date with --list-date)")
    return date
