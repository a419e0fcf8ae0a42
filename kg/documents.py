"""Reading source files into Documents: the text extractors see, and its metadata.

Three input forms are read: the header format of kg's corpus (`key: value` lines, then a
line `---`, then the body), plain text, and HTML pages (the article body found by
trafilatura). Evidence offsets index `Document.text`, so it is kept exactly as read,
never stripped or re-flowed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from kg.errors import InputError
from kg.values import date_literal

# Larger files are refused: no news report or list extract comes near this, and a
# runaway file would hold the whole pipeline (spaCy keeps the parsed text in memory).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

HEADER_KEYS = ("url", "title", "publisher", "published", "retrieved", "retrieved-via")
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):[ \t]*(.*?)[ \t]*$")
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<article)", re.IGNORECASE)
# What a header may say for a date it does not know.
_UNKNOWN = {"unknown", "n/a", "na", "none", "-", "?"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
# Designation lists (kg.lists decides which of these files are lists).
LIST_SUFFIXES = {".csv", ".xml"}


# Words, for telling the language: in English prose about half the lower-case words are
# function words ("the", "of", "and"); in other languages in Latin script a few percent,
# in other scripts none.
_WORD = re.compile(r"[^\W\d_]+")
_MIN_WORDS = 8
_MIN_ENGLISH_SHARE = 0.2


@dataclass(frozen=True)
class Document:
    """One source document. `text` is what offsets index; `header_length` is how many
    characters of the file precede it (0 for plain text), so an offset can be mapped back
    to the file."""

    path: str
    text: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    retrieved: str | None = None
    retrieved_via: str | None = None
    source_format: str = "text"
    header_length: int = 0
    warnings: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def reads_as_english(self) -> bool:
        """Whether the text is English enough for the English model and vocabularies: a
        French or Arabic article would only yield invented names, so none is extracted."""
        # lower-case words only: names say nothing of the language around them
        words = [w for w in _WORD.findall(self.text[:200_000]) if w.islower()]
        if len(words) < _MIN_WORDS:
            return True  # too little text to tell; extraction finds little either way
        from spacy.lang.en.stop_words import STOP_WORDS

        english = sum(1 for w in words if w.lower() in STOP_WORDS)
        return english / len(words) >= _MIN_ENGLISH_SHARE

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def read_document(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file; raise InputError naming the file and the problem if it is unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                path,
                f"file is {size / 1048576:.1f} MB, over the limit of "
                f"{max_bytes / 1048576:.1f} MB (raise it with --max-bytes)",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from exc
    return parse_document(data, path=str(path))


def parse_document(data: bytes, *, path: str) -> Document:
    """Turn a file's bytes into a Document; the form is chosen by content, then by suffix."""
    doc = _parse_document(data, path=path)
    if not doc.reads_as_english:
        doc = replace(doc, warnings=(*doc.warnings, "the text does not read as English (too "
                                     "few English function words): nothing is extracted"))
    return doc


def _parse_document(data: bytes, *, path: str) -> Document:
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file (contains NUL bytes), not a text or HTML document")
    suffix = Path(path).suffix.lower()
    if suffix in HTML_SUFFIXES or _HTML_START.match(data[:2048]):
        return _parse_html(data, path)
    text = _decode(data, path)
    if _HEADER_LINE.match(text.split("\n", 1)[0]) and _looks_like_header(text):
        return _parse_header_format(text, path)
    return Document(
        path=path,
        text=text,
        source_format="text",
        warnings=(
            "no header (url, title, publisher, published, then ---): read as plain text "
            "without metadata; relative dates cannot be resolved",
        ),
    )


def _decode(data: bytes, path: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc
    text = text.removeprefix("\ufeff")
    # Offsets count characters of the text as read with universal newlines.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_header(text: str) -> bool:
    first = _HEADER_LINE.match(text.split("\n", 1)[0])
    return bool(first and first.group(1).lower() in HEADER_KEYS)


def _parse_header_format(text: str, path: str) -> Document:
    fields: dict[str, str] = {}
    offset = 0
    for line in text.split("\n"):
        end = offset + len(line) + 1
        if line.strip() == "---":
            return _document_from_header(fields, text[end:], path, header_length=end)
        match = _HEADER_LINE.match(line)
        if not match:
            if not line.strip():
                offset = end
                continue
            raise InputError(
                path,
                f"broken header: line {text[:offset].count(chr(10)) + 1} "
                f"{line[:60]!r} is not 'key: value' and no '---' line came before it",
            )
        fields[match.group(1).lower()] = match.group(2)
        offset = end
    raise InputError(path, "broken header: no '---' line ends the header")


def _document_from_header(
    fields: dict[str, str], body: str, path: str, *, header_length: int
) -> Document:
    published = fields.get("published") or None
    if published and published.strip().lower() in _UNKNOWN:
        published = None
    if published and date_literal(published) is None:
        raise InputError(
            path, f"broken header: published {published!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
        )
    url = fields.get("url") or None
    if url and not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", url, re.IGNORECASE):
        raise InputError(path, f"broken header: url {url!r} is not an absolute URL")
    if not body.strip():
        raise InputError(path, "the header is followed by no text")
    warnings = tuple(
        f"header has no {key}" for key in ("url", "title", "published") if not fields.get(key)
    )
    return Document(
        path=path,
        text=body,
        url=url,
        title=fields.get("title") or None,
        publisher=fields.get("publisher") or None,
        published=published,
        retrieved=fields.get("retrieved") or None,
        retrieved_via=fields.get("retrieved-via") or None,
        source_format="header",
        header_length=header_length,
        warnings=warnings,
    )


def _parse_html(data: bytes, path: str) -> Document:
    import trafilatura  # heavy import, only for HTML inputs

    try:
        result = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, favor_precision=True
        )
    except Exception as exc:  # trafilatura raises many kinds on hostile markup
        raise InputError(path, f"HTML could not be parsed: {exc}") from exc
    if result is None:
        raise InputError(path, "HTML has no article body")
    meta = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = (meta.get("text") or "").strip()
    if not text or _only_link_text(text, data):
        raise InputError(path, "HTML has no article body")
    published = meta.get("date") or None
    if published and date_literal(published) is None:
        published = None
    return Document(
        path=path,
        text=text + "\n",
        url=meta.get("url") or None,
        title=meta.get("title") or None,
        publisher=meta.get("sitename") or None,
        published=published,
        source_format="html",
    )


class _LinkWords(HTMLParser):
    """Counts the words of a page that are inside links (menus, related stories)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.words: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.words.update(data.split())


def _only_link_text(text: str, data: bytes) -> bool:
    """Whether every word trafilatura kept is link text: on a page without an article its
    fallback returns the menu ("Home World Europe"), which is no document."""
    parser = _LinkWords()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    return not Counter(text.split()) - parser.words


def _not_a_file(path: Path) -> str:
    if path.is_symlink():
        return f"broken symbolic link: its target {os.readlink(path)!r} does not exist"
    return "not a regular file"


def _walk(root: Path) -> list[tuple[Path, InputError | None]]:
    """The input files below a folder. Hidden files and folders (.git, .venv) are left
    out; links to folders are not followed (no loops); a folder that cannot be listed is
    reported, not silently skipped."""
    found: list[tuple[Path, InputError | None]] = []

    def unlistable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        found.append((where, InputError(where, f"cannot list folder: {exc.strerror or exc}")))

    for folder, subfolders, files in os.walk(root, onerror=unlistable):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            child = Path(folder) / name
            if name.startswith("."):
                continue
            if child.is_file():
                if child.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | LIST_SUFFIXES:
                    found.append((child, None))
            else:
                found.append((child, InputError(child, _not_a_file(child))))
    return sorted(found, key=lambda item: item[0])


def iter_input_files(paths: list[Path]) -> Iterator[tuple[Path, InputError | None]]:
    """Every file below the given files and folders, sorted; unreadable entries come with
    the error that says so, so a build can report them and go on."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path, None
        elif path.is_symlink() or path.exists():
            yield path, InputError(path, _not_a_file(path))
        else:
            yield path, InputError(path, "no such file or folder")
