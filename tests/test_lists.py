"""Official lists into the store: what an analyst checks first.

The OFAC extract in ../shared is real; versions are made from it the way a list changes
(an entry dropped, an entry added), in temporary folders, never copied into the repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.build import build
from kg.lists import read_list
from kg.queries import bind_params, find_query, run_query
from kg.store import KGStore

from .conftest import SHARED, error_lines, run_kg

OFAC = SHARED / "designations" / "ofac-sdn-2024-05-03"
HIZBALLAH_ROW = "4697,"  # Lebanese Hizballah
KSS_ROW = "46348,"  # Kata'ib Sayyid al-Shuhada


def _version(folder: Path, *, drop: str | None = None, add: str | None = None) -> Path:
    """A copy of the OFAC extract in `folder`, optionally without the row starting with
    `drop` and with the line `add`."""
    folder.mkdir(parents=True)
    for name in ("sdn.csv", "alt.csv", "add.csv"):
        shutil.copy(OFAC / name, folder / name)
    sdn = folder / "sdn.csv"
    lines = sdn.read_text(encoding="utf-8").splitlines(keepends=True)
    if drop:
        lines = [line for line in lines if not line.startswith(drop)]
    if add:
        lines.append(add + "\r\n")
    sdn.write_text("".join(lines), encoding="utf-8")
    return sdn


def _rows(store: KGStore, query_name: str, **params: str) -> list[dict[str, str | None]]:
    query = find_query(query_name)
    table = run_query(store, query, bind_params(query, params))
    return [dict(zip(table.columns, (None if v is None else str(v) for v in row), strict=True))
            for row in table.rows]


def test_ofac_csv_entries_as_the_list_states_them() -> None:
    version = read_list(OFAC / "sdn.csv")
    assert version.version_date == "2024-05-03"  # from the folder name
    by_id = {e.record_id: e for e in version.entries}
    qais = by_id["28004"]
    assert qais.name == "AL-KHAZALI, Qais" and qais.programs == ["SDGT", "GLOMAG"]
    assert qais.birth_dates[0] == "1974-06-20" and "Baghdad, Iraq" in qais.birth_places
    kh = by_id["11462"]
    assert "HIZBALLAH BRIGADES" in kh.aliases  # from alt.csv
    assert version.text[kh.start:kh.end].startswith('11462,"KATA\'IB HIZBALLAH"')
    assert not version.problems


def test_a_list_in_the_facts_format() -> None:
    result = run_kg("extract", str(OFAC / "sdn.csv"), "--format", "facts")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    listed = {(d["entity"], d["authority"], d["programs"][0], d["status"])
              for d in facts["designations"]}
    assert ("Kata'ib Hizballah", "United States Department of State", "FTO",
            "designated") in listed
    assert ("Qais al-Khazali", "Office of Foreign Assets Control", "GLOMAG",
            "designated") in listed
    people = {a["name"]: a for a in facts["actors"] if a["type"] == "Person"}
    # Two brothers, one surname: two people.
    assert {"Qais al-Khazali", "Laith al-Khazali"} <= set(people)


def test_one_actor_across_list_and_gazetteer(tmp_path: Path) -> None:
    store = KGStore(tmp_path / "kg")
    result = build([OFAC], store)
    assert not result.failed, result.outcomes
    rows = _rows(store, "designation-history", name="Hizballah Brigades")
    assert {r["actorLabel"] for r in rows} == {"Kata'ib Hizballah"}
    assert {r["program"] for r in rows} == {"FTO", "SDGT", "IRAQ3"}
    assert all(r["recordId"] == "11462" and r["sourceDate"] == "2024-05-03" for r in rows)
    lebanese = _rows(store, "designation-history", name="Lebanese Hizballah")
    assert {r["actorLabel"] for r in lebanese} == {"Hizballah"}


def test_a_newer_version_delists_what_it_no_longer_has(tmp_path: Path) -> None:
    old = _version(tmp_path / "sdn-2024-05-03")
    new = _version(tmp_path / "sdn-2024-09-01", drop=HIZBALLAH_ROW)
    store = KGStore(tmp_path / "kg")
    assert not build([old], store).failed
    before = _rows(store, "designations-in-force", date="2024-06-01")
    assert any(r["actorLabel"] == "Hizballah" for r in before)

    assert not build([new], store).failed
    history = _rows(store, "designation-history", name="Hizballah")
    assert {(r["status"], r["delistedOn"]) for r in history} == {("revoked", "2024-09-01")}
    # Still in force before the newer version's date, not after it.
    assert any(r["actorLabel"] == "Hizballah"
               for r in _rows(store, "designations-in-force", date="2024-06-01"))
    after = _rows(store, "designations-in-force", date="2024-10-01")
    assert after and not any(r["actorLabel"] == "Hizballah" for r in after)
    assert any(r["actorLabel"] == "Kata'ib Hizballah" for r in after)


def test_same_version_twice_changes_nothing_and_order_does_not_matter(tmp_path: Path) -> None:
    old = _version(tmp_path / "sdn-2024-05-03")
    new = _version(tmp_path / "sdn-2024-09-01", drop=KSS_ROW)
    forward, backward = KGStore(tmp_path / "a"), KGStore(tmp_path / "b")
    build([old], forward)
    build([new], forward)
    size = len(forward)
    again = build([new], forward)
    assert [o.skipped for o in again.outcomes] == [True]
    assert len(forward) == size
    build([new], backward)
    build([old], backward)
    name = "Kata'ib Sayyid al-Shuhada"
    assert _rows(forward, "designation-history", name=name) \
        == _rows(backward, "designation-history", name=name)
    assert {r["status"] for r in _rows(backward, "designation-history", name=name)} \
        == {"revoked"}


def test_bad_rows_are_named_and_the_rest_is_ingested(tmp_path: Path) -> None:
    good = _version(tmp_path / "sdn-2024-05-03")
    store_dir = tmp_path / "kg"
    assert run_kg("build", str(good.parent), "--store", str(store_dir)).returncode == 0
    bad = _version(
        tmp_path / "sdn-2024-09-01",
        add='99999,"TEST GROUP",-0- ,"NOSUCHPROGRAM",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    )
    text = bad.read_text(encoding="utf-8")
    text = text.replace("DOB 20 Jun 1974", "DOB 31 Feb 1974")  # Qais, line 13
    bad.write_text(text.replace('28005,"AL-KHAZALI, Laith","individual",',
                                '28005,"AL-KHAZALI, Laith",'), encoding="utf-8")
    result = run_kg("build", str(bad.parent), "--store", str(store_dir))
    assert "line 14 (ent_num 28005): expected 12 fields, found 11" in result.stderr
    assert "record 99999: unknown program code 'NOSUCHPROGRAM'" in result.stderr
    assert "line 13 (ent_num 28004): date of birth '31 Feb 1974' not understood" \
        in result.stderr
    assert "this version delists nothing" in result.stderr
    store = KGStore(store_dir, read_only=True)
    # The rest of the newer version is in. The entry whose row broke is not in it as read,
    # but a version that lost an entry delists nothing: Laith stays designated.
    assert _rows(store, "designation-history", name="Test Group")[0]["kind"] == "sanctions"
    laith = _rows(store, "designation-history", name="Laith al-Khazali")
    assert {r["sourceDate"] for r in laith} == {"2024-05-03"}
    assert {r["status"] for r in laith} == {"designated"}


@pytest.mark.parametrize("content, problem", [
    (b"", "file is empty"),
    (b"\x00\x01binary", "binary file"),
    (b"a,b,c\n1,2,3\n", "not a designation list kg can read"),
    (b'1,"X",-0- ,"SDGT"\n', "no entry could be read"),
])
def test_files_that_are_no_list_get_a_clear_error(tmp_path: Path, content: bytes,
                                                  problem: str) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(content)
    result = run_kg("build", str(path), "--store", str(tmp_path / "kg"))
    assert result.returncode != 0
    assert problem in error_lines(result.stderr)[str(path)]


FTO_CSV = SHARED / "designations" / "us-dos-fto" / "fto-list.csv"
UN_XML = SHARED / "designations" / "un-consolidated-2026-02-27" / "consolidated.xml"
KH_ARTICLE = SHARED / "corpus" / "07-state-2009-designation-kataib-hizballah.txt"


def test_one_actor_and_one_designation_across_lists_and_articles(tmp_path: Path) -> None:
    store = KGStore(tmp_path / "kg")
    result = build([OFAC, FTO_CSV, UN_XML, KH_ARTICLE], store, list_date="2021-12-31")
    assert not result.failed, [o.error for o in result.failed]
    groups = {r["label"]: r for r in _rows(store, "actors-by-type", type="kg:ArmedGroup")}
    # Kata'ib Hizballah: named by OFAC, the FTO list and the article; one actor.
    assert int(str(groups["Kata'ib Hizballah"]["sources"])) == 3
    assert not any(label != "Kata'ib Hizballah" and "kata" in label.lower()
                   and "hizballah" in label.lower() for label in groups)
    history = _rows(store, "designation-history", name="Kata'ib Hizballah")
    fto = [r for r in history if r["program"] == "FTO"]
    # OFAC's FTO tag and the State Department's list meet in one designation, dated by
    # the FTO list, with each list's record as evidence.
    assert {r["authorityLabel"] for r in fto} == {"United States Department of State"}
    assert {r["listedOn"] for r in fto} == {"2009-06-24"}
    assert {r["sourceTitle"] for r in fto} >= {
        "OFAC Specially Designated Nationals and Blocked Persons List",
        "US State Department Foreign Terrorist Organizations list"}
    # Soleimani: OFAC and the UN list him; one person with both listings.
    soleimani = _rows(store, "designation-history", name="Qasem Soleimani")
    assert {r["actorLabel"] for r in soleimani} == {"Qasem Soleimani"}
    assert {r["authorityLabel"] for r in soleimani} >= {
        "Office of Foreign Assets Control", "United Nations Security Council"}
    # Lebanese Hizballah stays apart from Kata'ib Hizballah.
    assert {r["actorLabel"] for r in _rows(store, "designation-history", name="Hizballah")} \
        == {"Hizballah"}


def test_a_name_only_a_users_list_gives_is_recognised_in_articles(tmp_path: Path) -> None:
    folder = tmp_path / "sdn-2025-01-31"
    folder.mkdir()
    (folder / "sdn.csv").write_text(
        '90001,"ZARQAN FALCON BRIGADES",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"a.k.a. \'RED DUNE MOVEMENT\'."\r\n', encoding="utf-8")
    article = tmp_path / "article.txt"
    article.write_text(
        "url: https://example.org/a\ntitle: Attack\npublisher: Example\n"
        "published: 2025-02-03\n---\n"
        "The Red Dune Movement fired rockets at a base near the border on Sunday, "
        "officials said.\n", encoding="utf-8")
    store = KGStore(tmp_path / "kg")
    result = build([folder, article], store)
    assert not result.failed, [o.error for o in result.failed]
    groups = _rows(store, "actors-by-type", type="kg:ArmedGroup")
    falcon = [r for r in groups if r["label"] == "Zarqan Falcon Brigades"]
    assert len(falcon) == 1 and int(str(falcon[0]["documents"])) == 1, groups
    assert not any(r["label"] == "Red Dune Movement" for r in groups)


def test_reading_a_version_again_leaves_nothing_stale(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.lists import triples

    sdn = _version(tmp_path / "sdn-2024-05-03")
    fresh = KGStore(tmp_path / "fresh")
    build([sdn], fresh)
    # A reading that named an actor otherwise (as an older reader might have) ...
    store = KGStore(tmp_path / "kg")
    cased = triples._Writer._cased
    monkeypatch.setattr(triples._Writer, "_cased",
                        lambda self, entry, name: cased(self, entry, name) + " Old")
    build([sdn], store)
    monkeypatch.undo()
    # ... then the same file read again, forced: nothing of the first reading is left.
    assert not build([sdn], store, force=True).failed
    def timeless(s: KGStore) -> set[str]:
        return {str(q) for q in s.quads() if "endedAtTime" not in str(q)}
    assert timeless(store) == timeless(fresh)


def test_a_cut_newer_version_delists_nothing(tmp_path: Path) -> None:
    cases = Path(__file__).parent / "cases" / "lists"
    old = tmp_path / "old" / "sdn.xml"
    new = tmp_path / "new" / "sdn.xml"
    for path, source in ((old, "ofac-xml-sdn.xml"), (new, "ofac-xml-sdn-truncated.xml")):
        path.parent.mkdir()
        text = (cases / source).read_text(encoding="utf-8")
        if path == new:  # published later than the old one, and cut short
            text = text.replace("<Publish_Date>03/14/2025", "<Publish_Date>04/14/2025")
        path.write_text(text, encoding="utf-8")
    store = KGStore(tmp_path / "kg")
    build([old], store)
    result = build([new], store)
    assert "this version delists nothing" in " ".join(result.outcomes[0].warnings)
    statuses = {r["status"].value for r in store.select(
        "SELECT ?status WHERE { ?d a kg:Designation ; kg:referenceNumber '90004' ;"
        " kg:status/skos:notation ?status }")}
    assert statuses == {"designated"}
