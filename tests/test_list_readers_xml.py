"""The XML list readers: the UN consolidated list and OFAC's sdn.xml, as the lists state
their entries, with each record's XML as evidence, and files that break part-way.

The UN sample in ../shared is real (three records cut from the list); the OFAC sdn.xml and
the malformed UN file in tests/cases/lists are hand-written in the official structure with
invented entries. Cut and broken copies are made in temporary folders.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.lists import ofac_csv
from kg.lists.model import GROUP, PERSON, ListVersion
from kg.lists.ofac_xml import looks_like_sdn_xml, read_sdn_xml
from kg.lists.un_xml import looks_like_un_xml, read_un_xml

from .conftest import ROOT, SHARED

UN = SHARED / "designations" / "un-consolidated-2026-02-27" / "consolidated.xml"
CASES = ROOT / "tests" / "cases" / "lists"
OFAC_XML = CASES / "ofac-xml-sdn.xml"
OFAC_XML_TRUNCATED = CASES / "ofac-xml-sdn-truncated.xml"
UN_MALFORMED = CASES / "un-malformed-record.xml"
NAMESPACES = {
    "tempuri-2014": "http://tempuri.org/sdnList.xsd",
    "sanctions-list-service": "https://sanctionslistservice.ofac.treas.gov/api/"
                              "PublicationPreview/exports/XML",
}


def _read_un(path: Path, text: str | None = None) -> ListVersion:
    return read_un_xml(path, path.read_text(encoding="utf-8") if text is None else text)


def _read_ofac(path: Path, text: str | None = None) -> ListVersion:
    return read_sdn_xml(path, path.read_text(encoding="utf-8") if text is None else text)


def _assert_spans(version: ListVersion, tags: tuple[str, ...]) -> None:
    """Each entry's span is its record's whole element, naming its id."""
    for entry in version.entries:
        quote = version.text[entry.start:entry.end]
        assert quote.startswith(tuple(f"<{t}>" for t in tags)), quote[:40]
        assert quote.endswith(tuple(f"</{t}>" for t in tags)), quote[-40:]
        assert f">{entry.record_id}<" in quote


# --- UN consolidated list -----------------------------------------------------------------


def test_un_soleimani_as_the_list_states_him() -> None:
    version = _read_un(UN)
    assert version.source.key == "un-consolidated"
    assert version.version_date == "2026-02-27"  # from dateGenerated
    assert not version.problems and not version.warnings
    by_ref = {e.reference: e for e in version.entries}
    assert sorted(by_ref) == ["IRi.039", "QDe.115", "QDi.299"]
    soleimani = by_ref["IRi.039"]
    assert soleimani.record_id == "110408" and soleimani.name == "QASEM SOLEIMANI"
    assert soleimani.kind == PERSON and soleimani.programs == ["Iran"]
    assert soleimani.listed_on == "2007-03-24"
    assert soleimani.birth_dates == ["1957-03-11"]
    assert soleimani.birth_places == ["Qom, Iran (Islamic Republic of)"]
    assert "Qasem Sulaimani" in soleimani.aliases  # QUALITY Good
    assert "Haj Qasem" in soleimani.aliases  # QUALITY Low: a name the list gives too
    assert soleimani.remarks.startswith("Promoted to Major General")
    assert not soleimani.armed
    quote = version.text[soleimani.start:soleimani.end]
    assert quote.startswith("<INDIVIDUAL>") and quote.endswith("</INDIVIDUAL>")
    assert "IRi.039" in quote and "QDi.299" not in quote
    _assert_spans(version, ("INDIVIDUAL", "ENTITY"))


def test_un_entity_on_a_terrorist_regime_is_an_armed_group() -> None:
    version = _read_un(UN)
    aqi = next(e for e in version.entries if e.reference == "QDe.115")
    assert aqi.kind == GROUP and aqi.name == "AL-QAIDA IN IRAQ"
    assert aqi.programs == ["Al-Qaida"] and aqi.armed  # Al-Qaida is terrorist in programs.tsv
    assert aqi.listed_on == "2004-10-18"
    assert {"AQI", "JTJ", "Islamic State of Iraq", "القاعده في العراق"} <= set(aqi.aliases)
    assert version.text[aqi.start:aqi.end].startswith("<ENTITY>")


def test_un_names_join_four_parts_and_aliases_include_brackets_and_notes() -> None:
    version = _read_un(UN)
    baghdadi = next(e for e in version.entries if e.reference == "QDi.299")
    assert baghdadi.name == "IBRAHIM AWWAD IBRAHIM ALI AL-BADRI AL-SAMARRAI"
    assert baghdadi.birth_dates == ["1971"]  # YEAR only
    assert baghdadi.nationalities == ["Iraq"] and baghdadi.birth_places == ["Iraq"]
    aliases = set(baghdadi.aliases)
    assert {"Abu Bakr al-Baghdadi", "Dr. Ibrahim"} <= aliases  # ALIAS_NAME, its brackets
    assert "Abu Du’a" in aliases  # the transliteration in a NOTE, as the gazetteer reads it
    assert "إبراهيم عواد إبراهيم علي البدري السامرائي" in aliases  # NAME_ORIGINAL_SCRIPT
    assert baghdadi.name not in aliases and len(aliases) == len(baghdadi.aliases)
    assert not baghdadi.armed  # a person, whatever the regime


def test_un_cut_short_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    text = UN.read_text(encoding="utf-8")
    cut = text[:text.index("<LISTED_ON>2004-10-18")]  # inside the ENTITY QDe.115
    version = _read_un(tmp_path / "consolidated.xml", cut)
    assert [e.reference for e in version.entries] == ["IRi.039", "QDi.299"]
    assert version.version_date == "2026-02-27"
    (problem,) = version.problems
    assert problem.where == f"ENTITY 1 (DATAID 113966, line {_line(cut, '<ENTITY>')})"
    assert re.search(r"line \d+, column \d+ \(no element found\)", problem.problem)
    _assert_spans(version, ("INDIVIDUAL", "ENTITY"))


def test_un_malformed_record_costs_that_record_only() -> None:
    version = _read_un(UN_MALFORMED)
    assert [e.reference for e in version.entries] == ["QDi.901", "QDe.901", "IRe.901"]
    (problem,) = version.problems
    text = UN_MALFORMED.read_text(encoding="utf-8")
    assert problem.where == f"INDIVIDUAL 2 (DATAID 900102, line {_line(text, '900102') - 1})"
    assert f"line {_line(text, '</SECOND>')}, column" in problem.problem
    assert "mismatched tag" in problem.problem
    _assert_spans(version, ("INDIVIDUAL", "ENTITY"))
    arlo, front, shipping = version.entries
    assert arlo.name == "ARLO VESTIN MARROW" and arlo.aliases == ["Arlo Marrow", "Arlo Vestin"]
    assert arlo.birth_dates == ["1970", "1971"]  # FROM_YEAR of BETWEEN, then YEAR
    assert arlo.birth_places == ["Port Vesper, Lower Reach, Atlantis"]
    assert front.armed and not shipping.armed  # Iran is a sanctions regime


def test_un_record_without_reference_is_reported_by_dataid(tmp_path: Path) -> None:
    text = UN.read_text(encoding="utf-8").replace(
        "<REFERENCE_NUMBER>QDe.115</REFERENCE_NUMBER>", "")
    version = _read_un(tmp_path / "consolidated.xml", text)
    assert [e.reference for e in version.entries] == ["IRi.039", "QDi.299"]
    (problem,) = version.problems
    assert problem.where.startswith("ENTITY 1 (DATAID 113966, line ")
    assert problem.problem == "no REFERENCE_NUMBER; entry skipped"


# --- OFAC sdn.xml -------------------------------------------------------------------------


def test_ofac_xml_entries_as_the_list_states_them() -> None:
    version = _read_ofac(OFAC_XML)
    assert version.source == ofac_csv.SOURCE  # the same list as sdn.csv
    assert version.version_date == "2025-03-14"  # Publish_Date, MM/DD/YYYY
    assert not version.problems and not version.warnings
    assert version.skipped_property == 1  # the vessel
    by_id = {e.record_id: e for e in version.entries}
    assert sorted(by_id) == ["90001", "90002", "90004"]
    person = by_id["90001"]
    assert person.name == "ZEPHYRANI, Omar Tarik"  # "LAST, First", as in sdn.csv
    assert person.kind == PERSON and person.reference == "90001"
    assert person.programs == ["SDGT", "IRAQ3"]
    assert person.aliases == ["AL-ZEPHYRANI, Umar", "ABU TARIK"]
    assert person.birth_dates == ["1974-06-20", "1976"]  # "20 Jun 1974", "circa 1976"
    assert person.birth_places == ["Basrah, Iraq"]
    assert person.nationalities == ["Iraq", "Iran"]  # nationality, then citizenships
    brigades = by_id["90002"]
    assert brigades.kind == GROUP and brigades.name == "NORTHERN VALE BRIGADES"
    assert brigades.programs == ["FTO", "SDGT"]
    assert brigades.aliases == ["NVB", "VALE DEFENCE COMMITTEE"]  # a.k.a. and f.k.a.
    assert brigades.remarks == "(Linked To: ZEPHYRANI, Omar Tarik)"
    assert brigades.armed and not by_id["90004"].armed  # same rule as the CSV reader
    _assert_spans(version, ("sdnEntry",))


@pytest.mark.parametrize("namespace", [*NAMESPACES.values(), ""], ids=[*NAMESPACES, "none"])
def test_ofac_xml_reads_any_namespace(tmp_path: Path, namespace: str) -> None:
    text = OFAC_XML.read_text(encoding="utf-8").replace(
        'xmlns="http://tempuri.org/sdnList.xsd"', f'xmlns="{namespace}"' if namespace else "")
    version = _read_ofac(tmp_path / "sdn.xml", text)
    assert looks_like_sdn_xml(text[:4096])
    assert [e.record_id for e in version.entries] == ["90001", "90002", "90004"]
    assert version.version_date == "2025-03-14" and not version.problems


def test_ofac_xml_prefixed_namespace_and_crlf(tmp_path: Path) -> None:
    text = OFAC_XML.read_text(encoding="utf-8")
    text = re.sub(r"<(/?)(?=[A-Za-z])", r"<\1s:", text).replace(
        "xmlns=", "xmlns:s=").replace("\n", "\r\n")
    version = _read_ofac(tmp_path / "sdn.xml", text)
    assert [e.record_id for e in version.entries] == ["90001", "90002", "90004"]
    _assert_spans(version, ("s:sdnEntry",))


def test_ofac_xml_cut_short_keeps_the_entries_before_the_break() -> None:
    version = _read_ofac(OFAC_XML_TRUNCATED)
    assert [e.record_id for e in version.entries] == ["90001", "90002"]
    assert version.version_date == "2025-03-14"
    text = OFAC_XML_TRUNCATED.read_text(encoding="utf-8")
    problem, count = version.problems
    assert problem.where == f"sdnEntry 3 (uid 90003, line {_line(text, '90003') - 1})"
    last_line = text.count("\n") + 1
    assert f"line {last_line}, column" in problem.problem
    assert "Record_Count 4" in count.problem  # the header counted four
    assert not version.complete
    _assert_spans(version, ("sdnEntry",))


def test_ofac_xml_break_between_entries_is_named(tmp_path: Path) -> None:
    text = OFAC_XML.read_text(encoding="utf-8")
    broken = text.replace("  <sdnEntry>\n    <uid>90003", "  & <sdnEntry>\n    <uid>90003")
    version = _read_ofac(tmp_path / "sdn.xml", broken)
    assert [e.record_id for e in version.entries] == ["90001", "90002", "90004"]
    assert version.skipped_property == 1  # the vessel after the break, read on its own
    (problem,) = version.problems
    assert problem.where.startswith(f"line {_line(broken, '& <sdnEntry>')}, column ")
    assert "2 records before it read, 2 records after it each read on its own" in problem.problem


# --- Both ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "read"), [(UN, read_un_xml), (OFAC_XML, read_sdn_xml)],
                         ids=["un", "ofac"])
def test_any_cut_of_a_list_reads_without_crashing(
        path: Path, read: Callable[[Path, str], ListVersion]) -> None:
    """Wherever a download stops, the complete records before it are read, and the spans
    stay the records' XML."""
    text = path.read_text(encoding="utf-8")
    full = [e.record_id for e in read(path, text).entries]
    for cut in range(0, len(text), 97):
        version = read(path, text[:cut])
        ids = [e.record_id for e in version.entries]
        assert ids == full[:len(ids)], cut
        tags = ("INDIVIDUAL", "ENTITY") if path == UN else ("sdnEntry",)
        _assert_spans(version, tags)


def test_read_list_chooses_the_reader_by_content(tmp_path: Path) -> None:
    from kg.lists import is_list_file, read_list

    un = tmp_path / "list.xml"
    shutil.copy(UN, un)
    ofac = tmp_path / "export.xml"
    shutil.copy(OFAC_XML, ofac)
    assert is_list_file(un) and is_list_file(ofac)
    assert read_list(un).source.key == "un-consolidated"
    version = read_list(ofac)
    assert version.source.key == "ofac-sdn" and version.version_date == "2025-03-14"
    head = UN.read_text(encoding="utf-8")[:4096]
    assert looks_like_un_xml(head) and not looks_like_sdn_xml(head)
    head = OFAC_XML.read_text(encoding="utf-8")[:4096]
    assert looks_like_sdn_xml(head) and not looks_like_un_xml(head)


def _line(text: str, needle: str) -> int:
    """The line number on which `needle` first occurs."""
    return text[:text.index(needle)].count("\n") + 1
