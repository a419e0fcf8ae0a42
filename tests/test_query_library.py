"""The named queries answer analysts' questions on a KG built from examples/,
../shared/corpus and ../shared/designations: the answers a reader of those sources expects."""

from __future__ import annotations

import pytest

from kg.store import KGStore

from .query_kg import query_kg, rows


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory, wikidata_endpoint: str) -> KGStore:
    return query_kg(tmp_path_factory, wikidata_endpoint)


def _in_force(kg: KGStore, name: str, day: str, **params: str) -> set[tuple[object, ...]]:
    return {(r["authorityLabel"], r["programs"]) for r in
            rows(kg, "designations-in-force", date=day, **params) if r["actorLabel"] == name}


def test_nujaba_designations_in_force(kg: KGStore) -> None:
    # The OFAC SDN file of 2024-05-03 lists it under SDGT; nothing dates a listing earlier
    # (the March 2019 listing is only mentioned in passing, undated, by one article).
    assert _in_force(kg, "Harakat al-Nujaba", "2019-03-04") == set()
    assert ("Office of Foreign Assets Control", "SDGT") in _in_force(
        kg, "Harakat al-Nujaba", "2024-06-01")
    # A proposed listing (a bill in Congress) is never in force.
    assert all(a != "United States Congress"
               for a, _ in _in_force(kg, "Harakat al-Nujaba", "2024-06-01"))


def test_designation_in_force_from_its_listing_day(kg: KGStore) -> None:
    # The FTO list dates Asa'ib Ahl al-Haq's listing 2020-01-10.
    before = _in_force(kg, "Asa'ib Ahl al-Haq", "2020-01-09")
    after = _in_force(kg, "Asa'ib Ahl al-Haq", "2020-01-10")
    assert ("United States Department of State", "FTO") in after - before


def test_designations_in_force_by_authority_and_program(kg: KGStore) -> None:
    # OFAC is part of the Treasury: asking for the Treasury finds OFAC's listings.
    treasury = rows(kg, "designations-in-force", date="2024-06-01",
                    authority="united states department of the treasury", program="iraq3")
    assert {"Kata'ib Hizballah", "Abu Mahdi al-Muhandis"} <= {r["actorLabel"] for r in treasury}
    assert {r["programs"] for r in treasury} == {"IRAQ3"}
    state = rows(kg, "designations-in-force", date="2024-06-01", authority="State Department")
    assert {r["authorityLabel"] for r in state} == {"United States Department of State"}


def test_designation_history_lists_and_articles(kg: KGStore) -> None:
    history = rows(kg, "designation-history", name="Hizballah Brigades")
    authorities = {r["authorityLabel"] for r in history}
    assert {"United States Department of State", "Office of Foreign Assets Control"} <= authorities
    assert any(r["recordId"] for r in history)  # a list version's record
    assert [r["sourceDate"] for r in history] == sorted(r["sourceDate"] for r in history)


def test_affiliations_on_a_day_and_timeline(kg: KGStore) -> None:
    # The Vice article (published 2019-06, to the month) names Qais Khazali AAH's leader;
    # other documents spell him Qais al-Khazali, and queries see one actor under that name.
    def leaders(day: str) -> set[object]:
        return {r["memberLabel"] for r in rows(kg, "affiliations-on-date",
                                               name="Asaib Ahl al-Haq", date=day)
                if r["kind"] == "leader"}
    assert "Qais al-Khazali" in leaders("2019-07-01")
    assert "Qais al-Khazali" not in leaders("2019-06-30")  # June 2019 is not over yet
    timeline = rows(kg, "affiliation-timeline", name="Kata'ib Hizballah")
    part_of = [r for r in timeline if r["kind"] == "part_of"]
    assert [(r["organizationLabel"], r["sources"]) for r in part_of] == [
        ("Popular Mobilization Forces", "2")]


def test_members_units_splinters(kg: KGStore) -> None:
    members = rows(kg, "members-and-leaders", organization="AAH")
    assert ("leader", "Qais al-Khazali") in {(r["kind"], r["memberLabel"]) for r in members}
    units = rows(kg, "units-of", organization="PMF")
    assert {"Kata'ib Hizballah", "Asa'ib Ahl al-Haq", "Badr Organisation"} <= {
        r["unitLabel"] for r in units if r["depth"] == "1"}
    assert rows(kg, "splinters", name="Asa'ib Ahl al-Haq")[0]["otherLabel"] == "Mahdi army"
    parent = rows(kg, "splinters", name="Mahdi army")
    assert [(r["relation"], r["otherLabel"]) for r in parent] == [
        ("splinter of it", "Asa'ib Ahl al-Haq")]


def test_designated_units_of_the_pmf_with_leaders(kg: KGStore) -> None:
    units = rows(kg, "designated-units", umbrella="Popular Mobilization Forces",
                 authority="Department of State")
    by_unit = {r["unitLabel"]: r for r in units}
    assert {"Kata'ib Hizballah", "Asa'ib Ahl al-Haq"} <= set(by_unit)
    assert "Badr Organisation" not in by_unit  # a PMF unit nobody designated
    assert "Qais al-Khazali" in str(by_unit["Asa'ib Ahl al-Haq"]["leaders"])


def test_state_support_with_evidence(kg: KGStore) -> None:
    support = rows(kg, "supporters", supporterType="kg:State")
    pairs = {(r["supportedLabel"], r["supporterLabel"]) for r in support}
    assert {("Houthis", "Iran"), ("Asa'ib Ahl al-Haq", "Iran")} <= pairs
    assert all(r["quote"] and r["document"] for r in support)
    assert all(r["supporterType"] == "https://w3id.org/kg/ontology#State" for r in support)
    about_houthis = rows(kg, "supporters", name="Houthis")
    assert {r["supporterLabel"] for r in about_houthis} >= {"Iran", "Russia"}


def test_events_by_actor_place_type_period(kg: KGStore) -> None:
    strikes = rows(kg, "events", actor="Abu Mahdi al-Muhandis", type="kg:Attack",
                   **{"from": "2020-01-01", "to": "2020-01-31"})
    assert any(r["date"] == "2020-01-03" and "Abu Mahdi al-Muhandis (target)"
               in str(r["participants"]) for r in strikes)
    assert rows(kg, "events", actor="Abu Mahdi al-Muhandis", type="kg:Attack",
                **{"from": "2021"}) == []
    at_airport = rows(kg, "events", place="baghdad international airport")
    assert at_airport and all(r["placeLabel"] == "Baghdad International Airport"
                              for r in at_airport)


def test_who_says_what(kg: KGStore) -> None:
    said = rows(kg, "claims-by-speaker", speaker="Mike Mullen")
    assert [r["statement"] for r in said] == [
        "Haqqani Network part_of Inter-Services Intelligence"]
    everyone = rows(kg, "attributed-claims")
    assert len({r["speakerLabel"] for r in everyone}) > 3
    assert {r["statement"] for r in everyone} >= {
        "Haqqani Network part_of Inter-Services Intelligence", "Attack on 2019-12-27"}
    # An event's claim in words gives its date, as each speaker's list gives it.
    by_us = rows(kg, "claims-by-speaker", speaker="United States")
    assert [r["statement"] for r in by_us] == ["Attack on 2019-12-27"]


def test_sources_disagree_on_a_listing_date(kg: KGStore) -> None:
    disputes = rows(kg, "claims-in-dispute", name="Kata'ib Hizballah")
    dated = {(r["property"], r["value1"], r["value2"]) for r in disputes}
    assert ("listedOn", "2009-06-24", "2009-07") in dated
    assert all(r["source1"] != r["source2"] for r in disputes)
    # Only disputes about the actor named: Nujaba's listings agree (a designation has no
    # organization, which once let any known name through).
    assert rows(kg, "claims-in-dispute", name="Harakat al-Nujaba") == []


def test_provenance_of_a_list_designation(kg: KGStore) -> None:
    listing = next(r for r in rows(kg, "designation-history", name="Harakat al-Nujaba")
                   if r["recordId"])
    designation = next(r["designation"] for r in rows(
        kg, "designations-by-authority", authority="OFAC")
        if r["actorLabel"] == "Harakat al-Nujaba")
    provenance = rows(kg, "provenance-of-claim", claim=str(designation))
    assert {r["recordId"] for r in provenance} == {listing["recordId"]}
    assert {r["extractor"] for r in provenance} == {"kg.lists"}
    assert {r["extractedAt"] for r in provenance} == {"2025-03-01T09:00:00Z"}


def test_what_the_kg_knew_apart_from_when_it_was_true(kg: KGStore) -> None:
    early = rows(kg, "sources-known-on", date="2025-02-01")
    assert len(early) == 6  # the five example articles and the example FTO list
    assert {r["readAt"] for r in early} == {"2025-01-10T09:00:00Z"}
    assert len(rows(kg, "sources-known-on", date="2025-03-01")) > len(early)
    assert rows(kg, "sources-known-on", date="2025-01-09") == []
    known = rows(kg, "known-on", name="Kata'ib Hizballah", date="2025-03-01")
    # Listed in 2009, learned in 2025: the two times side by side.
    assert any(r["trueFrom"] == "2009-06-24" and str(r["learnedAt"]).startswith("2025-")
               for r in known)
    earlier = rows(kg, "known-on", name="Kata'ib Hizballah", date="2025-02-01")
    assert 0 < len(earlier) < len(known)


def test_wikidata_links(kg: KGStore) -> None:
    unlinked = rows(kg, "unlinked-actors")
    assert unlinked and all(r["outcome"] in ("reject", "review", None) for r in unlinked)
    linked = {r["actor"] for r in rows(kg, "actors-by-type")} - {r["actor"] for r in unlinked}
    assert linked  # the reconciler linked some actors, and they are not listed
    assert all(r["outcome"] != "accept" for r in unlinked)
