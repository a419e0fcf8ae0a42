"""Reading inputs as a user feeds them to kg: the corpus header format, plain text, HTML,
and every kind of bad file, each refused with one message naming the file and the
problem."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kg import namespace
from kg.documents import Document, iter_input_files, parse_document, read_document
from kg.errors import InputError
from kg.values import date_literal

from .conftest import CORPUS, EXAMPLES

HTML_EXAMPLE = EXAMPLES / "05-russia-wagner-group.html"
HEADER = (
    "url: https://example.org/news/2019/kataib-hizballah\n"
    "title: Kata'ib Hizballah warns US forces\n"
    "publisher: Example News\n"
    "published: 2019-06-12\n"
    "retrieved: 2024-05\n"
    "retrieved-via: saved from the publisher's site\n"
    "---\n"
)
BODY = (
    "Kata'ib Hizballah warns US forces\n\n"
    "BAGHDAD - Kata'ib Hizballah, an Iraqi militia, said on Wednesday that it would "
    "fight US forces.\n"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_document(path)
    error = info.value
    assert error.path == str(path)
    assert str(error).startswith(f"{path}: "), str(error)
    assert "\n" not in str(error)  # one line per bad file
    return error


def _file_text(path: Path) -> str:
    """The file as an editor shows it: BOM dropped, universal newlines."""
    return path.read_text(encoding="utf-8-sig")


# -- bad inputs ----------------------------------------------------------------------

WAGNER_HTML = HTML_EXAMPLE.read_text(encoding="utf-8")
BAD_INPUTS: list[tuple[str, bytes, str]] = [
    ("empty.txt", b"", "file is empty"),
    ("blank.txt", b" \n\n\t \r\n", "file is empty"),
    ("scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    ("latin1.txt", "Kata'ib Hizballah, caf\xe9 r\xe9fugi\xe9s\n".encode("latin-1"),
     "not valid UTF-8 (byte 0xe9 at offset 22)"),
    ("no-dash.txt", b"url: https://example.org/a\ntitle: A\npublished: 2020\n",
     "broken header: no '---' line ends the header"),
    ("stray-line.txt", b"url: https://example.org/a\ntitle: A\nThe text starts here.\n---\nx\n",
     "broken header: line 3 'The text starts here.' is not 'key: value'"),
    ("bad-date.txt", b"url: https://example.org/a\npublished: 12 June 2019\n---\nText.\n",
     "broken header: published '12 June 2019' is not YYYY, YYYY-MM or YYYY-MM-DD"),
    ("bad-month.txt", b"url: https://example.org/a\npublished: 2019-13\n---\nText.\n",
     "broken header: published '2019-13'"),
    ("bad-url.txt", b"url: www.example.org/story\ntitle: A\n---\nText.\n",
     "broken header: url 'www.example.org/story' is not an absolute URL"),
    ("no-text.txt", b"url: https://example.org/a\ntitle: A\n---\n\n  \n",
     "the header is followed by no text"),
    ("no-article.html",
     re.sub(r"<article>.*?</article>", "", WAGNER_HTML, flags=re.S).encode("utf-8"),
     "HTML has no article body"),
    ("menu-only.html",
     b"<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a> "
     b"<a href='/europe'>Europe</a></nav></body></html>",
     "HTML has no article body"),
    ("empty-app.html",
     b"<!doctype html><html><head><title>App</title></head><body><div id='root'></div>"
     b"</body></html>",
     "HTML has no article body"),
]


@pytest.mark.parametrize(("name", "data", "problem"), BAD_INPUTS,
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_is_refused_naming_file_and_problem(
    tmp_path: Path, name: str, data: bytes, problem: str
) -> None:
    error = _refused(_write(tmp_path, name, data))
    assert problem in error.problem, error.problem


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    chunk = (b"a" * 1023 + b"\n") * 1024  # 1 MiB of text lines
    with path.open("wb") as handle:
        for _ in range(50):
            handle.write(chunk)
    error = _refused(path)
    assert "50.0 MB" in error.problem and "limit of 10.0 MB" in error.problem, error.problem
    assert "--max-bytes" in error.problem  # says how to get past it


def test_max_bytes_is_the_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "note.txt", HEADER.encode() + BODY.encode())
    with pytest.raises(InputError, match="over the limit"):
        read_document(path, max_bytes=100)
    assert read_document(path, max_bytes=path.stat().st_size).text == BODY


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    assert "cannot read file" in _refused(tmp_path / "gone.txt").problem
    assert "cannot read file" in _refused(tmp_path).problem


def test_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File modes do not stop root (tests and CI run as root), so the operating system's
    refusal is simulated where kg reads the file."""
    path = _write(tmp_path, "secret.txt", HEADER.encode() + BODY.encode())

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    problem = _refused(path).problem
    assert "cannot read file" in problem and "Permission denied" in problem


def test_folder_listing_reports_what_it_cannot_read(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    (folder / "sub").mkdir(parents=True)
    good = _write(folder / "sub", "a.txt", BODY.encode())
    page = _write(folder, "b.html", b"<html></html>")
    _write(folder, "photo.png", b"\x89PNG\x00")  # not an input kind: left alone
    (folder / ".git" / "objects").mkdir(parents=True)  # hidden folders are not inputs
    _write(folder / ".git", "HEAD", b"ref: refs/heads/main\n")
    _write(folder / ".git" / "objects", "ab12", b"x\x00\x01")
    _write(folder, ".notes.txt", b"private\n")
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / "loop").symlink_to(folder)  # links to folders are not followed
    missing = tmp_path / "missing"

    found = {path: error for path, error in iter_input_files([folder, missing])}

    assert set(found) == {good, page, folder / "dangling.txt", missing}
    assert found[good] is None and found[page] is None
    dangling = found[folder / "dangling.txt"]
    assert dangling is not None and "broken symbolic link" in dangling.problem
    assert "nowhere.txt" in dangling.problem
    assert found[missing] is not None and found[missing].problem == "no such file or folder"


def test_unlistable_subfolder_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    _write(locked, "a.txt", BODY.encode())
    readable = _write(tmp_path, "b.txt", BODY.encode())
    scandir = os.scandir

    def denying(path: str | os.PathLike[str]) -> object:  # what chmod 000 does to a user
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denying)
    found = dict(iter_input_files([tmp_path]))
    assert found[readable] is None and locked / "a.txt" not in found
    assert found[locked] is not None
    assert found[locked].problem == "cannot list folder: Permission denied"


# -- the header format ---------------------------------------------------------------


def test_header_fields_are_read(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "kh.txt", (HEADER + BODY).encode()))
    assert doc == Document(
        path=str(tmp_path / "kh.txt"),
        text=BODY,
        url="https://example.org/news/2019/kataib-hizballah",
        title="Kata'ib Hizballah warns US forces",
        publisher="Example News",
        published="2019-06-12",
        retrieved="2024-05",
        retrieved_via="saved from the publisher's site",
        source_format="header",
        header_length=len(HEADER),
        warnings=(),
    )
    assert doc.name == "kh.txt"


@pytest.mark.parametrize(("published", "datatype"), [
    ("2019", namespace.XSD.gYear),
    ("2019-06", namespace.XSD.gYearMonth),
    ("2019-06-12", namespace.XSD.date),
])
def test_published_keeps_its_precision(tmp_path: Path, published: str, datatype: object) -> None:
    header = HEADER.replace("published: 2019-06-12", f"published: {published}")
    doc = read_document(_write(tmp_path, "a.txt", (header + BODY).encode()))
    assert doc.published == published
    literal = date_literal(doc.published)
    assert literal is not None and literal.datatype == datatype and str(literal) == published


def test_published_unknown_is_no_date(tmp_path: Path) -> None:
    header = HEADER.replace("published: 2019-06-12", "published: unknown")
    assert read_document(_write(tmp_path, "a.txt", (header + BODY).encode())).published is None


def test_header_missing_fields_warn(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "a.txt", b"publisher: X\n---\nSome text.\n"))
    assert doc.text == "Some text.\n"
    assert doc.warnings == ("header has no url", "header has no title", "header has no published")


@pytest.mark.parametrize(("name", "encode"), [
    ("lf", lambda s: s.encode("utf-8")),
    ("crlf", lambda s: s.replace("\n", "\r\n").encode("utf-8")),
    ("bom-crlf", lambda s: b"\xef\xbb\xbf" + s.replace("\n", "\r\n").encode("utf-8")),
    ("bom-lf", lambda s: b"\xef\xbb\xbf" + s.encode("utf-8")),
])
def test_header_length_maps_offsets_back_to_the_file(
    tmp_path: Path, name: str, encode: object
) -> None:
    path = _write(tmp_path, f"{name}.txt", encode(HEADER + BODY))  # type: ignore[operator]
    doc = read_document(path)
    assert doc.url == "https://example.org/news/2019/kataib-hizballah"  # no BOM in the key
    assert doc.text == BODY and "\r" not in doc.text
    assert doc.header_length == len(HEADER)
    assert _file_text(path)[doc.header_length:] == doc.text
    # An offset into the text is the same characters in the file.
    start = doc.text.index("an Iraqi militia")
    assert _file_text(path)[doc.header_length + start:].startswith("an Iraqi militia")


def test_crlf_and_lf_files_are_one_document(tmp_path: Path) -> None:
    lf = read_document(_write(tmp_path, "a.txt", (HEADER + BODY).encode()))
    crlf = read_document(_write(tmp_path, "b.txt", (HEADER + BODY).replace("\n", "\r\n").encode()))
    assert lf.content_hash == crlf.content_hash


def test_no_header_is_plain_text_with_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.txt", BODY.encode())
    doc = read_document(path)
    assert (doc.text, doc.source_format, doc.header_length) == (BODY, "text", 0)
    assert doc.url is doc.title is doc.published is None
    assert len(doc.warnings) == 1 and "no header" in doc.warnings[0]
    # A first line that looks like "key: value" but is not a header key is text too.
    doc = read_document(_write(tmp_path, "quote.txt", b"Note: militias said so.\nMore text.\n"))
    assert doc.source_format == "text" and doc.text.startswith("Note:")


def test_parse_document_needs_no_file() -> None:
    doc = parse_document((HEADER + BODY).encode(), path="memory.txt")
    assert doc.path == "memory.txt" and doc.text == BODY


# -- HTML ----------------------------------------------------------------------------


def test_html_article_metadata_and_body() -> None:
    doc = read_document(HTML_EXAMPLE)
    assert doc.source_format == "html"
    assert doc.title == "Wagner mutiny ends in Belarus-brokered deal"
    assert doc.url == "https://w3id.org/kg/examples/05-russia-wagner-group"
    assert doc.published == "2023-06-26"
    assert doc.publisher == "The Example Ledger"
    assert (
        "The deal that ended the mutiny was brokered by Belarusian President Alexander "
        "Lukashenko." in doc.text
    )
    assert "Prigozhin said he had turned his columns around to avoid spilling Russian blood." \
        in doc.text
    for boilerplate in ("We use cookies", "Accept all", "Manage cookies", "Home", "Opinion",
                        "How US sanctions lists work", "Belarus coverage", "Privacy policy",
                        "Cookie settings", "An invented site"):
        assert boilerplate not in doc.text, boilerplate


def test_html_is_recognised_by_content(tmp_path: Path) -> None:
    """A saved page with a .txt name is still read as HTML, not as markup text."""
    doc = read_document(_write(tmp_path, "saved.txt", HTML_EXAMPLE.read_bytes()))
    assert doc.source_format == "html" and "<p>" not in doc.text


# -- the corpus ----------------------------------------------------------------------

CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def test_corpus_is_there() -> None:
    assert len(CORPUS_FILES) >= 15


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_corpus_file_reads(path: Path) -> None:
    doc = read_document(path)
    assert doc.source_format == "header" and doc.url and doc.title
    assert doc.text.strip() and not doc.warnings
    assert _file_text(path)[doc.header_length:] == doc.text
    if doc.published is not None:
        assert date_literal(doc.published) is not None


FRENCH = ("Le groupe armé a attaqué un convoi près de la ville vendredi, selon des sources "
          "locales. Les autorités ont déclaré que les assaillants avaient été repoussés après "
          "deux heures de combats.")


def test_text_that_is_not_english_is_flagged_and_every_corpus_article_is_not() -> None:
    doc = parse_document(("title: Attaque\n---\n" + FRENCH).encode(), path="fr.txt")
    assert not doc.reads_as_english
    assert any("does not read as English" in w for w in doc.warnings)
    articles = sorted(p for p in EXAMPLES.iterdir() if p.is_file())
    for path in [*sorted(CORPUS.glob("*.txt")), *articles]:
        english = read_document(path)
        assert english.reads_as_english, path
        assert not any("English" in w for w in english.warnings), path


def test_nothing_is_extracted_from_text_that_is_not_english() -> None:
    import datetime as dt

    from kg.extract import ExtractOptions, extract_document
    from kg.namespace import KG, RDF

    doc = parse_document(("title: Attaque\n---\nPierre Dupont, " + FRENCH).encode(),
                         path="fr.txt")
    graph = extract_document(doc, ExtractOptions(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    assert set(graph.objects(None, RDF.type)) == {KG.Document}
