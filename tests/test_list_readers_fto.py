"""The State Department FTO list reader (kg.lists.fto): the CSV transcription in ../shared,
the hand-made state.gov-style page in examples/lists/, and broken rows in tests/cases/lists/.

Each reader must give every row it can read and name every row it cannot, with the row's
own text as its evidence span.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.lists import fto
from kg.lists.model import GROUP, Entry, ListVersion

from .conftest import EXAMPLES, ROOT, SHARED

FTO_CSV = SHARED / "designations" / "us-dos-fto" / "fto-list.csv"
FTO_PAGE = EXAMPLES / "lists" / "us-dos-fto-2022-05-20.html"
CASES = ROOT / "tests" / "cases" / "lists"
OFAC_SDN = SHARED / "designations" / "ofac-sdn-2024-05-03" / "sdn.csv"


def _read(path: Path) -> ListVersion:
    text = path.read_text(encoding="utf-8")
    assert fto.looks_like_fto(path, text[:4096]), path
    return fto.read_fto(path, text)


def _by_name(version: ListVersion) -> dict[str, Entry]:
    return {e.name: e for e in version.entries}


# -- the CSV transcription -----------------------------------------------------------------


def test_csv_entries_as_the_transcription_gives_them() -> None:
    version = _read(FTO_CSV)
    data_rows = len(FTO_CSV.read_text(encoding="utf-8").splitlines()) - 1
    # Two names are cut off in the stored excerpts ("[...]"): reported, not read.
    assert len(version.entries) == data_rows - 2 == 61
    assert [p.where for p in version.problems] == ["line 33", "line 35"]
    assert all("cut off" in p.problem for p in version.problems)
    assert version.version_date is None  # the caller dates it
    assert version.source.key == "us-dos-fto"
    asg = _by_name(version)["Abu Sayyaf Group"]
    assert asg.aliases == ["ASG"] and asg.listed_on == "1997-10-08"
    assert asg.record_id == "1" and asg.kind == GROUP and asg.armed
    assert asg.programs == ["FTO"] and asg.reference is None and asg.delisted_on is None


def test_csv_notes_give_removal_dates() -> None:
    by_name = _by_name(_read(FTO_CSV))
    assert by_name["Aum Shinrikyo"].delisted_on == "2022-05-20"
    assert by_name["Revolutionary Armed Forces of Colombia"].delisted_on == "2021"  # year only
    assert by_name["Haqqani Network"].delisted_on is None


def test_csv_evidence_is_the_line() -> None:
    version = _read(FTO_CSV)
    lines = version.text.splitlines()
    asg = _by_name(version)["Abu Sayyaf Group"]
    assert version.text[asg.start:asg.end] == lines[1]
    # Every entry quotes one whole line, the one of its row number (header, then rows).
    for entry in version.entries:
        assert version.text[entry.start:entry.end] == lines[int(entry.record_id)]


# -- the state.gov page --------------------------------------------------------------------


def test_page_entries_dates_and_amendments() -> None:
    version = _read(FTO_PAGE)
    assert not version.problems and version.version_date is None
    assert len(version.entries) == 10
    assert [e.record_id for e in version.entries] == [str(n) for n in range(1, 11)]
    by_name = _by_name(version)
    assert by_name["Segunda Marquetalia"].listed_on == "2021-12-01"  # "December 1, 2021"
    assert by_name["Haqqani Network"].aliases == ["HQN"]
    assert by_name["Asa’ib Ahl al-Haq"].listed_on == "2020-01-10"  # the page's apostrophe
    nusrah = by_name["al-Nusrah Front"]
    assert nusrah.aliases == ["Hay’at Tahrir al-Sham", "ANF/HTS", "ANF", "HTS",
                              "Jabhat Fath al-Sham"]
    assert "Jabhat Fath al-Sham Amendment (November 14, 2016)" in nusrah.remarks
    assert by_name["Abdallah Azzam Brigades"].aliases == ["Marwan Hadid Brigades"]
    assert all(e.programs == ["FTO"] and e.armed and e.kind == GROUP
               for e in version.entries)


def test_page_delisted_table() -> None:
    version = _read(FTO_PAGE)
    aum = _by_name(version)["Aum Shinrikyo"]
    assert (aum.listed_on, aum.delisted_on, aum.aliases) == ("1997-10-08", "2022-05-20", ["AUM"])
    assert [e.name for e in version.entries if e.delisted_on] == ["Aum Shinrikyo"]


def test_page_evidence_is_the_row() -> None:
    version = _read(FTO_PAGE)
    for entry in version.entries:
        quote = version.text[entry.start:entry.end]
        assert quote.startswith("<tr") and quote.endswith("</tr>"), quote
        assert quote.count("<tr") == 1
    hizballah = _by_name(version)["Hizballah"]
    assert version.text[hizballah.start:hizballah.end] == (
        "<tr><td>October 8, 1997</td><td>Hizballah</td></tr>")


def test_page_through_the_registry_is_dated_by_its_file_name() -> None:
    from kg.lists import read_list, reader_for

    text = FTO_PAGE.read_text(encoding="utf-8")
    reader = reader_for(FTO_PAGE, text[:4096])
    assert reader is not None and reader.name == "State Department FTO list"
    assert read_list(FTO_PAGE).version_date == "2022-05-20"


def test_amendment_on_the_name_line() -> None:
    """The current page runs amendments on after the name ("al-Shabaab— al-Hijra ...")."""
    text = ("<table><tr><th>Date Designated</th><th>Name</th></tr>\n"
            "<tr><td>March 18, 2008</td><td>al-Shabaab— al-Hijra Amendment "
            "(August 1, 2018)</td></tr></table>")
    version = fto.read_fto(Path("page.html"), text)
    assert [(e.name, e.aliases, e.listed_on) for e in version.entries] == [
        ("al-Shabaab", ["al-Hijra"], "2008-03-18")]


# -- broken rows ---------------------------------------------------------------------------


def test_malformed_html_rows_are_named_and_the_rest_is_read() -> None:
    version = _read(CASES / "fto-malformed-rows.html")
    problems = {p.where: p.problem for p in version.problems}
    assert set(problems) == {"row 2", "row 3", "row 4", "row 5"}, problems
    assert "no name" in problems["row 2"]
    assert "'13/45/1999' not understood; entry kept" in problems["row 3"]
    assert "cut off" in problems["row 4"] and "no name cell" in problems["row 5"]
    read = {e.record_id: (e.name, e.listed_on) for e in version.entries}
    assert read == {"1": ("HAMAS", "1997-10-08"), "3": ("al-Qa’ida", None),
                    "6": ("Real Irish Republican Army", "2001-05-16"),
                    "7": ("Asbat al-Ansar", "2002-03-27")}
    rira = next(e for e in version.entries if e.record_id == "6")  # its </tr> is omitted
    assert version.text[rira.start:rira.end].endswith("(RIRA)</td>")


def test_malformed_csv_rows_are_named_and_the_rest_is_read() -> None:
    version = _read(CASES / "fto-malformed-rows.csv")
    problems = {p.where: p.problem for p in version.problems}
    assert set(problems) == {"line 3", "line 4", "line 5", "line 6"}, problems
    assert "not understood" in problems["line 4"] and "fields" in problems["line 6"]
    assert [(e.name, e.listed_on) for e in version.entries] == [
        ("HAMAS", "1997-10-08"), ("al-Qa'ida", None), ("Asbat al-Ansar", "2002-03-27")]


def test_a_page_without_the_table_is_a_problem_not_an_empty_list() -> None:
    version = fto.read_fto(Path("page.html"), "<html><title>Foreign Terrorist Organizations"
                                               "</title><p>Moved.</p></html>")
    assert not version.entries and [p.where for p in version.problems] == ["page"]


# -- recognition ---------------------------------------------------------------------------


@pytest.mark.parametrize(("head", "expected"), [
    ("date_designated,name,source_url,note\n1997-10-08,HAMAS,,\n", True),
    ("\ufeffdate_designated,name\n", True),
    ("<title>Foreign Terrorist Organizations - United States Department of State</title>"
     "<link rel=\"canonical\" href=\"https://www.state.gov/foreign-terrorist-organizations/\">"
     + "<script>var x = 1;</script>" * 200, True),  # a saved page: the table lies further on
    ("<html><title>US designates group as a Foreign Terrorist Organization</title>"
     "<p>The Department of State said ...</p></html>", False),  # news about the list
    ("<table><tr><th>Date Designated</th><th>Name</th></tr></table>", False),  # no FTO words
    ("Date Designated,Name\n", False),
], ids=["csv", "csv-bom", "saved-page-head", "news-article", "other-table", "page-headers-csv"])
def test_recognition(head: str, expected: bool) -> None:
    assert fto.looks_like_fto(Path("x"), head) is expected


def test_other_csv_headers_are_not_fto() -> None:
    other = CASES / "fto-other-header.csv"
    assert not fto.looks_like_fto(other, other.read_text(encoding="utf-8"))
    assert not fto.looks_like_fto(OFAC_SDN, OFAC_SDN.read_text(encoding="utf-8")[:4096])


@pytest.mark.parametrize(("text", "iso"), [
    ("10/8/1997", "1997-10-08"), ("October 8, 1997", "1997-10-08"),
    ("Oct. 8, 1997", "1997-10-08"), ("1997-10-08", "1997-10-08"), ("2021", "2021"),
    ("2/30/2001", None), ("Octember 8, 1997", None), ("", None),
])
def test_fto_dates(text: str, iso: str | None) -> None:
    assert fto.fto_date(text) == iso
